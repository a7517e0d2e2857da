// VGA register file: construction and wiring, the sequencer, CRTC, graphics and attribute
// controllers, the DAC and the input status registers (IBM VGA Technical Reference, "Registers").
//
// Registers are stored raw in Vga::State; their meaning is applied where they are used (memory
// access, rendering). Wider port accesses are split into bytes here, so an OUTW to 0x3C4/0x3CE/
// 0x3D4 writes index then data as on the ISA bus.
#include <cstring>
#include <fmt/format.h>

#include "devices/vga.h"

namespace pcjit::devices {

namespace {
// Writable bits per register (reserved bits read back as 0), as QEMU's sr_mask/gr_mask.
constexpr std::array<u8, 8> kSeqMask{0x03, 0x3D, 0x0F, 0x3F, 0x0E, 0x00, 0x00, 0x00};
constexpr std::array<u8, 9> kGrMask{0x0F, 0x0F, 0x0F, 0x1F, 0x03, 0x7B, 0x0F, 0x0F, 0xFF};

// Display timing used only for the status bits of 0x3DA: 640x480@60 (525 lines of 31.778 us,
// 2 lines of vertical sync after 10 lines of front porch; 96 of 800 dot clocks of horizontal
// blanking-to-sync). Virtual time, so polling loops are deterministic.
constexpr u64 kLineNs = 31778;
constexpr u64 kFrameLines = 525;
constexpr u64 kVisibleLines = 480;
constexpr u64 kRetraceFirst = 490, kRetraceLast = 491;
constexpr u64 kHBlankNs = kLineNs * 640 / 800;
}  // namespace

class Vga::Ports final : public core::PortHandler {
 public:
  explicit Ports(Vga& v) : v_(v) {}
  u32 port_in(u16 port, unsigned size) override {
    if (port >= 0x1CE && port <= 0x1D0) return v_.read_vbe(port);
    u32 r = 0;
    for (unsigned k = 0; k < size; ++k) r |= u32{v_.read_port(static_cast<u16>(port + k))} << (8 * k);
    return r;
  }
  void port_out(u16 port, unsigned size, u32 value) override {
    if (port >= 0x1CE && port <= 0x1D0) return v_.write_vbe(port, static_cast<u16>(value));
    for (unsigned k = 0; k < size; ++k) v_.write_port(static_cast<u16>(port + k), static_cast<u8>(value >> (8 * k)));
  }

 private:
  Vga& v_;
};

class Vga::Window final : public core::MmioHandler {
 public:
  explicit Window(Vga& v) : v_(v) {}
  u64 mmio_read(u64 offset, unsigned size) override {
    u64 r = 0;
    for (unsigned k = 0; k < size; ++k) r |= u64{v_.read_window(static_cast<u32>(offset + k))} << (8 * k);
    return r;
  }
  void mmio_write(u64 offset, unsigned size, u64 value) override {
    for (unsigned k = 0; k < size; ++k) v_.write_window(static_cast<u32>(offset + k), static_cast<u8>(value >> (8 * k)));
  }

