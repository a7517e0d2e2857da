// MC146818A RTC/CMOS against the Motorola data sheet: time registers in BCD and binary, 12/24
// hour (bit 7 = PM), the SET bit, register C flags cleared on read, periodic rates (table 5),
// update-ended and alarm interrupts with "don't care" bytes, register D VRT, UIP 244 us before
// the update. Calendar truths (weekday, epoch seconds) were computed with Python's datetime.
#include <doctest/doctest.h>

#include "core/machine.h"
#include "devices/rtc_cmos.h"

using namespace pcjit;
using devices::RtcCmos;

namespace {

struct Line final : core::IrqSink {
  unsigned rises = 0;
  bool level = false;
  void set_irq(unsigned, bool l) override {
    if (l && !level) ++rises;
    level = l;
  }
};

constexpr u64 kSec = 1'000'000'000;

struct Rig {
  core::Machine m{core::MachineConfig{}};
  Line irq;
  RtcCmos rtc{m, irq, 8};
  u8 rd(u8 i) { m.io().out(0x70, 1, i); return static_cast<u8>(m.io().in(0x71, 1)); }
  void wr(u8 i, u8 v) { m.io().out(0x70, 1, i); m.io().out(0x71, 1, v); }
  void to_ns(u64 t) {
    while (m.events().next_deadline() <= t) {
      m.clock().skip_to(m.events().next_deadline());
      m.events().run_due(m.clock().now_ns());
    }
    m.clock().skip_to(t);
    m.events().run_due(t);
  }
  // Runs to t, reading register C whenever IRQ8 is up (what an interrupt handler does).
  unsigned serviced_until(u64 t) {
    unsigned n = 0;
    while (m.events().next_deadline() <= t) {
      m.clock().skip_to(m.events().next_deadline());
      m.events().run_due(m.clock().now_ns());
      if (irq.level) {
        ++n;
        rd(0x0C);
      }
    }
    return n;
  }
};

}  // namespace

TEST_CASE("RTC: the default start date reads as 2020-01-01 00:00:00, a Wednesday, in BCD") {
  Rig r;
  CHECK(r.rd(0x00) == 0x00);
  CHECK(r.rd(0x02) == 0x00);
  CHECK(r.rd(0x04) == 0x00);
  CHECK(r.rd(0x06) == 4);  // Sunday = 1
  CHECK(r.rd(0x07) == 0x01);
  CHECK(r.rd(0x08) == 0x01);
  CHECK(r.rd(0x09) == 0x20);
  CHECK(r.rd(0x32) == 0x20);
  CHECK(r.rd(0x0D) == 0x80);  // VRT
}

TEST_CASE("RTC: BCD time after N virtual seconds; binary and 12-hour formats") {
  Rig r;
  r.to_ns(3725 * kSec + kSec / 2);  // 1 h 2 min 5.5 s
  CHECK(r.rd(0x04) == 0x01);
  CHECK(r.rd(0x02) == 0x02);
  CHECK(r.rd(0x00) == 0x05);
  r.rtc.set_time(1709210096);  // 2024-02-29 12:34:56 UTC, a Thursday
  CHECK(r.rd(0x00) == 0x56);
  CHECK(r.rd(0x04) == 0x12);
  CHECK(r.rd(0x07) == 0x29);
  CHECK(r.rd(0x08) == 0x02);
  CHECK(r.rd(0x09) == 0x24);
  CHECK(r.rd(0x06) == 5);
  r.wr(0x0B, 0x06);  // binary, 24 h
  CHECK(r.rd(0x00) == 56);
  CHECK(r.rd(0x02) == 34);
  r.wr(0x0B, 0x00);  // BCD, 12 h: 12:34 is 12 PM
  CHECK(r.rd(0x04) == 0x92);
  r.to_ns(3725 * kSec + kSec / 2 + 3600 * kSec);
  CHECK(r.rd(0x04) == 0x81);  // 13:34 -> 1 PM
}

