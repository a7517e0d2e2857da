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

template <bool Load, bool Mem>
Handler pick_mov(u8 mandatory) {
  switch (mandatory) {
    case 0:
    case 0x66: return Load ? &xmm_load<false, Mem> : &xmm_store<false, Mem>;
    case 0xF3: return Load ? &movs_load<u32, Mem> : &movs_store<u32, Mem>;
    case 0xF2: return Load ? &movs_load<u64, Mem> : &movs_store<u64, Mem>;
    default: return nullptr;
  }
}
template <bool Load>
Handler bind_movu(const DecodeView& v, Insn&) {
  return v.mem ? pick_mov<Load, true>(v.mandatory) : pick_mov<Load, false>(v.mandatory);
}
template <bool Load>
Handler bind_mova(const DecodeView& v, Insn&) {
  if (v.mandatory != 0 && v.mandatory != 0x66) return nullptr;
  if (Load) return v.mem ? &xmm_load<true, true> : &xmm_load<true, false>;
  return v.mem ? &xmm_store<true, true> : &xmm_store<true, false>;
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
template <class Op>
Handler bind_logic(const DecodeView& v, Insn&) {
  if (v.mandatory != 0 && v.mandatory != 0x66) return nullptr;
  return v.mem ? &logic<Op, true> : &logic<Op, false>;
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
template <Handler H>
Handler no_prefix(const DecodeView& v, Insn&) {
  return v.mandatory == 0 ? H : nullptr;
}

constexpr u16 M = row_flag::kModRM;
constexpr u16 MM = M | row_flag::kMemOnly;

constexpr OpcodeRow kRows[] = {
    {"movups/movss/movupd/movsd V,W", 1, 0x10, 1, -1, M, bind_movu<true>, OpClass::kSse, fx::kNone},
    {"movups/movss/movupd/movsd W,V", 1, 0x11, 1, -1, M, bind_movu<false>, OpClass::kSse, fx::kNone},
    {"movaps/movapd V,W", 1, 0x28, 1, -1, M, bind_mova<true>, OpClass::kSse, fx::kNone},
    {"movaps/movapd W,V", 1, 0x29, 1, -1, M, bind_mova<false>, OpClass::kSse, fx::kNone},
    {"andps/andpd", 1, 0x54, 1, -1, M, bind_logic<And>, OpClass::kSse, fx::kNone},
    {"andnps/andnpd", 1, 0x55, 1, -1, M, bind_logic<AndN>, OpClass::kSse, fx::kNone},
    {"orps/orpd", 1, 0x56, 1, -1, M, bind_logic<Or>, OpClass::kSse, fx::kNone},
    {"xorps/xorpd", 1, 0x57, 1, -1, M, bind_logic<Xor>, OpClass::kSse, fx::kNone},
    {"ldmxcsr", 1, 0xAE, 1, 2, MM, no_prefix<ldmxcsr>, OpClass::kSse, fx::kNone},
    {"stmxcsr", 1, 0xAE, 1, 3, MM, no_prefix<stmxcsr>, OpClass::kSse, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> sse_move_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
