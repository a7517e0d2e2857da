// 128-bit-significand arithmetic and the series behind the x87 transcendentals (see the header
// for why). Series are evaluated until the next term falls below 2^-130 of the sum, so the
// error before the final rounding is a few units in the 120th bit.
#include "x87_bigfloat.h"

namespace pcjit::cpu::x87 {
namespace {

unsigned clz128(u128 m) {
  const u64 hi = static_cast<u64>(m >> 64);
  if (hi) return static_cast<unsigned>(__builtin_clzll(hi));
  const u64 lo = static_cast<u64>(m);
  return lo ? 64 + static_cast<unsigned>(__builtin_clzll(lo)) : 128;
}

Big normalized(Big b) {
  if (b.m == 0) return Big{};
  const unsigned s = clz128(b.m);
  b.m <<= s;
  b.exp -= static_cast<i32>(s);
  return b;
}

bool mag_less(const Big& a, const Big& b) {
  if (a.zero()) return !b.zero();
  if (b.zero()) return false;
  return a.exp != b.exp ? a.exp < b.exp : a.m < b.m;
}

constexpr u128 make128(u64 hi, u64 lo) { return (u128{hi} << 64) | lo; }

// The term is negligible against the sum: the series can stop.
bool negligible(const Big& term, const Big& sum) { return term.zero() || term.exp < sum.exp - 130; }

}  // namespace

Big big_from(const F80& v) {
  if (v.mant == 0) return Big{sign(v), 0, 0};
  const i32 e = v.se & 0x7FFF;
  return normalized(Big{sign(v), (e == 0 ? 1 : e) - 16383, u128{v.mant} << 64});
}

Big big_from_int(i64 v) {
  const u64 mag = v < 0 ? 0 - static_cast<u64>(v) : static_cast<u64>(v);
  return normalized(Big{v < 0, 63, u128{mag} << 64});
}

Big big_add(const Big& x, const Big& y) {
  if (x.zero()) return y;
  if (y.zero()) return x;
  const Big& a = mag_less(x, y) ? y : x;
  const Big& b = mag_less(x, y) ? x : y;
  const i32 d = a.exp - b.exp;
  if (d >= 127) return a;
  const u128 am = a.m >> 1, bm = (b.m >> 1) >> d;
  Big r{a.neg, a.exp + 1, a.neg == b.neg ? am + bm : am - bm};
  return normalized(r);
}

Big big_sub(const Big& a, const Big& b) { return big_add(a, big_neg(b)); }

Big big_mul(const Big& a, const Big& b) {
  if (a.zero() || b.zero()) return Big{};
  const u128 mask = ~u64{0};
  const u128 ah = a.m >> 64, al = a.m & mask, bh = b.m >> 64, bl = b.m & mask;
  const u128 hh = ah * bh, hl = ah * bl, lh = al * bh, ll = al * bl;
  const u128 mid = (hl & mask) + (lh & mask) + (ll >> 64);
  u128 top = hh + (hl >> 64) + (lh >> 64) + (mid >> 64);
  i32 e = a.exp + b.exp + 1;
  if (!(top >> 127)) {
    top = (top << 1) | ((mid >> 63) & 1);
    e -= 1;
  }
  return Big{a.neg != b.neg, e, top};
}

Big big_div(const Big& a, const Big& b) {
  if (a.zero()) return Big{};
  u128 rem = a.m, q = 0;
  bool carry = false;
  for (int k = 0; k < 128; ++k) {
    const bool bit = carry || rem >= b.m;
    if (bit) rem -= b.m;
    q = (q << 1) | (bit ? 1 : 0);
    carry = (rem >> 127) != 0;
    rem <<= 1;
  }
  return normalized(Big{a.neg != b.neg, a.exp - b.exp, q});
}

Big big_scale(Big a, i32 n) {
  if (!a.zero()) a.exp += n;
  return a;
}

Big big_sqrt(const Big& a) {
  if (a.zero()) return Big{};
  // Seed from the 64-bit soft-float root, then two Newton steps (each doubles the good bits).
  const i32 half = a.exp >> 1;
  Big scaled = a;
  scaled.exp -= 2 * half;  // exponent 0 or 1
  F80 t{static_cast<u64>(scaled.m >> 64), static_cast<u16>(16383 + scaled.exp)};
  sf::Env env;
  Big g = big_from(from_sf(sf::sqrt(to_sf(t), env)));
  for (int k = 0; k < 2; ++k) g = big_scale(big_add(g, big_div(scaled, g)), -1);
  return big_scale(g, half);
}

u64 big_round_int(const Big& a) {
  if (a.zero() || a.exp < -1) return 0;
  const unsigned shift = static_cast<unsigned>(127 - a.exp);  // 64..128
  const u128 r = a.m >> (shift - 1);
  return static_cast<u64>((r + 1) >> 1);
}

F80 big_to_f80(const Big& a, sf::Env& env) {
  const u16 s = a.neg ? 0x8000 : 0;
  if (a.zero()) return F80{0, s};
  const i32 biased = a.exp + 16383;
  if (biased < 1 || biased > 32766) {
    // Outside the normal range: round at exponent 0, then let FSCALE's rounding produce the
    // overflow/underflow response (denormal or infinity) with the right flags.
    sf::Env inner = env;
    inner.precision = sf::Precision::Extended;
    const F80 t = big_to_f80(Big{a.neg, 0, a.m}, inner);
    sf::F80 r = sf::scale(to_sf(t), sf::from_int(a.exp), inner);
    env.flags |= inner.flags;
    env.c1 = inner.c1;
    return from_sf(r);
  }
  u64 hi = static_cast<u64>(a.m >> 64);
  const u64 lo = static_cast<u64>(a.m);
  const bool inexact = lo != 0;
  bool inc = false;
  switch (env.round) {
    case sf::Round::Nearest: inc = lo > (1ull << 63) || (lo == (1ull << 63) && (hi & 1)); break;
    case sf::Round::Up: inc = inexact && !a.neg; break;
    case sf::Round::Down: inc = inexact && a.neg; break;
    case sf::Round::Zero: break;
  }
  i32 e = biased;
  if (inc && ++hi == 0) {
    hi = 1ull << 63;
    ++e;
  }
  if (inexact) env.flags |= sf::kPE;
  env.c1 = inc;
  return F80{hi, static_cast<u16>(s | e)};
}

Big big_pi() { return Big{false, 1, make128(0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull)}; }
Big big_ln2() { return Big{false, -1, make128(0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull)}; }

namespace {

// 2 * atanh(s) = 2 (s + s^3/3 + s^5/5 + ...): ln((1+s)/(1-s)).
Big two_atanh(const Big& s) {
  const Big s2 = big_mul(s, s);
  Big sum = s, pow = s;
  for (i64 k = 3; k < 400; k += 2) {
    pow = big_mul(pow, s2);
    const Big term = big_div(pow, big_from_int(k));
    if (negligible(term, sum)) break;
    sum = big_add(sum, term);
  }
  return big_scale(sum, 1);
}

}  // namespace

Big big_ln(const Big& x) {
  i32 e = x.exp;
  Big m{false, 0, x.m};  // in [1, 2)
  if (m.m > make128(0xB504F333F9DE6484ull, 0x597D89B3754ABE9Full)) {  // sqrt(2)
    m.exp = -1;
    ++e;
  }
  const Big one = big_from_int(1);
  const Big s = big_div(big_sub(m, one), big_add(m, one));
  return big_add(two_atanh(s), big_mul(big_from_int(e), big_ln2()));
}

Big big_ln1p(const Big& x) {
  const Big s = big_div(x, big_add(big_from_int(2), x));
  return two_atanh(s);
}

Big big_expm1(const Big& t) {
  Big sum = t, term = t;
  for (i64 n = 2; n < 400; ++n) {
    term = big_div(big_mul(term, t), big_from_int(n));
    if (negligible(term, sum)) break;
    sum = big_add(sum, term);
  }
  return sum;
}

Big big_atan(const Big& z0) {
  if (z0.zero()) return z0;
  // atan(z) = 2 atan(z / (1 + sqrt(1 + z^2))), twice: |z| <= tan(pi/16) before the series.
  const Big one = big_from_int(1);
  Big z = z0;
  for (int k = 0; k < 2; ++k) z = big_div(z, big_add(one, big_sqrt(big_add(one, big_mul(z, z)))));
  const Big z2 = big_mul(z, z);
  Big sum = z, pow = z;
  for (i64 k = 3; k < 400; k += 2) {
    pow = big_neg(big_mul(pow, z2));
    const Big term = big_div(pow, big_from_int(k));
    if (negligible(term, sum)) break;
    sum = big_add(sum, term);
  }
  return big_scale(sum, 2);
}

Big big_sin(const Big& r) {
  const Big r2 = big_mul(r, r);
  Big sum = r, term = r;
  for (i64 n = 1; n < 200; ++n) {
    term = big_neg(big_div(big_mul(term, r2), big_from_int((2 * n) * (2 * n + 1))));
    if (negligible(term, sum)) break;
    sum = big_add(sum, term);
  }
  return sum;
}

Big big_cos(const Big& r) {
  const Big r2 = big_mul(r, r);
  Big sum = big_from_int(1), term = sum;
  for (i64 n = 1; n < 200; ++n) {
    term = big_neg(big_div(big_mul(term, r2), big_from_int((2 * n - 1) * (2 * n))));
    if (negligible(term, sum)) break;
    sum = big_add(sum, term);
  }
  return sum;
}

}  // namespace pcjit::cpu::x87
