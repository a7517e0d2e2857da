// 8259A PIC pair against the Intel 8259A data sheet (order 231468): initialisation (ICW1-4),
// fully nested priority, EOI forms, AEOI, rotation, special mask mode, poll command, cascade
// and edge/level triggering (PIIX ELCR); last, a random-traffic robustness test of the timer and
// interrupt chips wired together.
#include <doctest/doctest.h>

#include <random>

#include "core/machine.h"
#include "devices/i8042.h"
#include "devices/pic8259.h"
#include "devices/pit8254.h"
#include "devices/port92.h"
#include "devices/rtc_cmos.h"

using namespace pcjit;
using devices::PicPair;

namespace {

struct Rig {
  core::Machine m{core::MachineConfig{}};
  PicPair pic{m};
  // The PC BIOS initialisation: edge, cascade, ICW4; vectors 0x08 and 0x70.
  explicit Rig(u8 icw4 = 0x01) {
    out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, icw4);
    out(0xA0, 0x11); out(0xA1, 0x70); out(0xA1, 0x02); out(0xA1, icw4);
  }
  void out(u16 p, u8 v) { m.io().out(p, 1, v); }
  u8 in(u16 p) { return static_cast<u8>(m.io().in(p, 1)); }
  u8 isr(u16 base) { out(base, 0x0B); return in(base); }
  u8 irr(u16 base) { out(base, 0x0A); return in(base); }
  void pulse(unsigned irq) { pic.set_irq(irq, true); pic.set_irq(irq, false); }
};

}  // namespace

TEST_CASE("PIC: after ICW1-4 an edge on IRQ0 is delivered as vector 0x08 and sets ISR bit 0") {
  Rig r;
  CHECK_FALSE(r.pic.intr_pending());
  r.pulse(0);
  CHECK(r.irr(0x20) == 0x01);
  REQUIRE(r.pic.intr_pending());
  CHECK(r.pic.acknowledge() == 0x08);
  CHECK(r.isr(0x20) == 0x01);
  CHECK(r.irr(0x20) == 0x00);  // edge request cleared by INTA
  r.out(0x20, 0x20);           // non-specific EOI
  CHECK(r.isr(0x20) == 0x00);
}

TEST_CASE("PIC: fully nested mode blocks equal and lower priority until EOI") {
  Rig r;
  r.pulse(3);
  CHECK(r.pic.acknowledge() == 0x0B);
  r.pulse(5);
  CHECK_FALSE(r.pic.intr_pending());  // IR5 < IR3 in priority
  r.pulse(1);
  REQUIRE(r.pic.intr_pending());      // IR1 > IR3 nests
  CHECK(r.pic.acknowledge() == 0x09);
  CHECK(r.isr(0x20) == 0x0A);
  r.out(0x20, 0x20);                  // non-specific EOI clears the highest (IR1)
  CHECK(r.isr(0x20) == 0x08);
  CHECK_FALSE(r.pic.intr_pending());
  r.out(0x20, 0x63);                  // specific EOI for IR3
  CHECK(r.isr(0x20) == 0x00);
  CHECK(r.pic.acknowledge() == 0x0D);
}

TEST_CASE("PIC: masked requests stay in IRR and are delivered when unmasked") {
  Rig r;
  r.out(0x21, 0x10);
  CHECK(r.in(0x21) == 0x10);
  r.pulse(4);
  CHECK_FALSE(r.pic.intr_pending());
  CHECK(r.irr(0x20) == 0x10);
  r.out(0x21, 0x00);
  CHECK(r.pic.acknowledge() == 0x0C);
}

TEST_CASE("PIC: a slave IRQ comes through IR2 with the slave's vector and both ISRs set") {
  Rig r;
  r.pulse(10);
  REQUIRE(r.pic.intr_pending());
  CHECK(r.pic.acknowledge() == 0x72);
  CHECK(r.isr(0xA0) == 0x04);
  CHECK(r.isr(0x20) == 0x04);
  r.pulse(9);  // higher on the slave, but IR2 is in service on the master
  CHECK_FALSE(r.pic.intr_pending());
  r.out(0xA0, 0x20);
  CHECK_FALSE(r.pic.intr_pending());
  r.out(0x20, 0x20);
  REQUIRE(r.pic.intr_pending());
  CHECK(r.pic.acknowledge() == 0x71);
}

TEST_CASE("PIC: special fully nested mode lets a higher slave request nest over IR2") {
  Rig r(0x11);
  r.pulse(10);
  CHECK(r.pic.acknowledge() == 0x72);
  r.out(0xA0, 0x20);  // slave EOI only; master IR2 still in service
  r.pulse(9);
  REQUIRE(r.pic.intr_pending());
  CHECK(r.pic.acknowledge() == 0x71);
}

TEST_CASE("PIC: INTA with nothing pending returns the spurious IRQ7 vector without ISR") {
  Rig r;
  CHECK(r.pic.acknowledge() == 0x0F);
  CHECK(r.isr(0x20) == 0x00);
}

TEST_CASE("PIC: automatic EOI leaves ISR clear") {
  Rig r(0x03);
  r.pulse(6);
  CHECK(r.pic.acknowledge() == 0x0E);
  CHECK(r.isr(0x20) == 0x00);
}

