// SSE/SSE2 register moves and bitwise logic (SDM Vol. 2 MOVUPS/MOVUPD, MOVSS/MOVSD, MOVAPS/MOVAPD,
// ANDPS/ANDNPS/ORPS/XORPS and their PD twins), LDMXCSR/STMXCSR. MOVSS/MOVSD from memory zero
// the rest of the register; between registers they replace only the low element.
#include "sse_common.h"

namespace pcjit::cpu::simd {
namespace {

// MOVSS (T = u32) / MOVSD (T = u64).
template <class T, bool Mem>
Exec movs_load(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  constexpr u64 low = sizeof(T) == 4 ? 0xFFFFFFFFull : ~0ull;
  if constexpr (Mem) {
    T v;
    PCJIT_TRY(c.read<T>(i.seg, c.ea(i), v));
    set_xmm(c, i.reg, X128{v, 0});
  } else {
    X128 d = xmm(c, i.reg);
    d.lo = (d.lo & ~low) | (xmm(c, i.rm).lo & low);
    set_xmm(c, i.reg, d);
  }
  return Exec::Ok;
}
template <class T, bool Mem>
Exec movs_store(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  constexpr u64 low = sizeof(T) == 4 ? 0xFFFFFFFFull : ~0ull;
  if constexpr (Mem) {
    PCJIT_TRY(c.write<T>(i.seg, c.ea(i), static_cast<T>(xmm(c, i.reg).lo)));
  } else {
    X128 d = xmm(c, i.rm);
    d.lo = (d.lo & ~low) | (xmm(c, i.reg).lo & low);
    set_xmm(c, i.rm, d);
  }
  return Exec::Ok;
}

struct And { static X128 f(X128 a, X128 b) { return {a.lo & b.lo, a.hi & b.hi}; } };
struct AndN { static X128 f(X128 a, X128 b) { return {~a.lo & b.lo, ~a.hi & b.hi}; } };
struct Or { static X128 f(X128 a, X128 b) { return {a.lo | b.lo, a.hi | b.hi}; } };
struct Xor { static X128 f(X128 a, X128 b) { return {a.lo ^ b.lo, a.hi ^ b.hi}; } };

template <class Op, bool Mem>
Exec logic(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  X128 b;
  if constexpr (Mem) PCJIT_TRY(read_m128<true>(c, i, b));
  else b = xmm(c, i.rm);
  set_xmm(c, i.reg, Op::f(xmm(c, i.reg), b));
  return Exec::Ok;
}
// LDMXCSR: reserved bits (outside MXCSR_MASK) -> #GP(0) (SDM Vol. 2 LDMXCSR).
Exec ldmxcsr(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  u32 v;
  PCJIT_TRY(c.read<u32>(i.seg, c.ea(i), v));
  if (v & ~mxcsr::kWritable) return c.raise_gp(0);
  c.s.mxcsr = v;
  return Exec::Ok;
}
Exec stmxcsr(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  return c.write<u32>(i.seg, c.ea(i), c.s.mxcsr);
}
constexpr u16 M = row_flag::kModRM;
constexpr u16 MM = M | row_flag::kMemOnly;

constexpr OpClass X = OpClass::kSse;

// Packed moves are one 128-bit move whatever the element type (MOVUPS = MOVUPD, MOVAPS = MOVAPD).
#define PCJIT_MOV_ROWS(name, opcode, pfx_, load, store)                                                \
  {name " V,W", 1, opcode, 1, -1, M, bind_forms<load<false>, load<true>>, X, fx::kNone, pfx_},        \
  {name " W,V", 1, opcode + 1, 1, -1, M, bind_forms<store<false>, store<true>>, X, fx::kNone, pfx_}
template <bool Mem> Exec movu_load(Context& c, const Insn& i) { return xmm_load<false, Mem>(c, i); }
template <bool Mem> Exec movu_store(Context& c, const Insn& i) { return xmm_store<false, Mem>(c, i); }
template <bool Mem> Exec mova_load(Context& c, const Insn& i) { return xmm_load<true, Mem>(c, i); }
template <bool Mem> Exec mova_store(Context& c, const Insn& i) { return xmm_store<true, Mem>(c, i); }
template <bool Mem> Exec movss_load(Context& c, const Insn& i) { return movs_load<u32, Mem>(c, i); }
template <bool Mem> Exec movss_store(Context& c, const Insn& i) { return movs_store<u32, Mem>(c, i); }
template <bool Mem> Exec movsd_load(Context& c, const Insn& i) { return movs_load<u64, Mem>(c, i); }
template <bool Mem> Exec movsd_store(Context& c, const Insn& i) { return movs_store<u64, Mem>(c, i); }
template <class Op>
Handler bind_logic(const DecodeView& v, Insn&) { return v.mem ? &logic<Op, true> : &logic<Op, false>; }

constexpr OpcodeRow kRows[] = {
    PCJIT_MOV_ROWS("movups", 0x10, pfx::kNP, movu_load, movu_store),
    PCJIT_MOV_ROWS("movss", 0x10, pfx::kF3, movss_load, movss_store),
    PCJIT_MOV_ROWS("movupd", 0x10, pfx::k66, movu_load, movu_store),
    PCJIT_MOV_ROWS("movsd", 0x10, pfx::kF2, movsd_load, movsd_store),
    PCJIT_MOV_ROWS("movaps", 0x28, pfx::kNP, mova_load, mova_store),
    PCJIT_MOV_ROWS("movapd", 0x28, pfx::k66, mova_load, mova_store),
    {"andps", 1, 0x54, 1, -1, M, bind_logic<And>, X, fx::kNone, pfx::kNP},
    {"andpd", 1, 0x54, 1, -1, M, bind_logic<And>, X, fx::kNone, pfx::k66},
    {"andnps", 1, 0x55, 1, -1, M, bind_logic<AndN>, X, fx::kNone, pfx::kNP},
    {"andnpd", 1, 0x55, 1, -1, M, bind_logic<AndN>, X, fx::kNone, pfx::k66},
    {"orps", 1, 0x56, 1, -1, M, bind_logic<Or>, X, fx::kNone, pfx::kNP},
    {"orpd", 1, 0x56, 1, -1, M, bind_logic<Or>, X, fx::kNone, pfx::k66},
    {"xorps", 1, 0x57, 1, -1, M, bind_logic<Xor>, X, fx::kNone, pfx::kNP},
    {"xorpd", 1, 0x57, 1, -1, M, bind_logic<Xor>, X, fx::kNone, pfx::k66},
    {"ldmxcsr Md", 1, 0xAE, 1, 2, MM, bind_only<ldmxcsr>, X, fx::kNone, pfx::kNP},
    {"stmxcsr Md", 1, 0xAE, 1, 3, MM, bind_only<stmxcsr>, X, fx::kNone, pfx::kNP},
};
#undef PCJIT_MOV_ROWS

}  // namespace

std::span<const OpcodeRow> sse_move_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
