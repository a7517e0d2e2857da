// FSIN, FCOS, FSINCOS, FPTAN and FPATAN (SDM Vol. 2, their pages and special-operand tables).
// Arguments are reduced modulo pi/2 exactly against the 66-bit pi the x87 uses internally
// (SDM Vol. 1, 8.3.8 "Approximation of Pi"), so large arguments match the hardware; the reduced
// argument is evaluated with ~126-bit series and rounded once.
#include "softfloat_wide.h"

namespace pcjit::cpu::sf {

using namespace detail;

namespace {

using T80 = Traits<F80>;

// The x87's pi rounded to 66 bits: pi = kPi66 * 2^-64.
const u128 kPi66 = (u128{0xc90fdaa22168c234ull} << 2) | 3;

W sin_series(const W& r) {
  W r2 = w_mul(r, r), sum = r, term = r;
  for (int k = 2; k < 80; k += 2) {
    term = w_neg(w_div(w_mul(term, r2), w_from_int(static_cast<i64>(k) * (k + 1))));
    if (term.m == 0 || term.exp < sum.exp - 132) return w_nudge(sum, term);
    sum = w_add(sum, term);
  }
  return sum;
}

W cos_series(const W& r) {
  W r2 = w_mul(r, r), one = w_from_int(1), sum = one, term = one;
  for (int k = 1; k < 80; k += 2) {
    term = w_neg(w_div(w_mul(term, r2), w_from_int(static_cast<i64>(k) * (k + 1))));
    if (term.m == 0 || term.exp < sum.exp - 132) return w_nudge(sum, term);
    sum = w_add(sum, term);
  }
  return sum;
}

// |x| = k * pi66/2 + r with |r| <= pi66/4; returns r (exact) and k mod 4.
W reduce(const Operand& x, unsigned& quadrant) {
  quadrant = 0;
  W ax{false, x.exp, x.m};
  if (x.exp < -2) return ax;  // |x| < 1/4 < pi/4
  // |x| / (pi66/2) = mx * 2^(ex+2) / kPi66, with mx the 64-bit significand.
  u128 n = u128{static_cast<u64>(x.m >> 64)} << (x.exp + 2);
  u128 k = n / kPi66, rem = n % kPi66;
  bool neg = false;
  if (rem * 2 > kPi66) {
    ++k;
    rem = kPi66 - rem;
    neg = true;
  }
  quadrant = static_cast<unsigned>(k & 3);
  return w_norm(neg, 127 - 65, rem);  // rem * 2^-65
}

struct SinCos {
  W s, c;
};

SinCos sincos_w(const Operand& x) {
  unsigned q = 0;
  W r = reduce(x, q);
  W s = sin_series(r), c = cos_series(r);
  SinCos out;
  switch (q) {
    case 0: out = {s, c}; break;
    case 1: out = {c, w_neg(s)}; break;
    case 2: out = {w_neg(s), w_neg(c)}; break;
    default: out = {w_neg(c), s}; break;
  }
  if (x.sign) out.s = w_neg(out.s);
  return out;
}

// Common prologue: NaN/unsupported/infinity/zero and the |x| >= 2^63 range check (C2).
bool trig_specials(F80 a, const Operand& x, Env& env, Trig& out) {
  env.c1 = false;
  out.value = a;
  switch (x.kind) {
    case Kind::Unsupported:
    case Kind::Inf: env.flags |= kIE; out.value = out.second = kRealIndefinite; return true;
    case Kind::SNaN: env.flags |= kIE; out.value = out.second = T80::quiet(a); return true;
    case Kind::QNaN: out.second = a; return true;
    case Kind::Zero:
    case Kind::Finite: break;
  }
  if (x.kind == Kind::Finite && x.exp >= 63) {
    out.out_of_range = true;
    return true;
  }
  if (raise_de(env, x.denormal)) {
    out.second = a;
    return true;
  }
  return false;
}

// atan(t) for 0 <= t <= 1: atan(t) = pi/4 + atan((t-1)/(t+1)) above tan(pi/8).
W atan_unit(const W& t) {
  W pi = w_pi();
  const u128 tan_pi_8 = make_u128(0xd413cccfe7799211ull, 0x65f626cdd52afa7cull);  // x 2^-2
  bool shift = t.m != 0 && (t.exp > -2 || (t.exp == -2 && t.m > tan_pi_8));
  W u = t;
  if (shift) {
    W one = w_from_int(1);
    u = w_div(w_sub(t, one), w_add(t, one));
  }
  W u2 = w_mul(u, u), sum = u, power = u;
  for (int k = 3; k < 600; k += 2) {
    power = w_neg(w_mul(power, u2));
    W term = w_div(power, w_from_int(k));
    if (term.m == 0 || term.exp < sum.exp - 132) {
      sum = w_nudge(sum, term);
      break;
    }
    sum = w_add(sum, term);
  }
  if (shift) {
    W quarter_pi = pi;
    quarter_pi.exp -= 2;
    sum = w_add(quarter_pi, sum);
  }
  return sum;
}

}  // namespace

Trig fsin(F80 a, Env& env) {
  Operand x = T80::unpack(a, env);
  Trig out;
  if (trig_specials(a, x, env, out) || x.kind == Kind::Zero) return out;
  out.value = w_round80(sincos_w(x).s, env);
  return out;
}

Trig fcos(F80 a, Env& env) {
  Operand x = T80::unpack(a, env);
  Trig out;
  if (trig_specials(a, x, env, out)) return out;
  if (x.kind == Kind::Zero) {
    out.value = kF80One;
    return out;
  }
  out.value = w_round80(sincos_w(x).c, env);
  return out;
}

Trig fsincos(F80 a, Env& env) {
  Operand x = T80::unpack(a, env);
  Trig out;
  if (trig_specials(a, x, env, out)) return out;
  if (x.kind == Kind::Zero) {
    out.second = kF80One;
    return out;
  }
  SinCos sc = sincos_w(x);
  out.value = w_round80(sc.s, env);
  out.second = w_round80(sc.c, env);
  return out;
}

Trig fptan(F80 a, Env& env) {
  Operand x = T80::unpack(a, env);
  Trig out;
  if (trig_specials(a, x, env, out)) return out;  // NaN results fill both registers
  if (x.kind == Kind::Zero) {
    out.second = kF80One;
    return out;
  }
  SinCos sc = sincos_w(x);
  out.value = w_round80(w_div(sc.s, sc.c), env);
  out.second = kF80One;
  return out;
}

F80 fpatan(F80 a, F80 b, Env& env) {
  Operand x = T80::unpack(a, env), y = T80::unpack(b, env);
  F80 out;
  env.c1 = false;
  if (binary_specials(a, x, b, y, env, out)) return out;
  if (raise_de(env, x.denormal || y.denormal)) return a;
  W pi = w_pi();
  W half_pi = pi;
  half_pi.exp -= 1;
  bool s = y.sign;
  if (y.kind == Kind::Zero) {
    if (!x.sign) return T80::zero(s);
    pi.sign = s;
    return w_round80(pi, env);
  }
  W r;
  if (y.kind == Kind::Inf || x.kind == Kind::Zero || x.kind == Kind::Inf) {
    if (x.kind == Kind::Inf && y.kind == Kind::Inf) {
      r = pi;
      r.exp -= 2;  // pi/4
      if (x.sign) r = w_mul(r, w_from_int(3));
    } else if (x.kind == Kind::Inf) {
      if (!x.sign) return T80::zero(s);
      r = pi;
    } else {
      r = half_pi;
    }
  } else {
    W ay{false, y.exp, y.m}, ax{false, x.exp, x.m};
    bool y_small = y.exp < x.exp || (y.exp == x.exp && y.m <= x.m);
    r = y_small ? atan_unit(w_div(ay, ax)) : w_sub(half_pi, atan_unit(w_div(ax, ay)));
    if (x.sign) r = w_sub(pi, r);
  }
  r.sign = s;
  return w_round80(r, env);
}

}  // namespace pcjit::cpu::sf
