// The dispatcher: poll interrupts at block boundaries, find the block for CS:EIP, run it through
// the interpreter or its translation (-accel jit), and turn the results into EIP updates, block
// exits and exception delivery. Both engines retire the same instructions at the same block
// boundaries: a translated run enters a block only when the whole block fits in the budget, and
// every translated block entry tests the exit word, which is nonzero whenever this loop would do
// something at that boundary (a stop or exit request, an interrupt that may be taken).
//
// Single-step mode (observer installed, EFLAGS.TF, DR7 execute breakpoints) builds one-instruction
// blocks so every instruction boundary is visible.
#include "../context.h"
#include "../decode/opcode_table.h"
#include "block_cache.h"
#include "cpu/translator.h"
#include "fault_check.h"
#include "run_loop.h"

#include <cstdio>
#include <cstdlib>

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

#ifndef NDEBUG
// Debug builds check the fault contract on every faulting instruction (fault_check.h): a REP
// string instruction may have committed the iterations it finished.
bool rep_string(const Insn& i) {
  if (i.map != 0 || !(i.flags & (insn_flag::kRep | insn_flag::kRepne))) return false;
  const u8 op = i.opcode;
  return (op >= 0x6C && op <= 0x6F) || (op >= 0xA4 && op <= 0xA7) || (op >= 0xAA && op <= 0xAF);
}
[[noreturn, gnu::cold]] void fault_contract_broken(const Context& c, const Insn& i, const std::string& what) {
  std::fprintf(stderr, "pcjit: internal error: instruction at %04x:%08x (%s) faulted after committing state: %s\n",
               c.s.seg[CS].selector, c.s.eip(), row_at(i.row).name, what.c_str());
  std::abort();
}
#endif

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

u64 interpret_block(Context& c, const Block& b, u64 limit, bool one, bool* faulted) {
  CpuState& s = c.s;
  c.block_dirty = false;
  const Insn* insn = b.insns.data();
  const Insn* end = insn + b.insns.size();
  if (one) end = insn + 1;
  if (u64(end - insn) > limit) end = insn + limit;
  u64 n = 0;
  *faulted = false;
  // Neither can change inside a block: CS.D changes only through far transfers (which end the
  // block) and the observer only between runs. Hoisting them keeps the per-instruction path to
  // the handler call, the EIP update and one flag test.
  const u32 ip_mask = c.code32() ? 0xFFFFFFFFu : 0xFFFFu;
  const bool observed = c.observer != nullptr;
  for (; insn != end; ++insn) {
    if (observed) [[unlikely]] report_before(c, *insn);
#ifndef NDEBUG
    const FaultCheckSnapshot before(s);
#endif
    Exec e = insn->fn(c, *insn);
    if (e == Exec::Ok) [[likely]] {
      s.rip = (s.rip + insn->len) & ip_mask;
      ++n;
      if (observed) [[unlikely]] c.observer->after_insn(s);
      if (c.block_dirty) [[unlikely]] break;
      continue;
    }
    if (e == Exec::Fault) {
#ifndef NDEBUG
      const std::string broken = before.violation(s, c.exc.vector, rep_string(*insn));
      if (!broken.empty()) fault_contract_broken(c, *insn, broken);
#endif
      *faulted = true;
      break;
    }
    ++n;
    if (observed) [[unlikely]] c.observer->after_insn(s);
    if (e == Exec::Halt) s.halted = true;
    break;
  }
  return n;
}

JitExit enter_translated(Context& c, Block& b) {
  c.jit_running = true;
  c.budget_poisoned = false;
  if (c.exit_word) {
    c.budget -= kBudgetPoison;
    c.budget_poisoned = true;
  }
  const JitExit why = c.jit->run(c, b);
  c.jit_running = false;
  if (c.budget_poisoned) {
    c.budget += kBudgetPoison;
    c.budget_poisoned = false;
  }
  return why;
}

