// 8237A DMA pair and page registers (see dma8237.h). Register numbers follow the Intel 8237A
// datasheet, table 2 ("Word count and address register command codes") and table 3 ("Software
// commands"): registers 0-7 are channel address/count, 8 status/command, 9 request, 10 single
// mask, 11 mode, 12 clear flip-flop, 13 temporary/master clear, 14 clear mask, 15 write all mask.
#include "devices/dma8237.h"

#include <algorithm>
#include <vector>

namespace pcjit::devices {

namespace {
// Page register (offset from 0x80) that supplies address bits 23:16 of each channel (PC/AT).
constexpr std::array<u8, 8> kPageIndex{0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA};
constexpr u8 kModeTypeMask = 0x0C;  // bits 3:2: 00 verify, 01 write (to memory), 10 read
constexpr u8 kModeWrite = 0x04;
constexpr u8 kModeRead = 0x08;
constexpr u8 kModeAutoInit = 0x10;
constexpr u8 kModeDecrement = 0x20;
constexpr u8 kCommandDisable = 0x04;  // command register bit 2: controller disable
}  // namespace

class Dma8237::Ports final : public core::PortHandler {
 public:
  explicit Ports(Dma8237& d) : d_(d) {}
  u32 port_in(u16 port, unsigned size) override {
    u32 v = 0;
    for (unsigned k = 0; k < size; ++k) v |= d_.port_read(static_cast<u16>(port + k)) << (8 * k);
    return v;
  }
  void port_out(u16 port, unsigned size, u32 value) override {
    for (unsigned k = 0; k < size; ++k) d_.port_write(static_cast<u16>(port + k), static_cast<u8>(value >> (8 * k)));
  }