TEST_CASE("PIC: rotate on non-specific EOI makes the serviced level the lowest") {
  Rig r;
  r.pulse(0);
  CHECK(r.pic.acknowledge() == 0x08);
  r.out(0x20, 0xA0);  // rotate on non-specific EOI: IR0 becomes priority 7, IR1 priority 0
  r.pulse(0);
  r.pulse(7);
  CHECK(r.pic.acknowledge() == 0x0F);  // IR7 now outranks IR0
  r.out(0x20, 0x20);
  CHECK(r.pic.acknowledge() == 0x08);
}

TEST_CASE("PIC: set priority command and rotate in AEOI mode") {
  Rig r;
  r.out(0x20, 0xC3);  // IR3 lowest -> IR4 highest
  r.pulse(2);
  r.pulse(4);
  CHECK(r.pic.acknowledge() == 0x0C);
  Rig a(0x03);
  a.out(0x20, 0x80);  // rotate in automatic EOI mode (set)
  a.pulse(1);
  CHECK(a.pic.acknowledge() == 0x09);
  a.pulse(1);
  a.pulse(5);
  CHECK(a.pic.acknowledge() == 0x0D);  // IR1 was rotated to the lowest priority
}

TEST_CASE("PIC: special mask mode enables lower levels while the in-service level is masked") {
  Rig r;
  r.pulse(0);
  CHECK(r.pic.acknowledge() == 0x08);
  r.pulse(5);
  CHECK_FALSE(r.pic.intr_pending());
  r.out(0x21, 0x01);  // mask IR0
  r.out(0x20, 0x68);  // OCW3: ESMM=1, SMM=1
  REQUIRE(r.pic.intr_pending());
  CHECK(r.pic.acknowledge() == 0x0D);
  r.out(0x20, 0x48);  // reset special mask
  r.out(0x20, 0x65);  // specific EOI IR5
  r.pulse(6);
  CHECK_FALSE(r.pic.intr_pending());  // IR0 still in service blocks IR6 again
}

TEST_CASE("PIC: poll command returns 1000_0lll and acts as INTA") {
  Rig r;
  r.out(0x20, 0x0C);
  CHECK(r.in(0x20) == 0x00);  // nothing pending
  r.pulse(3);
  r.out(0x20, 0x0C);
  CHECK(r.in(0x20) == 0x83);
  CHECK(r.isr(0x20) == 0x08);
}

TEST_CASE("PIC: ELCR level lines re-request while high; edge lines need a new edge") {
  Rig r;
  r.out(0x4D1, 0xFF);
  CHECK(r.in(0x4D1) == 0xDE);  // IRQ8 and IRQ13 cannot be level triggered
  r.pic.set_irq(9, true);
  CHECK(r.pic.acknowledge() == 0x71);
  r.out(0xA0, 0x20);
  r.out(0x20, 0x20);
  REQUIRE(r.pic.intr_pending());  // still high
  r.pic.set_irq(9, false);
  CHECK_FALSE(r.pic.intr_pending());
  r.pic.set_irq(3, true);
  CHECK(r.pic.acknowledge() == 0x0B);
  r.out(0x20, 0x20);
  r.pic.set_irq(3, true);  // no new edge
  CHECK_FALSE(r.pic.intr_pending());
}

TEST_CASE("PIC: ICW1 clears IMR and ISR and needs a fresh edge") {
  Rig r;
  r.out(0x21, 0xFF);
  r.pic.set_irq(1, true);
  r.out(0x20, 0x11); r.out(0x21, 0x20); r.out(0x21, 0x04); r.out(0x21, 0x01);
  CHECK(r.in(0x21) == 0x00);
  CHECK_FALSE(r.pic.intr_pending());
  r.pic.set_irq(1, false);
  r.pic.set_irq(1, true);
  CHECK(r.pic.acknowledge() == 0x21);
}

TEST_CASE("PIC, PIT, RTC, 8042 and port 0x92 survive random port traffic and INTA cycles") {
  core::Machine m{core::MachineConfig{}};
  PicPair pic{m};
  devices::Pit8254 pit{m, pic};
  devices::RtcCmos rtc{m, pic};
  devices::I8042 kbc{m, pic};
  devices::Port92 p92{m};
  const u16 ports[] = {0x20, 0x21, 0xA0, 0xA1, 0x4D0, 0x4D1, 0x40, 0x41, 0x42, 0x43,
                       0x61, 0x70, 0x71, 0x60, 0x64, 0x92};
  std::mt19937 rng(12345);  // fixed seed: the same traffic every run
  for (int i = 0; i < 200000; ++i) {
    u16 p = ports[rng() % std::size(ports)];
    if (rng() & 1) {
      m.io().out(p, 1, rng() & 0xFF);
    } else {
      (void)m.io().in(p, 1);
    }
    if (rng() % 16 == 0) {
      const u8 key[] = {static_cast<u8>(rng())};
      kbc.key_event(key);
      kbc.mouse_event(static_cast<int>(rng() % 600) - 300, static_cast<int>(rng() % 600) - 300, rng() & 7);
    }
    if (pic.intr_pending() && rng() % 4 == 0) (void)pic.acknowledge();
    u64 step = rng() % 4096;
    u64 t = m.clock().now_ns() + step;
    while (m.events().next_deadline() <= t) {
      m.clock().skip_to(m.events().next_deadline());
      m.events().run_due(m.clock().now_ns());
    }
    m.clock().skip_to(t);
  }
  CHECK(m.clock().now_ns() > 0);
}
