// One-operand arithmetic: INC, DEC (40-4F, FE/0-1, FF/0-1), NEG and NOT (F6/F7 /2 /3).
//
// INC/DEC are ADD/SUB of 1 that leave CF alone (SDM Vol. 2A "INC", "DEC"); NEG is 0 - x with
// CF = (x != 0) (SDM "NEG"); NOT changes no flag (SDM "NOT"). All share the read-modify-write
// helper, so a memory destination is checked for writing before anything changes.
#include "flags.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

enum class Unary : u8 { Inc, Dec, Neg, Not };

template <Unary Op, class T>
T unary(CpuState& s, T a) {
  switch (Op) {
    case Unary::Inc: {
      T r = static_cast<T>(a + 1);
      set_flags(s, flag::kArith & ~flag::CF, add_flags<T>(a, 1, r, 0));
      return r;
    }
    case Unary::Dec: {
      T r = static_cast<T>(a - 1);
      set_flags(s, flag::kArith & ~flag::CF, sub_flags<T>(a, 1, r, 0));
      return r;
    }
    case Unary::Neg: {
      T r = static_cast<T>(T{0} - a);
      set_arith(s, sub_flags<T>(0, a, r, 0));  // CF = borrow out of 0 - a = (a != 0)
      return r;
    }
    case Unary::Not: return static_cast<T>(~a);
  }
  return a;
}

// The ModRM operand (FE, FF, F6, F7).
template <Unary Op>
struct E {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    return modify_rm<T, Mem>(c, i, [&](T d) { return unary<Op, T>(c.s, d); });
  }
};

// INC/DEC r16/r32 with the register in the opcode (40-4F); the decoder put it in rm.
template <Unary Op>
struct R {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    c.set_reg<T>(i.rm, unary<Op, T>(c.s, c.reg<T>(i.rm)));
    return Exec::Ok;
  }
};

template <template <Unary> class Form, Unary Op>
Handler bind_b_op(const DecodeView& v, Insn& i) { return bind_b<Form<Op>>(v, i); }
template <template <Unary> class Form, Unary Op>
Handler bind_v_op(const DecodeView& v, Insn& i) { return bind_v<Form<Op>>(v, i); }

constexpr u16 L = row_flag::kModRM | row_flag::kLockable;

constexpr OpClass A = OpClass::kAlu;
// INC/DEC: every arithmetic flag but CF; NEG: all six (CF = operand != 0); NOT: none.
constexpr RowFlags kIncDec{0, flag::kArith & ~flag::CF, 0};

const OpcodeRow kRows[] = {
    {"inc Zv", 0, 0x40, 8, -1, 0, bind_v_op<R, Unary::Inc>, A, kIncDec},
    {"dec Zv", 0, 0x48, 8, -1, 0, bind_v_op<R, Unary::Dec>, A, kIncDec},
    {"inc Eb", 0, 0xFE, 1, 0, L, bind_b_op<E, Unary::Inc>, A, kIncDec},
    {"dec Eb", 0, 0xFE, 1, 1, L, bind_b_op<E, Unary::Dec>, A, kIncDec},
    {"inc Ev", 0, 0xFF, 1, 0, L, bind_v_op<E, Unary::Inc>, A, kIncDec},
    {"dec Ev", 0, 0xFF, 1, 1, L, bind_v_op<E, Unary::Dec>, A, kIncDec},
    {"not Eb", 0, 0xF6, 1, 2, L, bind_b_op<E, Unary::Not>, A, fx::kNone},
    {"neg Eb", 0, 0xF6, 1, 3, L, bind_b_op<E, Unary::Neg>, A, fx::kArith},
    {"not Ev", 0, 0xF7, 1, 2, L, bind_v_op<E, Unary::Not>, A, fx::kNone},
    {"neg Ev", 0, 0xF7, 1, 3, L, bind_v_op<E, Unary::Neg>, A, fx::kArith},
};

}  // namespace

std::span<const OpcodeRow> arith_rows() { return kRows; }

}  // namespace pcjit::cpu
