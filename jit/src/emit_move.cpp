// Native data moves: MOV (88-8B, A0-A3, B0-BF, C6/C7 /0), LEA (8D), MOVZX/MOVSX (0F B6/B7/BE/BF),
// XCHG (86/87, 91-97; 90 is NOP), CBW/CWDE (98), CWD/CDQ (99). None of them touches the flags,
// so none of them moves the guest flags between host EFLAGS and CpuState (the inline soft-MMU
// keeps them in AX around its compares).
#include "frame_layout.h"
#include "native_rows.h"

namespace pcjit::jit {
namespace {

using asmjit::imm;
using FlagUse = Emitter::FlagUse;

x86::Mem host_mem(unsigned size) { return x86::ptr(x86::rsi, 0, size); }
unsigned size_of(const Insn& i, bool byte) { return byte ? 1 : i.opsz; }

// 88/89: MOV Ev,Gv ; 8A/8B: MOV Gv,Ev.
bool mov_rm(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = size_of(i, (i.opcode & 1) == 0);
  const bool to_rm = i.opcode <= 0x89;
  if (size == 1 && !Emitter::byte_regs_ok(i)) {
    // AH..BH: through ecx (destination) and edx (source), see Emitter::byte_proxy.
    if (!i.mem()) {
      const unsigned src = to_rm ? i.reg : i.rm, dst = to_rm ? i.rm : i.reg;
      const x86::Gp sv = Emitter::byte_proxy(a, src, x86::edx);
      a.mov(Emitter::byte_proxy(a, dst, x86::ecx), sv);
      Emitter::byte_back(a, dst, x86::ecx);
      return true;
    }
    Emitter::MemOp m = e.mem_begin(to_rm ? Access::Write : Access::Read, 1, FlagUse::None);
    const x86::Gp r = Emitter::byte_proxy(a, i.reg, x86::ecx);
    if (to_rm) {
      a.mov(host_mem(1), r);
    } else {
      a.mov(r, host_mem(1));
      Emitter::byte_back(a, i.reg, x86::ecx);
    }
    e.mem_end(m);
    return true;
  }
  const x86::Gp reg = Emitter::greg(i.reg, size);
  if (!i.mem()) {
    if (to_rm) a.mov(Emitter::greg(i.rm, size), reg);
    else a.mov(reg, Emitter::greg(i.rm, size));
    return true;
  }
  Emitter::MemOp m = e.mem_begin(to_rm ? Access::Write : Access::Read, size, FlagUse::None);
  if (to_rm) a.mov(host_mem(size), reg);
  else a.mov(reg, host_mem(size));
  e.mem_end(m);
  return true;
}

// A0-A3: MOV AL/eAX <-> moffs (a memory operand with no base or index).
bool mov_moffs(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = size_of(i, (i.opcode & 1) == 0);
  const bool store = i.opcode >= 0xA2;
  Emitter::MemOp m = e.mem_begin(store ? Access::Write : Access::Read, size, FlagUse::None);
  if (store) a.mov(host_mem(size), Emitter::greg(cpu::EAX, size));
  else a.mov(Emitter::greg(cpu::EAX, size), host_mem(size));
  e.mem_end(m);
  return true;
}

asmjit::Imm sized_imm(u32 v, unsigned size) {
  if (size == 1) return imm(static_cast<i8>(v));
  if (size == 2) return imm(static_cast<i16>(v));
  return imm(static_cast<i32>(v));
}

// B0-B7: MOV r8,Ib ; B8-BF: MOV rv,Iv.
bool mov_reg_imm(Emitter& e, const Insn& i) {
  const unsigned size = size_of(i, i.opcode < 0xB8);
  const unsigned r = i.opcode & 7;
  if (size == 1 && !Emitter::low_byte(r)) {  // MOV AH..BH, Ib through ecx
    e.a.mov(Emitter::byte_proxy(e.a, r, x86::ecx), sized_imm(i.imm, 1));
    Emitter::byte_back(e.a, r, x86::ecx);
    return true;
  }
  e.a.mov(Emitter::greg(r, size), sized_imm(i.imm, size));
  return true;
}

// C6/C7 /0: MOV Ev,Iv.
bool mov_rm_imm(Emitter& e, const Insn& i) {
  const unsigned size = size_of(i, i.opcode == 0xC6);
  if (!i.mem()) {
    if (size == 1 && !Emitter::low_byte(i.rm)) return false;
    e.a.mov(Emitter::greg(i.rm, size), sized_imm(i.imm, size));
    return true;
  }
  Emitter::MemOp m = e.mem_begin(Access::Write, size, FlagUse::None);
  e.a.mov(host_mem(size), sized_imm(i.imm, size));
  e.mem_end(m);
  return true;
}

// 8D: LEA Gv,M: the offset alone, truncated to the operand size.
bool lea(Emitter& e, const Insn& i) {
  if (!i.mem()) return false;  // #UD form: the handler raises it
  e.effective_address();
  if (i.opsz == 2) e.a.mov(Emitter::greg(i.reg, 2), x86::cx);
  else e.a.mov(Emitter::greg(i.reg, 4), x86::ecx);
  return true;
}

// 0F B6/B7: MOVZX ; 0F BE/BF: MOVSX. Source byte (B6/BE) or word (B7/BF).
bool movx(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned src = (i.opcode & 1) ? 2 : 1;
  const asmjit::InstId id = i.opcode >= 0xBE ? x86::Inst::kIdMovsx : x86::Inst::kIdMovzx;
  const x86::Gp dst = Emitter::greg(i.reg, i.opsz);
  if (src == 1 && !i.mem() && !Emitter::low_byte(i.rm)) {  // from AH..BH: extend within ecx
    const x86::Gp wide = i.opsz == 4 ? x86::Gp(x86::ecx) : x86::Gp(x86::cx);
    a.emit(id, wide, Emitter::byte_proxy(a, i.rm, x86::ecx));
    a.mov(dst, wide);
    return true;
  }
  if (!i.mem()) {
    a.emit(id, dst, Emitter::greg(i.rm, src));
    return true;
  }
  Emitter::MemOp m = e.mem_begin(Access::Read, src, FlagUse::None);
  a.emit(id, dst, host_mem(src));
  e.mem_end(m);
  return true;
}

// 86/87: XCHG Ev,Gv. The memory form is one read and one write; the guest has one CPU, so the
// implicit LOCK needs no atomic host instruction.
bool xchg_rm(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = size_of(i, i.opcode == 0x86);
  if (size == 1 && !Emitter::byte_regs_ok(i)) return false;
  const x86::Gp reg = Emitter::greg(i.reg, size);
  if (!i.mem()) {
    a.xchg(reg, Emitter::greg(i.rm, size));
    return true;
  }
  Emitter::MemOp m = e.mem_begin(Access::Write, size, FlagUse::None);
  a.mov(Emitter::tmp(size), host_mem(size));
  a.mov(host_mem(size), reg);
  a.mov(reg, Emitter::tmp(size));
  e.mem_end(m);
  return true;
}

// 90-97: XCHG eAX, r (90 with no prefix is NOP; F3 90 is PAUSE, also a no-op here).
bool xchg_eax(Emitter& e, const Insn& i) {
  const unsigned r = i.opcode & 7;
  if (r == 0) return true;
  e.a.xchg(Emitter::greg(cpu::EAX, i.opsz), Emitter::greg(r, i.opsz));
  return true;
}

// 98: CBW/CWDE ; 99: CWD/CDQ (host CWD/CDQ work on AX/DX; rdx is scratch, rax may hold the
// parked guest flags).
bool convert(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const bool wide = i.opsz == 4;
  if (i.opcode == 0x98) {
    if (wide) a.movsx(Emitter::greg(cpu::EAX, 4), Emitter::greg(cpu::EAX, 2));
    else a.movsx(Emitter::greg(cpu::EAX, 2), Emitter::greg(cpu::EAX, 1));
    return true;
  }
  const bool parked = e.flags() == FlagsAt::Saved;  // AX holds the guest flags: keep them in rsi
  if (parked) a.mov(x86::rsi, x86::rax);
  if (wide) {
    a.mov(x86::eax, Emitter::greg(cpu::EAX, 4));
    a.cdq();
    a.mov(Emitter::greg(cpu::EDX, 4), x86::edx);
  } else {
    a.mov(x86::ax, Emitter::greg(cpu::EAX, 2));
    a.cwd();
    a.mov(Emitter::greg(cpu::EDX, 2), x86::dx);
  }
  if (parked) a.mov(x86::rax, x86::rsi);
  return true;
}

constexpr Purity R = Purity::RegForm;
constexpr NativeRow kRows[] = {
    {0, 0x88, 4, -1, mov_rm, R},    {0, 0xA0, 4, -1, mov_moffs},   {0, 0xB0, 16, -1, mov_reg_imm, R},
    {0, 0xC6, 2, 0, mov_rm_imm, R}, {0, 0x8D, 1, -1, lea, Purity::Always}, {1, 0xB6, 2, -1, movx, R},
    {1, 0xBE, 2, -1, movx, R},      {0, 0x86, 2, -1, xchg_rm, R},  {0, 0x90, 8, -1, xchg_eax, R},
    {0, 0x98, 2, -1, convert, R},
};

}  // namespace

std::span<const NativeRow> move_native_rows() { return kRows; }

}  // namespace pcjit::jit
