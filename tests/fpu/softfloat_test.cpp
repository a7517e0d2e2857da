// Soft-float unit tests whose expected values come from the SDM's special-case tables and from
// hand arithmetic (binary expansions written out in the comments), not from our own output.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "fpu/softfloat.h"

using namespace pcjit;
using namespace pcjit::cpu::sf;

namespace {
constexpr F80 f80(u16 se, u64 sig) { return F80{sig, se}; }
constexpr F80 kOne = f80(0x3FFF, 0x8000000000000000ull);
constexpr F80 kTwo = f80(0x4000, 0x8000000000000000ull);
constexpr F80 kThree = f80(0x4000, 0xC000000000000000ull);
constexpr F80 kFive = f80(0x4001, 0xA000000000000000ull);
constexpr F80 kInf = f80(0x7FFF, 0x8000000000000000ull);
Env env_pc(Precision p, Round r = Round::Nearest) {
  Env e;
  e.precision = p;
  e.round = r;
  return e;
}
}  // namespace

TEST_CASE("1/3 under the three x87 precision controls (SDM Vol. 1, 8.1.5.2)") {
  // 1/3 = 1.010101...b x 2^-2: the bit after the kept significand decides.
  Env e = env_pc(Precision::Single);
  CHECK(div(kOne, kThree, e) == f80(0x3FFD, 0xAAAAAB0000000000ull));  // 24 bits, next bits 1010.. -> up
  CHECK(e.flags == kPE);
  CHECK(e.c1);
  e = env_pc(Precision::Double);
  CHECK(div(kOne, kThree, e) == f80(0x3FFD, 0xAAAAAAAAAAAAA800ull));  // 53 bits, next bit 0 -> down
  CHECK(!e.c1);
  e = env_pc(Precision::Extended);
  CHECK(div(kOne, kThree, e) == f80(0x3FFD, 0xAAAAAAAAAAAAAAABull));
  CHECK(e.c1);
}

TEST_CASE("Invalid operations give the real indefinite (SDM Vol. 1, 4.8.3.7 and Table 4-3)") {
  Env e;
  CHECK(div(kF80Zero, kF80Zero, e) == kRealIndefinite);
  CHECK(e.flags == kIE);
  e = Env{};
  CHECK(sub(kInf, kInf, e) == kRealIndefinite);
  e = Env{};
  CHECK(sqrt(f80(0xBFFF, 0x8000000000000000ull), e) == kRealIndefinite);
  CHECK(e.flags == kIE);
  e = Env{};  // an unnormal is an unsupported operand on a P6 (SDM Vol. 1, 8.2.2)
  CHECK(add(f80(0x3FFF, 0x4000000000000000ull), kOne, e) == kRealIndefinite);
  CHECK(e.flags == kIE);
  e = Env{};  // pseudo-infinity likewise
  CHECK(mul(f80(0x7FFF, 0), kOne, e) == kRealIndefinite);
}

TEST_CASE("Divide by zero, denormal and pseudo-denormal operands") {
  Env e;
  CHECK(div(kOne, kF80Zero, e) == kInf);
  CHECK(e.flags == kZE);
  e = Env{};  // pseudo-denormal 2^-16382 with J=1 reads as the denormal-exponent value, DE
  CHECK(add(f80(0x0000, 0x8000000000000000ull), kF80Zero, e) == f80(0x0001, 0x8000000000000000ull));
  CHECK(e.flags == kDE);
  e = Env{};
  CHECK(classify(f80(0x0000, 0x8000000000000000ull)) == Class::PseudoDenormal);
  CHECK(classify(f80(0x7FFF, 0x4000000000000000ull)) == Class::Unsupported);  // pseudo-NaN
}

TEST_CASE("NaN propagation (SDM Vol. 1, Table 4-7)") {
  F80 snan = f80(0x7FFF, 0x8000000000000001ull), qnan = f80(0x7FFF, 0xC000000000000002ull);
  Env e;
  CHECK(add(snan, kOne, e) == f80(0x7FFF, 0xC000000000000001ull));  // SNaN quieted, IE
  CHECK(e.flags == kIE);
  e = Env{};
  CHECK(add(snan, qnan, e) == qnan);  // SNaN and QNaN: the QNaN
  e = Env{};
  F80 big = f80(0xFFFF, 0xC000000000000009ull);
  CHECK(mul(qnan, big, e) == big);  // two QNaNs: larger significand
  CHECK(e.flags == 0);
}

