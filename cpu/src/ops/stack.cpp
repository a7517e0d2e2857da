// Stack instructions (SDM Vol. 2, "PUSH", "POP", "PUSHA", "POPA", "ENTER", "LEAVE"): 50-5F, 06
// 07 0E 16 17 1E 1F, 0F A0 A1 A8 A9, 68, 6A, FF/6, 8F/0, 60, 61, C8, C9. PUSHF/POPF are in
// stack_flags.cpp.
//
// The operand size (opsz) sets how much is pushed; the stack size (SS.B, c.stack32()) sets
// whether SP or ESP moves. Every instruction either completes or leaves registers as they were:
// values are read and slots checked before SP/ESP or any register is committed.
#include "operands.h"
#include "stack_common.h"

namespace pcjit::cpu {
namespace {

// 50-57: PUSH reg. PUSH (E)SP pushes the value before the decrement (286 and later).
struct PushReg {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) { return c.push<T>(c.reg<T>(i.reg)); }
};

// 58-5F: POP reg. POP (E)SP: the register receives the popped value (the increment is lost).
struct PopReg {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    T v;
    PCJIT_TRY(c.pop<T>(v));
    c.set_reg<T>(i.reg, v);
    return Exec::Ok;
  }
};

// 68, 6A: PUSH imm (6A's byte was sign-extended by the decoder).
struct PushImm {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) { return c.push<T>(static_cast<T>(i.imm)); }
};

// FF/6: PUSH Ev. A memory operand addressed through ESP uses ESP before the push.
struct PushE {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T v;
    PCJIT_TRY((read_rm<T, Mem>(c, i, v)));
    return c.push<T>(v);
  }
};

// 8F/0: POP Ev. A memory destination addressed through ESP is computed with the incremented ESP
// (SDM "POP"); ESP is committed only after the store succeeded.
struct PopE {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    const u32 old_sp = c.sp();
    T v;
    PCJIT_TRY(c.read<T>(SS, old_sp, v));
    const u32 new_sp = (old_sp + sizeof(T)) & c.sp_mask();
    if constexpr (Mem) {
      const u64 saved = c.s.gpr[ESP];
      c.set_sp(new_sp);
      const u32 ea = c.ea(i);
      c.s.gpr[ESP] = saved;
      PCJIT_TRY(c.write<T>(i.seg, ea, v));
      c.set_sp(new_sp);
    } else {
      c.set_sp(new_sp);
      c.set_reg<T>(i.rm, v);
    }
    return Exec::Ok;
  }
};

// PUSH Sreg. With a 32-bit operand size the stack moves by 4 but only the low word is written
// (P6 and later do a 16-bit store; SDM "PUSH": "the segment selector is written on the stack
// using a 16-bit move"). The whole 4-byte slot is checked first.
template <u8 Seg, bool Wide>
Exec push_sreg(Context& c, const Insn&) {
  const u16 sel = c.s.seg[Seg].selector;
  if constexpr (!Wide) return c.push<u16>(sel);
  const u32 nsp = (c.sp() - 4) & c.sp_mask();
  MemRef r;
  PCJIT_TRY(c.map<u32>(SS, nsp, Access::Write, r));
  PCJIT_TRY(c.write<u16>(SS, nsp, sel));
  c.set_sp(nsp);
  return Exec::Ok;
}

// POP Sreg: the selector is read, the segment loaded, and only then SP moves. The increment uses
// the stack size from before the load (POP SS may change SS.B). POP SS opens the interrupt
// shadow and ends the block (SDM "POP").
template <u8 Seg, class T>
Exec pop_sreg(Context& c, const Insn& i) {
  const bool stack32 = c.stack32();
  const u32 old_sp = c.sp();
  T v;
  PCJIT_TRY(c.read<T>(SS, old_sp, v));
  PCJIT_TRY(c.load_seg(Seg, static_cast<u16>(v)));
  set_sp_sized(c.s, stack32, (old_sp + sizeof(T)) & (stack32 ? 0xFFFFFFFFu : 0xFFFFu));
  if constexpr (Seg == SS) {
    c.s.irq_shadow = true;
    return stop_after(c, i);
  }
  return Exec::Ok;
}

