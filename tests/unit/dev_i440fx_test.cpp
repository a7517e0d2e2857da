// i440FX host bridge PAM registers against the 82441FX datasheet 3.2.19: per segment, bit 0 (RE)
// sends reads to DRAM and bit 1 (WE) sends writes to DRAM; otherwise the access goes to PCI,
// where the BIOS ROM answers reads and drops writes. The sequence at the end is how SeaBIOS
// shadows itself (make_bios_writable / make_bios_readonly in its fw/shadow.c).
#include <doctest/doctest.h>

#include <vector>

#include "core/machine.h"
#include "devices/i440fx.h"
#include "devices/pci.h"

using namespace pcjit;

namespace {

struct NoIrqs final : core::IrqSink {
  void set_irq(unsigned, bool) override {}
};

struct Rig {
  core::Machine m{core::MachineConfig{}};
  NoIrqs irqs;
  devices::PciBus bus{m, irqs};
  Rig() {
    std::vector<u8> rom(0x20000, 0xAB);  // BIOS image at 0xE0000-0xFFFFF
    m.memory().map_rom(0xE0000, rom, "bios");
  }
  void pam(u8 reg, u8 v) { bus.config_write(0, 0, reg, 1, v); }
  u8 rd(u64 a) { return static_cast<u8>(m.memory().read(a, 1)); }
  void wr(u64 a, u8 v) { m.memory().write(a, 1, v); }
};

}  // namespace

TEST_CASE("i440FX: after reset every PAM field is 0 (PCI): BIOS reads come from ROM and writes are dropped") {
  Rig r;
  devices::I440fx host(r.m, r.bus);
  for (u8 reg = 0x59; reg <= 0x5F; ++reg) CHECK(r.bus.config_read(0, 0, reg, 1) == 0u);
  CHECK(r.rd(0xF0000) == 0xAB);
  r.wr(0xF0000, 0x11);
  CHECK(r.rd(0xF0000) == 0xAB);
  CHECK(r.bus.config_read(0, 0, 0x72, 1) == 0x02u);  // SMRAM default
}

TEST_CASE("i440FX: PAM0 bits 5:4 walk 0xF0000 through write-only, read-write and read-only RAM (SeaBIOS shadowing)") {
  Rig r;
  devices::I440fx host(r.m, r.bus);
  r.pam(0x59, 0x20);  // WE only: reads still from ROM, writes land in RAM
  r.wr(0xF1234, 0x5A);
  CHECK(r.rd(0xF1234) == 0xAB);
  r.pam(0x59, 0x30);  // RE|WE: RAM both ways
  CHECK(r.rd(0xF1234) == 0x5A);
  r.wr(0xF1235, 0x66);
  CHECK(r.rd(0xF1235) == 0x66);
  r.pam(0x59, 0x10);  // RE only: the shadow is write-protected
  r.wr(0xF1235, 0x77);
  CHECK(r.rd(0xF1235) == 0x66);
  r.pam(0x59, 0x00);  // back to the ROM
  CHECK(r.rd(0xF1235) == 0xAB);
  r.pam(0x59, 0x0F);  // bits 3:0 of PAM0 are reserved (not writable)
  CHECK(r.bus.config_read(0, 0, 0x59, 1) == 0u);
}

TEST_CASE("i440FX: each PAM1-6 nibble controls one 16 KiB segment (PAM5 low nibble = 0xE0000-0xE3FFF)") {
  Rig r;
  devices::I440fx host(r.m, r.bus);
  r.pam(0x5E, 0x03);  // PAM5: 0xE0000 RW RAM, 0xE4000 still PCI
  r.wr(0xE0010, 0x42);
  r.wr(0xE4010, 0x42);
  CHECK(r.rd(0xE0010) == 0x42);
  CHECK(r.rd(0xE4010) == 0xAB);
  r.pam(0x5E, 0x30);
  CHECK(r.rd(0xE0010) == 0xAB);
  CHECK(r.rd(0xE4010) == 0x00);  // RAM under the second segment (never written)
}

TEST_CASE("i440FX: option-ROM area without a ROM reads all ones through PCI and RAM once PAM1 enables it") {
  Rig r;
  devices::I440fx host(r.m, r.bus);
  CHECK(r.rd(0xC0000) == 0xFF);
  r.pam(0x5A, 0x33);
  r.wr(0xC0000, 0x55);
  r.wr(0xC4000, 0x56);
  CHECK(r.rd(0xC0000) == 0x55);
  CHECK(r.rd(0xC4000) == 0x56);
}

TEST_CASE("i440FX: a reset returns the PAM registers to 0 and the map to the ROM") {
  Rig r;
  devices::I440fx host(r.m, r.bus);
  r.pam(0x59, 0x30);
  r.wr(0xF0000, 0x01);
  CHECK(r.rd(0xF0000) == 0x01);
  host.reset();
  CHECK(r.bus.config_read(0, 0, 0x59, 1) == 0u);
  CHECK(r.rd(0xF0000) == 0xAB);
}

TEST_CASE("i440FX: subsystem ID 1af4:1100 (QEMU's, which SeaBIOS's qemu_detect reads) survives a reset") {
  Rig r;
  devices::I440fx host(r.m, r.bus);
  CHECK(r.bus.config_read(0, 0, 0x2C, 4) == 0x11001AF4u);
  host.reset();
  CHECK(r.bus.config_read(0, 0, 0x2C, 4) == 0x11001AF4u);
}
