// x87 transcendental instructions (SDM Vol. 2 F2XM1, FYL2X, FYL2XP1, FSIN, FCOS, FSINCOS, FPTAN,
// FPATAN): special operands per each instruction's result table, finite ones through the
// 128-bit evaluation in x87_bigfloat.cpp with one final rounding. The trigonometric ones reduce
// arguments with |x| < 2^63 by a 128-bit pi/2 and report larger ones with C2 = 1, unchanged.
#include "x87_bigfloat.h"

namespace pcjit::cpu::x87 {
namespace {

using sf::Class;

Class cls(const F80& v) { return sf::classify(to_sf(v)); }
bool is_nanlike(Class k) { return k == Class::QNaN || k == Class::SNaN || k == Class::Unsupported; }
bool is_denormal(Class k) { return k == Class::Denormal || k == Class::PseudoDenormal; }
F80 signed_zero(bool neg) { return F80{0, static_cast<u16>(neg ? 0x8000 : 0)}; }
F80 signed_inf(bool neg) { return F80{1ull << 63, static_cast<u16>(neg ? 0xFFFF : 0x7FFF)}; }
F80 one(bool neg) { return F80{1ull << 63, static_cast<u16>(neg ? 0xBFFF : 0x3FFF)}; }

// The x87 NaN result for the operands (propagation, quieting, IE for SNaN/unsupported): an
// addition applies exactly those rules.
F80 nan_result(const F80& a, const F80& b, sf::Env& env) { return from_sf(sf::add(to_sf(a), to_sf(b), env)); }

// ---- one-operand functions of ST(0): F2XM1, FSIN, FCOS, FSINCOS, FPTAN -----------------------

enum class Fn : u8 { F2xm1, Sin, Cos, SinCos, Tan };

constexpr bool pushes(Fn f) { return f == Fn::SinCos || f == Fn::Tan; }

// sin and cos of a finite x with |x| < 2^63 (reduced by k * pi/2 with the quadrant applied).
void sin_cos(const F80& x, Big& s, Big& c) {
  Big ax = big_from(x);
  const bool neg = ax.neg;
  ax.neg = false;
  const Big half_pi = big_scale(big_pi(), -1);
  const u64 k = big_round_int(big_div(ax, half_pi));
  const Big r = big_sub(ax, big_mul(big_from_int(static_cast<i64>(k >> 1)), big_pi()));
  const Big r2 = (k & 1) ? big_sub(r, half_pi) : r;
  const Big sr = big_sin(r2), cr = big_cos(r2);
  switch (k & 3) {
    case 0: s = sr; c = cr; break;
    case 1: s = cr; c = big_neg(sr); break;
    case 2: s = big_neg(sr); c = big_neg(cr); break;
    default: s = big_neg(cr); c = sr; break;
  }
  if (neg) s = big_neg(s);
}

template <Fn F>
Exec unary(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0) || (pushes(F) && !is_empty(f, 7))) {
    if (stack_fault(f, !is_empty(f, 0))) return Exec::Ok;
    set_st(f, 0, kIndefinite);
    if (pushes(F)) push(f, kIndefinite);
    return Exec::Ok;
  }
  const F80 x = st(f, 0);
  const Class k = cls(x);
  sf::Env env = make_env(f);
  F80 r0{}, r1{};  // r0 -> ST(0) (before a push), r1 -> pushed value
  bool two = pushes(F);
  if (is_nanlike(k)) {
    r0 = r1 = nan_result(x, x, env);
  } else if (k == Class::Infinity) {
    if (F == Fn::F2xm1) {
      r0 = sign(x) ? one(true) : x;  // 2^-inf - 1 = -1, 2^+inf - 1 = +inf
    } else {
      env.flags |= sf::kIE;
      r0 = r1 = kIndefinite;
    }
  } else if (k == Class::Zero) {
    r0 = F == Fn::Cos ? one(false) : x;
    if (F == Fn::SinCos) r1 = one(false);
    if (F == Fn::Tan) r1 = one(false);
  } else {
    if (is_denormal(k)) env.flags |= sf::kDE;
    if (F != Fn::F2xm1 && (x.se & 0x7FFF) >= 16383 + 63) {
      // Out of range for the reduction: C2 = 1 and ST(0) is left as it is.
      if (signal(f, env.flags)) return Exec::Ok;
      set_cc(f, static_cast<u16>((f.sw & (sw::C0 | sw::C3)) | sw::C2));
      return Exec::Ok;
    }
    if (F == Fn::F2xm1) {
      r0 = big_to_f80(big_expm1(big_mul(big_from(x), big_ln2())), env);
    } else {
      Big s, co;
      sin_cos(x, s, co);
      switch (F) {
        case Fn::Sin: r0 = big_to_f80(s, env); break;
        case Fn::Cos: r0 = big_to_f80(co, env); break;
        case Fn::SinCos: r0 = big_to_f80(s, env); r1 = big_to_f80(co, env); break;
        case Fn::Tan: r0 = big_to_f80(big_div(s, co), env); r1 = one(false); break;
        default: break;
      }
    }
  }
  if (signal(f, env.flags)) return Exec::Ok;
  f.sw = static_cast<u16>((f.sw & ~(sw::C1 | sw::C2)) | (env.c1 ? sw::C1 : 0));
  set_st(f, 0, r0);
  if (two) push(f, r1);
  return Exec::Ok;
}