TEST_CASE("RTC: time written under SET holds still, then runs from the written value") {
  Rig r;
  r.wr(0x0B, 0x82);  // SET, 24 h, BCD
  r.wr(0x32, 0x19);
  r.wr(0x09, 0x99);
  r.wr(0x08, 0x12);
  r.wr(0x07, 0x31);
  r.wr(0x04, 0x23);
  r.wr(0x02, 0x59);
  r.wr(0x00, 0x58);
  CHECK(r.rtc.time() == 946684798);  // 1999-12-31 23:59:58
  r.to_ns(5 * kSec);
  CHECK(r.rd(0x00) == 0x58);
  r.wr(0x0B, 0x02);  // clear SET at t = 5 s: the next update is at 6 s
  r.to_ns(6 * kSec + 1);
  CHECK(r.rd(0x00) == 0x59);
  r.to_ns(7 * kSec + 1);
  CHECK(r.rd(0x00) == 0x00);
  CHECK(r.rd(0x04) == 0x00);
  CHECK(r.rd(0x07) == 0x01);
  CHECK(r.rd(0x08) == 0x01);
  CHECK(r.rd(0x09) == 0x00);
  CHECK(r.rd(0x32) == 0x20);
  CHECK(r.rd(0x06) == 7);  // 2000-01-01 was a Saturday
}

TEST_CASE("RTC: periodic interrupt at 1024 Hz (RS=6) and 2 Hz (RS=15)") {
  Rig r;
  r.wr(0x0A, 0x26);
  r.wr(0x0B, 0x42);  // PIE
  CHECK(r.serviced_until(kSec) == 1024);
  r.wr(0x0A, 0x2F);
  CHECK(r.serviced_until(3 * kSec) == 4);
}

TEST_CASE("RTC: PF is set without PIE but raises no interrupt; register C clears on read") {
  Rig r;
  r.to_ns(kSec / 100);
  CHECK(r.rd(0x0C) == 0x40);  // PF only: no IRQF, and no update has ended yet
  CHECK(r.rd(0x0C) == 0x00);
  CHECK(r.irq.rises == 0);
}

TEST_CASE("RTC: update-ended interrupt once per second with IRQF and UF") {
  Rig r;
  r.wr(0x0B, 0x12);  // UIE
  r.to_ns(kSec);
  CHECK(r.irq.level);
  CHECK((r.rd(0x0C) & 0x90) == 0x90);
  CHECK_FALSE(r.irq.level);
  CHECK(r.serviced_until(11 * kSec) == 10);
}

TEST_CASE("RTC: alarm interrupt at the programmed time; don't-care bytes match every second") {
  Rig r;
  r.wr(0x01, 0x10);
  r.wr(0x03, 0x00);
  r.wr(0x05, 0x00);
  r.wr(0x0B, 0x22);  // AIE
  r.to_ns(10 * kSec - 1);
  CHECK_FALSE(r.irq.level);
  r.to_ns(10 * kSec);
  CHECK(r.irq.level);
  CHECK((r.rd(0x0C) & 0xA0) == 0xA0);
  r.wr(0x01, 0xC0);
  r.wr(0x03, 0xC0);
  r.wr(0x05, 0xC0);
  CHECK(r.serviced_until(15 * kSec) == 5);
}

TEST_CASE("RTC: UIP is set in the 244 us before an update") {
  Rig r;
  r.to_ns(kSec - 300'000);
  CHECK((r.rd(0x0A) & 0x80) == 0);
  r.to_ns(kSec - 200'000);
  CHECK((r.rd(0x0A) & 0x80) == 0x80);
  r.to_ns(kSec + 1000);
  CHECK((r.rd(0x0A) & 0x80) == 0);
}

TEST_CASE("RTC: NVRAM fields, checksum over 0x10-0x2D and the NMI mask bit") {
  Rig r;
  r.rtc.set_nvram_fields({{0x10, 0x40}, {0x15, 0x80}, {0x16, 0x02}, {0x34, 0x70}});
  CHECK(r.rd(0x10) == 0x40);
  CHECK(r.rd(0x34) == 0x70);
  CHECK(r.rd(0x2E) == 0x00);
  CHECK(r.rd(0x2F) == 0xC2);
  r.wr(0x40, 0x5A);
  CHECK(r.rtc.nvram(0x40) == 0x5A);
  r.m.io().out(0x70, 1, 0x8F);
  CHECK(r.rtc.nmi_masked());
  r.m.io().out(0x70, 1, 0x0F);
  CHECK_FALSE(r.rtc.nmi_masked());
}

TEST_CASE("RTC: reset clears interrupt enables and flags but keeps time and NVRAM") {
  Rig r;
  r.rtc.set_nvram(0x50, 0x11);
  r.wr(0x0B, 0x72);
  r.to_ns(2 * kSec);
  CHECK(r.irq.level);
  r.rtc.reset();
  CHECK_FALSE(r.irq.level);
  CHECK(r.rd(0x0B) == 0x02);
  CHECK(r.rd(0x00) == 0x02);
  CHECK(r.rtc.nvram(0x50) == 0x11);
}
