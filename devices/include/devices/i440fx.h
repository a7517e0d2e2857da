// Intel 82441FX PCI and memory controller (the host bridge of the i440FX chipset), 00:00.0.
//
// What the firmware needs from it is the PAM registers (82441FX datasheet, 3.2.19 "PAM - Programmable
// Attribute Map Registers", 0x59-0x5F): each 4-bit field decides whether reads and writes of a
// BIOS-area segment go to DRAM or to the PCI side (the ROM). SeaBIOS copies itself into RAM with the
// segments write-enabled, then makes them read-only. We apply a field through
// PhysicalMemory::set_shadow(). The other registers (DRAM rows, SMRAM 0x72, error control) are
// stored and read back but have no effect on the emulated memory.
#pragma once
#include "core/machine.h"
#include "devices/pci.h"

namespace pcjit::devices {

class I440fx final : public PciFunction, public core::Device {
 public:
  static constexpr u8 kPam0 = 0x59;
  static constexpr u8 kSmram = 0x72;
  // Attaches itself to bus 0 as device 0 function 0.
  I440fx(core::Machine& m, PciBus& bus);

  void config_write(u8 offset, unsigned size, u32 value) override;
  void reset() override;
  const char* name() const override { return "i440fx"; }

  // Re-applies every PAM field to the memory map (also after ROMs were mapped by the loader).
  void apply_pam();

 private:
  void apply_segment(u32 base, u32 size, u8 field);
  core::Machine& m_;
};

}  // namespace pcjit::devices
