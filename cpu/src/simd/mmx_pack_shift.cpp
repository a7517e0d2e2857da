// MMX packs, unpacks and shifts (SDM Vol. 2 PACKSS*/PACKUSWB, PUNPCK*, PSLL/PSRL/PSRA). The
// shift count is the whole 64-bit source (register/memory form) or imm8; counts beyond the lane
// width clear the lane (logical) or fill it with the sign (arithmetic). Rows come in pairs, the
// MMX form (NP) and the SSE2 XMM form (66), plus the SSE2-only PSRLDQ/PSLLDQ/PUNPCK*QDQ.
#include "simd.h"

namespace pcjit::cpu::simd {
namespace {

// PACKSS/PACKUS: the narrowed lanes of dst fill the low half, those of src the high half.
template <class From, class To>
struct Pack {
  static constexpr u64 apply(u64 a, u64 b) {
    constexpr unsigned n = 8 / sizeof(From);
    u64 r = 0;
    for (unsigned k = 0; k < n; ++k) {
      r = put_lane<To>(r, k, saturate<To>(lane<From>(a, k)));
      r = put_lane<To>(r, k + n, saturate<To>(lane<From>(b, k)));
    }
    return r;
  }
  // 128-bit: the low half is dst packed, the high half src packed.
  static constexpr X128 apply128(X128 a, X128 b) { return {apply(a.lo, a.hi), apply(b.lo, b.hi)}; }
};
// PUNPCKL/H: interleave the lanes of one half of dst and src, dst first.
template <class L, bool High>
struct Unpack {
  static constexpr u64 apply(u64 a, u64 b) {
    constexpr unsigned n = 4 / sizeof(L);
    u64 r = 0;
    for (unsigned k = 0; k < n; ++k) {
      r = put_lane<L>(r, 2 * k, lane<L>(a, k + (High ? n : 0)));
      r = put_lane<L>(r, 2 * k + 1, lane<L>(b, k + (High ? n : 0)));
    }
    return r;
  }
  // 128-bit: interleave the low (or high) halves of both into a full register.
  static constexpr X128 apply128(X128 a, X128 b) {
    const u64 x = High ? a.hi : a.lo, y = High ? b.hi : b.lo;
    return {Unpack<L, false>::apply(x, y), Unpack<L, true>::apply(x, y)};
  }
};
// PUNPCKLQDQ/PUNPCKHQDQ (SSE2 only).
template <bool High>
struct UnpackQdq {
  static constexpr u64 apply(u64 a, u64) { return a; }  // no MMX form (the binder refuses it)
  static constexpr X128 apply128(X128 a, X128 b) { return High ? X128{a.hi, b.hi} : X128{a.lo, b.lo}; }
};
template <class L>
struct UnpackLow : Unpack<L, false> {
  static constexpr bool kSrc32 = true;
};

enum class Shift { Left, Right, Arith };
template <class L, Shift S>
constexpr u64 shift(u64 a, u64 count) {
  constexpr unsigned w = 8 * sizeof(L);
  if (count >= w) {
    if constexpr (S != Shift::Arith) return 0;
    count = w - 1;
  }
  u64 r = 0;
  for (unsigned k = 0; k < 8 / sizeof(L); ++k) {
    L x = lane<L>(a, k);
    L y;
    if constexpr (S == Shift::Left) y = static_cast<L>(x << count);
    else if constexpr (S == Shift::Right) y = static_cast<L>(x >> count);
    else y = static_cast<L>(static_cast<std::make_signed_t<L>>(x) >> count);
    r = put_lane<L>(r, k, y);
  }
  return r;
}
template <class L, Shift S>
struct ShiftBy {
  static constexpr u64 apply(u64 a, u64 b) { return shift<L, S>(a, b); }
  // 128-bit: the count is the low quadword of the source.
  static constexpr X128 apply128(X128 a, X128 b) { return {shift<L, S>(a.lo, b.lo), shift<L, S>(a.hi, b.lo)}; }
};
// The imm8 group forms (0F 71/72/73 /2,/4,/6): the register is ModRM.rm.
template <class L, Shift S>
Exec shift_imm(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  set_mm(c, i.rm, shift<L, S>(mm(c, i.rm), i.imm & 0xFF));
  mmx_touch(c);
  return Exec::Ok;
}
template <class L, Shift S>
Exec shift_imm_xmm(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const X128 a = xmm(c, i.rm);
  const u64 n = i.imm & 0xFF;
  set_xmm(c, i.rm, {shift<L, S>(a.lo, n), shift<L, S>(a.hi, n)});
  return Exec::Ok;
}
// PSRLDQ/PSLLDQ (66 0F 73 /3, /7): the whole register by imm8 bytes (> 15: zero).
template <bool Left>
Exec byte_shift(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const X128 a = xmm(c, i.rm);
  const unsigned n = i.imm & 0xFF;
  u8 in[16], out[16] = {};
  for (unsigned k = 0; k < 8; ++k) {
    in[k] = static_cast<u8>(a.lo >> (8 * k));
    in[k + 8] = static_cast<u8>(a.hi >> (8 * k));
  }
  for (unsigned k = 0; k < 16; ++k) {
    const unsigned from = Left ? k - n : k + n;  // unsigned wrap puts out-of-range above 15
    if (n < 16 && from < 16) out[k] = in[from];
  }
  X128 r;
  for (unsigned k = 0; k < 8; ++k) {
    r.lo |= u64{out[k]} << (8 * k);
    r.hi |= u64{out[k + 8]} << (8 * k);
  }
  set_xmm(c, i.rm, r);
  return Exec::Ok;
}
static_assert(Pack<i16, i8>::apply(0x8000'7FFF'0080'FF7Full, 0) == 0x80'7F'7F'80ull);
static_assert(Pack<i16, u8>::apply(0x0100'FFFF'00FF'0001ull, 0) == 0xFF'00'FF'01ull);
static_assert(Unpack<u8, false>::apply(0x0706050403020100ull, 0x1716151413121110ull) == 0x1303120211011000ull);
static_assert(shift<u16, Shift::Arith>(0x8000'0001'7FFF'FFFFull, 20) == 0xFFFF'0000'0000'FFFFull);

constexpr u16 M = row_flag::kModRM;
constexpr u16 MR = M | row_flag::kRegOnly;
constexpr OpClass X = OpClass::kSse;

#define PCJIT_SHIFT_IMM_ROWS(name, opcode, ext, L, S)                                                       \
  {name " Nq,Ib", 1, opcode, 1, ext, MR, bind_only<shift_imm<L, S>>, OpClass::kMmx, fx::kNone, pfx::kNP},   \
  {name " Udq,Ib", 1, opcode, 1, ext, MR, bind_only<shift_imm_xmm<L, S>>, X, fx::kNone, pfx::k66}

constexpr OpcodeRow kRows[] = {
    PCJIT_MMX_SSE2_ROWS("packsswb", 0x63, Pack<i16, i8>),
    PCJIT_MMX_SSE2_ROWS("packssdw", 0x6B, Pack<i32, i16>),
    PCJIT_MMX_SSE2_ROWS("packuswb", 0x67, Pack<i16, u8>),
    PCJIT_MMX_SSE2_ROWS("punpcklbw", 0x60, UnpackLow<u8>),
    PCJIT_MMX_SSE2_ROWS("punpcklwd", 0x61, UnpackLow<u16>),
    PCJIT_MMX_SSE2_ROWS("punpckldq", 0x62, UnpackLow<u32>),
    PCJIT_MMX_SSE2_ROWS("punpckhbw", 0x68, Unpack<u8, true>),
    PCJIT_MMX_SSE2_ROWS("punpckhwd", 0x69, Unpack<u16, true>),
    PCJIT_MMX_SSE2_ROWS("punpckhdq", 0x6A, Unpack<u32, true>),
    PCJIT_MMX_SSE2_ROWS("psrlw", 0xD1, ShiftBy<u16, Shift::Right>),
    PCJIT_MMX_SSE2_ROWS("psrld", 0xD2, ShiftBy<u32, Shift::Right>),
    PCJIT_MMX_SSE2_ROWS("psrlq", 0xD3, ShiftBy<u64, Shift::Right>),
    PCJIT_MMX_SSE2_ROWS("psraw", 0xE1, ShiftBy<u16, Shift::Arith>),
    PCJIT_MMX_SSE2_ROWS("psrad", 0xE2, ShiftBy<u32, Shift::Arith>),
    PCJIT_MMX_SSE2_ROWS("psllw", 0xF1, ShiftBy<u16, Shift::Left>),
    PCJIT_MMX_SSE2_ROWS("pslld", 0xF2, ShiftBy<u32, Shift::Left>),
    PCJIT_MMX_SSE2_ROWS("psllq", 0xF3, ShiftBy<u64, Shift::Left>),
    // Shifts by imm8 (0F 71/72/73, register form only): NP on an MMX register, 66 on an XMM one.
    PCJIT_SHIFT_IMM_ROWS("psrlw", 0x71, 2, u16, Shift::Right),
    PCJIT_SHIFT_IMM_ROWS("psraw", 0x71, 4, u16, Shift::Arith),
    PCJIT_SHIFT_IMM_ROWS("psllw", 0x71, 6, u16, Shift::Left),
    PCJIT_SHIFT_IMM_ROWS("psrld", 0x72, 2, u32, Shift::Right),
    PCJIT_SHIFT_IMM_ROWS("psrad", 0x72, 4, u32, Shift::Arith),
    PCJIT_SHIFT_IMM_ROWS("pslld", 0x72, 6, u32, Shift::Left),
    PCJIT_SHIFT_IMM_ROWS("psrlq", 0x73, 2, u64, Shift::Right),
    PCJIT_SHIFT_IMM_ROWS("psllq", 0x73, 6, u64, Shift::Left),
    // SSE2 only: byte shifts of the whole register, and the quadword unpacks.
    {"psrldq Udq,Ib", 1, 0x73, 1, 3, MR, bind_only<byte_shift<false>>, X, fx::kNone, pfx::k66},
    {"pslldq Udq,Ib", 1, 0x73, 1, 7, MR, bind_only<byte_shift<true>>, X, fx::kNone, pfx::k66},
    {"punpcklqdq Vdq,Wdq", 1, 0x6C, 1, -1, M, bind_xmm<UnpackQdq<false>>, X, fx::kNone, pfx::k66},
    {"punpckhqdq Vdq,Wdq", 1, 0x6D, 1, -1, M, bind_xmm<UnpackQdq<true>>, X, fx::kNone, pfx::k66},
};

}  // namespace

#undef PCJIT_SHIFT_IMM_ROWS

std::span<const OpcodeRow> mmx_pack_shift_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
