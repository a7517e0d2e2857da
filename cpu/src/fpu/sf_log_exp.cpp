// F2XM1, FYL2X and FYL2XP1 (SDM Vol. 2, their pages and special-operand tables): evaluated with
// ~126-bit intermediates (softfloat_wide.h) and rounded once, so results are correctly rounded
// except in astronomically rare near-tie cases. Precision control does not apply.
#include "softfloat_wide.h"

namespace pcjit::cpu::sf {

using namespace detail;

namespace {

using T80 = Traits<F80>;

// e^y - 1 by its Taylor series; |y| <= ln 2 keeps it short and without cancellation.
W expm1_w(const W& y) {
  W sum = y, term = y;
  for (int k = 2; k < 80; ++k) {
    term = w_div(w_mul(term, y), w_from_int(k));
    if (term.m == 0 || term.exp < sum.exp - 132) return w_nudge(sum, term);
    sum = w_add(sum, term);
  }
  return sum;
}

// 2 * atanh(t) = ln((1+t)/(1-t)) by its odd series.
W two_atanh_w(const W& t) {
  W t2 = w_mul(t, t);
  W sum = t, power = t;
  for (int k = 3; k < 400; k += 2) {
    power = w_mul(power, t2);
    W term = w_div(power, w_from_int(k));
    if (term.m == 0 || term.exp < sum.exp - 132) break;
    sum = w_add(sum, term);
  }
  sum.exp += 1;
  return sum;
}

// log2 of a positive finite operand; exact is set when the operand is a power of two.
W log2_w(const Operand& x, bool& exact) {
  i32 e = x.exp;
  W m{false, 0, x.m};  // significand in [1, 2)
  exact = (x.m << 1) == 0;
  if (exact) return w_from_int(e);
  // Centre the significand on 1: [sqrt(1/2), sqrt(2)).
  if (x.m > make_u128(0xb504f333f9de6484ull, 0x597d89b3754abe9full)) {
    m.exp = -1;
    ++e;
  }
  W one = w_from_int(1);
  W t = w_div(w_sub(m, one), w_add(m, one));
  W l = w_mul(two_atanh_w(t), w_log2e());
  return w_add(l, w_from_int(e));
}

bool nan_pair(F80 a, const Operand& x, F80 b, const Operand& y, Env& env, F80& out) {
  return binary_specials(a, x, b, y, env, out);
}

F80 invalid(Env& env) {
  env.flags |= kIE;
  return kRealIndefinite;
}

}  // namespace

F80 f2xm1(F80 a, Env& env) {
  Operand x = T80::unpack(a, env);
  env.c1 = false;
  switch (x.kind) {
    case Kind::Unsupported: return invalid(env);
    case Kind::SNaN: env.flags |= kIE; return T80::quiet(a);
    case Kind::QNaN:
    case Kind::Zero: return a;
    case Kind::Inf: return x.sign ? F80{1ull << 63, 0xBFFF} : a;  // 2^-inf - 1 = -1
    case Kind::Finite: break;
  }
  if (raise_de(env, x.denormal)) return a;
  if (x.exp == 0 && (x.m << 1) == 0) {  // +-1: results 1 and -0.5, still reported inexact
    env.flags |= kPE;                     // (measured: the hardware rounds its approximation)
    env.c1 = !x.sign && (env.round == Round::Nearest || env.round == Round::Up);
    return x.sign ? F80{1ull << 63, 0xBFFE} : kF80One;
  }
  return w_round80(expm1_w(w_mul(w_from(x), w_ln2())), env);
}

F80 yl2x(F80 a, F80 b, Env& env) {
  Operand x = T80::unpack(a, env), y = T80::unpack(b, env);
  F80 out;
  env.c1 = false;
  if (nan_pair(a, x, b, y, env, out)) return out;
  if (x.sign && x.kind != Kind::Zero) return invalid(env);
  if (x.kind == Kind::Zero) {
    if (y.kind == Kind::Zero) return invalid(env);
    if (y.kind == Kind::Finite) env.flags |= kZE;  // ZE outranks DE (measured)
    return T80::inf(!y.sign);  // log2(0) = -inf
  }
  if (raise_de(env, x.denormal || y.denormal)) return a;
  bool x_is_one = x.kind == Kind::Finite && x.exp == 0 && (x.m << 1) == 0;
  if (x.kind == Kind::Inf) {
    if (y.kind == Kind::Zero) return invalid(env);
    return T80::inf(y.sign);
  }
  if (y.kind == Kind::Inf) {
    if (x_is_one) return invalid(env);
    return T80::inf(y.sign != (x.exp < 0));  // log2 negative below 1
  }
  if (y.kind == Kind::Zero || x_is_one) return T80::zero(y.sign != (x.exp < 0));
  bool exact = false;
  W l = log2_w(x, exact);
  W r = w_mul(l, w_from(y));
  if (exact) {  // the value is exact, but the hardware still reports PE (and UE when tiny)
    F80 v = T80::pack(round_pack(r.sign, r.exp, r.m, kFmt80, 64, env, true));
    env.flags |= kPE;
    if (v.exp() == 0 && v.sig != 0 && (env.masks & kUE)) env.flags |= kUE;
    return v;
  }
  return w_round80(r, env);
}

F80 yl2xp1(F80 a, F80 b, Env& env) {
  Operand x = T80::unpack(a, env), y = T80::unpack(b, env);
  F80 out;
  env.c1 = false;
  if (nan_pair(a, x, b, y, env, out)) return out;
  if (x.kind == Kind::Inf) {  // outside the defined range; behave like log2(1+x)
    if (x.sign || y.kind == Kind::Zero) return invalid(env);
    if (y.denormal) env.flags |= kDE;
    return T80::inf(y.sign);
  }
  if (x.kind == Kind::Zero) {
    if (y.kind == Kind::Inf) return invalid(env);
    if (y.denormal) env.flags |= kDE;
    return T80::zero(x.sign != y.sign);
  }
  if (raise_de(env, x.denormal || y.denormal)) return a;
  if (y.kind == Kind::Inf) return T80::inf(x.sign != y.sign);
  if (y.kind == Kind::Zero) return T80::zero(x.sign != y.sign);
  W wx = w_from(x);
  W t = w_div(wx, w_add(w_from_int(2), wx));  // ln(1+x) = 2 atanh(x / (2 + x))
  W r = w_mul(w_mul(two_atanh_w(t), w_log2e()), w_from(y));
  return w_round80(r, env);
}

}  // namespace pcjit::cpu::sf