 private:
  Dma8237& d_;
};

Dma8237::Dma8237(core::Machine& m) : m_(m), ports_(std::make_unique<Ports>(*this)) {
  m_.io().map(0x00, 16, ports_.get());
  m_.io().map(0xC0, 32, ports_.get());
  m_.io().map(0x80, 16, ports_.get());
  reset();
}

Dma8237::~Dma8237() {
  m_.io().unmap(0x00, 16);
  m_.io().unmap(0xC0, 32);
  m_.io().unmap(0x80, 16);
}

void Dma8237::reset() {
  s_ = State{};
  dreq_ = {};
}

u32 Dma8237::port_read(u16 port) {
  if (port >= 0x80 && port < 0x90) return s_.pages[port - 0x80];
  if (port < 0x10) return controller_read(0, port);
  if (port >= 0xC0 && port < 0xE0) return (port & 1) ? 0xFF : controller_read(1, (port - 0xC0) >> 1);
  return 0xFF;
}

void Dma8237::port_write(u16 port, u8 value) {
  if (port >= 0x80 && port < 0x90) {
    s_.pages[port - 0x80] = value;
    for (unsigned ch = 0; ch < 8; ++ch)
      if (kPageIndex[ch] == port - 0x80) channel(ch).page = value;
    return;
  }
  if (port < 0x10) return controller_write(0, port, value);
  if (port >= 0xC0 && port < 0xE0 && !(port & 1)) controller_write(1, (port - 0xC0) >> 1, value);
}

u8 Dma8237::controller_read(unsigned c, unsigned reg) {
  Controller& k = s_.ctl[c];
  if (reg < 8) {
    Channel& ch = k.ch[reg >> 1];
    u16 v = (reg & 1) ? ch.count : ch.address;  // reads return the current registers
    u8 b = static_cast<u8>(k.flip_flop ? v >> 8 : v);
    k.flip_flop = !k.flip_flop;
    return b;
  }
  if (reg == 8) {  // status: bits 3:0 TC (cleared by this read), bits 7:4 DREQ
    u8 st = 0;
    for (unsigned i = 0; i < 4; ++i) {
      if (k.ch[i].tc) st |= static_cast<u8>(1u << i);
      if (dreq_[c * 4 + i] || k.ch[i].request) st |= static_cast<u8>(0x10u << i);
      k.ch[i].tc = false;
    }
    return st;
  }
  if (reg == 13) return k.temp;
  if (reg == 15) {  // not an 8237A register, but the AT-compatible chipsets read back the masks here
    u8 m = 0xF0;
    for (unsigned i = 0; i < 4; ++i)
      if (k.ch[i].masked) m |= static_cast<u8>(1u << i);
    return m;
  }
  return 0xFF;
}

void Dma8237::controller_write(unsigned c, unsigned reg, u8 value) {
  Controller& k = s_.ctl[c];
  if (reg < 8) {
    Channel& ch = k.ch[reg >> 1];
    // Writing address/count loads both the base and the current register (datasheet, "Base and
    // current address/word count registers"), low byte first through the byte-pointer flip-flop.
    u16& base = (reg & 1) ? ch.base_count : ch.base_address;
    base = k.flip_flop ? static_cast<u16>((base & 0x00FF) | value << 8) : static_cast<u16>((base & 0xFF00) | value);
    ((reg & 1) ? ch.count : ch.address) = base;
    k.flip_flop = !k.flip_flop;
    return;
  }
  Channel& sel = k.ch[value & 3];
  switch (reg) {
    case 8: k.command = value; break;
    case 9: sel.request = (value & 4) != 0; break;
    case 10: sel.masked = (value & 4) != 0; break;
    case 11: sel.mode = value & 0xFC; break;
    case 12: k.flip_flop = false; break;
    case 13:  // master clear: like a hardware reset of this controller (masks all set)
      k = Controller{};
      for (Channel& ch : k.ch) ch.page = s_.pages[kPageIndex[c * 4 + static_cast<unsigned>(&ch - k.ch.data())]];
      break;
    case 14:
      for (Channel& ch : k.ch) ch.masked = false;
      break;
    case 15:
      for (unsigned i = 0; i < 4; ++i) k.ch[i].masked = (value >> i) & 1;
      break;
    default: break;
  }
}

bool Dma8237::terminal_count(unsigned ch) const { return ch < 8 && channel(ch).tc; }
bool Dma8237::masked(unsigned ch) const { return ch >= 8 || channel(ch).masked; }
void Dma8237::set_request(unsigned ch, bool level) {
  if (ch < 8) dreq_[ch] = level;
}

// Moves up to len bytes; one "transfer" is a byte (channels 0-3) or a word (4-7). The address
// wraps inside its 64 KiB (128 KiB) page: the 8237 has no carry into the page register.
// Channel 4 is the cascade input; like QEMU we do not require it to be unmasked for 0-3.
template <bool ToMemory>
std::size_t Dma8237::transfer(unsigned ch_no, u8* bytes, std::size_t len) {
  if (ch_no >= 8) return 0;
  Channel& ch = channel(ch_no);
  const unsigned c = ch_no >> 2;
  if (ch.masked || (s_.ctl[c].command & kCommandDisable)) return 0;
  const u8 type = ch.mode & kModeTypeMask;
  const bool verify = type == 0;
  if (!verify && type != (ToMemory ? kModeWrite : kModeRead)) return 0;
  const unsigned unit = c == 0 ? 1 : 2;
  const bool dec = ch.mode & kModeDecrement;
  core::PhysicalMemory& mem = m_.memory();
  std::size_t done = 0;
  while (done + unit <= len) {
    u64 paddr = unit == 1 ? (u64{ch.page} << 16 | ch.address) : (u64{ch.page & 0xFEu} << 16 | u64{ch.address} << 1);
    // Run of consecutive units that neither wraps the address nor passes terminal count.
    std::size_t units = dec ? 1 : std::min<std::size_t>({(len - done) / unit, std::size_t{ch.count} + 1,
                                                                std::size_t{0x10000u} - ch.address});
    std::size_t nbytes = units * unit;
    if (!verify) {
      if constexpr (ToMemory) {
        mem.write_bytes(paddr, std::span<const u8>(bytes + done, nbytes));
      } else {
        mem.read_bytes(paddr, std::span<u8>(bytes + done, nbytes));
      }
    }
    done += nbytes;
    ch.address = static_cast<u16>(dec ? ch.address - units : ch.address + units);
    bool tc = ch.count < units;  // count goes from 0 to 0xFFFF: terminal count
    ch.count = static_cast<u16>(ch.count - units);
    if (tc) {
      ch.tc = true;
      ch.request = false;
      if (ch.mode & kModeAutoInit) {
        ch.address = ch.base_address;
        ch.count = ch.base_count;
      } else {
        ch.masked = true;  // datasheet: TC without autoinitialize sets the channel's mask bit
      }
      break;
    }
  }
  return done;
}

std::size_t Dma8237::write_memory(unsigned ch, std::span<const u8> data) {
  // transfer<true> only reads from the buffer; the cast lets one template serve both directions.
  return transfer<true>(ch, const_cast<u8*>(data.data()), data.size());
}

std::size_t Dma8237::read_memory(unsigned ch, std::span<u8> data) { return transfer<false>(ch, data.data(), data.size()); }

}  // namespace pcjit::devices
