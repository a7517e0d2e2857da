// 8254 PIT against the Intel 8254 data sheet (order 231164): a count written at tick Tw is loaded
// by the CLK pulse at Tw+1 (which does not decrement it) and decremented by each later pulse;
// mode definitions (figs. 12-17), counter latch, read-back command and status byte (fig. 20-22),
// BCD counting. Ticks are of the PC's 1.193182 MHz input; virtual time starts at 0.
#include <doctest/doctest.h>

#include "core/machine.h"
#include "devices/pit8254.h"

using namespace pcjit;
using devices::Pit8254;

namespace {

struct EdgeCounter final : core::IrqSink {
  unsigned rises = 0;
  bool level = false;
  void set_irq(unsigned, bool l) override {
    if (l && !level) ++rises;
    level = l;
  }
};

struct Rig {
  core::Machine m{core::MachineConfig{}};
  EdgeCounter irq;
  Pit8254 pit{m, irq, 0};
  void out(u16 p, u8 v) { m.io().out(p, 1, v); }
  u8 in(u16 p) { return static_cast<u8>(m.io().in(p, 1)); }
  // Advances virtual time firing events at their own times, as the machine loop does.
  void to_ns(u64 t) {
    while (m.events().next_deadline() <= t) {
      m.clock().skip_to(m.events().next_deadline());
      m.events().run_due(m.clock().now_ns());
    }
    m.clock().skip_to(t);
    m.events().run_due(t);
  }
  void to_tick(u64 tick) { to_ns(Pit8254::tick_to_ns(tick)); }
  u16 latched(unsigned n) {  // counter latch command, then LSB, MSB
    out(0x43, static_cast<u8>(n << 6));
    u8 lo = in(static_cast<u16>(0x40 + n));
    return static_cast<u16>(lo | in(static_cast<u16>(0x40 + n)) << 8);
  }
  u8 status(unsigned n) {  // read-back, status only
    out(0x43, static_cast<u8>(0xE0 | (2u << n)));
    return in(static_cast<u16>(0x40 + n));
  }
  void count16(unsigned n, u16 v) {
    out(static_cast<u16>(0x40 + n), static_cast<u8>(v));
    out(static_cast<u16>(0x40 + n), static_cast<u8>(v >> 8));
  }
};

}  // namespace

