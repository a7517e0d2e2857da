// Square root for all three formats: an exact 64-bit integer root of a 128-bit radicand plus the
// remainder gives the round and sticky bits (a square root is never exactly half-way).
#include "softfloat_internal.h"

namespace pcjit::cpu::sf {
namespace detail {

namespace {
// floor(sqrt(v)) of a 64-bit value, bit by bit (restoring method).
u64 isqrt64(u64 v) {
  u64 root = 0, r = 0;
  for (int i = 31; i >= 0; --i) {
    r = (r << 2) | ((v >> (2 * i)) & 3);
    u64 trial = (root << 2) | 1;
    root <<= 1;
    if (r >= trial) {
      r -= trial;
      root |= 1;
    }
  }
  return root;
}

// floor(sqrt(n)) and n - root^2 for n in [2^126, 2^128): a 32-bit root of the top word, one
// Newton step (from below it lands within one of the answer), then an exact integer fix-up.
u64 isqrt128(u128 n, u128& rem) {
  u64 est = isqrt64(static_cast<u64>(n >> 64)) << 32;  // >= 2^63
  u128 next = (u128{est} + n / est) >> 1;
  u64 r = next > ~u64{0} ? ~u64{0} : static_cast<u64>(next);
  while (u128{r} * r > n) --r;
  while (r != ~u64{0} && u128{r + 1} * (r + 1) <= n) ++r;
  rem = n - u128{r} * r;
  return r;
}

}  // namespace

Value sqrt_core(const Operand& x) {
  if (x.kind == Kind::Zero) return Value{Value::Zero, x.sign};
  if (x.sign) return Value{Value::Invalid};
  if (x.kind == Kind::Inf) return Value{Value::Inf, false};
  // value = sig * 2^t with sig the top 64 bits of m, t = exp - 63; make t - k even.
  u64 sig = static_cast<u64>(x.m >> 64);
  i32 t = x.exp - 63;
  int k = ((t - 64) % 2 == 0) ? 64 : 63;
  u128 rem = 0;
  u64 r = isqrt128(u128{sig} << k, rem);
  u128 m = (u128{r} << 64) | (rem > r ? u128{1} << 63 : 0) | (rem != 0 ? 1 : 0);
  Operand n = make_finite(false, (t - k) / 2 + 63, m);
  return Value{Value::Finite, false, n.exp, n.m};
}

}  // namespace detail

using namespace detail;

namespace {
template <class T>
T sqrt_t(T a, Env& env) {
  Operand x = Traits<T>::unpack(a, env);
  env.c1 = false;
  if (x.kind == Kind::Unsupported) {
    env.flags |= kIE;
    return Traits<T>::indefinite();
  }
  if (is_nan_kind(x.kind)) {
    if (x.kind == Kind::SNaN) env.flags |= kIE;
    return Traits<T>::quiet(a);
  }
  Value v = sqrt_core(x);
  if (denormal_flag(x.denormal, v, env.flags, env)) return a;
  return finish<T>(v, env, Traits<T>::precision(env));
}
}  // namespace

F80 sqrt(F80 a, Env& env) { return sqrt_t(a, env); }
F32 sqrt(F32 a, Env& env) { return sqrt_t(a, env); }
F64 sqrt(F64 a, Env& env) { return sqrt_t(a, env); }

}  // namespace pcjit::cpu::sf
