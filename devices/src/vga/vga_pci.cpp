// PCI function of the std VGA (see vga_pci.h). IDs, revision and subsystem IDs as QEMU's
// hw/display/vga-pci.c, which is what vgabios-stdvga.bin and SeaBIOS expect.
#include "devices/vga_pci.h"

#include <algorithm>
#include <bit>

namespace pcjit::devices {

VgaPci::VgaPci(Vga& vga, std::vector<u8> rom)
    : PciFunction(kVendor, kDevice, 0x02, 0x030000), vga_(vga), rom_(std::move(rom)) {
  define_bar(0, Vga::kVramSize, false);
  set_config32(pci::kBar0, 0x08);  // memory, 32-bit, prefetchable (PCI 2.1, 6.2.5.1)
  set_config16(pci::kSubsystemVendor, 0x1AF4);
  set_config16(pci::kSubsystemVendor + 2, 0x1100);
  u32 rom_size = 0;
  if (!rom_.empty()) {
    rom_size = std::bit_ceil(static_cast<u32>(std::max<std::size_t>(rom_.size(), 2048)));
    rom_.resize(std::max<u32>(rom_size, 4096), 0xFF);  // whole pages for the memory map
  }
  if (rom_size) define_rom(rom_size);  // also records the header above as the power-on state
}

VgaPci::~VgaPci() = default;

void VgaPci::bars_changed() {
  u32 lfb = bar_address(0);
  if (lfb == pci::kBarUnmapped) {
    vga_.unmap_lfb();
  } else {
    vga_.map_lfb(lfb);
  }
  u32 rom = rom_address();
  if (rom == rom_mapped_) return;
  auto& mem = vga_.machine().memory();
  if (rom_mapped_ != pci::kBarUnmapped) mem.unmap(rom_mapped_, rom_.size());
  rom_mapped_ = rom;
  // A ROM BAR smaller than a page would cover its page neighbours; the ROM here is >= 32 KiB.
  if (rom != pci::kBarUnmapped) mem.map_rom(rom & ~u32{0xFFF}, rom_, "vgabios");
}

}  // namespace pcjit::devices
