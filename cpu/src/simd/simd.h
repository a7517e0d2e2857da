// Shared pieces of the MMX/SSE/SSE2 units: the MMX prologue and register aliasing onto the x87
// registers, lane-wise helpers, and the binders and row macro of the MMX/SSE2 lane operations.
//
// MMX registers are the significands of the x87 physical registers R0..R7 (SDM Vol. 1 9.5):
// every MMX instruction except EMMS sets TOP to 0 and all tags to valid, and a write to MMn sets
// bits 79:64 of Rn to all ones. Lane operations are written once over a 64-bit half so the
// 128-bit SSE2 integer forms can apply the same function to each half.
#pragma once
#include <limits>
#include <type_traits>

#include "../context.h"
#include "../decode/opcode_table.h"
#include "../fpu/x87_core.h"

namespace pcjit::cpu::simd {

// MMX prologue (SDM Vol. 3A Table 2-2 and Vol. 2
// "Numeric exceptions" of each MMX instruction):
// CR0.EM -> #UD, CR0.TS -> #NM, a pending unmasked x87 exception -> #MF (FERR# when CR0.NE=0).
inline Exec mmx_begin(Context& c) {
  if (c.s.cr0 & cr0::EM) return c.raise_ud();
  return x87::begin(c, true);
}
inline u64 mm(const Context& c, unsigned r) { return c.s.fpu.r[r & 7].mant; }
// The x87 side effects of an MMX instruction, applied once its operands were fetched.
inline void mmx_touch(Context& c) {
  x87::set_top(c.s.fpu, 0);
  c.s.fpu.valid = 0xFF;
}
inline void set_mm(Context& c, unsigned r, u64 v) {
  c.s.fpu.r[r & 7].mant = v;
  c.s.fpu.r[r & 7].se = 0xFFFF;
}

// ---- lanes ----------------------------------------------------------------------------------
template <class L>
constexpr L lane(u64 v, unsigned k) {
  return static_cast<L>(v >> (k * 8 * sizeof(L)));
}
template <class L>
constexpr u64 put_lane(u64 acc, unsigned k, L x) {
  using U = std::make_unsigned_t<L>;
  return acc | (u64{static_cast<U>(x)} << (k * 8 * sizeof(L)));
}
// r[k] = F::f(a[k], b[k]) for every lane of type L in a 64-bit half.
template <class L, class F>
constexpr u64 map2(u64 a, u64 b) {
  u64 r = 0;
  for (unsigned k = 0; k < 8 / sizeof(L); ++k) r = put_lane<L>(r, k, F::template f<L>(lane<L>(a, k), lane<L>(b, k)));
  return r;
}
// Saturation to L's range (SDM Vol. 1 4.6.2: saturation arithmetic).
template <class L>
constexpr L saturate(i64 v) {
  constexpr i64 lo = std::numeric_limits<L>::min(), hi = std::numeric_limits<L>::max();
  return static_cast<L>(v < lo ? lo : v > hi ? hi : v);
}

// A 128-bit XMM value as two halves (low first).
struct X128 {
  u64 lo = 0, hi = 0;
};

// SSE prologue (SDM Vol. 3A Table 2-2): CR0.EM or CR4.OSFXSR=0 -> #UD, CR0.TS -> #NM.
inline Exec sse_begin(Context& c) {
  if ((c.s.cr0 & cr0::EM) || !(c.s.cr4 & cr4::OSFXSR)) return c.raise_ud();
  if (c.s.cr0 & cr0::TS) return c.raise(vec::NM);
  return Exec::Ok;
}
inline X128 xmm(const Context& c, unsigned r) { return {c.s.xmm[r & 7][0], c.s.xmm[r & 7][1]}; }
inline void set_xmm(Context& c, unsigned r, X128 v) {
  c.s.xmm[r & 7][0] = v.lo;
  c.s.xmm[r & 7][1] = v.hi;
}
template <bool Aligned>
Exec read_m128(Context& c, const Insn& i, X128& v) {
  const u32 off = c.ea(i);
  if (Aligned && ((c.s.seg[i.seg].base + off) & 15)) return c.raise_gp(0);
  u64 lo, hi;
  PCJIT_TRY(c.read<u64>(i.seg, off, lo));
  PCJIT_TRY(c.read<u64>(i.seg, off + 8, hi));
  v = {lo, hi};
  return Exec::Ok;
}

// The SSE2 128-bit form of a 64-bit-half operation: each half on its own unless the operation
// crosses halves (packs, unpacks, shift counts) and says so with its own apply128.
template <class Op>
X128 apply128(X128 a, X128 b) {
  if constexpr (requires { Op::apply128(a, b); }) return Op::apply128(a, b);
  else return {Op::apply(a.lo, b.lo), Op::apply(a.hi, b.hi)};
}

// An operation on two 64-bit halves; Op::apply(dst, src). kSrc32: the MMX memory source is 32
// bits (PUNPCKL*, SDM Vol. 2 PUNPCKLBW: "mm/m32").
template <class Op, bool Mem>
Exec mmx_op(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  u64 b;
  if constexpr (Mem) {
    if constexpr (requires { Op::kSrc32; }) {
      u32 b32;
      PCJIT_TRY(c.read<u32>(i.seg, c.ea(i), b32));
      b = b32;
    } else {
      PCJIT_TRY(c.read<u64>(i.seg, c.ea(i), b));
    }
  } else {
    b = mm(c, i.rm);
  }
  set_mm(c, i.reg, Op::apply(mm(c, i.reg), b));
  mmx_touch(c);
  return Exec::Ok;
}

template <class Op, bool Mem>
Exec xmm_op(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  X128 b;
  if constexpr (Mem) PCJIT_TRY(read_m128<true>(c, i, b));
  else b = xmm(c, i.rm);
  set_xmm(c, i.reg, apply128<Op>(xmm(c, i.reg), b));
  return Exec::Ok;
}

// Binders. The mandatory prefix has already chosen the row (opcode_table.h), so a binder only
// picks the register or memory form: bind_mmx the MMX form of a lane operation (NP 0F op),
// bind_xmm its SSE2 form on XMM registers (66 0F op).
template <class Op>
Handler bind_mmx(const DecodeView& v, Insn&) {
  return v.mem ? &mmx_op<Op, true> : &mmx_op<Op, false>;
}
template <class Op>
Handler bind_xmm(const DecodeView& v, Insn&) {
  return v.mem ? &xmm_op<Op, true> : &xmm_op<Op, false>;
}
template <Handler Reg, Handler Mem>
Handler bind_forms(const DecodeView& v, Insn&) {
  return v.mem ? Mem : Reg;
}
// For rows with one form only (kRegOnly or kMemOnly).
template <Handler H>
Handler bind_only(const DecodeView&, Insn&) {
  return H;
}

// A lane operation in both its forms: "name Pq,Qq" (NP 0F op, MMX) and "name Vdq,Wdq" (66 0F op,
// SSE2), the same operation applied to each 64-bit half of an XMM register.
#define PCJIT_MMX_SSE2_ROWS(name, opcode, ...)                                                         \
  {name " Pq,Qq", 1, opcode, 1, -1, row_flag::kModRM, bind_mmx<__VA_ARGS__>, OpClass::kMmx, fx::kNone, pfx::kNP}, \
  {name " Vdq,Wdq", 1, opcode, 1, -1, row_flag::kModRM, bind_xmm<__VA_ARGS__>, OpClass::kSse, fx::kNone, pfx::k66}

std::span<const OpcodeRow> mmx_arith_rows();
std::span<const OpcodeRow> mmx_pack_shift_rows();
std::span<const OpcodeRow> mmx_move_rows();

}  // namespace pcjit::cpu::simd
