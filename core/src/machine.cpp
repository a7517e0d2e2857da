// The machine loop: run the CPU up to the next event deadline, fire due events, repeat.
// HLT with nothing pending skips virtual time straight to the next event.
#include "core/machine.h"

#include <algorithm>

namespace pcjit::core {

Machine::Machine(const MachineConfig& config)
    : config_(config), memory_(config.ram_bytes), clock_(config.ns_per_insn_x256) {
  // A device that schedules an event while the CPU runs (e.g. the PIT being programmed) moves the
  // deadline the CPU's budget was computed from; end the CPU's run so the loop recomputes it.
  events_.set_earlier_deadline_listener([this] {
    if (cpu_) cpu_->request_exit();
  });
}

Machine::~Machine() { cpu_.reset(); }

void Machine::set_processor(std::unique_ptr<Processor> cpu) { cpu_ = std::move(cpu); }

Device& Machine::add_device(std::unique_ptr<Device> dev) {
  devices_.push_back(std::move(dev));
  return *devices_.back();
}

void Machine::reset() {
  for (auto& d : devices_) d->reset();
  if (cpu_) cpu_->reset();
  stop_ = StopInfo{};
}

void Machine::request_stop(StopKind kind, int status, std::string message) {
  if (stop_.kind != StopKind::None) return;
  stop_ = StopInfo{kind, status, std::move(message)};
  if (cpu_) cpu_->request_exit();
}

void Machine::request_reset() {
  reset_pending_ = true;
  if (cpu_) cpu_->request_exit();
}

StopInfo Machine::run(const RunLimits& limits) {
  if (!cpu_) throw Error("machine: no processor installed");
  const u64 start = clock_.retired();
  while (!stop_requested()) {
    if (reset_pending_) {
      reset_pending_ = false;
      ++resets_;
      for (auto& d : devices_) d->reset();
      cpu_->reset();
    }
    events_.run_due(clock_.now_ns());
    if (stop_requested()) break;
    u64 done = clock_.retired() - start;
    if (done >= limits.max_insns) {
      request_stop(StopKind::InsnLimit, 0, "instruction limit reached");
      break;
    }
    u64 budget = std::min(limits.max_insns - done, clock_.insns_until(events_.next_deadline()));
    if (budget == 0) continue;
    ProcessorExit why = cpu_->run(budget);
    if (why == ProcessorExit::Halted) {
      u64 next = events_.next_deadline();
      if (next == EventQueue::kNever) {
        request_stop(StopKind::Error, 1, "CPU halted with no pending events (HLT with interrupts off?)");
        break;
      }
      clock_.skip_to(next);
    }
  }
  return stop_;
}

}  // namespace pcjit::core
