// Bit operations: BT/BTS/BTR/BTC (0F A3/AB/B3/BB and 0F BA /4-7), BSF/BSR (0F BC/BD),
// SETcc (0F 90-9F) and BSWAP (0F C8+r).
//
// SDM Vol. 2A "BT": with a register bit offset and a memory operand, the offset is a signed
// number that selects a bit anywhere in the bit string starting at the operand, so the address
// moves by (offset SAR log2(width)) * width/8 bytes; with an immediate or a register operand the
// offset is taken modulo the width. Only CF is defined (OF SF AF PF are undefined: we leave them
// as they were; ZF is unaffected). BSF/BSR leave the destination unchanged when the source is 0,
// as P6 hardware does. BSWAP on a 16-bit register is undefined; P6 parts clear it.
#include <bit>
#include <type_traits>

#include "flags.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

enum class Bt : u8 { Test, Set, Reset, Complement };

template <Bt Op, class T>
T bit_apply(CpuState& s, T v, unsigned bit) {
  const T m = static_cast<T>(T{1} << bit);
  set_flags(s, flag::CF, (v & m) ? flag::CF : 0);
  switch (Op) {
    case Bt::Test: return v;
    case Bt::Set: return static_cast<T>(v | m);
    case Bt::Reset: return static_cast<T>(v & ~m);
    case Bt::Complement: return static_cast<T>(v ^ m);
  }
  return v;
}

// One access to the selected operand: read-only for BT, read-modify-write otherwise (the write
// check happens before the read, so a fault changes nothing).
template <Bt Op, class T, bool Mem>
Exec bit_at(Context& c, const Insn& i, u32 addr, unsigned bit) {
  if constexpr (Mem) {
    if constexpr (Op == Bt::Test) {
      T v;
      PCJIT_TRY(c.read<T>(i.seg, addr, v));
      bit_apply<Op, T>(c.s, v, bit);
      return Exec::Ok;
    } else {
      MemRef r;
      PCJIT_TRY(c.map<T>(i.seg, addr, Access::Write, r));
      c.store<T>(r, bit_apply<Op, T>(c.s, c.load<T>(r), bit));
      return Exec::Ok;
    }
  } else {
    T v = bit_apply<Op, T>(c.s, c.reg<T>(i.rm), bit);
    if constexpr (Op != Bt::Test) c.set_reg<T>(i.rm, v);
    return Exec::Ok;
  }
}

// BTx Ev,Gv: the bit offset comes from a register.
template <Bt Op>
struct ByReg {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    constexpr unsigned B = kBits<T>;
    const T off = c.reg<T>(i.reg);
    const unsigned bit = off & (B - 1);
    if constexpr (!Mem) {
      return bit_at<Op, T, false>(c, i, 0, bit);
    } else {
      // Signed offset: the operand-sized unit that holds the bit, relative to the EA.
      using S = std::make_signed_t<T>;
      const i32 unit = static_cast<S>(off) >> (B == 16 ? 4 : 5);
      u32 addr = c.ea(i) + static_cast<u32>(unit) * sizeof(T);
      if (i.adsz == 2) addr &= 0xFFFF;
      return bit_at<Op, T, true>(c, i, addr, bit);
    }
  }
};

// BTx Ev,Ib (0F BA /4-7): the offset is the immediate modulo the width.
template <Bt Op>
struct ByImm {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    const unsigned bit = i.imm & (kBits<T> - 1);
    return bit_at<Op, T, Mem>(c, i, Mem ? c.ea(i) : 0, bit);
  }
};

// BSF/BSR Gv,Ev.
template <bool Reverse>
struct Scan {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T src;
    PCJIT_TRY((read_rm<T, Mem>(c, i, src)));
    if (src == 0) {
      set_flags(c.s, flag::ZF, flag::ZF);
      return Exec::Ok;
    }
    const unsigned idx = Reverse ? kBits<T> - 1 - std::countl_zero(src) : std::countr_zero(src);
    c.set_reg<T>(i.reg, static_cast<T>(idx));
    set_flags(c.s, flag::ZF, 0);
    return Exec::Ok;
  }
};

// SETcc Eb: the condition is the opcode's low nibble; ModRM.reg is ignored.
struct Setcc {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    return write_rm<u8, Mem>(c, i, condition(c.s.eflags, i.opcode & 0xF) ? 1 : 0);
  }
};

struct Bswap {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    if constexpr (sizeof(T) == 4) c.set_reg<u32>(i.rm, __builtin_bswap32(c.reg<u32>(i.rm)));
    else c.set_reg<u16>(i.rm, 0);
    return Exec::Ok;
  }
};

constexpr u16 M = row_flag::kModRM;
constexpr u16 L = row_flag::kModRM | row_flag::kLockable;

constexpr OpClass B = OpClass::kBit;
// BT*: CF = the bit, ZF unchanged, OF SF AF PF undefined. BSF/BSR: ZF = (source == 0), CF OF SF AF
// PF undefined. SETcc reads the flags of its condition (FlagRule::kCond; the masks are the union).
// BSWAP is a data transfer (SDM Vol. 1 5.1.1) and touches no flag.
constexpr RowFlags kBt{0, flag::CF | flag::OF | flag::SF | flag::AF | flag::PF,
                       flag::OF | flag::SF | flag::AF | flag::PF};
constexpr RowFlags kScan{0, flag::kArith, flag::kArith & ~flag::ZF};

const OpcodeRow kRows[] = {
    {"bt Ev,Gv", 1, 0xA3, 1, -1, M, bind_v<ByReg<Bt::Test>>, B, kBt},
    {"bts Ev,Gv", 1, 0xAB, 1, -1, L, bind_v<ByReg<Bt::Set>>, B, kBt},
    {"btr Ev,Gv", 1, 0xB3, 1, -1, L, bind_v<ByReg<Bt::Reset>>, B, kBt},
    {"btc Ev,Gv", 1, 0xBB, 1, -1, L, bind_v<ByReg<Bt::Complement>>, B, kBt},
    {"bt Ev,Ib", 1, 0xBA, 1, 4, M, bind_v<ByImm<Bt::Test>>, B, kBt},
    {"bts Ev,Ib", 1, 0xBA, 1, 5, L, bind_v<ByImm<Bt::Set>>, B, kBt},
    {"btr Ev,Ib", 1, 0xBA, 1, 6, L, bind_v<ByImm<Bt::Reset>>, B, kBt},
    {"btc Ev,Ib", 1, 0xBA, 1, 7, L, bind_v<ByImm<Bt::Complement>>, B, kBt},
    {"bsf Gv,Ev", 1, 0xBC, 1, -1, M, bind_v<Scan<false>>, B, kScan},
    {"bsr Gv,Ev", 1, 0xBD, 1, -1, M, bind_v<Scan<true>>, B, kScan},
    {"setcc Eb", 1, 0x90, 16, -1, M, bind_b<Setcc>, B, fx::kCond},
    {"bswap Zv", 1, 0xC8, 8, -1, 0, bind_v<Bswap>, OpClass::kMove, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> bit_rows() { return kRows; }

}  // namespace pcjit::cpu
