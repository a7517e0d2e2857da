// The physical address space: guest RAM (one host allocation), ROM images and MMIO regions,
// the A20 gate, and the per-page "holds translated code" marks used for self-modifying code.
//
// Invariants:
// - Every 4 KiB physical page below 4 GiB has a slot: RAM, ROM (read-only host bytes), device
//   memory with a host buffer (e.g. a linear framebuffer), MMIO, or unmapped. The soft-MMU asks
//   page_slot() on a TLB miss: `host` serves reads and instruction fetches, `whost` serves writes;
//   a null pointer sends the access to the slow path (MMIO handler, or dropped for ROM).
// - Shadow RAM (the chipset's PAM registers) can make a ROM page read from RAM and/or write to RAM
//   independently; set_shadow() switches a range between the ROM mapped there and the RAM below.
// - Writes that land on a 128-byte chunk marked as code go to the CodeWriteObserver (the block
//   cache) before they complete, whoever writes: CPU slow path or DMA via write_bytes().
// - A change to the map (remap, A20) is announced to MapObservers so TLBs can be flushed.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/types.h"

namespace pcjit::core {

class MmioHandler {
 public:
  virtual ~MmioHandler() = default;
  // offset is relative to the region base; size is 1, 2 or 4 (8 for some CPU accesses).
  virtual u64 mmio_read(u64 offset, unsigned size) = 0;
  virtual void mmio_write(u64 offset, unsigned size, u64 value) = 0;
};

// Told about guest writes that touch a chunk holding translated code.
class CodeWriteObserver {
 public:
  virtual ~CodeWriteObserver() = default;
  virtual void on_code_write(u64 paddr, unsigned len) = 0;
};

// Told when the meaning of physical addresses changed (A20 toggled, a region remapped).
class MapObserver {
 public:
  virtual ~MapObserver() = default;
  virtual void on_map_changed() = 0;
};

enum class PageKind : u8 { Unmapped, Ram, Rom, Mmio, Device };

struct PageSlot {
  u8* host = nullptr;   // where reads of this page come from (RAM, ROM, device buffer), or nullptr
  u8* whost = nullptr;  // where writes go (RAM, device buffer), or nullptr (MMIO / dropped)
  PageKind kind = PageKind::Unmapped;
  u16 region = 0;  // index into the MMIO region list when kind == Mmio
};

class PhysicalMemory {
 public:
  static constexpr unsigned kPageShift = 12;
  static constexpr u64 kPageSize = 1u << kPageShift;
  static constexpr unsigned kChunkShift = 7;  // 128-byte code-tracking granularity
  static constexpr u64 kAddressSpace = 1ull << 32;

  explicit PhysicalMemory(u64 ram_bytes);
  PhysicalMemory(const PhysicalMemory&) = delete;
  PhysicalMemory& operator=(const PhysicalMemory&) = delete;

  u8* ram() { return ram_.get(); }
  u64 ram_size() const { return ram_size_; }

  // Map a ROM copy at [base, base+size); size must be a multiple of 4 KiB. Guest writes are dropped.
  void map_rom(u64 base, std::vector<u8> bytes, std::string name);
  void map_mmio(u64 base, u64 size, MmioHandler* handler, std::string name);
  // Device memory the guest reads and writes directly (host must outlive the mapping).
  void map_host(u64 base, u64 size, u8* host, std::string name);
  // PAM-style shadowing of [base, base+size) (page-aligned, below the end of RAM): reads from RAM
  // (else from the ROM mapped there, or all ones), writes to RAM (else dropped).
  void set_shadow(u64 base, u64 size, bool read_ram, bool write_ram);
  // Return [base, base+size) to RAM (where RAM exists) or unmapped.
  void unmap(u64 base, u64 size);

  // A20 gate: when disabled, address bit 20 is forced to 0 after paging.
  void set_a20(bool enabled);
  bool a20_enabled() const { return a20_mask_ == ~u64{0}; }
  u64 a20_mask() const { return a20_mask_; }

  const PageSlot& page_slot(u64 paddr) const { return slots_[(paddr & (kAddressSpace - 1)) >> kPageShift]; }

  // Slow-path accesses of 1, 2, 4 or 8 bytes that may hit any region (little-endian). Reads of
  // unmapped space return all ones; writes there and to ROM are dropped.
  u64 read(u64 paddr, unsigned size);
  void write(u64 paddr, unsigned size, u64 value);
  // Bulk access for DMA and loaders; writes notify the code observer like CPU writes do.
  void read_bytes(u64 paddr, std::span<u8> out);
  void write_bytes(u64 paddr, std::span<const u8> in);
  // Write into ROM or RAM regardless of protection (firmware loaders).
  void load_bytes(u64 paddr, std::span<const u8> in);

  // Code tracking, used by the CPU's block cache.
  bool page_has_code(u64 paddr) const;
  // Marks the chunks of [paddr, paddr+len) (one page) as code; returns true if the page had none.
  bool mark_code(u64 paddr, unsigned len);
  void clear_code_page(u64 paddr);
  void set_code_observer(CodeWriteObserver* o) { code_observer_ = o; }
  void add_map_observer(MapObserver* o) { map_observers_.push_back(o); }

  // Called before a write of len bytes at paddr lands in RAM: tells the observer if it touches code.
  void note_write(u64 paddr, unsigned len) {
    if (code_pages_ != 0) note_write_slow(paddr, len);
  }

 private:
  struct MmioRegion {
    u64 base;
    u64 size;
    MmioHandler* handler;
    std::string name;
  };
  struct RomRegion {
    u64 base;
    std::vector<u8> bytes;
    std::string name;
  };
  void note_write_slow(u64 paddr, unsigned len);
  void set_slots(u64 base, u64 size, PageKind kind, u8* host, u8* whost, u16 region);
  void restore_default(u64 base, u64 size);
  void announce_map_change();

  std::unique_ptr<u8[]> ram_;
  u64 ram_size_;
  std::vector<PageSlot> slots_;             // one per 4 KiB page of the 4 GiB space
  std::vector<u32> code_chunks_;            // per RAM page: bit i = chunk i holds code
  u64 code_pages_ = 0;                      // number of pages with any code bit
  std::vector<MmioRegion> mmio_;
  std::vector<std::unique_ptr<RomRegion>> roms_;
  std::unordered_map<u64, u8*> rom_pages_;  // page number -> ROM bytes mapped there (for shadowing)
  u64 a20_mask_ = ~u64{0};
  CodeWriteObserver* code_observer_ = nullptr;
  std::vector<MapObserver*> map_observers_;
};

}  // namespace pcjit::core
