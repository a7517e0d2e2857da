// 8254 PIT, evaluated lazily from virtual time (see pit8254.h). Mode semantics follow the Intel
// 8254 data sheet (order 231164), "Mode Definitions" and figures 12-17:
// - a count written at tick Tw is loaded into the counting element by the next CLK pulse
//   (tick Tw+1), which does not decrement it; each later pulse decrements it;
// - mode 0: OUT low until the count reaches 0 (N+1 pulses after the write); 1: one-shot, OUT low
//   from the trigger until 0; 2: OUT low for one pulse when the count reaches 1, reload N;
//   3: square wave, OUT high for ceil(N/2) pulses and low for floor(N/2), the count decrementing
//   by two (odd counts: see count_at); 4/5: one-pulse low strobe when the count reaches 0;
// - GATE: modes 0/4 suspend counting while low; modes 2/3 force OUT high while low and reload on
//   the rising edge; modes 1/5 trigger on the rising edge.
// Approximation: in mode 3 a count written while running takes effect at the end of the current
// full period (the data sheet says half-cycle).
#include "devices/pit8254.h"

#include <algorithm>

namespace pcjit::devices {
namespace {

constexpr u64 kNsPerSec = 1'000'000'000ull;
constexpr u64 kNever = ~u64{0};
// Port 0x61 bit 4 toggles with every DRAM refresh request (every 15.085 us on the AT).
constexpr u64 kRefreshNs = 15085;

u32 from_bcd(u32 v) {
  return (v & 0xF) + ((v >> 4) & 0xF) * 10 + ((v >> 8) & 0xF) * 100 + ((v >> 12) & 0xF) * 1000;
}
u16 to_bcd(u32 v) {
  return static_cast<u16>((v % 10) | ((v / 10 % 10) << 4) | ((v / 100 % 10) << 8) | ((v / 1000 % 10) << 12));
}
u32 modulus(const Pit8254::Counter& c) { return c.bcd ? 10000u : 65536u; }

// The counting element as seen at `tick`, with a due mode 2/3 reload applied.
struct Phase {
  u64 base;
  u32 n;
};
Phase phase(const Pit8254::Counter& c, u64 tick) {
  if (c.reload_pending && tick >= c.null_until) return {c.null_until, c.pending_reload};
  return {c.base_tick, c.base_count};
}
bool counting(const Pit8254::Counter& c, u64 tick) {
  return c.running && tick >= phase(c, tick).base;
}

}  // namespace

u64 Pit8254::ns_to_tick(u64 ns) {
  return (ns / kNsPerSec) * kInputHz + (ns % kNsPerSec) * kInputHz / kNsPerSec;
}

u64 Pit8254::tick_to_ns(u64 tick) {
  u64 r = tick % kInputHz;
  return (tick / kInputHz) * kNsPerSec + (r * kNsPerSec + kInputHz - 1) / kInputHz;
}

u32 Pit8254::count_at(const Counter& c, u64 tick) {
  if (!counting(c, tick)) return c.base_count % modulus(c);
  Phase p = phase(c, tick);
  u64 d = tick - p.base;
  u32 m = modulus(c);
  switch (c.mode) {
    case 2: return static_cast<u32>(p.n - d % p.n) % m;
    case 3: {
      u64 pos = d % p.n;
      u64 high = (p.n + 1) / 2;
      bool odd = p.n & 1;
      u64 j = pos < high ? pos : pos - high;
      if (j == 0) return p.n % m;
      // Odd counts: the first pulse of the high half takes 1 off, that of the low half 3.
      u64 v = odd ? (pos < high ? p.n + 1 - 2 * j : p.n - 1 - 2 * j) : p.n - 2 * j;
      return static_cast<u32>(v) % m;
    }
    default:  // 0, 1, 4, 5: count down and wrap
      return static_cast<u32>((p.n + m - d % m) % m);
  }
}

bool Pit8254::out_at(const Counter& c, u64 tick) {
  if (!counting(c, tick)) return c.out_forced;
  Phase p = phase(c, tick);
  u64 d = tick - p.base;
  switch (c.mode) {
    case 0:
    case 1: return c.done || d >= p.n;
    case 2: return d % p.n != p.n - 1u;
    case 3: return d % p.n < (p.n + 1u) / 2;
    default: return c.done || d != p.n;  // 4, 5
  }
}

u64 Pit8254::out_stable_until(const Counter& c, u64 t) {
  if (!c.running) return kNever;  // out_forced until the next write
  // A reload due later switches the phase there; each branch below holds within one phase.
  u64 limit = c.reload_pending && t < c.null_until ? c.null_until : kNever;
  Phase p = phase(c, t);
  if (t < p.base) return std::min(limit, p.base);  // out_forced until the count is loaded
  u64 d = t - p.base;
  u64 n = p.n;
  u64 next = kNever;
  switch (c.mode) {  // the first d' > d at which out_at's formula for the mode changes value
    case 0:
    case 1:
      if (!c.done && d < n) next = p.base + n;
      break;
    case 2: {  // low only at pos == n-1
      if (n == 0) return t + 1;
      u64 pos = d % n;
      next = pos + 1 < n ? t + (n - 1 - pos) : t + 1;
      break;
    }
    case 3: {  // high for pos < ceil(n/2)
      if (n == 0) return t + 1;
      u64 pos = d % n, high = (n + 1) / 2;
      next = pos < high ? t + (high - pos) : t + (n - pos);
      break;
    }
    default:  // 4, 5: low only at d == n
      if (!c.done && d < n) next = p.base + n;
      else if (!c.done && d == n) next = t + 1;
      break;
  }
  return std::min(limit, next);
}

u64 Pit8254::next_rising_edge(const Counter& c, u64 after) {
  constexpr u64 kNone = kNever;
  if (!c.running) return kNone;
  auto edge_in = [&](u64 base, u32 n) -> u64 {
    switch (c.mode) {
      case 0:
      case 1: return (c.done || base + n <= after) ? kNone : base + n;
      case 4:
      case 5: return (c.done || base + n + 1 <= after) ? kNone : base + n + 1;
      default: {  // 2, 3: OUT rises when a new period starts, at d = k*N (k >= 1)
        if (n < 2) return kNone;
        u64 k = after < base ? 1 : (after - base) / n + 1;
        return base + k * n;
      }
    }
  };
  u64 e = edge_in(c.base_tick, c.base_count);
  // The old period's last edge is the reload boundary itself; later edges follow the new count.
  if (c.reload_pending && e != kNone && e > c.null_until) e = edge_in(c.null_until, c.pending_reload);
  return e;
}

Pit8254::Pit8254(core::Machine& m, core::IrqSink& sink, unsigned irq) : m_(m), sink_(sink), irq_(irq) {
  m.io().map(0x40, 4, this);
  m.io().map(0x61, 1, this);
  reset();
}

Pit8254::~Pit8254() {
  if (s_.irq0_scheduled) m_.events().cancel(s_.irq0_event);
}

void Pit8254::reset() {
  if (s_.irq0_scheduled) m_.events().cancel(s_.irq0_event);
  port61_ = {};
  s_ = State{};
  for (auto& c : s_.ctr) c.out_forced = true;
  s_.ctr[2].gate = false;  // port 0x61 bit 0 resets to 0
}

void Pit8254::write_control(u8 v) {
  port61_ = {};
  unsigned sel = v >> 6;
  u64 t = now_tick();
  if (sel == 3) {  // read-back: bit 5 = 0 latch count, bit 4 = 0 latch status, bits 1-3 = counters
    for (unsigned n = 0; n < 3; ++n) {
      if (!(v & (2u << n))) continue;
      Counter& c = s_.ctr[n];
      if (!(v & 0x20)) latch_count(n);
      if (!(v & 0x10) && !c.status_latched) {
        c.status_latched = true;
        c.latched_status = static_cast<u8>((out_at(c, t) ? 0x80 : 0) | (t < c.null_until ? 0x40 : 0) |
                                           (c.access << 4) | (c.mode << 1) | (c.bcd ? 1 : 0));
      }
    }
    return;
  }
  unsigned access = (v >> 4) & 3;
  if (access == 0) {
    latch_count(sel);
    return;
  }
  Counter& c = s_.ctr[sel];
  bool gate = c.gate;
  c = Counter{};
  c.gate = gate;
  c.access = static_cast<u8>(access);
  c.mode = static_cast<u8>(((v >> 1) & 7) > 5 ? ((v >> 1) & 3) : ((v >> 1) & 7));
  c.bcd = v & 1;
  c.out_forced = c.mode != 0;  // mode 0 starts with OUT low, every other mode high
  c.null_until = ~u64{0};
  if (sel == 0) schedule_irq0();
}

void Pit8254::latch_count(unsigned n) {
  Counter& c = s_.ctr[n];
  if (c.count_latched) return;  // a latched value stays until it is read
  u32 v = count_at(c, now_tick());
  c.latched_count = c.bcd ? to_bcd(v) : static_cast<u16>(v);
  c.count_latched = true;
  c.latch_msb_next = false;
}

void Pit8254::write_counter(unsigned n, u8 v) {
  port61_ = {};
  Counter& c = s_.ctr[n];
  switch (c.access) {
    case 1: load_count(n, v); break;
    case 2: load_count(n, u32{v} << 8); break;
    default:
      if (!c.write_msb_next) {
        c.write_lsb = v;
        c.write_msb_next = true;
        if (c.mode == 0 && c.running) {  // mode 0: the first byte stops counting, OUT goes low
          c.base_count = count_at(c, now_tick());
          c.running = false;
          c.out_forced = false;
          c.done = false;
          if (n == 0) schedule_irq0();
        }
      } else {
        c.write_msb_next = false;
        load_count(n, c.write_lsb | (u32{v} << 8));
      }
      break;
  }
}

void Pit8254::load_count(unsigned n, u32 raw) {
  Counter& c = s_.ctr[n];
  u64 t = now_tick();
  u32 value = c.bcd ? from_bcd(raw) : raw;
  u32 nval = value == 0 ? modulus(c) : value;
  c.reload = nval;
  c.armed = true;
  switch (c.mode) {
    case 0:
    case 4:
      c.base_tick = t + 1;
      c.base_count = nval;
      c.running = c.gate;
      c.done = false;
      c.out_forced = c.mode == 4;
      c.null_until = t + 1;
      break;
    case 2:
    case 3:
      if (c.running) {
        Phase p = phase(c, t);
        u64 d = t + 1 > p.base ? t + 1 - p.base : 0;
        c.base_tick = p.base;
        c.base_count = p.n;
        c.reload_pending = true;
        c.pending_reload = nval;
        c.null_until = p.base + ((d + p.n - 1) / p.n) * p.n;  // end of the current period
        if (c.null_until <= t) c.null_until += p.n;
      } else {
        c.base_tick = t + 1;
        c.base_count = nval;
        c.running = c.gate;
        c.null_until = t + 1;
      }
      break;
    default:  // 1, 5: wait for a gate trigger
      if (!c.running) c.null_until = ~u64{0};
      break;
  }
  if (n == 0) schedule_irq0();
}

void Pit8254::set_gate(unsigned n, bool level) {
  port61_ = {};
  Counter& c = s_.ctr[n];
  if (c.gate == level) return;
  u64 t = now_tick();
  if (c.reload_pending && t >= c.null_until) {  // fold a due reload into the base first
    c.base_tick = c.null_until;
    c.base_count = c.pending_reload;
    c.reload_pending = false;
  }
  c.gate = level;
  if (level) {
    if (!c.armed) return;
    switch (c.mode) {
      case 0:
      case 4:  // resume from the frozen count
        c.base_tick = t;
        c.running = true;
        break;
      default:  // 1, 2, 3, 5: (re)trigger, the count is reloaded by the next CLK pulse
        c.base_tick = t + 1;
        c.base_count = c.reload;
        c.running = true;
        c.done = false;
        c.reload_pending = false;
        c.null_until = t + 1;
        break;
    }
  } else if (c.running) {
    switch (c.mode) {
      case 0:
      case 4: {
        Phase p = phase(c, t);
        bool reached = t >= p.base && t - p.base >= p.n;
        c.out_forced = out_at(c, t);
        c.base_count = count_at(c, t);
        c.done = c.done || reached;
        c.running = false;
        break;
      }
      case 2:
      case 3:
        c.base_count = count_at(c, t);
        c.running = false;
        c.out_forced = true;
        c.reload_pending = false;
        break;
      default: break;  // 1, 5: the gate level does not affect counting
    }
  }
  if (n == 0) schedule_irq0();
}

u8 Pit8254::read_counter(unsigned n) {
  Counter& c = s_.ctr[n];
  if (c.status_latched) {
    c.status_latched = false;
    return c.latched_status;
  }
  if (c.count_latched) {
    u16 v = c.latched_count;
    if (c.access == 1) {
      c.count_latched = false;
      return static_cast<u8>(v);
    }
    if (c.access == 2) {
      c.count_latched = false;
      return static_cast<u8>(v >> 8);
    }
    if (!c.latch_msb_next) {
      c.latch_msb_next = true;
      return static_cast<u8>(v);
    }
    c.count_latched = false;
    c.latch_msb_next = false;
    return static_cast<u8>(v >> 8);
  }
  u32 raw = count_at(c, now_tick());
  u16 v = c.bcd ? to_bcd(raw) : static_cast<u16>(raw);
  if (c.access == 1) return static_cast<u8>(v);
  if (c.access == 2) return static_cast<u8>(v >> 8);
  c.read_msb_next = !c.read_msb_next;
  return c.read_msb_next ? static_cast<u8>(v) : static_cast<u8>(v >> 8);
}

void Pit8254::schedule_irq0() {
  if (s_.irq0_scheduled) {
    m_.events().cancel(s_.irq0_event);
    s_.irq0_scheduled = false;
  }
  u64 e = next_rising_edge(s_.ctr[0], now_tick());
  if (e == ~u64{0}) return;
  s_.irq0_event = m_.events().schedule(tick_to_ns(e), [this] { on_irq0_edge(); });
  s_.irq0_scheduled = true;
}

void Pit8254::on_irq0_edge() {
  s_.irq0_scheduled = false;
  sink_.set_irq(irq_, true);  // an edge into the PIC
  sink_.set_irq(irq_, false);
  schedule_irq0();
}

u8 Pit8254::port61_at(u64 ns) {
  u64 period = ns / kRefreshNs;
  u64 tick = ns_to_tick(ns);
  const Counter& c2 = s_.ctr[2];
  u8 v = static_cast<u8>((s_.port61 & 0x0F) | ((period & 1) ? 0x10 : 0) | (out_at(c2, tick) ? 0x20 : 0));
  u64 until = (period + 1) * kRefreshNs;
  // A refresh period is under 19 ticks, so an OUT2 change further off cannot come first (and
  // tick_to_ns is not asked about far ticks, which could overflow).
  u64 stable = out_stable_until(c2, tick);
  if (stable - tick < 64) until = std::min(until, tick_to_ns(stable));  // > ns: stable > tick
  port61_ = {ns, until - ns, v};
  return v;
}

u32 Pit8254::port_in(u16 port, unsigned) {
  if (port == 0x61) {
    u64 ns = m_.clock().now_ns();
    if (ns - port61_.from_ns < port61_.span) return port61_.value;
    return port61_at(ns);
  }
  if (port == 0x43) return 0xFF;  // the control register is write-only
  return read_counter(port - 0x40u);
}

void Pit8254::port_out(u16 port, unsigned, u32 value) {
  u8 v = static_cast<u8>(value);
  if (port == 0x61) {
    port61_ = {};
    s_.port61 = v & 0x0F;
    set_gate(2, v & 1);
    return;
  }
  if (port == 0x43) {
    write_control(v);
    return;
  }
  write_counter(port - 0x40u, v);
}

}  // namespace pcjit::devices
