// PCI configuration mechanism #1 and type-0 header semantics, against the PCI Local Bus
// Specification 2.1: 3.2.2.3.2 (CONFIG_ADDRESS/CONFIG_DATA), 6.1 (absent functions read all
// ones), 6.2.2-6.2.3 (command/status), 6.2.5 (BAR and expansion ROM sizing), 6.2.4 (interrupt
// line/pin); INTx routing through the PIIX3 PIRQRC registers (82371SB datasheet 2.2.14).
#include <doctest/doctest.h>

#include <array>
#include <memory>

#include "core/machine.h"
#include "devices/i440fx.h"
#include "devices/pci.h"
#include "devices/piix3.h"

using namespace pcjit;

namespace {

struct FakeIrqs final : core::IrqSink {
  std::array<bool, 16> level{};
  int changes = 0;
  void set_irq(unsigned irq, bool l) override {
    level[irq] = l;
    ++changes;
  }
};

struct TestFunction final : devices::PciFunction {
  TestFunction() : PciFunction(0x1234, 0x5678, 0x01, 0x020000) {
    define_bar(0, 0x1000, false);
    define_bar(1, 0x20, true);
    define_rom(0x10000);
    set_interrupt_pin(1);
  }
  int changed = 0;
  void bars_changed() override { ++changed; }
};

struct Rig {
  core::Machine m{core::MachineConfig{}};
  FakeIrqs irqs;
  devices::PciBus bus{m, irqs};
  u32 cfg_read(unsigned dev, unsigned fn, u8 reg, unsigned size = 4) {
    m.io().out(0xCF8, 4, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xFC));
    return m.io().in(static_cast<u16>(0xCFC + (reg & 3)), size);
  }
  void cfg_write(unsigned dev, unsigned fn, u8 reg, u32 v, unsigned size = 4) {
    m.io().out(0xCF8, 4, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xFC));
    m.io().out(static_cast<u16>(0xCFC + (reg & 3)), size, v);
  }
};

}  // namespace

TEST_CASE("PCI: an absent function reads all ones at every access size (master abort)") {
  Rig r;
  CHECK(r.cfg_read(5, 0, 0x00) == 0xFFFFFFFFu);
  CHECK(r.cfg_read(5, 0, 0x02, 2) == 0xFFFFu);
  CHECK(r.cfg_read(5, 0, 0x03, 1) == 0xFFu);
}

TEST_CASE("PCI: CONFIG_ADDRESS is dword-only, keeps the enable bit and reads back with bits 1:0 clear") {
  Rig r;
  r.m.io().out(0xCF8, 4, 0x80001237u);
  CHECK(r.m.io().in(0xCF8, 4) == 0x80001234u);
  r.m.io().out(0xCF8, 1, 0x00);  // a byte write does not reach CONFIG_ADDRESS
  CHECK(r.m.io().in(0xCF8, 4) == 0x80001234u);
}

TEST_CASE("PCI: the host bridge answers at 00:00.0 with 8086:1237 rev 02 class 0600; disabled cycles read all ones") {
  Rig r;
  devices::I440fx host(r.m, r.bus);
  CHECK(r.cfg_read(0, 0, 0x00) == 0x12378086u);
  CHECK(r.cfg_read(0, 0, 0x02, 2) == 0x1237u);
  CHECK(r.cfg_read(0, 0, 0x03, 1) == 0x12u);
  CHECK(r.cfg_read(0, 0, 0x08) == 0x06000002u);
  r.m.io().out(0xCF8, 4, 0x00000000u);  // enable bit clear: no configuration cycle
  CHECK(r.m.io().in(0xCFC, 4) == 0xFFFFFFFFu);
  r.m.io().out(0xCF8, 4, 0x80010000u);  // bus 1 does not exist
  CHECK(r.m.io().in(0xCFC, 4) == 0xFFFFFFFFu);
}

