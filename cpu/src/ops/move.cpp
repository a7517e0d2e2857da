// Plain data movement (SDM Vol. 2, "MOV", "LEA", "CBW/CWDE", "CWD/CDQ", "XLAT", "LDS/LES/LFS/
// LGS/LSS"): opcodes 88-8C, 8E, A0-A3, B0-BF, C6/0, C7/0, 8D, 98, 99, D7, C4, C5, 0F B2/B4/B5.
// None of these touch the arithmetic flags. Exchange and compare-exchange forms, MOVZX/MOVSX
// and CMOVcc are in move_ext.cpp.
//
// Segment-register loads go through Context::load_seg (mode-dependent checks). Loading SS
// changes the stack size (part of the block key) and opens the one-instruction interrupt shadow
// (SDM "MOV": "loading the SS register with a MOV inhibits interrupts until after the next
// instruction"), so those rows end the block.
#include "operands.h"
#include "stack_common.h"

namespace pcjit::cpu {
namespace {

// 88/89: E <- G
struct MovEG {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) { return write_rm<T, Mem>(c, i, c.reg<T>(i.reg)); }
};

// 8A/8B: G <- E
struct MovGE {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T v;
    PCJIT_TRY((read_rm<T, Mem>(c, i, v)));
    c.set_reg<T>(i.reg, v);
    return Exec::Ok;
  }
};

// C6/0, C7/0: E <- imm
struct MovEI {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) { return write_rm<T, Mem>(c, i, static_cast<T>(i.imm)); }
};

// B0-B7, B8-BF: register in the opcode's low bits <- imm
struct MovRI {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    c.set_reg<T>(i.reg, static_cast<T>(i.imm));
    return Exec::Ok;
  }
};

// A0/A1: accumulator <- moffs; A2/A3: moffs <- accumulator. The decoder put the offset in disp
// (no base, no index) and the segment in seg.
struct MovAccMoffs {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    T v;
    PCJIT_TRY(c.read<T>(i.seg, c.ea(i), v));
    c.set_reg<T>(EAX, v);
    return Exec::Ok;
  }
};
struct MovMoffsAcc {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) { return c.write<T>(i.seg, c.ea(i), c.reg<T>(EAX)); }
};

// 8C: Ev <- Sreg. A memory destination is always 16 bits; a 32-bit register destination gets the
// selector zero-extended (SDM "MOV": P6 family and later fill the high bytes with zeros).
template <bool Mem, bool Wide>
Exec mov_e_sreg(Context& c, const Insn& i) {
  const u16 sel = c.s.seg[i.reg].selector;
  if constexpr (Mem) return c.write<u16>(i.seg, c.ea(i), sel);
  if constexpr (Wide) c.set_reg<u32>(i.rm, sel);
  else c.set_reg<u16>(i.rm, sel);
  return Exec::Ok;
}

// 8E: Sreg <- Ew (the operand size does not matter: a selector is 16 bits).
template <bool Mem>
Exec mov_sreg_e(Context& c, const Insn& i) {
  u16 sel;
  PCJIT_TRY((read_rm<u16, Mem>(c, i, sel)));
  PCJIT_TRY(c.load_seg(i.reg, sel));
  if (i.reg == SS) {
    c.s.irq_shadow = true;
    return stop_after(c, i);
  }
  return Exec::Ok;
}

// 8D: LEA. The address is computed at the address size (ea() wraps 16-bit addresses) and then
// truncated or zero-extended to the operand size (SDM "LEA", Table 3-54).
struct Lea {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    c.set_reg<T>(i.reg, static_cast<T>(c.ea(i)));
    return Exec::Ok;
  }
};

// 98: CBW (AX <- sext AL) / CWDE (EAX <- sext AX).
Exec cbw(Context& c, const Insn&) {
  c.set_reg<u16>(EAX, static_cast<u16>(static_cast<i8>(c.reg<u8>(EAX))));
  return Exec::Ok;
}
Exec cwde(Context& c, const Insn&) {
  c.set_reg<u32>(EAX, static_cast<u32>(static_cast<i16>(c.reg<u16>(EAX))));
  return Exec::Ok;
}
// 99: CWD (DX:AX <- sext AX) / CDQ (EDX:EAX <- sext EAX).
Exec cwd(Context& c, const Insn&) {
  c.set_reg<u16>(EDX, (c.reg<u16>(EAX) & 0x8000) ? 0xFFFF : 0);
  return Exec::Ok;
}
Exec cdq(Context& c, const Insn&) {
  c.set_reg<u32>(EDX, (c.reg<u32>(EAX) & 0x80000000u) ? 0xFFFFFFFFu : 0);
  return Exec::Ok;
}

