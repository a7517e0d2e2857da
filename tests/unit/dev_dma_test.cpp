// 8237A DMA pair and PC/AT page registers against the Intel 8237A datasheet (register codes,
// mode register bits, TC behaviour: the mask bit is set at TC unless autoinitialize, status TC
// bits clear on read) and the IBM PC/AT technical reference (page register ports, word channels
// 5-7 addressing (page & 0xFE) << 16 | address << 1).
#include <doctest/doctest.h>

#include <vector>

#include "core/machine.h"
#include "devices/dma8237.h"

using namespace pcjit;

namespace {

struct Rig {
  core::Machine m{core::MachineConfig{}};
  devices::Dma8237 dma{m};
  void out(u16 p, u8 v) { m.io().out(p, 1, v); }
  u8 in(u16 p) { return static_cast<u8>(m.io().in(p, 1)); }
  // Programs channel 0-3 the way a BIOS floppy driver does.
  void setup8(unsigned ch, u8 mode, u8 page, u16 addr, u16 count) {
    static constexpr u16 kPage[4] = {0x87, 0x83, 0x81, 0x82};
    out(0x0A, static_cast<u8>(0x04 | ch));
    out(0x0C, 0);
    out(0x0B, static_cast<u8>(mode | ch));
    out(static_cast<u16>(2 * ch), static_cast<u8>(addr));
    out(static_cast<u16>(2 * ch), static_cast<u8>(addr >> 8));
    out(static_cast<u16>(2 * ch + 1), static_cast<u8>(count));
    out(static_cast<u16>(2 * ch + 1), static_cast<u8>(count >> 8));
    out(kPage[ch], page);
    out(0x0A, static_cast<u8>(ch));
  }
  u8 mem(u64 a) { return static_cast<u8>(m.memory().read(a, 1)); }
};

std::vector<u8> ramp(std::size_t n) {
  std::vector<u8> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<u8>(i * 7 + 1);
  return v;
}

}  // namespace

TEST_CASE("DMA: after reset every channel is masked and transfers move nothing") {
  Rig r;
  for (unsigned ch = 0; ch < 8; ++ch) CHECK(r.dma.masked(ch));
  std::vector<u8> buf(4, 1);
  CHECK(r.dma.write_memory(2, buf) == 0);
}

TEST_CASE("DMA: a write transfer on channel 2 goes to page:address, stops at terminal count, sets TC and the mask") {
  Rig r;
  r.setup8(2, 0x44, 0x02, 0x1000, 511);  // single mode, write to memory; 512 bytes at 0x21000
  CHECK_FALSE(r.dma.masked(2));
  auto data = ramp(600);
  CHECK(r.dma.write_memory(2, data) == 512);
  CHECK(r.mem(0x21000) == data[0]);
  CHECK(r.mem(0x211FF) == data[511]);
  CHECK(r.mem(0x21200) == 0);
  CHECK(r.dma.terminal_count(2));
  CHECK(r.dma.masked(2));
  CHECK((r.in(0x08) & 0x04) == 0x04);  // status TC2
  CHECK((r.in(0x08) & 0x04) == 0x00);  // cleared by the read
  CHECK(r.dma.write_memory(2, data) == 0);
  r.out(0x0C, 0);  // current address / count read back through the flip-flop
  CHECK(r.in(0x04) == 0x00);
  CHECK(r.in(0x04) == 0x12);
  CHECK(r.in(0x05) == 0xFF);
  CHECK(r.in(0x05) == 0xFF);
}

TEST_CASE("DMA: partial transfers continue where they stopped; the direction must match the mode") {
  Rig r;
  r.setup8(1, 0x48, 0x00, 0x3000, 9);  // read from memory (memory -> device), 10 bytes
  auto data = ramp(10);
  r.m.memory().write_bytes(0x3000, data);
  std::vector<u8> got(4);
  CHECK(r.dma.write_memory(1, got) == 0);  // wrong direction
  CHECK(r.dma.read_memory(1, got) == 4);
  CHECK(got[3] == data[3]);
  std::vector<u8> rest(20);
  CHECK(r.dma.read_memory(1, rest) == 6);
  CHECK(rest[5] == data[9]);
  CHECK(r.dma.terminal_count(1));
}

TEST_CASE("DMA: autoinitialize reloads base address and count at TC and leaves the channel unmasked") {
  Rig r;
  r.setup8(3, 0x54, 0x00, 0x4000, 3);
  std::vector<u8> a{1, 2, 3, 4}, b{5, 6, 7, 8};
  CHECK(r.dma.write_memory(3, a) == 4);
  CHECK(r.dma.terminal_count(3));
  CHECK_FALSE(r.dma.masked(3));
  CHECK(r.dma.write_memory(3, b) == 4);
  CHECK(r.mem(0x4000) == 5);
  CHECK(r.mem(0x4003) == 8);
}

