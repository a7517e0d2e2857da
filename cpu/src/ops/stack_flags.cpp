// PUSHF/PUSHFD (9C) and POPF/POPFD (9D), with the privilege rules of SDM Vol. 2 "PUSHF" and
// "POPF" and the virtual-8086 mode extensions (SDM Vol. 3, 20.3, CR4.VME).
//
// Which EFLAGS bits POPF may change is a small table indexed by the situation (mode, CPL vs
// IOPL, operand size); the handler then merges the popped value under that mask. VM, RF, VIF and
// VIP are never loaded by POPF (VIF only through the VME path). POPF ends the block: IF and TF
// change what the run loop must do before the next instruction.
#include "../system/privilege.h"
#include "operands.h"
#include "stack_common.h"

namespace pcjit::cpu {
namespace {

// Bits a P6 lets software write at all: CF PF AF ZF SF TF IF DF OF IOPL NT AC ID
// (RF, VM, VIF, VIP are excluded: POPF never loads them).
constexpr u32 kPopfBase = flag::CF | flag::PF | flag::AF | flag::ZF | flag::SF | flag::TF | flag::IF |
                          flag::DF | flag::OF | flag::IOPL | flag::NT | flag::AC | flag::ID;

// The writable mask for the current situation (SDM "POPF" operation).
u32 popf_mask(const CpuState& s) {
  u32 m = kPopfBase;
  if (!s.protected_mode()) return m;                     // real mode: CPL 0 rules
  if (s.v86()) return m & ~flag::IOPL;                   // v86 with IOPL 3: all but IOPL
  if (s.cpl > 0) m &= ~flag::IOPL;                       // only CPL 0 changes IOPL
  if (s.cpl > iopl(s)) m &= ~flag::IF;                   // only CPL <= IOPL changes IF
  return m;
}

// 9C: PUSHF. In v86 mode with IOPL < 3 it faults unless CR4.VME and a 16-bit operand size; then
// the image shows VIF in the IF position and IOPL as 3 (SDM Vol. 3, 20.3.2). The 32-bit image has
// VM and RF cleared.
template <class T>
Exec pushf(Context& c, const Insn&) {
  const CpuState& s = c.s;
  if (s.protected_mode() && s.v86() && iopl(s) < 3) {
    if constexpr (sizeof(T) == 4) {
      return c.raise_gp(0);
    } else {
      if (!(s.cr4 & cr4::VME)) return c.raise_gp(0);
      u16 img = static_cast<u16>((s.eflags & ~(flag::IF | flag::IOPL)) | flag::IOPL);
      if (s.eflags & flag::VIF) img |= flag::IF;
      return c.push<u16>(img);
    }
  }
  if constexpr (sizeof(T) == 4) return c.push<u32>(s.eflags & 0x00FCFFFFu);
  return c.push<u16>(static_cast<u16>(s.eflags));
}

// 9D: POPF.
template <class T>
Exec popf(Context& c, const Insn& i) {
  CpuState& s = c.s;
  T v;
  if (s.protected_mode() && s.v86() && iopl(s) < 3) {
    // The VME path: 16-bit only; IF goes to VIF, and setting TF or enabling interrupts while one
    // is pending (VIP) faults (SDM "POPF", virtual-8086 mode with IOPL < 3).
    if (sizeof(T) == 4 || !(s.cr4 & cr4::VME)) return c.raise_gp(0);
    PCJIT_TRY(c.peek<T>(0, v));
    if (((s.eflags & flag::VIP) && (v & flag::IF)) || (v & flag::TF)) return c.raise_gp(0);
    PCJIT_TRY(c.pop<T>(v));
    const u32 m = 0xFFFFu & kPopfBase & ~(flag::IOPL | flag::IF);
    s.eflags = (s.eflags & ~(m | flag::VIF)) | (v & m) | ((v & flag::IF) ? flag::VIF : 0);
  } else {
    PCJIT_TRY(c.pop<T>(v));
    u32 m = popf_mask(s);
    if constexpr (sizeof(T) == 2) m &= 0xFFFF;
    s.eflags = (s.eflags & ~m) | (u32{v} & m);
  }
  s.eflags = (s.eflags | flag::kFixedOne) & ~(0x8u | 0x20u | 0x8000u);
  c.update_mode_flags();
  return stop_after(c, i);
}

Handler bind_pushf(const DecodeView& v, Insn&) { return v.opsz == 4 ? pushf<u32> : pushf<u16>; }
Handler bind_popf(const DecodeView& v, Insn&) { return v.opsz == 4 ? popf<u32> : popf<u16>; }

// PUSHF stores the EFLAGS image with VM and RF clear (SDM PUSHF: EFLAGS AND 00FCFFFFH), IF
// replaced by VIF under CR4.VME. POPF tests IOPL (and VIP under VME) and can change every flag
// but VM and VIP; RF is cleared (SDM POPF, Table "Effect of POPF/POPFD on the EFLAGS Register").
constexpr RowFlags kPushf{fx::kAllFlags & ~(flag::VM | flag::RF), 0, 0};
constexpr RowFlags kPopf{flag::IOPL | flag::VIP, fx::kAllFlags & ~(flag::VM | flag::VIP), 0};

const OpcodeRow kRows[] = {
    {"pushf", 0, 0x9C, 1, -1, 0, bind_pushf, OpClass::kStack, kPushf},
    {"popf", 0, 0x9D, 1, -1, row_flag::kEndsBlock, bind_popf, OpClass::kStack, kPopf},
};

}  // namespace

std::span<const OpcodeRow> stack_flags_rows() { return kRows; }

}  // namespace pcjit::cpu
