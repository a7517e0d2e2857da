// The soft-TLB: direct-mapped, one array per access kind (read, write, execute) and privilege
// (supervisor, user). A hit is index, compare, add: host = linear + addend.
//
// An entry exists only when the access it caches is allowed without any side effect: the page's
// Accessed (and for writes Dirty) bits are already set, the page is RAM or ROM (never MMIO), and
// for writes the page holds no translated code and is not ROM. Everything else misses and takes
// the slow path in mmu.cpp.
#pragma once
#include <cstdint>

#include "core/types.h"

namespace pcjit::cpu {

enum class Access : u8 { Read = 0, Write = 1, Exec = 2 };

struct TlbEntry {
  u32 tag = kInvalid;   // linear page number
  u32 ppage = 0;        // physical page number; bit 31 = global page
  uintptr_t addend = 0; // host address - linear address
  static constexpr u32 kInvalid = 0xFFFFFFFFu;
  static constexpr u32 kGlobal = 0x80000000u;
};

struct Tlb {
  static constexpr unsigned kBits = 8;
  static constexpr unsigned kSize = 1u << kBits;
  TlbEntry e[3][2][kSize];  // [Access][user][index]
  bool has_large = false;   // a 4 MiB page was cached: INVLPG must flush everything

  TlbEntry& slot(Access a, bool user, u32 lin) {
    return e[static_cast<unsigned>(a)][user][(lin >> 12) & (kSize - 1)];
  }
  void flush_all() {
    has_large = false;
    for (auto& a : e)
      for (auto& u : a)
        for (auto& x : u) x.tag = TlbEntry::kInvalid;
  }
  // MOV CR3: global entries survive when CR4.PGE is set.
  void flush_non_global() {
    for (auto& a : e)
      for (auto& u : a)
        for (auto& x : u)
          if (!(x.ppage & TlbEntry::kGlobal)) x.tag = TlbEntry::kInvalid;
  }
  void flush_page(u32 lin) {
    for (auto& a : e)
      for (auto& u : a) {
        TlbEntry& x = u[(lin >> 12) & (kSize - 1)];
        if (x.tag == lin >> 12) x.tag = TlbEntry::kInvalid;
      }
  }
  // A physical page started holding code: its writes must take the slow path from now on.
  void drop_writes_to(u32 ppage) {
    for (auto& u : e[static_cast<unsigned>(Access::Write)])
      for (auto& x : u)
        if ((x.ppage & ~TlbEntry::kGlobal) == ppage) x.tag = TlbEntry::kInvalid;
  }
};

}  // namespace pcjit::cpu
