// x87 one-register operations and constants (SDM Vol. 2 FLD1/FLDZ/FLDPI/..., FCHS, FABS, FSQRT,
// FSCALE, FXTRACT, FPREM, FPREM1, FRNDINT). The constants are stored internally with 66 bits and
// rounded to 64 by RC (SDM Vol. 1 8.3.8): the table holds the round-to-nearest significand and
// the adjustment that the directed modes apply.
#include "x87_core.h"

namespace pcjit::cpu::x87 {
namespace {

struct Constant {
  u16 se;
  u64 mant;
  i8 down_adj;  // applied for RC = down or toward zero (the 66-bit value rounded up to nearest)
  i8 up_adj;    // applied for RC = up (the 66-bit value rounded down to nearest)
};

// Values from the SDM's 66-bit constants (as in FLDL2T's "log2(10)" etc.).
constexpr Constant kConstants[7] = {
    {0x3FFF, 0x8000000000000000ull, 0, 0},   // E8 FLD1
    {0x4000, 0xD49A784BCD1B8AFEull, 0, 1},   // E9 FLDL2T
    {0x3FFF, 0xB8AA3B295C17F0BCull, -1, 0},  // EA FLDL2E
    {0x4000, 0xC90FDAA22168C235ull, -1, 0},  // EB FLDPI
    {0x3FFD, 0x9A209A84FBCFF799ull, -1, 0},  // EC FLDLG2
    {0x3FFE, 0xB17217F7D1CF79ACull, -1, 0},  // ED FLDLN2
    {0, 0, 0, 0},                            // EE FLDZ
};

template <unsigned K>
Exec fld_const(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  const Constant& k = kConstants[K];
  const unsigned rc = (f.cw >> cw::RC_SHIFT) & 3;
  i64 adj = (rc == 1 || rc == 3) ? k.down_adj : rc == 2 ? k.up_adj : 0;
  push_loaded(f, F80{k.mant + static_cast<u64>(adj), k.se}, 0);
  return Exec::Ok;
}

// FCHS / FABS: sign manipulation only, no exception but stack underflow.
template <bool Abs>
Exec sign_op(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0)) {
    underflow_into(f, 0);
    return Exec::Ok;
  }
  F80 v = st(f, 0);
  v.se = Abs ? (v.se & 0x7FFF) : (v.se ^ 0x8000);
  f.sw &= static_cast<u16>(~sw::C1);
  set_st(f, 0, v);
  return Exec::Ok;
}

enum class Un : u8 { Sqrt, Rndint };

template <Un O>
Exec unary(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0)) {
    underflow_into(f, 0);
    return Exec::Ok;
  }
  sf::Env env = make_env(f);
  sf::F80 r = O == Un::Sqrt ? sf::sqrt(to_sf(st(f, 0)), env) : sf::round_to_int(to_sf(st(f, 0)), env);
  store_result(f, 0, from_sf(r), env);
  return Exec::Ok;
}

Exec fscale(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0) || is_empty(f, 1)) {
    underflow_into(f, 0);
    return Exec::Ok;
  }
  sf::Env env = make_env(f);
  sf::F80 r = sf::scale(to_sf(st(f, 0)), to_sf(st(f, 1)), env);
  store_result(f, 0, from_sf(r), env);
  return Exec::Ok;
}

// FXTRACT: ST(0) becomes the exponent, then the significand is pushed.
Exec fxtract(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (!is_empty(f, 7)) {
    if (stack_fault(f, true)) return Exec::Ok;
    set_st(f, 0, kIndefinite);
    push(f, kIndefinite);
    return Exec::Ok;
  }
  if (is_empty(f, 0)) {
    if (stack_fault(f, false)) return Exec::Ok;
    set_st(f, 0, kIndefinite);
    push(f, kIndefinite);
    return Exec::Ok;
  }
  sf::Env env = make_env(f);
  sf::Extracted r = sf::extract(to_sf(st(f, 0)), env);
  if (signal(f, env.flags)) return Exec::Ok;
  f.sw &= static_cast<u16>(~sw::C1);
  set_st(f, 0, from_sf(r.exponent));
  push(f, from_sf(r.significand));
  return Exec::Ok;
}

// FPREM / FPREM1: C2 = 1 for a partial remainder; else C0/C3/C1 = quotient bits 2/1/0.
template <bool Ieee>
Exec fprem(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0) || is_empty(f, 1)) {
    underflow_into(f, 0);
    return Exec::Ok;
  }
  sf::Env env = make_env(f);
  sf::Remainder r = sf::remainder(to_sf(st(f, 0)), to_sf(st(f, 1)), env, Ieee);
  if (signal(f, env.flags)) return Exec::Ok;
  u16 cc = 0;
  if (!r.complete) {
    cc = sw::C2;
  } else {
    if (r.quotient & 4) cc |= sw::C0;
    if (r.quotient & 2) cc |= sw::C3;
    if (r.quotient & 1) cc |= sw::C1;
  }
  set_cc(f, cc);
  set_st(f, 0, from_sf(r.value));
  return Exec::Ok;
}

}  // namespace

Handler misc_reg(u8 opcode, u8 modrm) {
  if (opcode != 0xD9) return nullptr;
  switch (modrm) {
    case 0xE0: return sign_op<false>;
    case 0xE1: return sign_op<true>;
    case 0xE8: return fld_const<0>;
    case 0xE9: return fld_const<1>;
    case 0xEA: return fld_const<2>;
    case 0xEB: return fld_const<3>;
    case 0xEC: return fld_const<4>;
    case 0xED: return fld_const<5>;
    case 0xEE: return fld_const<6>;
    case 0xF4: return fxtract;
    case 0xF5: return fprem<true>;
    case 0xF8: return fprem<false>;
    case 0xFA: return unary<Un::Sqrt>;
    case 0xFC: return unary<Un::Rndint>;
    case 0xFD: return fscale;
    default: return nullptr;
  }
}

}  // namespace pcjit::cpu::x87
