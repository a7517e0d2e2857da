// What the CPU sees of the interrupt controller: an INTR line and an acknowledge cycle.
// The PIC (devices) implements it; the CPU polls it at block boundaries. Devices raise interrupts
// through the controller and never reach into the CPU.
#pragma once
#include "core/types.h"

namespace pcjit::core {

class InterruptController {
 public:
  virtual ~InterruptController() = default;
  virtual bool intr_pending() const = 0;
  // The INTA cycle: returns the vector and updates the controller's in-service state.
  virtual u8 acknowledge() = 0;
};

// Edge- or level-triggered line into an interrupt controller (IRQ number known to the receiver).
class IrqSink {
 public:
  virtual ~IrqSink() = default;
  virtual void set_irq(unsigned irq, bool level) = 0;
};

}  // namespace pcjit::core
