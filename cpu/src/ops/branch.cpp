// Near control transfers (SDM Vol. 2, "Jcc", "JMP", "CALL", "RET", "LOOP/LOOPcc", "JCXZ") and
// BOUND: 70-7F, 0F 80-8F, E9, EB, FF/4, E8, FF/2, C3, C2, E0-E3, 62. Far transfers, INT and IRET
// are in farcall.cpp.
//
// Targets: relative forms add the displacement to the next EIP; a 16-bit operand size truncates
// the target to 16 bits (SDM "JMP": "tempEIP <- tempEIP AND 0000FFFFH"). Every transfer checks
// the CS limit (#GP(0)) before it changes anything, so CALL pushes only a valid return and LOOP
// does not count down when its jump would fault.
#include "flags.h"
#include "operands.h"
#include "stack_common.h"

namespace pcjit::cpu {
namespace {

template <bool Wide>
u32 rel_target(const Context& c, const Insn& i) {
  const u32 t = c.next_eip(i) + i.imm;
  return Wide ? t : (t & 0xFFFF);
}

bool outside_cs(const Context& c, u32 target) { return target > c.s.seg[CS].limit; }

// 70-7F, 0F 80-8F: Jcc rel. The condition is the opcode's low nibble (SDM Vol. 1, Table B-1).
template <bool Wide>
Exec jcc(Context& c, const Insn& i) {
  if (!condition(c.s.eflags, i.opcode & 0xF)) return Exec::Ok;
  return c.jump_near(rel_target<Wide>(c, i));
}

// E9, EB: JMP rel.
template <bool Wide>
Exec jmp_rel(Context& c, const Insn& i) { return c.jump_near(rel_target<Wide>(c, i)); }

// FF/4: JMP Ev (absolute, the operand is the new EIP).
struct JmpE {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T t;
    PCJIT_TRY((read_rm<T, Mem>(c, i, t)));
    return c.jump_near(t);
  }
};

// Pushes the return address, then transfers; the limit is checked first (SDM "CALL", near).
template <class T>
Exec call_to(Context& c, const Insn& i, u32 target) {
  if (outside_cs(c, target)) return c.raise_gp(0);
  PCJIT_TRY(c.push<T>(static_cast<T>(next_ip(c, i))));
  return c.jump_near(target);
}

// E8: CALL rel.
template <class T>
Exec call_rel(Context& c, const Insn& i) { return call_to<T>(c, i, rel_target<sizeof(T) == 4>(c, i)); }

// FF/2: CALL Ev. The operand is read first (an ESP-based address uses ESP before the push).
struct CallE {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T t;
    PCJIT_TRY((read_rm<T, Mem>(c, i, t)));
    return call_to<T>(c, i, t);
  }
};

// C3 / C2 iw: RET [imm16]. The return address is read and checked before SP moves; the
// immediate is added at the stack size.
template <class T, bool Imm>
Exec ret_near(Context& c, const Insn& i) {
  T t;
  PCJIT_TRY(c.peek<T>(0, t));
  if (outside_cs(c, t)) return c.raise_gp(0);
  u32 release = sizeof(T);
  if constexpr (Imm) release += i.imm & 0xFFFF;
  c.set_sp((c.sp() + release) & c.sp_mask());
  return c.jump_near(t);
}

// E0-E2: LOOPNE, LOOPE, LOOP; E3: JCXZ/JECXZ. The address size picks CX or ECX; the operand size
// truncates the target. The count is written only when no fault can follow.
enum class Loop : u8 { Ne, E, Always, CxZero };

template <Loop Kind, bool A32, bool Wide>
Exec loop(Context& c, const Insn& i) {
  u32 count = A32 ? c.s.reg32(ECX) : c.s.reg16(ECX);
  bool taken;
  if constexpr (Kind == Loop::CxZero) {
    taken = count == 0;
  } else {
    count = A32 ? count - 1 : (count - 1) & 0xFFFF;
    const bool zf = c.s.eflags & flag::ZF;
    taken = count != 0 && (Kind == Loop::Always || (Kind == Loop::E ? zf : !zf));
  }
  const u32 target = rel_target<Wide>(c, i);
  if (taken && outside_cs(c, target)) return c.raise_gp(0);
  if constexpr (Kind != Loop::CxZero) {
    if constexpr (A32) c.s.set_reg32(ECX, count);
    else c.s.set_reg16(ECX, static_cast<u16>(count));
  }
  return taken ? c.jump_near(target) : Exec::Ok;
}

