// Instructions with no family of their own: NOP, HLT.
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

const OpcodeRow kRows[] = {
    {"nop", 0, 0x90, 1, -1, 0, bind_nop},
    {"hlt", 0, 0xF4, 1, -1, row_flag::kEndsBlock, bind_hlt},
};

}  // namespace

std::span<const OpcodeRow> misc_rows() { return kRows; }

}  // namespace pcjit::cpu
