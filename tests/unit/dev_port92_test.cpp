// Port 0x92 (IBM PS/2 technical reference, "System Control Port A"): bit 1 = A20 gate, a write
// setting bit 0 pulses reset.
#include <doctest/doctest.h>

#include "core/machine.h"
#include "devices/port92.h"

using namespace pcjit;

namespace {
// A stand-in CPU: retires what it is given, so Machine::run performs pending resets.
struct IdleCpu final : core::Processor {
  core::Machine& m;
  explicit IdleCpu(core::Machine& mm) : m(mm) {}
  void reset() override {}
  core::ProcessorExit run(u64 n) override {
    m.clock().retire(n);
    return core::ProcessorExit::Budget;
  }
  void request_exit() override {}
  void interrupt_changed() override {}
};
}  // namespace

TEST_CASE("Port 0x92: bit 1 toggles the A20 gate and reads it back") {
  core::Machine m{core::MachineConfig{}};
  devices::Port92 p{m};
  m.memory().set_a20(false);
  CHECK((m.io().in(0x92, 1) & 0x02) == 0);
  m.io().out(0x92, 1, 0x02);
  CHECK(m.memory().a20_enabled());
  CHECK((m.io().in(0x92, 1) & 0x02) == 0x02);
  m.io().out(0x92, 1, 0x00);
  CHECK_FALSE(m.memory().a20_enabled());
  CHECK(m.reset_count() == 0);
}

TEST_CASE("Port 0x92: a 0->1 transition of bit 0 resets the system once") {
  core::Machine m{core::MachineConfig{}};
  m.set_processor(std::make_unique<IdleCpu>(m));
  devices::Port92 p{m};
  m.io().out(0x92, 1, 0x03);
  m.run(core::RunLimits{10});
  CHECK(m.reset_count() == 1);
  CHECK(m.memory().a20_enabled());
  m.reset();                  // clears the instruction-limit stop (Port92 is not a machine device)
  m.io().out(0x92, 1, 0x03);  // bit 0 already set: no rising edge
  m.run(core::RunLimits{10});
  CHECK(m.reset_count() == 1);
}
