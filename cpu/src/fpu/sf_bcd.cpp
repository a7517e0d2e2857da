// FBLD/FBSTP: 18-digit packed BCD (SDM Vol. 1, 4.7 and Table 4-2). The magnitude limit is
// 10^18 - 1; anything larger, or a NaN/infinity/unsupported value, stores the BCD indefinite.
#include "softfloat_internal.h"

namespace pcjit::cpu::sf {

using namespace detail;

F80 from_bcd(const u8 bcd[10]) {
  u64 v = 0;
  for (int i = 8; i >= 0; --i) {
    v = v * 10 + (bcd[i] >> 4);
    v = v * 10 + (bcd[i] & 0xF);
  }
  bool neg = (bcd[9] & 0x80) != 0;
  F80 r = from_int(static_cast<i64>(v));
  if (neg) r.se |= 0x8000;
  return r;
}

void to_bcd(F80 a, Env& env, u8 out[10]) {
  constexpr u64 kMax = 999999999999999999ull;
  Operand x = Traits<F80>::unpack(a, env);
  env.c1 = false;
  auto indefinite = [&] {
    env.flags |= kIE;
    for (int i = 0; i < 10; ++i) out[i] = 0;
    out[9] = 0xFF;
    out[8] = 0xFF;
    out[7] = 0xC0;
  };
  if (x.kind != Kind::Finite && x.kind != Kind::Zero) return indefinite();
  u64 mag = 0;
  if (x.kind == Kind::Finite) {
    if (x.exp >= 60) return indefinite();
    // Reuse the integer conversion for the rounding (|value| < 2^60 fits in i64).
    Env e = env;
    e.flags = 0;
    i64 v = to_i64(a, e);
    mag = v < 0 ? u64{0} - static_cast<u64>(v) : static_cast<u64>(v);
    if (mag > kMax) return indefinite();
    env.flags |= e.flags;
    env.c1 = e.c1;
  }
  for (int i = 0; i < 9; ++i) {
    u8 lo = static_cast<u8>(mag % 10);
    mag /= 10;
    u8 hi = static_cast<u8>(mag % 10);
    mag /= 10;
    out[i] = static_cast<u8>(hi << 4 | lo);
  }
  out[9] = x.sign ? 0x80 : 0;
}

}  // namespace pcjit::cpu::sf
