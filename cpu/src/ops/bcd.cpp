// Decimal adjust and ASCII adjust: DAA DAS AAA AAS AAM AAD, plus the undocumented SALC (D6).
//
// Each is a few lines of the SDM Vol. 2A pseudocode on AL/AH ("DAA", "DAS", "AAA", "AAS",
// "AAM", "AAD"). Flags the SDM leaves undefined (OF for DAA/DAS; OF SF ZF PF for AAA/AAS; OF AF CF
// for AAM/AAD) are left as they were, which is one valid choice of an undefined value.
// SALC sets AL to FFh if CF else 00h and changes no flag (undocumented, present on every x86).
#include "flags.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

constexpr u32 kSzp = flag::SF | flag::ZF | flag::PF;

Exec daa(Context& c, const Insn&) {
  CpuState& s = c.s;
  const u8 old_al = s.reg8(0);
  const bool old_cf = s.eflags & flag::CF;
  u8 al = old_al;
  u32 f = 0;
  if ((al & 0x0F) > 9 || (s.eflags & flag::AF)) {
    f |= flag::AF | ((old_cf || al > 0xF9) ? flag::CF : 0);  // carry out of AL + 6
    al = static_cast<u8>(al + 6);
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<u8>(al + 0x60);
    f |= flag::CF;
  } else {
    f &= ~flag::CF;
  }
  s.set_reg8(0, al);
  set_flags(s, flag::CF | flag::AF | kSzp, f | szp<u8>(al));
  return Exec::Ok;
}

Exec das(Context& c, const Insn&) {
  CpuState& s = c.s;
  const u8 old_al = s.reg8(0);
  const bool old_cf = s.eflags & flag::CF;
  u8 al = old_al;
  u32 f = 0;
  if ((al & 0x0F) > 9 || (s.eflags & flag::AF)) {
    f |= flag::AF | ((old_cf || al < 6) ? flag::CF : 0);  // borrow out of AL - 6
    al = static_cast<u8>(al - 6);
  }
  if (old_al > 0x99 || old_cf) {
    al = static_cast<u8>(al - 0x60);
    f |= flag::CF;
  }
  s.set_reg8(0, al);
  set_flags(s, flag::CF | flag::AF | kSzp, f | szp<u8>(al));
  return Exec::Ok;
}

// AAA: "AX <- AX + 106H" on the P6 (the carry from AL + 6 reaches AH); AL keeps its low nibble.
Exec aaa(Context& c, const Insn&) {
  CpuState& s = c.s;
  u16 ax = s.reg16(EAX);
  u32 f = 0;
  if ((ax & 0x0F) > 9 || (s.eflags & flag::AF)) {
    ax = static_cast<u16>(ax + 0x106);
    f = flag::AF | flag::CF;
  }
  ax &= 0xFF0F;
  s.set_reg16(EAX, ax);
  set_flags(s, flag::AF | flag::CF, f);
  return Exec::Ok;
}

// AAS: "AX <- AX - 6; AH <- AH - 1".
Exec aas(Context& c, const Insn&) {
  CpuState& s = c.s;
  u16 ax = s.reg16(EAX);
  u32 f = 0;
  if ((ax & 0x0F) > 9 || (s.eflags & flag::AF)) {
    ax = static_cast<u16>(ax - 6);
    ax = static_cast<u16>(ax - 0x100);
    f = flag::AF | flag::CF;
  }
  ax &= 0xFF0F;
  s.set_reg16(EAX, ax);
  set_flags(s, flag::AF | flag::CF, f);
  return Exec::Ok;
}

// AAM imm8: AH = AL / imm8, AL = AL mod imm8; #DE when imm8 is 0, with nothing changed.
Exec aam(Context& c, const Insn& i) {
  const u8 base = static_cast<u8>(i.imm);
  if (base == 0) return c.raise(vec::DE);
  const u8 al = c.s.reg8(0);
  const u8 lo = static_cast<u8>(al % base);
  c.s.set_reg16(EAX, static_cast<u16>(((al / base) << 8) | lo));
  set_flags(c.s, kSzp, szp<u8>(lo));
  return Exec::Ok;
}

// AAD imm8: AL = (AL + AH * imm8) & FFh, AH = 0.
Exec aad(Context& c, const Insn& i) {
  const u8 base = static_cast<u8>(i.imm);
  const u8 al = static_cast<u8>(c.s.reg8(0) + c.s.reg8(4) * base);
  c.s.set_reg16(EAX, al);
  set_flags(c.s, kSzp, szp<u8>(al));
  return Exec::Ok;
}

Exec salc(Context& c, const Insn&) {
  c.s.set_reg8(0, (c.s.eflags & flag::CF) ? 0xFF : 0x00);
  return Exec::Ok;
}

template <Handler H>
Handler bind(const DecodeView&, Insn&) { return H; }

constexpr OpClass A = OpClass::kAlu;
// SDM "Flags Affected": DAA/DAS read AF and CF, set CF AF SF ZF PF, leave OF undefined; AAA/AAS read
// AF, set AF and CF, leave OF SF ZF PF undefined; AAM/AAD set SF ZF PF, leave OF AF CF undefined.
// SALC (undocumented by the SDM; AL = CF ? FFh : 0) reads CF and writes none.
constexpr RowFlags kDaa{flag::AF | flag::CF, flag::kArith, flag::OF};
constexpr RowFlags kAaa{flag::AF, flag::kArith, flag::OF | flag::SF | flag::ZF | flag::PF};
constexpr RowFlags kAam{0, flag::kArith, flag::OF | flag::AF | flag::CF};
constexpr RowFlags kSalc{flag::CF, 0, 0};

const OpcodeRow kRows[] = {
    {"daa", 0, 0x27, 1, -1, 0, bind<daa>, A, kDaa},
    {"das", 0, 0x2F, 1, -1, 0, bind<das>, A, kDaa},
    {"aaa", 0, 0x37, 1, -1, 0, bind<aaa>, A, kAaa},
    {"aas", 0, 0x3F, 1, -1, 0, bind<aas>, A, kAaa},
    {"aam Ib", 0, 0xD4, 1, -1, 0, bind<aam>, A, kAam},
    {"aad Ib", 0, 0xD5, 1, -1, 0, bind<aad>, A, kAam},
    {"salc", 0, 0xD6, 1, -1, 0, bind<salc>, OpClass::kFlag, kSalc},
};

}  // namespace

std::span<const OpcodeRow> bcd_rows() { return kRows; }

}  // namespace pcjit::cpu
