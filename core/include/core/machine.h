// A Machine owns everything a PC is made of: RAM and the physical map, the port-I/O bus, the
// virtual clock and event queue, the devices, and (through an interface) the CPU.
// Frontends drive it only through this API, so the same machine can be embedded in a test.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_queue.h"
#include "core/interrupts.h"
#include "core/io_bus.h"
#include "core/phys_memory.h"
#include "core/processor.h"

namespace pcjit::core {

struct MachineConfig {
  u64 ram_bytes = 32ull << 20;
  u32 ns_per_insn_x256 = 256;  // virtual-time rate: 1 ns per instruction
};

// Devices that need no CPU access are owned by the machine for lifetime purposes.
class Device {
 public:
  virtual ~Device() = default;
  virtual void reset() {}
  virtual const char* name() const = 0;
};

enum class StopKind : u8 { None, ExitPort, TripleFault, Shutdown, InsnLimit, Error, Debugger };

struct StopInfo {
  StopKind kind = StopKind::None;
  int status = 0;
  std::string message;
};

struct RunLimits {
  u64 max_insns = ~u64{0};  // stop after this many retired instructions
};

class Machine {
 public:
  explicit Machine(const MachineConfig& config);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  PhysicalMemory& memory() { return memory_; }
  IoBus& io() { return io_; }
  VirtualClock& clock() { return clock_; }
  EventQueue& events() { return events_; }
  const MachineConfig& config() const { return config_; }

  void set_processor(std::unique_ptr<Processor> cpu);
  Processor* processor() { return cpu_.get(); }
  void set_interrupt_controller(InterruptController* pic) { pic_ = pic; }
  InterruptController* interrupt_controller() const { return pic_; }
  Device& add_device(std::unique_ptr<Device> dev);
  const std::vector<std::unique_ptr<Device>>& devices() const { return devices_; }

  void reset();
  // Runs until a stop is requested or the limits are reached; returns why it stopped.
  StopInfo run(const RunLimits& limits = {});
  // Any component may ask to stop; the first request wins. The CPU returns at the next boundary.
  void request_stop(StopKind kind, int status, std::string message);
  const StopInfo& stop_info() const { return stop_; }
  // A system reset (8042 pulse, port 0x92 bit 0, 0xCF9): CPU and devices are reset at the next
  // boundary of the run loop; RAM keeps its contents, as on a PC.
  void request_reset();
  u64 reset_count() const { return resets_; }
  bool stop_requested() const { return stop_.kind != StopKind::None; }

 private:
  MachineConfig config_;
  PhysicalMemory memory_;
  IoBus io_;
  VirtualClock clock_;
  EventQueue events_;
  InterruptController* pic_ = nullptr;
  std::vector<std::unique_ptr<Device>> devices_;
  std::unique_ptr<Processor> cpu_;  // destroyed first: it observes memory_
  StopInfo stop_;
  bool reset_pending_ = false;
  u64 resets_ = 0;
};

}  // namespace pcjit::core