TEST_CASE("PCI: IDs and class are read-only; cache line size and interrupt line are writable, pin is not") {
  Rig r;
  TestFunction f;
  r.bus.attach(3, 0, f);
  r.cfg_write(3, 0, 0x00, 0xFFFFFFFFu);
  CHECK(r.cfg_read(3, 0, 0x00) == 0x56781234u);
  r.cfg_write(3, 0, 0x0C, 0x10, 1);
  CHECK(r.cfg_read(3, 0, 0x0C, 1) == 0x10u);
  r.cfg_write(3, 0, 0x3C, 0xFFFF, 2);
  CHECK(r.cfg_read(3, 0, 0x3C, 1) == 0xFFu);
  CHECK(r.cfg_read(3, 0, 0x3D, 1) == 0x01u);
}

TEST_CASE("PCI: BAR sizing — all ones reads back ~(size-1) with the memory/IO type bits (spec 6.2.5.1)") {
  Rig r;
  TestFunction f;
  r.bus.attach(3, 0, f);
  CHECK(r.cfg_read(3, 0, 0x10) == 0x0u);
  CHECK(r.cfg_read(3, 0, 0x14) == 0x1u);  // IO space indicator
  r.cfg_write(3, 0, 0x10, 0xFFFFFFFFu);
  CHECK(r.cfg_read(3, 0, 0x10) == 0xFFFFF000u);
  r.cfg_write(3, 0, 0x14, 0xFFFFFFFFu);
  CHECK(r.cfg_read(3, 0, 0x14) == 0xFFFFFFE1u);
  r.cfg_write(3, 0, 0x18, 0xFFFFFFFFu);  // unimplemented BAR stays zero
  CHECK(r.cfg_read(3, 0, 0x18) == 0x0u);
  r.cfg_write(3, 0, 0x30, 0xFFFFF800u);  // expansion ROM: address bits only (spec 6.2.5.2)
  CHECK(r.cfg_read(3, 0, 0x30) == 0xFFFF0000u);
}

TEST_CASE("PCI: a BAR is decoded only with its command enable bit; bars_changed tells the function") {
  Rig r;
  TestFunction f;
  r.bus.attach(3, 0, f);
  r.cfg_write(3, 0, 0x10, 0xFEB00000u);
  r.cfg_write(3, 0, 0x14, 0xC041u);
  CHECK(f.changed == 2);
  CHECK(f.bar_address(0) == devices::pci::kBarUnmapped);
  CHECK(f.bar_address(1) == devices::pci::kBarUnmapped);
  r.cfg_write(3, 0, 0x04, devices::pci::kCmdIo, 2);
  CHECK(f.changed == 3);
  CHECK(f.bar_address(1) == 0xC040u);
  CHECK(f.bar_address(0) == devices::pci::kBarUnmapped);
  r.cfg_write(3, 0, 0x04, devices::pci::kCmdIo | devices::pci::kCmdMemory, 2);
  CHECK(f.bar_address(0) == 0xFEB00000u);
  CHECK(f.rom_address() == devices::pci::kBarUnmapped);  // ROM enable bit 0 still clear
  r.cfg_write(3, 0, 0x30, 0xFEC00001u);
  CHECK(f.rom_address() == 0xFEC00000u);
  r.cfg_write(3, 0, 0x04, 0x0, 2);
  CHECK(f.rom_address() == devices::pci::kBarUnmapped);
  r.cfg_write(3, 0, 0x04, 0x0, 2);  // no change of the enables: no callback
  CHECK(f.changed == 6);
}

TEST_CASE("PCI: command keeps only implemented bits; status error bits are write-one-to-clear") {
  Rig r;
  TestFunction f;
  r.bus.attach(3, 0, f);
  r.cfg_write(3, 0, 0x04, 0xFFFF, 2);
  CHECK(r.cfg_read(3, 0, 0x04, 2) == 0x0547u);
  f.set_config16(devices::pci::kStatus, 0x2000 | 0x0200);  // received master abort + DEVSEL timing
  r.cfg_write(3, 0, 0x06, 0x2000, 2);
  CHECK(r.cfg_read(3, 0, 0x06, 2) == 0x0200u);
}

