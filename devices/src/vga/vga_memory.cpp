// The 0xA0000-0xBFFFF memory window onto the four planes (IBM VGA Technical Reference, graphics
// controller: write modes 0-3, read modes 0-1, set/reset, data rotate / logical function, bit
// mask; sequencer: map mask, chain-4 and odd/even addressing).
//
// Plane p at plane offset o is video-memory byte 4*o + p (see vga.h), so the four latches are the
// four consecutive bytes of one group. Chain-4 and VBE packed-pixel modes address memory linearly.
#include <algorithm>
#include <bit>

#include "devices/vga.h"

namespace pcjit::devices {

namespace {
constexpr u8 expand_bit(u8 value, unsigned bit) { return (value >> bit) & 1 ? 0xFF : 0x00; }
}  // namespace

u32 Vga::plane_base(u32 plane_offset) const {
  // A VGA plane is 64 KiB (offsets wrap); Bochs VBE planar modes bank past it into the 16 MiB.
  if (!vbe_enabled()) plane_offset &= kPlaneSize - 1;
  return (plane_offset * 4) & (kVramSize - 1);
}

bool Vga::window_to_vram(u32 offset, u32& addr) const {
  // GR6 bits 3:2 memory map select: 128 KiB at A0000, 64 KiB at A0000, 32 KiB at B0000 or B8000.
  switch ((s_.gr[6] >> 2) & 3) {
    case 0: addr = offset; break;
    case 1:
      if (offset >= 0x10000) return false;
      addr = offset + s_.vbe_bank_offset;  // the Bochs VBE bank moves this 64 KiB window
      break;
    case 2:
      if (offset < 0x10000 || offset >= 0x18000) return false;
      addr = offset - 0x10000;
      break;
    default:
      if (offset < 0x18000) return false;
      addr = offset - 0x18000;
      break;
  }
  return true;
}

u8 Vga::read_window(u32 offset) {
  u32 addr;
  if (!window_to_vram(offset, addr)) return 0xFF;
  bool linear = (s_.seq[4] & 0x08) || (vbe_enabled() && s_.vbe[vbe::kBpp] > 4);
  if (linear) return addr < kVramSize ? vram_[addr] : 0xFF;

  unsigned plane = s_.gr[4] & 3;
  u32 plane_offset = addr;
  if (s_.gr[5] & 0x10) {  // host odd/even: A0 picks plane 0/1 (or 2/3 by read map select bit 1)
    plane = (s_.gr[4] & 2) | (addr & 1);
    plane_offset = addr >> 1;
  }
  u32 base = plane_base(plane_offset);
  std::copy_n(&vram_[base], 4, s_.latch.begin());  // every planar read loads the latches
  if (!(s_.gr[5] & 0x08)) return s_.latch[plane];  // read mode 0

  // Read mode 1 (colour compare): a bit is 1 where every plane in the colour don't care mask
  // (GR7) matches the colour compare value (GR2).
  u8 differ = 0;
  for (unsigned p = 0; p < 4; ++p)
    if ((s_.gr[7] >> p) & 1) differ |= s_.latch[p] ^ expand_bit(s_.gr[2], p);
  return static_cast<u8>(~differ);
}

void Vga::write_window(u32 offset, u8 value) {
  u32 addr;
  if (!window_to_vram(offset, addr)) return;
  unsigned map_mask = s_.seq[2] & 0x0F;
  if (vbe_enabled() && s_.vbe[vbe::kBpp] > 4) {
    if (addr < kVramSize) vram_[addr] = value;
    return;
  }
  if (s_.seq[4] & 0x08) {  // chain-4: A1:A0 select the plane (mode 13h)
    if ((map_mask >> (addr & 3)) & 1 && addr < kVramSize) vram_[addr] = value;
    return;
  }
  u32 plane_offset = addr;
  if (!(s_.seq[4] & 0x04)) {  // odd/even: even addresses reach planes 0 and 2, odd ones 1 and 3
    map_mask &= (addr & 1) ? 0x0A : 0x05;
    plane_offset = addr >> 1;
  }
  u32 base = plane_base(plane_offset);

  std::array<u8, 4> data{};
  unsigned mode = s_.gr[5] & 3;
  u8 rotated = std::rotr(value, s_.gr[3] & 7);
  u8 bit_mask = s_.gr[8];
  switch (mode) {
    case 0:  // rotated data, or the set/reset value in planes enabled by GR1
      for (unsigned p = 0; p < 4; ++p) data[p] = (s_.gr[1] >> p) & 1 ? expand_bit(s_.gr[0], p) : rotated;
      break;
    case 1:  // the latches, unchanged by the logical function and the bit mask
      for (unsigned p = 0; p < 4; ++p)
        if ((map_mask >> p) & 1) vram_[base + p] = s_.latch[p];
      return;
    case 2:  // data bit p fills plane p
      for (unsigned p = 0; p < 4; ++p) data[p] = expand_bit(value, p);
      break;
    default:  // 3: set/reset value in every plane, rotated data ANDed into the bit mask
      for (unsigned p = 0; p < 4; ++p) data[p] = expand_bit(s_.gr[0], p);
      bit_mask &= rotated;
      break;
  }
  unsigned func = (s_.gr[3] >> 3) & 3;  // GR3 bits 4:3: replace, AND, OR, XOR with the latch
  for (unsigned p = 0; p < 4; ++p) {
    if (!((map_mask >> p) & 1)) continue;
    u8 d = data[p];
    switch (func) {
      case 1: d &= s_.latch[p]; break;
      case 2: d |= s_.latch[p]; break;
      case 3: d ^= s_.latch[p]; break;
      default: break;
    }
    vram_[base + p] = static_cast<u8>((d & bit_mask) | (s_.latch[p] & ~bit_mask));
  }
}

}  // namespace pcjit::devices
