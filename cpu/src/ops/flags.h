// Arithmetic-flag computation shared by every integer family (SDM Vol. 1, 3.4.3 and Appendix A).
// Flags are computed eagerly from the operands and the result, in the operand's width.
#pragma once
#include <bit>

#include "../context.h"

namespace pcjit::cpu {

template <class T>
constexpr unsigned kBits = sizeof(T) * 8;
template <class T>
constexpr T kMsb = static_cast<T>(T{1} << (kBits<T> - 1));

inline u32 parity_flag(u32 v) { return (std::popcount(v & 0xFFu) & 1) ? 0 : flag::PF; }

template <class T>
u32 szp(T r) {
  return (r == 0 ? flag::ZF : 0) | ((r & kMsb<T>) ? flag::SF : 0) | parity_flag(r);
}

// ADD/ADC: r = a + b + carry_in.
template <class T>
u32 add_flags(T a, T b, T r, u32 carry_in) {
  u64 wide = u64{a} + u64{b} + carry_in;
  u32 f = szp(r);
  if ((wide >> kBits<T>) & 1) f |= flag::CF;
  if (((a ^ r) & (b ^ r)) & kMsb<T>) f |= flag::OF;
  if ((a ^ b ^ r) & 0x10) f |= flag::AF;
  return f;
}

// SUB/SBB/CMP/NEG: r = a - b - borrow_in.
template <class T>
u32 sub_flags(T a, T b, T r, u32 borrow_in) {
  u64 wide = u64{a} - u64{b} - borrow_in;
  u32 f = szp(r);
  if ((wide >> kBits<T>) & 1) f |= flag::CF;
  if (((a ^ b) & (a ^ r)) & kMsb<T>) f |= flag::OF;
  if ((a ^ b ^ r) & 0x10) f |= flag::AF;
  return f;
}

// AND/OR/XOR/TEST: CF = OF = 0; AF is undefined (we clear it, as P6 hardware does).
template <class T>
u32 logic_flags(T r) { return szp(r); }

inline void set_flags(CpuState& s, u32 mask, u32 value) { s.eflags = (s.eflags & ~mask) | (value & mask); }
inline void set_arith(CpuState& s, u32 value) { set_flags(s, flag::kArith, value); }
inline u32 carry(const CpuState& s) { return s.eflags & flag::CF; }

// Condition codes 0..15 as in Jcc/SETcc/CMOVcc (SDM Vol. 1, Appendix B).
inline bool condition(u32 f, unsigned cc) {
  bool r;
  switch (cc >> 1) {
    case 0: r = f & flag::OF; break;
    case 1: r = f & flag::CF; break;
    case 2: r = f & flag::ZF; break;
    case 3: r = f & (flag::CF | flag::ZF); break;
    case 4: r = f & flag::SF; break;
    case 5: r = f & flag::PF; break;
    case 6: r = ((f & flag::SF) != 0) != ((f & flag::OF) != 0); break;
    default: r = (f & flag::ZF) || (((f & flag::SF) != 0) != ((f & flag::OF) != 0)); break;
  }
  return (cc & 1) ? !r : r;
}

}  // namespace pcjit::cpu
