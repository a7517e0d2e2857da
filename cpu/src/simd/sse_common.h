// What the SSE/SSE2 forms share: the prologue (SDM Vol. 3A Table 2-2 / Vol. 2 "SIMD Floating-
// Point Exceptions": CR0.EM or CR4.OSFXSR=0 -> #UD, CR0.TS -> #NM), XMM register and m128 access
// (aligned forms: #GP(0) off a 16-byte boundary), and the MXCSR environment for the soft-float
// with its report: an unmasked exception leaves the destination alone, sets the MXCSR flags and
// raises #XM (CR4.OSXMMEXCPT=1) or #UD (=0) (SDM Vol. 1 11.5.1).
#pragma once
#include "../fpu/softfloat.h"
#include "simd.h"

namespace pcjit::cpu::simd {

namespace mxcsr {
constexpr u32 kFlags = 0x3F, kMaskShift = 7, kRcShift = 13, FZ = 1u << 15, DAZ = 1u << 6;
// The bits LDMXCSR/FXRSTOR accept: the same MXCSR_MASK FXSAVE reports (DAZ included).
constexpr u32 kWritable = 0xFFFF;
}  // namespace mxcsr

// Both halves are mapped before either is stored, so a fault on the second leaves memory alone.
template <bool Aligned>
Exec write_m128(Context& c, const Insn& i, X128 v) {
  const u32 off = c.ea(i);
  if (Aligned && ((c.s.seg[i.seg].base + off) & 15)) return c.raise_gp(0);
  MemRef a, b;
  PCJIT_TRY(c.map<u64>(i.seg, off, Access::Write, a));
  PCJIT_TRY(c.map<u64>(i.seg, off + 8, Access::Write, b));
  c.store<u64>(a, v.lo);
  c.store<u64>(b, v.hi);
  return Exec::Ok;
}

// Whole-register XMM load and store (MOVAPS/MOVUPS/MOVAPD/MOVUPD/MOVDQA/MOVDQU, MOVNTDQ):
// one operation whatever the data type, since the register is just 128 bits here.
template <bool Aligned, bool Mem>
Exec xmm_load(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  X128 v;
  if constexpr (Mem) PCJIT_TRY(read_m128<Aligned>(c, i, v));
  else v = xmm(c, i.rm);
  set_xmm(c, i.reg, v);
  return Exec::Ok;
}
template <bool Aligned, bool Mem>
Exec xmm_store(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  if constexpr (Mem) PCJIT_TRY(write_m128<Aligned>(c, i, xmm(c, i.reg)));
  else set_xmm(c, i.rm, xmm(c, i.reg));
  return Exec::Ok;
}

inline sf::Env mxcsr_env(const Context& c) {
  sf::Env e;
  const u32 m = c.s.mxcsr;
  e.round = static_cast<sf::Round>((m >> mxcsr::kRcShift) & 3);
  e.masks = static_cast<u8>((m >> mxcsr::kMaskShift) & 0x3F);
  e.daz = m & mxcsr::DAZ;
  e.ftz = m & mxcsr::FZ;
  return e;
}
// Records the flags; Exec::Fault when one of them is unmasked (the caller must not store). An
// unmasked pre-computation exception (IE, DE, ZE) in any element means the post-computation ones
// (OE, UE, PE) of the other elements are not checked, so their flags stay clear (SDM Vol. 1
// 11.5.2.1).
inline Exec mxcsr_report(Context& c, const sf::Env& e) {
  constexpr u8 kPre = sf::kIE | sf::kDE | sf::kZE;
  u8 flags = e.flags;
  if (flags & ~e.masks & kPre) flags &= kPre;
  c.s.mxcsr |= flags;
  if (flags & ~e.masks & 0x3F) return c.raise((c.s.cr4 & cr4::OSXMMEXCPT) ? vec::XM : vec::UD);
  return Exec::Ok;
}

std::span<const OpcodeRow> sse_move_rows();
std::span<const OpcodeRow> sse_arith_rows();
std::span<const OpcodeRow> sse_shuffle_rows();
std::span<const OpcodeRow> sse_cvt_rows();
std::span<const OpcodeRow> sse2_move_rows();

}  // namespace pcjit::cpu::simd
