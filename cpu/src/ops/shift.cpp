// Shifts and rotates: the C0/C1/D0-D3 group (ROL ROR RCL RCR SHL SHR SAL SAR, ModRM.reg selects)
// and the double-precision shifts SHLD/SHRD (0F A4/A5/AC/AD).
//
// Semantics follow the SDM Vol. 2B pseudocode ("RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR", "SHLD",
// "SHRD"): the count is masked to 5 bits (every CPU since the 286); a masked count of 0 changes no
// flag; OF is defined only for a count of 1. Where the SDM leaves a flag undefined (OF for larger
// counts, AF after shifts, CF for SHL/SHR by >= the width) we still compute something
// deterministic: OF by the count-1 formula, AF cleared.
#include <type_traits>

#include "flags.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

enum class Sh : u8 { Rol, Ror, Rcl, Rcr, Shl, Shr, Sal, Sar };  // in ModRM.reg order

template <class T>
constexpr u64 kMask = (u64{1} << kBits<T>) - 1;

template <class T>
bool msb(u64 v) { return (v >> (kBits<T> - 1)) & 1; }

// Returns the result of `a Op count` and updates EFLAGS (count already masked, non-zero).
template <Sh Op, class T>
T shift(CpuState& s, T a, unsigned count) {
  constexpr unsigned B = kBits<T>;
  u64 r = a;
  u32 cf = 0, of = 0;
  u32 f = s.eflags;  // rotates keep SF/ZF/AF/PF
  switch (Op) {
    case Sh::Rol: {
      unsigned tc = count % B;
      if (tc) r = ((u64{a} << tc) | (u64{a} >> (B - tc))) & kMask<T>;
      cf = r & 1;
      of = msb<T>(r) ^ cf;
      break;
    }
    case Sh::Ror: {
      unsigned tc = count % B;
      if (tc) r = ((u64{a} >> tc) | (u64{a} << (B - tc))) & kMask<T>;
      cf = msb<T>(r);
      of = msb<T>(r) ^ ((r >> (B - 2)) & 1);
      break;
    }
    case Sh::Rcl: {
      // Rotate through CF: a (B+1)-bit rotation; 8/16-bit counts reduce mod 9/17 (SDM "RCL").
      unsigned tc = B == 32 ? count : count % (B + 1);
      u64 v = (u64{carry(s)} << B) | a;
      if (tc) v = ((v << tc) | (v >> (B + 1 - tc))) & ((kMask<T> << 1) | 1);
      r = v & kMask<T>;
      cf = (v >> B) & 1;
      of = msb<T>(r) ^ cf;
      break;
    }
    case Sh::Rcr: {
      unsigned tc = B == 32 ? count : count % (B + 1);
      of = msb<T>(a) ^ carry(s);  // SDM: computed before the rotation
      u64 v = (u64{carry(s)} << B) | a;
      if (tc) v = ((v >> tc) | (v << (B + 1 - tc))) & ((kMask<T> << 1) | 1);
      r = v & kMask<T>;
      cf = (v >> B) & 1;
      break;
    }
    case Sh::Shl:
    case Sh::Sal: {
      u64 wide = u64{a} << count;  // count <= 31, so bit B holds the last bit shifted out
      r = wide & kMask<T>;
      cf = (wide >> B) & 1;
      of = msb<T>(r) ^ cf;
      f = szp<T>(static_cast<T>(r));
      break;
    }
    case Sh::Shr: {
      r = count >= B ? 0 : (u64{a} >> count);
      cf = count > B ? 0 : (u64{a} >> (count - 1)) & 1;
      of = msb<T>(a);
      f = szp<T>(static_cast<T>(r));
      break;
    }
    case Sh::Sar: {
      // Arithmetic shift: counts beyond the width fill with the sign, as the SDM loop does.
      using S = std::make_signed_t<T>;
      i64 sa = static_cast<S>(a);
      r = static_cast<u64>(sa >> (count > B ? B : count)) & kMask<T>;
      cf = static_cast<u32>((sa >> (count - 1 > B - 1 ? B - 1 : count - 1)) & 1);
      of = 0;
      f = szp<T>(static_cast<T>(r));
      break;
    }
  }
  if (Op == Sh::Rol || Op == Sh::Ror || Op == Sh::Rcl || Op == Sh::Rcr) {
    set_flags(s, flag::CF | flag::OF, (cf ? flag::CF : 0) | (of ? flag::OF : 0));
  } else {
    set_arith(s, (f & (flag::SF | flag::ZF | flag::PF)) | (cf ? flag::CF : 0) | (of ? flag::OF : 0));
  }
  return static_cast<T>(r);
}

enum class CountSrc : u8 { One, Cl, Imm };

template <CountSrc Src>
unsigned raw_count(const Context& c, const Insn& i) {
  if constexpr (Src == CountSrc::One) return 1;
  else if constexpr (Src == CountSrc::Cl) return c.s.reg8(1);
  else return i.imm & 0xFF;
}

template <CountSrc Src, Sh Op>
struct Group {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    const unsigned count = raw_count<Src>(c, i) & 0x1F;
    return modify_rm<T, Mem>(c, i, [&](T d) { return count ? shift<Op, T>(c.s, d, count) : d; });
  }
};

template <CountSrc Src, Sh Op>
Handler bind_shift(const DecodeView& v, Insn&) {
  const unsigned size = (v.opcode & 1) ? v.opsz : 1;
  return pick<Group<Src, Op>>(size, v.mem);
}

