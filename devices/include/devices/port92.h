// System control port A (0x92, "fast A20"), as on the PS/2 and every chipset since: bit 1 drives
// the A20 gate, a 0->1 transition of bit 0 pulses the CPU reset line (IBM PS/2 Hardware Interface
// Technical Reference, "System Control Port A"). Shares the A20 gate with the 8042's output port:
// whichever was written last wins, as both drive the same line into PhysicalMemory.
#pragma once
#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

class Port92 final : public core::PortHandler, public core::Device {
 public:
  struct State {
    u8 value = 0;  // bits as last written (bit 0 reads back; bit 1 reflects the A20 gate)
  };
  explicit Port92(core::Machine& m);
  u32 port_in(u16 port, unsigned size) override;
  void port_out(u16 port, unsigned size, u32 value) override;
  void reset() override { s_ = State{}; }
  const char* name() const override { return "port92"; }
  const State& state() const { return s_; }

 private:
  core::Machine& m_;
  State s_;
};

}  // namespace pcjit::devices
