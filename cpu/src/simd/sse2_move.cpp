// SSE2 integer data movement on XMM registers (SDM Vol. 2 MOVD/MOVQ xmm, MOVDQA/MOVDQU,
// PSHUFD/PSHUFHW/PSHUFLW, PINSRW/PEXTRW/PMOVMSKB xmm, MOVNTDQ, MASKMOVDQU, MOVQ2DQ/MOVDQ2Q,
// MOVNTI). Most share an opcode with an MMX form (mmx_move.cpp); the mandatory prefix selects
// these rows instead.
#include "sse_common.h"

namespace pcjit::cpu::simd {
namespace {

template <bool Mem>
Exec movd_load(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  u32 v;
  if constexpr (Mem) PCJIT_TRY(c.read<u32>(i.seg, c.ea(i), v));
  else v = c.reg<u32>(i.rm);
  set_xmm(c, i.reg, {v, 0});
  return Exec::Ok;
}
template <bool Mem>
Exec movd_store(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const u32 v = static_cast<u32>(xmm(c, i.reg).lo);
  if constexpr (Mem) return c.write<u32>(i.seg, c.ea(i), v);
  c.set_reg<u32>(i.rm, v);
  return Exec::Ok;
}
// MOVQ xmm, xmm/m64 (F3 0F 7E): low quadword, upper zeroed.
template <bool Mem>
Exec movq_load(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  u64 v;
  if constexpr (Mem) PCJIT_TRY(c.read<u64>(i.seg, c.ea(i), v));
  else v = xmm(c, i.rm).lo;
  set_xmm(c, i.reg, {v, 0});
  return Exec::Ok;
}
// MOVQ xmm/m64, xmm (66 0F D6): the register form zeroes the destination's upper half.
template <bool Mem>
Exec movq_store(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const u64 v = xmm(c, i.reg).lo;
  if constexpr (Mem) return c.write<u64>(i.seg, c.ea(i), v);
  set_xmm(c, i.rm, {v, 0});
  return Exec::Ok;
}
// PSHUFD (66), PSHUFHW (F3), PSHUFLW (F2).
enum class Shuf { D, HW, LW };
template <Shuf S, bool Mem>
Exec pshuf(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  X128 s;
  if constexpr (Mem) PCJIT_TRY(read_m128<true>(c, i, s));
  else s = xmm(c, i.rm);
  X128 r = s;
  if constexpr (S == Shuf::D) {
    u32 d[4] = {static_cast<u32>(s.lo), static_cast<u32>(s.lo >> 32), static_cast<u32>(s.hi),
                static_cast<u32>(s.hi >> 32)};
    r.lo = d[i.imm & 3] | u64{d[(i.imm >> 2) & 3]} << 32;
    r.hi = d[(i.imm >> 4) & 3] | u64{d[(i.imm >> 6) & 3]} << 32;
  } else {
    u64& h = S == Shuf::HW ? r.hi : r.lo;
    const u64 src = h;
    h = 0;
    for (unsigned k = 0; k < 4; ++k) h = put_lane<u16>(h, k, lane<u16>(src, (i.imm >> (2 * k)) & 3));
  }
  set_xmm(c, i.reg, r);
  return Exec::Ok;
}
template <bool Mem>
Exec pinsrw(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  u16 w;
  if constexpr (Mem) PCJIT_TRY(c.read<u16>(i.seg, c.ea(i), w));
  else w = c.reg<u16>(i.rm);
  X128 d = xmm(c, i.reg);
  const unsigned k = i.imm & 7;
  u64& h = k < 4 ? d.lo : d.hi;
  h = (h & ~(u64{0xFFFF} << (16 * (k & 3)))) | (u64{w} << (16 * (k & 3)));
  set_xmm(c, i.reg, d);
  return Exec::Ok;
}
Exec pextrw(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const X128 s = xmm(c, i.rm);
  const unsigned k = i.imm & 7;
  c.set_reg<u32>(i.reg, lane<u16>(k < 4 ? s.lo : s.hi, k & 3));
  return Exec::Ok;
}
Exec pmovmskb(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const X128 s = xmm(c, i.rm);
  u32 m = 0;
  for (unsigned k = 0; k < 8; ++k) {
    m |= static_cast<u32>((s.lo >> (8 * k + 7)) & 1) << k;
    m |= static_cast<u32>((s.hi >> (8 * k + 7)) & 1) << (k + 8);
  }
  c.set_reg<u32>(i.reg, m);
  return Exec::Ok;
}
// MASKMOVDQU: as MASKMOVQ over 16 bytes; the whole range is checked before any byte is stored.
Exec maskmovdqu(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  const u32 amask = i.adsz == 2 ? 0xFFFFu : 0xFFFFFFFFu;
  const u32 di = c.reg<u32>(EDI) & amask;
  const X128 data = xmm(c, i.reg), mask = xmm(c, i.rm);
  if (!((mask.lo | mask.hi) & 0x8080808080808080ull)) return Exec::Ok;
  MemRef a, b;
  PCJIT_TRY(c.map<u64>(i.seg, di, Access::Write, a));
  PCJIT_TRY(c.map<u64>(i.seg, (di + 8) & amask, Access::Write, b));
  for (unsigned k = 0; k < 16; ++k) {
    const u64 m = k < 8 ? mask.lo : mask.hi, d = k < 8 ? data.lo : data.hi;
    if ((m >> (8 * (k & 7) + 7)) & 1) PCJIT_TRY(c.write<u8>(i.seg, (di + k) & amask, lane<u8>(d, k & 7)));
  }
  return Exec::Ok;
}
// MOVQ2DQ xmm, mm (F3 0F D6) and MOVDQ2Q mm, xmm (F2 0F D6): MMX transitions as well.
Exec movq2dq(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  if (c.s.fpu.sw & x87::sw::ES) PCJIT_TRY(x87::begin(c, true));
  set_xmm(c, i.reg, {mm(c, i.rm), 0});
  mmx_touch(c);
  return Exec::Ok;
}
Exec movdq2q(Context& c, const Insn& i) {
  PCJIT_TRY(sse_begin(c));
  if (c.s.fpu.sw & x87::sw::ES) PCJIT_TRY(x87::begin(c, true));
  set_mm(c, i.reg, xmm(c, i.rm).lo);
  mmx_touch(c);
  return Exec::Ok;
}
// MOVNTI m32, r32 (0F C3): a plain store here; only the SSE2 feature check applies.
Exec movnti(Context& c, const Insn& i) { return c.write<u32>(i.seg, c.ea(i), c.reg<u32>(i.reg)); }

constexpr u16 M = row_flag::kModRM;
constexpr u16 MR = M | row_flag::kRegOnly;
constexpr u16 MM = M | row_flag::kMemOnly;
constexpr OpClass X = OpClass::kSse;

// The prefixed forms of the MMX move opcodes (mmx_move.cpp has the NP forms), and MOVNTI.
constexpr OpcodeRow kRows[] = {
    {"movd Vdq,Ed", 1, 0x6E, 1, -1, M, bind_forms<movd_load<false>, movd_load<true>>, X, fx::kNone, pfx::k66},
    {"movd Ed,Vdq", 1, 0x7E, 1, -1, M, bind_forms<movd_store<false>, movd_store<true>>, X, fx::kNone, pfx::k66},
    {"movq Vq,Wq", 1, 0x7E, 1, -1, M, bind_forms<movq_load<false>, movq_load<true>>, X, fx::kNone, pfx::kF3},
    {"movdqa Vdq,Wdq", 1, 0x6F, 1, -1, M, bind_forms<xmm_load<true, false>, xmm_load<true, true>>, X, fx::kNone, pfx::k66},
    {"movdqu Vdq,Wdq", 1, 0x6F, 1, -1, M, bind_forms<xmm_load<false, false>, xmm_load<false, true>>, X, fx::kNone, pfx::kF3},
    {"movdqa Wdq,Vdq", 1, 0x7F, 1, -1, M, bind_forms<xmm_store<true, false>, xmm_store<true, true>>, X, fx::kNone, pfx::k66},
    {"movdqu Wdq,Vdq", 1, 0x7F, 1, -1, M, bind_forms<xmm_store<false, false>, xmm_store<false, true>>, X, fx::kNone, pfx::kF3},
    {"pshufd Vdq,Wdq,Ib", 1, 0x70, 1, -1, M, bind_forms<pshuf<Shuf::D, false>, pshuf<Shuf::D, true>>, X, fx::kNone, pfx::k66},
    {"pshufhw Vdq,Wdq,Ib", 1, 0x70, 1, -1, M, bind_forms<pshuf<Shuf::HW, false>, pshuf<Shuf::HW, true>>, X, fx::kNone, pfx::kF3},
    {"pshuflw Vdq,Wdq,Ib", 1, 0x70, 1, -1, M, bind_forms<pshuf<Shuf::LW, false>, pshuf<Shuf::LW, true>>, X, fx::kNone, pfx::kF2},
    {"pinsrw Vdq,Ed,Ib", 1, 0xC4, 1, -1, M, bind_forms<pinsrw<false>, pinsrw<true>>, X, fx::kNone, pfx::k66},
    {"pextrw Gd,Udq,Ib", 1, 0xC5, 1, -1, MR, bind_only<pextrw>, X, fx::kNone, pfx::k66},
    {"pmovmskb Gd,Udq", 1, 0xD7, 1, -1, MR, bind_only<pmovmskb>, X, fx::kNone, pfx::k66},
    {"movntdq Mdq,Vdq", 1, 0xE7, 1, -1, MM, bind_only<xmm_store<true, true>>, X, fx::kNone, pfx::k66},
    {"maskmovdqu Vdq,Udq", 1, 0xF7, 1, -1, MR, bind_only<maskmovdqu>, X, fx::kNone, pfx::k66},
    {"movq Wq,Vq", 1, 0xD6, 1, -1, M, bind_forms<movq_store<false>, movq_store<true>>, X, fx::kNone, pfx::k66},
    {"movq2dq Vdq,Nq", 1, 0xD6, 1, -1, MR, bind_only<movq2dq>, X, fx::kNone, pfx::kF3},
    {"movdq2q Pq,Uq", 1, 0xD6, 1, -1, MR, bind_only<movdq2q>, X, fx::kNone, pfx::kF2},
    {"movnti Md,Gd", 1, 0xC3, 1, -1, MM, bind_only<movnti>, X, fx::kNone, pfx::kNP},
};

}  // namespace

std::span<const OpcodeRow> sse2_move_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
