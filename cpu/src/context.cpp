// Context construction and the derived-state helpers that several layers call.
#include "context.h"

#include "exec/block_cache.h"

namespace pcjit::cpu {

Context::Context(core::Machine& m, Cpu& o)
    : machine(m), mem(m.memory()), io(m.io()), owner(o) {
  blocks = std::make_unique<BlockCache>(*this);
}

Context::~Context() = default;

void Context::update_mode_flags() {
  alignment_check = (s.cr0 & cr0::AM) && (s.eflags & flag::AC) && s.cpl == 3;
  bool dr_exec = (s.dr[7] & 0xFF) != 0;
  single_step_mode = observer != nullptr || (s.eflags & flag::TF) || dr_exec;
}

void Context::flush_tlb() {
  tlb.flush_all();
  blocks->flush_jump_cache();
  stats.tlb_flushes++;
}

}  // namespace pcjit::cpu
