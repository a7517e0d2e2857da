// The block emitter's skeleton: entry checks, the per-instruction choice between native code and
// a handler call, helper-result exits, flags between host EFLAGS and CpuState, and block exits.
#include "emitter.h"

#include <fmt/format.h>

#include "cpu/cpu.h"
#include "cpu/translator.h"
#include "decode/opcode_table.h"
#include "frame_layout.h"
#include "native_rows.h"
#include "runtime_helpers.h"

namespace pcjit::jit {

using asmjit::imm;
using asmjit::Label;

Emitter::Emitter(x86::Assembler& as, Context& c, const Block& b, const Stubs& stubs, void* record)
    : a(as), c_(c), block_(b), stubs_(stubs), record_(record), code32_((b.mode & 1) != 0) {}

x86::Gp Emitter::greg(unsigned r, unsigned size) {
  const unsigned id = 8 + (r & 7);
  if (size == 1) return x86::gpb(id);
  if (size == 2) return x86::gpw(id);
  return x86::gpd(id);
}

void Emitter::spill_guest_regs() {
  for (unsigned r = 0; r < 8; ++r) a.mov(frame(layout::gpr(r), 8), x86::gpq(8 + r));
}
void Emitter::reload_guest_regs() {
  for (unsigned r = 0; r < 8; ++r) a.mov(x86::gpq(8 + r), frame(layout::gpr(r), 8));
}

x86::Mem Emitter::frame(std::size_t offset, unsigned size) {
  return x86::ptr(x86::rbx, static_cast<i32>(offset), size);
}

x86::Gp Emitter::tmp(unsigned size) {
  if (size == 1) return x86::cl;
  if (size == 2) return x86::cx;
  return x86::ecx;
}

void Emitter::count(unsigned counter) {
  if (!c_.count_events) return;
  // mov/lea/mov: an increment that leaves host EFLAGS alone.
  const x86::Mem m = frame(layout::counter(counter), 8);
  a.mov(x86::rcx, m);
  a.lea(x86::rcx, x86::ptr(x86::rcx, 1));
  a.mov(m, x86::rcx);
}

// ---- flags ------------------------------------------------------------------------------------

// host EFLAGS -> CpuState::eflags (the six arithmetic flags):
//   pushfq; pop rdx; and edx, 0x8D5; mov ecx, [eflags]; and ecx, ~0x8D5; or ecx, edx; mov [eflags], ecx
void Emitter::store_host_flags() {
  count(cpu::hot_counter::kFlagStores);
  const x86::Mem ef = frame(layout::kEflags, 4);
  a.pushfq();
  a.pop(x86::rdx);
  a.and_(x86::edx, cpu::flag::kArith);
  a.mov(x86::ecx, ef);
  a.and_(x86::ecx, ~cpu::flag::kArith);
  a.or_(x86::ecx, x86::edx);
  a.mov(ef, x86::ecx);
}

// CpuState::eflags -> host EFLAGS, without POPF (slow, and it would load TF/DF/AC):
//   mov ecx, [eflags]; mov eax, ecx; shr eax, 11; and eax, 1   ; AL = OF
//   mov ah, cl; add al, 0x7F; sahf                              ; OF from the add, the rest from AH
void Emitter::load_host_flags() {
  count(cpu::hot_counter::kFlagLoads);
  a.mov(x86::ecx, frame(layout::kEflags, 4));
  a.mov(x86::eax, x86::ecx);
  a.shr(x86::eax, 11);
  a.and_(x86::eax, 1);
  a.mov(x86::ah, x86::cl);
  a.add(x86::al, 0x7F);
  a.sahf();
}

// AX -> CpuState::eflags, without going through host EFLAGS (clobbers ecx, edx, EFLAGS):
//   movzx edx, ah ; and edx, 0xD5 ; movzx ecx, al ; shl ecx, 11 ; or edx, ecx
//   mov ecx, [eflags] ; and ecx, ~0x8D5 ; or ecx, edx ; mov [eflags], ecx
void emit_store_saved_flags(x86::Assembler& a) {
  const x86::Mem ef = Emitter::frame(layout::kEflags, 4);
  a.movzx(x86::edx, x86::ah);
  a.and_(x86::edx, cpu::flag::kArith & 0xFF);
  a.movzx(x86::ecx, x86::al);
  a.shl(x86::ecx, 11);
  a.or_(x86::edx, x86::ecx);
  a.mov(x86::ecx, ef);
  a.and_(x86::ecx, ~cpu::flag::kArith);
  a.or_(x86::ecx, x86::edx);
  a.mov(ef, x86::ecx);
}

// CpuState::eflags -> AX (clobbers ecx, EFLAGS):
//   mov ecx, [eflags] ; mov eax, ecx ; shr eax, 11 ; and eax, 1 ; mov ah, cl
void emit_load_saved_flags(x86::Assembler& a) {
  a.mov(x86::ecx, Emitter::frame(layout::kEflags, 4));
  a.mov(x86::eax, x86::ecx);
  a.shr(x86::eax, 11);
  a.and_(x86::eax, 1);
  a.mov(x86::ah, x86::cl);
}

void Emitter::store_saved_flags() {
  count(cpu::hot_counter::kFlagStores);
  emit_store_saved_flags(a);
}

void Emitter::load_saved_flags() {
  count(cpu::hot_counter::kFlagLoads);
  emit_load_saved_flags(a);
}

void Emitter::flags_to_host() {
  if (flags_ == FlagsAt::Memory) {
    load_host_flags();
  } else if (flags_ == FlagsAt::Saved) {
    a.add(x86::al, 0x7F);
    a.sahf();
  }
  flags_ = FlagsAt::Host;
}

void Emitter::flags_to_memory() {
  if (flags_ == FlagsAt::Host) store_host_flags();
  else if (flags_ == FlagsAt::Saved) store_saved_flags();
  flags_ = FlagsAt::Memory;
}

void Emitter::flags_to_saved() {
  if (flags_ == FlagsAt::Host) {
    a.lahf();
    a.seto(x86::al);
  } else if (flags_ == FlagsAt::Memory) {
    load_saved_flags();
  }
  flags_ = FlagsAt::Saved;
}

// ---- entry, handler calls and exits -----------------------------------------------------------

// Three entries, one body that starts with the guest flags parked in AX (FlagsAt::Saved):
// entry (from the dispatcher, and links whose source stored the flags):
//   sub qword [budget], N    ; jl .leave        (the whole block must fit, as in the interpreter;
//                                                a set exit word poisons the budget: hot_frame.h)
//   <CpuState flags -> AX>                      (only if the block observes them before writing)
//   jmp .body
// host-flags entry (links from blocks that leave the flags in host EFLAGS):
//   lahf ; seto al                              (the budget check clobbers EFLAGS)
// saved-flags entry (links from blocks that leave them in AX; the jump-cache continuation):
//   sub qword [budget], N    ; jl .leave_ax
// .body:
// .leave (cold): add qword [budget], N ; mov dword [eip], entry_eip ; mov eax, Ended ; jmp exit
// .leave_ax (cold): add qword [budget], N ; <AX -> CpuState> ; then as .leave
void Emitter::emit_entry() {
  const i64 n = static_cast<i64>(block_.insns.size());
  const bool need = live_in_ != 0;
  Label leave = a.newLabel(), leave_ax = a.newLabel(), body = a.newLabel();
  hf_entry_ = a.newLabel();
  ax_entry_ = a.newLabel();
  // One check covers the exit word too: while it is set the budget is poisoned (hot_frame.h).
  auto checks = [&](Label out) {
    a.sub(frame(layout::kBudget, 8), static_cast<i32>(n));
    a.jl(out);
    count(cpu::hot_counter::kEntries);
  };
  checks(leave);
  if (need) load_saved_flags();
  a.jmp(body);
  a.bind(hf_entry_);
  a.lahf();
  a.seto(x86::al);
  a.bind(ax_entry_);
  checks(leave_ax);
  a.bind(body);
  // With need == false nothing reads or exposes the flags before an instruction defines all of
  // them, so whatever host EFLAGS holds may stand for them until then.
  flags_ = need ? FlagsAt::Saved : FlagsAt::Host;
  const u32 entry = block_.entry_eip;
  cold([this, leave, leave_ax, entry, n] {
    a.bind(leave);
    budget_refund(n);
    count(cpu::hot_counter::kExitAtEntry);
    emit_exit_ended(entry);
    a.bind(leave_ax);
    budget_refund(n);
    count(cpu::hot_counter::kExitAtEntry);
    store_saved_flags();
    emit_exit_ended(entry);
  });
}

void Emitter::emit_exit_ended(u32 rip) {
  a.mov(frame(layout::kEip, 4), rip);
  a.mov(x86::eax, static_cast<u32>(cpu::JitExit::Ended));
  a.jmp(imm(stubs_.exit));
}

void Emitter::budget_refund(i64 insns) {
  if (insns > 0) a.add(frame(layout::kBudget, 8), static_cast<i32>(insns));
}

// The rows that load a segment register without ending their block (move.cpp, stack.cpp):
// 8E MOV Sreg,Ew; 07/1F POP ES/DS; 0F A1/A9 POP FS/GS; C4/C5 LES/LDS; 0F B4/B5 LFS/LGS.
// (MOV SS, POP SS, LSS and every far transfer end the block, and a run, anyway.)
bool loads_segment(const Insn& i) {
  if (i.map == 0) return i.opcode == 0x8E || i.opcode == 0x07 || i.opcode == 0x17 || i.opcode == 0x1F ||
                         i.opcode == 0xC4 || i.opcode == 0xC5;
  return i.opcode == 0xA1 || i.opcode == 0xA9 || i.opcode == 0xB2 || i.opcode == 0xB4 || i.opcode == 0xB5;
}

Here Emitter::here() const {
  return Here{insn_, eip_, next_eip_, static_cast<i64>(block_.insns.size() - index_ - 1)};
}

// <r8-r15 -> gpr[]> ; mov dword [eip], eip_k ; mov rdi, rbp ; mov rsi, &insn ; mov edx, N
// call rt_call_handler ; <gpr[] -> r8-r15>          (the handler may have changed any register)
void Emitter::emit_helper_call(const Here& h, bool slow) {
  spill_guest_regs();
  a.mov(frame(layout::kEip, 4), h.eip);
  a.mov(x86::rdi, x86::rbp);
  a.mov(x86::rsi, imm(reinterpret_cast<uintptr_t>(h.insn)));
  a.mov(x86::edx, static_cast<u32>(block_.insns.size()));
  const void* fn = slow ? reinterpret_cast<const void*>(&rt_slow_path)
                 : loads_segment(*h.insn) ? reinterpret_cast<const void*>(&rt_call_segment_loader)
                                         : reinterpret_cast<const void*>(&rt_call_handler);
  a.mov(x86::rax, imm(reinterpret_cast<uintptr_t>(fn)));
  a.call(x86::rax);
  reload_guest_regs();
}

// After a handler call (result in eax):
//   test eax, eax ; jnz .ended_by_handler          (Exec::Ok == 0)
//   cmp byte [block_dirty], 0 ; jne .dirty         (a store hit this block: leave after it)
// .ended_by_handler: refund the instructions after this one; the shared stub maps Fault (one
// more refund), Halt and Jump/Stop to the JitExit.
void Emitter::handle_helper_result(const Here& h, bool may_end) {
  static_assert(static_cast<int>(cpu::Exec::Ok) == 0);
  const i64 after = h.after;
  Label ended = a.newLabel(), dirty = a.newLabel();
  a.test(x86::eax, x86::eax);
  a.jnz(ended);
  a.cmp(frame(layout::kBlockDirty, 1), 0);
  a.jne(dirty);
  const u32 next = h.next_eip;
  const bool indirect = may_end && (block_.exit == cpu::BlockExit::Return || block_.exit == cpu::BlockExit::Indirect);
  cold([this, ended, dirty, after, next, indirect] {
    a.bind(ended);
    count(cpu::hot_counter::kExitByHandler);
    budget_refund(after);
    if (indirect) {
      // A near RET / JMP r/m / CALL r/m run by its handler: Jump continues through the jump cache.
      a.cmp(x86::eax, static_cast<u32>(cpu::Exec::Jump));
      a.je(imm(stubs_.lookup));
    }
    a.jmp(imm(stubs_.helper_exit));
    a.bind(dirty);
    count(cpu::hot_counter::kExitSmc);
    budget_refund(after);
    emit_exit_ended(next);
  });
}

void Emitter::call_handler() {
  flags_to_memory();
  const Here h = here();
  emit_helper_call(h);
  handle_helper_result(h, true);
}

void Emitter::emit_slow_call(const Here& h) {
  emit_helper_call(h, true);
  handle_helper_result(h, false);
}

Label Emitter::handler_exit_path() {
  Label l = a.newLabel();
  const FlagsAt f = flags_;
  const Here h = here();
  cold([this, l, f, h] {
    a.bind(l);
    if (f == FlagsAt::Host) store_host_flags();
    else if (f == FlagsAt::Saved) store_saved_flags();
    emit_helper_call(h);
    // The handler raises the fault or performs the transfer itself: leave by its result.
    budget_refund(h.after);
    Label not_ok = a.newLabel();
    a.test(x86::eax, x86::eax);
    a.jnz(not_ok);
    emit_exit_ended(h.next_eip);
    a.bind(not_ok);
    a.jmp(imm(stubs_.helper_exit));
  });
  return l;
}

// The translation runs only with the CS limit it was built for (Block::entered_as), so a direct
// target's check is decided now: nothing to emit, or always the handler (which raises #GP).
void Emitter::check_cs_limit(u32 target, Label path) {
  if (target > block_.cs_limit) a.jmp(path);
}

void Emitter::check_cs_limit_reg(const x86::Gp& target32, Label path) {  // (not rcx/rdx-free)
  a.cmp(target32, frame(layout::seg(cpu::CS) + layout::kSegLimit, 4));
  a.ja(path);
}

// Direct exit. Same linear page as the block's entry (and the translation is guarded by CS.base
// and EIP), so the target's physical address follows from the block's: the link needs no guard.
//   jmp rel32 .miss          ; patched to the target's entry once it is translated
// .miss: mov dword [eip], target ; mov rax, record ; mov [link_src], rax
//        mov dword [link_exit], k ; mov eax, Ended ; jmp exit
// Other pages: <flags -> AX> ; mov dword [eip], target ; jmp lookup_saved
void Emitter::exit_to(u32 target) {
  // Code after an exit is reached only through a label bound later (the other edge of a
  // branch), which finds the flags where they were before the exit.
  const FlagsAt before = flags_;
  emit_direct_exit(target);
  flags_ = before;
}

void Emitter::emit_direct_exit(u32 target) {
  const u32 entry_lin = block_.cs_base + block_.entry_eip;
  const u32 target_lin = block_.cs_base + target;
  if (c_.lockstep) {
    flags_to_memory();
    emit_exit_ended(target);
    return;
  }
  if ((entry_lin >> 12) != (target_lin >> 12)) {
    flags_to_saved();
    a.mov(frame(layout::kEip, 4), target);
    a.jmp(imm(stubs_.lookup_saved));
    return;
  }
  // With the flags in host EFLAGS or AX the link goes to the target's host-flags or saved-flags
  // entry and nothing is stored on the way; only the unlinked miss path stores them.
  ExitSite site{a.newLabel(), a.newLabel(), target, flags_};
  a.bind(site.patch);
  a.long_().jmp(site.miss);
  const u32 k = static_cast<u32>(exits_.size());
  exits_.push_back(site);
  cold([this, site, k] {
    a.bind(site.miss);
    count(cpu::hot_counter::kExitUnlinked);
    if (site.flags == FlagsAt::Host) store_host_flags();
    else if (site.flags == FlagsAt::Saved) store_saved_flags();
    a.mov(frame(layout::kEip, 4), site.target_eip);
    a.mov(x86::rax, imm(reinterpret_cast<uintptr_t>(record_)));
    a.mov(frame(layout::kLinkSrc, 8), x86::rax);
    a.mov(frame(layout::kLinkExit, 4), k);
    a.mov(x86::eax, static_cast<u32>(cpu::JitExit::Ended));
    a.jmp(imm(stubs_.exit));
  });
}

// The jump-cache continuation takes the flags in AX (it enters the target's saved-flags entry).
void Emitter::exit_indirect() {
  const FlagsAt before = flags_;  // as in exit_to
  if (c_.lockstep) {
    flags_to_memory();
    a.mov(x86::eax, static_cast<u32>(cpu::JitExit::Ended));
    a.jmp(imm(stubs_.exit));
  } else {
    flags_to_saved();
    a.jmp(imm(stubs_.lookup_saved));
  }
  flags_ = before;
}

// With the flags in host EFLAGS they are parked in AX first (C++ clobbers EFLAGS), and stay there:
//   [lahf ; seto al] ; push rax ; push rax ; push r8-r11   (six pushes: rsp stays aligned)
//   mov rdi, rbp ; mov esi, a1 ; mov edx, a2 ; mov ecx, N ; call fn
//   pop r11-r8 ; mov ecx, eax ; pop rax ; pop rax
//   cmp byte [exc.pending], 0 ; jne .fault
// .fault (cold): <AX -> CpuState> ; mov dword [eip], eip_k
//                add qword [budget], N-k ; mov eax, Fault ; jmp exit
void Emitter::call_runtime(const void* fn, const asmjit::Operand& a1, u32 a2) {
  if (flags_ == FlagsAt::Host) flags_to_saved();
  const bool saved = flags_ == FlagsAt::Saved;
  if (saved) {
    a.push(x86::rax);
    a.push(x86::rax);
  } else {
    a.sub(x86::rsp, 16);
  }
  for (const x86::Gp& r : {x86::r8, x86::r9, x86::r10, x86::r11}) a.push(r);
  a.mov(x86::rdi, x86::rbp);
  a.emit(x86::Inst::kIdMov, x86::esi, a1);
  a.mov(x86::edx, a2);
  a.mov(x86::ecx, static_cast<u32>(block_.insns.size()));
  a.mov(x86::rax, imm(reinterpret_cast<uintptr_t>(fn)));
  a.call(x86::rax);
  for (const x86::Gp& r : {x86::r11, x86::r10, x86::r9, x86::r8}) a.pop(r);
  a.mov(x86::ecx, x86::eax);
  if (saved) {
    a.pop(x86::rax);
    a.pop(x86::rax);
  } else {
    a.add(x86::rsp, 16);
  }
  Label fault = a.newLabel();
  a.cmp(frame(layout::kExcPending, 1), 0);
  a.jne(fault);
  const Here h = here();
  cold([this, fault, saved, h] {
    a.bind(fault);
    if (saved) store_saved_flags();
    a.mov(frame(layout::kEip, 4), h.eip);
    budget_refund(h.after + 1);
    a.mov(x86::eax, static_cast<u32>(cpu::JitExit::Fault));
    a.jmp(imm(stubs_.exit));
  });
}

bool Emitter::emit_native() {
  const NativeEmitter f = find_native(*insn_);
  if (!f || !f(*this, *insn_)) return false;
  return true;
}

// Backward over the block: an instruction whose code can expose the flags (a memory access, a
// handler call, an exit) observes every flag; a pure native one only what it reads.
void Emitter::compute_liveness() {
  const std::size_t n = block_.insns.size();
  live_after_.assign(n, cpu::flag::kArith);
  u32 live = cpu::flag::kArith;  // the block's successor may read anything
  for (std::size_t k = n; k-- > 0;) {
    live_after_[k] = live;
    const Insn& i = block_.insns[k];
    const cpu::InsnFlags f = k < block_.flags.size() ? block_.flags[k] : cpu::InsnFlags{0, 0, 0};
    const bool observes_all = !pure_native(i);
    live = (live & ~f.written) | f.read | (observes_all ? cpu::flag::kArith : 0u);
    live &= cpu::flag::kArith;
  }
  live_in_ = live;
}

// PCJIT_JIT_DUMP: the guest instruction as a comment above its host code. The bytes are read
// back from guest memory (the block's page; a dump-only peek, never on the normal path).
void Emitter::comment_guest_insn(u32 eip) {
  u8 bytes[16] = {};
  const u64 at = block_.phys + (eip - block_.entry_eip);
  const unsigned len = std::min<unsigned>(insn_->len, sizeof bytes);
  if ((at & 0xFFF) + len <= 0x1000) c_.mem.read_bytes(at, std::span<u8>(bytes, len));
  unsigned dlen = 0;
  const std::string text = cpu::disassemble(std::span<const u8>(bytes, len), code32_, eip, &dlen);
  a.comment(fmt::format("{:08x}: {}", eip, text).c_str());
}

void Emitter::emit_block() {
  compute_liveness();
  emit_entry();
  u32 eip = block_.entry_eip;
  const u32 mask = code32_ ? 0xFFFFFFFFu : 0xFFFFu;
  bool ended = false;
  for (index_ = 0; index_ < block_.insns.size(); ++index_) {
    insn_ = &block_.insns[index_];
    eip_ = eip;
    next_eip_ = (eip + insn_->len) & mask;
    const bool ends = cpu::row_at(insn_->row).flags & cpu::row_flag::kEndsBlock;
    if (a.logger()) comment_guest_insn(eip);
    if (!emit_native()) {
      call_handler();
      if (ends) {
        // The handler transferred (Jump/Stop/Halt leave through handle_helper_result) or, for a
        // not-taken conditional, returned Ok: continue at the next instruction.
        if (block_.exit == cpu::BlockExit::Conditional) exit_to(next_eip_);
        else emit_exit_ended(next_eip_);
        ended = true;
      }
    } else if (ends) {
      ended = true;  // the native emitter produced the block's exits
    }
    eip = next_eip_;
  }
  if (!ended) exit_to(eip);  // fell off the end (page end, length cap): go on at the next one
  for (std::size_t k = 0; k < cold_.size(); ++k) cold_[k]();  // cold_ may grow while it runs
}

}  // namespace pcjit::jit
