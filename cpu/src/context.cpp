// Context construction and the derived-state helpers that several layers call.
#include "context.h"

#include <fmt/format.h>

#include "exec/block_cache.h"

namespace pcjit::cpu {

Context::Context(core::Machine& m, Cpu& o)
    : machine(m), mem(m.memory()), io(m.io()), owner(o) {
  blocks = std::make_unique<BlockCache>(*this);
}

Context::~Context() { blocks.reset(); }  // blocks release their translations through jit

void Context::update_mode_flags() {
  alignment_check = (s.cr0 & cr0::AM) && (s.eflags & flag::AC) && s.cpl == 3;
  bool dr_exec = (s.dr[7] & 0xFF) != 0;
  data_watch = false;
  for (unsigned k = 0; k < 4; ++k)
    if (((s.dr[7] >> (2 * k)) & 3) && (((s.dr[7] >> (16 + 4 * k)) & 1) != 0)) data_watch = true;
  single_step_mode = observer != nullptr || (s.eflags & flag::TF) || dr_exec;
}

namespace {
// Length field of DR7 for breakpoint k: 00 = 1 byte, 01 = 2, 11 = 4 (10 is undefined on P6).
u32 bp_len(u64 dr7, unsigned k) {
  switch ((dr7 >> (18 + 4 * k)) & 3) {
    case 1: return 2;
    case 3: return 4;
    default: return 1;
  }
}
bool data_bp(u64 dr7, unsigned k) { return ((dr7 >> (2 * k)) & 3) && ((dr7 >> (16 + 4 * k)) & 1); }
}  // namespace

bool Context::page_watched(u32 lin) const {
  for (unsigned k = 0; k < 4; ++k)
    if (data_bp(s.dr[7], k) && ((static_cast<u32>(s.dr[k]) ^ lin) & ~u32{0xFFF}) == 0) return true;
  return false;
}

void Context::note_data_breakpoints(u32 lin, unsigned size, Access acc) {
  if (acc == Access::Exec) return;
  for (unsigned k = 0; k < 4; ++k) {
    if (!data_bp(s.dr[7], k)) continue;
    const bool rw_any = ((s.dr[7] >> (16 + 4 * k)) & 3) == 3;
    if (acc == Access::Read && !rw_any) continue;
    const u32 len = bp_len(s.dr[7], k);
    const u64 start = static_cast<u32>(s.dr[k]) & ~(len - 1);
    if (u64{lin} < start + len && start < u64{lin} + size) {
      db_hits |= static_cast<u8>(1u << k);
      block_dirty = true;  // end the block after this instruction: the trap comes next
    }
  }
}

void Context::flush_tlb() {
  tlb.flush_all();
  blocks->flush_jump_cache();
  stats.tlb_flushes++;
}

}  // namespace pcjit::cpu

namespace pcjit::cpu {

std::string Context::check_tlb() const {
  for (unsigned a = 0; a < 3; ++a)
    for (unsigned u = 0; u < 2; ++u)
      for (const TlbEntry& e : tlb.e[a][u]) {
        if (e.tag == TlbEntry::kInvalid) continue;
        const u64 phys = u64{e.ppage & ~TlbEntry::kGlobal} << 12;
        const core::PageSlot& slot = mem.page_slot(phys);
        const bool write = a == static_cast<unsigned>(Access::Write);
        const u8* host = write ? slot.whost : slot.host;
        const u8* mapped = reinterpret_cast<const u8*>((uintptr_t{e.tag} << 12) + e.addend);
        if (host == nullptr || mapped != host)
          return fmt::format("TLB entry for linear page {:#x} no longer maps physical {:#x}", e.tag << 12, phys);
        if (write && mem.page_has_code(phys))
          return fmt::format("write TLB entry for linear page {:#x} covers code at {:#x}", e.tag << 12, phys);
      }
  return {};
}

}  // namespace pcjit::cpu
