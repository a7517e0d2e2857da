// Rendering entry points: picks the renderer for the current mode (VBE, text, graphics) and holds
// the colour path shared by all of them (attribute controller, PEL mask, DAC).
#include "vga_render.h"

#include <algorithm>

namespace pcjit::devices {

namespace vga_render {

u32 dac_colour(const Vga::State& s, u8 index) {
  const u8* c = &s.dac[index * 3u];
  if (s.vbe[vbe::kEnable] & vbe::kDac8Bit) return u32{c[0]} << 16 | u32{c[1]} << 8 | c[2];
  auto scale = [](u8 v) { return static_cast<u32>(((v & 0x3F) << 2) | ((v & 0x3F) >> 4)); };
  return scale(c[0]) << 16 | scale(c[1]) << 8 | scale(c[2]);
}

u32 attribute_colour(const Vga::State& s, u8 colour) {
  u8 c = s.ar[colour & s.ar[0x12] & 0x0F] & 0x3F;
  // AR10 bit 7: bits 5:4 come from AR14 bits 1:0; bits 7:6 always come from AR14 bits 3:2.
  if (s.ar[0x10] & 0x80) c = static_cast<u8>((c & 0x0F) | ((s.ar[0x14] & 3) << 4));
  c = static_cast<u8>(c | ((s.ar[0x14] & 0x0C) << 4));
  return dac_colour(s, c & s.pel_mask);
}

unsigned vertical_display(const Vga::State& s) {
  return (s.crtc[0x12] | ((s.crtc[7] & 0x02) << 7) | ((s.crtc[7] & 0x40) << 3)) + 1u;
}

unsigned start_address(const Vga::State& s) { return (unsigned{s.crtc[0x0C]} << 8) | s.crtc[0x0D]; }
unsigned row_pitch(const Vga::State& s) { return s.crtc[0x13] * 2u; }

RgbImage blank_image(unsigned width, unsigned height) {
  RgbImage img;
  img.width = width;
  img.height = height;
  img.pixels.assign(static_cast<std::size_t>(width) * height * 3, 0);
  return img;
}

}  // namespace vga_render

RgbImage Vga::render(const RenderOptions& options) const {
  using namespace vga_render;
  if (vbe_enabled()) return render_vbe(s_, vram_.get());
  RgbImage img = text_mode() ? render_text(s_, vram_.get(), options) : render_graphics(s_, vram_.get());
  // The screen is dark while the palette address source is 0 (palette being loaded) or the
  // sequencer's screen-off bit (SR1 bit 5) is set.
  if (!(s_.ar_index & 0x20) || (s_.seq[1] & 0x20)) std::fill(img.pixels.begin(), img.pixels.end(), u8{0});
  return img;
}

std::vector<std::string> Vga::text_screen() const {
  if (!text_mode()) return {};
  return vga_render::text_rows(s_, vram_.get());
}

void Vga::write_png(const std::string& path, const RenderOptions& options) const {
  devices::write_png(render(options), path);
}

}  // namespace pcjit::devices
