// SSE/SSE2 compares, shuffles and half-register moves (SDM Vol. 2 CMPPS/CMPSS/CMPPD/CMPSD,
// COMISS/UCOMISS/COMISD/UCOMISD, SHUFPS/SHUFPD, UNPCKLPS/UNPCKHPS/PD, MOVMSKPS/PD, MOVLPS/
// MOVHPS/MOVLHPS/MOVHLPS/MOVLPD/MOVHPD, MOVNTPS/PD), plus the cache-control instructions that
// have nothing to do here beyond their faults (SFENCE/LFENCE/MFENCE, CLFLUSH). PREFETCHh is part
// of the hint-NOP space 0F 18-0F 1F (ops/misc.cpp).
#include "sse_common.h"

namespace pcjit::cpu::simd {
namespace {

template <class Bits>
Bits get(X128 v, unsigned k) {
  constexpr unsigned half = 8 / sizeof(Bits);
  return lane<Bits>(k < half ? v.lo : v.hi, k % half);
}
template <class Bits>
X128 build(const Bits* l) {
  X128 r;
  constexpr unsigned half = 8 / sizeof(Bits);
  for (unsigned k = 0; k < 2 * half; ++k) {
    u64& h = k < half ? r.lo : r.hi;
    h = put_lane<Bits>(h, k % half, l[k]);
  }
  return r;
}
template <class F>
using BitsOf = std::conditional_t<std::is_same_v<F, sf::F32>, u32, u64>;

// Source operand: a register, m128 (aligned) for packed forms, or one element for scalar forms.
template <class Bits, bool Scalar, bool Mem>
Exec source(Context& c, const Insn& i, X128& b) {
  if constexpr (!Mem) {
    b = xmm(c, i.rm);
  } else if constexpr (Scalar) {
    Bits v;
    PCJIT_TRY(c.read<Bits>(i.seg, c.ea(i), v));
    b = {v, 0};
  } else {
    PCJIT_TRY(read_m128<true>(c, i, b));
  }
  return Exec::Ok;
}

// CMPccPS/SS/PD/SD (imm8 & 7): EQ/UNORD/NEQ/ORD are quiet (IE only for SNaN), LT/LE/NLT/NLE
// signal on any NaN (SDM Vol. 2 CMPPS Table 3-7).
template <class F, bool Scalar, bool Mem>
Exec cmp(Context& c, const Insn& i) {
  using Bits = BitsOf<F>;
  PCJIT_TRY(sse_begin(c));
  X128 b;
  PCJIT_TRY((source<Bits, Scalar, Mem>(c, i, b)));
  const X128 a = xmm(c, i.reg);
  const unsigned pred = i.imm & 7;
  const bool quiet = pred == 0 || pred == 3 || pred == 4 || pred == 7;
  sf::Env e = mxcsr_env(c);
  constexpr unsigned n = 16 / sizeof(Bits);
  Bits out[n];
  for (unsigned k = 0; k < n; ++k) {
    out[k] = get<Bits>(a, k);
    if (Scalar && k > 0) continue;
    const sf::Cmp r = sf::compare(F{get<Bits>(a, k)}, F{get<Bits>(b, k)}, e, quiet);
    bool t = false;
    switch (pred) {
      case 0: t = r == sf::Cmp::Equal; break;
      case 1: t = r == sf::Cmp::Less; break;
      case 2: t = r == sf::Cmp::Less || r == sf::Cmp::Equal; break;
      case 3: t = r == sf::Cmp::Unordered; break;
      case 4: t = r != sf::Cmp::Equal; break;
      case 5: t = r != sf::Cmp::Less; break;
      case 6: t = !(r == sf::Cmp::Less || r == sf::Cmp::Equal); break;
      default: t = r != sf::Cmp::Unordered; break;
    }
    out[k] = t ? static_cast<Bits>(~Bits{0}) : Bits{0};
  }
  PCJIT_TRY(mxcsr_report(c, e));
  set_xmm(c, i.reg, build<Bits>(out));
  return Exec::Ok;
}

// COMIS*/UCOMIS*: ZF,PF,CF = 111 unordered, 000 greater, 001 less, 100 equal; OF/AF/SF cleared.
template <class F, bool Quiet, bool Mem>
Exec comi(Context& c, const Insn& i) {
  using Bits = BitsOf<F>;
  PCJIT_TRY(sse_begin(c));
  X128 b;
  PCJIT_TRY((source<Bits, true, Mem>(c, i, b)));
  sf::Env e = mxcsr_env(c);
  const sf::Cmp r = sf::compare(F{get<Bits>(xmm(c, i.reg), 0)}, F{get<Bits>(b, 0)}, e, Quiet);
  PCJIT_TRY(mxcsr_report(c, e));
  u32 f = 0;
  if (r == sf::Cmp::Unordered) f = flag::ZF | flag::PF | flag::CF;
  else if (r == sf::Cmp::Less) f = flag::CF;
  else if (r == sf::Cmp::Equal) f = flag::ZF;
  c.s.eflags = (c.s.eflags & ~flag::kArith) | f;
  return Exec::Ok;
}

template <class Bits, bool Mem>
Exec shuf(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  X128 b;
  PCJIT_TRY((source<Bits, false, Mem>(c, i, b)));
  const X128 a = xmm(c, i.reg);
  constexpr unsigned n = 16 / sizeof(Bits), bits = n == 4 ? 2 : 1;
  Bits out[n];
  for (unsigned k = 0; k < n; ++k) {
    const unsigned sel = (i.imm >> (k * bits)) & (n - 1);
    out[k] = get<Bits>(k < n / 2 ? a : b, sel);
  }
  set_xmm(c, i.reg, build<Bits>(out));
  return Exec::Ok;
}
template <class Bits, bool High, bool Mem>
Exec unpck(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  X128 b;
  PCJIT_TRY((source<Bits, false, Mem>(c, i, b)));
  const X128 a = xmm(c, i.reg);
  constexpr unsigned n = 16 / sizeof(Bits), base = High ? n / 2 : 0;
  Bits out[n];
  for (unsigned k = 0; k < n / 2; ++k) {
    out[2 * k] = get<Bits>(a, base + k);
    out[2 * k + 1] = get<Bits>(b, base + k);
  }
  set_xmm(c, i.reg, build<Bits>(out));
  return Exec::Ok;
}
template <class Bits>
Exec movmsk(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const X128 s = xmm(c, i.rm);
  u32 m = 0;
  for (unsigned k = 0; k < 16 / sizeof(Bits); ++k) m |= static_cast<u32>(get<Bits>(s, k) >> (8 * sizeof(Bits) - 1)) << k;
  c.set_reg<u32>(i.reg, m);
  return Exec::Ok;
}
// MOVLPS/MOVHPS (High) m64 loads; the register forms are MOVHLPS/MOVLHPS.
template <bool High, bool Mem>
Exec movhl_load(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  X128 d = xmm(c, i.reg);
  u64 v;
  if constexpr (Mem) PCJIT_TRY(c.read<u64>(i.seg, c.ea(i), v));
  else v = High ? xmm(c, i.rm).lo : xmm(c, i.rm).hi;  // MOVLHPS / MOVHLPS
  (High ? d.hi : d.lo) = v;
  set_xmm(c, i.reg, d);
  return Exec::Ok;
}
template <bool High>
Exec movhl_store(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const X128 s = xmm(c, i.reg);
  return c.write<u64>(i.seg, c.ea(i), High ? s.hi : s.lo);
}
Exec movnt(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  return write_m128<true>(c, i, xmm(c, i.reg));
}
Exec nop(Context&, const Insn&) { return Exec::Ok; }
// CLFLUSH faults like a byte read of its operand (SDM Vol. 2 CLFLUSH); there is no cache.
Exec clflush(Context& c, const Insn& i) {
  u8 v;
  return c.read<u8>(i.seg, c.ea(i), v);
}

template <class F, bool Scalar>
Handler bind_cmp(const DecodeView& v, Insn&) { return v.mem ? &cmp<F, Scalar, true> : &cmp<F, Scalar, false>; }
template <class F, bool Quiet>
Handler bind_comi(const DecodeView& v, Insn&) { return v.mem ? &comi<F, Quiet, true> : &comi<F, Quiet, false>; }
template <class Bits>
Handler bind_shuf(const DecodeView& v, Insn&) { return v.mem ? &shuf<Bits, true> : &shuf<Bits, false>; }
template <class Bits, bool High>
Handler bind_unpck(const DecodeView& v, Insn&) { return v.mem ? &unpck<Bits, High, true> : &unpck<Bits, High, false>; }

constexpr u16 M = row_flag::kModRM;
constexpr u16 MM = M | row_flag::kMemOnly;
constexpr u16 MR = M | row_flag::kRegOnly;

constexpr OpClass X = OpClass::kSse;
constexpr RowFlags N = fx::kNone;

constexpr OpcodeRow kRows[] = {
    {"cmpps Vps,Wps,Ib", 1, 0xC2, 1, -1, M, bind_cmp<sf::F32, false>, X, N, pfx::kNP},
    {"cmpss Vss,Wss,Ib", 1, 0xC2, 1, -1, M, bind_cmp<sf::F32, true>, X, N, pfx::kF3},
    {"cmppd Vpd,Wpd,Ib", 1, 0xC2, 1, -1, M, bind_cmp<sf::F64, false>, X, N, pfx::k66},
    {"cmpsd Vsd,Wsd,Ib", 1, 0xC2, 1, -1, M, bind_cmp<sf::F64, true>, X, N, pfx::kF2},
    // ZF PF CF from the comparison, OF SF AF cleared (SDM COMISS/UCOMISS/COMISD/UCOMISD).
    {"ucomiss Vss,Wss", 1, 0x2E, 1, -1, M, bind_comi<sf::F32, true>, X, fx::kArith, pfx::kNP},
    {"ucomisd Vsd,Wsd", 1, 0x2E, 1, -1, M, bind_comi<sf::F64, true>, X, fx::kArith, pfx::k66},
    {"comiss Vss,Wss", 1, 0x2F, 1, -1, M, bind_comi<sf::F32, false>, X, fx::kArith, pfx::kNP},
    {"comisd Vsd,Wsd", 1, 0x2F, 1, -1, M, bind_comi<sf::F64, false>, X, fx::kArith, pfx::k66},
    {"shufps Vps,Wps,Ib", 1, 0xC6, 1, -1, M, bind_shuf<u32>, X, N, pfx::kNP},
    {"shufpd Vpd,Wpd,Ib", 1, 0xC6, 1, -1, M, bind_shuf<u64>, X, N, pfx::k66},
    {"unpcklps Vps,Wq", 1, 0x14, 1, -1, M, bind_unpck<u32, false>, X, N, pfx::kNP},
    {"unpcklpd Vpd,Wq", 1, 0x14, 1, -1, M, bind_unpck<u64, false>, X, N, pfx::k66},
    {"unpckhps Vps,Wq", 1, 0x15, 1, -1, M, bind_unpck<u32, true>, X, N, pfx::kNP},
    {"unpckhpd Vpd,Wq", 1, 0x15, 1, -1, M, bind_unpck<u64, true>, X, N, pfx::k66},
    {"movmskps Gd,Ups", 1, 0x50, 1, -1, MR, bind_only<movmsk<u32>>, X, N, pfx::kNP},
    {"movmskpd Gd,Upd", 1, 0x50, 1, -1, MR, bind_only<movmsk<u64>>, X, N, pfx::k66},
    // 0F 12/16: the memory form is MOVLPS/MOVHPS, the register form MOVHLPS/MOVLHPS; the 66 forms
    // (MOVLPD/MOVHPD) exist for memory only.
    {"movlps Vq,Mq", 1, 0x12, 1, -1, MM, bind_only<movhl_load<false, true>>, X, N, pfx::kNP},
    {"movhlps Vq,Uq", 1, 0x12, 1, -1, MR, bind_only<movhl_load<false, false>>, X, N, pfx::kNP},
    {"movlpd Vq,Mq", 1, 0x12, 1, -1, MM, bind_only<movhl_load<false, true>>, X, N, pfx::k66},
    {"movlps Mq,Vq", 1, 0x13, 1, -1, MM, bind_only<movhl_store<false>>, X, N, pfx::kNP},
    {"movlpd Mq,Vq", 1, 0x13, 1, -1, MM, bind_only<movhl_store<false>>, X, N, pfx::k66},
    {"movhps Vq,Mq", 1, 0x16, 1, -1, MM, bind_only<movhl_load<true, true>>, X, N, pfx::kNP},
    {"movlhps Vq,Uq", 1, 0x16, 1, -1, MR, bind_only<movhl_load<true, false>>, X, N, pfx::kNP},
    {"movhpd Vq,Mq", 1, 0x16, 1, -1, MM, bind_only<movhl_load<true, true>>, X, N, pfx::k66},
    {"movhps Mq,Vq", 1, 0x17, 1, -1, MM, bind_only<movhl_store<true>>, X, N, pfx::kNP},
    {"movhpd Mq,Vq", 1, 0x17, 1, -1, MM, bind_only<movhl_store<true>>, X, N, pfx::k66},
    {"movntps Mps,Vps", 1, 0x2B, 1, -1, MM, bind_only<movnt>, X, N, pfx::kNP},
    {"movntpd Mpd,Vpd", 1, 0x2B, 1, -1, MM, bind_only<movnt>, X, N, pfx::k66},
    {"lfence", 1, 0xAE, 1, 5, MR, bind_only<nop>, X, N, pfx::kNP},
    {"mfence", 1, 0xAE, 1, 6, MR, bind_only<nop>, X, N, pfx::kNP},
    {"sfence", 1, 0xAE, 1, 7, MR, bind_only<nop>, X, N, pfx::kNP},
    {"clflush Mb", 1, 0xAE, 1, 7, MM, bind_only<clflush>, X, N, pfx::kNP},
};

}  // namespace

std::span<const OpcodeRow> sse_shuffle_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