TEST_CASE("PCI: byte and word data accesses at 0xCFD-0xCFF reach the matching config offsets") {
  Rig r;
  TestFunction f;
  r.bus.attach(3, 0, f);
  CHECK(r.cfg_read(3, 0, 0x01, 1) == 0x12u);
  CHECK(r.cfg_read(3, 0, 0x02, 2) == 0x5678u);
  r.cfg_write(3, 0, 0x3C, 0x0A, 1);
  CHECK(r.cfg_read(3, 0, 0x3C) == 0x0000010Au);
}

TEST_CASE("PCI INTx: pin swizzle (pin-1+dev)&3 picks the PIRQ, PIIX3 PIRQRC picks the ISA IRQ (level)") {
  Rig r;
  devices::Piix3 isa(r.m, r.bus);
  TestFunction f;  // INTA# on device 3 -> PIRQD (register 0x63)
  r.bus.attach(3, 0, f);
  CHECK(devices::PciBus::pirq_of(3, 1) == 3);
  CHECK(r.cfg_read(1, 0, 0x60) == 0x80808080u);  // routing disabled after reset
  f.set_intx(true);
  CHECK(r.irqs.changes == 0);
  CHECK((r.cfg_read(3, 0, 0x06, 2) & devices::pci::kStatusInterrupt) != 0);
  r.cfg_write(1, 0, 0x63, 11, 1);  // PIRQD -> IRQ 11: the asserted line shows at once
  CHECK(r.irqs.level[11]);
  r.cfg_write(1, 0, 0x63, 10, 1);  // re-routing moves the level
  CHECK_FALSE(r.irqs.level[11]);
  CHECK(r.irqs.level[10]);
  r.cfg_write(3, 0, 0x04, devices::pci::kCmdIntxDisable, 2);  // interrupt disable masks INTx#
  CHECK_FALSE(r.irqs.level[10]);
  r.cfg_write(3, 0, 0x04, 0, 2);
  CHECK(r.irqs.level[10]);
  f.set_intx(false);
  CHECK_FALSE(r.irqs.level[10]);
  r.cfg_write(1, 0, 0x60, 10, 1);  // PIRQA also on IRQ 10; a reserved IRQ (2) is never driven
  r.cfg_write(1, 0, 0x63, 2, 1);
  f.set_intx(true);
  CHECK_FALSE(r.irqs.level[2]);
  CHECK_FALSE(r.irqs.level[10]);
}

TEST_CASE("PCI INTx: two functions on PIRQs routed to one IRQ are wired-OR") {
  Rig r;
  devices::Piix3 isa(r.m, r.bus);
  TestFunction a, b;  // device 4 INTA -> PIRQA, device 5 INTA -> PIRQB
  r.bus.attach(4, 0, a);
  r.bus.attach(5, 0, b);
  r.cfg_write(1, 0, 0x60, 0x0B0B, 2);
  a.set_intx(true);
  b.set_intx(true);
  a.set_intx(false);
  CHECK(r.irqs.level[11]);
  b.set_intx(false);
  CHECK_FALSE(r.irqs.level[11]);
}

TEST_CASE("PCI: a function and its bus may be destroyed in either order; a gone function reads as absent") {
  Rig r;
  {
    TestFunction f;
    r.bus.attach(6, 0, f);
    CHECK(r.cfg_read(6, 0, 0x00) == 0x56781234u);
  }
  CHECK(r.cfg_read(6, 0, 0x00) == 0xFFFFFFFFu);
  auto f = std::make_unique<TestFunction>();
  {
    devices::PciBus other(r.m, r.irqs);
    other.attach(7, 0, *f);
  }
  f->set_intx(true);  // no bus any more: nothing to route to
  CHECK(f->intx());
}
