// IDE controller + ATA disk, driven through the legacy ports like a BIOS or driver would.
// Truth: ATA/ATAPI-6 (T13 1410D) register and protocol definitions (sections cited per test), the
// Intel 82371SB (PIIX3) datasheet for bus-master IDE, and images whose every sector names its LBA.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "core/machine.h"
#include "devices/ata_disk.h"
#include "devices/ide_controller.h"

using namespace pcjit;
using namespace pcjit::devices;

namespace {
struct IrqLog final : core::IrqSink {
  std::array<int, 16> rises{};
  std::array<bool, 16> level{};
  void set_irq(unsigned irq, bool l) override {
    if (l && !level[irq]) ++rises[irq];
    level[irq] = l;
  }
};

// Sector n holds its LBA in bytes 0-7 and (n*7 + i) elsewhere.
u8 sector_byte(u64 lba, unsigned i) { return i < 8 ? static_cast<u8>(lba >> (8 * i)) : static_cast<u8>(lba * 7 + i); }
std::vector<u8> numbered_disk(u64 sectors) {
  std::vector<u8> v(sectors * 512);
  for (u64 s = 0; s < sectors; ++s)
    for (unsigned i = 0; i < 512; ++i) v[s * 512 + i] = sector_byte(s, i);
  return v;
}

struct Rig {
  core::Machine m{core::MachineConfig{}};
  IrqLog irq;
  IdeController ide{m, irq};
  AtaDisk* disk;
  explicit Rig(u64 sectors = 4096) {
    auto d = std::make_unique<AtaDisk>(DiskImage::from_bytes(numbered_disk(sectors), DiskMedia::HardDisk, "hd"));
    disk = d.get();
    ide.attach_drive(0, 0, std::move(d));
  }
  u8 in(u16 port) { return static_cast<u8>(m.io().in(port, 1)); }
  void out(u16 port, u8 v) { m.io().out(port, 1, v); }
  u8 status() { return in(0x1F7); }
  std::vector<u8> read_block(unsigned bytes = 512) {
    std::vector<u8> v;
    for (unsigned i = 0; i < bytes; i += 2) {
      u32 w = m.io().in(0x1F0, 2);
      v.push_back(static_cast<u8>(w));
      v.push_back(static_cast<u8>(w >> 8));
    }
    return v;
  }
  void lba28(u32 lba, u8 count, u8 cmd) {
    out(0x1F6, static_cast<u8>(0xE0 | (lba >> 24)));
    out(0x1F2, count);
    out(0x1F3, static_cast<u8>(lba));
    out(0x1F4, static_cast<u8>(lba >> 8));
    out(0x1F5, static_cast<u8>(lba >> 16));
    out(0x1F7, cmd);
  }
};

bool is_sector(const std::vector<u8>& v, std::size_t off, u64 lba) {
  for (unsigned i = 0; i < 512; ++i)
    if (v[off + i] != sector_byte(lba, i)) return false;
  return true;
}
}  // namespace

TEST_CASE("IDENTIFY DEVICE reports geometry, capacity, strings and transfer modes (ATA/ATAPI-6 8.15)") {
  Rig r(20000);
  r.out(0x1F6, 0xA0);
  r.out(0x1F7, 0xEC);
  CHECK(r.irq.rises[14] == 1);
  CHECK((r.status() & (ata::kDrq | ata::kBsy | ata::kErr)) == ata::kDrq);
  auto b = r.read_block();
  auto w = [&](unsigned i) { return u32{b[2 * i]} | u32{b[2 * i + 1]} << 8; };
  CHECK(w(0) == 0x0040);
  CHECK(w(1) == 20000 / (16 * 63));  // default cylinders, 16 heads, 63 sectors
  CHECK(w(3) == 16);
  CHECK(w(6) == 63);
  CHECK(w(27) == ('P' << 8 | 'C'));  // strings: first character in the high byte (7.16)
  CHECK(w(28) == ('J' << 8 | 'I'));
  CHECK((w(49) & 0x0300) == 0x0300);  // LBA and DMA supported
  CHECK((w(60) | w(61) << 16) == 20000);
  CHECK((w(83) & 0x0400) != 0);  // 48-bit address feature set
  CHECK((w(100) | w(101) << 16) == 20000);
  CHECK((w(88) & 0x3F) == 0x3F);
  CHECK((w(47) & 0xFF) == AtaDisk::kMaxMultiple);
  // Word 93 (7.16.7.50): device 0, jumper-selected, passed, answering for an absent device 1.
  CHECK((w(93) & 0xDF61) == 0x4041);
  CHECK((r.status() & ata::kDrq) == 0);  // all 256 words read
}