// ---- two-operand functions: ST(1) = g(ST(1), ST(0)), then pop --------------------------------

enum class Fn2 : u8 { Yl2x, Yl2xp1, Patan };

// y * log2(x) (FYL2X) special operands, SDM Vol. 2 FYL2X table; returns false for the general case.
bool yl2x_special(const F80& x, const F80& y, Class kx, Class ky, sf::Env& env, F80& r) {
  const bool xz = kx == Class::Zero, yz = ky == Class::Zero;
  const bool xinf = kx == Class::Infinity, yinf = ky == Class::Infinity;
  const bool x_is_one = kx == Class::Normal && x.se == 0x3FFF && x.mant == (1ull << 63);
  if (sign(x) && !xz) {
    env.flags |= sf::kIE;
    r = kIndefinite;
    return true;
  }
  if (xz) {
    if (yz) { env.flags |= sf::kIE; r = kIndefinite; return true; }
    if (!yinf) env.flags |= sf::kZE;
    r = signed_inf(!sign(y));  // log2(0) = -inf
    return true;
  }
  if (xinf) {
    if (yz) { env.flags |= sf::kIE; r = kIndefinite; return true; }
    r = signed_inf(sign(y));
    return true;
  }
  if (x_is_one) {
    if (yinf) { env.flags |= sf::kIE; r = kIndefinite; return true; }
    r = signed_zero(sign(y));  // y * (+0)
    return true;
  }
  const bool log_neg = (x.se & 0x7FFF) < 0x3FFF;  // x < 1
  if (yinf) { r = signed_inf(sign(y) != log_neg); return true; }
  if (yz) { r = signed_zero(sign(y) != log_neg); return true; }
  return false;
}

bool yl2xp1_special(const F80& x, const F80& y, Class kx, Class ky, sf::Env& env, F80& r) {
  const bool xz = kx == Class::Zero, yz = ky == Class::Zero, yinf = ky == Class::Infinity;
  if (kx == Class::Infinity) {  // outside the defined range; the x87 answers as log2(1 + inf)
    if (sign(x) || yz) { env.flags |= sf::kIE; r = kIndefinite; return true; }
    r = signed_inf(sign(y));
    return true;
  }
  if (xz) {
    if (yinf) { env.flags |= sf::kIE; r = kIndefinite; return true; }
    r = signed_zero(sign(x) != sign(y));
    return true;
  }
  if (yinf) { r = signed_inf(sign(x) != sign(y)); return true; }
  if (yz) { r = signed_zero(sign(x) != sign(y)); return true; }
  return false;
}

