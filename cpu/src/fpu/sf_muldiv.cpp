// Multiplication and division for all three formats. The product of two 64-bit significands is
// exact in 128 bits; the quotient is developed to 128 bits plus a sticky remainder bit, which is
// enough for a correctly rounded 64-bit result (SDM Vol. 1, 4.8.4).
#include "softfloat_internal.h"

namespace pcjit::cpu::sf {
namespace detail {

Value mul_core(const Operand& x, const Operand& y) {
  bool s = x.sign != y.sign;
  if (x.kind == Kind::Inf || y.kind == Kind::Inf) {
    if (x.kind == Kind::Zero || y.kind == Kind::Zero) return Value{Value::Invalid};
    return Value{Value::Inf, s};
  }
  if (x.kind == Kind::Zero || y.kind == Kind::Zero) return Value{Value::Zero, s};
  u128 p = u128{static_cast<u64>(x.m >> 64)} * static_cast<u64>(y.m >> 64);
  // value = p * 2^(ex + ey - 126)
  Operand n = make_finite(s, x.exp + y.exp + 1, p);
  return Value{Value::Finite, s, n.exp, n.m};
}

Value div_core(const Operand& x, const Operand& y, Env& env) {
  bool s = x.sign != y.sign;
  if (x.kind == Kind::Inf) {
    if (y.kind == Kind::Inf) return Value{Value::Invalid};
    return Value{Value::Inf, s};
  }
  if (y.kind == Kind::Inf) return Value{Value::Zero, s};
  if (y.kind == Kind::Zero) {
    if (x.kind == Kind::Zero) return Value{Value::Invalid};
    env.flags |= kZE;
    return Value{Value::Inf, s};
  }
  if (x.kind == Kind::Zero) return Value{Value::Zero, s};
  u64 a = static_cast<u64>(x.m >> 64), b = static_cast<u64>(y.m >> 64);
  i32 exp = x.exp - y.exp - 1;
  u128 num = u128{a} << 64;
  if (a >= b) {  // keep the first quotient word below 2^64
    num = u128{a} << 63;
    exp += 1;
  }
  u128 q1 = num / b, r1 = num % b;
  u128 n2 = r1 << 64;
  u128 q2 = n2 / b, r2 = n2 % b;
  u128 q = (q1 << 64) | q2 | (r2 != 0 ? 1 : 0);
  Operand n = make_finite(s, exp, q);
  return Value{Value::Finite, s, n.exp, n.m};
}

}  // namespace detail

using namespace detail;

namespace {
template <class T>
T mul_t(T a, T b, Env& env) {
  return binary_op(a, b, env, [](const Operand& x, const Operand& y, Env&) { return mul_core(x, y); });
}
template <class T>
T div_t(T a, T b, Env& env) {
  return binary_op(a, b, env, [](const Operand& x, const Operand& y, Env& e) { return div_core(x, y, e); });
}
}  // namespace

F80 mul(F80 a, F80 b, Env& env) { return mul_t(a, b, env); }
F80 div(F80 a, F80 b, Env& env) { return div_t(a, b, env); }
F32 mul(F32 a, F32 b, Env& env) { return mul_t(a, b, env); }
F32 div(F32 a, F32 b, Env& env) { return div_t(a, b, env); }
F64 mul(F64 a, F64 b, Env& env) { return mul_t(a, b, env); }
F64 div(F64 a, F64 b, Env& env) { return div_t(a, b, env); }

}  // namespace pcjit::cpu::sf
