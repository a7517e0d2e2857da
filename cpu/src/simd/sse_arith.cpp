// SSE/SSE2 floating-point arithmetic: ADD/SUB/MUL/DIV/MIN/MAX/SQRT in the four forms the
// mandatory prefix selects (none: packed single, F3: scalar single, 66: packed double, F2:
// scalar double; SDM Vol. 2 ADDPS...). Every lane goes through the soft-float with the MXCSR
// environment; an unmasked exception in any lane leaves the destination unchanged (Vol. 1 11.5.1).
#include "sse_common.h"

namespace pcjit::cpu::simd {
namespace {

template <class F>
struct Fmt;
template <>
struct Fmt<sf::F32> {
  using Bits = u32;
};
template <>
struct Fmt<sf::F64> {
  using Bits = u64;
};

// Lane k of a 128-bit value, lanes of type L.
template <class L>
L get(X128 v, unsigned k) {
  constexpr unsigned half = 8 / sizeof(L);
  return lane<L>(k < half ? v.lo : v.hi, k % half);
}
template <class L>
void put(X128& v, unsigned k, L x) {
  constexpr unsigned half = 8 / sizeof(L);
  constexpr unsigned w = 8 * sizeof(L);
  u64& h = k < half ? v.lo : v.hi;
  const unsigned sh = (k % half) * w;
  const u64 mask = (w == 64 ? ~0ull : ((u64{1} << (w % 64)) - 1)) << sh;
  h = (h & ~mask) | ((u64{x} << sh) & mask);
}

struct Add { template <class F> static F f(F a, F b, sf::Env& e) { return sf::add(a, b, e); } };
struct Sub { template <class F> static F f(F a, F b, sf::Env& e) { return sf::sub(a, b, e); } };
struct Mul { template <class F> static F f(F a, F b, sf::Env& e) { return sf::mul(a, b, e); } };
struct Div { template <class F> static F f(F a, F b, sf::Env& e) { return sf::div(a, b, e); } };
struct Min { template <class F> static F f(F a, F b, sf::Env& e) { return sf::min(a, b, e); } };
struct Max { template <class F> static F f(F a, F b, sf::Env& e) { return sf::max(a, b, e); } };
struct Sqrt { template <class F> static F f(F, F b, sf::Env& e) { return sf::sqrt(b, e); } };

template <class F, class Op, bool Scalar, bool Mem>
Exec fp_op(Context& c, const Insn& i) {
  using Bits = typename Fmt<F>::Bits;
  PCJIT_TRY(sse_begin(c));
  X128 b;
  if constexpr (Mem && Scalar) {
    Bits v;
    PCJIT_TRY(c.read<Bits>(i.seg, c.ea(i), v));
    b.lo = v;
  } else if constexpr (Mem) {
    PCJIT_TRY(read_m128<true>(c, i, b));
  } else {
    b = xmm(c, i.rm);
  }
  const X128 a = xmm(c, i.reg);
  X128 r = a;
  sf::Env e = mxcsr_env(c);
  constexpr unsigned n = Scalar ? 1 : 16 / sizeof(Bits);
  for (unsigned k = 0; k < n; ++k) put<Bits>(r, k, Op::f(F{get<Bits>(a, k)}, F{get<Bits>(b, k)}, e).bits);
  PCJIT_TRY(mxcsr_report(c, e));
  set_xmm(c, i.reg, r);
  return Exec::Ok;
}

template <class F, class Op, bool Scalar>
Handler bind_fp(const DecodeView& v, Insn&) {
  return v.mem ? &fp_op<F, Op, Scalar, true> : &fp_op<F, Op, Scalar, false>;
}

constexpr u16 M = row_flag::kModRM;
constexpr OpClass X = OpClass::kSse;

// The four forms of an operation: PS (NP), SS (F3), PD (66), SD (F2).
#define PCJIT_FP_ROWS(name, opcode, Op)                                                         \
  {name "ps", 1, opcode, 1, -1, M, bind_fp<sf::F32, Op, false>, X, fx::kNone, pfx::kNP},        \
  {name "ss", 1, opcode, 1, -1, M, bind_fp<sf::F32, Op, true>, X, fx::kNone, pfx::kF3},         \
  {name "pd", 1, opcode, 1, -1, M, bind_fp<sf::F64, Op, false>, X, fx::kNone, pfx::k66},        \
  {name "sd", 1, opcode, 1, -1, M, bind_fp<sf::F64, Op, true>, X, fx::kNone, pfx::kF2}

constexpr OpcodeRow kRows[] = {
    PCJIT_FP_ROWS("sqrt", 0x51, Sqrt), PCJIT_FP_ROWS("add", 0x58, Add), PCJIT_FP_ROWS("mul", 0x59, Mul),
    PCJIT_FP_ROWS("sub", 0x5C, Sub),   PCJIT_FP_ROWS("min", 0x5D, Min), PCJIT_FP_ROWS("div", 0x5E, Div),
    PCJIT_FP_ROWS("max", 0x5F, Max),
};
#undef PCJIT_FP_ROWS

}  // namespace

std::span<const OpcodeRow> sse_arith_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