// atan2(y, x) with the signed-zero and infinity cases of SDM Vol. 2 FPATAN Table 3-29.
bool patan_special(const F80& x, const F80& y, Class kx, Class ky, sf::Env& env, F80& r) {
  const bool yneg = sign(y), xneg = sign(x);
  const Big pi = big_pi();
  auto pi_times = [&](i64 num, i32 den_log2) {
    return big_to_f80(big_scale(big_mul(big_from_int(yneg ? -num : num), pi), -den_log2), env);
  };
  if (ky == Class::Zero) {
    r = xneg ? pi_times(1, 0) : signed_zero(yneg);
    return true;
  }
  if (ky == Class::Infinity) {
    r = kx == Class::Infinity ? (xneg ? pi_times(3, 2) : pi_times(1, 2)) : pi_times(1, 1);
    return true;
  }
  if (kx == Class::Zero) {
    r = pi_times(1, 1);
    return true;
  }
  if (kx == Class::Infinity) {
    r = xneg ? pi_times(1, 0) : signed_zero(yneg);
    return true;
  }
  return false;
}

template <Fn2 F>
Exec binary(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0) || is_empty(f, 1)) {
    if (stack_fault(f, false)) return Exec::Ok;
    set_st(f, 1, kIndefinite);
    pop(f);
    return Exec::Ok;
  }
  const F80 x = st(f, 0), y = st(f, 1);
  const Class kx = cls(x), ky = cls(y);
  sf::Env env = make_env(f);
  F80 r{};
  if (is_nanlike(kx) || is_nanlike(ky)) {
    r = nan_result(x, y, env);
  } else {
    if (is_denormal(kx) || is_denormal(ky)) env.flags |= sf::kDE;
    bool done = F == Fn2::Yl2x     ? yl2x_special(x, y, kx, ky, env, r)
                : F == Fn2::Yl2xp1 ? yl2xp1_special(x, y, kx, ky, env, r)
                                   : patan_special(x, y, kx, ky, env, r);
    if (!done) {
      const Big bx = big_from(x), by = big_from(y);
      Big v;
      if constexpr (F == Fn2::Patan) {
        Big ax = bx, ay = by;
        ax.neg = ay.neg = false;
        const bool swap = ax.exp > ay.exp || (ax.exp == ay.exp && ax.m >= ay.m) ? false : true;
        v = swap ? big_atan(big_div(ax, ay)) : big_atan(big_div(ay, ax));
        if (swap) v = big_sub(big_scale(big_pi(), -1), v);
        if (bx.neg) v = big_sub(big_pi(), v);
        v.neg = by.neg;
      } else {
        const Big ln = F == Fn2::Yl2x ? big_ln(bx) : big_ln1p(bx);
        v = big_mul(by, big_div(ln, big_ln2()));
      }
      r = big_to_f80(v, env);
    }
  }
  if (signal(f, env.flags)) return Exec::Ok;
  f.sw = static_cast<u16>((f.sw & ~sw::C1) | (env.c1 ? sw::C1 : 0));
  set_st(f, 1, r);
  pop(f);
  return Exec::Ok;
}

}  // namespace

Handler transcend_reg(u8 opcode, u8 modrm) {
  if (opcode != 0xD9) return nullptr;
  switch (modrm) {
    case 0xF0: return unary<Fn::F2xm1>;
    case 0xF1: return binary<Fn2::Yl2x>;
    case 0xF2: return unary<Fn::Tan>;
    case 0xF3: return binary<Fn2::Patan>;
    case 0xF9: return binary<Fn2::Yl2xp1>;
    case 0xFB: return unary<Fn::SinCos>;
    case 0xFE: return unary<Fn::Sin>;
    case 0xFF: return unary<Fn::Cos>;
    default: return nullptr;
  }
}

}  // namespace pcjit::cpu::x87
