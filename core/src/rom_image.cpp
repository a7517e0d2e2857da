// File loading for firmware and flat binaries.
#include "core/rom_image.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <fmt/format.h>

#include "core/phys_memory.h"

namespace pcjit::core {

std::vector<u8> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::vector<u8> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw Error(fmt::format("{}: read error", path));
  return data;
}

void map_bios(PhysicalMemory& mem, const std::string& path) {
  std::vector<u8> image = read_file(path);
  if (image.empty() || image.size() % 0x10000 != 0 || image.size() > (16u << 20))
    throw Error(fmt::format("{}: BIOS image is {} bytes; it must be a non-zero multiple of 64 KiB, "
                            "at most 16 MiB",
                            path, image.size()));
  const u64 size = image.size();
  const u64 low_size = std::min<u64>(size, 128 * 1024);
  std::vector<u8> low(image.end() - static_cast<std::ptrdiff_t>(low_size), image.end());
  mem.map_rom(PhysicalMemory::kAddressSpace - size, std::move(image), path);
  mem.map_rom(0x100000 - low_size, std::move(low), path + " (low alias)");
}

}  // namespace pcjit::core