TEST_CASE("READ SECTORS in LBA28 returns one interrupt per sector and the right data") {
  Rig r;
  r.lba28(0x123, 3, 0x20);
  std::vector<u8> all;
  for (int k = 0; k < 3; ++k) {
    CHECK(r.irq.rises[14] == k + 1);
    CHECK((r.status() & ata::kDrq) != 0);
    auto blk = r.read_block();
    all.insert(all.end(), blk.begin(), blk.end());
  }
  CHECK(is_sector(all, 0, 0x123));
  CHECK(is_sector(all, 512, 0x124));
  CHECK(is_sector(all, 1024, 0x125));
  CHECK((r.status() & (ata::kDrq | ata::kErr)) == 0);
  CHECK((r.status() & ata::kDrdy) != 0);
  CHECK(r.irq.rises[14] == 3);  // no interrupt after the last block of a PIO read
  CHECK(r.in(0x1F3) == 0x25);   // the task file holds the last sector transferred
}

TEST_CASE("the data port also moves 32 bits at a time (two words per access)") {
  Rig r;
  r.lba28(0x42, 1, 0x20);
  std::vector<u8> v;
  for (int i = 0; i < 128; ++i) {
    u32 d = r.m.io().in(0x1F0, 4);
    for (int k = 0; k < 4; ++k) v.push_back(static_cast<u8>(d >> (8 * k)));
  }
  CHECK(is_sector(v, 0, 0x42));
  CHECK((r.status() & ata::kDrq) == 0);
}

TEST_CASE("CHS addressing follows INITIALIZE DEVICE PARAMETERS (ATA/ATAPI-6 6.2.1)") {
  Rig r;
  r.out(0x1F6, 0xA0 | 3);  // 4 heads
  r.out(0x1F2, 17);        // 17 sectors per track
  r.out(0x1F7, 0x91);
  CHECK((r.status() & ata::kErr) == 0);
  // C=1 H=2 S=5 -> LBA (1*4 + 2)*17 + 4 = 106
  r.out(0x1F6, 0xA0 | 2);
  r.out(0x1F2, 1);
  r.out(0x1F3, 5);
  r.out(0x1F4, 1);
  r.out(0x1F5, 0);
  r.out(0x1F7, 0x20);
  CHECK(is_sector(r.read_block(), 0, 106));
  // Sector numbers start at 1: sector 0 is an ID-not-found error.
  r.out(0x1F3, 0);
  r.out(0x1F7, 0x20);
  CHECK((r.status() & ata::kErr) != 0);
  CHECK((r.in(0x1F1) & ata::kIdnf) != 0);
}

TEST_CASE("READ SECTORS EXT takes the high bytes written first (48-bit register FIFO, 6.16)") {
  Rig r;
  r.out(0x1F6, 0x40);
  r.out(0x1F2, 0);  // count high
  r.out(0x1F2, 2);  // count low
  r.out(0x1F3, 0);  // LBA 31:24
  r.out(0x1F3, 0x10);
  r.out(0x1F4, 0);
  r.out(0x1F4, 0x04);
  r.out(0x1F5, 0);
  r.out(0x1F5, 0x00);
  r.out(0x1F7, 0x24);  // LBA 0x410
  auto a = r.read_block();
  auto b = r.read_block();
  CHECK(is_sector(a, 0, 0x410));
  CHECK(is_sector(b, 0, 0x411));
  // HOB set in device control reads the previous (high-order) bytes.
  r.out(0x3F6, 0x80);
  CHECK(r.in(0x1F3) == 0);
  r.out(0x3F6, 0x00);
  // A non-zero LBA 31:24 puts the request past the end: IDNF + ABRT.
  r.out(0x1F3, 1);
  r.out(0x1F3, 0);
  r.out(0x1F7, 0x24);
  CHECK((r.status() & ata::kErr) != 0);
  CHECK(r.in(0x1F1) == (ata::kIdnf | ata::kAbrt));
}

