// Opcode rows for UD2, RSM (no SMM: #UD) and the x87 unit: WAIT/FWAIT (9B), the escapes D8-DF
// and FXSAVE/FXRSTOR (0F AE /0, /1).
//
// An escape's meaning depends on the whole ModRM byte in the register form (D9 E0 is FCHS,
// D9 E8 FLD1, ...), so each (opcode, ModRM.reg, form) gets one row and its binder asks the x87
// group files (fpu/x87_*.cpp) for the handler of the exact ModRM; encodings no group claims are
// #UD. The rows are generated from two name tables so the tracer can name every form.
#include <array>

#include "../fpu/x87_core.h"
#include "operands.h"
#include "system_ops.h"

namespace pcjit::cpu {
namespace {

Exec ud(Context& c, const Insn&) { return c.raise_ud(); }

template <Handler H>
Handler fixed(const DecodeView&, Insn&) { return H; }

Handler bind_esc_mem(const DecodeView& v, Insn&) { return x87::bind_mem(v.opcode, v.modrm_reg); }
Handler bind_esc_reg(const DecodeView& v, Insn&) {
  return x87::bind_reg(v.opcode, static_cast<u8>(0xC0 | v.modrm_reg << 3 | v.modrm_rm));
}

// [opcode - D8][ModRM.reg], memory forms (SDM Vol. 2 Table A-7).
constexpr const char* kMemNames[8][8] = {
    {"fadd m32", "fmul m32", "fcom m32", "fcomp m32", "fsub m32", "fsubr m32", "fdiv m32", "fdivr m32"},
    {"fld m32", "(bad)", "fst m32", "fstp m32", "fldenv", "fldcw", "fnstenv", "fnstcw"},
    {"fiadd m32", "fimul m32", "ficom m32", "ficomp m32", "fisub m32", "fisubr m32", "fidiv m32", "fidivr m32"},
    {"fild m32", "fisttp m32", "fist m32", "fistp m32", "(bad)", "fld m80", "(bad)", "fstp m80"},
    {"fadd m64", "fmul m64", "fcom m64", "fcomp m64", "fsub m64", "fsubr m64", "fdiv m64", "fdivr m64"},
    {"fld m64", "fisttp m64", "fst m64", "fstp m64", "frstor", "(bad)", "fnsave", "fnstsw m16"},
    {"fiadd m16", "fimul m16", "ficom m16", "ficomp m16", "fisub m16", "fisubr m16", "fidiv m16", "fidivr m16"},
    {"fild m16", "fisttp m16", "fist m16", "fistp m16", "fbld", "fild m64", "fbstp", "fistp m64"},
};
// Register forms (Table A-8), per ModRM.reg; the rm-specific ones share a group name.
constexpr const char* kRegNames[8][8] = {
    {"fadd st,sti", "fmul st,sti", "fcom sti", "fcomp sti", "fsub st,sti", "fsubr st,sti", "fdiv st,sti", "fdivr st,sti"},
    {"fld sti", "fxch sti", "fnop", "fstp1 sti", "fchs/fabs/ftst/fxam", "fld const", "f2xm1..fdecstp", "fprem..fcos"},
    {"fcmovb", "fcmove", "fcmovbe", "fcmovu", "(bad)", "fucompp", "(bad)", "(bad)"},
    {"fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu", "fnclex/fninit", "fucomi", "fcomi", "(bad)"},
    {"fadd sti,st", "fmul sti,st", "fcom2", "fcomp3", "fsubr sti,st", "fsub sti,st", "fdivr sti,st", "fdiv sti,st"},
    {"ffree", "fxch4", "fst sti", "fstp sti", "fucom", "fucomp", "(bad)", "(bad)"},
    {"faddp", "fmulp", "fcomp5", "fcompp", "fsubrp", "fsubp", "fdivrp", "fdivp"},
    {"ffreep", "fxch7", "fstp8", "fstp9", "fnstsw ax", "fucomip", "fcomip", "(bad)"},
};

constexpr u16 M = row_flag::kModRM;
constexpr OpClass X = OpClass::kX87;
constexpr OpClass Sys = OpClass::kSystem;

// The only EFLAGS an escape touches (SDM FCMOVcc, FCOMI/FCOMIP/FUCOMI/FUCOMIP): FCMOVcc (DA/DB
// /0-/3, register form) tests B, E, BE or U and their negations, i.e. CF, ZF, CF|ZF or PF; FCOMI
// and friends (DB /5 /6, DF /5 /6) set ZF PF CF from the comparison and clear OF SF AF.
constexpr RowFlags esc_reg_flags(unsigned op, unsigned reg) {
  constexpr u32 kFcmov[4] = {flag::CF, flag::ZF, flag::CF | flag::ZF, flag::PF};
  if ((op == 2 || op == 3) && reg < 4) return {kFcmov[reg], 0, 0};
  if ((op == 3 || op == 7) && (reg == 5 || reg == 6)) return fx::kArith;
  return fx::kNone;
}

constexpr std::size_t kEscRows = 2 * 8 * 8;
constexpr std::size_t kRowCount = 3 + 2 + kEscRows;

constexpr std::array<OpcodeRow, kRowCount> make_rows() {
  std::array<OpcodeRow, kRowCount> rows{};
  std::size_t n = 0;
  rows[n++] = {"ud2", 1, 0x0B, 1, -1, 0, fixed<ud>, Sys, fx::kNone};
  // RSM outside SMM is #UD, and this model has no SMM: it never restores the saved EFLAGS.
  rows[n++] = {"rsm", 1, 0xAA, 1, -1, 0, fixed<ud>, Sys, fx::kNone};
  rows[n++] = {"fwait", 0, 0x9B, 1, -1, 0, fixed<x87::fwait>, X, fx::kNone};
  rows[n++] = {"fxsave", 1, 0xAE, 1, 0, M | row_flag::kMemOnly, fixed<x87::fxsave>, X, fx::kNone};
  rows[n++] = {"fxrstor", 1, 0xAE, 1, 1, M | row_flag::kMemOnly, fixed<x87::fxrstor>, X, fx::kNone};
  for (unsigned op = 0; op < 8; ++op) {
    for (unsigned reg = 0; reg < 8; ++reg) {
      const u8 opcode = static_cast<u8>(0xD8 + op);
      const i8 ext = static_cast<i8>(reg);
      rows[n++] = {kMemNames[op][reg], 0, opcode, 1, ext, static_cast<u16>(M | row_flag::kMemOnly), bind_esc_mem, X,
                   fx::kNone};
      rows[n++] = {kRegNames[op][reg], 0, opcode, 1, ext, static_cast<u16>(M | row_flag::kRegOnly), bind_esc_reg, X,
                   esc_reg_flags(op, reg)};
    }
  }
  return rows;
}

constexpr std::array<OpcodeRow, kRowCount> kRows = make_rows();

}  // namespace

std::span<const OpcodeRow> system_x87_rows() { return kRows; }

}  // namespace pcjit::cpu
