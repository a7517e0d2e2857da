// Helpers for the x87 tests: 32-bit ring-0 code on the protected-mode rig (pm_rig.h), operands
// in a data page at 0x5000, and the x87 instruction bytes the tests are written in (encodings from
// SDM Vol. 2, Appendix A opcode tables).
#pragma once
#include <cstring>
#include <vector>

#include "pm_rig.h"

namespace x87_test {

using namespace pcjit;
using pm_test::Rig;

constexpr u32 kData = 0x5000;

// ModRM 05/0D/15/.../3D + disp32: the [disp32] memory form with a given reg field.
inline std::vector<u8> m(u8 op, u8 reg, u32 addr) {
  return {op, static_cast<u8>(0x05 | reg << 3), static_cast<u8>(addr), static_cast<u8>(addr >> 8),
          static_cast<u8>(addr >> 16), static_cast<u8>(addr >> 24)};
}
inline std::vector<u8> fld80(u32 a) { return m(0xDB, 5, a); }
inline std::vector<u8> fstp80(u32 a) { return m(0xDB, 7, a); }
inline std::vector<u8> fstp64(u32 a) { return m(0xDD, 3, a); }
inline std::vector<u8> fld64(u32 a) { return m(0xDD, 0, a); }
inline std::vector<u8> fld32(u32 a) { return m(0xD9, 0, a); }
inline std::vector<u8> fldcw(u32 a) { return m(0xD9, 5, a); }
inline std::vector<u8> fnstenv(u32 a) { return m(0xD9, 6, a); }
inline const std::vector<u8> kFninit{0xDB, 0xE3}, kFld1{0xD9, 0xE8}, kFldz{0xD9, 0xEE},
    kFwait{0x9B}, kHlt{0xF4}, kFnstswAx{0xDF, 0xE0}, kFnclex{0xDB, 0xE2};

inline std::vector<u8> cat(std::initializer_list<std::vector<u8>> parts) {
  std::vector<u8> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline void put(Rig& r, u32 a, const std::vector<u8>& bytes) {
  for (u8 b : bytes) r.m.memory().write(a++, 1, b);
}
inline void put_f80(Rig& r, u32 a, u64 mant, u16 se) {
  r.w32(a, static_cast<u32>(mant));
  r.w32(a + 4, static_cast<u32>(mant >> 32));
  r.m.memory().write(a + 8, 2, se);
}
inline u64 r64(Rig& r, u32 a) { return r.r32(a) | u64{r.r32(a + 4)} << 32; }
inline u16 r16(Rig& r, u32 a) { return static_cast<u16>(r.m.memory().read(a, 2)); }

// Loads ring-0 code and runs it from the rig's prologue to its HLT.
inline core::ProcessorExit run_code(Rig& r, const std::vector<u8>& code, u64 budget = 400) {
  put(r, pm_test::kRing0Code, code);
  return r.run(budget);
}
// EIP just after the HLT that ends `code` (the normal end of a test program).
inline u32 end_of(const std::vector<u8>& code) { return pm_test::kRing0Code + static_cast<u32>(code.size()); }

#if defined(__x86_64__)
// The host x87 as an oracle: 80-bit values moved through `long double` (x86-64 SysV: the x87
// extended format), control word at its Linux default 037Fh as after FNINIT.
struct HostF80 {
  u64 mant;
  u16 se;
};
inline long double to_ld(HostF80 v) {
  long double x = 0;
  std::memcpy(&x, &v.mant, 8);
  std::memcpy(reinterpret_cast<char*>(&x) + 8, &v.se, 2);
  return x;
}
inline HostF80 from_ld(long double x) {
  HostF80 v{};
  std::memcpy(&v.mant, &x, 8);
  std::memcpy(&v.se, reinterpret_cast<char*>(&x) + 8, 2);
  return v;
}
#endif

}  // namespace x87_test