TEST_CASE("WRITE SECTORS asks for each block and interrupts after each written block") {
  Rig r;
  r.lba28(50, 2, 0x30);
  CHECK(r.irq.rises[14] == 0);  // the first DRQ block comes without an interrupt (9.8)
  for (int blk = 0; blk < 2; ++blk) {
    CHECK((r.status() & ata::kDrq) != 0);
    for (unsigned i = 0; i < 256; ++i) r.m.io().out(0x1F0, 2, 0xBEEF + blk);
    CHECK(r.irq.rises[14] == blk + 1);
  }
  CHECK((r.status() & ata::kDrq) == 0);
  std::vector<u8> back(1024);
  REQUIRE(r.disk->image().read_sectors(50, 2, back));
  CHECK(back[0] == 0xEF);
  CHECK(back[1] == 0xBE);
  CHECK(back[512] == 0xF0);
  CHECK(r.disk->image().overlay_sectors() == 2);
}

TEST_CASE("READ MULTIPLE moves SET MULTIPLE MODE sectors per interrupt") {
  Rig r;
  r.lba28(0, 4, 0xC4);  // multiple mode not enabled yet: aborted
  CHECK((r.status() & ata::kErr) != 0);
  r.out(0x1F2, 3);  // not a power of two
  r.out(0x1F7, 0xC6);
  CHECK((r.status() & ata::kErr) != 0);
  r.out(0x1F2, 4);
  r.out(0x1F7, 0xC6);
  CHECK((r.status() & ata::kErr) == 0);
  int before = r.irq.rises[14];
  r.lba28(8, 6, 0xC4);
  auto a = r.read_block(2048);
  CHECK(r.irq.rises[14] == before + 2);  // second (partial, 2-sector) block announced
  auto b = r.read_block(1024);
  CHECK(is_sector(a, 0, 8));
  CHECK(is_sector(a, 1536, 11));
  CHECK(is_sector(b, 512, 13));
  CHECK((r.status() & ata::kDrq) == 0);
}

TEST_CASE("READ DMA and WRITE DMA move data through the PRD table (82371SB 2.7)") {
  Rig r;
  r.ide.config_write(0x20, 4, 0xC001);  // BAR4 = 0xC000 (I/O)
  r.ide.config_write(0x04, 2, 0x0005);  // I/O decode + bus master
  REQUIRE(r.ide.bus_master_base() == 0xC000);
  // Two PRD entries: 512 bytes at 0x20000, then 1024 bytes at 0x30000 (end of table).
  const u8 prd[16] = {0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x00, 0x00,
                      0x00, 0x00, 0x03, 0x00, 0x00, 0x04, 0x00, 0x80};
  r.m.memory().write_bytes(0x8000, prd);
  r.m.io().out(0xC004, 4, 0x8000);
  r.lba28(0x200, 3, 0xC8);
  CHECK(r.irq.rises[14] == 0);              // waiting for the bus master
  r.m.io().out(0xC000, 1, 0x09);            // start, to memory
  CHECK(r.irq.rises[14] == 1);
  u8 bm = static_cast<u8>(r.m.io().in(0xC002, 1));
  CHECK((bm & bmide::kStInterrupt) != 0);
  CHECK((bm & (bmide::kStActive | bmide::kStError)) == 0);
  std::vector<u8> got(1536);
  r.m.memory().read_bytes(0x20000, std::span(got).first(512));
  r.m.memory().read_bytes(0x30000, std::span(got).subspan(512));
  CHECK(is_sector(got, 0, 0x200));
  CHECK(is_sector(got, 512, 0x201));
  CHECK(is_sector(got, 1024, 0x202));
  CHECK((r.status() & (ata::kDrq | ata::kErr)) == 0);
  r.m.io().out(0xC000, 1, 0x00);
  r.m.io().out(0xC002, 1, bmide::kStInterrupt);  // write 1 to clear
  CHECK((r.m.io().in(0xC002, 1) & bmide::kStInterrupt) == 0);
  // WRITE DMA of one sector from 0x20000 (which now holds sector 0x200) to LBA 7.
  r.m.io().out(0xC000, 1, 0x01);  // start first this time, then the command
  r.lba28(7, 1, 0xCA);
  std::vector<u8> back(512);
  REQUIRE(r.disk->image().read_sectors(7, 1, back));
  CHECK(is_sector(back, 0, 0x200));
}