// 60: PUSHA/PUSHAD: AX CX DX BX (original SP) BP SI DI. All eight slots are mapped for writing
// before the first store.
template <class T>
Exec pusha(Context& c, const Insn&) {
  const u32 sp = c.sp();
  const u32 mask = c.sp_mask();
  MemRef slots[8];
  for (unsigned k = 0; k < 8; ++k)
    PCJIT_TRY(c.map<T>(SS, (sp - (k + 1) * sizeof(T)) & mask, Access::Write, slots[k]));
  for (unsigned k = 0; k < 8; ++k) c.store<T>(slots[k], c.reg<T>(k));  // k == ESP: original SP
  c.set_sp((sp - 8 * sizeof(T)) & mask);
  return Exec::Ok;
}

// 61: POPA/POPAD: DI SI BP (skip SP) BX DX CX AX.
template <class T>
Exec popa(Context& c, const Insn&) {
  T v[8];
  for (unsigned k = 0; k < 8; ++k) PCJIT_TRY(c.peek<T>(k * sizeof(T), v[k]));
  for (unsigned k = 0; k < 8; ++k)
    if (7 - k != ESP) c.set_reg<T>(7 - k, v[k]);
  c.set_sp((c.sp() + 8 * sizeof(T)) & c.sp_mask());
  return Exec::Ok;
}

// C8: ENTER imm16, imm8 (SDM "ENTER" operation). The nesting level is taken mod 32; for level
// L > 0 the CPU copies L-1 frame pointers from the old frame (via (E)BP, whose width is the stack
// size) and then pushes the new frame pointer. The SDM also lists #SS when the final (E)SP is
// outside the stack segment, so the final stack top is probed for writing.
// Precise restart: no address depends on data, so a first pass checks every read, every push
// slot and the probe; the second pass then runs the SDM's interleaved read/push sequence, which
// can no longer fault (and reads a slot it pushed earlier exactly as the hardware would).
template <class T>
Exec enter(Context& c, const Insn& i) {
  constexpr u32 kSize = sizeof(T);
  const bool stack32 = c.stack32();
  const u32 mask = c.sp_mask();
  const u32 alloc = i.imm & 0xFFFF;
  const unsigned level = i.imm2 & 0x1F;
  const u32 sp0 = c.sp();
  const u32 bp0 = stack32 ? c.reg<u32>(EBP) : c.reg<u16>(EBP);
  const unsigned pushes = level == 0 ? 1 : level + 1;
  auto slot = [&](unsigned k) { return (sp0 - (k + 1) * kSize) & mask; };  // k-th push
  auto frame_read = [&](unsigned k) { return (bp0 - k * kSize) & mask; };  // k = 1..level-1

  MemRef slots[33];
  for (unsigned k = 0; k < pushes; ++k) PCJIT_TRY(c.map<T>(SS, slot(k), Access::Write, slots[k]));
  for (unsigned k = 1; k < level; ++k) {
    MemRef r;
    PCJIT_TRY(c.map<T>(SS, frame_read(k), Access::Read, r));
  }
  const u32 final_sp = (sp0 - pushes * kSize - alloc) & mask;
  MemRef probe;
  PCJIT_TRY(c.map<T>(SS, final_sp, Access::Write, probe));

  // FrameTemp: (E)SP after pushing (E)BP, at the stack width (upper ESP bits kept for 16).
  const u32 frame = stack32 ? slot(0) : ((c.reg<u32>(ESP) & 0xFFFF0000u) | slot(0));
  c.store<T>(slots[0], c.reg<T>(EBP));
  if (level > 0) {
    for (unsigned k = 1; k < level; ++k) {
      T v;
      PCJIT_TRY(c.read<T>(SS, frame_read(k), v));
      c.store<T>(slots[k], v);
    }
    c.store<T>(slots[level], static_cast<T>(frame));
  }
  c.set_sp(final_sp);
  c.set_reg<T>(EBP, static_cast<T>(frame));
  return Exec::Ok;
}

// C9: LEAVE: (E)SP <- (E)BP (stack size), then POP (E)BP (operand size).
template <class T>
Exec leave(Context& c, const Insn&) {
  const u32 mask = c.sp_mask();
  const u32 top = c.reg<u32>(EBP) & mask;
  T v;
  PCJIT_TRY(c.read<T>(SS, top, v));
  c.set_sp((top + sizeof(T)) & mask);
  c.set_reg<T>(EBP, v);
  return Exec::Ok;
}

