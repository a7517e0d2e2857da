// ATAPI CD-ROM: PACKET protocol and the MMC command subset BIOSes, bootloaders and Linux use
// (see atapi_cdrom.h). Command formats: SPC-3 (INQUIRY, REQUEST SENSE, TEST UNIT READY, MODE
// SENSE), MMC-3 (READ TOC, READ CAPACITY, READ(10/12), GET CONFIGURATION, READ DISC INFORMATION,
// START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL).
#include "devices/atapi_cdrom.h"

#include <algorithm>
#include <cstring>

namespace pcjit::devices {

namespace {
constexpr u8 kReasonCoD = 0x01, kReasonIO = 0x02;  // interrupt reason, in the sector count register
constexpr unsigned kBlock = 2048;

u32 be16(const u8* p) { return u32{p[0]} << 8 | p[1]; }
u32 be32(const u8* p) { return u32{p[0]} << 24 | u32{p[1]} << 16 | u32{p[2]} << 8 | p[3]; }
void put_be16(u8* p, u32 v) {
  p[0] = static_cast<u8>(v >> 8);
  p[1] = static_cast<u8>(v);
}
void put_be32(u8* p, u32 v) {
  put_be16(p, v >> 16);
  put_be16(p + 2, v);
}
void put_ascii(u8* p, std::size_t n, const char* s) {
  std::size_t len = std::strlen(s);
  for (std::size_t i = 0; i < n; ++i) p[i] = i < len ? static_cast<u8>(s[i]) : u8{' '};
}
// A TOC address: LBA, or MSF with the 2-second (150-frame) lead-in offset (MMC-3 Table 236).
void put_address(u8* p, u32 lba, bool msf) {
  if (!msf) return put_be32(p, lba);
  u32 f = lba + 150;
  p[0] = 0;
  p[1] = static_cast<u8>(f / (75 * 60));
  p[2] = static_cast<u8>(f / 75 % 60);
  p[3] = static_cast<u8>(f % 75);
}
std::vector<u8> truncated(std::vector<u8> v, std::size_t alloc) {
  if (v.size() > alloc) v.resize(alloc);
  return v;
}
// Commands that answer NOT READY / MEDIUM NOT PRESENT without a disc.
bool needs_medium(u8 op) {
  switch (op) {
    case 0x00: case 0x25: case 0x28: case 0xA8: case 0x43: case 0x51: case 0x2B: return true;
    default: return false;
  }
}
}  // namespace

AtapiCdrom::AtapiCdrom(std::unique_ptr<DiskImage> image) : image_(std::move(image)) {
  set_signature();
  st_.regs.status = 0;
}

void AtapiCdrom::set_signature() {
  // ATA/ATAPI-6 9.12: a PACKET device shows count 01h, LBA low 01h, cylinder EB14h.
  st_.regs.count = 1;
  st_.regs.lba_low = 1;
  st_.regs.lba_mid = 0x14;
  st_.regs.lba_high = 0xEB;
}

std::array<u16, 256> AtapiCdrom::identify_data() const {
  std::array<u16, 256> w{};
  // Word 0: ATAPI (10b), CD-ROM device type 05h, removable, DRQ within 50 us, 12-byte packets.
  w[0] = 0x8000 | 0x0500 | 0x0080 | 0x0040;
  ata_put_string(std::span(w).subspan(10, 10), "PCJITCD0000000000001");
  ata_put_string(std::span(w).subspan(23, 4), "1.0");
  ata_put_string(std::span(w).subspan(27, 20), "PCJIT DVD-ROM");
  w[49] = 0x0300;  // LBA, DMA
  w[53] = 0x0006;  // words 64-70 and 88 valid
  w[63] = 0x0007;  // MWDMA 0-2
  w[64] = 0x0003;  // PIO 3-4
  w[65] = w[66] = w[67] = w[68] = 120;
  w[71] = 30;
  w[72] = 30;
  w[80] = 0x001E;  // ATA/ATAPI-1..4
  w[88] = 0x003F;  // UDMA 0-5 supported
  w[93] = reset_result_word();
  return w;
}

void AtapiCdrom::execute(u8 command) {
  cd_.awaiting_packet = false;
  cd_.read_left = 0;
  switch (command) {
    case 0xA0: {  // PACKET: fetch the 12-byte command (no interrupt, DRQ within 50 us)
      cd_.dma = st_.regs.feature & 1;
      cd_.byte_limit = st_.regs.lba_high << 8 | st_.regs.lba_mid;
      begin_pio(Pio::Out, 12);
      st_.regs.count = kReasonCoD;
      cd_.awaiting_packet = true;
      return;
    }
    case 0xA1: {  // IDENTIFY PACKET DEVICE
      auto words = identify_data();
      auto buf = begin_pio(Pio::In, 512);
      for (std::size_t i = 0; i < 256; ++i) {
        buf[2 * i] = static_cast<u8>(words[i]);
        buf[2 * i + 1] = static_cast<u8>(words[i] >> 8);
      }
      cd_.reply.clear();
      cd_.reply_pos = 0;
      return irq();
    }
    case 0xEC:  // IDENTIFY DEVICE aborts with the signature so the host knows to use A1h (9.12)
      set_signature();
      return abort_command();
    case 0x08:  // DEVICE RESET: no interrupt
      diagnostic_result();
      st_.regs.status = 0;
      return;
    case 0xEF: case 0xE0: case 0xE1: case 0xE2: case 0xE3: case 0xE6:
      return complete();
    case 0xE5:  // CHECK POWER MODE
      complete(false);
      st_.regs.count = 0xFF;
      return irq();
    default: return abort_command();
  }
}

void AtapiCdrom::pio_done() {
  if (cd_.awaiting_packet) {
    cd_.awaiting_packet = false;
    std::array<u8, 12> cdb{};
    std::copy_n(st_.buffer.begin(), 12, cdb.begin());
    return run_packet(cdb);
  }
  if (cd_.reply_pos < cd_.reply.size() || cd_.read_left > 0) return send_next_chunk();
  if (!cd_.reply.empty()) finish_packet();  // IDENTIFY PACKET leaves cd_.reply empty: just idle
  else complete(false);
}

void AtapiCdrom::run_packet(std::span<const u8, 12> cdb) {
  Reply r = dispatch(cdb);
  if (!r.ok) return check_condition();
  cd_.reply = std::move(r.data);
  cd_.reply_pos = 0;
  if (cd_.reply.empty() && cd_.read_left == 0) return finish_packet();
  if (cd_.dma) return wait_dma();
  send_next_chunk();
}

bool AtapiCdrom::refill() {
  // Appends the next slice of a READ to what the host has not taken yet.
  constexpr u64 kSliceBlocks = 32;  // 64 KiB at a time
  u64 n = std::min(cd_.read_left, kSliceBlocks);
  cd_.reply.erase(cd_.reply.begin(), cd_.reply.begin() + static_cast<std::ptrdiff_t>(cd_.reply_pos));
  cd_.reply_pos = 0;
  std::size_t old = cd_.reply.size();
  cd_.reply.resize(old + n * kBlock);
  if (!image_ || !image_->read_sectors(cd_.read_lba, n, std::span(cd_.reply).subspan(old))) {
    cd_.read_left = 0;
    fail(scsi::kIllegalRequest, scsi::kAscLbaOutOfRange);
    return false;
  }
  cd_.read_lba += n;
  cd_.read_left -= n;
  return true;
}

void AtapiCdrom::send_next_chunk() {
  // Byte count limit (9.10): the host's cylinder registers; FFFFh and odd limits round down to
  // even, 0 is treated as the largest even value.
  std::size_t limit = cd_.byte_limit == 0 ? 0xFFFE : cd_.byte_limit;
  while (cd_.read_left > 0 && cd_.reply.size() - cd_.reply_pos <= limit)
    if (!refill()) return check_condition();
  std::size_t left = cd_.reply.size() - cd_.reply_pos;
  if (left > limit) limit &= ~std::size_t{1};
  std::size_t n = std::min(left, limit);
  auto buf = begin_pio(Pio::In, n);
  std::copy_n(cd_.reply.begin() + static_cast<std::ptrdiff_t>(cd_.reply_pos), n, buf.begin());
  cd_.reply_pos += n;
  st_.regs.count = kReasonIO;
  st_.regs.lba_mid = static_cast<u8>(n);
  st_.regs.lba_high = static_cast<u8>(n >> 8);
  irq();
}

void AtapiCdrom::finish_packet() {
  cd_.read_left = 0;
  cd_.reply.clear();
  cd_.reply_pos = 0;
  complete(false);
  st_.regs.count = kReasonIO | kReasonCoD;
  irq();
}

void AtapiCdrom::check_condition() {
  cd_.read_left = 0;
  cd_.reply.clear();
  cd_.reply_pos = 0;
  st_.pio = Pio::None;
  st_.dma_pending = false;
  st_.regs.error = static_cast<u8>(cd_.sense.key << 4 | ata::kAbrt);
  st_.regs.status = ata::kDrdy | ata::kErr;
  st_.regs.count = kReasonIO | kReasonCoD;
  irq();
}

void AtapiCdrom::run_dma() {
  bool ok = true;
  for (;;) {
    std::span<const u8> data(cd_.reply.data() + cd_.reply_pos, cd_.reply.size() - cd_.reply_pos);
    if (!data.empty() && !(ok = bus_->dma_to_memory(data))) break;
    cd_.reply_pos = cd_.reply.size();
    if (cd_.read_left == 0) break;
    if (!refill()) {
      bus_->dma_finished(true);
      return check_condition();
    }
  }
  cd_.read_left = 0;
  bus_->dma_finished(!ok);
  finish_packet();
}

AtapiCdrom::Reply AtapiCdrom::fail(u8 key, u8 asc) {
  cd_.sense = {key, asc, 0};
  return {{}, false};
}

AtapiCdrom::Reply AtapiCdrom::read_blocks(u64 lba, u64 count) {
  if (lba > image_->sector_count() || count > image_->sector_count() - lba)
    return fail(scsi::kIllegalRequest, scsi::kAscLbaOutOfRange);
  cd_.read_lba = lba;  // the data is loaded slice by slice as the host takes it
  cd_.read_left = count;
  return {};
}

AtapiCdrom::Reply AtapiCdrom::read_toc(std::span<const u8, 12> cdb) {
  bool msf = cdb[1] & 0x02;
  unsigned format = cdb[2] & 0x0F;
  if (format == 0 && (cdb[9] >> 6) != 0) format = cdb[9] >> 6;  // the older SFF-8020 placement
  unsigned start = cdb[6];
  u32 leadout = static_cast<u32>(image_->sector_count());
  std::vector<u8> v(4);
  v[2] = 1;  // first track
  v[3] = 1;  // last track
  auto add_track = [&](u8 number, u32 lba) {
    u8 d[8] = {0, 0x14, number, 0};  // ADR 1 (Q sub-channel: position), control 4 (data track)
    put_address(d + 4, lba, msf);
    v.insert(v.end(), d, d + 8);
  };
  switch (format) {
    case 0:  // formatted TOC: the data track, then the lead-out (AAh)
      if (start > 1 && start != 0xAA) return fail(scsi::kIllegalRequest, scsi::kAscInvalidField);
      if (start <= 1) add_track(1, 0);
      add_track(0xAA, leadout);
      break;
    case 1:  // multi-session information: one session, its first track starts at 0
      add_track(1, 0);
      break;
    default: return fail(scsi::kIllegalRequest, scsi::kAscInvalidField);
  }
  put_be16(v.data(), static_cast<u32>(v.size() - 2));
  return {truncated(std::move(v), be16(&cdb[7])), true};
}

AtapiCdrom::Reply AtapiCdrom::mode_sense(std::span<const u8, 12> cdb) {
  unsigned pc = cdb[2] >> 6, page = cdb[2] & 0x3F;
  if (pc == 3) return fail(scsi::kIllegalRequest, scsi::kAscSavingNotSupported);
  std::vector<u8> v(8);  // mode parameter header (10), no block descriptors
  v[2] = image_ ? 0x01 : 0x70;  // medium type: 120 mm CD-ROM data / door closed, no disc
  bool changeable = pc == 1;    // changeable values: every bit reads 0 (nothing is changeable)
  auto add = [&](std::initializer_list<u8> bytes) {
    std::size_t at = v.size();
    v.insert(v.end(), bytes);
    if (changeable) std::fill(v.begin() + static_cast<std::ptrdiff_t>(at) + 2, v.end(), u8{0});
  };
  bool any = false;
  if (page == 0x01 || page == 0x3F) {  // read error recovery (MMC-3 6.3.5): 5 read retries
    add({0x01, 0x06, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00});
    any = true;
  }
  if (page == 0x2A || page == 0x3F) {  // CD capabilities and mechanical status (MMC-3 6.3.11)
    u8 lock = cd_.locked ? 0x02 : 0x00;
    add({0x2A, 0x14, 0x3B, 0x00, 0x71, 0x60, static_cast<u8>(0x29 | lock), 0x00, 0x02, 0xC2, 0x00, 0x02,
         0x02, 0x00, 0x02, 0xC2, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
    any = true;
  }
  if (!any) return fail(scsi::kIllegalRequest, scsi::kAscInvalidField);
  put_be16(v.data(), static_cast<u32>(v.size() - 2));
  return {truncated(std::move(v), be16(&cdb[7])), true};
}

AtapiCdrom::Reply AtapiCdrom::dispatch(std::span<const u8, 12> cdb) {
  u8 op = cdb[0];
  cd_.read_left = 0;
  if (op != 0x03) cd_.sense = {};
  if (needs_medium(op) && !image_) return fail(scsi::kNotReady, scsi::kAscMediumNotPresent);
  switch (op) {
    case 0x00: return {};  // TEST UNIT READY
    case 0x03: {           // REQUEST SENSE: fixed format (SPC-3 4.5.3); reading it clears it
      std::vector<u8> v(18);
      v[0] = 0x70;
      v[2] = cd_.sense.key;
      v[7] = 10;
      v[12] = cd_.sense.asc;
      v[13] = cd_.sense.ascq;
      cd_.sense = {};
      return {truncated(std::move(v), cdb[4]), true};
    }
    case 0x12: {  // INQUIRY: CD-ROM, removable, ATAPI response format
      std::vector<u8> v(36);
      v[0] = 0x05;
      v[1] = 0x80;
      v[2] = 0x00;
      v[3] = 0x21;
      v[4] = 31;
      put_ascii(&v[8], 8, "PCJIT");
      put_ascii(&v[16], 16, "DVD-ROM");
      put_ascii(&v[32], 4, "1.0");
      return {truncated(std::move(v), cdb[4]), true};
    }
    case 0x25: {  // READ CAPACITY: last LBA and block length
      std::vector<u8> v(8);
      put_be32(&v[0], static_cast<u32>(image_->sector_count() - 1));
      put_be32(&v[4], kBlock);
      return {v, true};
    }
    case 0x28: return read_blocks(be32(&cdb[2]), be16(&cdb[7]));  // READ(10)
    case 0xA8: return read_blocks(be32(&cdb[2]), be32(&cdb[6]));  // READ(12)
    case 0x2B: return {};                                           // SEEK(10)
    case 0x43: return read_toc(cdb);
    case 0x5A: return mode_sense(cdb);
    case 0x1B: return {};  // START STOP UNIT: the tray is not modelled
    case 0x1E:             // PREVENT ALLOW MEDIUM REMOVAL
      cd_.locked = cdb[4] & 1;
      return {};
    case 0x46: {  // GET CONFIGURATION: header + the profile list feature (CD-ROM profile 0008h)
      std::vector<u8> v(16);
      put_be32(&v[0], static_cast<u32>(v.size() - 4));
      put_be16(&v[6], image_ ? 0x0008 : 0x0000);
      v[8 + 2] = 0x03;  // feature 0000h: persistent, current
      v[8 + 3] = 4;
      put_be16(&v[12], 0x0008);
      v[14] = image_ ? 0x01 : 0x00;  // current profile
      return {truncated(std::move(v), be16(&cdb[7])), true};
    }
    case 0x51: {  // READ DISC INFORMATION: a finalized disc with one complete session
      std::vector<u8> v(34);
      put_be16(&v[0], 32);
      v[2] = 0x0E;  // last session complete, disc complete
      v[3] = 1;     // first track
      v[4] = 1;     // sessions
      v[5] = 1;     // first track in last session
      v[6] = 1;     // last track in last session
      return {truncated(std::move(v), be16(&cdb[7])), true};
    }
    default: return fail(scsi::kIllegalRequest, scsi::kAscInvalidOpcode);
  }
}

}  // namespace pcjit::devices
