// Bochs VBE ("dispi") interface: index/data ports 0x1CE/0x1CF (0x1D0 is a data alias, as in
// QEMU), resolution/depth/virtual-size/offset registers, the banked 64 KiB window and the linear
// framebuffer mapping. Register semantics follow Bochs' vbe.cc and QEMU's hw/display/vga.c, the
// only definition of this interface; vgabios-stdvga.bin programs it exactly this way.
#include <algorithm>
#include <cstring>

#include "devices/vga.h"

namespace pcjit::devices {

u16 Vga::read_vbe(u16 port) {
  if (port == 0x1CE) return s_.vbe_index;
  u16 i = s_.vbe_index;
  if (i >= vbe::kRegCount) return 0;
  if (s_.vbe[vbe::kEnable] & vbe::kGetCaps) {  // GETCAPS: XRES/YRES/BPP read their maximum
    if (i == vbe::kXres) return vbe::kMaxXres;
    if (i == vbe::kYres) return vbe::kMaxYres;
    if (i == vbe::kBpp) return vbe::kMaxBpp;
  }
  return s_.vbe[i];
}

void Vga::write_vbe(u16 port, u16 value) {
  if (port == 0x1CE) {
    s_.vbe_index = value;
    return;
  }
  if (s_.vbe_index < vbe::kRegCount) write_vbe_register(s_.vbe_index, value);
}

u32 Vga::vbe_line_offset() const {
  u32 w = s_.vbe[vbe::kVirtWidth];
  u32 bpp = s_.vbe[vbe::kBpp];
  return bpp == 4 ? w / 2 : w * ((bpp + 7) / 8);
}

void Vga::write_vbe_register(u16 index, u16 value) {
  auto& r = s_.vbe;
  switch (index) {
    case vbe::kId:
      if (value >= vbe::kId0 && value <= vbe::kId5) r[index] = value;
      break;
    case vbe::kXres: case vbe::kYres: case vbe::kBpp: case vbe::kVirtWidth: case vbe::kXOffset:
    case vbe::kYOffset:
      r[index] = value;
      vbe_fixup();
      break;
    case vbe::kBank: {
      u16 banks = static_cast<u16>(kVramSize >> 16);
      r[index] = static_cast<u16>(value & (banks - 1));
      s_.vbe_bank_offset = u32{r[index]} << 16;
      break;
    }
    case vbe::kEnable:
      if ((value & vbe::kEnabled) && !(r[vbe::kEnable] & vbe::kEnabled)) {
        // Turning the mode on resets the virtual screen and (unless NOCLEARMEM) clears it.
        r[vbe::kVirtWidth] = 0;
        r[vbe::kXOffset] = 0;
        r[vbe::kYOffset] = 0;
        r[vbe::kEnable] |= vbe::kEnabled;
        vbe_fixup();
        if (!(value & vbe::kNoClearMem))
          std::memset(vram_.get(), 0, std::min<std::size_t>(kVramSize, std::size_t{r[vbe::kYres]} * vbe_line_offset()));
      } else {
        s_.vbe_bank_offset = 0;
      }
      r[vbe::kEnable] = value;
      break;
    default:  // VIRT_HEIGHT and VIDEO_MEMORY_64K are computed
      break;
  }
}

void Vga::vbe_fixup() {
  // Keeps the mode inside video memory (QEMU vbe_fixup_regs); only while the mode is enabled, so
  // the firmware can write XRES/YRES/BPP in any order while it is off.
  auto& r = s_.vbe;
  if (!(r[vbe::kEnable] & vbe::kEnabled)) return;
  switch (r[vbe::kBpp]) {
    case 4: case 8: case 15: case 16: case 24: case 32: break;
    default: r[vbe::kBpp] = 8; break;
  }
  u16 xres = std::min(r[vbe::kXres], vbe::kMaxXres) & ~7u;
  r[vbe::kXres] = xres ? xres : 8;
  u16 yres = std::min(r[vbe::kYres], vbe::kMaxYres);
  r[vbe::kYres] = yres ? yres : 1;
  u16 vw = std::max(r[vbe::kVirtWidth], r[vbe::kXres]);
  r[vbe::kVirtWidth] = static_cast<u16>(std::min<u32>(vw & ~7u, 8192));
  u32 line = vbe_line_offset();
  u32 max_y = kVramSize / line;
  if (r[vbe::kYres] > max_y) r[vbe::kYres] = static_cast<u16>(max_y);
  r[vbe::kVirtHeight] = static_cast<u16>(std::min<u32>(max_y, 0xFFFF));
  if (r[vbe::kXOffset] >= r[vbe::kVirtWidth]) r[vbe::kXOffset] = 0;
  u32 bytes_pp = r[vbe::kBpp] == 4 ? 0 : (r[vbe::kBpp] + 7) / 8;
  u64 start = u64{line} * r[vbe::kYOffset] + u64{r[vbe::kXOffset]} * bytes_pp;
  if (start + u64{line} * r[vbe::kYres] > kVramSize) {
    r[vbe::kXOffset] = 0;
    r[vbe::kYOffset] = 0;
  }
}

void Vga::map_lfb(u64 base) {
  if (lfb_base_ == base) return;
  unmap_lfb();
  m_.memory().map_host(base, kVramSize, vram_.get(), "vga-lfb");
  lfb_base_ = base;
}

void Vga::unmap_lfb() {
  if (lfb_base_ == 0) return;
  m_.memory().unmap(lfb_base_, kVramSize);
  lfb_base_ = 0;
}

}  // namespace pcjit::devices
