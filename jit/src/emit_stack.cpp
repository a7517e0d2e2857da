// Native stack instructions on a 32-bit stack (SS.B = 1, part of the block's mode) with 32-bit
// operands: PUSH r32 (50-57), PUSH imm (68, 6A), POP r32 (58-5F), CALL rel32 (E8), RET (C3).
// Other sizes run through their handlers. The access goes through the inline soft-MMU on SS, and
// ESP is written only after the access cannot fault, as the interpreter does:
//   PUSH: mov ecx, [esp] ; lea ecx, [rcx-4] ; <mem_begin_at SS Write> ; mov [rsi], value
//         mov ecx, [esp] ; lea ecx, [rcx-4] ; mov [esp], ecx
#include "frame_layout.h"
#include "native_rows.h"

namespace pcjit::jit {
namespace {

using asmjit::imm;
using FlagUse = Emitter::FlagUse;

bool native_stack(const Emitter& e, const Insn& i) { return e.stack32() && i.opsz == 4; }

// ecx = ESP + delta, flag-free.
void esp_plus(Emitter& e, i32 delta) {
  e.a.mov(x86::ecx, Emitter::greg(cpu::ESP, 4));
  if (delta) e.a.lea(x86::ecx, x86::ptr(x86::rcx, delta));
}
void commit_esp(Emitter& e, i32 delta) {
  esp_plus(e, delta);
  e.a.mov(Emitter::greg(cpu::ESP, 4), x86::ecx);
}

// Pushes the 32-bit value `store(a)` writes to [rsi].
template <class Store>
void push32(Emitter& e, Store&& store) {
  esp_plus(e, -4);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Write, 4, FlagUse::None);
  store();
  commit_esp(e, -4);
  e.mem_end(m);
}

bool push_reg(Emitter& e, const Insn& i) {
  if (!native_stack(e, i)) return false;
  push32(e, [&] {
    e.a.mov(x86::r9d, Emitter::greg(i.opcode & 7, 4));  // PUSH ESP pushes the old value
    e.a.mov(x86::dword_ptr(x86::rsi), x86::r9d);
  });
  return true;
}

bool push_imm(Emitter& e, const Insn& i) {
  if (!native_stack(e, i)) return false;
  push32(e, [&] { e.a.mov(x86::dword_ptr(x86::rsi), imm(static_cast<i32>(i.imm))); });
  return true;
}

// POP r32: ESP is incremented before the register is written, so POP ESP loads the popped value.
bool pop_reg(Emitter& e, const Insn& i) {
  if (!native_stack(e, i)) return false;
  esp_plus(e, 0);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Read, 4, FlagUse::None);
  e.a.mov(x86::r9d, x86::dword_ptr(x86::rsi));
  commit_esp(e, 4);
  e.a.mov(Emitter::greg(i.opcode & 7, 4), x86::r9d);
  e.mem_end(m);
  return true;
}

bool call_rel(Emitter& e, const Insn& i) {
  if (!native_stack(e, i)) return false;
  const u32 target = e.next_eip() + i.imm;
  e.flags_to_memory();
  e.check_cs_limit(target, e.handler_exit_path());
  const u32 ret = e.next_eip();
  push32(e, [&] { e.a.mov(x86::dword_ptr(x86::rsi), ret); });
  e.exit_to(target);
  return true;
}

bool ret_near(Emitter& e, const Insn& i) {
  if (!native_stack(e, i)) return false;
  e.flags_to_memory();
  const asmjit::Label gp = e.handler_exit_path();
  esp_plus(e, 0);
  Emitter::MemOp m = e.mem_begin_at(cpu::SS, Access::Read, 4, FlagUse::None);
  e.a.mov(x86::r9d, x86::dword_ptr(x86::rsi));
  e.check_cs_limit_reg(x86::r9d, gp);
  commit_esp(e, 4);
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
