// Loading firmware and flat binaries from files, with errors that name the file and the reason.
#pragma once
#include <string>
#include <vector>

#include "core/types.h"

namespace pcjit::core {

class PhysicalMemory;

// Reads a whole file; throws pcjit::Error("FILE: reason") if it cannot.
std::vector<u8> read_file(const std::string& path);

// Maps a BIOS image the way a PC does (QEMU's -bios): at the top of the 4 GiB space, and its last
// 128 KiB (or all of it if smaller) aliased to end at 0x100000. The size must be a multiple of
// 64 KiB and at most 16 MiB.
void map_bios(PhysicalMemory& mem, const std::string& path);

}  // namespace pcjit::core