template <u8 Seg>
Handler bind_push_sreg(const DecodeView& v, Insn&) {
  return v.opsz == 4 ? push_sreg<Seg, true> : push_sreg<Seg, false>;
}
template <u8 Seg>
Handler bind_pop_sreg(const DecodeView& v, Insn&) {
  return v.opsz == 4 ? pop_sreg<Seg, u32> : pop_sreg<Seg, u16>;
}
Handler bind_pusha(const DecodeView& v, Insn&) { return v.opsz == 4 ? pusha<u32> : pusha<u16>; }
Handler bind_popa(const DecodeView& v, Insn&) { return v.opsz == 4 ? popa<u32> : popa<u16>; }
Handler bind_enter(const DecodeView& v, Insn&) { return v.opsz == 4 ? enter<u32> : enter<u16>; }
Handler bind_leave(const DecodeView& v, Insn&) { return v.opsz == 4 ? leave<u32> : leave<u16>; }

constexpr u16 M = row_flag::kModRM;
constexpr u16 kEnd = row_flag::kEndsBlock;

const OpcodeRow kRows[] = {
    {"push es", 0, 0x06, 1, -1, 0, bind_push_sreg<ES>, OpClass::kStack, fx::kNone},
    {"pop es", 0, 0x07, 1, -1, 0, bind_pop_sreg<ES>, OpClass::kStack, fx::kNone},
    {"push cs", 0, 0x0E, 1, -1, 0, bind_push_sreg<CS>, OpClass::kStack, fx::kNone},
    {"push ss", 0, 0x16, 1, -1, 0, bind_push_sreg<SS>, OpClass::kStack, fx::kNone},
    {"pop ss", 0, 0x17, 1, -1, kEnd, bind_pop_sreg<SS>, OpClass::kStack, fx::kNone},
    {"push ds", 0, 0x1E, 1, -1, 0, bind_push_sreg<DS>, OpClass::kStack, fx::kNone},
    {"pop ds", 0, 0x1F, 1, -1, 0, bind_pop_sreg<DS>, OpClass::kStack, fx::kNone},
    {"push Zv", 0, 0x50, 8, -1, 0, bind_v<PushReg>, OpClass::kStack, fx::kNone},
    {"pop Zv", 0, 0x58, 8, -1, 0, bind_v<PopReg>, OpClass::kStack, fx::kNone},
    {"pusha", 0, 0x60, 1, -1, 0, bind_pusha, OpClass::kStack, fx::kNone},
    {"popa", 0, 0x61, 1, -1, 0, bind_popa, OpClass::kStack, fx::kNone},
    {"push Iv", 0, 0x68, 1, -1, 0, bind_v<PushImm>, OpClass::kStack, fx::kNone},
    {"push Ib", 0, 0x6A, 1, -1, 0, bind_v<PushImm>, OpClass::kStack, fx::kNone},
    {"pop Ev", 0, 0x8F, 1, 0, M, bind_v<PopE>, OpClass::kStack, fx::kNone},
    {"enter Iw,Ib", 0, 0xC8, 1, -1, 0, bind_enter, OpClass::kStack, fx::kNone},
    {"leave", 0, 0xC9, 1, -1, 0, bind_leave, OpClass::kStack, fx::kNone},
    {"push Ev", 0, 0xFF, 1, 6, M, bind_v<PushE>, OpClass::kStack, fx::kNone},
    {"push fs", 1, 0xA0, 1, -1, 0, bind_push_sreg<FS>, OpClass::kStack, fx::kNone},
    {"pop fs", 1, 0xA1, 1, -1, 0, bind_pop_sreg<FS>, OpClass::kStack, fx::kNone},
    {"push gs", 1, 0xA8, 1, -1, 0, bind_push_sreg<GS>, OpClass::kStack, fx::kNone},
    {"pop gs", 1, 0xA9, 1, -1, 0, bind_pop_sreg<GS>, OpClass::kStack, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> stack_flags_rows();  // stack_flags.cpp

std::span<const OpcodeRow> stack_rows() {
  static const std::vector<OpcodeRow> all = join_rows({kRows, stack_flags_rows()});
  return all;
}

}  // namespace pcjit::cpu
