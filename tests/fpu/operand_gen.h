// Operand generators that aim at the interesting corners: zeros, denormals, pseudo-denormals,
// infinities, QNaN/SNaN, unsupported encodings, boundary exponents, significands with long runs
// of ones/zeros (near-ties, carries), and operand pairs with close exponents or results near
// the overflow/underflow thresholds.
#pragma once
#include <cstdint>

#include "fpu/softfloat.h"

namespace pcjit::fpu_test {

using namespace pcjit::cpu;

struct Rng {
  std::uint64_t s;
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  bool coin() { return next() & 1; }
};

// A 64-bit significand pattern (the caller sets or clears the integer bit).
inline std::uint64_t gen_sig(Rng& r) {
  switch (r.below(8)) {
    case 0: return 0;
    case 1: return ~0ull << r.below(64);                      // run of ones then zeros
    case 2: return ~0ull >> r.below(64);                      // zeros then ones
    case 3: return (r.next() & ~(~0ull >> 1 >> r.below(64))) | (1ull << r.below(64));  // near ties
    case 4: return r.next() | ((1ull << r.below(64)) - 1);  // trailing ones (carry chains)
    default: return r.next();
  }
}

inline sf::F80 gen80(Rng& r) {
  std::uint16_t s = r.coin() ? 0x8000 : 0;
  std::uint64_t sig = gen_sig(r) | (1ull << 63);
  auto mk = [&](int e, std::uint64_t g) { return sf::F80{g, static_cast<std::uint16_t>(s | e)}; };
  switch (r.below(20)) {
    case 0: return mk(0, 0);
    case 1: return mk(0, (sig & ~(1ull << 63)) >> r.below(64) | 1);  // denormal
    case 2: return mk(0, sig);                                        // pseudo-denormal
    case 3: return mk(0x7FFF, 1ull << 63);                            // infinity
    case 4: return mk(0x7FFF, sig | (1ull << 62) | 0);                // QNaN
    case 5: {
      std::uint64_t g = (sig & ~(1ull << 62)) | (1ull << 63);
      if ((g << 2) == 0) g |= 1;
      return mk(0x7FFF, g);  // SNaN
    }
    case 6:
      if (r.below(4) == 0) {  // unsupported: unnormal, pseudo-infinity, pseudo-NaN
        int e = r.coin() ? 0x7FFF : static_cast<int>(r.below(0x7FFE)) + 1;
        return mk(e, r.coin() ? 0 : sig & ~(1ull << 63));
      }
      return mk(0x7FFE - static_cast<int>(r.below(70)), sig);
    case 7: return mk(1 + static_cast<int>(r.below(70)), sig);
    case 8: return mk(0x3FFF + static_cast<int>(r.below(70)), sig);  // integers and halves
    case 9: return mk(static_cast<int>(r.below(0x7FFE)) + 1, sig);
    default: return mk(0x3FFF - 200 + static_cast<int>(r.below(400)), sig);
  }
}

// A second operand related to a: same scale (cancellation), or with exponents that put the
// product/quotient near the format's limits.
inline sf::F80 gen80_pair(Rng& r, sf::F80 a, int kind) {
  if (r.below(3) != 0) return gen80(r);
  sf::F80 b = gen80(r);
  int ea = a.exp();
  int eb = b.exp();
  switch (kind) {
    case 0: eb = ea + static_cast<int>(r.below(130)) - 65; break;           // add/sub
    case 1: eb = 16383 * 2 - ea + static_cast<int>(r.below(140)) - 70; break;  // mul near limits
    case 2: eb = ea - 16383 + static_cast<int>(r.below(140)) - 70; break;  // div near overflow
    default: eb = ea + static_cast<int>(r.below(140)) - 70;
  }
  if (eb < 1 || eb > 0x7FFE) return b;
  if (kind == 0 && r.coin()) b.sig = a.sig ^ (r.next() >> r.below(64));
  b.sig |= 1ull << 63;
  b.se = static_cast<std::uint16_t>((b.se & 0x8000) | eb);
  return b;
}

// IEEE binary32/64 of the same kinds; frac_bits 23 or 52, emax 255 or 2047.
template <class U>
U gen_ieee(Rng& r, int frac_bits, int emax) {
  U s = r.coin() ? U{1} << (sizeof(U) * 8 - 1) : 0;
  U frac = static_cast<U>(gen_sig(r) >> (64 - frac_bits));
  auto mk = [&](int e, U f) { return static_cast<U>(s | (static_cast<U>(e) << frac_bits) | f); };
  switch (r.below(16)) {
    case 0: return mk(0, 0);
    case 1: return mk(0, frac ? frac : 1);
    case 2: return mk(emax, 0);
    case 3: return mk(emax, frac | (U{1} << (frac_bits - 1)));
    case 4: {
      U f = frac & ~(U{1} << (frac_bits - 1));
      return mk(emax, f ? f : 1);
    }
    case 5: return mk(emax - 1 - static_cast<int>(r.below(30)), frac);
    case 6: return mk(1 + static_cast<int>(r.below(30)), frac);
    case 7: return mk(emax / 2 + static_cast<int>(r.below(64)), frac);
    case 8: return mk(static_cast<int>(r.below(static_cast<std::uint32_t>(emax - 1))) + 1, frac);
    default: return mk(emax / 2 - 40 + static_cast<int>(r.below(80)), frac);
  }
}

template <class U>
U gen_ieee_pair(Rng& r, U a, int frac_bits, int emax, int kind) {
  U b = gen_ieee<U>(r, frac_bits, emax);
  if (r.below(3) != 0) return b;
  int bias = emax / 2;
  int ea = static_cast<int>((a >> frac_bits) & static_cast<U>(emax));
  int eb;
  switch (kind) {
    case 0: eb = ea + static_cast<int>(r.below(60)) - 30; break;
    case 1: eb = 2 * bias - ea + static_cast<int>(r.below(60)) - 30; break;
    default: eb = ea - bias + static_cast<int>(r.below(60)) - 30; break;
  }
  if (eb < 1 || eb >= emax) return b;
  U mask = static_cast<U>(emax) << frac_bits;
  b = static_cast<U>((b & ~mask) | (static_cast<U>(eb) << frac_bits));
  if (kind == 0 && r.coin()) b = static_cast<U>((b & mask) | ((a ^ (r.next() >> r.below(64))) & ~mask));
  return b;
}

}  // namespace pcjit::fpu_test
