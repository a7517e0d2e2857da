// The eight classic two-operand ALU operations (ADD OR ADC SBB AND SUB XOR CMP) and TEST, in all
// their encodings (SDM Vol. 2: opcodes 00-3D, 80-85, A8-A9, F6/0, F7/0).
//
// One semantic function per operation (kAluOps); the forms (E,G / G,E / accumulator,imm / E,imm)
// are templates around it, so each opcode-table row names its operation and its form.
#include "flags.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

enum class Alu : u8 { Add, Or, Adc, Sbb, And, Sub, Xor, Cmp, Test };

constexpr bool writes_result(Alu op) { return op != Alu::Cmp && op != Alu::Test; }

template <Alu Op, class T>
T alu(CpuState& s, T a, T b) {
  T r;
  u32 f;
  switch (Op) {
    case Alu::Add: r = static_cast<T>(a + b); f = add_flags<T>(a, b, r, 0); break;
    case Alu::Adc: { u32 cin = carry(s); r = static_cast<T>(a + b + cin); f = add_flags<T>(a, b, r, cin); break; }
    case Alu::Sub:
    case Alu::Cmp: r = static_cast<T>(a - b); f = sub_flags<T>(a, b, r, 0); break;
    case Alu::Sbb: { u32 bin = carry(s); r = static_cast<T>(a - b - bin); f = sub_flags<T>(a, b, r, bin); break; }
    case Alu::Or: r = static_cast<T>(a | b); f = logic_flags<T>(r); break;
    case Alu::Xor: r = static_cast<T>(a ^ b); f = logic_flags<T>(r); break;
    case Alu::And:
    case Alu::Test: r = static_cast<T>(a & b); f = logic_flags<T>(r); break;
  }
  set_arith(s, f);
  return r;
}

// E op= G   (00, 01, 08, 09, ...; 84, 85 for TEST)
template <Alu Op>
struct EG {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T src = c.reg<T>(i.reg);
    if constexpr (!writes_result(Op)) {
      T d;
      PCJIT_TRY((read_rm<T, Mem>(c, i, d)));
      alu<Op, T>(c.s, d, src);
      return Exec::Ok;
    } else {
      return modify_rm<T, Mem>(c, i, [&](T d) { return alu<Op, T>(c.s, d, src); });
    }
  }
};

// G op= E   (02, 03, 0A, 0B, ...)
template <Alu Op>
struct GE {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T src;
    PCJIT_TRY((read_rm<T, Mem>(c, i, src)));
    T r = alu<Op, T>(c.s, c.reg<T>(i.reg), src);
    if constexpr (writes_result(Op)) c.set_reg<T>(i.reg, r);
    return Exec::Ok;
  }
};

// E op= imm   (80, 81, 82, 83; F6/0, F7/0 for TEST). The decoder already sign-extended 83's ib.
template <Alu Op>
struct EI {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T src = static_cast<T>(i.imm);
    if constexpr (!writes_result(Op)) {
      T d;
      PCJIT_TRY((read_rm<T, Mem>(c, i, d)));
      alu<Op, T>(c.s, d, src);
      return Exec::Ok;
    } else {
      return modify_rm<T, Mem>(c, i, [&](T d) { return alu<Op, T>(c.s, d, src); });
    }
  }
};

// AL/eAX op= imm   (04, 05, 0C, 0D, ...; A8, A9 for TEST). Register form with rm = EAX.
template <Alu Op>
struct AI {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    T r = alu<Op, T>(c.s, c.reg<T>(EAX), static_cast<T>(i.imm));
    if constexpr (writes_result(Op)) c.set_reg<T>(EAX, r);
    return Exec::Ok;
  }
};

template <template <Alu> class Form, Alu Op>
Handler bind_b_op(const DecodeView& v, Insn& i) { return bind_b<Form<Op>>(v, i); }
template <template <Alu> class Form, Alu Op>
Handler bind_v_op(const DecodeView& v, Insn& i) { return bind_v<Form<Op>>(v, i); }

constexpr u16 L = row_flag::kModRM | row_flag::kLockable;
constexpr u16 M = row_flag::kModRM;

