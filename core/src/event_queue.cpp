// Virtual clock arithmetic and a binary-heap event queue ordered by (time, scheduling order),
// so that events due at the same instant fire in a deterministic order.
#include "core/event_queue.h"

#include <algorithm>

namespace pcjit::core {

u64 VirtualClock::insns_until(u64 t_ns) const {
  u64 now = now_ns();
  if (t_ns <= now) return 0;
  u64 delta = t_ns - now;
  if (delta > (~u64{0} >> 9)) return ~u64{0} >> 9;
  // ceil(delta * 256 / rate)
  return std::max<u64>(1, (delta * 256 + rate_ - 1) / rate_);
}

void VirtualClock::skip_to(u64 t_ns) {
  u64 now = now_ns();
  if (t_ns > now) base_ns_ += t_ns - now;
}

namespace {
struct Later {
  template <class E>
  bool operator()(const E& a, const E& b) const {
    return a.when != b.when ? a.when > b.when : a.id > b.id;
  }
};
}  // namespace

EventId EventQueue::schedule(u64 when_ns, std::function<void()> fn) {
  EventId id = next_id_++;
  const bool earlier = events_.empty() || when_ns < events_.front().when;
  events_.push_back(Event{when_ns, id, std::move(fn)});
  std::push_heap(events_.begin(), events_.end(), Later{});
  if (earlier && on_earlier_) on_earlier_();
  return id;
}

void EventQueue::cancel(EventId id) {
  auto it = std::find_if(events_.begin(), events_.end(), [id](const Event& e) { return e.id == id; });
  if (it == events_.end()) return;
  events_.erase(it);
  std::make_heap(events_.begin(), events_.end(), Later{});
}

void EventQueue::run_due(u64 now_ns) {
  while (!events_.empty() && events_.front().when <= now_ns) {
    std::pop_heap(events_.begin(), events_.end(), Later{});
    Event e = std::move(events_.back());
    events_.pop_back();
    e.fn();  // may schedule new events
  }
}

}  // namespace pcjit::core
