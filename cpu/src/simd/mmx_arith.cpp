// MMX lane arithmetic (SDM Vol. 2 PADD*/PSUB*/PCMP*/PMUL*/PMADDWD/logic) and the SSE integer
// extensions that work on MMX registers (PAVG*, PMIN*/PMAX*, PMULHUW, PSADBW) plus SSE2's
// PADDQ/PSUBQ/PMULUDQ on MMX registers. Each is a lane functor; the lane type chooses
// signed/unsigned saturation, so "PADDSB" is just AddSat over i8. Every operation has two rows:
// the MMX form (NP) and the SSE2 form on XMM registers (66), the functor applied to each half.
#include "simd.h"

namespace pcjit::cpu::simd {
namespace {

struct Add { template <class L> static constexpr L f(L x, L y) { return static_cast<L>(x + y); } };
struct Sub { template <class L> static constexpr L f(L x, L y) { return static_cast<L>(x - y); } };
struct AddSat { template <class L> static constexpr L f(L x, L y) { return saturate<L>(i64{x} + i64{y}); } };
struct SubSat { template <class L> static constexpr L f(L x, L y) { return saturate<L>(i64{x} - i64{y}); } };
struct CmpEq { template <class L> static constexpr L f(L x, L y) { return x == y ? static_cast<L>(~L{0}) : L{0}; } };
struct CmpGt { template <class L> static constexpr L f(L x, L y) { return x > y ? static_cast<L>(~L{0}) : L{0}; } };
struct MulLo { template <class L> static constexpr L f(L x, L y) { return static_cast<L>(i64{x} * i64{y}); } };
struct MulHi {
  template <class L> static constexpr L f(L x, L y) { return static_cast<L>((i64{x} * i64{y}) >> (8 * sizeof(L))); }
};
struct Avg { template <class L> static constexpr L f(L x, L y) { return static_cast<L>((u32{x} + u32{y} + 1) >> 1); } };
struct Min { template <class L> static constexpr L f(L x, L y) { return x < y ? x : y; } };
struct Max { template <class L> static constexpr L f(L x, L y) { return x > y ? x : y; } };

template <class L, class F>
struct Lanes {
  static constexpr u64 apply(u64 a, u64 b) { return map2<L, F>(a, b); }
};
struct And { static constexpr u64 apply(u64 a, u64 b) { return a & b; } };
struct AndN { static constexpr u64 apply(u64 a, u64 b) { return ~a & b; } };
struct Or { static constexpr u64 apply(u64 a, u64 b) { return a | b; } };
struct Xor { static constexpr u64 apply(u64 a, u64 b) { return a ^ b; } };
// PMADDWD: each dword = a0*b0 + a1*b1 of its two signed words (wraps only for 8000H^4).
struct MaddWd {
  static constexpr u64 apply(u64 a, u64 b) {
    u64 r = 0;
    for (unsigned k = 0; k < 2; ++k) {
      i64 s = i64{lane<i16>(a, 2 * k)} * lane<i16>(b, 2 * k) + i64{lane<i16>(a, 2 * k + 1)} * lane<i16>(b, 2 * k + 1);
      r = put_lane<u32>(r, k, static_cast<u32>(s));
    }
    return r;
  }
};
// PSADBW: sum of absolute byte differences in the low word, upper bits zero.
struct SadBw {
  static constexpr u64 apply(u64 a, u64 b) {
    u32 s = 0;
    for (unsigned k = 0; k < 8; ++k) {
      int d = int{lane<u8>(a, k)} - int{lane<u8>(b, k)};
      s += static_cast<u32>(d < 0 ? -d : d);
    }
    return s;
  }
};
// PMULUDQ: unsigned product of the low dwords.
struct MulUdq {
  static constexpr u64 apply(u64 a, u64 b) { return u64{static_cast<u32>(a)} * static_cast<u32>(b); }
};

static_assert(Lanes<i8, AddSat>::apply(0x7F, 0x01) == 0x7F);
static_assert(Lanes<u8, SubSat>::apply(0x01, 0x02) == 0x00);
static_assert(Lanes<i16, MulHi>::apply(0x4000, 0x4000) == 0x1000);

constexpr u16 M = row_flag::kModRM;

constexpr OpcodeRow kRows[] = {
    PCJIT_MMX_SSE2_ROWS("paddb", 0xFC, Lanes<u8, Add>),
    PCJIT_MMX_SSE2_ROWS("paddw", 0xFD, Lanes<u16, Add>),
    PCJIT_MMX_SSE2_ROWS("paddd", 0xFE, Lanes<u32, Add>),
    PCJIT_MMX_SSE2_ROWS("paddq", 0xD4, Lanes<u64, Add>),
    PCJIT_MMX_SSE2_ROWS("psubb", 0xF8, Lanes<u8, Sub>),
    PCJIT_MMX_SSE2_ROWS("psubw", 0xF9, Lanes<u16, Sub>),
    PCJIT_MMX_SSE2_ROWS("psubd", 0xFA, Lanes<u32, Sub>),
    PCJIT_MMX_SSE2_ROWS("psubq", 0xFB, Lanes<u64, Sub>),
    PCJIT_MMX_SSE2_ROWS("paddsb", 0xEC, Lanes<i8, AddSat>),
    PCJIT_MMX_SSE2_ROWS("paddsw", 0xED, Lanes<i16, AddSat>),
    PCJIT_MMX_SSE2_ROWS("paddusb", 0xDC, Lanes<u8, AddSat>),
    PCJIT_MMX_SSE2_ROWS("paddusw", 0xDD, Lanes<u16, AddSat>),
    PCJIT_MMX_SSE2_ROWS("psubsb", 0xE8, Lanes<i8, SubSat>),
    PCJIT_MMX_SSE2_ROWS("psubsw", 0xE9, Lanes<i16, SubSat>),
    PCJIT_MMX_SSE2_ROWS("psubusb", 0xD8, Lanes<u8, SubSat>),
    PCJIT_MMX_SSE2_ROWS("psubusw", 0xD9, Lanes<u16, SubSat>),
    PCJIT_MMX_SSE2_ROWS("pcmpeqb", 0x74, Lanes<u8, CmpEq>),
    PCJIT_MMX_SSE2_ROWS("pcmpeqw", 0x75, Lanes<u16, CmpEq>),
    PCJIT_MMX_SSE2_ROWS("pcmpeqd", 0x76, Lanes<u32, CmpEq>),
    PCJIT_MMX_SSE2_ROWS("pcmpgtb", 0x64, Lanes<i8, CmpGt>),
    PCJIT_MMX_SSE2_ROWS("pcmpgtw", 0x65, Lanes<i16, CmpGt>),
    PCJIT_MMX_SSE2_ROWS("pcmpgtd", 0x66, Lanes<i32, CmpGt>),
    PCJIT_MMX_SSE2_ROWS("pmullw", 0xD5, Lanes<i16, MulLo>),
    PCJIT_MMX_SSE2_ROWS("pmulhw", 0xE5, Lanes<i16, MulHi>),
    PCJIT_MMX_SSE2_ROWS("pmulhuw", 0xE4, Lanes<u16, MulHi>),
    PCJIT_MMX_SSE2_ROWS("pmaddwd", 0xF5, MaddWd),
    PCJIT_MMX_SSE2_ROWS("pmuludq", 0xF4, MulUdq),
    PCJIT_MMX_SSE2_ROWS("pand", 0xDB, And),
    PCJIT_MMX_SSE2_ROWS("pandn", 0xDF, AndN),
    PCJIT_MMX_SSE2_ROWS("por", 0xEB, Or),
    PCJIT_MMX_SSE2_ROWS("pxor", 0xEF, Xor),
    PCJIT_MMX_SSE2_ROWS("pavgb", 0xE0, Lanes<u8, Avg>),
    PCJIT_MMX_SSE2_ROWS("pavgw", 0xE3, Lanes<u16, Avg>),
    PCJIT_MMX_SSE2_ROWS("pminub", 0xDA, Lanes<u8, Min>),
    PCJIT_MMX_SSE2_ROWS("pmaxub", 0xDE, Lanes<u8, Max>),
    PCJIT_MMX_SSE2_ROWS("pminsw", 0xEA, Lanes<i16, Min>),
    PCJIT_MMX_SSE2_ROWS("pmaxsw", 0xEE, Lanes<i16, Max>),
    PCJIT_MMX_SSE2_ROWS("psadbw", 0xF6, SadBw),
};

}  // namespace

std::span<const OpcodeRow> mmx_arith_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
