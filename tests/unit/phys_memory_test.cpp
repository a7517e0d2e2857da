// PhysicalMemory: ROM, shadow RAM (PAM semantics from the Intel 82441FX datasheet, PAM registers:
// "read enable"/"write enable" route accesses to DRAM or to the ROM/PCI side) and device memory.
#include <doctest/doctest.h>

#include "core/phys_memory.h"

using namespace pcjit;

TEST_CASE("a ROM page drops writes and shadow RAM routes reads and writes independently") {
  core::PhysicalMemory mem(1 << 20);
  std::vector<u8> rom(0x1000, 0xAB);
  mem.map_rom(0xF0000, rom, "test rom");
  mem.write(0xF0010, 1, 0x11);
  CHECK(mem.read(0xF0010, 1) == 0xAB);  // ROM ignores writes

  mem.set_shadow(0xF0000, 0x1000, /*read_ram=*/false, /*write_ram=*/true);  // PAM "write only"
  mem.write(0xF0010, 1, 0x22);
  CHECK(mem.read(0xF0010, 1) == 0xAB);  // reads still come from ROM
  mem.set_shadow(0xF0000, 0x1000, /*read_ram=*/true, /*write_ram=*/false);  // PAM "read only"
  CHECK(mem.read(0xF0010, 1) == 0x22);  // the byte written while shadowing is in RAM
  mem.write(0xF0010, 1, 0x33);
  CHECK(mem.read(0xF0010, 1) == 0x22);  // and RAM is now write-protected
  mem.set_shadow(0xF0000, 0x1000, false, false);  // PAM "disabled": back to ROM
  CHECK(mem.read(0xF0010, 1) == 0xAB);
}

TEST_CASE("device memory mapped with a host buffer is read and written in place") {
  core::PhysicalMemory mem(1 << 20);
  std::vector<u8> fb(0x2000, 0);
  mem.map_host(0xE0000000, fb.size(), fb.data(), "framebuffer");
  mem.write(0xE0001000, 4, 0x11223344);
  CHECK(fb[0x1000] == 0x44);
  CHECK(fb[0x1003] == 0x11);
  CHECK(mem.read(0xE0001002, 2) == 0x1122);
  CHECK(mem.read(0xE0002000, 1) == 0xFF);  // past the mapping: unmapped reads float high
}
