// Comparisons (FCOM/FUCOM/FCOMI, COMIS*/UCOMIS*) and SSE MIN/MAX. Unordered when a NaN or an
// unsupported encoding is involved; the "quiet" forms signal IE only for SNaN
// (SDM Vol. 2, FCOM/FUCOM and COMISS/UCOMISS).
#include "softfloat_internal.h"

namespace pcjit::cpu::sf {

using namespace detail;

namespace {

int magnitude_rank(const Operand& x) {
  return x.kind == Kind::Zero ? 0 : x.kind == Kind::Finite ? 1 : 2;
}

// Ordered comparison of two non-NaN operands.
Cmp order(const Operand& x, const Operand& y) {
  if (x.kind == Kind::Zero && y.kind == Kind::Zero) return Cmp::Equal;
  if (x.sign != y.sign) return x.sign ? Cmp::Less : Cmp::Greater;
  int mag;  // sign of |x| - |y|
  int rx = magnitude_rank(x), ry = magnitude_rank(y);
  if (rx != ry) mag = rx < ry ? -1 : 1;
  else if (rx != 1) mag = 0;
  else if (x.exp != y.exp) mag = x.exp < y.exp ? -1 : 1;
  else mag = x.m == y.m ? 0 : x.m < y.m ? -1 : 1;
  if (mag == 0) return Cmp::Equal;
  if (x.sign) mag = -mag;
  return mag < 0 ? Cmp::Less : Cmp::Greater;
}

template <class T>
Cmp compare_t(T a, T b, Env& env, bool quiet) {
  Operand x = Traits<T>::unpack(a, env), y = Traits<T>::unpack(b, env);
  if (x.kind == Kind::Unsupported || y.kind == Kind::Unsupported) {
    env.flags |= kIE;
    return Cmp::Unordered;
  }
  if (is_nan_kind(x.kind) || is_nan_kind(y.kind)) {
    if (!quiet || x.kind == Kind::SNaN || y.kind == Kind::SNaN) env.flags |= kIE;
    return Cmp::Unordered;
  }
  if (x.denormal || y.denormal) env.flags |= kDE;
  return order(x, y);
}

// MINSS/MAXSS: SRC2 whenever either operand is a NaN (IE for any NaN) or both are zero.
template <class T>
T min_max(T a, T b, Env& env, bool want_max) {
  Cmp c = compare_t(a, b, env, false);
  T r = b;
  if (c != Cmp::Unordered && (want_max ? c == Cmp::Greater : c == Cmp::Less)) r = a;
  // Under DAZ the selected operand is delivered as the zero it was read as (measured).
  Operand o = Traits<T>::unpack(r, env);
  return o.kind == Kind::Zero ? Traits<T>::zero(o.sign) : r;
}

}  // namespace

Cmp compare(F80 a, F80 b, Env& env, bool quiet) { return compare_t(a, b, env, quiet); }
Cmp compare(F32 a, F32 b, Env& env, bool quiet) { return compare_t(a, b, env, quiet); }
Cmp compare(F64 a, F64 b, Env& env, bool quiet) { return compare_t(a, b, env, quiet); }
F32 min(F32 a, F32 b, Env& env) { return min_max(a, b, env, false); }
F32 max(F32 a, F32 b, Env& env) { return min_max(a, b, env, true); }
F64 min(F64 a, F64 b, Env& env) { return min_max(a, b, env, false); }
F64 max(F64 a, F64 b, Env& env) { return min_max(a, b, env, true); }

}  // namespace pcjit::cpu::sf