// D7: XLAT: AL <- seg:[(E)BX + zero-extended AL], seg = DS or the override; BX+AL wraps at 16 bits
// with a 16-bit address size.
template <bool A32>
Exec xlat(Context& c, const Insn& i) {
  u32 off = c.reg<u32>(EBX) + c.reg<u8>(EAX);
  if constexpr (!A32) off &= 0xFFFF;
  u8 v;
  PCJIT_TRY(c.read<u8>(i.seg, off, v));
  c.set_reg<u8>(EAX, v);
  return Exec::Ok;
}

// LDS/LES/LSS/LFS/LGS: m16:16 or m16:32 -> Sreg:Gv. Both parts are read before the segment load,
// and the register is written only after the load succeeded, so any fault leaves state intact.
// LSS changes SS.B (the stack size is part of the block key), so it ends the block; unlike MOV
// SS it opens no interrupt shadow.
template <class T, u8 Seg>
Exec load_far_ptr(Context& c, const Insn& i) {
  const u32 off = c.ea(i);
  T ptr;
  u16 sel;
  PCJIT_TRY(c.read<T>(i.seg, off, ptr));
  const u32 sel_off = i.adsz == 2 ? ((off + sizeof(T)) & 0xFFFF) : off + static_cast<u32>(sizeof(T));
  PCJIT_TRY(c.read<u16>(i.seg, sel_off, sel));
  PCJIT_TRY(c.load_seg(Seg, sel));
  c.set_reg<T>(i.reg, ptr);
  if constexpr (Seg == SS) return stop_after(c, i);
  return Exec::Ok;
}

// ---- binders -------------------------------------------------------------------------------
Handler bind_mov_e_sreg(const DecodeView& v, Insn&) {
  if (v.modrm_reg > GS) return nullptr;  // segment registers 6 and 7 do not exist
  if (v.mem) return mov_e_sreg<true, false>;
  return v.opsz == 4 ? mov_e_sreg<false, true> : mov_e_sreg<false, false>;
}
Handler bind_mov_sreg_e(const DecodeView& v, Insn&) {
  if (v.modrm_reg > GS || v.modrm_reg == CS) return nullptr;  // MOV CS is #UD (SDM "MOV")
  return v.mem ? mov_sreg_e<true> : mov_sreg_e<false>;
}
Handler bind_cbw(const DecodeView& v, Insn&) { return v.opsz == 4 ? cwde : cbw; }
Handler bind_cwd(const DecodeView& v, Insn&) { return v.opsz == 4 ? cdq : cwd; }
Handler bind_xlat(const DecodeView& v, Insn&) { return v.adsz == 4 ? xlat<true> : xlat<false>; }
template <u8 Seg>
Handler bind_far_ptr(const DecodeView& v, Insn&) {
  return v.opsz == 4 ? load_far_ptr<u32, Seg> : load_far_ptr<u16, Seg>;
}

constexpr u16 M = row_flag::kModRM;
constexpr u16 kEnd = row_flag::kEndsBlock;

