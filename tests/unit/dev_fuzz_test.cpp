// Fuzz-style robustness test: random port reads and writes (fixed seed, every port 0-0xFFFF,
// sizes 1/2/4) against a fully built PC board, with virtual time advancing so device events fire.
// It asserts only that the process survives and the machine stays usable: no device may crash,
// assert or loop on any guest-reachable input, whatever order the guest pokes registers in.
#include <doctest/doctest.h>

#include <random>

#include "core/machine.h"
#include "devices/pc_board.h"

using namespace pcjit;

namespace {

void fuzz(u32 seed, unsigned iterations, bool hot_ports_only) {
  core::Machine m(core::MachineConfig{16ull << 20});
  devices::PcConfig cfg;
  cfg.bios.clear();
  cfg.vga_bios.clear();
  cfg.seabios_log = [](u8) {};
  cfg.debugcon = [](u8) {};
  cfg.serial0 = [](u8) {};
  devices::build_pc(m, cfg);
  // Ports with devices behind them (PIC, PIT, 8042, RTC, DMA, PCI, IDE, FDC, UART, VGA, ACPI...),
  // hit far more often than the rest so deep device states are reached.
  static constexpr u16 kHot[] = {0x00,  0x08,  0x0B,  0x0D,  0x20,  0x21,  0x40,  0x43,  0x60,  0x61,
                                 0x64,  0x70,  0x71,  0x81,  0x92,  0xA0,  0xA1,  0xB2,  0xC0,  0xD6,
                                 0x170, 0x177, 0x1CE, 0x1CF, 0x1F0, 0x1F6, 0x1F7, 0x2F8, 0x376, 0x3B4,
                                 0x3C0, 0x3C4, 0x3C5, 0x3C8, 0x3C9, 0x3CE, 0x3CF, 0x3D4, 0x3D5, 0x3F2,
                                 0x3F4, 0x3F5, 0x3F6, 0x3F8, 0x3FC, 0x4D0, 0x510, 0x511, 0xB000, 0xB004,
                                 0xB008, 0xC000, 0xCF8, 0xCF9, 0xCFC, 0xCFE};
  std::mt19937 rng(seed);
  for (unsigned i = 0; i < iterations; ++i) {
    const u32 r = rng();
    u16 port = static_cast<u16>(rng());
    if (hot_ports_only || (r & 3) != 0) port = static_cast<u16>(kHot[rng() % std::size(kHot)] + (r >> 8) % 8);
    if (port == 0xF4) continue;  // the exit port only ends the run; tested elsewhere
    const unsigned size = 1u << ((r >> 2) % 3);
    if ((r >> 4) & 1) {
      m.io().in(port, size);
    } else {
      // PCI config address writes are more interesting with the enable bit and a real device.
      u32 value = rng();
      if (port == 0xCF8 && ((r >> 5) & 1)) value = 0x80000000u | (value & 0x1FFFC);
      m.io().out(port, size, value);
    }
    if ((i & 255) == 0) {
      m.clock().retire(50'000 + (rng() % 2'000'000));
      m.events().run_due(m.clock().now_ns());
    }
  }
  // Still a machine: memory and the PCI bus answer.
  m.memory().write(0x1000, 4, 0x12345678);
  CHECK(m.memory().read(0x1000, 4) == 0x12345678u);
}

}  // namespace

TEST_CASE("fuzz: random port I/O over all 64 Ki ports does not crash the PC board") {
  fuzz(0x5EED1234u, 500'000, false);
}

TEST_CASE("fuzz: random port I/O focused on device ports does not crash the PC board") {
  fuzz(0xC0FFEEu, 200'000, true);
  fuzz(42u, 100'000, true);
}