namespace {

// Translated code may run only where a block boundary needs nothing of the dispatcher but the
// exit-word test: no single-stepping (observer, TF, DR7 execute breakpoints), no data breakpoints
// (they live on the slow path), no interrupt shadow (the next instruction runs alone).
bool jit_allowed(const Context& c) {
  return !c.single_step_mode && !c.data_watch && !c.s.irq_shadow && !(c.s.eflags & flag::TF);
}

// Runs translated code from b; returns the instructions it retired.
u64 run_translated(Context& c, Block& b, u64 limit, bool* faulted) {
  core::VirtualClock& clock = c.machine.clock();
  c.budget = static_cast<i64>(limit);
  c.jit_budget_start = c.budget;
  c.jit_clock_base = clock.retired();
  c.link_src = nullptr;
  c.block_dirty = false;
  ++c.itc_gen;  // entries of an earlier run may name another CS, mode or mapping
  refresh_seg_views(c);
  c.seg_props = seg_prop::of(c.s);
  c.stats.jit_runs++;
  const JitExit why = enter_translated(c, b);
  const u64 n = static_cast<u64>(c.jit_budget_start - c.budget);
  c.stats.jit_entries += c.counters[hot_counter::kEntries];
  c.stats.jit_tlb_hits += c.counters[hot_counter::kTlbHits];
  c.stats.jit_flag_stores += c.counters[hot_counter::kFlagStores];
  c.stats.jit_flag_loads += c.counters[hot_counter::kFlagLoads];
  c.stats.jit_exit_at_entry += c.counters[hot_counter::kExitAtEntry];
  c.stats.jit_exit_unlinked += c.counters[hot_counter::kExitUnlinked];
  c.stats.jit_exit_handler += c.counters[hot_counter::kExitByHandler];
  c.stats.jit_exit_smc += c.counters[hot_counter::kExitSmc];
  for (u64& k : c.counters) k = 0;
  // Helpers may have brought the clock forward already (to the start of the block they ran in).
  const u64 want = c.jit_clock_base + n;
  if (want > clock.retired()) clock.retire(want - clock.retired());
  *faulted = why == JitExit::Fault;
  if (why == JitExit::Fault) c.stats.jit_exit_fault++;
  else if (why == JitExit::Halt) c.stats.jit_exit_halt++;
  else c.stats.jit_exit_ended++;
  if (why == JitExit::Halt) c.s.halted = true;
  return n;
}

}  // namespace

core::ProcessorExit run_cpu(Context& c, u64 max_insns) {
  CpuState& s = c.s;
  core::VirtualClock& clock = c.machine.clock();
  core::InterruptController* pic = c.machine.interrupt_controller();
  u64 done = 0;
  c.exit_word &= ~exit_bit::kRequest;
  while (done < max_insns) {
    if ((c.exit_word & exit_bit::kRequest) || c.machine.stop_requested()) return core::ProcessorExit::Stopped;
    poll_interrupt(c);
    // The exit word's interrupt bit stays set only while an interrupt could still be taken at a
    // later boundary without the dispatcher seeing a change first (IF=1; an instruction that sets
    // IF ends its block, so the dispatcher re-evaluates then).
    if (pic && (s.eflags & flag::IF) && pic->intr_pending()) c.exit_word |= exit_bit::kInterrupt;
    else c.exit_word &= ~exit_bit::kInterrupt;
    if (s.halted) return core::ProcessorExit::Halted;
    if (c.machine.stop_requested()) return core::ProcessorExit::Stopped;

    const u32 lin = s.seg[CS].base + s.eip();
    if ((s.dr[7] & 0xFF) && !(s.eflags & flag::RF) && debug_exec_breakpoint(c, lin)) {
      c.raise(vec::DB);
      c.deliver_pending_exception();
      continue;
    }
    s.eflags &= ~flag::RF;
    if (c.jit && c.jit->full()) {
      c.blocks->flush_all();
      c.stats.jit_flushes++;
      c.link_src = nullptr;
    }
    Block* b = c.blocks->lookup(lin);
    if (!b) {
      c.link_src = nullptr;
      c.deliver_pending_exception();
      continue;
    }
    const bool shadow = s.irq_shadow;
    const bool trap = s.eflags & flag::TF;
    u64 n = 0;
    bool faulted = false;
    const bool entry_matches = b->entered_as(s);
    if (c.jit && entry_matches && jit_allowed(c) && b->insns.size() <= max_insns - done) {
      const u32 props = seg_prop::of(s);
      if (b->jit && !seg_prop::holds(b->seg_assumed, props)) {
        // Built on segment properties the CPU no longer has (a segment load since): build it
        // again on today's, or on none once it has flip-flopped (BIOS code called with changing
        // segments). Stale indirect-target entries may hold its entry: they go with the gen.
        c.jit->release(*b);
        ++c.itc_gen;
        if (b->seg_misses < Block::kSegRetries) ++b->seg_misses;
        c.stats.jit_seg_retranslations++;
      }
      if (!b->jit && ++b->execs >= c.jit_threshold) {
        b->seg_assumed = b->seg_misses >= Block::kSegRetries ? 0 : props;
        c.jit->translate(c, *b);
      }
      if (b->jit && c.link_src) c.jit->link(c, *b);
    }
    c.link_src = nullptr;
    if (b->jit && entry_matches && jit_allowed(c) && b->insns.size() <= max_insns - done) {
      if (c.lockstep) {
        bool ok = true;
        n = lockstep_block(c, *b, max_insns - done, &faulted, &ok);
        if (!ok) {
          c.machine.request_stop(core::StopKind::Error, 1, c.lockstep_error);
          return core::ProcessorExit::Stopped;
        }
        clock.retire(n);
      } else {
        n = run_translated(c, *b, max_insns - done, &faulted);
      }
    } else {
      n = interpret_block(c, *b, max_insns - done, shadow || trap, &faulted);
      clock.retire(n);
    }
    done += n;
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
