// Text-mode renderer and text extraction (IBM VGA alphanumeric mode): character codes in plane 0,
// attributes in plane 1, fonts in plane 2 (32 bytes per glyph, eight maps selected by SR3 and
// attribute bit 3), 8- or 9-dot cells (SR1 bit 0), geometry from the CRTC.
#include "vga_render.h"

namespace pcjit::devices::vga_render {

namespace {

struct TextGeometry {
  unsigned cols, rows, cell_w, cell_h, start, pitch;
};

// Returns false when the CRTC does not describe a usable text screen (e.g. never programmed).
bool text_geometry(const Vga::State& s, TextGeometry& g) {
  g.cols = s.crtc[1] + 1u;
  g.cell_w = (s.seq[1] & 1) ? 8 : 9;
  g.cell_h = (s.crtc[9] & 0x1F) + 1u;
  unsigned lines = vertical_display(s) / ((s.crtc[9] & 0x80) ? 2 : 1);
  g.rows = lines / g.cell_h;
  g.start = start_address(s);
  g.pitch = row_pitch(s);
  return g.cols >= 2 && g.rows >= 1;
}

// Plane offset of each font map in plane 2 (IBM VGA, SR3 character map select).
constexpr unsigned kFontMapOffset[8] = {0x0000, 0x4000, 0x8000, 0xC000, 0x2000, 0x6000, 0xA000, 0xE000};

constexpr u8 plane_byte(const u8* vram, unsigned plane_offset, unsigned plane) {
  return vram[(plane_offset & (Vga::kPlaneSize - 1)) * 4u + plane];  // CRTC addresses wrap at 64 KiB
}

// Code page 437 as Unicode code points; 0x00 is shown as a blank.
constexpr u16 kCp437[256] = {
    0x0020, 0x263A, 0x263B, 0x2665, 0x2666, 0x2663, 0x2660, 0x2022, 0x25D8, 0x25CB, 0x25D9, 0x2642, 0x2640,
    0x266A, 0x266B, 0x263C, 0x25BA, 0x25C4, 0x2195, 0x203C, 0x00B6, 0x00A7, 0x25AC, 0x21A8, 0x2191, 0x2193,
    0x2192, 0x2190, 0x221F, 0x2194, 0x25B2, 0x25BC, 0x20,   0x21,   0x22,   0x23,   0x24,   0x25,   0x26,
    0x27,   0x28,   0x29,   0x2A,   0x2B,   0x2C,   0x2D,   0x2E,   0x2F,   0x30,   0x31,   0x32,   0x33,
    0x34,   0x35,   0x36,   0x37,   0x38,   0x39,   0x3A,   0x3B,   0x3C,   0x3D,   0x3E,   0x3F,   0x40,
    0x41,   0x42,   0x43,   0x44,   0x45,   0x46,   0x47,   0x48,   0x49,   0x4A,   0x4B,   0x4C,   0x4D,
    0x4E,   0x4F,   0x50,   0x51,   0x52,   0x53,   0x54,   0x55,   0x56,   0x57,   0x58,   0x59,   0x5A,
    0x5B,   0x5C,   0x5D,   0x5E,   0x5F,   0x60,   0x61,   0x62,   0x63,   0x64,   0x65,   0x66,   0x67,
    0x68,   0x69,   0x6A,   0x6B,   0x6C,   0x6D,   0x6E,   0x6F,   0x70,   0x71,   0x72,   0x73,   0x74,
    0x75,   0x76,   0x77,   0x78,   0x79,   0x7A,   0x7B,   0x7C,   0x7D,   0x7E,   0x2302, 0x00C7, 0x00FC,
    0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4,
    0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2,
    0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF,
    0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561,
    0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C,
    0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584,
    0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398,
    0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7,
    0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

void append_utf8(std::string& out, u32 cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

RgbImage render_text(const Vga::State& s, const u8* vram, const RenderOptions& options) {
  TextGeometry g;
  if (!text_geometry(s, g)) return blank_image(640, 480);  // no mode programmed yet
  RgbImage img = blank_image(g.cols * g.cell_w, g.rows * g.cell_h);
  unsigned map_a = ((s.seq[3] >> 3) & 4) | ((s.seq[3] >> 2) & 3);
  unsigned map_b = ((s.seq[3] >> 2) & 4) | (s.seq[3] & 3);
  bool blink_attr = s.ar[0x10] & 0x08;     // attribute bit 7 blinks instead of brightening
  bool line_graphics = s.ar[0x10] & 0x04;  // 9th column repeats the 8th for 0xC0-0xDF
  unsigned cursor = (unsigned{s.crtc[0x0E]} << 8) | s.crtc[0x0F];
  bool cursor_on = options.cursor && !(s.crtc[0x0A] & 0x20);
  unsigned cursor_first = s.crtc[0x0A] & 0x1F, cursor_last = s.crtc[0x0B] & 0x1F;

  for (unsigned row = 0; row < g.rows; ++row) {
    for (unsigned col = 0; col < g.cols; ++col) {
      unsigned addr = g.start + row * g.pitch + col;
      u8 ch = plane_byte(vram, addr, 0);
      u8 attr = plane_byte(vram, addr, 1);
      u32 fg = attribute_colour(s, attr & 0x0F);
      u32 bg = attribute_colour(s, blink_attr ? (attr >> 4) & 7 : attr >> 4);
      unsigned font = kFontMapOffset[(attr & 0x08) ? map_a : map_b] + ch * 32u;
      bool has_cursor = cursor_on && addr == cursor;
      for (unsigned line = 0; line < g.cell_h; ++line) {
        u8 bits = plane_byte(vram, font + line, 2);
        bool ninth = g.cell_w == 9 && line_graphics && ch >= 0xC0 && ch <= 0xDF && (bits & 1);
        bool cursor_line = has_cursor && line >= cursor_first && line <= cursor_last;
        for (unsigned x = 0; x < g.cell_w; ++x) {
          bool on = x < 8 ? (bits >> (7 - x)) & 1 : ninth;
          put_pixel(img, col * g.cell_w + x, row * g.cell_h + line, on || cursor_line ? fg : bg);
        }
      }
    }
  }
  return img;
}

std::vector<std::string> text_rows(const Vga::State& s, const u8* vram) {
  TextGeometry g;
  std::vector<std::string> rows;
  if (!text_geometry(s, g)) return rows;
  for (unsigned row = 0; row < g.rows; ++row) {
    std::string line;
    for (unsigned col = 0; col < g.cols; ++col) append_utf8(line, kCp437[plane_byte(vram, g.start + row * g.pitch + col, 0)]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    rows.push_back(std::move(line));
  }
  return rows;
}

}  // namespace pcjit::devices::vga_render