TEST_CASE("DMA: address decrement mode walks downwards") {
  Rig r;
  r.setup8(2, 0x64, 0x00, 0x0010, 3);
  std::vector<u8> a{1, 2, 3, 4};
  CHECK(r.dma.write_memory(2, a) == 4);
  CHECK(r.mem(0x10) == 1);
  CHECK(r.mem(0x0F) == 2);
  CHECK(r.mem(0x0D) == 4);
}

TEST_CASE("DMA: the address wraps inside its 64 KiB page (no carry into the page register)") {
  Rig r;
  r.setup8(2, 0x44, 0x05, 0xFFFF, 1);
  std::vector<u8> a{0xAA, 0xBB};
  CHECK(r.dma.write_memory(2, a) == 2);
  CHECK(r.mem(0x5FFFF) == 0xAA);
  CHECK(r.mem(0x50000) == 0xBB);
  CHECK(r.mem(0x60000) == 0x00);
}

TEST_CASE("DMA: word channel 5 counts words at (page & 0xFE) << 16 | address << 1") {
  Rig r;
  auto data = ramp(8);
  r.m.memory().write_bytes(0x40200, data);
  r.out(0xD4, 0x05);   // mask ch5
  r.out(0xD8, 0);      // clear flip-flop
  r.out(0xD6, 0x49);   // single, read from memory, ch5
  r.out(0xC4, 0x00);   // word address 0x0100
  r.out(0xC4, 0x01);
  r.out(0xC6, 0x03);   // 4 words
  r.out(0xC6, 0x00);
  r.out(0x8B, 0x05);   // page 5: bit 0 ignored for word channels
  r.out(0xD4, 0x01);   // unmask
  std::vector<u8> got(9);
  CHECK(r.dma.read_memory(5, got) == 8);
  CHECK(got[0] == data[0]);
  CHECK(got[7] == data[7]);
  CHECK(r.dma.terminal_count(5));
  CHECK((r.in(0xD0) & 0x02) == 0x02);
}

TEST_CASE("DMA: mask register commands (single, clear all, write all) and master clear") {
  Rig r;
  r.out(0x0E, 0);  // clear mask register: all unmasked
  for (unsigned ch = 0; ch < 4; ++ch) CHECK_FALSE(r.dma.masked(ch));
  r.out(0x0F, 0x05);
  CHECK(r.dma.masked(0));
  CHECK_FALSE(r.dma.masked(1));
  CHECK(r.dma.masked(2));
  r.out(0x0A, 0x04 | 1);
  CHECK(r.dma.masked(1));
  r.out(0x0E, 0);
  r.out(0x00, 0x34);  // flip-flop now points at the high byte
  r.out(0x0D, 0);     // master clear: masks set, flip-flop cleared
  for (unsigned ch = 0; ch < 4; ++ch) CHECK(r.dma.masked(ch));
  r.out(0x00, 0x78);
  r.out(0x00, 0x56);
  r.out(0x0C, 0);
  CHECK(r.in(0x00) == 0x78);
  CHECK(r.in(0x00) == 0x56);
}

TEST_CASE("DMA: page registers are plain read/write latches, including the unused ones") {
  Rig r;
  r.out(0x81, 0x12);
  r.out(0x84, 0x34);
  CHECK(r.in(0x81) == 0x12);
  CHECK(r.in(0x84) == 0x34);
}

TEST_CASE("DMA: a DMA write into memory holding translated code is seen by the code observer") {
  struct Obs final : core::CodeWriteObserver {
    int hits = 0;
    void on_code_write(u64, unsigned) override { ++hits; }
  } obs;
  Rig r;
  r.m.memory().set_code_observer(&obs);
  r.m.memory().mark_code(0x7000, 16);
  r.setup8(2, 0x44, 0x00, 0x7000, 15);
  std::vector<u8> a(16, 0x90);
  CHECK(r.dma.write_memory(2, a) == 16);
  CHECK(obs.hits >= 1);
  r.m.memory().set_code_observer(nullptr);
}

TEST_CASE("DMA fuzz: random register writes and device transfers stay inside the programmed pages") {
  Rig r;
  u64 x = 0x94D049BB133111EBull;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const u16 ports[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D,
                       0x0E, 0x0F, 0xC0, 0xC4, 0xC6, 0xD0, 0xD4, 0xD6, 0xD8, 0xDA, 0xDC, 0xDE, 0x81, 0x8B};
  std::vector<u8> buf(300);
  for (int i = 0; i < 20000; ++i) {
    u64 v = next();
    u16 p = ports[v % std::size(ports)];
    // Page registers stay below 0x20 so transfers land in the 32 MiB of RAM.
    u8 val = static_cast<u8>(v >> 8);
    if (p >= 0x80) val &= 0x1F;
    if (v & 0x10000) r.out(p, val);
    else (void)r.in(p);
    if ((v & 0x7000000) == 0) {
      unsigned ch = (v >> 32) % 8;
      std::size_t n = (v >> 40) % buf.size();
      std::size_t moved = (v & (1ull << 50)) ? r.dma.write_memory(ch, std::span<const u8>(buf.data(), n))
                                              : r.dma.read_memory(ch, std::span<u8>(buf.data(), n));
      CHECK(moved <= n);
    }
  }
}
