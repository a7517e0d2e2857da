// MMX data movement and the SSE additions on MMX registers (SDM Vol. 2 MOVD/MOVQ, EMMS, PSHUFW,
// PINSRW, PEXTRW, PMOVMSKB, MOVNTQ, MASKMOVQ). Non-temporal hints have no cache to bypass here,
// so MOVNTQ is a plain store.
#include "simd.h"

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

constexpr u16 M = row_flag::kModRM;
constexpr u16 MR = M | row_flag::kRegOnly;
constexpr u16 MM = M | row_flag::kMemOnly;
constexpr OpClass K = OpClass::kMmx;

// The NP forms; the 66/F3/F2 forms of the same opcodes are SSE2 rows (sse2_move.cpp).
constexpr OpcodeRow kRows[] = {
    {"movd Pq,Ed", 1, 0x6E, 1, -1, M, bind_forms<movd_load<false>, movd_load<true>>, K, fx::kNone, pfx::kNP},
    {"movd Ed,Pq", 1, 0x7E, 1, -1, M, bind_forms<movd_store<false>, movd_store<true>>, K, fx::kNone, pfx::kNP},
    {"movq Pq,Qq", 1, 0x6F, 1, -1, M, bind_forms<movq_load<false>, movq_load<true>>, K, fx::kNone, pfx::kNP},
    {"movq Qq,Pq", 1, 0x7F, 1, -1, M, bind_forms<movq_store<false>, movq_store<true>>, K, fx::kNone, pfx::kNP},
    {"emms", 1, 0x77, 1, -1, 0, bind_only<emms>, K, fx::kNone, pfx::kNP},
    {"pshufw Pq,Qq,Ib", 1, 0x70, 1, -1, M, bind_forms<pshufw<false>, pshufw<true>>, K, fx::kNone, pfx::kNP},
    {"pinsrw Pq,Ed,Ib", 1, 0xC4, 1, -1, M, bind_forms<pinsrw<false>, pinsrw<true>>, K, fx::kNone, pfx::kNP},
    {"pextrw Gd,Nq,Ib", 1, 0xC5, 1, -1, MR, bind_only<pextrw>, K, fx::kNone, pfx::kNP},
    {"pmovmskb Gd,Nq", 1, 0xD7, 1, -1, MR, bind_only<pmovmskb>, K, fx::kNone, pfx::kNP},
    {"movntq Mq,Pq", 1, 0xE7, 1, -1, MM, bind_only<movq_store<true>>, K, fx::kNone, pfx::kNP},
    {"maskmovq Pq,Nq", 1, 0xF7, 1, -1, MR, bind_only<maskmovq>, K, fx::kNone, pfx::kNP},
};

}  // namespace

std::span<const OpcodeRow> mmx_move_rows() { return kRows; }

}  // namespace pcjit::cpu::simd