 private:
  Vga& v_;
};

Vga::Vga(core::Machine& m)
    : m_(m), vram_(static_cast<u8*>(std::calloc(kVramSize, 1))), ports_(std::make_unique<Ports>(*this)),
      window_(std::make_unique<Window>(*this)) {
  if (!vram_) throw Error(fmt::format("vga: cannot allocate {} MiB of video memory", kVramSize >> 20));
  m.io().map(0x3B4, 2, ports_.get());
  m.io().map(0x3BA, 1, ports_.get());
  m.io().map(0x3C0, 16, ports_.get());
  m.io().map(0x3D4, 2, ports_.get());
  m.io().map(0x3DA, 1, ports_.get());
  m.io().map(0x1CE, 3, ports_.get());
  m.memory().map_mmio(kWindowBase, kWindowSize, window_.get(), "vga-window");
  reset();
}

Vga::~Vga() = default;

void Vga::reset() {
  // Power-on: registers cleared (the video BIOS programs a mode); video memory keeps its contents.
  s_ = State{};
  s_.vbe[vbe::kId] = vbe::kId0;
  s_.vbe[vbe::kVideoMemory64k] = static_cast<u16>(kVramSize >> 16);
}

u8 Vga::read_input_status1() {
  // Bit 3: vertical retrace; bit 0: display disabled (horizontal or vertical blanking).
  u64 t = m_.clock().now_ns();
  u64 line = (t / kLineNs) % kFrameLines;
  bool vretrace = line >= kRetraceFirst && line <= kRetraceLast;
  bool blank = line >= kVisibleLines || (t % kLineNs) >= kHBlankNs;
  s_.ar_flipflop = false;  // reading input status 1 resets the attribute flip-flop to "index"
  return static_cast<u8>((vretrace ? 0x08 : 0) | (blank ? 0x01 : 0));
}

u8 Vga::read_port(u16 port) {
  bool color = s_.misc & 1;  // I/O address select: 0x3Dx when set, 0x3Bx otherwise
  if ((port >= 0x3B0 && port < 0x3C0 && color) || (port >= 0x3D0 && port < 0x3E0 && !color)) return 0xFF;
  switch (port) {
    case 0x3C0: return s_.ar_index;
    case 0x3C1: return (s_.ar_index & 0x1F) < s_.ar.size() ? s_.ar[s_.ar_index & 0x1F] : 0;
    case 0x3C2: return 0;  // input status 0: no switch sense, no pending CRT interrupt
    case 0x3C3: return 1;  // video subsystem enable
    case 0x3C4: return s_.seq_index;
    case 0x3C5: return s_.seq[s_.seq_index & 7];
    case 0x3C6: return s_.pel_mask;
    case 0x3C7: return s_.dac_state;
    case 0x3C8: return s_.dac_write_index;
    case 0x3C9: {
      u8 v = s_.dac[s_.dac_read_index * 3u + s_.dac_sub];
      if (++s_.dac_sub == 3) {
        s_.dac_sub = 0;
        ++s_.dac_read_index;
      }
      return v;
    }
    case 0x3CA: return s_.feature;
    case 0x3CC: return s_.misc;
    case 0x3CE: return s_.gr_index;
    case 0x3CF: return s_.gr_index < s_.gr.size() ? s_.gr[s_.gr_index] : 0;
    case 0x3B4: case 0x3D4: return s_.crtc_index;
    case 0x3B5: case 0x3D5: return s_.crtc_index < s_.crtc.size() ? s_.crtc[s_.crtc_index] : 0;
    case 0x3BA: case 0x3DA: return read_input_status1();
    default: return 0xFF;
  }
}

void Vga::write_port(u16 port, u8 v) {
  bool color = s_.misc & 1;
  if ((port >= 0x3B0 && port < 0x3C0 && color) || (port >= 0x3D0 && port < 0x3E0 && !color)) return;
  switch (port) {
    case 0x3C0:
      if (!s_.ar_flipflop) {
        s_.ar_index = v & 0x3F;
      } else {
        // Palette entries are 6 bits. Like QEMU, writes are accepted whatever the palette
        // address source bit says (vgabios clears it around palette writes anyway).
        unsigned i = s_.ar_index & 0x1F;
        if (i < s_.ar.size()) s_.ar[i] = i < 16 ? (v & 0x3F) : v;
      }
      s_.ar_flipflop = !s_.ar_flipflop;
      break;
    case 0x3C2: s_.misc = v; break;
    case 0x3C4: s_.seq_index = v & 7; break;
    case 0x3C5: s_.seq[s_.seq_index] = v & kSeqMask[s_.seq_index]; break;
    case 0x3C6: s_.pel_mask = v; break;
    case 0x3C7:
      s_.dac_read_index = v;
      s_.dac_sub = 0;
      s_.dac_state = 3;
      break;
    case 0x3C8:
      s_.dac_write_index = v;
      s_.dac_sub = 0;
      s_.dac_state = 0;
      break;
    case 0x3C9: {
      // The three components are latched and written together after the blue one.
      bool dac8 = s_.vbe[vbe::kEnable] & vbe::kDac8Bit;
      s_.dac_latch[s_.dac_sub] = dac8 ? v : (v & 0x3F);
      if (++s_.dac_sub == 3) {
        std::memcpy(&s_.dac[s_.dac_write_index * 3u], s_.dac_latch.data(), 3);
        s_.dac_sub = 0;
        ++s_.dac_write_index;
      }
      break;
    }
    case 0x3CE: s_.gr_index = v & 0x0F; break;
    case 0x3CF:
      if (s_.gr_index < s_.gr.size()) s_.gr[s_.gr_index] = v & kGrMask[s_.gr_index];
      break;
    case 0x3B4: case 0x3D4: s_.crtc_index = v; break;
    case 0x3B5: case 0x3D5: {
      unsigned i = s_.crtc_index;
      if (i >= s_.crtc.size()) break;
      // CR11 bit 7 write-protects CR0-CR7, except the line compare bit 4 of CR7.
      if ((s_.crtc[0x11] & 0x80) && i <= 7) {
        if (i == 7) s_.crtc[7] = static_cast<u8>((s_.crtc[7] & ~0x10) | (v & 0x10));
        break;
      }
      s_.crtc[i] = v;
      break;
    }
    case 0x3BA: case 0x3DA: s_.feature = v; break;
    default: break;
  }
}

}  // namespace pcjit::devices
