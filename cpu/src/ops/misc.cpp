// Instructions with no family of their own: NOP, HLT, and the hint-NOP space 0F 18-0F 1F.
//
// 0F 18-0F 1F is reserved for hints (SDM Vol. 2 Appendix A, Table A-3: "Prefetch" group 16 at
// 0F 18, "Reserved-NOP" at 0F 19-0F 1E, "NOP Ev" at 0F 1F /0). A P6 executes every encoding
// there, register or memory form, with any ModRM.reg, as a no-operation: the SDM's NOP page says
// the multi-byte NOP "will not issue a memory operation", and PREFETCHh "is merely a hint and does
// not affect program behavior" (its only exception is #UD for LOCK). So the memory forms compute
// no address and cannot fault on it. Later processors gave some of these encodings meanings
// (MPX at 0F 1A/1B, CLDEMOTE at 0F 1C /0, CET's ENDBR32 = F3 0F 1E FB, RDSSP, ...) that were
// chosen to be NOPs on older parts; Debian's CET-enabled start files rely on that. Prefixes
// 66/F2/F3 change nothing (operand size of an operand never touched; REP is ignored), so the
// rows take every prefix; LOCK is #UD (the rows are not lockable).
#include "../system/privilege.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

Exec nop(Context&, const Insn&) { return Exec::Ok; }

// HLT is privileged (CPL 0); EIP moves past it before the CPU waits (SDM Vol. 2, HLT).
Exec hlt(Context& c, const Insn& i) {
  if (c.s.protected_mode() && c.s.cpl != 0) return c.raise_gp(0);
  c.s.rip = c.next_eip(i);
  return Exec::Halt;
}

Handler bind_nop(const DecodeView&, Insn&) { return nop; }
Handler bind_hlt(const DecodeView&, Insn&) { return hlt; }

constexpr u16 M = row_flag::kModRM;

const OpcodeRow kRows[] = {
    {"nop", 0, 0x90, 1, -1, 0, bind_nop, OpClass::kNop, fx::kNone},
    {"hlt", 0, 0xF4, 1, -1, row_flag::kEndsBlock, bind_hlt, OpClass::kSystem, fx::kNone},
    {"prefetchh/hint nop Ev", 1, 0x18, 1, -1, M, bind_nop, OpClass::kNop, fx::kNone},
    {"hint nop Ev", 1, 0x19, 6, -1, M, bind_nop, OpClass::kNop, fx::kNone},
    {"nop Ev", 1, 0x1F, 1, -1, M, bind_nop, OpClass::kNop, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> misc_rows() { return kRows; }

}  // namespace pcjit::cpu
