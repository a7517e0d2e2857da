// Native stack instructions: PUSH r (50-57), PUSH imm (68, 6A), POP r (58-5F), CALL rel (E8),
// RET (C3), with 16- or 32-bit operands on a 16- or 32-bit stack (SS.B is part of the block's
// mode, so the stack width is known when the block is translated). The access goes through the
// inline soft-MMU on SS, and SP is written only after the access cannot fault, as the
// interpreter does. PUSH r32 on a 32-bit stack:
//   mov ecx, [esp] ; lea ecx, [rcx-4] ; <mem_begin_at SS Write> ; mov r9d, [reg] ; mov [rsi], r9d
//   mov ecx, [esp] ; lea ecx, [rcx-4] ; mov [esp], ecx
// On a 16-bit stack the offset is SP wrapped with movzx, and only SP is written.
#include "frame_layout.h"
#include "native_rows.h"

namespace pcjit::jit {
namespace {

using asmjit::imm;
using FlagUse = Emitter::FlagUse;

// ecx = SP + delta (ESP on a 32-bit stack, SP wrapped to 16 bits on a 16-bit one), flag-free.
void sp_plus(Emitter& e, i32 delta) {
  if (e.stack32()) {
    e.a.mov(x86::ecx, Emitter::greg(cpu::ESP, 4));
    if (delta) e.a.lea(x86::ecx, x86::ptr(x86::rcx, delta));
  } else {
    e.a.movzx(x86::ecx, Emitter::greg(cpu::ESP, 2));
    if (delta) {
      e.a.lea(x86::ecx, x86::ptr(x86::rcx, delta));
      e.a.movzx(x86::ecx, x86::cx);
    }
  }
}
void commit_sp(Emitter& e, i32 delta) {
  sp_plus(e, delta);
  if (e.stack32()) e.a.mov(Emitter::greg(cpu::ESP, 4), x86::ecx);
  else e.a.mov(Emitter::greg(cpu::ESP, 2), x86::cx);
}

// Pushes `size` bytes that `store()` writes to [rsi].
template <class Store>
void push(Emitter& e, unsigned size, Store&& store) {
  const i32 d = -static_cast<i32>(size);
  sp_plus(e, d);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Write, size, FlagUse::None);
  store();
  commit_sp(e, d);
  e.mem_end(m);
}

bool push_reg(Emitter& e, const Insn& i) {
  const unsigned size = i.opsz;
  push(e, size, [&] {
    e.a.mov(Emitter::val(size), Emitter::greg(i.opcode & 7, size));  // PUSH eSP pushes the old value
    e.a.mov(x86::ptr(x86::rsi, 0, size), Emitter::val(size));
  });
  return true;
}

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
  sp_plus(e, 0);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Read, size, FlagUse::None);
  e.a.mov(Emitter::val(size), x86::ptr(x86::rsi, 0, size));
  commit_sp(e, static_cast<i32>(size));
  e.a.mov(Emitter::greg(i.opcode & 7, size), Emitter::val(size));
  e.mem_end(m);
  return true;
}

// CALL rel: the target is checked against CS first, then the return address is pushed.
bool call_rel(Emitter& e, const Insn& i) {
  const unsigned size = i.opsz;
  const u32 target = size == 4 ? e.next_eip() + i.imm : ((e.next_eip() + i.imm) & 0xFFFF);
  e.flags_to_memory();
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
  e.flags_to_memory();
  const asmjit::Label gp = e.handler_exit_path();
  sp_plus(e, 0);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Read, size, FlagUse::None);
  if (size == 4) e.a.mov(x86::r9d, x86::dword_ptr(x86::rsi));
  else e.a.movzx(x86::r9d, x86::word_ptr(x86::rsi));
  e.check_cs_limit_reg(x86::r9d, gp);
  commit_sp(e, static_cast<i32>(size));
  e.a.mov(Emitter::frame(layout::kEip, 4), x86::r9d);
  e.mem_end(m);
  e.exit_indirect();
  return true;
}

constexpr NativeRow kRows[] = {
    {0, 0x50, 8, -1, push_reg}, {0, 0x68, 1, -1, push_imm}, {0, 0x6A, 1, -1, push_imm},
    {0, 0x58, 8, -1, pop_reg},  {0, 0xE8, 1, -1, call_rel}, {0, 0xC3, 1, -1, ret_near},
};

}  // namespace

std::span<const NativeRow> stack_native_rows() { return kRows; }

}  // namespace pcjit::jit
