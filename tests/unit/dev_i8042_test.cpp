// 8042 keyboard controller, PS/2 keyboard and mouse, against the IBM PS/2 Hardware Interface
// Technical Reference (controller commands, keyboard and pointing-device command sets, packet
// format) and the IBM scan code tables for sets 1 and 2 ('A' = 1C / 1E, right Ctrl = E0 14 /
// E0 1D; an MF2 keyboard identifies as AB 83, or AB 41 through translation).
#include <doctest/doctest.h>

#include <vector>

#include "core/machine.h"
#include "devices/i8042.h"

using namespace pcjit;
using devices::I8042;

namespace {

struct Lines final : core::IrqSink {
  bool level[16] = {};
  unsigned rises[16] = {};
  void set_irq(unsigned irq, bool l) override {
    if (l && !level[irq]) ++rises[irq];
    level[irq] = l;
  }
};

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

struct Rig {
  core::Machine m{core::MachineConfig{}};
  Lines irq;
  I8042 kbc{m, irq};
  void cmd(u8 c) { m.io().out(0x64, 1, c); }
  void data(u8 d) { m.io().out(0x60, 1, d); }
  u8 status() { return static_cast<u8>(m.io().in(0x64, 1)); }
  std::vector<u8> drain() {
    std::vector<u8> v;
    while (status() & 0x01) v.push_back(static_cast<u8>(m.io().in(0x60, 1)));
    return v;
  }
  void set_cmd_byte(u8 b) { cmd(0x60); data(b); }
  void aux(u8 b) { cmd(0xD4); data(b); }
};

using Bytes = std::vector<u8>;

}  // namespace

TEST_CASE("8042: self-test answers 55 and sets the system flag; interface tests answer 00") {
  Rig r;
  r.cmd(0xAA);
  CHECK((r.status() & 0x01) == 0x01);
  CHECK(r.drain() == Bytes{0x55});
  CHECK((r.status() & 0x04) == 0x04);
  r.cmd(0xAB);
  CHECK(r.drain() == Bytes{0x00});
  r.cmd(0xA9);
  CHECK(r.drain() == Bytes{0x00});
}

TEST_CASE("8042: the command byte is written with 60 and read with 20") {
  Rig r;
  r.set_cmd_byte(0x65);
  r.cmd(0x20);
  CHECK(r.drain() == Bytes{0x65});
  r.cmd(0xAD);  // disable keyboard sets bit 4
  r.cmd(0x20);
  CHECK(r.drain() == Bytes{0x75});
}

TEST_CASE("8042: output port bit 1 drives A20 (D1, DD/DF) and D0 reads it back") {
  Rig r;
  r.m.memory().set_a20(false);
  r.cmd(0xD1);
  r.data(0xDF);
  CHECK(r.m.memory().a20_enabled());
  r.cmd(0xD0);
  CHECK((r.drain().at(0) & 0x02) == 0x02);
  r.cmd(0xD1);
  r.data(0xDD);
  CHECK_FALSE(r.m.memory().a20_enabled());
  r.cmd(0xDF);
  CHECK(r.m.memory().a20_enabled());
}

TEST_CASE("8042: command FE pulses the reset line and the machine resets") {
  Rig r;
  r.m.set_processor(std::make_unique<IdleCpu>(r.m));
  r.cmd(0xFE);
  r.m.run(core::RunLimits{10});
  CHECK(r.m.reset_count() == 1);
  r.m.reset();  // clears the instruction-limit stop so the machine runs again
  r.cmd(0xFF);  // pulses no line (bit 0 set)
  r.m.run(core::RunLimits{10});
  CHECK(r.m.reset_count() == 1);
  r.m.reset();
  r.cmd(0xD1);
  r.data(0xDE);  // output port bit 0 low
  r.m.run(core::RunLimits{10});
  CHECK(r.m.reset_count() == 2);
}

TEST_CASE("8042: keyboard reset, identify, echo and LEDs, untranslated and translated") {
  Rig r;
  r.data(0xFF);
  CHECK(r.drain() == Bytes{0xFA, 0xAA});
  r.data(0xF2);
  CHECK(r.drain() == Bytes{0xFA, 0xAB, 0x83});
  r.data(0xEE);
  CHECK(r.drain() == Bytes{0xEE});
  r.data(0xED);
  r.data(0x07);
  CHECK(r.drain() == Bytes{0xFA, 0xFA});
  CHECK(r.kbc.keyboard().state().leds == 7);
  r.set_cmd_byte(0x61);  // XLAT on
  r.data(0xF2);
  CHECK(r.drain() == Bytes{0xFA, 0xAB, 0x41});
}

