// ATA hard disk command set (see ata_disk.h). Data-transfer commands are rows of one table
// (opcode -> direction, protocol, 28/48-bit addressing); the rest are short cases.
#include "devices/ata_disk.h"

#include <algorithm>
#include <cstring>

namespace pcjit::devices {

namespace {
using Proto = AtaDisk::Proto;
struct RwRow {
  u8 opcode;
  bool write;
  Proto proto;
  bool lba48;
};
// ATA/ATAPI-6 chapter 8 (0x21/0x31/0x41/0xC9/0xCB are the "without retry" aliases).
constexpr RwRow kRwCommands[] = {
    {0x20, false, Proto::Pio, false},      {0x21, false, Proto::Pio, false},
    {0x24, false, Proto::Pio, true},       {0x29, false, Proto::Multiple, true},
    {0xC4, false, Proto::Multiple, false}, {0xC8, false, Proto::Dma, false},
    {0xC9, false, Proto::Dma, false},      {0x25, false, Proto::Dma, true},
    {0x30, true, Proto::Pio, false},       {0x31, true, Proto::Pio, false},
    {0x34, true, Proto::Pio, true},        {0x39, true, Proto::Multiple, true},
    {0xC5, true, Proto::Multiple, false},  {0xCA, true, Proto::Dma, false},
    {0xCB, true, Proto::Dma, false},       {0x35, true, Proto::Dma, true},
    {0x40, false, Proto::Verify, false},   {0x41, false, Proto::Verify, false},
    {0x42, false, Proto::Verify, true},
};
constexpr u8 kDevLba = 0x40;
}  // namespace

AtaDisk::AtaDisk(std::unique_ptr<DiskImage> image) : image_(std::move(image)) {
  // The conventional translated geometry (ATA/ATAPI-6 Annex B: 16 heads, 63 sectors, capped
  // at 16383 cylinders, the values IDENTIFY reports for disks over 8 GB).
  u64 sectors = image_->sector_count();
  u64 cyl = std::clamp<u64>(sectors / (16 * 63), 1, 16383);
  default_geo_ = {static_cast<unsigned>(cyl), 16, 63};
  disk_.geo = default_geo_;
  set_signature();
  st_.regs.status = ata::kDrdy | ata::kDsc;
}

void AtaDisk::set_signature() {
  // ATA/ATAPI-6 9.12: an ATA device shows count 01h, LBA 000001h after reset/diagnostic.
  st_.regs.count = 1;
  st_.regs.lba_low = 1;
  st_.regs.lba_mid = 0;
  st_.regs.lba_high = 0;
}

std::array<u16, 256> AtaDisk::identify_data() const {
  std::array<u16, 256> w{};
  u64 total = image_->sector_count();
  w[0] = 0x0040;  // fixed device
  w[1] = static_cast<u16>(default_geo_.cylinders);
  w[3] = static_cast<u16>(default_geo_.heads);
  w[6] = static_cast<u16>(default_geo_.sectors);
  ata_put_string(std::span(w).subspan(10, 10), "PCJIT0000000000001");
  ata_put_string(std::span(w).subspan(23, 4), "1.0");
  ata_put_string(std::span(w).subspan(27, 20), "PCJIT HARDDISK");
  w[47] = 0x8000 | kMaxMultiple;
  w[49] = 0x0300;  // LBA and DMA supported
  w[50] = 0x4000;
  w[51] = 0x0200;  // PIO mode 2 timing (obsolete word)
  w[53] = 0x0007;  // words 54-58, 64-70 and 88 are valid
  u64 cur_chs = u64{disk_.geo.cylinders} * disk_.geo.heads * disk_.geo.sectors;
  w[54] = static_cast<u16>(disk_.geo.cylinders);
  w[55] = static_cast<u16>(disk_.geo.heads);
  w[56] = static_cast<u16>(disk_.geo.sectors);
  w[57] = static_cast<u16>(cur_chs);
  w[58] = static_cast<u16>(cur_chs >> 16);
  w[59] = static_cast<u16>(disk_.multiple ? 0x0100 | disk_.multiple : 0);
  u64 lba28 = std::min<u64>(total, 0x0FFFFFFF);
  w[60] = static_cast<u16>(lba28);
  w[61] = static_cast<u16>(lba28 >> 16);
  w[63] = static_cast<u16>(0x0007 | disk_.mwdma_mode << 8);  // MWDMA 0-2 supported | selected
  w[64] = 0x0003;                                       // PIO modes 3 and 4
  w[65] = w[66] = w[67] = w[68] = 120;                  // cycle times (ns)
  w[80] = 0x007E;                                       // ATA-1 .. ATA-6
  w[82] = 0x4020;                                       // write cache supported (bit 14 must be 1)
  w[83] = 0x7400;                                       // FLUSH CACHE (EXT), 48-bit addressing
  w[84] = 0x4000;
  w[85] = 0x4020;
  w[86] = 0x3400;
  w[87] = 0x4000;
  w[88] = static_cast<u16>(0x003F | disk_.udma_mode << 8);  // UDMA 0-5 supported | selected
  w[93] = reset_result_word();
  for (int k = 0; k < 4; ++k) w[100 + k] = static_cast<u16>(total >> (16 * k));
  return w;
}

bool AtaDisk::decode_address(bool lba48, u64& lba, u64& count) const {
  const Regs& r = st_.regs;
  if (lba48) {
    lba = u64{r.hob_lba_high} << 40 | u64{r.hob_lba_mid} << 32 | u64{r.hob_lba_low} << 24 |
          u64{r.lba_high} << 16 | u64{r.lba_mid} << 8 | r.lba_low;
    count = u64{r.hob_count} << 8 | r.count;
    if (count == 0) count = 65536;
  } else {
    count = r.count == 0 ? 256 : r.count;
    if (r.device & kDevLba) {
      lba = u64{r.device & 0x0Fu} << 24 | u64{r.lba_high} << 16 | u64{r.lba_mid} << 8 | r.lba_low;
    } else {
      // CHS through the current translation (INITIALIZE DEVICE PARAMETERS); sectors count from 1.
      unsigned cyl = r.lba_high << 8 | r.lba_mid, head = r.device & 0x0Fu, sec = r.lba_low;
      if (sec == 0 || sec > disk_.geo.sectors || head >= disk_.geo.heads) return false;
      lba = (u64{cyl} * disk_.geo.heads + head) * disk_.geo.sectors + (sec - 1);
    }
  }
  return lba < image_->sector_count() && count <= image_->sector_count() - lba;
}

void AtaDisk::set_address(u64 lba) {
  Regs& r = st_.regs;
  if (disk_.xfer.lba48) {
    r.lba_low = static_cast<u8>(lba);
    r.lba_mid = static_cast<u8>(lba >> 8);
    r.lba_high = static_cast<u8>(lba >> 16);
    r.hob_lba_low = static_cast<u8>(lba >> 24);
    r.hob_lba_mid = static_cast<u8>(lba >> 32);
    r.hob_lba_high = static_cast<u8>(lba >> 40);
  } else if (r.device & kDevLba) {
    r.lba_low = static_cast<u8>(lba);
    r.lba_mid = static_cast<u8>(lba >> 8);
    r.lba_high = static_cast<u8>(lba >> 16);
    r.device = static_cast<u8>((r.device & 0xF0) | ((lba >> 24) & 0x0F));
  } else {
    u64 spc = u64{disk_.geo.heads} * disk_.geo.sectors;
    u64 cyl = lba / spc, rem = lba % spc;
    r.lba_high = static_cast<u8>(cyl >> 8);
    r.lba_mid = static_cast<u8>(cyl);
    r.device = static_cast<u8>((r.device & 0xF0) | (rem / disk_.geo.sectors));
    r.lba_low = static_cast<u8>(rem % disk_.geo.sectors + 1);
  }
}

void AtaDisk::start_rw(bool write, Proto proto, bool lba48) {
  if (proto == Proto::Multiple && disk_.multiple == 0) return abort_command();
  u64 lba = 0, count = 0;
  disk_.xfer = {};
  disk_.xfer.lba48 = lba48;
  if (!decode_address(lba48, lba, count)) return abort_command(ata::kIdnf | ata::kAbrt);
  disk_.xfer = {lba, count, proto == Proto::Multiple ? disk_.multiple : 1u, write, lba48, proto};
  switch (proto) {
    case Proto::Verify:
      set_address(lba + count - 1);
      return complete();
    case Proto::Dma: return wait_dma();
    default: break;
  }
  if (write) {
    // The first block is requested without an interrupt (ATA/ATAPI-6 9.8, PIO data-out).
    begin_pio(Pio::Out, std::min<u64>(disk_.xfer.block, disk_.xfer.remaining) * 512);
  } else {
    next_read_block();
  }
}

void AtaDisk::next_read_block() {
  u64 n = std::min<u64>(disk_.xfer.block, disk_.xfer.remaining);
  auto buf = begin_pio(Pio::In, n * 512);
  if (!image_->read_sectors(disk_.xfer.lba, n, buf)) return abort_command(ata::kUnc | ata::kAbrt);
  set_address(disk_.xfer.lba + n - 1);
  disk_.xfer.lba += n;
  disk_.xfer.remaining -= n;
  irq();
}

void AtaDisk::pio_done() {
  if (!disk_.xfer.write) {
    if (disk_.xfer.remaining == 0) return complete(false);  // the last block was read: no interrupt
    return next_read_block();
  }
  u64 n = st_.pio_end / 512;
  if (!image_->write_sectors(disk_.xfer.lba, n, pio_data())) return abort_command(ata::kIdnf | ata::kAbrt);
  set_address(disk_.xfer.lba + n - 1);
  disk_.xfer.lba += n;
  disk_.xfer.remaining -= n;
  if (disk_.xfer.remaining == 0) return complete();
  begin_pio(Pio::Out, std::min<u64>(disk_.xfer.block, disk_.xfer.remaining) * 512);
  irq();
}

void AtaDisk::run_dma() {
  // Moved in pieces of at most 128 sectors; the bus master's PRD cursor carries on between them.
  constexpr u64 kPiece = 128;
  std::vector<u8> data;
  bool ok = true;
  u64 last = disk_.xfer.lba + disk_.xfer.remaining - 1;
  while (ok && disk_.xfer.remaining > 0) {
    u64 n = std::min(disk_.xfer.remaining, kPiece);
    data.resize(n * 512);
    if (disk_.xfer.write) {
      ok = bus_->dma_from_memory(data) && image_->write_sectors(disk_.xfer.lba, n, data);
    } else {
      ok = image_->read_sectors(disk_.xfer.lba, n, data) && bus_->dma_to_memory(data);
    }
    disk_.xfer.lba += n;
    disk_.xfer.remaining -= n;
  }
  set_address(ok ? last : disk_.xfer.lba - 1);
  disk_.xfer.remaining = 0;
  bus_->dma_finished(!ok);
  if (!ok) return abort_command(ata::kUnc | ata::kAbrt);
  complete();
}

void AtaDisk::set_features() {
  switch (st_.regs.feature) {
    case 0x03: {  // set transfer mode: count = mode class (bits 7:3) | mode (bits 2:0)
      u8 mode = st_.regs.count & 7;
      switch (st_.regs.count >> 3) {
        case 0x00: case 0x01: break;  // PIO default / PIO mode n
        case 0x04:
          if (mode > 2) return abort_command();
          disk_.mwdma_mode = static_cast<u8>(1u << mode);
          disk_.udma_mode = 0;
          break;
        case 0x08:
          if (mode > 5) return abort_command();
          disk_.udma_mode = static_cast<u8>(1u << mode);
          disk_.mwdma_mode = 0;
          break;
        default: return abort_command();
      }
      return complete();
    }
    // Write cache, read look-ahead, reverting to power-on defaults, APM: accepted, nothing to model.
    case 0x02: case 0x82: case 0xAA: case 0x55: case 0x66: case 0xCC: case 0x05: case 0x85:
      return complete();
    default: return abort_command();
  }
}

void AtaDisk::execute(u8 command) {
  for (const RwRow& row : kRwCommands)
    if (row.opcode == command) return start_rw(row.write, row.proto, row.lba48);
  switch (command) {
    case 0xEC: {  // IDENTIFY DEVICE
      auto words = identify_data();
      auto buf = begin_pio(Pio::In, 512);
      for (std::size_t i = 0; i < 256; ++i) {
        buf[2 * i] = static_cast<u8>(words[i]);
        buf[2 * i + 1] = static_cast<u8>(words[i] >> 8);
      }
      disk_.xfer = {};  // one block, no more to come
      return irq();
    }
    case 0x91: {  // INITIALIZE DEVICE PARAMETERS: heads from the device register, sectors from count
      unsigned heads = (st_.regs.device & 0x0Fu) + 1, spt = st_.regs.count;
      if (spt == 0) return abort_command();
      u64 cyl = std::min<u64>(image_->sector_count() / (u64{heads} * spt), 65535);
      disk_.geo = {static_cast<unsigned>(cyl), heads, spt};
      return complete();
    }
    case 0xC6: {  // SET MULTIPLE MODE: 0 disables; otherwise a power of two up to the maximum
      unsigned n = st_.regs.count;
      if (n > kMaxMultiple || (n & (n - 1)) != 0) return abort_command();
      disk_.multiple = n;
      return complete();
    }
    case 0xEF: return set_features();
    case 0xE7: case 0xEA:  // FLUSH CACHE (EXT)
      image_->flush();
      return complete();
    case 0x90:  // EXECUTE DEVICE DIAGNOSTIC (the channel makes both drives answer)
      diagnostic_result();
      return irq();
    case 0xE5: case 0x98:  // CHECK POWER MODE: always active/idle
      complete(false);
      st_.regs.count = 0xFF;
      return irq();
    // STANDBY/IDLE (IMMEDIATE), SLEEP, SEEK, RECALIBRATE: nothing moves on an image.
    case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0x94: case 0x95: case 0x96: case 0x97:
    case 0xE6: case 0x70:
      return complete();
    default:
      if ((command & 0xF0) == 0x10) return complete();  // RECALIBRATE (10h-1Fh)
      return abort_command();
  }
}

}  // namespace pcjit::devices
