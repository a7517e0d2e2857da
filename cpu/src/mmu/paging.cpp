// Paging and the TLB slow path: two-level page walk with 4 KiB and 4 MiB (PSE) pages, Accessed
// and Dirty updates, CR0.WP, global pages, and the #PF error code (SDM Vol. 3A, 4.3 and 4.7).
//
// The walk sets A (and D on writes) before the access completes; an entry is put into the TLB
// only for the access kind that was checked, so later hits need no check at all.
#include "../context.h"
#include "../exec/lockstep.h"

namespace pcjit::cpu {

namespace {
constexpr u32 P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, G = 0x100;
}

Exec Context::translate(u32 lin, Access acc, bool user, u64& phys, bool fill) {
  const u64 a20 = mem.a20_mask();
  bool global = false;
  if (!s.paging()) {
    phys = lin & a20;
  } else {
#ifdef PCJIT_STATS
    stats.tlb_misses++;
#endif
    const bool write = acc == Access::Write;
    auto fault = [&](bool present, bool rsvd) {
      s.cr2 = lin;
      u32 err = (present ? 1u : 0u) | (write ? 2u : 0u) | (user ? 4u : 0u) | (rsvd ? 8u : 0u);
      return raise(vec::PF, err);
    };
    const u64 pde_addr = ((s.cr3 & 0xFFFFF000u) | ((lin >> 20) & 0xFFC)) & a20;
    u32 pde = static_cast<u32>(mem.read(pde_addr, 4));
    if (!(pde & P)) return fault(false, false);
    const bool large = (pde & PS) && (s.cr4 & cr4::PSE);
    u32 eff;  // combined permissions
    u64 pte_addr = 0;
    u32 pte = 0;
    if (large) {
      if (pde & 0x003FE000u) return fault(true, true);  // bits 21:13 reserved without PSE-36
      eff = pde;
    } else {
      pte_addr = ((pde & 0xFFFFF000u) | ((lin >> 10) & 0xFFC)) & a20;
      pte = static_cast<u32>(mem.read(pte_addr, 4));
      if (!(pte & P)) return fault(false, false);
      eff = pde & pte & (RW | US);
    }
    if (user) {
      if (!(eff & US)) return fault(true, false);
      if (write && !(eff & RW)) return fault(true, false);
    } else if (write && !(eff & RW) && (s.cr0 & cr0::WP)) {
      return fault(true, false);
    }
    // Accessed / Dirty, written back only when they change (a locked RMW on real hardware).
    if (large) {
      u32 npde = pde | A | (write ? D : 0);
      if (npde != pde) mem.write(pde_addr, 4, npde);
      phys = ((pde & 0xFFC00000u) | (lin & 0x3FFFFF)) & a20;
      global = (pde & G) && (s.cr4 & cr4::PGE);
      tlb.has_large = true;
    } else {
      if (!(pde & A)) mem.write(pde_addr, 4, pde | A);
      u32 npte = pte | A | (write ? D : 0);
      if (npte != pte) mem.write(pte_addr, 4, npte);
      phys = ((pte & 0xFFFFF000u) | (lin & 0xFFF)) & a20;
      global = (pte & G) && (s.cr4 & cr4::PGE);
    }
  }
  if (fill && !(data_watch && page_watched(lin))) {
    const core::PageSlot& slot = mem.page_slot(phys);
    u8* host = acc == Access::Write ? slot.whost : slot.host;
    if (host && !(acc == Access::Write && mem.page_has_code(phys))) {
      TlbEntry& e = tlb.slot(acc, user, lin);
      e.tag = lin >> 12;
      e.ppage = static_cast<u32>(phys >> 12) | (global ? TlbEntry::kGlobal : 0);
      e.addend = reinterpret_cast<uintptr_t>(host) - (lin & ~u32{0xFFF});
    }
  }
  return Exec::Ok;
}

Exec Context::map_slow(u32 lin, unsigned size, Access acc, bool user, MemRef& ref) {
  if (alignment_check && user && (lin & (size - 1)) && acc != Access::Exec) return raise(vec::AC, 0);
  ref.lin = lin;
  ref.size = static_cast<u8>(size);
  ref.host = nullptr;
  ref.split = 0;
  if (data_watch) note_data_breakpoints(lin, size, acc);
  const u32 in_page = 0x1000 - (lin & 0xFFF);
  if (size > in_page) {
    // Check both pages before anything is read or written (precise restart).
    PCJIT_TRY(translate(lin, acc, user, ref.phys0, false));
    PCJIT_TRY(translate(lin + in_page, acc, user, ref.phys1, false));
    ref.split = static_cast<u8>(in_page);
    return Exec::Ok;
  }
  PCJIT_TRY(translate(lin, acc, user, ref.phys0, true));
  const core::PageSlot& slot = mem.page_slot(ref.phys0);
  u8* host = acc == Access::Write ? slot.whost : slot.host;
  if (host && !(acc == Access::Write && mem.page_has_code(ref.phys0))) ref.host = host + (ref.phys0 & 0xFFF);
  return Exec::Ok;
}

u64 Context::load_slow(const MemRef& r) {
  if (!r.split) return mem.read(r.phys0, r.size);
  u64 lo = mem.read(r.phys0, r.split);
  u64 hi = mem.read(r.phys1, r.size - r.split);
  return lo | (hi << (8 * r.split));
}

void Context::store_slow(const MemRef& r, u64 v) {
  if (!r.split) {
    mem.write(r.phys0, r.size, v);
    return;
  }
  mem.write(r.phys0, r.split, v);
  mem.write(r.phys1, r.size - r.split, v >> (8 * r.split));
}

void Context::report(const MemRef& r, bool write, u64 v) {
  if (store_log && write) store_log->record(r);
  observer->on_mem(MemAccess{r.lin, r.phys0, r.size, write, v});
}

}  // namespace pcjit::cpu
