// Lockstep differential testing of the JIT against the interpreter (--lockstep).
//
// For one translated block: snapshot the CPU state, run the translation alone (no chaining: the
// translator does not link or continue in lockstep mode), record the result and every byte it
// stored, undo those stores, restore the snapshot, run the same block in the interpreter, and
// compare registers, EFLAGS (all of it: see below), segment and control state, the pending exception, the number
// of retired instructions and the final value of every stored byte. The machine continues from
// the interpreter's result, so the reference semantics drive the run.
//
// Blocks holding port I/O are run in the interpreter only: a port access has side effects that
// cannot be undone. Device memory (MMIO) stores are compared as a sequence but run twice.
#include "lockstep.h"

#include <algorithm>
#include <fmt/format.h>
#include <map>

#include "../decode/opcode_table.h"
#include "block_cache.h"
#include "fault_check.h"
#include "cpu/translator.h"
#include "run_loop.h"

namespace pcjit::cpu {

void StoreLog::record(const MemRef& r) {
  for (unsigned k = 0; k < r.size; ++k) {
    u8* host = nullptr;
    u64 phys = 0;
    if (r.host) {
      host = r.host + k;
    } else {
      phys = (r.split && k >= r.split) ? r.phys1 + (k - r.split) : r.phys0 + k;
      const core::PageSlot& slot = c_.mem.page_slot(phys);
      if (slot.whost && slot.kind == core::PageKind::Ram) host = slot.whost + (phys & 0xFFF);
    }
    if (host) bytes_.push_back(Byte{host, *host});
    else dev_.push_back(DeviceWrite{phys, 1});
  }
}

void StoreLog::record_host(u8* host, unsigned size) {
  for (unsigned k = 0; k < size; ++k) bytes_.push_back(Byte{host + k, host[k]});
}

void StoreLog::undo() {
  for (auto it = bytes_.rbegin(); it != bytes_.rend(); ++it) *it->host = it->old;
  clear();
}

namespace {

bool has_port_io(const Block& b) {
  for (const Insn& i : b.insns) {
    if (i.map != 0) continue;
    const u8 op = i.opcode;
    if ((op >= 0xE4 && op <= 0xE7) || (op >= 0xEC && op <= 0xEF) || (op >= 0x6C && op <= 0x6F)) return true;
  }
  return false;
}

// EFLAGS bits that are defined after the first n instructions of b ran (SDM: each instruction's
// "Flags Affected"; the decoder's masks carry them).
u32 defined_flags(const Block& b, u64 n) {
  u32 undefined = 0;
  for (u64 k = 0; k < n && k < b.flags.size(); ++k)
    undefined = (undefined & ~b.flags[k].written) | b.flags[k].undefined;
  return ~undefined;
}

std::map<u8*, u8> final_bytes(const StoreLog& log) {
  std::map<u8*, u8> out;
  for (const StoreLog::Byte& x : log.bytes()) out[x.host] = *x.host;
  return out;
}

}  // namespace

u64 lockstep_block(Context& c, Block& b, u64 limit, bool* faulted, bool* ok) {
  *ok = true;
  if (has_port_io(b)) return interpret_block(c, b, limit, false, faulted);
  core::VirtualClock& clock = c.machine.clock();
  const u64 clock0 = clock.retired();
  const CpuState before = c.s;
  StoreLog log(c);
  ExecObserver* const saved_observer = c.observer;
  c.observer = &log;
  c.store_log = &log;

  // 1. The translation.
  c.budget = static_cast<i64>(limit);
  c.jit_budget_start = c.budget;
  c.jit_clock_base = clock0;
  c.link_src = nullptr;
  c.block_dirty = false;
  refresh_seg_views(c);
  c.seg_props = seg_prop::of(c.s);
  const JitExit why = enter_translated(c, b);
  const u64 n_jit = static_cast<u64>(c.jit_budget_start - c.budget);
  CpuState after_jit = c.s;
  if (why == JitExit::Halt) after_jit.halted = true;  // run_translated's job in a normal run
  // A store that hit code retires the blocks on it (and unmarks a page left without code), and
  // the run leaves after that store. The rerun from the snapshot sees the code already retired,
  // so it would not stop there: give it the same stopping point. Both engines share this rule
  // (run_loop.cpp and Emitter::handle_helper_result); the hazard tests check it on its own.
  const bool left_for_smc = c.block_dirty;
  const PendingException exc_jit = c.exc;
  const std::map<u8*, u8> mem_jit = final_bytes(log);
  const auto dev_jit = log.device_writes();

  // 2. Back to the snapshot, then the interpreter.
  log.undo();
  c.s = before;
  c.exc = PendingException{};
  bool faulted_ref = false;
  const u64 n_ref = interpret_block(c, b, left_for_smc ? std::min(limit, n_jit) : limit, false, &faulted_ref);
  const std::map<u8*, u8> mem_ref = final_bytes(log);
  c.observer = saved_observer;
  c.store_log = nullptr;
  c.update_mode_flags();
  c.stats.lockstep_blocks++;

  std::string diff;
  if (n_jit != n_ref) diff += fmt::format(" retired: jit {} interp {};", n_jit, n_ref);
  const bool faulted_jit = why == JitExit::Fault;
  if (faulted_jit != faulted_ref) diff += fmt::format(" fault: jit {} interp {};", faulted_jit, faulted_ref);
  if (faulted_jit && faulted_ref && (exc_jit.vector != c.exc.vector || exc_jit.error != c.exc.error))
    diff += fmt::format(" exception: jit {}({:#x}) interp {}({:#x});", exc_jit.vector, exc_jit.error,
                        c.exc.vector, c.exc.error);
  // Every flag is compared, those the SDM leaves undefined too: the JIT must leave the values the
  // interpreter defines for them, or a guest that reads them (PUSHF after IMUL, say) would behave
  // differently in the two engines. The report says when only undefined flags differ.
  const std::string fields = state_differences(after_jit, c.s);
  if (!fields.empty()) diff += " " + fields + " (jit -> interpreter);";
  const u32 flag_diff = (after_jit.eflags ^ c.s.eflags) & flag::kArith;
  if (flag_diff && !(flag_diff & defined_flags(b, std::min(n_jit, n_ref))))
    diff += fmt::format(" (flags {:#x} are undefined after these instructions per the SDM);", flag_diff);
  if (mem_jit != mem_ref) {
    for (const auto& [p, v] : mem_ref) {
      auto it = mem_jit.find(p);
      if (it == mem_jit.end() || it->second != v) {
        diff += fmt::format(" memory: the interpreter stored {:#04x} where the JIT {};", v,
                            it == mem_jit.end() ? std::string("stored nothing") : fmt::format("stored {:#04x}", it->second));
        break;
      }
    }
    if (mem_jit.size() != mem_ref.size())
      diff += fmt::format(" stores: jit {} bytes interp {} bytes;", mem_jit.size(), mem_ref.size());
  }
  if (dev_jit != log.device_writes()) diff += " device-memory stores differ;";
  if (!diff.empty()) {
    std::string listing;
    u32 eip = b.entry_eip;
    for (std::size_t k = 0; k < b.insns.size(); ++k) {
      listing += fmt::format("\n    [{}] {:#010x} {}", k, eip, row_at(b.insns[k].row).name);
      eip += b.insns[k].len;
    }
    c.lockstep_error = fmt::format("lockstep: block at phys {:#x} (cs.base {:#x} eip {:#x}, {} insns) diverges"
                                   " after {} retired:{}\n  block:{}",
                                   b.phys, b.cs_base, b.entry_eip, b.insns.size(), n_ref, diff, listing);
    *ok = false;
  }
  *faulted = faulted_ref;
  return n_ref;
}

}  // namespace pcjit::cpu
