// Addition and subtraction for all three formats: operands are aligned in 128 bits with a sticky
// bit, summed exactly, and rounded once. Exact zero sums are +0 except in round-down
// (IEEE 754 6.3, SDM Vol. 1, Table 4-8 / 4-9).
#include <utility>

#include "softfloat_internal.h"

namespace pcjit::cpu::sf {
namespace detail {

Value add_core(const Operand& x, const Operand& y_in, bool negate_y, const Env& env) {
  Operand y = y_in;
  if (negate_y) y.sign = !y.sign;
  if (x.kind == Kind::Inf || y.kind == Kind::Inf) {
    if (x.kind == Kind::Inf && y.kind == Kind::Inf && x.sign != y.sign) return Value{Value::Invalid};
    return Value{Value::Inf, x.kind == Kind::Inf ? x.sign : y.sign};
  }
  if (x.kind == Kind::Zero && y.kind == Kind::Zero) {
    bool s = x.sign == y.sign ? x.sign : env.round == Round::Down;
    return Value{Value::Zero, s};
  }
  if (x.kind == Kind::Zero) return Value{Value::Finite, y.sign, y.exp, y.m};
  if (y.kind == Kind::Zero) return Value{Value::Finite, x.sign, x.exp, x.m};
  const Operand* big = &x;
  const Operand* small = &y;
  if (y.exp > x.exp || (y.exp == x.exp && y.m > x.m)) std::swap(big, small);
  // One bit of headroom for the carry: value = m * 2^(e - 126).
  u128 a = big->m >> 1;
  u128 b = shift_right_jam(small->m >> 1, big->exp - small->exp);
  u128 r = big->sign == small->sign ? a + b : a - b;
  if (r == 0) return Value{Value::Zero, env.round == Round::Down};
  Operand n = make_finite(big->sign, big->exp + 1, r);
  return Value{Value::Finite, n.sign, n.exp, n.m};
}

}  // namespace detail

using namespace detail;

namespace {
template <class T>
T add_sub(T a, T b, Env& env, bool negate) {
  return binary_op(a, b, env, [negate](const Operand& x, const Operand& y, Env& e) {
    return add_core(x, y, negate, e);
  });
}
}  // namespace

F80 add(F80 a, F80 b, Env& env) { return add_sub(a, b, env, false); }
F80 sub(F80 a, F80 b, Env& env) { return add_sub(a, b, env, true); }
F32 add(F32 a, F32 b, Env& env) { return add_sub(a, b, env, false); }
F32 sub(F32 a, F32 b, Env& env) { return add_sub(a, b, env, true); }
F64 add(F64 a, F64 b, Env& env) { return add_sub(a, b, env, false); }
F64 sub(F64 a, F64 b, Env& env) { return add_sub(a, b, env, true); }

}  // namespace pcjit::cpu::sf
