// PIIX3 function 0 against the 82371SB datasheet: IDs and header type (multi-function), PIRQRC
// defaults 0x80 (2.2.14), register defaults from table 2, and the reset control register at
// 0xCF9 (2.3.1: writing RCPU = 1 resets the system, SRST selects hard reset). The last test is a
// robustness fuzz of the whole chipset's ports.
#include <doctest/doctest.h>

#include "core/machine.h"
#include "core/processor.h"
#include "devices/acpi_pm.h"
#include "devices/i440fx.h"
#include "devices/pci.h"
#include "devices/piix3.h"

using namespace pcjit;

namespace {

struct NoIrqs final : core::IrqSink {
  void set_irq(unsigned, bool) override {}
};

// A processor that stops the machine on its first slice: lets a test run one loop iteration.
struct StopCpu final : core::Processor {
  core::Machine& m;
  explicit StopCpu(core::Machine& mm) : m(mm) {}
  void reset() override {}
  core::ProcessorExit run(u64) override {
    m.request_stop(core::StopKind::Debugger, 0, "test");
    return core::ProcessorExit::Stopped;
  }
  void request_exit() override {}
  void interrupt_changed() override {}
};

struct Rig {
  core::Machine m{core::MachineConfig{}};
  NoIrqs irqs;
  devices::PciBus bus{m, irqs};
  devices::Piix3 isa{m, bus};
};

}  // namespace

TEST_CASE("PIIX3: 8086:7000 ISA bridge class 0601 at 00:01.0, multi-function header") {
  Rig r;
  CHECK(r.bus.config_read(1, 0, 0x00, 4) == 0x70008086u);
  CHECK(r.bus.config_read(1, 0, 0x0A, 2) == 0x0601u);
  CHECK(r.bus.config_read(1, 0, 0x0E, 1) == 0x80u);
}

TEST_CASE("PIIX3: datasheet defaults (IORT 4D, XBCS 0003, PIRQRC 80, TOM 02, MBIRQ 80) and stored registers") {
  Rig r;
  CHECK(r.bus.config_read(1, 0, 0x4C, 1) == 0x4Du);
  CHECK(r.bus.config_read(1, 0, 0x4E, 2) == 0x0003u);
  CHECK(r.bus.config_read(1, 0, 0x60, 4) == 0x80808080u);
  CHECK(r.bus.config_read(1, 0, 0x69, 1) == 0x02u);
  CHECK(r.bus.config_read(1, 0, 0x70, 2) == 0x8080u);
  r.bus.config_write(1, 0, 0x61, 1, 0x0A);
  CHECK(r.bus.config_read(1, 0, 0x60, 4) == 0x80800A80u);
  r.isa.reset();
  CHECK(r.bus.config_read(1, 0, 0x60, 4) == 0x80808080u);
}

TEST_CASE("PIIX3: 0xCF9 keeps SRST (bit 1) readable; RCPU (bit 2) is a strobe that reads 0") {
  Rig r;
  r.m.io().out(0xCF9, 1, 0x02);
  CHECK(r.m.io().in(0xCF9, 1) == 0x02u);
  r.m.set_processor(std::make_unique<StopCpu>(r.m));
  r.m.run();
  CHECK(r.m.reset_count() == 0);  // SRST alone does not reset
}

TEST_CASE("PIIX3: an RCPU write is carried out at the next run-loop boundary") {
  core::Machine m{core::MachineConfig{}};
  NoIrqs irqs;
  devices::PciBus bus{m, irqs};
  devices::Piix3 isa{m, bus};
  m.set_processor(std::make_unique<StopCpu>(m));
  m.io().out(0xCF9, 1, 0x06);
  m.run();
  CHECK(m.reset_count() == 1);
}

// Robustness, not semantics: random configuration cycles and port accesses (every size, any
// offset) to the whole chipset, with time passing, must neither crash nor corrupt memory.
TEST_CASE("Chipset fuzz: 20000 random port accesses to the PCI ports, 0xCF9, APM and the PM block") {
  core::Machine m{core::MachineConfig{}};
  NoIrqs irqs;
  devices::PciBus bus{m, irqs};
  devices::I440fx host{m, bus};
  devices::Piix3 isa{m, bus};
  devices::AcpiPm pm{m, bus, irqs};
  u64 x = 0x9E3779B97F4A7C15ull;  // xorshift64: deterministic
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const u16 ports[] = {0xCF8, 0xCFC, 0xCFD, 0xCFE, 0xCFF, 0xCF9, 0xB2, 0xB3};
  for (int i = 0; i < 20000; ++i) {
    u64 r = next();
    unsigned size = 1u << (r % 3);
    u16 port = (r >> 8) % 4 == 0 ? static_cast<u16>(pm.io_base() + ((r >> 16) & 63)) : ports[(r >> 16) % 8];
    if (r & (1ull << 40)) {
      u32 v = static_cast<u32>(next());
      // Keep CONFIG_ADDRESS on bus 0 half of the time so cycles reach real functions.
      if (port == 0xCF8 && (r & (1ull << 41))) v &= 0x8000FFFCu;
      m.io().out(port, size, v);
    } else {
      (void)m.io().in(port, size);
    }
    if (i % 64 == 0) {
      m.clock().skip_to(m.clock().now_ns() + (next() % 50000000));
      m.events().run_due(m.clock().now_ns());
    }
  }
  CHECK(bus.config_read(0, 0, 0x00, 4) == 0x12378086u);
}