// 62: BOUND Gv, Ma: #BR when the signed index lies outside [lower, upper] (SDM "BOUND").
template <class T>
Exec bound(Context& c, const Insn& i) {
  using S = std::make_signed_t<T>;
  const u32 ea = c.ea(i);
  T lo, hi;
  PCJIT_TRY(c.read<T>(i.seg, ea, lo));
  const u32 ea2 = i.adsz == 2 ? ((ea + sizeof(T)) & 0xFFFF) : ea + static_cast<u32>(sizeof(T));
  PCJIT_TRY(c.read<T>(i.seg, ea2, hi));
  const S idx = static_cast<S>(c.reg<T>(i.reg));
  if (idx < static_cast<S>(lo) || idx > static_cast<S>(hi)) return c.raise(vec::BR);
  return Exec::Ok;
}

// ---- binders -------------------------------------------------------------------------------
Handler bind_jcc(const DecodeView& v, Insn&) { return v.opsz == 4 ? jcc<true> : jcc<false>; }
Handler bind_jmp_rel(const DecodeView& v, Insn&) { return v.opsz == 4 ? jmp_rel<true> : jmp_rel<false>; }
Handler bind_call_rel(const DecodeView& v, Insn&) { return v.opsz == 4 ? call_rel<u32> : call_rel<u16>; }
Handler bind_ret(const DecodeView& v, Insn&) { return v.opsz == 4 ? ret_near<u32, false> : ret_near<u16, false>; }
Handler bind_ret_imm(const DecodeView& v, Insn&) { return v.opsz == 4 ? ret_near<u32, true> : ret_near<u16, true>; }
template <Loop Kind>
Handler bind_loop(const DecodeView& v, Insn&) {
  if (v.adsz == 4) return v.opsz == 4 ? loop<Kind, true, true> : loop<Kind, true, false>;
  return v.opsz == 4 ? loop<Kind, false, true> : loop<Kind, false, false>;
}
Handler bind_bound(const DecodeView& v, Insn&) { return v.opsz == 4 ? bound<u32> : bound<u16>; }

constexpr u16 kEnd = row_flag::kEndsBlock;
constexpr u16 M = row_flag::kModRM;

constexpr OpClass J = OpClass::kBranch;
// Near transfers change no flag; Jcc tests its condition, LOOPE/LOOPNE test ZF.
constexpr RowFlags kLoopZ{flag::ZF, 0, 0};

const OpcodeRow kRows[] = {
    {"bound Gv,Ma", 0, 0x62, 1, -1, M | row_flag::kMemOnly, bind_bound, J, fx::kNone},
    {"jcc Jb", 0, 0x70, 16, -1, kEnd, bind_jcc, J, fx::kCond},
    {"ret Iw", 0, 0xC2, 1, -1, kEnd, bind_ret_imm, J, fx::kNone},
    {"ret", 0, 0xC3, 1, -1, kEnd, bind_ret, J, fx::kNone},
    {"loopne Jb", 0, 0xE0, 1, -1, kEnd, bind_loop<Loop::Ne>, J, kLoopZ},
    {"loope Jb", 0, 0xE1, 1, -1, kEnd, bind_loop<Loop::E>, J, kLoopZ},
    {"loop Jb", 0, 0xE2, 1, -1, kEnd, bind_loop<Loop::Always>, J, fx::kNone},
    {"jcxz Jb", 0, 0xE3, 1, -1, kEnd, bind_loop<Loop::CxZero>, J, fx::kNone},
    {"call Jz", 0, 0xE8, 1, -1, kEnd, bind_call_rel, J, fx::kNone},
    {"jmp Jz", 0, 0xE9, 1, -1, kEnd, bind_jmp_rel, J, fx::kNone},
    {"jmp Jb", 0, 0xEB, 1, -1, kEnd, bind_jmp_rel, J, fx::kNone},
    {"call Ev", 0, 0xFF, 1, 2, M | kEnd, bind_v<CallE>, J, fx::kNone},
    {"jmp Ev", 0, 0xFF, 1, 4, M | kEnd, bind_v<JmpE>, J, fx::kNone},
    {"jcc Jz", 1, 0x80, 16, -1, kEnd, bind_jcc, J, fx::kCond},
};

}  // namespace

std::span<const OpcodeRow> branch_rows() { return kRows; }

}  // namespace pcjit::cpu
