// Native stack instructions: PUSH r (50-57), PUSH imm (68, 6A), PUSH Ev (FF /6), POP r (58-5F),
// LEAVE (C9), CALL rel (E8), RET (C3), JMP Ev (FF /4), with 16- or 32-bit operands on a 16- or 32-bit stack (SS.B is part of the block's
// mode, so the stack width is known when the block is translated). The access goes through the
// inline soft-MMU on SS, and SP is written only after the access cannot fault, as the
// interpreter does. PUSH r32 on a 32-bit stack (guest ESP in r12):
//   lea ecx, [r12-4] ; <mem_begin_at SS Write> ; mov [rsi], reg ; lea r12d, [r12-4]
// On a 16-bit stack the offset is SP wrapped with movzx, and only SP (r12w) is written.
#include "frame_layout.h"
#include "native_rows.h"

namespace pcjit::jit {
namespace {

using asmjit::imm;
using FlagUse = Emitter::FlagUse;

// Guest ESP lives in r12.
const x86::Gp kEsp = x86::r12d;

// ecx = SP + delta (ESP on a 32-bit stack, SP wrapped to 16 bits on a 16-bit one), flag-free.
void sp_plus(Emitter& e, i32 delta) {
  auto& a = e.a;
  if (delta == 0) {
    if (e.stack32()) a.mov(x86::ecx, kEsp);
    else a.movzx(x86::ecx, x86::r12w);
    return;
  }
  a.lea(x86::ecx, x86::ptr(x86::r12, delta));
  if (!e.stack32()) a.movzx(x86::ecx, x86::cx);
}
// SP += delta (only SP on a 16-bit stack), flag-free.
void commit_sp(Emitter& e, i32 delta) {
  auto& a = e.a;
  if (e.stack32()) {
    a.lea(kEsp, x86::ptr(x86::r12, delta));
  } else {
    a.lea(x86::ecx, x86::ptr(x86::r12, delta));
    a.mov(x86::r12w, x86::cx);
  }
}

// Pushes `size` bytes that `store()` writes to [rsi].
template <class Store>
void push(Emitter& e, unsigned size, Store&& store) {
  const i32 d = -static_cast<i32>(size);
  sp_plus(e, d);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Write, size, FlagUse::None, !e.stack32());
  store();
  commit_sp(e, d);
  e.mem_end(m);
}

bool push_reg_n(Emitter& e, unsigned r, unsigned size) {
  // PUSH eSP pushes the value before the push: r12 is written only after the store.
  push(e, size, [&] { e.a.mov(x86::ptr(x86::rsi, 0, size), Emitter::greg(r, size)); });
  return true;
}
bool push_reg(Emitter& e, const Insn& i) { return push_reg_n(e, i.opcode & 7, i.opsz); }

bool push_imm(Emitter& e, const Insn& i) {
  const unsigned size = i.opsz;
  push(e, size, [&] {
    if (size == 4) e.a.mov(x86::dword_ptr(x86::rsi), imm(static_cast<i32>(i.imm)));
    else e.a.mov(x86::word_ptr(x86::rsi), imm(static_cast<i16>(i.imm)));
  });
  return true;
}

// POP r: SP is incremented before the register is written, so POP eSP loads the popped value.
bool pop_reg(Emitter& e, const Insn& i) {
  const unsigned size = i.opsz;
  const x86::Gp v = size == 4 ? x86::Gp(x86::edx) : x86::Gp(x86::dx);
  sp_plus(e, 0);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Read, size, FlagUse::None, !e.stack32());
  e.a.mov(v, x86::ptr(x86::rsi, 0, size));
  commit_sp(e, static_cast<i32>(size));
  e.a.mov(Emitter::greg(i.opcode & 7, size), v);
  e.mem_end(m);
  return true;
}

// CALL rel: the target is checked against CS first, then the return address is pushed.
bool call_rel(Emitter& e, const Insn& i) {
  const unsigned size = i.opsz;
  const u32 target = size == 4 ? e.next_eip() + i.imm : ((e.next_eip() + i.imm) & 0xFFFF);
  e.check_cs_limit(target, e.handler_exit_path());
  const u32 ret = e.next_eip();
  push(e, size, [&] {
    if (size == 4) e.a.mov(x86::dword_ptr(x86::rsi), ret);
    else e.a.mov(x86::word_ptr(x86::rsi), imm(static_cast<i16>(ret)));
  });
  e.exit_to(target);
  return true;
}