// ---- SHLD / SHRD ------------------------------------------------------------------------------
// Both are a shift of the concatenation dest:src. For 16-bit operands the SDM leaves counts above
// 16 undefined; we shift the 48-bit pattern dest:src:dest, which is what P6-family parts return.
template <bool Left, class T>
T double_shift(CpuState& s, T d, T src, unsigned count) {
  constexpr unsigned B = kBits<T>;
  u64 r;
  u32 cf;
  if constexpr (B == 32) {
    if (Left) {
      u64 v = (u64{d} << 32) | src;
      r = (v >> (32 - count)) & kMask<T>;
      cf = (v >> (64 - count)) & 1;
    } else {
      u64 v = (u64{src} << 32) | d;
      r = (v >> count) & kMask<T>;
      cf = (v >> (count - 1)) & 1;
    }
  } else {
    if (Left) {
      u64 v = (u64{d} << 32) | (u64{src} << 16) | d;
      r = (v >> (32 - count)) & kMask<T>;
      cf = (v >> (48 - count)) & 1;
    } else {
      u64 v = (u64{d} << 32) | (u64{src} << 16) | d;
      r = (v >> count) & kMask<T>;
      cf = (v >> (count - 1)) & 1;
    }
  }
  // OF: sign change for a 1-bit shift (SDM "SHLD"/"SHRD"); undefined otherwise, same formula.
  u32 of = msb<T>(r) ^ msb<T>(d);
  set_arith(s, szp<T>(static_cast<T>(r)) | (cf ? flag::CF : 0) | (of ? flag::OF : 0));
  return static_cast<T>(r);
}

template <bool Left, CountSrc Src>
struct Double {
  template <class T, bool Mem>
  static Exec run(Context& c, const Insn& i) {
    const unsigned count = raw_count<Src>(c, i) & 0x1F;
    const T src = c.reg<T>(i.reg);
    return modify_rm<T, Mem>(c, i, [&](T d) { return count ? double_shift<Left, T>(c.s, d, src, count) : d; });
  }
};

constexpr u16 M = row_flag::kModRM;
constexpr OpClass S = OpClass::kShift;

// EFLAGS for counts above 1 (SDM "Flags Affected"); flag_effect.cpp narrows them per count: count 0
// touches nothing, count 1 defines OF, SHL/SHR leave CF undefined for counts >= the width, SHLD/SHRD
// leave everything undefined for counts > the width.
constexpr RowFlags kRotate{0, flag::CF | flag::OF, flag::OF, FlagRule::kCount};
constexpr RowFlags kRotateCarry{flag::CF, flag::CF | flag::OF, flag::OF, FlagRule::kCount};
constexpr RowFlags kShiftLogical{0, flag::kArith, flag::OF | flag::AF, FlagRule::kCountCf};
constexpr RowFlags kShiftArith{0, flag::kArith, flag::OF | flag::AF, FlagRule::kCount};
constexpr RowFlags kDouble{0, flag::kArith, flag::OF | flag::AF, FlagRule::kCountDouble};

// One row per operation (ModRM.reg) and count source, so each carries its own flags and name.
#define PCJIT_SHIFT_ROWS(name, ext, op, X)                                                      \
  {name " Eb,Ib", 0, 0xC0, 1, ext, M, bind_shift<CountSrc::Imm, op>, S, X},                   \
  {name " Ev,Ib", 0, 0xC1, 1, ext, M, bind_shift<CountSrc::Imm, op>, S, X},                   \
  {name " Eb,1", 0, 0xD0, 1, ext, M, bind_shift<CountSrc::One, op>, S, X},                    \
  {name " Ev,1", 0, 0xD1, 1, ext, M, bind_shift<CountSrc::One, op>, S, X},                    \
  {name " Eb,CL", 0, 0xD2, 1, ext, M, bind_shift<CountSrc::Cl, op>, S, X},                    \
  {name " Ev,CL", 0, 0xD3, 1, ext, M, bind_shift<CountSrc::Cl, op>, S, X}

const OpcodeRow kRows[] = {
    PCJIT_SHIFT_ROWS("rol", 0, Sh::Rol, kRotate),
    PCJIT_SHIFT_ROWS("ror", 1, Sh::Ror, kRotate),
    PCJIT_SHIFT_ROWS("rcl", 2, Sh::Rcl, kRotateCarry),
    PCJIT_SHIFT_ROWS("rcr", 3, Sh::Rcr, kRotateCarry),
    PCJIT_SHIFT_ROWS("shl", 4, Sh::Shl, kShiftLogical),
    PCJIT_SHIFT_ROWS("shr", 5, Sh::Shr, kShiftLogical),
    PCJIT_SHIFT_ROWS("sal (/6)", 6, Sh::Sal, kShiftLogical),  // /6 is an alias of SHL on P6
    PCJIT_SHIFT_ROWS("sar", 7, Sh::Sar, kShiftArith),
    {"shld Ev,Gv,Ib", 1, 0xA4, 1, -1, M, bind_v<Double<true, CountSrc::Imm>>, S, kDouble},
    {"shld Ev,Gv,CL", 1, 0xA5, 1, -1, M, bind_v<Double<true, CountSrc::Cl>>, S, kDouble},
    {"shrd Ev,Gv,Ib", 1, 0xAC, 1, -1, M, bind_v<Double<false, CountSrc::Imm>>, S, kDouble},
    {"shrd Ev,Gv,CL", 1, 0xAD, 1, -1, M, bind_v<Double<false, CountSrc::Cl>>, S, kDouble},
};
#undef PCJIT_SHIFT_ROWS

}  // namespace

std::span<const OpcodeRow> shift_rows() { return kRows; }

}  // namespace pcjit::cpu
