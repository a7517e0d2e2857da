// Conversions between the formats and to/from integers. Float-to-float widening is exact;
// narrowing goes through the common rounding core; float-to-integer rounds per the mode and
// answers overflow/NaN with IE and the integer indefinite (SDM Vol. 1, 4.8.3.2 and 11.5.2.1).
#include "softfloat_internal.h"

namespace pcjit::cpu::sf {

using namespace detail;

namespace {

// NaN payload, left-aligned: bit 63 is the quiet bit.
u64 payload(F80 a) { return a.sig << 1; }
u64 payload(F64 a) { return a.bits << 12; }
u64 payload(F32 a) { return u64{a.bits} << 41; }
bool nan_sign(F80 a) { return a.sign(); }
bool nan_sign(F64 a) { return a.bits >> 63; }
bool nan_sign(F32 a) { return a.bits >> 31; }

template <class T>
T make_qnan(bool s, u64 p);
template <>
F80 make_qnan<F80>(bool s, u64 p) {
  return F80{(1ull << 63) | (1ull << 62) | (p >> 1), static_cast<u16>(s ? 0xFFFF : 0x7FFF)};
}
template <>
F64 make_qnan<F64>(bool s, u64 p) {
  return F64{(s ? 1ull << 63 : 0) | (0x7FFull << 52) | (1ull << 51) | (p >> 12)};
}
template <>
F32 make_qnan<F32>(bool s, u64 p) {
  return F32{(s ? 1u << 31 : 0) | (0xFFu << 23) | (1u << 22) | static_cast<u32>(p >> 41)};
}

template <class To, class From>
To convert(From a, Env& env) {
  using Tr = Traits<To>;
  Operand x = Traits<From>::unpack(a, env);
  env.c1 = false;
  switch (x.kind) {
    case Kind::Unsupported: env.flags |= kIE; return Tr::indefinite();
    case Kind::SNaN: env.flags |= kIE; return make_qnan<To>(nan_sign(a), payload(a));
    case Kind::QNaN: return make_qnan<To>(nan_sign(a), payload(a));
    case Kind::Inf: return Tr::inf(x.sign);
    case Kind::Zero: return Tr::zero(x.sign);
    case Kind::Finite: break;
  }
  // FST/FSTP to memory report no DE for a denormal register (measured; not in their #D list).
  if (!Traits<From>::x87 && raise_de(env, x.denormal)) return Tr::zero(x.sign);
  return Tr::pack(round_pack(x.sign, x.exp, x.m, Tr::fmt, Tr::fmt.sig_bits, env, Tr::x87));
}

// Rounds a finite operand to an integer magnitude; returns false on overflow of 64 bits.
bool round_magnitude(const Operand& x, Round mode, u128& mag, bool& inexact, bool& up) {
  if (x.exp >= 64) return false;
  u128 ipart, frac;
  if (x.exp >= 0) {
    int shift = 127 - x.exp;
    ipart = x.m >> shift;
    frac = x.m << (128 - shift);
  } else {
    ipart = 0;
    frac = shift_right_jam(x.m, -x.exp - 1);
  }
  inexact = frac != 0;
  up = false;
  if (inexact) {
    const u128 half = u128{1} << 127;
    switch (mode) {
      case Round::Nearest: up = frac > half || (frac == half && (ipart & 1)); break;
      case Round::Down: up = x.sign; break;
      case Round::Up: up = !x.sign; break;
      case Round::Zero: up = false; break;
    }
  }
  mag = ipart + (up ? 1 : 0);
  return true;
}

template <class I, class From>
I to_int_t(From a, Env& env, Round mode) {
  using U = std::make_unsigned_t<I>;
  constexpr I kIndefinite = static_cast<I>(U{1} << (sizeof(I) * 8 - 1));
  Operand x = Traits<From>::unpack(a, env);
  env.c1 = false;
  if (x.kind == Kind::Zero) return 0;
  if (x.kind != Kind::Finite) {
    env.flags |= kIE;
    return kIndefinite;
  }
  // FIST and CVT*2SI list no denormal exception (SDM Vol. 2).
  u128 mag = 0;
  bool inexact = false, up = false;
  const u128 limit = (u128{1} << (sizeof(I) * 8 - 1)) - (x.sign ? 0 : 1);
  if (!round_magnitude(x, mode, mag, inexact, up) || mag > limit) {
    env.flags |= kIE;
    return kIndefinite;
  }
  if (inexact) env.flags |= kPE;
  env.c1 = up;
  U u = static_cast<U>(mag);
  return static_cast<I>(x.sign ? static_cast<U>(U{0} - u) : u);
}

template <class To>
To from_i64(i64 v, Env& env) {
  env.c1 = false;
  if (v == 0) return Traits<To>::zero(false);
  bool s = v < 0;
  u64 mag = s ? u64{0} - static_cast<u64>(v) : static_cast<u64>(v);
  Operand n = make_finite(s, 127, u128{mag});
  return Traits<To>::pack(round_pack(s, n.exp, n.m, Traits<To>::fmt, Traits<To>::fmt.sig_bits, env,
                                     Traits<To>::x87));
}

}  // namespace

F80 from_int(i64 v) {
  Env env;
  return from_i64<F80>(v, env);
}
i16 to_i16(F80 a, Env& env) { return to_int_t<i16>(a, env, env.round); }
i32 to_i32(F80 a, Env& env) { return to_int_t<i32>(a, env, env.round); }
i64 to_i64(F80 a, Env& env) { return to_int_t<i64>(a, env, env.round); }

F80 from_f32(F32 a, Env& env) {
  Env e = env;
  e.daz = false;
  F80 r = convert<F80>(a, e);
  env.flags = e.flags;
  env.c1 = e.c1;
  return r;
}
F80 from_f64(F64 a, Env& env) {
  Env e = env;
  e.daz = false;
  F80 r = convert<F80>(a, e);
  env.flags = e.flags;
  env.c1 = e.c1;
  return r;
}
F32 to_f32(F80 a, Env& env) { return convert<F32>(a, env); }
F64 to_f64(F80 a, Env& env) { return convert<F64>(a, env); }

F64 to_f64(F32 a, Env& env) { return convert<F64>(a, env); }
F32 to_f32(F64 a, Env& env) { return convert<F32>(a, env); }
F32 i64_to_f32(i64 v, Env& env) { return from_i64<F32>(v, env); }
F64 i64_to_f64(i64 v, Env& env) { return from_i64<F64>(v, env); }

i32 to_i32(F32 a, Env& env, bool truncate) {
  return to_int_t<i32>(a, env, truncate ? Round::Zero : env.round);
}
i64 to_i64(F32 a, Env& env, bool truncate) {
  return to_int_t<i64>(a, env, truncate ? Round::Zero : env.round);
}
i32 to_i32(F64 a, Env& env, bool truncate) {
  return to_int_t<i32>(a, env, truncate ? Round::Zero : env.round);
}
i64 to_i64(F64 a, Env& env, bool truncate) {
  return to_int_t<i64>(a, env, truncate ? Round::Zero : env.round);
}

}  // namespace pcjit::cpu::sf