TEST_CASE("Overflow: masked responses per rounding mode and the unmasked exponent wrap") {
  F80 max = f80(0x7FFE, 0xFFFFFFFFFFFFFFFFull);
  Env e = env_pc(Precision::Extended, Round::Zero);
  CHECK(mul(max, kTwo, e) == max);  // toward zero: largest finite (SDM Vol. 1, Table 4-10)
  CHECK(e.flags == (kOE | kPE));
  e = env_pc(Precision::Single, Round::Zero);
  CHECK(mul(max, kTwo, e) == f80(0x7FFE, 0xFFFFFF0000000000ull));  // largest 24-bit value
  e = Env{};
  CHECK(mul(max, kTwo, e) == kInf);
  CHECK(e.c1);
  e = Env{};
  e.masks = kAllExceptions & ~kOE;  // 2^16383 * 2 = 2^16384 -> biased 0x7FFF - 0x6000
  CHECK(mul(f80(0x7FFE, 0x8000000000000000ull), kTwo, e) == f80(0x1FFF, 0x8000000000000000ull));
  CHECK(e.flags == kOE);
}

TEST_CASE("FIST rounding and the integer indefinite (SDM Vol. 2, FIST)") {
  Env e;
  CHECK(to_i16(f80(0x400E, 0x8000000000000000ull), e) == -32768);  // +32768 does not fit
  CHECK(e.flags == kIE);
  e = Env{};
  CHECK(to_i16(f80(0xC00E, 0x8000000000000000ull), e) == -32768);  // -32768 does
  CHECK(e.flags == 0);
  e = Env{};
  CHECK(to_i32(f80(0x4000, 0xA000000000000000ull), e) == 2);  // 2.5 -> 2 (ties to even)
  CHECK(e.flags == kPE);
  CHECK(!e.c1);
  e = Env{};
  CHECK(to_i32(f80(0x4000, 0xE000000000000000ull), e) == 4);  // 3.5 -> 4, rounded up
  CHECK(e.c1);
}

TEST_CASE("Packed BCD (SDM Vol. 1, 4.7 and Table 4-2)") {
  const u8 bcd[10] = {0x45, 0x23, 0x01, 0, 0, 0, 0, 0, 0, 0x80};  // -12345
  CHECK(from_bcd(bcd) == f80(0xC00C, 0xC0E4000000000000ull));   // 12345 = 0x3039 = 1.1000000111001b x 2^13
  u8 out[10];
  Env e;
  to_bcd(from_bcd(bcd), e, out);
  for (int i = 0; i < 10; ++i) CHECK(out[i] == bcd[i]);
  e = Env{};
  to_bcd(from_int(1000000000000000000ll), e, out);  // 10^18 does not fit 18 digits
  CHECK(e.flags == kIE);
  CHECK(out[9] == 0xFF);
  CHECK(out[8] == 0xFF);
  CHECK(out[7] == 0xC0);
  CHECK(out[0] == 0);
}

TEST_CASE("FXTRACT, FSCALE, FPREM and FPREM1 (SDM Vol. 2)") {
  Env e;
  Extracted x = extract(f80(0xC002, 0x8000000000000000ull), e);  // -8 = -1.0 x 2^3
  CHECK(x.exponent == kThree);
  CHECK(x.significand == f80(0xBFFF, 0x8000000000000000ull));
  e = Env{};
  x = extract(kF80Zero, e);
  CHECK(e.flags == kZE);
  CHECK(x.exponent == f80(0xFFFF, 0x8000000000000000ull));  // -infinity
  e = Env{};
  CHECK(scale(kThree, kTwo, e) == f80(0x4002, 0xC000000000000000ull));  // 3 * 2^2 = 12
  e = Env{};
  Remainder r = remainder(kFive, kThree, e, false);  // 5 = 1*3 + 2
  CHECK(r.value == kTwo);
  CHECK(r.quotient == 1);
  CHECK(r.complete);
  r = remainder(kFive, kThree, e, true);  // 5 = 2*3 - 1 (nearest quotient)
  CHECK(r.value == f80(0xBFFF, 0x8000000000000000ull));
  CHECK(r.quotient == 2);
}

