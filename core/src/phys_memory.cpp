// Physical memory map. See phys_memory.h for the invariants.
#include "core/phys_memory.h"

#include <cstring>
#include <fmt/format.h>

namespace pcjit::core {

PhysicalMemory::PhysicalMemory(u64 ram_bytes)
    : ram_(new u8[ram_bytes]()), ram_size_(ram_bytes), slots_(kAddressSpace >> kPageShift),
      code_chunks_(ram_bytes >> kPageShift, 0) {
  if (ram_bytes == 0 || ram_bytes % kPageSize != 0 || ram_bytes > (3ull << 30))
    throw Error(fmt::format("RAM size {} bytes: must be a non-zero multiple of 4 KiB, at most 3 GiB",
                            ram_bytes));
  restore_default(0, kAddressSpace);
}

void PhysicalMemory::set_slots(u64 base, u64 size, PageKind kind, u8* host, u8* whost, u16 region) {
  for (u64 off = 0; off < size; off += kPageSize) {
    PageSlot& s = slots_[(base + off) >> kPageShift];
    s.kind = kind;
    s.host = host ? host + off : nullptr;
    s.whost = whost ? whost + off : nullptr;
    s.region = region;
  }
}

void PhysicalMemory::restore_default(u64 base, u64 size) {
  for (u64 a = base; a < base + size; a += kPageSize) {
    PageSlot& s = slots_[a >> kPageShift];
    if (a < ram_size_) {
      s = PageSlot{ram_.get() + a, ram_.get() + a, PageKind::Ram, 0};
    } else {
      s = PageSlot{};
    }
  }
}

static void check_range(u64 base, u64 size, const std::string& name) {
  if (base % PhysicalMemory::kPageSize || size % PhysicalMemory::kPageSize || size == 0 ||
      base + size > PhysicalMemory::kAddressSpace)
    throw Error(fmt::format("{}: region {:#x}+{:#x} is not page-aligned inside 4 GiB", name, base, size));
}

void PhysicalMemory::map_rom(u64 base, std::vector<u8> bytes, std::string name) {
  check_range(base, bytes.size(), name);
  auto rom = std::make_unique<RomRegion>(RomRegion{base, std::move(bytes), std::move(name)});
  set_slots(base, rom->bytes.size(), PageKind::Rom, rom->bytes.data(), nullptr, 0);
  for (u64 off = 0; off < rom->bytes.size(); off += kPageSize)
    rom_pages_[(base + off) >> kPageShift] = rom->bytes.data() + off;
  roms_.push_back(std::move(rom));
  announce_map_change();
}

void PhysicalMemory::map_mmio(u64 base, u64 size, MmioHandler* handler, std::string name) {
  check_range(base, size, name);
  mmio_.push_back(MmioRegion{base, size, handler, std::move(name)});
  set_slots(base, size, PageKind::Mmio, nullptr, nullptr, static_cast<u16>(mmio_.size() - 1));
  announce_map_change();
}

void PhysicalMemory::map_host(u64 base, u64 size, u8* host, std::string name) {
  check_range(base, size, name);
  set_slots(base, size, PageKind::Device, host, host, 0);
  announce_map_change();
}

void PhysicalMemory::set_shadow(u64 base, u64 size, bool read_ram, bool write_ram) {
  check_range(base, size, "shadow RAM");
  if (base + size > ram_size_) throw Error(fmt::format("shadow RAM {:#x}+{:#x} is beyond RAM", base, size));
  for (u64 a = base; a < base + size; a += kPageSize) {
    PageSlot& s = slots_[a >> kPageShift];
    auto rom = rom_pages_.find(a >> kPageShift);
    u8* rom_host = rom == rom_pages_.end() ? nullptr : rom->second;
    s.host = read_ram ? ram_.get() + a : rom_host;
    s.whost = write_ram ? ram_.get() + a : nullptr;
    s.kind = read_ram ? PageKind::Ram : rom_host ? PageKind::Rom : PageKind::Unmapped;
    s.region = 0;
  }
  announce_map_change();
}

void PhysicalMemory::unmap(u64 base, u64 size) {
  check_range(base, size, "unmap");
  restore_default(base, size);
  for (u64 a = base; a < base + size; a += kPageSize) rom_pages_.erase(a >> kPageShift);
  announce_map_change();
}

void PhysicalMemory::set_a20(bool enabled) {
  u64 mask = enabled ? ~u64{0} : ~(u64{1} << 20);
  if (mask == a20_mask_) return;
  a20_mask_ = mask;
  announce_map_change();
}

void PhysicalMemory::announce_map_change() {
  for (MapObserver* o : map_observers_) o->on_map_changed();
}

u64 PhysicalMemory::read(u64 paddr, unsigned size) {
  u64 value = 0;
  for (unsigned i = 0; i < size;) {
    u64 a = (paddr + i) & (kAddressSpace - 1);
    const PageSlot& s = page_slot(a);
    u64 in_page = kPageSize - (a & (kPageSize - 1));
    if (s.kind == PageKind::Mmio && (a & (size - 1)) == 0 && i == 0 && size <= in_page) {
      const MmioRegion& r = mmio_[s.region];
      return r.handler->mmio_read(a - r.base, size);
    }
    u8 byte = 0xFF;
    if (s.host) {
      byte = s.host[a & (kPageSize - 1)];
    } else if (s.kind == PageKind::Mmio) {
      const MmioRegion& r = mmio_[s.region];
      byte = static_cast<u8>(r.handler->mmio_read(a - r.base, 1));
    }
    value |= u64{byte} << (8 * i);
    ++i;
  }
  return value;
}

void PhysicalMemory::write(u64 paddr, unsigned size, u64 value) {
  for (unsigned i = 0; i < size;) {
    u64 a = (paddr + i) & (kAddressSpace - 1);
    const PageSlot& s = page_slot(a);
    u64 in_page = kPageSize - (a & (kPageSize - 1));
    if (s.kind == PageKind::Mmio && (a & (size - 1)) == 0 && i == 0 && size <= in_page) {
      const MmioRegion& r = mmio_[s.region];
      r.handler->mmio_write(a - r.base, size, value);
      return;
    }
    u8 byte = static_cast<u8>(value >> (8 * i));
    if (s.whost) {
      note_write(a, 1);
      s.whost[a & (kPageSize - 1)] = byte;
    } else if (s.kind == PageKind::Mmio) {
      const MmioRegion& r = mmio_[s.region];
      r.handler->mmio_write(a - r.base, 1, byte);
    }
    ++i;
  }
}

void PhysicalMemory::read_bytes(u64 paddr, std::span<u8> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<u8>(read(paddr + i, 1));
}

void PhysicalMemory::write_bytes(u64 paddr, std::span<const u8> in) {
  for (std::size_t i = 0; i < in.size(); ++i) write(paddr + i, 1, in[i]);
}

void PhysicalMemory::load_bytes(u64 paddr, std::span<const u8> in) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    u64 a = (paddr + i) & (kAddressSpace - 1);
    const PageSlot& s = page_slot(a);
    if (s.kind == PageKind::Mmio) {
      write(a, 1, in[i]);
      continue;
    }
    if (s.whost) {
      note_write(a, 1);
      s.whost[a & (kPageSize - 1)] = in[i];
    }
    if (s.host && s.host != s.whost) s.host[a & (kPageSize - 1)] = in[i];  // ROM image
  }
}

