// The VGA as PCI function 1234:1111 (QEMU's "std VGA", class 0x0300): BAR0 is the 16 MiB
// prefetchable linear framebuffer and the expansion ROM BAR holds the video BIOS
// (vgabios-stdvga.bin, given by the board as bytes) so SeaBIOS finds and runs it.
//
// The function maps what its BARs say whenever they move or memory decode changes: the LFB as
// host memory (CPU fast path), the ROM as a read-only copy. The 0xA0000 window stays with Vga.
#pragma once
#include <vector>

#include "devices/pci.h"
#include "devices/vga.h"

namespace pcjit::devices {

class VgaPci final : public PciFunction {
 public:
  static constexpr u16 kVendor = 0x1234;
  static constexpr u16 kDevice = 0x1111;
  // rom: the option ROM image (may be empty: no ROM BAR).
  VgaPci(Vga& vga, std::vector<u8> rom);
  ~VgaPci() override;

 protected:
  void bars_changed() override;

 private:
  Vga& vga_;
  std::vector<u8> rom_;  // padded to the ROM BAR size
  u32 rom_mapped_ = pci::kBarUnmapped;
};

}  // namespace pcjit::devices
