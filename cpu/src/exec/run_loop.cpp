// The dispatcher: poll interrupts at block boundaries, find the block for CS:EIP, run its
// instructions through their handlers, and turn handler results into EIP updates, block exits
// and exception delivery.
//
// Single-step mode (observer installed, EFLAGS.TF, DR7 execute breakpoints) builds one-instruction
// blocks so every instruction boundary is visible.
#include "../context.h"
#include "block_cache.h"
#include "run_loop.h"

namespace pcjit::cpu {

namespace {

bool debug_exec_breakpoint(Context& c, u32 lin) {
  const u64 dr7 = c.s.dr[7];
  for (unsigned k = 0; k < 4; ++k) {
    if (!((dr7 >> (2 * k)) & 3)) continue;
    unsigned rw = (dr7 >> (16 + 4 * k)) & 3;
    if (rw == 0 && static_cast<u32>(c.s.dr[k]) == lin) {
      c.s.dr[6] = (c.s.dr[6] & ~u64{0xF}) | (1u << k);
      return true;
    }
  }
  return false;
}

// Tells the observer about the instruction about to run, with its bytes (fetched without side
// effects: a fetch fault here only blanks the byte, the real fetch already succeeded).
[[gnu::cold]] void report_before(Context& c, const Insn& insn) {
  u8 bytes[16];
  for (unsigned k = 0; k < insn.len; ++k) {
    MemRef r;
    if (c.map_linear(c.s.seg[CS].base + c.s.eip() + k, 1, Access::Exec, c.user_access(), r) != Exec::Ok) {
      c.exc.pending = false;
      bytes[k] = 0;
    } else {
      bytes[k] = r.host ? *r.host : static_cast<u8>(c.mem.read(r.phys0, 1));
    }
  }
  c.observer->before_insn(c.s, std::span<const u8>(bytes, insn.len));
}

}  // namespace

// Delivers a maskable interrupt if one is pending and allowed. Returns true if it delivered.
static bool poll_interrupt(Context& c) {
  core::InterruptController* pic = c.machine.interrupt_controller();
  if (!pic || !(c.s.eflags & flag::IF) || c.s.irq_shadow || !pic->intr_pending()) return false;
  u8 vector = pic->acknowledge();
  c.stats.interrupts++;
  if (c.observer) c.observer->on_interrupt(vector);
  c.s.halted = false;
  if (c.deliver(vector, EventKind::Hardware, 0, false, c.s.eip()) == Exec::Fault) c.deliver_pending_exception();
  return true;
}

core::ProcessorExit run_cpu(Context& c, u64 max_insns) {
  CpuState& s = c.s;
  core::VirtualClock& clock = c.machine.clock();
  u64 done = 0;
  c.exit_requested = false;
  while (done < max_insns) {
    if (c.exit_requested || c.machine.stop_requested()) return core::ProcessorExit::Stopped;
    poll_interrupt(c);
    if (s.halted) return core::ProcessorExit::Halted;
    if (c.machine.stop_requested()) return core::ProcessorExit::Stopped;

    const u32 lin = s.seg[CS].base + s.eip();
    if ((s.dr[7] & 0xFF) && !(s.eflags & flag::RF) && debug_exec_breakpoint(c, lin)) {
      c.raise(vec::DB);
      c.deliver_pending_exception();
      continue;
    }
    s.eflags &= ~flag::RF;
    Block* b = c.blocks->lookup(lin);
    if (!b) {
      c.deliver_pending_exception();
      continue;
    }
    c.block_dirty = false;
    const bool shadow = s.irq_shadow;
    const bool trap = s.eflags & flag::TF;
    const Insn* insn = b->insns.data();
    const Insn* end = insn + b->insns.size();
    if (shadow || trap) end = insn + 1;
    if (u64(end - insn) > max_insns - done) end = insn + (max_insns - done);
    u64 n = 0;
    bool faulted = false;
    // Neither can change inside a block: CS.D changes only through far transfers (which end the
    // block) and the observer only between runs. Hoisting them keeps the per-instruction path to
    // the handler call, the EIP update and one flag test.
    const u32 ip_mask = c.code32() ? 0xFFFFFFFFu : 0xFFFFu;
    const bool observed = c.observer != nullptr;
    for (; insn != end; ++insn) {
      if (observed) [[unlikely]] report_before(c, *insn);
      Exec e = insn->fn(c, *insn);
      if (e == Exec::Ok) [[likely]] {
        s.rip = (s.rip + insn->len) & ip_mask;
        ++n;
        if (observed) [[unlikely]] c.observer->after_insn(s);
        if (c.block_dirty) [[unlikely]] {
          ++insn;
          break;
        }
        continue;
      }
      if (e == Exec::Fault) {
        faulted = true;
        break;
      }
      ++n;
      if (observed) [[unlikely]] c.observer->after_insn(s);
      if (e == Exec::Halt) s.halted = true;
      ++insn;
      break;
    }
    done += n;
    clock.retire(n);
    if (shadow && n) s.irq_shadow = false;
    if (faulted) {
      c.db_hits = 0;  // the instruction did not complete: its data breakpoints do not fire
      c.deliver_pending_exception();
    } else if (n && (trap || c.db_hits)) {
      // Debug traps after the instruction (SDM 17.3.1.2 data breakpoints: DR6.Bn;
      // 17.3.1.4 single step: DR6.BS), with EIP at the next instruction.
      if (c.db_hits) s.dr[6] = (s.dr[6] & ~u64{0xF}) | c.db_hits;
      if (trap) s.dr[6] |= 1u << 14;
      c.db_hits = 0;
      c.raise(vec::DB);
      c.deliver_pending_exception();
    }
    c.blocks->collect_garbage();
  }
  return core::ProcessorExit::Budget;
}

}  // namespace pcjit::cpu