bool PhysicalMemory::page_has_code(u64 paddr) const {
  u64 page = paddr >> kPageShift;
  return paddr < ram_size_ && code_chunks_[page] != 0;
}

bool PhysicalMemory::mark_code(u64 paddr, unsigned len) {
  if (paddr >= ram_size_ || len == 0) return false;
  u64 page = paddr >> kPageShift;
  unsigned first = (paddr & (kPageSize - 1)) >> kChunkShift;
  unsigned last = ((paddr & (kPageSize - 1)) + len - 1) >> kChunkShift;
  if (last > 31) last = 31;
  u32 bits = 0;
  for (unsigned c = first; c <= last; ++c) bits |= 1u << c;
  bool was_empty = code_chunks_[page] == 0;
  code_chunks_[page] |= bits;
  if (was_empty) ++code_pages_;
  return was_empty;
}

void PhysicalMemory::clear_code_page(u64 paddr) {
  if (paddr >= ram_size_) return;
  u64 page = paddr >> kPageShift;
  if (code_chunks_[page] != 0) --code_pages_;
  code_chunks_[page] = 0;
}

void PhysicalMemory::note_write_slow(u64 paddr, unsigned len) {
  // A write may straddle two pages; check each page's chunks separately.
  u64 end = paddr + len;
  for (u64 a = paddr; a < end;) {
    u64 page_end = (a | (kPageSize - 1)) + 1;
    u64 stop = end < page_end ? end : page_end;
    if (a < ram_size_) {
      u32 mask = code_chunks_[a >> kPageShift];
      if (mask) {
        unsigned first = (a & (kPageSize - 1)) >> kChunkShift;
        unsigned last = ((stop - 1) & (kPageSize - 1)) >> kChunkShift;
        u32 bits = 0;
        for (unsigned c = first; c <= last; ++c) bits |= 1u << c;
        if ((mask & bits) && code_observer_) code_observer_->on_code_write(a, static_cast<unsigned>(stop - a));
      }
    }
    a = stop;
  }
}

}  // namespace pcjit::core
