// 82077AA floppy controller with the real 8237 DMA pair, driven through the ports like a BIOS.
// Truth: Intel 82077AA datasheet (290166): reset polling interrupts and SENSE INTERRUPT STATUS
// (8.2), MSR (8.1.2), command/result formats (Table 8-9), sector-ID advance at EOT and
// multi-track (Table 8-7), VERSION = 90h; Intel 8237A for the DMA programming; a generated
// 1.44 MB image whose every sector names its LBA.
#include <doctest/doctest.h>

#include <array>
#include <random>
#include <vector>

#include "core/machine.h"
#include "devices/ata_disk.h"
#include "devices/atapi_cdrom.h"
#include "devices/dma8237.h"
#include "devices/fdc82077.h"
#include "devices/ide_controller.h"

using namespace pcjit;
using namespace pcjit::devices;

namespace {
struct IrqLog final : core::IrqSink {
  int rises = 0;
  bool level = false;
  void set_irq(unsigned irq, bool l) override {
    if (irq != 6) return;
    if (l && !level) ++rises;
    level = l;
  }
};

std::vector<u8> numbered_floppy() {
  std::vector<u8> v(1474560);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<u8>(i % 512 < 2 ? (i / 512) >> (8 * (i % 512)) : i / 512 + i % 512);
  return v;
}

struct Rig {
  core::Machine m{core::MachineConfig{}};
  IrqLog irq;
  Dma8237 dma{m};
  Fdc82077 fdc{m, irq, &dma};
  Rig() {
    fdc.insert(0, DiskImage::from_bytes(numbered_floppy(), DiskMedia::Floppy, "fd.img"));
    out(0x3F2, 0x00);
    out(0x3F2, 0x1C);  // out of reset, DMA/IRQ enabled, drive 0 motor on
    for (int i = 0; i < 4; ++i) command({0x08});
  }
  u8 in(u16 port) { return static_cast<u8>(m.io().in(port, 1)); }
  void out(u16 port, u8 v) { m.io().out(port, 1, v); }
  std::vector<u8> command(std::initializer_list<u8> bytes) {
    for (u8 b : bytes) {
      REQUIRE((in(0x3F4) & 0xC0) == 0x80);  // RQM, host to controller
      out(0x3F5, b);
    }
    std::vector<u8> res;
    while ((in(0x3F4) & 0xC0) == 0xC0) res.push_back(in(0x3F5));
    return res;
  }
  // 8237 channel 2: single mode, write-to-memory (mode 46h) or read-from-memory (4Ah).
  void program_dma(u32 addr, u16 len, bool to_memory) {
    out(0x0A, 0x06);
    out(0x0C, 0);
    out(0x0B, to_memory ? 0x46 : 0x4A);
    out(0x04, static_cast<u8>(addr));
    out(0x04, static_cast<u8>(addr >> 8));
    out(0x81, static_cast<u8>(addr >> 16));
    out(0x05, static_cast<u8>(len - 1));
    out(0x05, static_cast<u8>((len - 1) >> 8));
    out(0x0A, 0x02);
  }
  u16 lba_at(u32 addr) { return static_cast<u16>(m.memory().read(addr, 2)); }
};
}  // namespace

TEST_CASE("leaving reset interrupts and SENSE INTERRUPT STATUS answers C0h-C3h; VERSION is 90h") {
  core::Machine m{core::MachineConfig{}};
  IrqLog irq;
  Fdc82077 fdc{m, irq, nullptr};
  m.io().out(0x3F2, 1, 0x00);
  CHECK(m.io().in(0x3F4, 1) == 0x00);
  m.io().out(0x3F2, 1, 0x0C);
  CHECK(irq.rises == 1);
  CHECK(m.io().in(0x3F4, 1) == 0x80);
  for (u8 d = 0; d < 4; ++d) {
    m.io().out(0x3F5, 1, 0x08);
    CHECK(m.io().in(0x3F4, 1) == 0xD0);  // RQM | DIO | busy: result phase
    CHECK(m.io().in(0x3F5, 1) == (0xC0u | d));
    CHECK(m.io().in(0x3F5, 1) == 0);
  }
  CHECK_FALSE(irq.level);
  m.io().out(0x3F5, 1, 0x08);  // nothing pending: invalid command status
  CHECK(m.io().in(0x3F5, 1) == 0x80);
  CHECK(m.io().in(0x3F4, 1) == 0x80);
  m.io().out(0x3F5, 1, 0x10);
  CHECK(m.io().in(0x3F5, 1) == 0x90);
}

