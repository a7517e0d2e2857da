// Internal interface of the VGA renderers (text, graphics, VBE): pure functions of the register
// state and video memory, so they run on request without touching the guest-visible state.
#pragma once
#include <string>
#include <vector>

#include "devices/vga.h"

namespace pcjit::devices::vga_render {

// Colour of DAC entry `index` as 0xRRGGBB (6-bit DAC values scaled to 8 bits unless VBE DAC8).
u32 dac_colour(const Vga::State& s, u8 index);
// A 4-bit text/planar colour through the attribute controller (colour plane enable, palette,
// P5:P4 / P7:P6 colour select; IBM VGA attribute controller registers 0x00-0x14) to the DAC.
u32 attribute_colour(const Vga::State& s, u8 colour);
// Vertical display end + 1 from CR12 and its overflow bits in CR7.
unsigned vertical_display(const Vga::State& s);
// Start address (CR0C:CR0D) and row pitch (CR13 * 2), both in 4-plane groups.
unsigned start_address(const Vga::State& s);
unsigned row_pitch(const Vga::State& s);

RgbImage blank_image(unsigned width, unsigned height);
RgbImage render_text(const Vga::State& s, const u8* vram, const RenderOptions& options);
std::vector<std::string> text_rows(const Vga::State& s, const u8* vram);
RgbImage render_graphics(const Vga::State& s, const u8* vram);
RgbImage render_vbe(const Vga::State& s, const u8* vram);

inline void put_pixel(RgbImage& img, unsigned x, unsigned y, u32 rgb) {
  u8* p = &img.pixels[(static_cast<std::size_t>(y) * img.width + x) * 3];
  p[0] = static_cast<u8>(rgb >> 16);
  p[1] = static_cast<u8>(rgb >> 8);
  p[2] = static_cast<u8>(rgb);
}

}  // namespace pcjit::devices::vga_render
