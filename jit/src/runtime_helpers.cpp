// The runtime side of generated code: handler calls, jump-cache continuation, lockstep notes.
#include "runtime_helpers.h"

#include "exec/block_cache.h"
#include "exec/lockstep.h"
#include "system/privilege.h"

namespace pcjit::jit {

u32 rt_call_handler(cpu::Context* c, const cpu::Insn* i, u32 block_len) {
  c->jit_sync_clock(block_len);
  c->stats.jit_helper_calls++;
  return static_cast<u32>(i->fn(*c, *i));
}

u32 rt_call_segment_loader(cpu::Context* c, const cpu::Insn* i, u32 block_len) {
  const u32 r = rt_call_handler(c, i, block_len);
  cpu::refresh_seg_views(*c);
  // The run's blocks were checked against the segment properties of its start: if this load
  // changed them, leave after the instruction (as after an SMC store) and let the dispatcher
  // pick translations that fit.
  if (cpu::seg_prop::of(c->s) != c->seg_props) c->block_dirty = true;
  return r;
}

u32 rt_slow_path(cpu::Context* c, const cpu::Insn* i, u32 block_len) {
  c->jit_sync_clock(block_len);
  c->stats.jit_slow_paths++;
  return static_cast<u32>(i->fn(*c, *i));
}

u32 rt_port_in(cpu::Context* c, u32 port, u32 size, u32 block_len) {
  c->jit_sync_clock(block_len);
  if (c->check_io(static_cast<u16>(port), size) != cpu::Exec::Ok) return 0;
  return c->port_in(static_cast<u16>(port), size);
}

u32 rt_port_in_allowed(cpu::Context* c, u32 port, u32 size, u32 block_len) {
  c->jit_sync_clock(block_len);
  return c->port_in(static_cast<u16>(port), size);
}

u32 rt_rdtsc(cpu::Context* c, u32, u32, u32 block_len) {
  c->jit_sync_clock(block_len);
  if ((c->s.cr4 & cpu::cr4::TSD) && !cpu::ring0(c->s)) {
    c->raise_gp(0);
    return 0;
  }
  const u64 t = c->tsc();
  c->s.set_reg32(cpu::EAX, static_cast<u32>(t));
  c->s.set_reg32(cpu::EDX, static_cast<u32>(t >> 32));
  return 0;
}

const void* rt_lookup(cpu::Context* c) {
  const cpu::CpuState& s = c->s;
  if (c->lockstep || c->single_step_mode || c->data_watch || s.irq_shadow || (s.eflags & cpu::flag::TF))
    return nullptr;
  const u32 lin = s.seg[cpu::CS].base + s.eip();
  const cpu::Block* b = c->blocks->probe(lin);
  if (!b || !b->host_entry || !b->entered_as(s) || !cpu::seg_prop::holds(b->seg_assumed, c->seg_props)) {
    c->stats.jit_lookup_misses++;
    return nullptr;
  }
  c->stats.jit_lookups++;
  cpu::HotFrame::ItcEntry& e = c->itc[cpu::HotFrame::itc_slot(s.eip())];
  e = cpu::HotFrame::ItcEntry{s.eip(), c->itc_gen, b->host_entry_saved};
  return b->host_entry_saved;
}

void rt_note_store(cpu::Context* c, u8* host, u32 size) {
  if (c->store_log) c->store_log->record_host(host, size);
}

}  // namespace pcjit::jit
