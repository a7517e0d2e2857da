// Shared machinery of the soft-float: unpacked operands, one rounding core for all three formats,
// and the per-format traits (unpack, pack, NaN rules). Every operation unpacks its operands into
// a 128-bit significand, computes exactly (or with a sticky bit), and rounds once in round_pack.
#pragma once
#include <bit>

#include "softfloat.h"

namespace pcjit::cpu::sf::detail {

__extension__ typedef unsigned __int128 u128;

struct Format {
  int bias;
  int emax;  // biased exponent of infinities / NaNs
  int sig_bits;  // significand bits including the integer bit
};
inline constexpr Format kFmt80{16383, 0x7FFF, 64};
inline constexpr Format kFmt64{1023, 0x7FF, 53};
inline constexpr Format kFmt32{127, 0xFF, 24};

// x87 unmasked overflow/underflow wraps the exponent by this bias (SDM Vol. 1, 4.9.1.4).
inline constexpr int kWrapBias = 24576;

enum class Kind : u8 { Zero, Finite, Inf, QNaN, SNaN, Unsupported };

// A finite value is m * 2^(exp - 127) with bit 127 of m set.
struct Operand {
  Kind kind = Kind::Zero;
  bool sign = false;
  bool denormal = false;  // denormal or pseudo-denormal operand (raises DE)
  i32 exp = 0;
  u128 m = 0;
};

// Rounded, packed result before format encoding: sig is left-aligned (integer bit at 63).
struct Packed {
  bool sign;
  i32 biased;
  u64 sig;
};

inline int clz128(u128 v) {
  u64 hi = static_cast<u64>(v >> 64);
  return hi ? std::countl_zero(hi) : 64 + std::countl_zero(static_cast<u64>(v));
}

inline u128 shift_right_jam(u128 v, int n) {
  if (n <= 0) return v;
  if (n >= 128) return v != 0 ? 1 : 0;
  return (v >> n) | ((v & ((u128{1} << n) - 1)) != 0 ? 1 : 0);
}

// Normalises a nonzero m so bit 127 is set, adjusting exp.
inline Operand make_finite(bool sign, i32 exp, u128 m) {
  int lz = clz128(m);
  return Operand{Kind::Finite, sign, false, exp - lz, m << lz};
}

// Rounds sign * m * 2^(exp-127) (m normalised) to p significand bits in format f.
// x87 = true selects the x87 unmasked OE/UE response (exponent wrap); SSE leaves the masked one.
Packed round_pack(bool sign, i32 exp, u128 m, const Format& f, int p, Env& env, bool x87);

// Result of an arithmetic core before encoding.
struct Value {
  enum K : u8 { Zero, Finite, Inf, Invalid } k;
  bool sign = false;
  i32 exp = 0;
  u128 m = 0;
};

// ---- per-format traits ----
template <class T>
struct Traits;

template <>
struct Traits<F80> {
  static constexpr const Format& fmt = kFmt80;
  static constexpr bool x87 = true;
  static Operand unpack(F80 a, const Env& env);
  static F80 pack(Packed p) {
    return F80{p.sig, static_cast<u16>((p.sign ? 0x8000 : 0) | p.biased)};
  }
  static int precision(const Env& env) {
    return env.precision == Precision::Single ? 24 : env.precision == Precision::Double ? 53 : 64;
  }
  static F80 indefinite() { return kRealIndefinite; }
  static F80 zero(bool s) { return F80{0, static_cast<u16>(s ? 0x8000 : 0)}; }
  static F80 inf(bool s) { return F80{1ull << 63, static_cast<u16>(s ? 0xFFFF : 0x7FFF)}; }
  static F80 quiet(F80 a) { return F80{a.sig | (1ull << 62), a.se}; }
  // x87 NaN rules, SDM Vol. 1, Table 4-7: the larger significand wins among two NaNs.
  static F80 propagate(F80 a, const Operand& x, F80 b, const Operand& y);
};

template <>
struct Traits<F64> {
  static constexpr const Format& fmt = kFmt64;
  static constexpr bool x87 = false;
  static Operand unpack(F64 a, const Env& env);
  static F64 pack(Packed p) {
    return F64{(p.sign ? 1ull << 63 : 0) | (static_cast<u64>(p.biased) << 52) |
               ((p.sig >> 11) & ((1ull << 52) - 1))};
  }
  static int precision(const Env&) { return 53; }
  static F64 indefinite() { return kF64Indefinite; }
  static F64 zero(bool s) { return F64{s ? 1ull << 63 : 0}; }
  static F64 inf(bool s) { return F64{(s ? 1ull << 63 : 0) | (0x7FFull << 52)}; }
  static F64 quiet(F64 a) { return F64{a.bits | (1ull << 51)}; }
  // SSE rule (SDM Vol. 1, Table 11-1): the first NaN operand, quieted.
  static F64 propagate(F64 a, const Operand& x, F64 b, const Operand&) {
    return (x.kind == Kind::QNaN || x.kind == Kind::SNaN) ? quiet(a) : quiet(b);
  }
};

template <>
struct Traits<F32> {
  static constexpr const Format& fmt = kFmt32;
  static constexpr bool x87 = false;
  static Operand unpack(F32 a, const Env& env);
  static F32 pack(Packed p) {
    return F32{(p.sign ? 1u << 31 : 0) | (static_cast<u32>(p.biased) << 23) |
               static_cast<u32>((p.sig >> 40) & ((1u << 23) - 1))};
  }
  static int precision(const Env&) { return 24; }
  static F32 indefinite() { return kF32Indefinite; }
  static F32 zero(bool s) { return F32{s ? 1u << 31 : 0}; }
  static F32 inf(bool s) { return F32{(s ? 1u << 31 : 0) | (0xFFu << 23)}; }
  static F32 quiet(F32 a) { return F32{a.bits | (1u << 22)}; }
  static F32 propagate(F32 a, const Operand& x, F32 b, const Operand&) {
    return (x.kind == Kind::QNaN || x.kind == Kind::SNaN) ? quiet(a) : quiet(b);
  }
};

inline bool is_nan_kind(Kind k) { return k == Kind::QNaN || k == Kind::SNaN; }

// Encodes a core result in format T (rounding finite values with the format's precision).
template <class T>
T finish(const Value& v, Env& env, int p) {
  using Tr = Traits<T>;
  switch (v.k) {
    case Value::Zero: return Tr::zero(v.sign);
    case Value::Inf: return Tr::inf(v.sign);
    case Value::Invalid: env.flags |= kIE; return Tr::indefinite();
    case Value::Finite: break;
  }
  return Tr::pack(round_pack(v.sign, v.exp, v.m, Tr::fmt, p, env, Tr::x87));
}

// Common prologue of a two-operand arithmetic op: unsupported operands and NaNs decide the
// result here (SDM Vol. 1, 4.9.2 precedence: invalid/SNaN, then QNaN, then the rest).
template <class T>
bool binary_specials(T a, const Operand& x, T b, const Operand& y, Env& env, T& out) {
  using Tr = Traits<T>;
  if (x.kind == Kind::Unsupported || y.kind == Kind::Unsupported) {
    env.flags |= kIE;
    out = Tr::indefinite();
    return true;
  }
  if (is_nan_kind(x.kind) || is_nan_kind(y.kind)) {
    if (x.kind == Kind::SNaN || y.kind == Kind::SNaN) env.flags |= kIE;
    out = Tr::propagate(a, x, b, y);
    return true;
  }
  return false;
}

// DE is reported when an operand is denormal unless a higher-priority invalid-operation or
// divide-by-zero exception decided the result (SDM Vol. 1, 4.9.2; measured on hardware too).
// Returns true when DE is unmasked: the instruction then stops before computing anything, so no
// other flag is reported and the caller stores nothing (measured through FNSAVE on the host).
inline bool denormal_flag(bool denormal, const Value& v, u8 flags_before, Env& env) {
  if (!denormal || v.k == Value::Invalid || ((env.flags & ~flags_before) & kZE)) return false;
  env.flags |= kDE;
  return (env.masks & kDE) == 0;
}

// The same for operations without a higher-priority exception at this point.
inline bool raise_de(Env& env, bool denormal) {
  if (!denormal) return false;
  env.flags |= kDE;
  return (env.masks & kDE) == 0;
}

template <class T, class Core>
T binary_op(T a, T b, Env& env, Core core) {
  Operand x = Traits<T>::unpack(a, env), y = Traits<T>::unpack(b, env);
  T out;
  env.c1 = false;  // C1 reports this operation's rounding only
  if (binary_specials(a, x, b, y, env, out)) return out;
  u8 before = env.flags;
  Value v = core(x, y, env);
  if (denormal_flag(x.denormal || y.denormal, v, before, env)) return a;
  return finish<T>(v, env, Traits<T>::precision(env));
}

// Arithmetic cores on unpacked operands (no NaNs/unsupported reach them).
Value add_core(const Operand& x, const Operand& y, bool negate_y, const Env& env);
Value mul_core(const Operand& x, const Operand& y);
Value div_core(const Operand& x, const Operand& y, Env& env);
Value sqrt_core(const Operand& x);

}  // namespace pcjit::cpu::sf::detail
