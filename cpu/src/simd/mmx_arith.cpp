// MMX lane arithmetic (SDM Vol. 2 PADD*/PSUB*/PCMP*/PMUL*/PMADDWD/logic) and the SSE integer
// extensions that work on MMX registers (PAVG*, PMIN*/PMAX*, PMULHUW, PSADBW) plus SSE2's
// PADDQ/PSUBQ/PMULUDQ on MMX registers. Each is a lane functor; the lane type chooses
// signed/unsigned saturation, so "PADDSB" is just AddSat over i8.
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
    {"paddb", 1, 0xFC, 1, -1, M, bind_mmx<Lanes<u8, Add>>, OpClass::kMmx, fx::kNone},
    {"paddw", 1, 0xFD, 1, -1, M, bind_mmx<Lanes<u16, Add>>, OpClass::kMmx, fx::kNone},
    {"paddd", 1, 0xFE, 1, -1, M, bind_mmx<Lanes<u32, Add>>, OpClass::kMmx, fx::kNone},
    {"paddq", 1, 0xD4, 1, -1, M, bind_mmx<Lanes<u64, Add>>, OpClass::kMmx, fx::kNone},
    {"psubb", 1, 0xF8, 1, -1, M, bind_mmx<Lanes<u8, Sub>>, OpClass::kMmx, fx::kNone},
    {"psubw", 1, 0xF9, 1, -1, M, bind_mmx<Lanes<u16, Sub>>, OpClass::kMmx, fx::kNone},
    {"psubd", 1, 0xFA, 1, -1, M, bind_mmx<Lanes<u32, Sub>>, OpClass::kMmx, fx::kNone},
    {"psubq", 1, 0xFB, 1, -1, M, bind_mmx<Lanes<u64, Sub>>, OpClass::kMmx, fx::kNone},
    {"paddsb", 1, 0xEC, 1, -1, M, bind_mmx<Lanes<i8, AddSat>>, OpClass::kMmx, fx::kNone},
    {"paddsw", 1, 0xED, 1, -1, M, bind_mmx<Lanes<i16, AddSat>>, OpClass::kMmx, fx::kNone},
    {"paddusb", 1, 0xDC, 1, -1, M, bind_mmx<Lanes<u8, AddSat>>, OpClass::kMmx, fx::kNone},
    {"paddusw", 1, 0xDD, 1, -1, M, bind_mmx<Lanes<u16, AddSat>>, OpClass::kMmx, fx::kNone},
    {"psubsb", 1, 0xE8, 1, -1, M, bind_mmx<Lanes<i8, SubSat>>, OpClass::kMmx, fx::kNone},
    {"psubsw", 1, 0xE9, 1, -1, M, bind_mmx<Lanes<i16, SubSat>>, OpClass::kMmx, fx::kNone},
    {"psubusb", 1, 0xD8, 1, -1, M, bind_mmx<Lanes<u8, SubSat>>, OpClass::kMmx, fx::kNone},
    {"psubusw", 1, 0xD9, 1, -1, M, bind_mmx<Lanes<u16, SubSat>>, OpClass::kMmx, fx::kNone},
    {"pcmpeqb", 1, 0x74, 1, -1, M, bind_mmx<Lanes<u8, CmpEq>>, OpClass::kMmx, fx::kNone},
    {"pcmpeqw", 1, 0x75, 1, -1, M, bind_mmx<Lanes<u16, CmpEq>>, OpClass::kMmx, fx::kNone},
    {"pcmpeqd", 1, 0x76, 1, -1, M, bind_mmx<Lanes<u32, CmpEq>>, OpClass::kMmx, fx::kNone},
    {"pcmpgtb", 1, 0x64, 1, -1, M, bind_mmx<Lanes<i8, CmpGt>>, OpClass::kMmx, fx::kNone},
    {"pcmpgtw", 1, 0x65, 1, -1, M, bind_mmx<Lanes<i16, CmpGt>>, OpClass::kMmx, fx::kNone},
    {"pcmpgtd", 1, 0x66, 1, -1, M, bind_mmx<Lanes<i32, CmpGt>>, OpClass::kMmx, fx::kNone},
    {"pmullw", 1, 0xD5, 1, -1, M, bind_mmx<Lanes<i16, MulLo>>, OpClass::kMmx, fx::kNone},
    {"pmulhw", 1, 0xE5, 1, -1, M, bind_mmx<Lanes<i16, MulHi>>, OpClass::kMmx, fx::kNone},
    {"pmulhuw", 1, 0xE4, 1, -1, M, bind_mmx<Lanes<u16, MulHi>>, OpClass::kMmx, fx::kNone},
    {"pmaddwd", 1, 0xF5, 1, -1, M, bind_mmx<MaddWd>, OpClass::kMmx, fx::kNone},
    {"pmuludq", 1, 0xF4, 1, -1, M, bind_mmx<MulUdq>, OpClass::kMmx, fx::kNone},
    {"pand", 1, 0xDB, 1, -1, M, bind_mmx<And>, OpClass::kMmx, fx::kNone},
    {"pandn", 1, 0xDF, 1, -1, M, bind_mmx<AndN>, OpClass::kMmx, fx::kNone},
    {"por", 1, 0xEB, 1, -1, M, bind_mmx<Or>, OpClass::kMmx, fx::kNone},
    {"pxor", 1, 0xEF, 1, -1, M, bind_mmx<Xor>, OpClass::kMmx, fx::kNone},
    {"pavgb", 1, 0xE0, 1, -1, M, bind_mmx<Lanes<u8, Avg>>, OpClass::kMmx, fx::kNone},
    {"pavgw", 1, 0xE3, 1, -1, M, bind_mmx<Lanes<u16, Avg>>, OpClass::kMmx, fx::kNone},
    {"pminub", 1, 0xDA, 1, -1, M, bind_mmx<Lanes<u8, Min>>, OpClass::kMmx, fx::kNone},
    {"pmaxub", 1, 0xDE, 1, -1, M, bind_mmx<Lanes<u8, Max>>, OpClass::kMmx, fx::kNone},
    {"pminsw", 1, 0xEA, 1, -1, M, bind_mmx<Lanes<i16, Min>>, OpClass::kMmx, fx::kNone},
    {"pmaxsw", 1, 0xEE, 1, -1, M, bind_mmx<Lanes<i16, Max>>, OpClass::kMmx, fx::kNone},
    {"psadbw", 1, 0xF6, 1, -1, M, bind_mmx<SadBw>, OpClass::kMmx, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> mmx_arith_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