// F: the memory-destination forms' flags; CMP is not lockable (SDM "LOCK"), so its rows pass M.
// X: the EFLAGS effects (SDM "Flags Affected": ADD/SUB/CMP all six; ADC/SBB also read CF;
// AND/OR/XOR/TEST clear OF and CF and leave AF undefined).
#define PCJIT_ALU_ROWS(name, base, op, F, X)                                                   \
  {name " Eb,Gb", 0, base + 0, 1, -1, F, bind_b_op<EG, op>, OpClass::kAlu, X},                 \
  {name " Ev,Gv", 0, base + 1, 1, -1, F, bind_v_op<EG, op>, OpClass::kAlu, X},                 \
  {name " Gb,Eb", 0, base + 2, 1, -1, M, bind_b_op<GE, op>, OpClass::kAlu, X},                 \
  {name " Gv,Ev", 0, base + 3, 1, -1, M, bind_v_op<GE, op>, OpClass::kAlu, X},                 \
  {name " AL,Ib", 0, base + 4, 1, -1, 0, bind_b_op<AI, op>, OpClass::kAlu, X},                 \
  {name " eAX,Iv", 0, base + 5, 1, -1, 0, bind_v_op<AI, op>, OpClass::kAlu, X},                \
  {name " Eb,Ib", 0, 0x80, 1, (base >> 3), F, bind_b_op<EI, op>, OpClass::kAlu, X},            \
  {name " Ev,Iv", 0, 0x81, 1, (base >> 3), F, bind_v_op<EI, op>, OpClass::kAlu, X},            \
  {name " Eb,Ib (82)", 0, 0x82, 1, (base >> 3), F, bind_b_op<EI, op>, OpClass::kAlu, X},       \
  {name " Ev,Ib", 0, 0x83, 1, (base >> 3), F, bind_v_op<EI, op>, OpClass::kAlu, X}

constexpr OpClass A = OpClass::kAlu;

const OpcodeRow kRows[] = {
    PCJIT_ALU_ROWS("add", 0x00, Alu::Add, L, fx::kArith), PCJIT_ALU_ROWS("or", 0x08, Alu::Or, L, fx::kLogic),
    PCJIT_ALU_ROWS("adc", 0x10, Alu::Adc, L, fx::kCarryIn), PCJIT_ALU_ROWS("sbb", 0x18, Alu::Sbb, L, fx::kCarryIn),
    PCJIT_ALU_ROWS("and", 0x20, Alu::And, L, fx::kLogic), PCJIT_ALU_ROWS("sub", 0x28, Alu::Sub, L, fx::kArith),
    PCJIT_ALU_ROWS("xor", 0x30, Alu::Xor, L, fx::kLogic), PCJIT_ALU_ROWS("cmp", 0x38, Alu::Cmp, M, fx::kArith),
    {"test Eb,Gb", 0, 0x84, 1, -1, M, bind_b_op<EG, Alu::Test>, A, fx::kLogic},
    {"test Ev,Gv", 0, 0x85, 1, -1, M, bind_v_op<EG, Alu::Test>, A, fx::kLogic},
    {"test AL,Ib", 0, 0xA8, 1, -1, 0, bind_b_op<AI, Alu::Test>, A, fx::kLogic},
    {"test eAX,Iv", 0, 0xA9, 1, -1, 0, bind_v_op<AI, Alu::Test>, A, fx::kLogic},
    {"test Eb,Ib", 0, 0xF6, 1, 0, M, bind_b_op<EI, Alu::Test>, A, fx::kLogic},
    {"test Ev,Iv", 0, 0xF7, 1, 0, M, bind_v_op<EI, Alu::Test>, A, fx::kLogic},
    {"test Eb,Ib (F6/1)", 0, 0xF6, 1, 1, M, bind_b_op<EI, Alu::Test>, A, fx::kLogic},
    {"test Ev,Iv (F7/1)", 0, 0xF7, 1, 1, M, bind_v_op<EI, Alu::Test>, A, fx::kLogic},
};
#undef PCJIT_ALU_ROWS

}  // namespace

std::span<const OpcodeRow> alu_rows() { return kRows; }

}  // namespace pcjit::cpu
