// Native control flow and flag consumers: Jcc (70-7F, 0F 80-8F), JMP rel (E9, EB), LOOP/LOOPcc/
// JCXZ (E0-E3), SETcc (0F 90-9F), CMOVcc (0F 40-4F), CLC/STC/CMC (F8, F9, F5).
//
// The guest's condition codes are the host's (SDM Vol. 1 Table B-1 = the same encoding), so a
// Jcc is the host Jcc on the guest flags in host EFLAGS, and both edges leave them there for a
// linked successor (Emitter::exit_to):
//   jcc taken
//   <exit to the next instruction>
// taken:
//   <exit to target>          ; a target outside CS (decided at translation, the translation
//                             ; being guarded by CS.limit) goes to the handler, which raises #GP
#include "frame_layout.h"
#include "native_rows.h"

namespace pcjit::jit {
namespace {

using asmjit::imm;
using FlagUse = Emitter::FlagUse;

x86::CondCode cond(unsigned cc) { return static_cast<x86::CondCode>(cc & 0xF); }

u32 rel_target(const Emitter& e, const Insn& i) {
  const u32 t = e.next_eip() + i.imm;
  return i.opsz == 4 ? t : (t & 0xFFFF);
}

bool jcc(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const u32 target = rel_target(e, i);
  e.flags_to_host();
  asmjit::Label taken = a.newLabel();
  a.j(cond(i.opcode), taken);
  const FlagsAt f = e.flags();
  e.exit_to(e.next_eip());
  e.reset_flags_state(f);
  a.bind(taken);
  e.check_cs_limit(target, e.handler_exit_path());
  e.exit_to(target);
  return true;
}

bool jmp_rel(Emitter& e, const Insn& i) {
  const u32 target = rel_target(e, i);
  e.check_cs_limit(target, e.handler_exit_path());
  e.exit_to(target);
  return true;
}

// E0 LOOPNE, E1 LOOPE, E2 LOOP: count down CX/ECX (by the address size) and jump while nonzero
// (and ZF clear / set); E3 JCXZ/JECXZ. ECX is written only once the jump is known not to fault.
bool loop(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const u32 target = rel_target(e, i);
  const unsigned size = i.adsz;
  const x86::Gp count = Emitter::greg(cpu::ECX, size);
  e.flags_to_saved();  // the count's SUB/TEST clobber EFLAGS; LOOPE/LOOPNE read ZF from AH
  asmjit::Label not_taken = a.newLabel();
  const asmjit::Label gp = e.handler_exit_path();
  if (i.opcode == 0xE3) {
    a.test(count, count);
    a.jnz(not_taken);
    e.check_cs_limit(target, gp);
    e.exit_to(target);
    a.bind(not_taken);
    e.exit_to(e.next_eip());
    return true;
  }
  const x86::Gp v = Emitter::tmp(size);  // the new count, written once the jump cannot fault
  a.mov(v, count);
  a.sub(v, 1);
  a.jz(not_taken);
  if (i.opcode != 0xE2) {  // LOOPE needs ZF=1, LOOPNE ZF=0
    a.test(x86::ah, cpu::flag::ZF);
    if (i.opcode == 0xE1) a.jz(not_taken);
    else a.jnz(not_taken);
  }
  e.check_cs_limit(target, gp);
  a.mov(count, v);
  e.exit_to(target);
  a.bind(not_taken);
  a.mov(count, v);
  e.exit_to(e.next_eip());
  return true;
}

bool setcc(Emitter& e, const Insn& i) {
  auto& a = e.a;
  if (!i.mem()) {
    if (!Emitter::low_byte(i.rm)) return false;
    e.flags_to_host();
    a.set(cond(i.opcode), Emitter::greg(i.rm, 1));
    return true;
  }
  Emitter::MemOp m = e.mem_begin(Access::Write, 1, FlagUse::Reads);
  a.set(cond(i.opcode), x86::byte_ptr(x86::rsi));
  e.mem_end(m);
  return true;
}

// The source is read whatever the condition (SDM "CMOVcc": a memory operand can fault even when
// the condition is false).
bool cmovcc(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = i.opsz;
  auto emit_op = [&](const asmjit::Operand& src) {
    a.emit(x86::Inst::cmovccFromCond(cond(i.opcode)), Emitter::greg(i.reg, size), src);
  };
  e.on_rm(i, Access::Read, size, FlagUse::Reads, emit_op);
  return true;
}

bool carry_op(Emitter& e, const Insn& i) {
  e.flags_to_host();
  if (i.opcode == 0xF8) e.a.clc();
  else if (i.opcode == 0xF9) e.a.stc();
  else e.a.cmc();
  e.flags_set_by_host();
  return true;
}

constexpr NativeRow kRows[] = {
    {0, 0x70, 16, -1, jcc},   {1, 0x80, 16, -1, jcc},    {0, 0xE9, 1, -1, jmp_rel},
    {0, 0xEB, 1, -1, jmp_rel}, {0, 0xE0, 4, -1, loop},   {1, 0x90, 16, -1, setcc, Purity::RegForm},
    {1, 0x40, 16, -1, cmovcc, Purity::RegForm}, {0, 0xF5, 1, -1, carry_op, Purity::Always},
    {0, 0xF8, 2, -1, carry_op, Purity::Always},
};

}  // namespace

std::span<const NativeRow> branch_native_rows() { return kRows; }

}  // namespace pcjit::jit
