// PIIX4 power-management function against the 82371AB PIIX4 datasheet: config registers PMBA
// (0x40, bit 0 hard-wired 1) and PMREGMISC (0x80, PMIOSE), PM1 status/enable/control (7.2.1-7.2.3),
// the 24-bit PM timer at 3.579545 MHz (7.2.4) with TMR_STS when bit 23 toggles, SCI on IRQ 9, and
// SLP_EN with SLP_TYP 000 = soft off.
#include <doctest/doctest.h>

#include <array>

#include "core/machine.h"
#include "devices/acpi_pm.h"
#include "devices/pci.h"

using namespace pcjit;
using devices::AcpiPm;

namespace {

struct FakeIrqs final : core::IrqSink {
  std::array<bool, 16> level{};
  void set_irq(unsigned irq, bool l) override { level[irq] = l; }
};

constexpr u16 kBase = 0x600;

struct Rig {
  core::Machine m{core::MachineConfig{}};
  FakeIrqs irqs;
  devices::PciBus bus{m, irqs};
  AcpiPm pm{m, bus, irqs};
  void enable_io() {
    bus.config_write(1, 3, 0x40, 4, kBase);
    bus.config_write(1, 3, 0x80, 1, 0x01);
  }
  void at(u64 ns) {
    m.clock().skip_to(ns);
    m.events().run_due(m.clock().now_ns());
  }
  u32 timer() { return m.io().in(kBase + 8, 4); }
};

}  // namespace

TEST_CASE("PIIX4 PM: 8086:7113 rev 03 at 00:01.3, class 0680, INTA#, APMC_EN preset in DEVACTB") {
  Rig r;
  CHECK(r.bus.config_read(1, 3, 0x00, 4) == 0x71138086u);
  CHECK(r.bus.config_read(1, 3, 0x08, 4) == 0x06800003u);
  CHECK(r.bus.config_read(1, 3, 0x3D, 1) == 0x01u);
  CHECK((r.bus.config_read(1, 3, 0x58, 4) & (1u << 25)) != 0);
}

TEST_CASE("PIIX4 PM: PMBA decodes bits 15:6 with bit 0 reading 1; the IO block appears only with PMIOSE") {
  Rig r;
  r.bus.config_write(1, 3, 0x40, 4, 0xFFFFFFFFu);
  CHECK(r.bus.config_read(1, 3, 0x40, 4) == 0x0000FFC1u);
  r.bus.config_write(1, 3, 0x40, 4, kBase);
  CHECK(r.bus.config_read(1, 3, 0x40, 4) == (kBase | 1u));
  CHECK(r.m.io().in(kBase + 8, 4) == 0xFFFFFFFFu);  // not decoded yet
  r.bus.config_write(1, 3, 0x80, 1, 0x01);
  CHECK(r.pm.io_base() == kBase);
  CHECK(r.m.io().in(kBase + 8, 4) == 0u);
  r.bus.config_write(1, 3, 0x90, 4, 0x0701);  // SMBus base is stored
  CHECK(r.bus.config_read(1, 3, 0x90, 4) == 0x0701u);
}

TEST_CASE("PIIX4 PM: the timer counts 3579545 per virtual second, 24 bits wide, upper byte zero") {
  Rig r;
  r.enable_io();
  r.at(1000000);  // 1 ms: 3579.545 ticks
  CHECK(r.timer() == 3579u);
  r.at(1000000000);
  CHECK(r.timer() == 3579545u);
  r.at(5000000000ull);  // 17897725 ticks wrap modulo 2^24
  CHECK(r.timer() == 17897725u - 16777216u);
  CHECK(r.m.io().in(kBase + 11, 1) == 0u);
}

TEST_CASE("PIIX4 PM: TMR_STS sets when bit 23 toggles (2^23 ticks = 2.3435 s) and raises SCI when TMR_EN") {
  Rig r;
  r.enable_io();
  r.m.io().out(kBase + 2, 2, AcpiPm::kTmrSts);  // TMR_EN
  // 2^23 / 3579545 Hz = 2343484437.3 ns
  r.at(2343484430ull);
  CHECK((r.m.io().in(kBase, 2) & 1) == 0u);
  CHECK_FALSE(r.irqs.level[9]);
  r.at(2343484438ull);
  CHECK((r.m.io().in(kBase, 2) & 1) == 1u);
  CHECK(r.irqs.level[9]);
  r.m.io().out(kBase, 2, AcpiPm::kTmrSts);  // write one to clear
  CHECK((r.m.io().in(kBase, 2) & 1) == 0u);
  CHECK_FALSE(r.irqs.level[9]);
}