TEST_CASE("8042: set 2 scan codes are translated to set 1 when XLAT is set") {
  Rig r;
  r.set_cmd_byte(0x41);
  const u8 make_a[] = {0x1C}, break_a[] = {0xF0, 0x1C};
  const u8 make_rctrl[] = {0xE0, 0x14}, break_rctrl[] = {0xE0, 0xF0, 0x14};
  r.kbc.key_event(make_a);
  r.kbc.key_event(break_a);
  CHECK(r.drain() == Bytes{0x1E, 0x9E});
  r.kbc.key_event(make_rctrl);
  r.kbc.key_event(break_rctrl);
  CHECK(r.drain() == Bytes{0xE0, 0x1D, 0xE0, 0x9D});
  r.set_cmd_byte(0x01);  // XLAT off: raw set 2
  r.kbc.key_event(break_a);
  CHECK(r.drain() == Bytes{0xF0, 0x1C});
}

TEST_CASE("8042: scan code set select and query; a set 1 keyboard sends set 1 itself") {
  Rig r;
  r.data(0xF0);
  r.data(0x00);
  CHECK(r.drain() == Bytes{0xFA, 0xFA, 0x02});
  r.data(0xF0);
  r.data(0x01);
  CHECK(r.drain() == Bytes{0xFA, 0xFA});
  const u8 break_a[] = {0xF0, 0x1C};
  r.kbc.key_event(break_a);
  CHECK(r.drain() == Bytes{0x9E});
}

TEST_CASE("8042: IRQ1 follows a full output buffer with keyboard data and the enable bit") {
  Rig r;
  const u8 make_a[] = {0x1C};
  r.kbc.key_event(make_a);
  CHECK(r.irq.level[1]);
  CHECK((r.status() & 0x20) == 0);
  r.drain();
  CHECK_FALSE(r.irq.level[1]);
  r.set_cmd_byte(0x00);  // interrupts off
  r.kbc.key_event(make_a);
  CHECK_FALSE(r.irq.level[1]);
  CHECK((r.status() & 0x01) == 0x01);
}

TEST_CASE("8042: each byte gives the edge-triggered PIC a new IRQ1 edge") {
  Rig r;
  const u8 make_a[] = {0x1C}, make_b[] = {0x32};
  r.kbc.key_event(make_a);
  r.kbc.key_event(make_b);
  CHECK(r.irq.rises[1] == 1);
  (void)r.m.io().in(0x60, 1);
  CHECK(r.irq.level[1]);  // the second byte moved in
  CHECK(r.irq.rises[1] == 2);
  CHECK(r.drain() == Bytes{0x32});
}

TEST_CASE("8042: a disabled keyboard interface holds its bytes until re-enabled; F5 stops scanning") {
  Rig r;
  r.cmd(0xAD);
  const u8 make_a[] = {0x1C};
  r.kbc.key_event(make_a);
  CHECK((r.status() & 0x01) == 0);
  r.cmd(0xAE);
  CHECK(r.drain() == Bytes{0x1C});
  r.data(0xF5);
  CHECK(r.drain() == Bytes{0xFA});
  r.kbc.key_event(make_a);
  CHECK(r.drain().empty());
  r.data(0xF4);
  CHECK(r.drain() == Bytes{0xFA});
}

TEST_CASE("8042: mouse reset and identify through D4, with AUX status and IRQ12") {
  Rig r;
  r.aux(0xFF);
  CHECK((r.status() & 0x21) == 0x21);
  CHECK(r.irq.level[12]);
  CHECK(r.drain() == Bytes{0xFA, 0xAA, 0x00});
  CHECK_FALSE(r.irq.level[12]);
  r.aux(0xF2);
  CHECK(r.drain() == Bytes{0xFA, 0x00});
  for (u8 rate : {200, 100, 80}) {
    r.aux(0xF3);
    r.aux(rate);
  }
  r.drain();
  r.aux(0xF2);
  CHECK(r.drain() == Bytes{0xFA, 0x03});
}

TEST_CASE("8042: mouse stream packets, status request, and the aux disable command") {
  Rig r;
  r.kbc.mouse_event(1, 1, 0);
  CHECK(r.drain().empty());  // reporting disabled after power-on
  r.aux(0xF4);
  CHECK(r.drain() == Bytes{0xFA});
  r.kbc.mouse_event(5, -3, 1);
  CHECK(r.drain() == Bytes{0x29, 0x05, 0xFD});  // F4 cleared the motion counted while disabled
  r.aux(0xE8);
  r.aux(0x03);
  r.aux(0xE9);
  CHECK(r.drain() == Bytes{0xFA, 0xFA, 0xFA, 0x24, 0x03, 100});
  r.cmd(0xA7);
  r.kbc.mouse_event(-300, 0, 0);
  CHECK((r.status() & 0x01) == 0);
  r.cmd(0xA8);
  CHECK(r.drain() == Bytes{0x58, 0x00, 0x00});  // X overflow, X negative, clamped to -256
  r.cmd(0xD3);
  r.data(0x42);
  CHECK((r.status() & 0x20) == 0x20);
  CHECK(r.drain() == Bytes{0x42});
}
