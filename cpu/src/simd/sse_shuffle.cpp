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

template <template <class, bool, bool> class H>
Handler by_prefix4(const DecodeView& v) {
  switch (v.mandatory) {
    case 0: return v.mem ? &H<sf::F32, false, true>::run : &H<sf::F32, false, false>::run;
    case 0xF3: return v.mem ? &H<sf::F32, true, true>::run : &H<sf::F32, true, false>::run;
    case 0x66: return v.mem ? &H<sf::F64, false, true>::run : &H<sf::F64, false, false>::run;
    case 0xF2: return v.mem ? &H<sf::F64, true, true>::run : &H<sf::F64, true, false>::run;
    default: return nullptr;
  }
}
template <class F, bool S, bool M>
struct CmpH {
  static Exec run(Context& c, const Insn& i) { return cmp<F, S, M>(c, i); }
};
Handler bind_cmp(const DecodeView& v, Insn&) { return by_prefix4<CmpH>(v); }

template <bool Quiet>
Handler bind_comi(const DecodeView& v, Insn&) {
  if (v.mandatory == 0) return v.mem ? &comi<sf::F32, Quiet, true> : &comi<sf::F32, Quiet, false>;
  if (v.mandatory == 0x66) return v.mem ? &comi<sf::F64, Quiet, true> : &comi<sf::F64, Quiet, false>;
  return nullptr;
}
// Packed-only forms: none = PS (u32 lanes), 66 = PD (u64 lanes).
template <template <class, bool> class H>
Handler ps_pd(const DecodeView& v) {
  if (v.mandatory == 0) return v.mem ? &H<u32, true>::run : &H<u32, false>::run;
  if (v.mandatory == 0x66) return v.mem ? &H<u64, true>::run : &H<u64, false>::run;
  return nullptr;
}
template <class B, bool M>
struct ShufH {
  static Exec run(Context& c, const Insn& i) { return shuf<B, M>(c, i); }
};
template <class B, bool M>
struct UnpckLoH {
  static Exec run(Context& c, const Insn& i) { return unpck<B, false, M>(c, i); }
};
template <class B, bool M>
struct UnpckHiH {
  static Exec run(Context& c, const Insn& i) { return unpck<B, true, M>(c, i); }
};
Handler bind_shuf(const DecodeView& v, Insn&) { return ps_pd<ShufH>(v); }
Handler bind_unpcklo(const DecodeView& v, Insn&) { return ps_pd<UnpckLoH>(v); }
Handler bind_unpckhi(const DecodeView& v, Insn&) { return ps_pd<UnpckHiH>(v); }
Handler bind_movmsk(const DecodeView& v, Insn&) {
  return v.mandatory == 0 ? &movmsk<u32> : v.mandatory == 0x66 ? &movmsk<u64> : nullptr;
}
// 66 (MOVLPD/MOVHPD) has only the memory form.
template <bool High>
Handler bind_movhl_load(const DecodeView& v, Insn&) {
  if (v.mandatory == 0) return v.mem ? &movhl_load<High, true> : &movhl_load<High, false>;
  if (v.mandatory == 0x66 && v.mem) return &movhl_load<High, true>;
  return nullptr;
}
template <bool High>
Handler bind_movhl_store(const DecodeView& v, Insn&) {
  return v.mandatory == 0 || v.mandatory == 0x66 ? &movhl_store<High> : nullptr;
}
template <Handler H, bool Allow66>
Handler plain(const DecodeView& v, Insn&) {
  return v.mandatory == 0 || (Allow66 && v.mandatory == 0x66) ? H : nullptr;
}

constexpr u16 M = row_flag::kModRM;
constexpr u16 MM = M | row_flag::kMemOnly;
constexpr u16 MR = M | row_flag::kRegOnly;

constexpr OpcodeRow kRows[] = {
    {"cmpps/ss/pd/sd", 1, 0xC2, 1, -1, M, bind_cmp, OpClass::kSse, fx::kNone},
    {"ucomiss/ucomisd", 1, 0x2E, 1, -1, M, bind_comi<true>, OpClass::kSse, fx::kArith},
    {"comiss/comisd", 1, 0x2F, 1, -1, M, bind_comi<false>, OpClass::kSse, fx::kArith},
    {"shufps/shufpd", 1, 0xC6, 1, -1, M, bind_shuf, OpClass::kSse, fx::kNone},
    {"unpcklps/unpcklpd", 1, 0x14, 1, -1, M, bind_unpcklo, OpClass::kSse, fx::kNone},
    {"unpckhps/unpckhpd", 1, 0x15, 1, -1, M, bind_unpckhi, OpClass::kSse, fx::kNone},
    {"movmskps/movmskpd", 1, 0x50, 1, -1, MR, bind_movmsk, OpClass::kSse, fx::kNone},
    {"movlps/movhlps/movlpd", 1, 0x12, 1, -1, M, bind_movhl_load<false>, OpClass::kSse, fx::kNone},
    {"movlps/movlpd store", 1, 0x13, 1, -1, MM, bind_movhl_store<false>, OpClass::kSse, fx::kNone},
    {"movhps/movlhps/movhpd", 1, 0x16, 1, -1, M, bind_movhl_load<true>, OpClass::kSse, fx::kNone},
    {"movhps/movhpd store", 1, 0x17, 1, -1, MM, bind_movhl_store<true>, OpClass::kSse, fx::kNone},
    {"movntps/movntpd", 1, 0x2B, 1, -1, MM, plain<movnt, true>, OpClass::kSse, fx::kNone},
    {"lfence", 1, 0xAE, 1, 5, MR, plain<nop, false>, OpClass::kSse, fx::kNone},
    {"mfence", 1, 0xAE, 1, 6, MR, plain<nop, false>, OpClass::kSse, fx::kNone},
    {"sfence", 1, 0xAE, 1, 7, MR, plain<nop, false>, OpClass::kSse, fx::kNone},
    {"clflush", 1, 0xAE, 1, 7, MM, plain<clflush, false>, OpClass::kSse, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> sse_shuffle_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
