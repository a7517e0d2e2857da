// MMX data movement and the SSE additions on MMX registers (SDM Vol. 2 MOVD/MOVQ, EMMS, PSHUFW,
// PINSRW, PEXTRW, PMOVMSKB, MOVNTQ, MASKMOVQ). Non-temporal hints have no cache to bypass here,
// so MOVNTQ is a plain store.
#include "simd.h"
#include "sse2_move.h"

namespace pcjit::cpu::simd {
namespace {

Exec done(Context& c) {
  mmx_touch(c);
  return Exec::Ok;
}

template <bool Mem>
Exec movd_load(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  u32 v;
  if constexpr (Mem) PCJIT_TRY(c.read<u32>(i.seg, c.ea(i), v));
  else v = c.reg<u32>(i.rm);
  set_mm(c, i.reg, v);  // zero-extended to 64 bits
  return done(c);
}
template <bool Mem>
Exec movd_store(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  const u32 v = static_cast<u32>(mm(c, i.reg));
  if constexpr (Mem) PCJIT_TRY(c.write<u32>(i.seg, c.ea(i), v));
  else c.set_reg<u32>(i.rm, v);
  return done(c);
}
template <bool Mem>
Exec movq_load(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  u64 v;
  if constexpr (Mem) PCJIT_TRY(c.read<u64>(i.seg, c.ea(i), v));
  else v = mm(c, i.rm);
  set_mm(c, i.reg, v);
  return done(c);
}
template <bool Mem>
Exec movq_store(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  const u64 v = mm(c, i.reg);
  if constexpr (Mem) PCJIT_TRY(c.write<u64>(i.seg, c.ea(i), v));
  else set_mm(c, i.rm, v);
  return done(c);
}
// EMMS: all x87 tags empty (SDM Vol. 2 EMMS); TOP is left alone.
Exec emms(Context& c, const Insn&) {
  PCJIT_TRY(mmx_begin(c));
  c.s.fpu.valid = 0;
  return Exec::Ok;
}
template <bool Mem>
Exec pshufw(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  u64 s;
  if constexpr (Mem) PCJIT_TRY(c.read<u64>(i.seg, c.ea(i), s));
  else s = mm(c, i.rm);
  u64 r = 0;
  for (unsigned k = 0; k < 4; ++k) r = put_lane<u16>(r, k, lane<u16>(s, (i.imm >> (2 * k)) & 3));
  set_mm(c, i.reg, r);
  return done(c);
}
template <bool Mem>
Exec pinsrw(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  u16 w;
  if constexpr (Mem) PCJIT_TRY(c.read<u16>(i.seg, c.ea(i), w));
  else w = c.reg<u16>(i.rm);
  const unsigned sh = (i.imm & 3) * 16;
  set_mm(c, i.reg, (mm(c, i.reg) & ~(u64{0xFFFF} << sh)) | (u64{w} << sh));
  return done(c);
}
Exec pextrw(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  c.set_reg<u32>(i.reg, lane<u16>(mm(c, i.rm), i.imm & 3));
  return done(c);
}
Exec pmovmskb(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  const u64 s = mm(c, i.rm);
  u32 m = 0;
  for (unsigned k = 0; k < 8; ++k) m |= ((s >> (8 * k + 7)) & 1) << k;
  c.set_reg<u32>(i.reg, m);
  return done(c);
}
// MASKMOVQ: bytes of mm1 whose mask byte (mm2) has bit 7 set go to DS:[(E)DI]. The whole
// quadword is checked for writing first, so a fault leaves memory untouched (the SDM allows a
// fault even for bytes the mask skips).
Exec maskmovq(Context& c, const Insn& i) {
  PCJIT_TRY(mmx_begin(c));
  const u32 di = i.adsz == 2 ? c.reg<u16>(EDI) : c.reg<u32>(EDI);
  const u64 data = mm(c, i.reg), mask = mm(c, i.rm);
  if (mask & 0x8080808080808080ull) {
    MemRef probe;
    PCJIT_TRY(c.map<u64>(i.seg, di, Access::Write, probe));
    for (unsigned k = 0; k < 8; ++k)
      if ((mask >> (8 * k + 7)) & 1)
        PCJIT_TRY(c.write<u8>(i.seg, (di + k) & (i.adsz == 2 ? 0xFFFFu : 0xFFFFFFFFu), lane<u8>(data, k)));
  }
  return done(c);
}

// No prefix: the MMX form; 66/F3/F2: the SSE2 XMM forms (sse2_move.cpp).
template <Exec (*Reg)(Context&, const Insn&), Exec (*Mem)(Context&, const Insn&)>
Handler forms(const DecodeView& v, Insn& i) {
  if (v.mandatory != 0) return sse2_move_bind(v);
  return bind_mmx_forms<Reg, Mem>(v, i);
}
template <Handler H>
Handler only(const DecodeView& v, Insn&) {
  return v.mandatory == 0 ? H : sse2_move_bind(v);
}
Handler sse2_only(const DecodeView& v, Insn&) { return sse2_move_bind(v); }

constexpr u16 M = row_flag::kModRM;
constexpr u16 MR = M | row_flag::kRegOnly;
constexpr u16 MM = M | row_flag::kMemOnly;

constexpr OpcodeRow kRows[] = {
    {"movd Pq,Ed", 1, 0x6E, 1, -1, M, forms<movd_load<false>, movd_load<true>>, OpClass::kMmx, fx::kNone},
    {"movd Ed,Pq", 1, 0x7E, 1, -1, M, forms<movd_store<false>, movd_store<true>>, OpClass::kMmx, fx::kNone},
    {"movq Pq,Qq", 1, 0x6F, 1, -1, M, forms<movq_load<false>, movq_load<true>>, OpClass::kMmx, fx::kNone},
    {"movq Qq,Pq", 1, 0x7F, 1, -1, M, forms<movq_store<false>, movq_store<true>>, OpClass::kMmx, fx::kNone},
    {"emms", 1, 0x77, 1, -1, 0, only<emms>, OpClass::kMmx, fx::kNone},
    {"pshufw", 1, 0x70, 1, -1, M, forms<pshufw<false>, pshufw<true>>, OpClass::kMmx, fx::kNone},
    {"pinsrw", 1, 0xC4, 1, -1, M, forms<pinsrw<false>, pinsrw<true>>, OpClass::kMmx, fx::kNone},
    {"pextrw", 1, 0xC5, 1, -1, MR, only<pextrw>, OpClass::kMmx, fx::kNone},
    {"pmovmskb", 1, 0xD7, 1, -1, MR, only<pmovmskb>, OpClass::kMmx, fx::kNone},
    {"movntq", 1, 0xE7, 1, -1, MM, only<movq_store<true>>, OpClass::kMmx, fx::kNone},
    {"maskmovq/maskmovdqu", 1, 0xF7, 1, -1, MR, only<maskmovq>, OpClass::kMmx, fx::kNone},
    {"movq Wq,Vq/movq2dq/movdq2q", 1, 0xD6, 1, -1, M, sse2_only, OpClass::kMmx, fx::kNone},
    {"movnti", 1, 0xC3, 1, -1, MM, sse2_only, OpClass::kMmx, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> mmx_move_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
