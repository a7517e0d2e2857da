// Intel 8254 programmable interval timer (ports 0x40-0x43) and the PC's port 0x61 (counter 2
// gate, speaker data, OUT2 and the refresh toggle).
//
// The counters are evaluated lazily from virtual time: each counter remembers the clock tick at
// which its counting element held a known value, and every read computes count and OUT from the
// ticks elapsed (1.193182 MHz input, ticks = floor(ns * f / 1e9)). Nothing runs per tick; the
// only event scheduled is the next rising edge of counter 0's OUT, which pulses IRQ0.
//
// Port 0x61 is what firmware polls (GRUB's TSC calibration reads it ~18 million times waiting for
// OUT2), so its value is cached with the span of virtual time over which it cannot change (up to
// the next refresh-toggle flip or the next tick at which OUT2 may move). A read inside the span is
// one compare; every write to the PIT or to port 0x61 drops the cache. The cache is derived from
// State and the clock, so it is not part of State.
#pragma once
#include <array>

#include "core/event_queue.h"
#include "core/interrupts.h"
#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

class Pit8254 final : public core::PortHandler, public core::Device {
 public:
  static constexpr u64 kInputHz = 1193182;

  struct Counter {
    u8 mode = 0;           // 0-5 (6/7 alias 2/3)
    u8 access = 3;         // RW bits: 1 LSB, 2 MSB, 3 LSB then MSB
    bool bcd = false;
    bool gate = true;
    u32 reload = 0x10000;  // count register as a number of ticks (0 written = 65536 / 10000)
    // Counting element: holds `base_count` at tick `base_tick`; counts while `running`.
    u64 base_tick = 0;
    u32 base_count = 0;
    bool running = false;
    bool armed = false;        // a count was written (modes 1/5 then wait for a gate edge)
    bool out_forced = false;   // OUT while not running (e.g. mode 0 before the count)
    bool done = false;         // mode 0/1/4/5 terminal event already happened (OUT latched)
    // Mode 2/3: a count written while running takes effect at the end of the current period.
    bool reload_pending = false;
    u32 pending_reload = 0;
    u64 null_until = 0;        // null-count status bit is 1 while tick < null_until
    // Host-side read/write sequencing.
    bool write_msb_next = false;
    u8 write_lsb = 0;
    bool read_msb_next = false;
    bool count_latched = false;
    u16 latched_count = 0;
    bool latch_msb_next = false;
    bool status_latched = false;
    u8 latched_status = 0;
  };
  struct State {
    std::array<Counter, 3> ctr{};
    u8 port61 = 0;  // bits 0 (gate 2), 1 (speaker data), 2-3 as written
    u64 irq0_event = 0;
    bool irq0_scheduled = false;
  };

  // Claims 0x40-0x43 and 0x61; counter 0's OUT drives `irq` (0) of `sink`.
  Pit8254(core::Machine& m, core::IrqSink& sink, unsigned irq = 0);
  ~Pit8254() override;
  u32 port_in(u16 port, unsigned size) override;
  void port_out(u16 port, unsigned size, u32 value) override;
  void reset() override;
  const char* name() const override { return "pit8254"; }

  // Chip-level access (what the ports do), also for tests and other boards.
  void write_control(u8 v);
  void write_counter(unsigned n, u8 v);
  u8 read_counter(unsigned n);
  void set_gate(unsigned n, bool level);
  bool out(unsigned n) const { return out_at(s_.ctr[n], now_tick()); }
  u32 count(unsigned n) const { return count_at(s_.ctr[n], now_tick()); }
  bool speaker_on() const { return (s_.port61 & 3) == 3; }
  const State& state() const { return s_; }

  static u64 ns_to_tick(u64 ns);
  static u64 tick_to_ns(u64 tick);  // first ns at which ns_to_tick(ns) >= tick

 private:
  u64 now_tick() const { return ns_to_tick(m_.clock().now_ns()); }
  static u32 count_at(const Counter& c, u64 tick);
  static bool out_at(const Counter& c, u64 tick);
  static u64 next_rising_edge(const Counter& c, u64 after_tick);  // ~0 = none
  // A tick > `tick` up to which out_at(c, ·) keeps its value at `tick` (the first tick at which it
  // may change; ~0 = never while the counter is left alone). Early answers are allowed.
  static u64 out_stable_until(const Counter& c, u64 tick);
  u8 port61_at(u64 ns);  // computes the value and refills the cache
  void load_count(unsigned n, u32 value);
  void latch_count(unsigned n);
  void schedule_irq0();
  void on_irq0_edge();

  // Port 0x61's value for every ns in [from_ns, from_ns + span); span 0 = empty.
  struct Port61Cache {
    u64 from_ns = 0;
    u64 span = 0;
    u8 value = 0;
  };

  core::Machine& m_;
  core::IrqSink& sink_;
  unsigned irq_;
  State s_;
  Port61Cache port61_;
};

}  // namespace pcjit::devices
