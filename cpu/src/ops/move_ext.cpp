// Moves that extend, exchange or test first (SDM Vol. 2): MOVZX/MOVSX (0F B6/B7/BE/BF),
// XCHG (86, 87, 91-97), CMOVcc (0F 40-4F), CMPXCHG (0F B0/B1), XADD (0F C0/C1) and CMPXCHG8B
// (0F C7 /1).
//
// Read-modify-write forms map the memory destination for writing before reading it, so a fault
// leaves every register and byte untouched. The locked forms need no extra work here: one guest
// CPU, and a handler is never interrupted.
#include "flags.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

// MOVZX/MOVSX Gv, Eb/Ew: the source width comes from the opcode, the destination from the
// operand size. A 16-bit MOVZX Gw,Ew is a plain 16-bit move.
template <class S, bool Signed>
struct Extend {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    S v;
    PCJIT_TRY((read_rm<S, Mem>(c, i, v)));
    if constexpr (Signed) {
      using SS = std::make_signed_t<S>;
      c.set_reg<T>(i.reg, static_cast<T>(static_cast<std::make_signed_t<T>>(static_cast<SS>(v))));
    } else {
      c.set_reg<T>(i.reg, static_cast<T>(v));
    }
    return Exec::Ok;
  }
};

// 86/87: XCHG E,G. With memory the access is a locked read-modify-write (SDM "XCHG").
struct XchgEG {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    const T g = c.reg<T>(i.reg);
    if constexpr (Mem) {
      MemRef r;
      PCJIT_TRY(c.map<T>(i.seg, c.ea(i), Access::Write, r));
      const T m = c.load<T>(r);
      c.store<T>(r, g);
      c.set_reg<T>(i.reg, m);
    } else {
      const T e = c.reg<T>(i.rm);
      c.set_reg<T>(i.rm, g);
      c.set_reg<T>(i.reg, e);
    }
    return Exec::Ok;
  }
};

// 91-97: XCHG eAX, reg (90 is NOP, in misc.cpp).
struct XchgAcc {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    const T a = c.reg<T>(EAX);
    c.set_reg<T>(EAX, c.reg<T>(i.reg));
    c.set_reg<T>(i.reg, a);
    return Exec::Ok;
  }
};

// 0F 40-4F: CMOVcc Gv,Ev. The source is read whether or not the condition holds, so a bad
// memory operand faults either way (SDM "CMOVcc": "the source operand is always read").
struct Cmov {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    T v;
    PCJIT_TRY((read_rm<T, Mem>(c, i, v)));
    if (condition(c.s.eflags, i.opcode & 0xF)) c.set_reg<T>(i.reg, v);
    return Exec::Ok;
  }
};

// 0F B0/B1: CMPXCHG E,G. Flags as CMP accumulator,dest. A memory destination is always written
// (with its own value when the compare fails), so it is mapped for writing first.
struct Cmpxchg {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    const T acc = c.reg<T>(EAX);
    const T src = c.reg<T>(i.reg);
    T dst;
    MemRef r;
    if constexpr (Mem) {
      PCJIT_TRY(c.map<T>(i.seg, c.ea(i), Access::Write, r));
      dst = c.load<T>(r);
    } else {
      dst = c.reg<T>(i.rm);
    }
    set_arith(c.s, sub_flags<T>(acc, dst, static_cast<T>(acc - dst), 0));
    const bool equal = acc == dst;
    if constexpr (Mem) c.store<T>(r, equal ? src : dst);
    if (equal) {
      if constexpr (!Mem) c.set_reg<T>(i.rm, src);
    } else {
      c.set_reg<T>(EAX, dst);
    }
    return Exec::Ok;
  }
};

// 0F C0/C1: XADD E,G: G <- old E, E <- old E + G; flags as ADD. With rm == reg the sum wins,
// because the destination is written last (SDM "XADD" operation).
struct Xadd {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    const T src = c.reg<T>(i.reg);
    if constexpr (Mem) {
      MemRef r;
      PCJIT_TRY(c.map<T>(i.seg, c.ea(i), Access::Write, r));
      const T dst = c.load<T>(r);
      const T sum = static_cast<T>(dst + src);
      set_arith(c.s, add_flags<T>(dst, src, sum, 0));
      c.store<T>(r, sum);
      c.set_reg<T>(i.reg, dst);
    } else {
      const T dst = c.reg<T>(i.rm);
      const T sum = static_cast<T>(dst + src);
      set_arith(c.s, add_flags<T>(dst, src, sum, 0));
      c.set_reg<T>(i.reg, dst);
      c.set_reg<T>(i.rm, sum);
    }
    return Exec::Ok;
  }
};