TEST_CASE("SEEK and RECALIBRATE end with an interrupt and a seek-end ST0; a step clears disk change") {
  Rig r;
  CHECK((r.in(0x3F7) & 0x80) != 0);  // disk change line set since power-on
  int before = r.irq.rises;
  r.command({0x0F, 0x04, 40});  // seek head 1 of drive 0 to cylinder 40
  CHECK(r.irq.rises == before + 1);
  auto s = r.command({0x08});
  REQUIRE(s.size() == 2);
  CHECK(s[0] == (0x20 | 0x04));
  CHECK(s[1] == 40);
  CHECK((r.in(0x3F7) & 0x80) == 0);
  auto st3 = r.command({0x04, 0x00});
  REQUIRE(st3.size() == 1);
  CHECK((st3[0] & 0x10) == 0);  // not on track 0
  r.command({0x07, 0x00});
  CHECK(r.command({0x08}) == std::vector<u8>{0x20, 0});
  CHECK((r.command({0x04, 0x00})[0] & 0x10) != 0);
}

TEST_CASE("READ DATA moves sectors by DMA until terminal count and reports the next sector ID") {
  Rig r;
  r.program_dma(0x10000, 1024, true);
  int before = r.irq.rises;
  // MFM read, drive 0 head 1, C=1 H=1 R=3 N=2 EOT=18: LBA (1*2+1)*18 + 2 = 56 and 57.
  auto res = r.command({0x46, 0x04, 1, 1, 3, 2, 18, 0x1B, 0xFF});
  CHECK(r.irq.rises == before + 1);
  REQUIRE(res.size() == 7);
  CHECK(res[0] == 0x04);  // normal termination, head 1, drive 0
  CHECK(res[1] == 0);
  CHECK(res[3] == 1);
  CHECK(res[4] == 1);
  CHECK(res[5] == 5);  // the sector after the last one transferred
  CHECK(res[6] == 2);
  CHECK(r.lba_at(0x10000) == 56);
  CHECK(r.lba_at(0x10200) == 57);
  CHECK(r.m.memory().read(0x10000 + 100, 1) == static_cast<u8>(56 + 100));
}

TEST_CASE("a multi-track READ DATA continues from side 0 to side 1 of the same cylinder") {
  Rig r;
  r.program_dma(0x20000, 1024, true);
  auto res = r.command({0xC6, 0x00, 2, 0, 18, 2, 18, 0x1B, 0xFF});
  REQUIRE(res.size() == 7);
  CHECK(res[0] == 0x04);  // ends on head 1
  CHECK(res[3] == 2);
  CHECK(res[4] == 1);
  CHECK(res[5] == 2);
  CHECK(r.lba_at(0x20000) == 2 * 36 + 17);
  CHECK(r.lba_at(0x20200) == 2 * 36 + 18);
}

TEST_CASE("a SeaBIOS-style multi-track read whose EOT lies past the track continues on side 1") {
  // SeaBIOS floppy_read: command E6h with EOT = first sector + count - 1 (here 10 + 18 - 1 = 27).
  Rig r;
  r.program_dma(0x50000, 18 * 512, true);
  auto res = r.command({0xE6, 0x00, 0, 0, 10, 2, 27, 0x1B, 0xFF});
  REQUIRE(res.size() == 7);
  CHECK((res[0] & 0xC0) == 0);
  CHECK(res[4] == 1);
  CHECK(res[5] == 10);
  CHECK(r.lba_at(0x50000) == 9);
  CHECK(r.lba_at(0x50000 + 17 * 512) == 26);
}

TEST_CASE("the reset interrupt arrives with DOR = 04h, as SeaBIOS enables the controller") {
  core::Machine m{core::MachineConfig{}};
  IrqLog irq;
  Fdc82077 fdc{m, irq, nullptr};
  m.io().out(0x3F2, 1, 0x04);
  CHECK(irq.rises == 1);
}

TEST_CASE("reaching EOT before terminal count ends abnormally with End of Cylinder") {
  Rig r;
  r.program_dma(0x30000, 4096, true);
  auto res = r.command({0x46, 0x00, 0, 0, 17, 2, 18, 0x1B, 0xFF});
  REQUIRE(res.size() == 7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x80);
  CHECK(res[3] == 1);  // next cylinder, sector 1
  CHECK(res[5] == 1);
  CHECK(r.lba_at(0x30200) == 17);
}