TEST_CASE("SSE: DAZ, FTZ, tiny-but-exact results and conversion indefinites (SDM Vol. 1, 10.2.3)") {
  Env e;
  e.ftz = true;  // 2^-126 / 2 is tiny; FTZ flushes it with UE and PE
  CHECK(div(F32{0x00800000u}, F32{0x40000000u}, e) == F32{0});
  CHECK(e.flags == (kUE | kPE));
  e = Env{};
  CHECK(div(F32{0x00800000u}, F32{0x40000000u}, e) == F32{0x00400000u});  // exact denormal: no UE
  CHECK(e.flags == 0);
  e = Env{};
  e.daz = true;
  CHECK(add(F32{0x00000001u}, F32{0}, e) == F32{0});  // denormal read as zero, no DE
  CHECK(e.flags == 0);
  e = Env{};
  CHECK(div(F64{0}, F64{0}, e) == kF64Indefinite);
  e = Env{};
  CHECK(to_i32(F32{0x4F32D05Eu}, e, true) == static_cast<i32>(0x80000000u));  // 3e9 > INT32_MAX
  CHECK(e.flags == kIE);
}

TEST_CASE("Transcendentals: exact and hand-computed values (SDM Vol. 2 special tables)") {
  Env e;
  // atan(1/1) = pi/4; pi = C90FDAA22168C234 C4C6...h x 2^-62, next bits 1100b -> rounds up.
  CHECK(fpatan(kOne, kOne, e) == f80(0x3FFE, 0xC90FDAA22168C235ull));
  CHECK((e.flags & kPE) != 0);
  e = Env{};  // y = +0, x = -0: +pi (FPATAN table)
  CHECK(fpatan(f80(0x8000, 0), kF80Zero, e) == f80(0x4000, 0xC90FDAA22168C235ull));
  e = Env{};
  CHECK(f2xm1(kOne, e) == kOne);  // 2^1 - 1
  CHECK(f2xm1(f80(0xBFFF, 0x8000000000000000ull), e) == f80(0xBFFE, 0x8000000000000000ull));  // -0.5
  e = Env{};
  CHECK(yl2x(f80(0x4002, 0x8000000000000000ull), kOne, e) == kThree);  // log2(8) = 3
  e = Env{};
  CHECK(yl2x(kF80Zero, kOne, e) == f80(0xFFFF, 0x8000000000000000ull));  // -inf, ZE
  CHECK(e.flags == kZE);
  e = Env{};
  CHECK(fcos(kF80Zero, e).value == kOne);
  CHECK(e.flags == 0);
  Trig t = fsin(f80(0x403F, 0x8000000000000000ull), e);  // 2^64 is out of range: C2, unchanged
  CHECK(t.out_of_range);
  CHECK(t.value == f80(0x403F, 0x8000000000000000ull));
  e = Env{};
  t = fptan(kInf, e);  // infinity: invalid, indefinite in both registers
  CHECK(e.flags == kIE);
  CHECK(t.value == kRealIndefinite);
  CHECK(t.second == kRealIndefinite);
}

TEST_CASE("Square roots: exact squares stay exact, sqrt(2) rounds per its binary expansion") {
  Env e;
  CHECK(sqrt(f80(0x4001, 0x8000000000000000ull), e) == kTwo);  // sqrt(4)
  CHECK(sqrt(f80(0x4002, 0x9000000000000000ull), e) == kThree);  // sqrt(9)
  CHECK(e.flags == 0);
  // sqrt(2) = 1.6A09E667F3BCC908 B2FB1366...h = B504F333F9DE6484 597D89B3...h x 2^-63;
  // the bit after the 64 kept is 0 -> nearest and toward zero agree, up adds one.
  CHECK(sqrt(kTwo, e) == f80(0x3FFF, 0xB504F333F9DE6484ull));
  CHECK(e.flags == kPE);
  Env up = env_pc(Precision::Extended, Round::Up);
  CHECK(sqrt(kTwo, up) == f80(0x3FFF, 0xB504F333F9DE6485ull));
  CHECK(up.c1);
}