const OpcodeRow kRows[] = {
    {"mov Eb,Gb", 0, 0x88, 1, -1, M, bind_b<MovEG>, OpClass::kMove, fx::kNone},
    {"mov Ev,Gv", 0, 0x89, 1, -1, M, bind_v<MovEG>, OpClass::kMove, fx::kNone},
    {"mov Gb,Eb", 0, 0x8A, 1, -1, M, bind_b<MovGE>, OpClass::kMove, fx::kNone},
    {"mov Gv,Ev", 0, 0x8B, 1, -1, M, bind_v<MovGE>, OpClass::kMove, fx::kNone},
    {"mov Ev,Sreg", 0, 0x8C, 1, -1, M, bind_mov_e_sreg, OpClass::kMove, fx::kNone},
    {"lea Gv,M", 0, 0x8D, 1, -1, M | row_flag::kMemOnly, bind_v<Lea>, OpClass::kMove, fx::kNone},
    {"mov ES,Ew", 0, 0x8E, 1, 0, M, bind_mov_sreg_e, OpClass::kMove, fx::kNone},
    {"mov CS,Ew", 0, 0x8E, 1, 1, M, bind_mov_sreg_e, OpClass::kMove, fx::kNone},
    {"mov SS,Ew", 0, 0x8E, 1, 2, M | kEnd, bind_mov_sreg_e, OpClass::kMove, fx::kNone},
    {"mov DS,Ew", 0, 0x8E, 1, 3, M, bind_mov_sreg_e, OpClass::kMove, fx::kNone},
    {"mov FS,Ew", 0, 0x8E, 1, 4, M, bind_mov_sreg_e, OpClass::kMove, fx::kNone},
    {"mov GS,Ew", 0, 0x8E, 1, 5, M, bind_mov_sreg_e, OpClass::kMove, fx::kNone},
    {"mov Sreg6,Ew", 0, 0x8E, 1, 6, M, bind_mov_sreg_e, OpClass::kMove, fx::kNone},
    {"mov Sreg7,Ew", 0, 0x8E, 1, 7, M, bind_mov_sreg_e, OpClass::kMove, fx::kNone},
    {"cbw/cwde", 0, 0x98, 1, -1, 0, bind_cbw, OpClass::kMove, fx::kNone},
    {"cwd/cdq", 0, 0x99, 1, -1, 0, bind_cwd, OpClass::kMove, fx::kNone},
    {"mov AL,Ob", 0, 0xA0, 1, -1, 0, bind_b<MovAccMoffs>, OpClass::kMove, fx::kNone},
    {"mov eAX,Ov", 0, 0xA1, 1, -1, 0, bind_v<MovAccMoffs>, OpClass::kMove, fx::kNone},
    {"mov Ob,AL", 0, 0xA2, 1, -1, 0, bind_b<MovMoffsAcc>, OpClass::kMove, fx::kNone},
    {"mov Ov,eAX", 0, 0xA3, 1, -1, 0, bind_v<MovMoffsAcc>, OpClass::kMove, fx::kNone},
    {"mov Zb,Ib", 0, 0xB0, 8, -1, 0, bind_b<MovRI>, OpClass::kMove, fx::kNone},
    {"mov Zv,Iv", 0, 0xB8, 8, -1, 0, bind_v<MovRI>, OpClass::kMove, fx::kNone},
    {"les Gv,Mp", 0, 0xC4, 1, -1, M | row_flag::kMemOnly, bind_far_ptr<ES>, OpClass::kMove, fx::kNone},
    {"lds Gv,Mp", 0, 0xC5, 1, -1, M | row_flag::kMemOnly, bind_far_ptr<DS>, OpClass::kMove, fx::kNone},
    {"mov Eb,Ib", 0, 0xC6, 1, 0, M, bind_b<MovEI>, OpClass::kMove, fx::kNone},
    {"mov Ev,Iv", 0, 0xC7, 1, 0, M, bind_v<MovEI>, OpClass::kMove, fx::kNone},
    {"xlat", 0, 0xD7, 1, -1, 0, bind_xlat, OpClass::kMove, fx::kNone},
    {"lss Gv,Mp", 1, 0xB2, 1, -1, M | row_flag::kMemOnly | kEnd, bind_far_ptr<SS>, OpClass::kMove, fx::kNone},
    {"lfs Gv,Mp", 1, 0xB4, 1, -1, M | row_flag::kMemOnly, bind_far_ptr<FS>, OpClass::kMove, fx::kNone},
    {"lgs Gv,Mp", 1, 0xB5, 1, -1, M | row_flag::kMemOnly, bind_far_ptr<GS>, OpClass::kMove, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> move_ext_rows();  // move_ext.cpp

std::span<const OpcodeRow> move_rows() {
  static const std::vector<OpcodeRow> all = join_rows({kRows, move_ext_rows()});
  return all;
}

}  // namespace pcjit::cpu
