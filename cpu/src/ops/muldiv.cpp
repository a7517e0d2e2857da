// Multiplication and division: MUL/IMUL/DIV/IDIV with the accumulator (F6/F7 /4-/7), and the
// truncating IMUL forms Gv,Ev (0F AF) and Gv,Ev,Iv/Ib (69, 6B).
//
// Products and dividends are computed in 64/128-bit host arithmetic, so no width needs its own
// code. Division checks both #DE conditions (divisor 0, quotient out of range: SDM "DIV", "IDIV")
// before any register changes, so the fault restarts precisely. Flags the SDM leaves undefined
// (SF ZF AF PF after multiplies, all six after divides) are: multiplies set SF/ZF/PF from the low
// half and clear AF; divides leave every flag unchanged.
#include <cstdint>
#include <type_traits>

#include "flags.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

template <class T>
using Signed = std::make_signed_t<T>;
template <class T>
using Wide = std::conditional_t<sizeof(T) == 4, u64, u32>;  // holds a double-width value

template <class T>
void mul_flags(CpuState& s, T low, bool overflow) {
  set_arith(s, szp<T>(low) | (overflow ? flag::CF | flag::OF : 0));
}

// The double-width accumulator: AX for bytes, DX:AX for words, EDX:EAX for dwords.
template <class T>
Wide<T> acc_get(const Context& c) {
  if constexpr (sizeof(T) == 1) return c.s.reg16(EAX);
  else return (Wide<T>{c.reg<T>(EDX)} << kBits<T>) | c.reg<T>(EAX);
}
template <class T>
void acc_set(Context& c, T low, T high) {
  if constexpr (sizeof(T) == 1) {
    c.s.set_reg16(EAX, static_cast<u16>((u16{high} << 8) | low));
  } else {
    c.set_reg<T>(EAX, low);
    c.set_reg<T>(EDX, high);
  }
}

enum class Md : u8 { Mul, Imul, Div, Idiv };

// F6/F7 /4-/7: one explicit operand, the other is the accumulator.
template <Md Op>
struct Acc {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T src;
    PCJIT_TRY((read_rm<T, Mem>(c, i, src)));
    constexpr unsigned B = kBits<T>;
    if constexpr (Op == Md::Mul) {
      u64 p = u64{c.reg<T>(EAX)} * u64{src};
      T low = static_cast<T>(p), high = static_cast<T>(p >> B);
      acc_set<T>(c, low, high);
      mul_flags<T>(c.s, low, high != 0);
    } else if constexpr (Op == Md::Imul) {
      i64 p = i64{static_cast<Signed<T>>(c.reg<T>(EAX))} * i64{static_cast<Signed<T>>(src)};
      T low = static_cast<T>(p), high = static_cast<T>(static_cast<u64>(p) >> B);
      acc_set<T>(c, low, high);
      mul_flags<T>(c.s, low, p != static_cast<Signed<T>>(low));
    } else if constexpr (Op == Md::Div) {
      if (src == 0) return c.raise(vec::DE);
      Wide<T> n = acc_get<T>(c);
      Wide<T> q = n / src, r = n % src;
      if (q > static_cast<Wide<T>>(static_cast<T>(~T{0}))) return c.raise(vec::DE);
      acc_set<T>(c, static_cast<T>(q), static_cast<T>(r));
    } else {
      if (src == 0) return c.raise(vec::DE);
      // The dividend as a signed double-width value; i64 covers every width but the
      // INT64_MIN / -1 corner, which overflows any quotient range anyway.
      constexpr unsigned kShift = 64 - 2 * B;  // sign-extend the 2B-bit accumulator
      i64 n = static_cast<i64>(u64{acc_get<T>(c)} << kShift) >> kShift;
      i64 d = static_cast<Signed<T>>(src);
      if (d == -1 && n == INT64_MIN) return c.raise(vec::DE);
      i64 q = n / d, r = n % d;
      constexpr i64 kMax = (i64{1} << (B - 1)) - 1;
      if (q > kMax || q < -kMax - 1) return c.raise(vec::DE);
      acc_set<T>(c, static_cast<T>(q), static_cast<T>(r));
    }
    return Exec::Ok;
  }
};

template <class T>
T imul_trunc(CpuState& s, T a, T b) {
  i64 p = i64{static_cast<Signed<T>>(a)} * i64{static_cast<Signed<T>>(b)};
  T low = static_cast<T>(p);
  mul_flags<T>(s, low, p != static_cast<Signed<T>>(low));
  return low;
}

// IMUL Gv,Ev (0F AF): reg *= r/m.
struct ImulGE {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T src;
    PCJIT_TRY((read_rm<T, Mem>(c, i, src)));
    c.set_reg<T>(i.reg, imul_trunc<T>(c.s, c.reg<T>(i.reg), src));
    return Exec::Ok;
  }
};

// IMUL Gv,Ev,Iv / Ib (69, 6B): reg = r/m * imm; the decoder sign-extended 6B's byte.
struct ImulGEI {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T src;
    PCJIT_TRY((read_rm<T, Mem>(c, i, src)));
    c.set_reg<T>(i.reg, imul_trunc<T>(c.s, src, static_cast<T>(i.imm)));
    return Exec::Ok;
  }
};

constexpr u16 M = row_flag::kModRM;

constexpr OpClass D = OpClass::kMulDiv;
// MUL/IMUL (every form): CF = OF = "the high half is significant"; SF ZF AF PF undefined.
// DIV/IDIV: all six undefined (SDM "Flags Affected").
constexpr RowFlags kMul{0, flag::kArith, flag::SF | flag::ZF | flag::AF | flag::PF};
constexpr RowFlags kDiv{0, flag::kArith, flag::kArith};

const OpcodeRow kRows[] = {
    {"mul Eb", 0, 0xF6, 1, 4, M, bind_b<Acc<Md::Mul>>, D, kMul},
    {"imul Eb", 0, 0xF6, 1, 5, M, bind_b<Acc<Md::Imul>>, D, kMul},
    {"div Eb", 0, 0xF6, 1, 6, M, bind_b<Acc<Md::Div>>, D, kDiv},
    {"idiv Eb", 0, 0xF6, 1, 7, M, bind_b<Acc<Md::Idiv>>, D, kDiv},
    {"mul Ev", 0, 0xF7, 1, 4, M, bind_v<Acc<Md::Mul>>, D, kMul},
    {"imul Ev", 0, 0xF7, 1, 5, M, bind_v<Acc<Md::Imul>>, D, kMul},
    {"div Ev", 0, 0xF7, 1, 6, M, bind_v<Acc<Md::Div>>, D, kDiv},
    {"idiv Ev", 0, 0xF7, 1, 7, M, bind_v<Acc<Md::Idiv>>, D, kDiv},
    {"imul Gv,Ev", 1, 0xAF, 1, -1, M, bind_v<ImulGE>, D, kMul},
    {"imul Gv,Ev,Iv", 0, 0x69, 1, -1, M, bind_v<ImulGEI>, D, kMul},
    {"imul Gv,Ev,Ib", 0, 0x6B, 1, -1, M, bind_v<ImulGEI>, D, kMul},
};

}  // namespace

std::span<const OpcodeRow> muldiv_rows() { return kRows; }

}  // namespace pcjit::cpu