TEST_CASE("PIT: tick/ns conversion is exact at second boundaries and round-trips") {
  CHECK(Pit8254::ns_to_tick(1'000'000'000) == 1193182);
  CHECK(Pit8254::tick_to_ns(1193182) == 1'000'000'000);
  for (u64 t : {1ull, 2ull, 1000ull, 65536ull, 1193181ull, 99999999ull}) {
    CHECK(Pit8254::ns_to_tick(Pit8254::tick_to_ns(t)) == t);
    CHECK(Pit8254::ns_to_tick(Pit8254::tick_to_ns(t) - 1) == t - 1);
  }
}

TEST_CASE("PIT: mode 2 counts N..1 and reloads; the latched count matches elapsed pulses") {
  Rig r;
  r.out(0x43, 0x34);  // counter 0, LSB then MSB, mode 2, binary
  r.count16(0, 1000);
  r.to_tick(501);  // loaded at tick 1, 500 decrements
  CHECK(r.latched(0) == 500);
  r.to_tick(1000);
  CHECK(r.latched(0) == 1);
  r.to_tick(1001);
  CHECK(r.latched(0) == 1000);
}

TEST_CASE("PIT: mode 2 on counter 0 raises IRQ0 once per period") {
  Rig r;
  r.out(0x43, 0x34);
  r.count16(0, 1000);
  r.to_tick(10001);  // OUT rises at ticks 1001, 2001, ..., 10001
  CHECK(r.irq.rises == 10);
  r.to_tick(10999);
  CHECK(r.irq.rises == 10);
}

TEST_CASE("PIT: a count written in mode 2 while counting takes effect at the end of the period") {
  Rig r;
  r.out(0x43, 0x34);
  r.count16(0, 1000);
  r.to_tick(500);
  r.count16(0, 500);
  r.to_tick(900);
  CHECK(r.latched(0) == 101);  // still the old count
  r.to_tick(1100);             // the new count was loaded at tick 1001
  CHECK(r.latched(0) == 401);
  r.to_tick(2001);             // OUT rose at 1001, 1501 and 2001
  CHECK(r.irq.rises == 3);
}

TEST_CASE("PIT: mode 0 OUT goes high N+1 pulses after the count is written, once") {
  Rig r;
  r.out(0x43, 0x30);  // counter 0, mode 0
  r.count16(0, 100);
  r.to_tick(100);
  CHECK((r.status(0) & 0x80) == 0);
  r.to_tick(101);
  CHECK((r.status(0) & 0x80) == 0x80);
  r.to_tick(200000);
  CHECK(r.irq.rises == 1);
  CHECK(r.latched(0) == static_cast<u16>(0 - (200000 - 101)));  // keeps counting past 0
}

TEST_CASE("PIT: read-back status reports OUT, null count, access, mode and BCD") {
  Rig r;
  r.out(0x43, 0x34);
  CHECK(r.status(0) == 0xF4);  // OUT high, null count, RW=11, mode 2
  r.count16(0, 0x1000);
  r.to_tick(1);
  CHECK(r.status(0) == 0xB4);  // count loaded
  r.out(0x43, 0xB1);           // counter 2, both bytes, mode 0, BCD
  CHECK(r.status(2) == 0x71);  // mode 0 starts with OUT low
}

TEST_CASE("PIT: a latched count is frozen until read, the live count is not") {
  Rig r;
  r.out(0x43, 0x34);
  r.count16(0, 50000);
  r.to_tick(101);
  r.out(0x43, 0x00);  // latch counter 0
  r.to_tick(20001);
  u8 lo = r.in(0x40);
  u8 hi = r.in(0x40);
  CHECK((lo | hi << 8) == 49900);
  CHECK(r.latched(0) == 30000);
}

TEST_CASE("PIT: BCD mode counts in decimal") {
  Rig r;
  r.out(0x43, 0x31);  // counter 0, both, mode 0, BCD
  r.count16(0, 0x1234);
  r.to_tick(235);  // 234 decrements
  CHECK(r.latched(0) == 0x1000);
}

TEST_CASE("PIT: LSB-only access loads and reads only the low byte") {
  Rig r;
  r.out(0x43, 0x10);  // counter 0, LSB only, mode 0
  r.out(0x40, 80);
  r.to_tick(31);  // 30 decrements
  r.out(0x43, 0x00);
  CHECK(r.in(0x40) == 50);
}

TEST_CASE("PIT: mode 3 even count gives a square wave, decrementing by two") {
  Rig r;
  r.out(0x61, 0x01);  // gate 2 on
  r.out(0x43, 0xB6);  // counter 2, both, mode 3
  r.count16(2, 4);
  const bool expect_out[] = {true, true, false, false, true, true, false, false};
  const u16 expect_count[] = {4, 2, 4, 2, 4, 2, 4, 2};
  for (unsigned d = 0; d < 8; ++d) {
    r.to_tick(1 + d);
    CHECK(((r.in(0x61) & 0x20) != 0) == expect_out[d]);
    CHECK(r.latched(2) == expect_count[d]);
  }
}

TEST_CASE("PIT: mode 3 odd count: high for (N+1)/2 pulses, low for (N-1)/2") {
  Rig r;
  r.out(0x61, 0x01);
  r.out(0x43, 0xB6);
  r.count16(2, 5);
  const bool expect_out[] = {true, true, true, false, false, true};
  const u16 expect_count[] = {5, 4, 2, 5, 2, 5};
  for (unsigned d = 0; d < 6; ++d) {
    r.to_tick(1 + d);
    CHECK(((r.in(0x61) & 0x20) != 0) == expect_out[d]);
    CHECK(r.latched(2) == expect_count[d]);
  }
}

TEST_CASE("PIT: mode 0 counting is suspended while GATE is low") {
  Rig r;  // gate 2 is low after reset (port 0x61 bit 0 = 0)
  r.out(0x43, 0xB0);
  r.count16(2, 1000);
  r.to_tick(500);
  CHECK(r.latched(2) == 1000);
  r.out(0x61, 0x01);  // gate up at tick 500
  r.to_tick(600);
  CHECK(r.latched(2) == 900);
  r.out(0x61, 0x00);
  r.to_tick(5000);
  CHECK(r.latched(2) == 900);
}

TEST_CASE("PIT: mode 1 one-shot is triggered by a GATE rising edge") {
  Rig r;
  r.out(0x43, 0xB2);  // counter 2, mode 1
  r.count16(2, 10);
  r.to_tick(50);
  CHECK((r.in(0x61) & 0x20) == 0x20);  // OUT high until triggered
  r.out(0x61, 0x01);                   // trigger at tick 50
  r.to_tick(55);
  CHECK((r.in(0x61) & 0x20) == 0);
  r.to_tick(60);
  CHECK((r.in(0x61) & 0x20) == 0);
  r.to_tick(61);  // loaded at 51, 10 decrements
  CHECK((r.in(0x61) & 0x20) == 0x20);
}

TEST_CASE("PIT: mode 2 with GATE low holds OUT high and reloads on the rising edge") {
  Rig r;
  r.out(0x61, 0x01);
  r.out(0x43, 0xB4);  // counter 2, mode 2
  r.count16(2, 100);
  r.to_tick(31);
  CHECK(r.latched(2) == 70);
  r.out(0x61, 0x00);
  r.to_tick(99);
  CHECK((r.in(0x61) & 0x20) == 0x20);
  r.out(0x61, 0x01);  // rising edge at tick 99: reload on the next pulse
  r.to_tick(110);
  CHECK(r.latched(2) == 90);
}

TEST_CASE("PIT: port 0x61 refresh toggle flips with time and the speaker needs bits 0 and 1") {
  Rig r;
  u8 a = r.in(0x61) & 0x10;
  r.to_ns(15085);
  u8 b = r.in(0x61) & 0x10;
  CHECK(a != b);
  r.out(0x61, 0x03);
  CHECK(r.pit.speaker_on());
  CHECK((r.in(0x61) & 0x03) == 0x03);
}

TEST_CASE("PIT: mode 4 strobes OUT low for one pulse when the count reaches zero") {
  Rig r;
  r.out(0x61, 0x01);
  r.out(0x43, 0xB8);  // counter 2, mode 4
  r.count16(2, 10);
  r.to_tick(10);
  CHECK((r.in(0x61) & 0x20) == 0x20);
  r.to_tick(11);  // loaded at 1, zero after 10 decrements
  CHECK((r.in(0x61) & 0x20) == 0);
  r.to_tick(12);
  CHECK((r.in(0x61) & 0x20) == 0x20);
}

TEST_CASE("PIT: mode 5 strobes one pulse N+1 pulses after the GATE trigger") {
  Rig r;
  r.out(0x43, 0xBA);  // counter 2, mode 5
  r.count16(2, 10);
  r.to_tick(20);
  r.out(0x61, 0x01);  // trigger at tick 20, loaded at 21
  r.to_tick(30);
  CHECK((r.in(0x61) & 0x20) == 0x20);
  r.to_tick(31);
  CHECK((r.in(0x61) & 0x20) == 0);
  r.to_tick(32);
  CHECK((r.in(0x61) & 0x20) == 0x20);
}

// Port 0x61 is served from a cache that holds its value for a span of virtual time. Truth here is
// the chip evaluated afresh at the same instant (Pit8254::out, checked against the data sheet by
// the tests above) and the refresh toggle's 15085 ns period: read 0x61 at every nanosecond through
// each mode's transitions, with counts rewritten while counting and GATE edges in the middle.
TEST_CASE("PIT: port 0x61 read at every ns equals OUT2 and the refresh toggle computed afresh") {
  for (u8 mode = 0; mode < 6; ++mode) {
    for (u16 n : {2, 3, 5, 6}) {
      CAPTURE(mode);
      CAPTURE(n);
      Rig r;
      r.out(0x61, 0x01);
      r.out(0x43, static_cast<u8>(0xB0 | (mode << 1)));
      r.count16(2, n);
      unsigned bad = 0;
      u8 gate = 0x01;
      auto sweep = [&](u64 until_ns) {
        for (u64 ns = r.m.clock().now_ns(); ns < until_ns; ++ns) {
          r.to_ns(ns);
          u8 v = r.in(0x61);
          u8 want = static_cast<u8>(gate | ((ns / 15085) & 1 ? 0x10 : 0) | (r.pit.out(2) ? 0x20 : 0));
          if (v != want && bad++ < 4) CHECK(v == want);
        }
      };
      sweep(Pit8254::tick_to_ns(3 * n + 4));
      r.count16(2, static_cast<u16>(n + 1));  // rewrite while counting (mode 2/3: at period end)
      sweep(Pit8254::tick_to_ns(6 * n + 10));
      r.out(0x61, gate = 0x00);  // GATE low, then a rising edge (re)triggers modes 1, 2, 3, 5
      sweep(Pit8254::tick_to_ns(6 * n + 14));
      r.out(0x61, gate = 0x01);
      sweep(Pit8254::tick_to_ns(9 * n + 40));
      CHECK(bad == 0);
    }
  }
}
