// The single rounding core (all formats, all modes, x87 precision control), operand unpacking and
// classification, and FRNDINT. Tininess is detected after rounding, as x86 does
// (SDM Vol. 1, 4.9.1.5 / 11.5.2.5), and a masked underflow is only signalled when inexact.
#include "softfloat_internal.h"

namespace pcjit::cpu::sf {
namespace detail {

namespace {

bool round_up(u128 m, u128 mask, u128 lsb, bool sign, Round mode) {
  u128 low = m & mask;
  if (low == 0) return false;
  switch (mode) {
    case Round::Nearest: {
      u128 half = lsb >> 1;
      return low > half || (low == half && (m & lsb) != 0);
    }
    case Round::Down: return sign;
    case Round::Up: return !sign;
    case Round::Zero: return false;
  }
  return false;
}

}  // namespace

Packed round_pack(bool sign, i32 exp, u128 m, const Format& f, int p, Env& env, bool x87) {
  i32 e = exp + f.bias;
  const int shift = 128 - p;
  const u128 lsb = u128{1} << shift;
  const u128 mask = lsb - 1;
  bool unmasked_ue = (env.masks & kUE) == 0;
  if (e <= 0) {
    bool carries = round_up(m, mask, lsb, sign, env.round) && (m | mask) == ~u128{0};
    bool tiny = e < 0 || !carries;
    // Beyond the wrap range even the unmasked x87 gives the masked response (measured: FSCALE).
    if (tiny && unmasked_ue && x87 && e + kWrapBias > 0) {
      env.flags |= kUE;
      e += kWrapBias;
    } else if (tiny && unmasked_ue && x87) {  // out of the wrap range: a true zero (measured)
      env.flags |= kUE | kPE;
      env.c1 = false;
      return Packed{sign, 0, 0};
    } else if (tiny && env.ftz && !unmasked_ue) {
      env.flags |= kUE | kPE;
      env.c1 = false;
      return Packed{sign, 0, 0};
    } else {
      m = shift_right_jam(m, 1 - e);
      e = 0;
      bool inexact = (m & mask) != 0;
      bool up = round_up(m, mask, lsb, sign, env.round);
      if (tiny && (inexact || unmasked_ue)) env.flags |= kUE;
      if (inexact) env.flags |= kPE;
      env.c1 = up;
      m &= ~mask;
      if (up) m += lsb;  // cannot carry out: m < 2^127 after the shift
      if (m >> 127) e = 1;
      return Packed{sign, e, static_cast<u64>(m >> 64)};
    }
  }
  bool inexact = (m & mask) != 0;
  bool up = round_up(m, mask, lsb, sign, env.round);
  m &= ~mask;
  if (up) {
    m += lsb;
    if (m == 0) {
      m = u128{1} << 127;
      ++e;
    }
  }
  env.c1 = up;
  if (e >= f.emax) {
    if ((env.masks & kOE) == 0 && x87 && e - kWrapBias < f.emax) {
      e -= kWrapBias;
      env.flags |= kOE;
      if (inexact) env.flags |= kPE;
      return Packed{sign, e, static_cast<u64>(m >> 64)};
    }
    env.flags |= kOE | kPE;
    bool to_inf = env.round == Round::Nearest || (env.round == Round::Up && !sign) ||
                  (env.round == Round::Down && sign) ||
                  ((env.masks & kOE) == 0 && x87);  // out of the wrap range: infinity (measured)
    env.c1 = to_inf;
    if (to_inf) return Packed{sign, f.emax, 1ull << 63};
    return Packed{sign, f.emax - 1, static_cast<u64>(~mask >> 64)};
  }
  if (inexact) env.flags |= kPE;
  return Packed{sign, e, static_cast<u64>(m >> 64)};
}

namespace {

// Builds the operand from a left-aligned significand (integer bit position 63) and unbiased exp.
Operand finite_operand(bool sign, i32 exp, u64 sig, bool denormal) {
  Operand o = make_finite(sign, exp, u128{sig} << 64);
  o.denormal = denormal;
  return o;
}

template <class Bits>
Operand unpack_ieee(Bits bits, const Format& f, const Env& env) {
  constexpr int kTotal = sizeof(Bits) * 8;
  const int frac_bits = f.sig_bits - 1;
  const int exp_bits = kTotal - 1 - frac_bits;
  Operand o;
  o.sign = (bits >> (kTotal - 1)) & 1;
  int e = static_cast<int>((bits >> frac_bits) & ((Bits{1} << exp_bits) - 1));
  u64 frac = static_cast<u64>(bits & ((Bits{1} << frac_bits) - 1));
  if (e == f.emax) {
    if (frac == 0) o.kind = Kind::Inf;
    else o.kind = ((frac >> (frac_bits - 1)) & 1) ? Kind::QNaN : Kind::SNaN;
    return o;
  }
  u64 sig = frac << (64 - f.sig_bits);
  if (e == 0) {
    if (frac == 0 || env.daz) return o;  // zero (DAZ reads denormals as zero, keeping the sign)
    return finite_operand(o.sign, 1 - f.bias, sig, true);
  }
  return finite_operand(o.sign, e - f.bias, sig | (1ull << 63), false);
}

}  // namespace

Operand Traits<F80>::unpack(F80 a, const Env&) {
  Operand o;
  o.sign = a.sign();
  switch (classify(a)) {
    case Class::Zero: return o;
    case Class::Denormal:
    case Class::PseudoDenormal: return finite_operand(o.sign, 1 - 16383, a.sig, true);
    case Class::Normal: return finite_operand(o.sign, a.exp() - 16383, a.sig, false);
    case Class::Infinity: o.kind = Kind::Inf; return o;
    case Class::QNaN: o.kind = Kind::QNaN; return o;
    case Class::SNaN: o.kind = Kind::SNaN; return o;
    case Class::Unsupported: o.kind = Kind::Unsupported; return o;
  }
  return o;
}

Operand Traits<F64>::unpack(F64 a, const Env& env) { return unpack_ieee(a.bits, kFmt64, env); }
Operand Traits<F32>::unpack(F32 a, const Env& env) { return unpack_ieee(a.bits, kFmt32, env); }

F80 Traits<F80>::propagate(F80 a, const Operand& x, F80 b, const Operand& y) {
  bool an = is_nan_kind(x.kind), bn = is_nan_kind(y.kind);
  if (an && bn) {
    // SNaN + QNaN: the QNaN; otherwise the larger significand (ties: the positive one).
    if (x.kind == Kind::SNaN && y.kind == Kind::QNaN) return b;
    if (x.kind == Kind::QNaN && y.kind == Kind::SNaN) return a;
    u64 sa = a.sig | (1ull << 62), sb = b.sig | (1ull << 62);
    if (sa != sb) return quiet(sa > sb ? a : b);
    return quiet(a.sign() && !b.sign() ? b : a);
  }
  return quiet(an ? a : b);
}

}  // namespace detail

using namespace detail;

Class classify(F80 a) {
  u16 e = a.exp();
  bool j = (a.sig >> 63) != 0;
  if (e == 0x7FFF) {
    if (!j) return Class::Unsupported;
    if ((a.sig << 1) == 0) return Class::Infinity;
    return ((a.sig >> 62) & 1) ? Class::QNaN : Class::SNaN;
  }
  if (e == 0) {
    if (a.sig == 0) return Class::Zero;
    return j ? Class::PseudoDenormal : Class::Denormal;
  }
  return j ? Class::Normal : Class::Unsupported;
}

bool is_nan(F80 a) {
  Class c = classify(a);
  return c == Class::QNaN || c == Class::SNaN;
}
bool is_nan(F32 a) { return (a.bits & 0x7FFFFFFFu) > 0x7F800000u; }
bool is_nan(F64 a) { return (a.bits & ~(1ull << 63)) > (0x7FFull << 52); }
bool is_snan(F32 a) { return is_nan(a) && !((a.bits >> 22) & 1); }
bool is_snan(F64 a) { return is_nan(a) && !((a.bits >> 51) & 1); }

// FRNDINT: rounds to an integral value in the current rounding mode; PE when inexact
// (SDM Vol. 2, FRNDINT). Precision control does not apply.
F80 round_to_int(F80 a, Env& env) {
  Operand x = Traits<F80>::unpack(a, env);
  env.c1 = false;
  switch (x.kind) {
    case Kind::Unsupported: env.flags |= kIE; return kRealIndefinite;
    case Kind::SNaN: env.flags |= kIE; return Traits<F80>::quiet(a);
    case Kind::QNaN:
    case Kind::Inf:
    case Kind::Zero: return a;
    case Kind::Finite: break;
  }
  if (raise_de(env, x.denormal)) return a;
  if (x.exp >= 63) return a;  // already integral
  // The integer part has exp+1 bits; round at that position.
  int frac_bits = 127 - x.exp;  // bits of m below the binary point (>= 64)
  u128 lsb = frac_bits >= 128 ? 0 : u128{1} << frac_bits;
  u128 mask = frac_bits >= 128 ? ~u128{0} : lsb - 1;
  u128 low = x.m & mask;
  if (low == 0) return a;
  env.flags |= kPE;
  bool up = false;
  switch (env.round) {
    case Round::Nearest: {
      if (frac_bits >= 128) {
        up = x.exp == -1 && (x.m << 1) != 0;  // 0.5 < |x| < 1 rounds to 1 (exp -1 means [0.5,1))
      } else {
        u128 half = lsb >> 1;
        up = low > half || (low == half && (x.m & lsb) != 0);
      }
      break;
    }
    case Round::Down: up = x.sign; break;
    case Round::Up: up = !x.sign; break;
    case Round::Zero: up = false; break;
  }
  env.c1 = up;
  if (frac_bits >= 128) {
    if (!up) return Traits<F80>::zero(x.sign);
    return F80{1ull << 63, static_cast<u16>((x.sign ? 0x8000 : 0) | 0x3FFF)};
  }
  u128 r = x.m & ~mask;
  i32 exp = x.exp;
  if (up) {
    r += lsb;
    if (r == 0) {
      r = u128{1} << 127;
      ++exp;
    }
  }
  if (r == 0) return Traits<F80>::zero(x.sign);
  Operand n = make_finite(x.sign, exp, r);
  return F80{static_cast<u64>(n.m >> 64), static_cast<u16>((x.sign ? 0x8000 : 0) | (n.exp + 16383))};
}

}  // namespace pcjit::cpu::sf