// 0F C7 /1: CMPXCHG8B m64. Compares EDX:EAX with m64; equal: ZF=1, m64 <- ECX:EBX; else ZF=0,
// EDX:EAX <- m64 (and m64 is written back unchanged). Only ZF changes (SDM "CMPXCHG8B").
Exec cmpxchg8b(Context& c, const Insn& i) {
  MemRef r;
  PCJIT_TRY(c.map<u64>(i.seg, c.ea(i), Access::Write, r));
  const u64 m = c.load<u64>(r);
  const u64 expected = (u64{c.reg<u32>(EDX)} << 32) | c.reg<u32>(EAX);
  if (m == expected) {
    c.store<u64>(r, (u64{c.reg<u32>(ECX)} << 32) | c.reg<u32>(EBX));
    c.s.eflags |= flag::ZF;
  } else {
    c.store<u64>(r, m);
    c.set_reg<u32>(EAX, static_cast<u32>(m));
    c.set_reg<u32>(EDX, static_cast<u32>(m >> 32));
    c.s.eflags &= ~flag::ZF;
  }
  return Exec::Ok;
}

Handler bind_cmpxchg8b(const DecodeView&, Insn&) { return cmpxchg8b; }

constexpr u16 M = row_flag::kModRM;
constexpr u16 L = row_flag::kModRM | row_flag::kLockable;

constexpr OpClass V = OpClass::kMove;
// CMPXCHG sets the flags of CMP, XADD those of ADD (both classed as ALU operations); CMPXCHG8B sets
// ZF only; CMOVcc tests its condition.
constexpr RowFlags kZfOnly{0, flag::ZF, 0};

const OpcodeRow kRows[] = {
    {"xchg Eb,Gb", 0, 0x86, 1, -1, L, bind_b<XchgEG>, V, fx::kNone},
    {"xchg Ev,Gv", 0, 0x87, 1, -1, L, bind_v<XchgEG>, V, fx::kNone},
    {"xchg Zv,eAX", 0, 0x91, 7, -1, 0, bind_v<XchgAcc>, V, fx::kNone},
    {"cmovcc Gv,Ev", 1, 0x40, 16, -1, M, bind_v<Cmov>, V, fx::kCond},
    {"cmpxchg Eb,Gb", 1, 0xB0, 1, -1, L, bind_b<Cmpxchg>, OpClass::kAlu, fx::kArith},
    {"cmpxchg Ev,Gv", 1, 0xB1, 1, -1, L, bind_v<Cmpxchg>, OpClass::kAlu, fx::kArith},
    {"movzx Gv,Eb", 1, 0xB6, 1, -1, M, bind_v<Extend<u8, false>>, V, fx::kNone},
    {"movzx Gv,Ew", 1, 0xB7, 1, -1, M, bind_v<Extend<u16, false>>, V, fx::kNone},
    {"movsx Gv,Eb", 1, 0xBE, 1, -1, M, bind_v<Extend<u8, true>>, V, fx::kNone},
    {"movsx Gv,Ew", 1, 0xBF, 1, -1, M, bind_v<Extend<u16, true>>, V, fx::kNone},
    {"xadd Eb,Gb", 1, 0xC0, 1, -1, L, bind_b<Xadd>, OpClass::kAlu, fx::kArith},
    {"xadd Ev,Gv", 1, 0xC1, 1, -1, L, bind_v<Xadd>, OpClass::kAlu, fx::kArith},
    {"cmpxchg8b Mq", 1, 0xC7, 1, 1, L | row_flag::kMemOnly, bind_cmpxchg8b, OpClass::kAlu, kZfOnly},
};

}  // namespace

std::span<const OpcodeRow> move_ext_rows() { return kRows; }

}  // namespace pcjit::cpu
