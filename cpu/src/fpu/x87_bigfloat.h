// Extra-precision arithmetic for the x87 transcendentals: a binary float with a 128-bit
// significand and an unbounded exponent, integer arithmetic only. The real x87 evaluates these
// functions with internal precision well beyond 64 bits and rounds once; doing the same here keeps
// the final results within an ulp of the true value. Only finite values are handled: the
// instructions deal with zeros, infinities and NaNs before they get here.
#pragma once
#include "x87_core.h"

namespace pcjit::cpu::x87 {

__extension__ typedef unsigned __int128 u128;

struct Big {
  bool neg = false;
  i32 exp = 0;  // value = m * 2^(exp - 127); m has bit 127 set unless the value is zero
  u128 m = 0;
  bool zero() const { return m == 0; }
};

Big big_from(const F80& v);  // finite values (denormals and unnormals normalise)
Big big_from_int(i64 v);
Big big_add(const Big& a, const Big& b);
Big big_sub(const Big& a, const Big& b);
Big big_mul(const Big& a, const Big& b);
Big big_div(const Big& a, const Big& b);
Big big_sqrt(const Big& a);  // a >= 0
Big big_scale(Big a, i32 n);  // a * 2^n
inline Big big_neg(Big a) { a.neg = !a.neg; return a; }
// |a| rounded to the nearest integer (ties away; |a| < 2^64).
u64 big_round_int(const Big& a);

// Rounds to the 64-bit x87 format per env.round (precision control does not apply to the
// transcendentals), setting PE/UE/OE and env.c1 as the hardware does.
F80 big_to_f80(const Big& a, sf::Env& env);

// Constants to 128 bits.
Big big_pi();
Big big_ln2();

// ln(m) for m > 0, log2 via ln / ln2; expm1; atan for 0 <= z <= 1; sin/cos for |r| <= pi/4.
Big big_ln(const Big& x);
Big big_ln1p(const Big& x);  // ln(1 + x) for |x| < 1 - sqrt(2)/2, accurate for small x
Big big_expm1(const Big& t);  // |t| <= 1
Big big_atan(const Big& z);   // 0 <= z <= 1
Big big_sin(const Big& r);
Big big_cos(const Big& r);

}  // namespace pcjit::cpu::x87