bool ret_near(Emitter& e, const Insn& i) {
  const unsigned size = i.opsz;
  // The CS-limit compare clobbers EFLAGS: the flags wait in AX (the continuation takes them there).
  if (e.flags() == FlagsAt::Host) e.flags_to_saved();
  const asmjit::Label gp = e.handler_exit_path();
  sp_plus(e, 0);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Read, size, FlagUse::None, !e.stack32());
  if (size == 4) e.a.mov(x86::edx, x86::dword_ptr(x86::rsi));
  else e.a.movzx(x86::edx, x86::word_ptr(x86::rsi));
  e.check_cs_limit_reg(x86::edx, gp);
  commit_sp(e, static_cast<i32>(size));
  e.a.mov(Emitter::frame(layout::kEip, 4), x86::edx);
  e.mem_end(m);
  e.exit_indirect();
  return true;
}

// FF /6: PUSH Ev. The memory form checks two accesses (the operand, then the stack slot) before
// it commits anything; the value waits in the hot frame's scratch word across the second check,
// which needs every scratch register. Either check's slow path runs the whole instruction.
bool push_rm(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = i.opsz;
  if (!i.mem()) return push_reg_n(e, i.rm, size);
  const x86::Mem scratch = Emitter::frame(layout::kScratch, size);
  Emitter::MemOp src = e.mem_begin(Access::Read, size, FlagUse::None);
  a.mov(Emitter::tmp(size), x86::ptr(x86::rsi, 0, size));
  a.mov(scratch, Emitter::tmp(size));
  push(e, size, [&] {
    a.mov(Emitter::tmp(size), scratch);
    a.mov(x86::ptr(x86::rsi, 0, size), Emitter::tmp(size));
  });
  e.mem_end(src);
  return true;
}

// C9: LEAVE. ESP (SP on a 16-bit stack) = EBP, then POP eBP; nothing changes if the read faults.
bool leave(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = i.opsz;
  const x86::Gp v = size == 4 ? x86::Gp(x86::edx) : x86::Gp(x86::dx);
  if (e.stack32()) a.mov(x86::ecx, x86::r13d);
  else a.movzx(x86::ecx, x86::r13w);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Read, size, FlagUse::None, !e.stack32());
  a.mov(v, x86::ptr(x86::rsi, 0, size));
  if (e.stack32()) {
    a.lea(kEsp, x86::ptr(x86::r13, static_cast<i32>(size)));
  } else {
    a.lea(x86::ecx, x86::ptr(x86::r13, static_cast<i32>(size)));
    a.mov(x86::r12w, x86::cx);
  }
  a.mov(Emitter::greg(cpu::EBP, size), v);
  e.mem_end(m);
  return true;
}

// FF /4: JMP Ev (near, absolute indirect): the target checked against CS, then the jump-cache
// continuation, as for RET.
bool jmp_rm(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = i.opsz;
  if (e.flags() == FlagsAt::Host) e.flags_to_saved();  // the CS-limit compare clobbers EFLAGS
  const asmjit::Label gp = e.handler_exit_path();
  Emitter::MemOp m;
  if (i.mem()) {
    m = e.mem_begin(Access::Read, size, FlagUse::None);
    if (size == 4) a.mov(x86::edx, x86::dword_ptr(x86::rsi));
    else a.movzx(x86::edx, x86::word_ptr(x86::rsi));
  } else if (size == 4) {
    a.mov(x86::edx, Emitter::greg(i.rm, 4));
  } else {
    a.movzx(x86::edx, Emitter::greg(i.rm, 2));
  }
  e.check_cs_limit_reg(x86::edx, gp);
  a.mov(Emitter::frame(layout::kEip, 4), x86::edx);
  if (i.mem()) e.mem_end(m);
  e.exit_indirect();
  return true;
}

constexpr NativeRow kRows[] = {
    {0, 0x50, 8, -1, push_reg}, {0, 0x68, 1, -1, push_imm}, {0, 0x6A, 1, -1, push_imm},
    {0, 0x58, 8, -1, pop_reg},  {0, 0xE8, 1, -1, call_rel}, {0, 0xC3, 1, -1, ret_near},
    {0, 0xFF, 1, 6, push_rm},   {0, 0xC9, 1, -1, leave},    {0, 0xFF, 1, 4, jmp_rm},
};

}  // namespace

std::span<const NativeRow> stack_native_rows() { return kRows; }

}  // namespace pcjit::jit