TEST_CASE("WRITE DATA stores DMA memory into the image; reading a missing sector gives No Data") {
  Rig r;
  std::vector<u8> src(512, 0x3C);
  r.m.memory().write_bytes(0x40000, src);
  r.program_dma(0x40000, 512, false);
  auto res = r.command({0x45, 0x00, 5, 0, 7, 2, 18, 0x1B, 0xFF});
  REQUIRE(res.size() == 7);
  CHECK(res[0] == 0x00);
  std::vector<u8> back(512);
  REQUIRE(r.fdc.image(0)->read_sectors(5 * 36 + 6, 1, back));
  CHECK(back[0] == 0x3C);
  CHECK(back[511] == 0x3C);
  r.program_dma(0x40000, 512, true);
  res = r.command({0x46, 0x00, 0, 0, 19, 2, 19, 0x1B, 0xFF});  // sector 19 does not exist
  REQUIRE(res.size() == 7);
  CHECK(res[0] == 0x40);
  CHECK(res[1] == 0x04);
}

TEST_CASE("READ ID, CONFIGURE/LOCK/DUMPREG and an invalid opcode") {
  Rig r;
  auto id = r.command({0x4A, 0x00});
  REQUIRE(id.size() == 7);
  CHECK(id[0] == 0x00);
  CHECK(id[6] == 2);
  r.command({0x03, 0xAF, 0x02});          // SPECIFY
  r.command({0x13, 0x00, 0x57, 0x09});    // CONFIGURE
  CHECK(r.command({0x94}) == std::vector<u8>{0x10});  // LOCK on
  auto dump = r.command({0x0E});
  REQUIRE(dump.size() == 10);
  CHECK(dump[4] == 0xAF);
  CHECK(dump[5] == 0x02);
  CHECK(dump[7] == 0x80);
  CHECK(dump[8] == 0x57);
  CHECK(dump[9] == 0x09);
  r.out(0x3F4, 0x80);  // DSR software reset: locked parameters survive
  for (int i = 0; i < 4; ++i) r.command({0x08});
  CHECK(r.command({0x0E})[8] == 0x57);
  CHECK(r.command({0x1F}) == std::vector<u8>{0x80});
}

TEST_CASE("random port I/O on IDE (disk + CD, bus master) and FDC (with DMA) never crashes") {
  // No datasheet oracle here: the property is robustness. Deterministic seed; small images keep
  // every request bounded.
  core::Machine m{core::MachineConfig{}};
  IrqLog irq;
  Dma8237 dma{m};
  Fdc82077 fdc{m, irq, &dma};
  fdc.insert(0, DiskImage::from_bytes(std::vector<u8>(1474560, 0xE5), DiskMedia::Floppy, "fd"));
  IdeController ide{m, irq};
  ide.attach_drive(0, 0, std::make_unique<AtaDisk>(DiskImage::from_bytes(std::vector<u8>(64 * 512, 1), DiskMedia::HardDisk, "hd")));
  ide.attach_drive(1, 0, std::make_unique<AtapiCdrom>(DiskImage::from_bytes(std::vector<u8>(16 * 2048, 2), DiskMedia::Cdrom, "cd")));
  ide.config_write(0x20, 4, 0xC001);
  ide.config_write(0x04, 2, 0x0005);
  const u16 ports[] = {0x1F0, 0x1F1, 0x1F2, 0x1F3, 0x1F4, 0x1F5, 0x1F6, 0x1F7, 0x3F6, 0x170, 0x171, 0x172,
                       0x173, 0x174, 0x175, 0x176, 0x177, 0x376, 0xC000, 0xC002, 0xC004, 0xC008, 0xC00A,
                       0xC00C, 0x3F0, 0x3F1, 0x3F2, 0x3F3, 0x3F4, 0x3F5, 0x3F7, 0x04, 0x05, 0x0A, 0x0B,
                       0x0C, 0x81};
  std::mt19937 rng(12345);
  for (int i = 0; i < 300000; ++i) {
    u16 port = ports[rng() % std::size(ports)];
    unsigned size = (rng() % 8 == 0) ? 2 : 1;
    if (port == 0x1F0 || port == 0x170) size = (rng() % 2) ? 2 : 4;
    if (rng() % 2) m.io().out(port, size, rng());
    else (void)m.io().in(port, size);
  }
  CHECK(true);
}
