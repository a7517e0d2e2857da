// Wide intermediate arithmetic for the transcendentals: sign, exponent and a 128-bit significand
// (value = m * 2^(exp-127), bit 127 set; m == 0 is zero). Operations truncate, so a result
// carries ~126 correct bits before the single final rounding to 64 bits.
#pragma once
#include "softfloat_internal.h"

namespace pcjit::cpu::sf::detail {

struct W {
  bool sign = false;
  i32 exp = 0;
  u128 m = 0;
};

inline W w_norm(bool sign, i32 exp, u128 m) {
  if (m == 0) return W{};
  int lz = clz128(m);
  return W{sign, exp - lz, m << lz};
}

inline W w_from_int(i64 v) {
  if (v == 0) return W{};
  u64 mag = v < 0 ? u64{0} - static_cast<u64>(v) : static_cast<u64>(v);
  return w_norm(v < 0, 127, u128{mag});
}

inline W w_from(const Operand& o) { return o.kind == Kind::Finite ? W{o.sign, o.exp, o.m} : W{}; }

inline W w_neg(W a) {
  a.sign = !a.sign;
  return a;
}

inline W w_mul(const W& a, const W& b) {
  if (a.m == 0 || b.m == 0) return W{};
  const u128 lo64 = ~u64{0};
  u64 ah = static_cast<u64>(a.m >> 64), al = static_cast<u64>(a.m);
  u64 bh = static_cast<u64>(b.m >> 64), bl = static_cast<u64>(b.m);
  u128 hh = u128{ah} * bh, hl = u128{ah} * bl, lh = u128{al} * bh, ll = u128{al} * bl;
  u128 mid = (hl & lo64) + (lh & lo64) + (ll >> 64);
  u128 hi = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
  // a*b = hi * 2^128 + low; value = hi * 2^(ea + eb - 126)
  i32 exp = a.exp + b.exp + 1;
  if (!(hi >> 127)) {
    hi = (hi << 1) | ((mid >> 63) & 1);
    --exp;
  }
  return W{a.sign != b.sign, exp, hi};
}

inline W w_add(const W& a, const W& b) {
  if (a.m == 0) return b;
  if (b.m == 0) return a;
  const W* big = &a;
  const W* small = &b;
  if (b.exp > a.exp || (b.exp == a.exp && b.m > a.m)) {
    big = &b;
    small = &a;
  }
  int d = big->exp - small->exp;
  u128 x = big->m >> 1;
  u128 y = d >= 127 ? 0 : (small->m >> 1) >> d;
  u128 r = big->sign == small->sign ? x + y : x - y;
  return w_norm(big->sign, big->exp + 1, r);
}

inline W w_sub(const W& a, const W& b) { return w_add(a, w_neg(b)); }

inline W w_div(const W& a, const W& b) {
  if (a.m == 0) return W{};
  u128 r = a.m, q = 0;
  const u128 d = b.m;
  bool ge = r >= d;
  bool carry = false;
  if (!ge) {
    carry = (r >> 127) != 0;
    r <<= 1;
  }
  for (int i = 0; i < 128; ++i) {
    bool bit = carry || r >= d;
    if (bit) r -= d;
    q = (q << 1) | (bit ? 1 : 0);
    carry = (r >> 127) != 0;
    r <<= 1;
  }
  return W{a.sign != b.sign, a.exp - b.exp - (ge ? 0 : 1), q};
}

// A series stopped at `tail` (its first neglected term): w_round80 treats a sum as slightly too
// small, so step one unit down when the neglected tail points the other way.
inline W w_nudge(const W& sum, const W& tail) {
  if (tail.m == 0 || sum.m == 0 || tail.sign == sum.sign) return sum;
  return w_norm(sum.sign, sum.exp, sum.m - 1);
}

// Constants to 128 bits (truncated; computed with 80-digit decimal arithmetic).
inline constexpr u128 make_u128(u64 hi, u64 lo) { return (u128{hi} << 64) | lo; }
inline W w_ln2() { return W{false, -1, make_u128(0xb17217f7d1cf79abull, 0xc9e3b39803f2f6afull)}; }
inline W w_log2e() { return W{false, 0, make_u128(0xb8aa3b295c17f0bbull, 0xbe87fed0691d3e88ull)}; }
inline W w_pi() { return W{false, 1, make_u128(0xc90fdaa22168c234ull, 0xc4c6628b80dc1cd1ull)}; }

// Rounds a wide value into an 80-bit result (64-bit significand, env rounding; always inexact).
inline F80 w_round80(const W& v, Env& env) {
  if (v.m == 0) return F80{0, static_cast<u16>(v.sign ? 0x8000 : 0)};
  return Traits<F80>::pack(round_pack(v.sign, v.exp, v.m | 1, kFmt80, 64, env, true));
}

}  // namespace pcjit::cpu::sf::detail
