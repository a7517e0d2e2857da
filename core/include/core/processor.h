// The interface through which the Machine drives a CPU without knowing its type (core does not
// depend on cpu). The composition root (frontends) creates the concrete cpu::Cpu.
#pragma once
#include <string>

#include "core/types.h"

namespace pcjit::core {

enum class ProcessorExit : u8 {
  Budget,    // ran the instructions it was given
  Halted,    // executed HLT with nothing pending: time may skip to the next event
  Stopped,   // the machine asked to stop (exit port, triple fault, debugger)
};

class Processor {
 public:
  virtual ~Processor() = default;
  virtual void reset() = 0;
  // Runs at most max_insns instructions (fewer if it halts or a stop is requested). Retired
  // instructions are added to the machine's clock as they complete.
  virtual ProcessorExit run(u64 max_insns) = 0;
  // Asks a running CPU to return to the machine loop at the next block boundary.
  virtual void request_exit() = 0;
  // Interrupt line raised or lowered: wakes a halted CPU.
  virtual void interrupt_changed() = 0;
};

}  // namespace pcjit::core
