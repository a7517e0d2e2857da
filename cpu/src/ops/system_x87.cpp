// Instructions that only raise exceptions for now: UD2, RSM (no SMM), and the x87 escapes.
//
// The x87 unit is separate work (issue 4) and CPUID reports FPU = 0. Until it lands, WAIT is a
// NOP and every ESC opcode D8-DF (all ModRM forms, so their lengths decode) raises #NM when
// CR0.EM or CR0.TS says the OS wants to emulate or lazily switch the FPU (SDM Vol. 3A 2.5 and
// Table 2-2), and #UD otherwise, which an OS without an FPU handles like "no coprocessor".
#include "operands.h"
#include "system_ops.h"

namespace pcjit::cpu {
namespace {

Exec ud(Context& c, const Insn&) { return c.raise_ud(); }

// WAIT/FWAIT checks only MP together with TS (Table 2-2); EM does not affect it.
Exec fwait(Context& c, const Insn&) {
  if ((c.s.cr0 & cr0::MP) && (c.s.cr0 & cr0::TS)) return c.raise(vec::NM);
  return Exec::Ok;
}

Exec x87_escape(Context& c, const Insn&) {
  if (c.s.cr0 & (cr0::EM | cr0::TS)) return c.raise(vec::NM);
  return c.raise_ud();  // issue 4: the x87 itself
}

template <Handler H>
Handler fixed(const DecodeView&, Insn&) { return H; }

constexpr u16 M = row_flag::kModRM;

const OpcodeRow kRows[] = {
    {"ud2", 1, 0x0B, 1, -1, 0, fixed<ud>},
    {"rsm", 1, 0xAA, 1, -1, 0, fixed<ud>},
    {"fwait", 0, 0x9B, 1, -1, 0, fixed<fwait>},
    {"x87 esc", 0, 0xD8, 8, -1, M, fixed<x87_escape>},
};

}  // namespace

std::span<const OpcodeRow> system_x87_rows() { return kRows; }

}  // namespace pcjit::cpu