TEST_CASE("PIIX4 PM: a status bit without its enable does not raise SCI; the power button with PWRBTN_EN does") {
  Rig r;
  r.enable_io();
  r.pm.press_power_button();
  CHECK((r.m.io().in(kBase, 2) & AcpiPm::kPwrbtnSts) != 0u);
  CHECK_FALSE(r.irqs.level[9]);
  r.m.io().out(kBase + 2, 2, AcpiPm::kPwrbtnSts);
  CHECK(r.irqs.level[9]);
  r.m.io().out(kBase, 2, AcpiPm::kPwrbtnSts);
  CHECK_FALSE(r.irqs.level[9]);
}

TEST_CASE("PIIX4 PM: SLP_TYP 000 with SLP_EN is soft-off (S5) and stops the machine cleanly") {
  Rig r;
  r.enable_io();
  r.m.io().out(kBase + 4, 2, 0x0001);  // SCI_EN only
  CHECK_FALSE(r.m.stop_requested());
  CHECK(r.m.io().in(kBase + 4, 2) == 0x0001u);
  r.m.io().out(kBase + 4, 2, 1u << 10 | AcpiPm::kSlpEn);  // S1: not a power-off
  CHECK_FALSE(r.m.stop_requested());
  CHECK((r.m.io().in(kBase + 4, 2) & AcpiPm::kSlpEn) == 0u);  // SLP_EN is write-only
  r.m.io().out(kBase + 4, 2, AcpiPm::kSlpEn);
  REQUIRE(r.m.stop_requested());
  CHECK(r.m.stop_info().kind == core::StopKind::Shutdown);
  CHECK(r.m.stop_info().message == "ACPI S5 soft-off");
}

TEST_CASE("PIIX4 PM: SLP_EN in a byte write to PM1_CNT+1 works too") {
  Rig r;
  r.enable_io();
  r.m.io().out(kBase + 5, 1, AcpiPm::kSlpEn >> 8);
  CHECK(r.m.stop_info().kind == core::StopKind::Shutdown);
}

TEST_CASE("APM control port: ACPI_ENABLE (0xF1) sets SCI_EN, ACPI_DISABLE (0xF0) clears it") {
  Rig r;
  r.enable_io();
  r.m.io().out(0xB2, 1, 0xF1);
  CHECK((r.m.io().in(kBase + 4, 2) & AcpiPm::kSciEn) != 0u);
  r.m.io().out(0xB2, 1, 0xF0);
  CHECK((r.m.io().in(kBase + 4, 2) & AcpiPm::kSciEn) == 0u);
  r.m.io().out(0xB3, 1, 0x5A);
  CHECK(r.m.io().in(0xB3, 1) == 0x5Au);
}

TEST_CASE("PIIX4 PM: moving PMBA away from ports it covered gives them back to their device") {
  struct Dummy final : core::PortHandler {
    u32 port_in(u16, unsigned) override { return 0x42; }
    void port_out(u16, unsigned, u32) override {}
  } dummy;
  Rig r;
  r.m.io().map(0x700, 1, &dummy);
  r.bus.config_write(1, 3, 0x40, 4, 0x700);
  r.bus.config_write(1, 3, 0x80, 1, 0x01);
  CHECK(r.m.io().in(0x700, 1) == 0u);  // PM1 status low byte now
  r.bus.config_write(1, 3, 0x40, 4, kBase);
  CHECK(r.m.io().in(0x700, 1) == 0x42u);
  r.bus.config_write(1, 3, 0x80, 1, 0x00);
  CHECK(r.m.io().in(kBase + 8, 4) == 0xFFFFFFFFu);
}

TEST_CASE("PIIX4 PM: GPE0 at 0xAFE0 — status is write-one-to-clear, a set and enabled bit raises SCI") {
  Rig r;
  CHECK(r.m.io().in(AcpiPm::kGpe0Base, 4) == 0u);
  r.pm.raise_gpe(1);
  CHECK(r.m.io().in(AcpiPm::kGpe0Base, 2) == 0x0002u);
  CHECK_FALSE(r.irqs.level[9]);
  r.m.io().out(AcpiPm::kGpe0Base + 2, 2, 0x0002);
  CHECK(r.m.io().in(AcpiPm::kGpe0Base, 4) == 0x00020002u);
  CHECK(r.irqs.level[9]);
  r.m.io().out(AcpiPm::kGpe0Base, 1, 0x02);
  CHECK(r.m.io().in(AcpiPm::kGpe0Base, 2) == 0u);
  CHECK_FALSE(r.irqs.level[9]);
}
