// Graphics-mode renderers: the VGA's own modes (planar 16 colours, CGA-compatible 2 bpp
// interleave, 256-colour mode 13h) scanned the way the CRTC does, and the Bochs VBE packed-pixel
// modes (8 bpp through the DAC, 15/16/24/32 bpp direct colour) read from the linear framebuffer.
//
// Output is the mode's logical resolution: a memory row that the CRTC repeats (max scan line > 0
// without CGA banking, e.g. mode 13h's 200 rows on 400 lines) appears once.
#include "vga_render.h"

namespace pcjit::devices::vga_render {

namespace {

enum class Shift { Planar, Cga, Pixel256 };

// One 4-plane group (the four bytes of a CRTC address) as up to 8 colour indexes (returns count).
unsigned decode_group(Shift shift, const u8* b, u8 out[8]) {
  switch (shift) {
    case Shift::Pixel256:
      for (unsigned i = 0; i < 4; ++i) out[i] = b[i];
      return 4;
    case Shift::Cga:  // GR5 bit 5: 2-bit pixels, plane 0 then plane 1, most significant first
      for (unsigned i = 0; i < 4; ++i) {
        out[i] = (b[0] >> (6 - 2 * i)) & 3;
        out[4 + i] = (b[1] >> (6 - 2 * i)) & 3;
      }
      return 8;
    default:  // bit 7 of each plane is the leftmost pixel; plane p gives colour bit p
      for (unsigned i = 0; i < 8; ++i) {
        unsigned bit = 7 - i;
        out[i] = static_cast<u8>(((b[0] >> bit) & 1) | (((b[1] >> bit) & 1) << 1) | (((b[2] >> bit) & 1) << 2) |
                                 (((b[3] >> bit) & 1) << 3));
      }
      return 8;
  }
}

// Scans width x height pixels starting at CRTC address `start`, `pitch` addresses per row.
// Addresses wrap at addr_mask (the CRTC's 16-bit counter). row_address maps an output line to its first address (CGA banking lives there).
template <typename RowAddress, typename Colour>
RgbImage scan(const u8* vram, Shift shift, unsigned width, unsigned height, unsigned addr_mask, RowAddress row_address,
              Colour colour) {
  RgbImage img = blank_image(width, height);
  for (unsigned y = 0; y < height; ++y) {
    unsigned addr = row_address(y);
    for (unsigned x = 0; x < width; ++addr) {
      u8 idx[8];
      unsigned n = decode_group(shift, &vram[((addr & addr_mask) * 4u) & (Vga::kVramSize - 1)], idx);
      for (unsigned i = 0; i < n && x < width; ++i, ++x) put_pixel(img, x, y, colour(idx[i]));
    }
  }
  return img;
}

u32 expand5(u32 v) { return (v << 3) | (v >> 2); }
u32 expand6(u32 v) { return (v << 2) | (v >> 4); }

}  // namespace

RgbImage render_graphics(const Vga::State& s, const u8* vram) {
  Shift shift = (s.gr[5] & 0x40) ? Shift::Pixel256 : (s.gr[5] & 0x20) ? Shift::Cga : Shift::Planar;
  unsigned width = (s.crtc[1] + 1u) * 8;
  if (shift == Shift::Pixel256) width /= 2;  // two dot clocks per 8-bit pixel
  unsigned scans_per_row = (s.crtc[9] & 0x1F) + 1u;
  unsigned lines = vertical_display(s) / ((s.crtc[9] & 0x80) ? 2 : 1);
  // CR17 bits 0/1 clear: the row scan counter's bits 0/1 replace address bits 13/14 (in CPU
  // byte terms; one bit lower in word mode), interleaving CGA/Hercules banks.
  bool cga_banks = !(s.crtc[0x17] & 0x01) || !(s.crtc[0x17] & 0x02);
  unsigned height = cga_banks ? lines : lines / scans_per_row;
  if (width < 8 || height < 1) return blank_image(640, 480);
  unsigned start = start_address(s), pitch = row_pitch(s);
  unsigned bank_shift = (s.crtc[0x17] & 0x40) ? 13 : 12;
  auto row_address = [&](unsigned y) {
    unsigned row = cga_banks ? y / scans_per_row : y;
    unsigned rs = cga_banks ? y % scans_per_row : 0;
    unsigned a = start + row * pitch;
    if (!(s.crtc[0x17] & 0x01)) a = (a & ~(1u << bank_shift)) | ((rs & 1) << bank_shift);
    if (!(s.crtc[0x17] & 0x02)) a = (a & ~(2u << bank_shift)) | ((rs & 2) << bank_shift);
    return a;
  };
  bool direct8 = shift == Shift::Pixel256 || (s.ar[0x10] & 0x40);  // 8-bit colour bypasses the palette
  if (direct8) return scan(vram, shift, width, height, 0xFFFF, row_address, [&](u8 c) { return dac_colour(s, c & s.pel_mask); });
  return scan(vram, shift, width, height, 0xFFFF, row_address, [&](u8 c) { return attribute_colour(s, c); });
}

RgbImage render_vbe(const Vga::State& s, const u8* vram) {
  unsigned width = s.vbe[vbe::kXres], height = s.vbe[vbe::kYres], bpp = s.vbe[vbe::kBpp];
  unsigned virt = s.vbe[vbe::kVirtWidth];
  if (bpp == 4) {  // planar 16-colour VBE modes: 4-plane groups, 8 pixels each
    unsigned pitch = virt / 8;
    unsigned start = s.vbe[vbe::kYOffset] * pitch + s.vbe[vbe::kXOffset] / 8;
    return scan(vram, Shift::Planar, width, height, ~0u, [&](unsigned y) { return start + y * pitch; },
                [&](u8 c) { return attribute_colour(s, c); });
  }
  unsigned bytes = (bpp + 7) / 8;
  std::size_t line = std::size_t{virt} * bytes;
  std::size_t start = line * s.vbe[vbe::kYOffset] + std::size_t{s.vbe[vbe::kXOffset]} * bytes;
  RgbImage img = blank_image(width, height);
  for (unsigned y = 0; y < height; ++y) {
    for (unsigned x = 0; x < width; ++x) {
      std::size_t off = start + y * line + std::size_t{x} * bytes;
      if (off + bytes > Vga::kVramSize) continue;
      const u8* p = &vram[off];
      u32 rgb;
      switch (bpp) {
        case 8: rgb = dac_colour(s, p[0]); break;
        case 15: {
          u32 v = p[0] | u32{p[1]} << 8;
          rgb = expand5((v >> 10) & 31) << 16 | expand5((v >> 5) & 31) << 8 | expand5(v & 31);
          break;
        }
        case 16: {
          u32 v = p[0] | u32{p[1]} << 8;
          rgb = expand5((v >> 11) & 31) << 16 | expand6((v >> 5) & 63) << 8 | expand5(v & 31);
          break;
        }
        default: rgb = u32{p[2]} << 16 | u32{p[1]} << 8 | p[0]; break;  // 24/32: B, G, R(, X)
      }
      put_pixel(img, x, y, rgb);
    }
  }
  return img;
}

}  // namespace pcjit::devices::vga_render
