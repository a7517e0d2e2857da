// SSE/SSE2 conversions between integers, binary32 and binary64 (SDM Vol. 2 CVTSI2SS/SD,
// CVT(T)SS2SI/SD2SI, CVTSS2SD/SD2SS, CVTPS2PD/PD2PS, CVTDQ2PS/PS2DQ/TPS2DQ, CVTDQ2PD/PD2DQ/
// TPD2DQ). One template: N source lanes -> N destination lanes through a soft-float function,
// written to a general register, the low element (scalar: the rest kept) or the low lanes of the
// register with the rest zeroed (packed narrowing forms), or an MMX register (CVT(T)PS2PI/PD2PI;
// with CVTPI2PS/PD these are MMX instructions too: pending x87 exception -> #MF, TOP = 0, tags
// valid). RCPPS/RCPSS/RSQRTPS/RSQRTSS return the correctly rounded value, well inside the SDM's
// |relative error| <= 1.5 * 2^-12, with the documented specials (tiny results flush to zero,
// denormal operands act as zero, no MXCSR flags).
#include "sse_common.h"

namespace pcjit::cpu::simd {
namespace {

template <class L>
L xget(X128 v, unsigned k) {
  constexpr unsigned half = 8 / sizeof(L);
  return lane<L>(k < half ? v.lo : v.hi, k % half);
}
template <class L>
void xput(X128& v, unsigned k, L x) {
  constexpr unsigned half = 8 / sizeof(L);
  u64& h = k < half ? v.lo : v.hi;
  const unsigned sh = (k % half) * 8 * sizeof(L);
  const u64 mask = sizeof(L) == 8 ? ~0ull : ((u64{1} << (8 * sizeof(L))) - 1) << sh;
  h = (h & ~mask) | ((u64{x} << sh) & mask);
}

u32 i2f32(u32 v, sf::Env& e) { return sf::i64_to_f32(static_cast<i32>(v), e).bits; }
u64 i2f64(u32 v, sf::Env& e) { return sf::i64_to_f64(static_cast<i32>(v), e).bits; }
template <bool T>
u32 f32_to_i(u32 v, sf::Env& e) { return static_cast<u32>(sf::to_i32(sf::F32{v}, e, T)); }
template <bool T>
u32 f64_to_i(u64 v, sf::Env& e) { return static_cast<u32>(sf::to_i32(sf::F64{v}, e, T)); }
u64 f32_to_f64(u32 v, sf::Env& e) { return sf::to_f64(sf::F32{v}, e).bits; }
u32 f64_to_f32(u64 v, sf::Env& e) { return sf::to_f32(sf::F64{v}, e).bits; }

enum class Dest { Gpr, Scalar, Packed, Mmx };
enum class Src { Xmm, Gpr, Mmx };

template <class S, class D, unsigned N, D (*Fn)(S, sf::Env&), Dest K, Src From, bool Mem>
Exec cvt(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  constexpr bool mmx = K == Dest::Mmx || (From == Src::Mmx && !Mem);
  if (mmx && (c.s.fpu.sw & x87::sw::ES)) PCJIT_TRY(x87::begin(c, true));
  constexpr unsigned bytes = N * sizeof(S);
  X128 src;
  if constexpr (Mem) {
    if constexpr (bytes == 16) {
      PCJIT_TRY(read_m128<true>(c, i, src));
    } else if constexpr (bytes == 8) {
      PCJIT_TRY(c.read<u64>(i.seg, c.ea(i), src.lo));
    } else {
      u32 v;
      PCJIT_TRY(c.read<u32>(i.seg, c.ea(i), v));
      src.lo = v;
    }
  } else if constexpr (From == Src::Gpr) {
    src.lo = c.reg<u32>(i.rm);
  } else if constexpr (From == Src::Mmx) {
    src.lo = mm(c, i.rm);
  } else {
    src = xmm(c, i.rm);
  }
  sf::Env e = mxcsr_env(c);
  D out[N];
  for (unsigned k = 0; k < N; ++k) out[k] = Fn(xget<S>(src, k), e);
  PCJIT_TRY(mxcsr_report(c, e));
  if constexpr (K == Dest::Gpr) {
    c.set_reg<u32>(i.reg, static_cast<u32>(out[0]));
  } else if constexpr (K == Dest::Mmx) {
    X128 d;
    for (unsigned k = 0; k < N; ++k) xput<D>(d, k, out[k]);
    set_mm(c, i.reg, d.lo);
  } else {
    X128 d = K == Dest::Scalar ? xmm(c, i.reg) : X128{};
    for (unsigned k = 0; k < N; ++k) xput<D>(d, k, out[k]);
    set_xmm(c, i.reg, d);
  }
  if constexpr (mmx) mmx_touch(c);
  return Exec::Ok;
}

template <class S, class D, unsigned N, D (*Fn)(S, sf::Env&), Dest K, Src From = Src::Xmm>
Handler form(bool mem) {
  return mem ? &cvt<S, D, N, Fn, K, From, true> : &cvt<S, D, N, Fn, K, From, false>;
}

// RCP/RSQRT specials (SDM Vol. 2 RCPSS/RSQRTSS tables): +-0 and denormals -> +-inf, +-inf ->
// +-0, NaN -> the quieted NaN, RSQRT of a negative -> the QNaN indefinite; no flags.
u32 rcp32(u32 v, sf::Env&) {
  const u32 sign = v & 0x80000000u, mag = v & 0x7FFFFFFFu;
  if (mag > 0x7F800000u) return v | 0x00400000u;
  if (mag == 0x7F800000u) return sign;
  if (mag < 0x00800000u) return sign | 0x7F800000u;
  sf::Env e;
  e.ftz = true;  // tiny reciprocals flush to zero
  return sf::div(sf::F32{0x3F800000u}, sf::F32{v}, e).bits;
}
u32 rsqrt32(u32 v, sf::Env&) {
  const u32 sign = v & 0x80000000u, mag = v & 0x7FFFFFFFu;
  if (mag > 0x7F800000u) return v | 0x00400000u;
  if (mag < 0x00800000u) return sign | 0x7F800000u;
  if (sign) return sf::kF32Indefinite.bits;
  if (mag == 0x7F800000u) return 0;
  // 1/sqrt(x) in binary64 (error < 2^-52), then rounded once more to binary32.
  sf::Env e;
  const sf::F64 x = sf::to_f64(sf::F32{v}, e);
  const sf::F64 r = sf::div(sf::F64{0x3FF0000000000000ull}, sf::sqrt(x, e), e);
  return sf::to_f32(r, e).bits;
}
constexpr u16 M = row_flag::kModRM;

constexpr OpClass X = OpClass::kSse;
constexpr RowFlags N = fx::kNone;

// bind_cvt<source lane, destination lane, lanes, conversion, destination, source>.
template <class S, class D, unsigned L, D (*Fn)(S, sf::Env&), Dest K, Src From = Src::Xmm>
Handler bind_cvt(const DecodeView& v, Insn&) {
  return form<S, D, L, Fn, K, From>(v.mem);
}

constexpr OpcodeRow kRows[] = {
    {"cvtpi2ps Vps,Qq", 1, 0x2A, 1, -1, M, bind_cvt<u32, u32, 2, i2f32, Dest::Scalar, Src::Mmx>, X, N, pfx::kNP},  // upper kept
    {"cvtsi2ss Vss,Ed", 1, 0x2A, 1, -1, M, bind_cvt<u32, u32, 1, i2f32, Dest::Scalar, Src::Gpr>, X, N, pfx::kF3},
    {"cvtpi2pd Vpd,Qq", 1, 0x2A, 1, -1, M, bind_cvt<u32, u64, 2, i2f64, Dest::Packed, Src::Mmx>, X, N, pfx::k66},
    {"cvtsi2sd Vsd,Ed", 1, 0x2A, 1, -1, M, bind_cvt<u32, u64, 1, i2f64, Dest::Scalar, Src::Gpr>, X, N, pfx::kF2},
    {"cvttps2pi Pq,Wq", 1, 0x2C, 1, -1, M, bind_cvt<u32, u32, 2, f32_to_i<true>, Dest::Mmx>, X, N, pfx::kNP},
    {"cvttss2si Gd,Wss", 1, 0x2C, 1, -1, M, bind_cvt<u32, u32, 1, f32_to_i<true>, Dest::Gpr>, X, N, pfx::kF3},
    {"cvttpd2pi Pq,Wpd", 1, 0x2C, 1, -1, M, bind_cvt<u64, u32, 2, f64_to_i<true>, Dest::Mmx>, X, N, pfx::k66},
    {"cvttsd2si Gd,Wsd", 1, 0x2C, 1, -1, M, bind_cvt<u64, u32, 1, f64_to_i<true>, Dest::Gpr>, X, N, pfx::kF2},
    {"cvtps2pi Pq,Wq", 1, 0x2D, 1, -1, M, bind_cvt<u32, u32, 2, f32_to_i<false>, Dest::Mmx>, X, N, pfx::kNP},
    {"cvtss2si Gd,Wss", 1, 0x2D, 1, -1, M, bind_cvt<u32, u32, 1, f32_to_i<false>, Dest::Gpr>, X, N, pfx::kF3},
    {"cvtpd2pi Pq,Wpd", 1, 0x2D, 1, -1, M, bind_cvt<u64, u32, 2, f64_to_i<false>, Dest::Mmx>, X, N, pfx::k66},
    {"cvtsd2si Gd,Wsd", 1, 0x2D, 1, -1, M, bind_cvt<u64, u32, 1, f64_to_i<false>, Dest::Gpr>, X, N, pfx::kF2},
    {"rsqrtps Vps,Wps", 1, 0x52, 1, -1, M, bind_cvt<u32, u32, 4, rsqrt32, Dest::Packed>, X, N, pfx::kNP},
    {"rsqrtss Vss,Wss", 1, 0x52, 1, -1, M, bind_cvt<u32, u32, 1, rsqrt32, Dest::Scalar>, X, N, pfx::kF3},
    {"rcpps Vps,Wps", 1, 0x53, 1, -1, M, bind_cvt<u32, u32, 4, rcp32, Dest::Packed>, X, N, pfx::kNP},
    {"rcpss Vss,Wss", 1, 0x53, 1, -1, M, bind_cvt<u32, u32, 1, rcp32, Dest::Scalar>, X, N, pfx::kF3},
    {"cvtps2pd Vpd,Wq", 1, 0x5A, 1, -1, M, bind_cvt<u32, u64, 2, f32_to_f64, Dest::Packed>, X, N, pfx::kNP},
    {"cvtss2sd Vsd,Wss", 1, 0x5A, 1, -1, M, bind_cvt<u32, u64, 1, f32_to_f64, Dest::Scalar>, X, N, pfx::kF3},
    {"cvtpd2ps Vps,Wpd", 1, 0x5A, 1, -1, M, bind_cvt<u64, u32, 2, f64_to_f32, Dest::Packed>, X, N, pfx::k66},
    {"cvtsd2ss Vss,Wsd", 1, 0x5A, 1, -1, M, bind_cvt<u64, u32, 1, f64_to_f32, Dest::Scalar>, X, N, pfx::kF2},
    {"cvtdq2ps Vps,Wdq", 1, 0x5B, 1, -1, M, bind_cvt<u32, u32, 4, i2f32, Dest::Packed>, X, N, pfx::kNP},
    {"cvtps2dq Vdq,Wps", 1, 0x5B, 1, -1, M, bind_cvt<u32, u32, 4, f32_to_i<false>, Dest::Packed>, X, N, pfx::k66},
    {"cvttps2dq Vdq,Wps", 1, 0x5B, 1, -1, M, bind_cvt<u32, u32, 4, f32_to_i<true>, Dest::Packed>, X, N, pfx::kF3},
    {"cvtdq2pd Vpd,Wq", 1, 0xE6, 1, -1, M, bind_cvt<u32, u64, 2, i2f64, Dest::Packed>, X, N, pfx::kF3},
    {"cvttpd2dq Vdq,Wpd", 1, 0xE6, 1, -1, M, bind_cvt<u64, u32, 2, f64_to_i<true>, Dest::Packed>, X, N, pfx::k66},
    {"cvtpd2dq Vdq,Wpd", 1, 0xE6, 1, -1, M, bind_cvt<u64, u32, 2, f64_to_i<false>, Dest::Packed>, X, N, pfx::kF2},
};

}  // namespace

std::span<const OpcodeRow> sse_cvt_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
