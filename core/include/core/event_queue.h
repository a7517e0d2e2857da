// Virtual time and the device event queue.
//
// Virtual time is derived from retired guest instructions (deterministic: the same run gives the
// same times), expressed in nanoseconds. Devices schedule callbacks at absolute virtual times;
// the machine runs the CPU until the earliest deadline, then fires what is due.
#pragma once
#include <functional>
#include <limits>
#include <vector>

#include "core/types.h"

namespace pcjit::core {

class VirtualClock {
 public:
  // ns_per_insn_x256: virtual nanoseconds per retired instruction, in 1/256 ns (default 1 ns).
  explicit VirtualClock(u32 ns_per_insn_x256 = 256) : rate_(ns_per_insn_x256) {}
  u64 now_ns() const { return base_ns_ + (insns_ * rate_ >> 8); }
  u64 retired() const { return insns_; }
  void retire(u64 n) { insns_ += n; }
  // Instructions that fit before time t (at least 1 if t is in the future, 0 otherwise).
  u64 insns_until(u64 t_ns) const;
  // HLT: jump forward to t without retiring instructions.
  void skip_to(u64 t_ns);
  u32 rate_x256() const { return rate_; }

 private:
  u64 insns_ = 0;
  u64 base_ns_ = 0;
  u32 rate_;
};

using EventId = u64;

class EventQueue {
 public:
  static constexpr u64 kNever = std::numeric_limits<u64>::max();
  EventId schedule(u64 when_ns, std::function<void()> fn);
  void cancel(EventId id);
  u64 next_deadline() const { return events_.empty() ? kNever : events_.front().when; }
  // Fires every event with when <= now, in time order (ties in scheduling order).
  void run_due(u64 now_ns);
  bool empty() const { return events_.empty(); }
  // Called when schedule() makes a new event the earliest one: the machine uses it to make a CPU
  // that is running against the old deadline return early, so the new event is not late.
  void set_earlier_deadline_listener(std::function<void()> fn) { on_earlier_ = std::move(fn); }

 private:
  struct Event {
    u64 when;
    EventId id;
    std::function<void()> fn;
  };
  std::vector<Event> events_;  // a heap ordered by (when, id)
  EventId next_id_ = 1;
  std::function<void()> on_earlier_;
};

}  // namespace pcjit::core
