// Standard VGA (IBM VGA register set, 256 KiB planar memory) plus the Bochs VBE "dispi" extension
// with a 16 MiB linear framebuffer, as QEMU's "std VGA" presents them to vgabios-stdvga.bin.
//
// Why it is built so:
// - Chip logic (this class) is separate from the wiring: small adapters inside the .cpp files
//   claim the ports (0x3B4/0x3B5/0x3BA, 0x3C0-0x3CF, 0x3D4/0x3D5/0x3DA, 0x1CE-0x1D0) and the
//   0xA0000-0xBFFFF window (always MMIO: the planar logic needs every access); the PCI function
//   (vga_pci.h) maps the linear framebuffer as host memory, so LFB accesses take the CPU fast path.
// - Video memory is one 16 MiB buffer. The four legacy planes alias its start interleaved the way
//   QEMU lays them out: plane p, plane offset o lives at byte 4*o + p. Chain-4 (mode 13h) and
//   VBE modes then address the buffer linearly, and one "CRTC address" is one 32-bit group of the
//   four planes, which is also how the renderers scan it. (Real hardware's word/doubleword CRTC
//   address rotation is folded into this layout; a guest that writes in odd/even mode and reads
//   back in planar mode sees QEMU's layout, not IBM's.)
// - Rendering is on request only (render(), text_screen(), write_png()); nothing runs per frame.
// - All registers live in a plain State struct (snapshots later); the vertical retrace bit is
//   computed from virtual time, never the wall clock.
#pragma once
#include <array>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/machine.h"

namespace pcjit::devices {

// An RGB image, 3 bytes per pixel, rows top to bottom.
struct RgbImage {
  unsigned width = 0;
  unsigned height = 0;
  std::vector<u8> pixels;
  // 0xRRGGBB of pixel (x, y).
  u32 pixel(unsigned x, unsigned y) const {
    const u8* p = &pixels[(static_cast<std::size_t>(y) * width + x) * 3];
    return u32{p[0]} << 16 | u32{p[1]} << 8 | p[2];
  }
};

// Writes an RGB image as an 8-bit PNG (libpng). Throws pcjit::Error naming the file on failure.
void write_png(const RgbImage& image, const std::string& path);

struct RenderOptions {
  bool cursor = false;  // draw the text-mode cursor (as if in the visible blink phase)
};

namespace vbe {
// Bochs VBE dispi register indices and ENABLE bits (Bochs vbe.h / QEMU hw/display/vga.h).
inline constexpr u16 kId = 0, kXres = 1, kYres = 2, kBpp = 3, kEnable = 4, kBank = 5,
                     kVirtWidth = 6, kVirtHeight = 7, kXOffset = 8, kYOffset = 9,
                     kVideoMemory64k = 10, kRegCount = 11;
inline constexpr u16 kEnabled = 0x01, kGetCaps = 0x02, kDac8Bit = 0x20, kLfbEnabled = 0x40,
                     kNoClearMem = 0x80;
inline constexpr u16 kId0 = 0xB0C0, kId5 = 0xB0C5;
inline constexpr u16 kMaxXres = 2560, kMaxYres = 1600, kMaxBpp = 32;
}  // namespace vbe

class Vga final : public core::Device {
 public:
  static constexpr u32 kVramSize = 16u << 20;
  static constexpr u32 kPlaneSize = 64u << 10;
  static constexpr u64 kWindowBase = 0xA0000;
  static constexpr u64 kWindowSize = 0x20000;

  struct State {
    u8 misc = 0;  // miscellaneous output (0x3C2 / 0x3CC)
    u8 feature = 0;
    u8 seq_index = 0;
    std::array<u8, 8> seq{};
    u8 gr_index = 0;
    std::array<u8, 9> gr{};
    u8 crtc_index = 0;
    std::array<u8, 0x19> crtc{};
    u8 ar_index = 0;        // bits 0-4 register, bit 5 palette address source (screen on)
    bool ar_flipflop = false;  // false: next 0x3C0 write is an index
    std::array<u8, 0x15> ar{};
    u8 pel_mask = 0xFF;
    u8 dac_read_index = 0;
    u8 dac_write_index = 0;
    u8 dac_sub = 0;    // which of R, G, B the next 0x3C9 access is
    u8 dac_state = 0;  // 0x3C7 read: 0 = write mode, 3 = read mode
    std::array<u8, 3> dac_latch{};
    std::array<u8, 768> dac{};  // 6-bit (or 8-bit with VBE DAC8) R, G, B per entry
    std::array<u8, 4> latch{};  // one byte per plane, loaded by planar reads
    u16 vbe_index = 0;
    std::array<u16, vbe::kRegCount> vbe{};
    u32 vbe_bank_offset = 0;
  };

  explicit Vga(core::Machine& m);
  ~Vga() override;
  Vga(const Vga&) = delete;
  Vga& operator=(const Vga&) = delete;

  void reset() override;
  const char* name() const override { return "vga"; }

  // The register file, one byte at a time (the port adapter splits wider accesses).
  u8 read_port(u16 port);
  void write_port(u16 port, u8 value);
  // Bochs VBE: 0x1CE index, 0x1CF (and the 0x1D0 alias) data, 16 bits wide.
  u16 read_vbe(u16 port);
  void write_vbe(u16 port, u16 value);
  // The legacy memory window, offset relative to 0xA0000 (0 .. 0x1FFFF).
  u8 read_window(u32 offset);
  void write_window(u32 offset, u8 value);

  // Host-side views of the current screen.
  RgbImage render(const RenderOptions& options = {}) const;
  // Text modes: one string per row (code page 437 as UTF-8, trailing blanks removed, NUL as a
  // blank). Graphics modes: empty.
  std::vector<std::string> text_screen() const;
  void write_png(const std::string& path, const RenderOptions& options = {}) const;

  bool vbe_enabled() const { return s_.vbe[vbe::kEnable] & vbe::kEnabled; }
  bool text_mode() const { return !vbe_enabled() && !(s_.gr[6] & 1); }

  // The linear framebuffer as guest memory: mapped as host memory at base (page-aligned).
  void map_lfb(u64 base);
  void unmap_lfb();
  u64 lfb_base() const { return lfb_base_; }

  u8* vram() { return vram_.get(); }
  const u8* vram() const { return vram_.get(); }
  State& state() { return s_; }
  const State& state() const { return s_; }
  core::Machine& machine() { return m_; }

 private:
  class Ports;
  class Window;
  // Translates a window offset to a video-memory offset for the current GR6 map (false: unmapped).
  bool window_to_vram(u32 offset, u32& addr) const;
  // Video-memory index of plane 0 at a plane offset (64 KiB planes, except in VBE planar modes).
  u32 plane_base(u32 plane_offset) const;
  u8 read_input_status1();
  void write_vbe_register(u16 index, u16 value);
  void vbe_fixup();
  u32 vbe_line_offset() const;

  // The 16 MiB come from calloc, not new u8[](): the host kernel gives out zero pages when first
  // touched, so what a text-mode boot never touches costs nothing (zeroing all of it was a fifth
  // of pcjit's start-up).
  struct FreeDeleter {
    void operator()(u8* p) const { std::free(p); }
  };

  core::Machine& m_;
  State s_;
  std::unique_ptr<u8[], FreeDeleter> vram_;
  std::unique_ptr<Ports> ports_;
  std::unique_ptr<Window> window_;
  u64 lfb_base_ = 0;  // 0 = not mapped
};

}  // namespace pcjit::devices