TEST_CASE("an absent device 1 reads status 00h; SRST restores the ATA signature (9.2, 9.12)") {
  Rig r;
  r.out(0x1F6, 0xB0);
  CHECK(r.status() == 0);
  r.out(0x1F6, 0xA0);
  r.out(0x1F3, 0x77);
  r.out(0x3F6, 0x04);
  CHECK((r.in(0x3F6) & ata::kBsy) != 0);
  r.out(0x3F6, 0x00);
  CHECK(r.in(0x1F2) == 1);
  CHECK(r.in(0x1F3) == 1);
  CHECK(r.in(0x1F4) == 0);
  CHECK(r.in(0x1F5) == 0);
  CHECK(r.in(0x1F1) == 1);  // diagnostic code: passed
  CHECK((r.status() & ata::kDrdy) != 0);
}

TEST_CASE("nIEN masks the interrupt line; reading Status acknowledges it") {
  Rig r;
  r.out(0x3F6, 0x02);
  r.lba28(1, 1, 0x20);
  CHECK(r.irq.rises[14] == 0);
  r.out(0x3F6, 0x00);
  CHECK(r.irq.level[14]);  // still pending: shows once unmasked
  r.status();
  CHECK_FALSE(r.irq.level[14]);
  CHECK(r.in(0x1F7 - 0x1F0 + 0x170) == 0);  // empty secondary channel
}

TEST_CASE("a long READ DMA crosses PRD entries of 64 KiB (byte count 0) and reaches every sector") {
  Rig r;
  r.ide.config_write(0x20, 4, 0xC001);
  r.ide.config_write(0x04, 2, 0x0005);
  // 300 sectors = 153600 bytes: 64 KiB at 1 MiB, 64 KiB at 2 MiB, 22528 bytes at 3 MiB.
  const u8 prd[24] = {0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x30, 0x00, 0x00, 0x58, 0x00, 0x80};
  r.m.memory().write_bytes(0x8000, prd);
  r.m.io().out(0xC004, 4, 0x8000);
  r.m.io().out(0xC000, 1, 0x09);
  r.out(0x1F6, 0x40);  // READ DMA EXT, LBA 100, 300 sectors
  r.out(0x1F2, 0x01);
  r.out(0x1F2, 0x2C);
  r.out(0x1F3, 0);
  r.out(0x1F3, 100);
  r.out(0x1F4, 0);
  r.out(0x1F4, 0);
  r.out(0x1F5, 0);
  r.out(0x1F5, 0);
  r.out(0x1F7, 0x25);
  CHECK((r.status() & (ata::kErr | ata::kDrq)) == 0);
  std::vector<u8> got(300 * 512);
  r.m.memory().read_bytes(0x100000, std::span(got).first(65536));
  r.m.memory().read_bytes(0x200000, std::span(got).subspan(65536, 65536));
  r.m.memory().read_bytes(0x300000, std::span(got).subspan(131072));
  bool all = true;
  for (unsigned s = 0; s < 300; ++s) all = all && is_sector(got, s * 512, 100 + s);
  CHECK(all);
  CHECK((r.m.io().in(0xC002, 1) & (bmide::kStActive | bmide::kStError)) == 0);
}
