// Flag instructions (SDM Vol. 2, "CLC", "STC", "CMC", "CLD", "STD", "CLI", "STI", "LAHF",
// "SAHF"): F8 F9 F5 FC FD FA FB 9F 9E.
//
// CLI/STI follow the SDM decision tables: real mode always; protected mode when IOPL >= CPL,
// else the virtual flag VIF at CPL 3 with CR4.PVI; v86 mode when IOPL = 3, else VIF with
// CR4.VME; otherwise #GP(0). STI opens a one-instruction interrupt shadow only when it changes IF
// from 0 to 1, and ends the block so the loop sees the new IF.
#include "../system/privilege.h"
#include "flags.h"
#include "operands.h"
#include "stack_common.h"

namespace pcjit::cpu {
namespace {

// CLC STC CMC CLD STD: one bit cleared, set or complemented.
enum class Bit : u8 { Clear, Set, Toggle };

template <u32 Mask, Bit Op>
Exec flag_op(Context& c, const Insn&) {
  if constexpr (Op == Bit::Clear) c.s.eflags &= ~Mask;
  else if constexpr (Op == Bit::Set) c.s.eflags |= Mask;
  else c.s.eflags ^= Mask;
  return Exec::Ok;
}

// Where CLI/STI act: IF, the virtual IF, or nowhere (#GP).
enum class IfTarget : u8 { If, Vif, Fault };

IfTarget if_target(const CpuState& s) {
  if (!s.protected_mode()) return IfTarget::If;
  if (!s.v86()) {
    if (iopl(s) >= s.cpl) return IfTarget::If;
    if (s.cpl == 3 && (s.cr4 & cr4::PVI)) return IfTarget::Vif;
    return IfTarget::Fault;
  }
  if (iopl(s) == 3) return IfTarget::If;
  if (s.cr4 & cr4::VME) return IfTarget::Vif;
  return IfTarget::Fault;
}

// FA: CLI.
Exec cli(Context& c, const Insn&) {
  switch (if_target(c.s)) {
    case IfTarget::If: c.s.eflags &= ~flag::IF; return Exec::Ok;
    case IfTarget::Vif: c.s.eflags &= ~flag::VIF; return Exec::Ok;
    default: return c.raise_gp(0);
  }
}

// FB: STI. The VIF path faults while a virtual interrupt is pending (VIP = 1).
Exec sti(Context& c, const Insn& i) {
  CpuState& s = c.s;
  switch (if_target(s)) {
    case IfTarget::If:
      if (!(s.eflags & flag::IF)) {
        s.eflags |= flag::IF;
        s.irq_shadow = true;
      }
      return stop_after(c, i);
    case IfTarget::Vif:
      if (s.eflags & flag::VIP) return c.raise_gp(0);
      s.eflags |= flag::VIF;
      return stop_after(c, i);
    default: return c.raise_gp(0);
  }
}

// 9F: LAHF: AH <- SF:ZF:0:AF:0:PF:1:CF.
Exec lahf(Context& c, const Insn&) {
  c.set_reg<u8>(4, static_cast<u8>((c.s.eflags & flag::kArith & 0xFF) | flag::kFixedOne));
  return Exec::Ok;
}

// 9E: SAHF: SF ZF AF PF CF <- AH (bits 1, 3, 5 keep their fixed values).
Exec sahf(Context& c, const Insn&) {
  constexpr u32 kMask = flag::SF | flag::ZF | flag::AF | flag::PF | flag::CF;
  set_flags(c.s, kMask, c.reg<u8>(4));
  return Exec::Ok;
}

template <Handler H>
Handler bind(const DecodeView&, Insn&) { return H; }

constexpr OpClass F = OpClass::kFlag;
constexpr u32 kAhFlags = flag::SF | flag::ZF | flag::AF | flag::PF | flag::CF;  // bits 7,6,4,2,0 of AH
constexpr RowFlags kSahf{0, kAhFlags, 0};
constexpr RowFlags kLahf{kAhFlags, 0, 0};
constexpr RowFlags kCmc{flag::CF, flag::CF, 0};
constexpr RowFlags kCarry{0, flag::CF, 0};
constexpr RowFlags kDir{0, flag::DF, 0};
// CLI/STI test IOPL against CPL and change IF, or VIF under CR4.VME/PVI; STI with VIF faults while
// VIP is set (SDM CLI/STI Operation).
constexpr RowFlags kCli{flag::IOPL, flag::IF | flag::VIF, 0};
constexpr RowFlags kSti{flag::IOPL | flag::VIP, flag::IF | flag::VIF, 0};

const OpcodeRow kRows[] = {
    {"sahf", 0, 0x9E, 1, -1, 0, bind<sahf>, F, kSahf},
    {"lahf", 0, 0x9F, 1, -1, 0, bind<lahf>, F, kLahf},
    {"cmc", 0, 0xF5, 1, -1, 0, bind<flag_op<flag::CF, Bit::Toggle>>, F, kCmc},
    {"clc", 0, 0xF8, 1, -1, 0, bind<flag_op<flag::CF, Bit::Clear>>, F, kCarry},
    {"stc", 0, 0xF9, 1, -1, 0, bind<flag_op<flag::CF, Bit::Set>>, F, kCarry},
    {"cli", 0, 0xFA, 1, -1, 0, bind<cli>, F, kCli},
    {"sti", 0, 0xFB, 1, -1, row_flag::kEndsBlock, bind<sti>, F, kSti},
    {"cld", 0, 0xFC, 1, -1, 0, bind<flag_op<flag::DF, Bit::Clear>>, F, kDir},
    {"std", 0, 0xFD, 1, -1, 0, bind<flag_op<flag::DF, Bit::Set>>, F, kDir},
};

}  // namespace

std::span<const OpcodeRow> flag_rows() { return kRows; }

}  // namespace pcjit::cpu
