// FSCALE, FXTRACT and the FPREM/FPREM1 step (SDM Vol. 2, the three instruction pages and their
// special-operand tables). None of them is subject to precision control; FPREM is always exact.
#include "softfloat_internal.h"

namespace pcjit::cpu::sf {

using namespace detail;

namespace {

using T80 = Traits<F80>;

F80 pack80(bool sign, i32 exp, u128 m, Env& env) {
  return T80::pack(round_pack(sign, exp, m, kFmt80, 64, env, true));
}

// Shared NaN/unsupported handling for the two-operand x87 forms.
bool specials80(F80 a, const Operand& x, F80 b, const Operand& y, Env& env, F80& out) {
  return binary_specials(a, x, b, y, env, out);
}

}  // namespace

F80 scale(F80 a, F80 b, Env& env) {
  Operand x = T80::unpack(a, env), y = T80::unpack(b, env);
  F80 out;
  env.c1 = false;
  if (specials80(a, x, b, y, env, out)) return out;
  if (y.kind == Kind::Inf) {
    if (y.sign) {  // multiply by 2^-inf
      if (x.kind == Kind::Inf) return (env.flags |= kIE), kRealIndefinite;
      if (x.denormal) env.flags |= kDE;
      return T80::zero(x.sign);
    }
    if (x.kind == Kind::Zero) return (env.flags |= kIE), kRealIndefinite;
    if (x.denormal) env.flags |= kDE;
    return T80::inf(x.sign);
  }
  if (raise_de(env, x.denormal || y.denormal)) return a;
  if (x.kind != Kind::Finite) return a;  // zero or infinity scaled stays as is
  // trunc(b), clamped far beyond any exponent that can still produce a finite result.
  i32 n = 0;
  if (y.kind == Kind::Finite && y.exp >= 0) {
    n = y.exp >= 20 ? (1 << 20) : static_cast<i32>(y.m >> (127 - y.exp));
    if (y.sign) n = -n;
  }
  return pack80(x.sign, x.exp + n, x.m, env);
}

Extracted extract(F80 a, Env& env) {
  Operand x = T80::unpack(a, env);
  env.c1 = false;
  switch (x.kind) {
    case Kind::Unsupported: env.flags |= kIE; return {kRealIndefinite, kRealIndefinite};
    case Kind::SNaN: env.flags |= kIE; return {T80::quiet(a), T80::quiet(a)};
    case Kind::QNaN: return {a, a};
    case Kind::Inf: return {T80::inf(false), a};
    case Kind::Zero: env.flags |= kZE; return {T80::inf(true), a};
    case Kind::Finite: break;
  }
  if (raise_de(env, x.denormal)) return {a, a};
  F80 sig{static_cast<u64>(x.m >> 64), static_cast<u16>((x.sign ? 0x8000 : 0) | 0x3FFF)};
  return {from_int(x.exp), sig};
}

Remainder remainder(F80 a, F80 b, Env& env, bool ieee) {
  Operand x = T80::unpack(a, env), y = T80::unpack(b, env);
  Remainder r;
  env.c1 = false;
  if (specials80(a, x, b, y, env, r.value)) return r;
  if (x.kind == Kind::Inf || y.kind == Kind::Zero) {
    env.flags |= kIE;
    r.value = kRealIndefinite;
    return r;
  }
  if (raise_de(env, x.denormal || y.denormal)) {
    r.value = a;
    return r;
  }
  if (x.kind == Kind::Zero || y.kind == Kind::Inf) {
    r.value = a;
    if (x.kind == Kind::Finite) r.value = pack80(x.sign, x.exp, x.m, env);  // denormal stays
    return r;
  }
  const i32 d = x.exp - y.exp;
  u64 ma = static_cast<u64>(x.m >> 64), mb = static_cast<u64>(y.m >> 64);
  if (d < (ieee ? -1 : 0)) {
    r.value = pack80(x.sign, x.exp, x.m, env);
    return r;
  }
  // |a| = ma * 2^(ex-63); work in units of 2^unit so that N / D is the (partial) quotient.
  u128 num, den;
  i32 unit;
  bool partial = d >= 64;
  if (partial) {
    // SDM: reduce by an implementation-defined N in [32, 63]; the P6 family uses this choice.
    i32 nbits = (d & 31) | 32;
    num = u128{ma} << nbits;
    den = mb;
    unit = x.exp - nbits - 63;
  } else if (d >= 0) {
    num = u128{ma} << d;
    den = mb;
    unit = y.exp - 63;
  } else {
    num = ma;
    den = u128{mb} << 1;
    unit = x.exp - 63;
  }
  u128 q = num / den, rem = num % den;
  bool sign = x.sign;
  if (ieee && !partial && (rem * 2 > den || (rem * 2 == den && (q & 1)))) {
    ++q;
    rem = den - rem;
    sign = !sign;
  }
  r.quotient = partial ? 0 : static_cast<u8>(q & 7);  // hardware leaves C0/C3/C1 clear
  r.complete = !partial;
  if (rem == 0) {
    r.value = T80::zero(x.sign);
    return r;
  }
  Operand n = make_finite(sign, unit + 127, rem);
  r.value = pack80(sign, n.exp, n.m, env);
  return r;
}

}  // namespace pcjit::cpu::sf
