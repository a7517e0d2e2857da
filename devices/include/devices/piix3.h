// Intel 82371SB PIIX3 function 0: the PCI-to-ISA bridge, 00:01.0 (8086:7000).
//
// What matters to an emulated PC: the PIRQ route control registers (82371SB datasheet 2.2.14,
// PIRQRC[A:D] at 0x60-0x63: bit 7 IRQROUTEN# disables routing, bits 3:0 pick the ISA IRQ), which
// we push to the PciBus so INTx of PCI functions reaches the PIC, and the reset control register
// at port 0xCF9 (datasheet 2.3.1, "RC"). The function is multi-function (header type 0x80) because
// the IDE (01.1) and power-management (01.3) functions live behind it. Every other
// device-specific register is stored with its datasheet default so firmware reads back sane values.
#pragma once
#include <memory>

#include "core/machine.h"
#include "devices/pci.h"

namespace pcjit::devices {

class Piix3 final : public PciFunction, public core::Device {
 public:
  static constexpr u8 kPirqRoute = 0x60;
  static constexpr u16 kResetPort = 0xCF9;
  // Attaches itself to bus 0 as device 1 function 0 and claims port 0xCF9.
  Piix3(core::Machine& m, PciBus& bus);
  ~Piix3() override;

  void config_write(u8 offset, unsigned size, u32 value) override;
  void reset() override;
  const char* name() const override { return "piix3"; }

  u8 reset_control() const { return rc_; }
  void write_reset_control(u8 value);

 private:
  class ResetPort;
  void push_routes();
  core::Machine& m_;
  PciBus& bus_;
  std::unique_ptr<ResetPort> port_;
  u8 rc_ = 0;
};

}  // namespace pcjit::devices
