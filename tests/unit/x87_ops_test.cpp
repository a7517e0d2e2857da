// x87 instruction results: hand-checked cases (FCOMI flags, FXAM classes, FIST rounding, BCD,
// rounding-dependent constants, FXCH/FFREE tags) and, on x86-64 hosts, the host's own x87 as an
// oracle for the arithmetic (bit-exact) and the transcendentals (error in ulps reported).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "x87_rig.h"

using namespace x87_test;
using pcjit::core::ProcessorExit;

namespace {

constexpr u32 kIn = 0x50000, kOut = 0x58000;  // room for 1024 operand pairs

// FLD tword [a]; op; FSTP tword [out]; FNSTSW AX; HLT.
u16 run_on(Rig& r, const std::vector<u8>& prologue, const std::vector<u8>& op, unsigned results) {
  std::vector<u8> code = cat({kFninit, prologue, op});
  for (unsigned k = 0; k < results; ++k) code = cat({code, fstp80(kOut + 16 * k)});
  code = cat({code, kFnstswAx, kHlt});
  REQUIRE(run_code(r, code, 2000) == ProcessorExit::Halted);
  REQUIRE(r.cpu->state().eip() == end_of(code));
  return r.cpu->state().reg16(cpu::EAX);
}

}  // namespace

TEST_CASE("FCOMI/FCOMIP set ZF/PF/CF; FCOM sets C3/C2/C0 (SDM FCOMI and FCOM tables)") {
  Rig r;
  // fld1; fldz; fcomi st0, st1 (0 < 1: CF) ; fnstsw ax; then fcomp st1 -> C0
  auto code = cat({kFninit, kFld1, kFldz, {0xDB, 0xF1}, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  const u32 fl = r.cpu->state().eflags;
  CHECK((fl & cpu::flag::CF) != 0);
  CHECK((fl & (cpu::flag::ZF | cpu::flag::PF)) == 0);
  Rig r2;
  u16 s = run_on(r2, cat({kFld1, kFld1}), {0xD8, 0xD9}, 0);  // fcomp st1: equal -> C3, pop
  CHECK((s & 0x4500) == 0x4000);
  CHECK(((s >> 11) & 7) == 7);
}

TEST_CASE("FXAM classes (SDM FXAM table): empty, +0, -normal, +inf") {
  auto fxam_sw = [&](const std::vector<u8>& setup) {
    Rig rr;
    put_f80(rr, kIn, 0x8000000000000000ull, 0x7FFF);       // +inf
    put_f80(rr, kIn + 16, 0x8000000000000000ull, 0xC000);  // -2.0
    return static_cast<u16>(run_on(rr, setup, {0xD9, 0xE5}, 0) & 0x4700);
  };
  CHECK(fxam_sw({}) == 0x4100);                 // empty: C3, C0
  CHECK(fxam_sw(kFldz) == 0x4000);              // zero: C3
  CHECK(fxam_sw(fld80(kIn + 16)) == 0x0600);    // normal: C2, sign in C1
  CHECK(fxam_sw(fld80(kIn)) == 0x0500);         // infinity: C2, C0
}

TEST_CASE("FISTP rounds by RC; FBSTP/FBLD round-trip 18-digit BCD") {
  Rig r;
  r.w32(kIn, 0x40200000);                 // 2.5f
  r.m.memory().write(kIn + 4, 2, 0x0B7F);  // RC = up
  r.w32(kIn + 8, 123456789);
  auto code = cat({kFninit, fld32(kIn), m(0xDB, 3, kOut), fldcw(kIn + 4), fld32(kIn), m(0xDB, 3, kOut + 4),
                   m(0xDB, 0, kIn + 8), m(0xDF, 6, kOut + 16), m(0xDF, 4, kOut + 16), m(0xDB, 3, kOut + 32), kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r.r32(kOut) == 2);      // nearest-even
  CHECK(r.r32(kOut + 4) == 3);  // up
  CHECK(r.r32(kOut + 16) == 0x23456789);  // packed BCD, least significant digits first
  CHECK(r.r32(kOut + 20) == 0x01);
  CHECK(r16(r, kOut + 24) == 0);
  CHECK(r.r32(kOut + 32) == 123456789);
}

TEST_CASE("FLDPI/FLDL2T by rounding mode (SDM 8.3.8: 66-bit constants rounded by RC)") {
  auto pi_with = [](u16 cw) {
    Rig r;
    r.m.memory().write(kIn, 2, cw);
    run_on(r, fldcw(kIn), {0xD9, 0xEB}, 1);
    return r64(r, kOut);
  };
  CHECK(pi_with(0x037F) == 0xC90FDAA22168C235ull);
  CHECK(pi_with(0x077F) == 0xC90FDAA22168C234ull);  // down
  CHECK(pi_with(0x0F7F) == 0xC90FDAA22168C234ull);  // toward zero
  CHECK(pi_with(0x0B7F) == 0xC90FDAA22168C235ull);  // up
}

TEST_CASE("FXCH, FFREE, FINCSTP/FDECSTP move values and tags as the SDM describes") {
  Rig r;
  // fld1; fldz; fxch st1 -> ST0 = 1, ST1 = 0; ffree st1; fincstp; fdecstp
  auto code = cat({kFninit, kFld1, kFldz, {0xD9, 0xC9}, {0xDD, 0xC1}, {0xD9, 0xF7}, {0xD9, 0xF6}, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  const auto& f = r.cpu->state().fpu;
  CHECK(((f.sw >> 11) & 7) == 6);
  CHECK(f.r[6].se == 0x3FFF);   // ST(0) = 1.0
  CHECK(f.valid == 0x40);       // R7 freed by FFREE ST(1); FINCSTP/FDECSTP leave tags alone
}

#if defined(__x86_64__)
namespace {

// Monotonic key of a finite 80-bit value for ulp distances.
long ulp_diff(HostF80 a, HostF80 b) {
  constexpr long kFar = 1L << 40;
  if (a.mant == b.mant && a.se == b.se) return 0;
  if ((a.se & 0x8000) != (b.se & 0x8000)) return kFar;
  int ea = a.se & 0x7FFF, eb = b.se & 0x7FFF;
  if (ea < eb || (ea == eb && a.mant < b.mant)) std::swap(a, b), std::swap(ea, eb);
  u64 d;
  if (ea == eb) d = a.mant - b.mant;
  else if (ea == eb + 1) d = (a.mant - (1ull << 63)) + (~b.mant + 1);
  else return kFar;
  return d > static_cast<u64>(kFar) ? kFar : static_cast<long>(d);
}

struct Lcg {
  u64 s = 0x9E3779B97F4A7C15ull;
  u64 next() { s = s * 6364136223846793005ull + 1442695040888963407ull; return s; }
};

// Random 80-bit normal with exponent in [lo, hi] (unbiased) and random sign if wanted.
HostF80 random_f80(Lcg& g, int lo, int hi, bool any_sign) {
  const u64 mant = g.next() | (1ull << 63);
  const int e = lo + static_cast<int>(g.next() % static_cast<u64>(hi - lo + 1));
  const u16 sgn = any_sign && (g.next() & 1) ? 0x8000 : 0;
  return HostF80{mant, static_cast<u16>(sgn | (16383 + e))};
}

enum class Host : u8 { Add, Sub, Mul, Div, Sqrt, Sin, Cos, Tan, Atan, Yl2x, F2xm1, Scale, Prem };

long double host(Host op, long double a, long double b) {
  long double r = a;
  switch (op) {
    case Host::Add: return a + b;
    case Host::Sub: return a - b;
    case Host::Mul: return a * b;
    case Host::Div: return a / b;
    case Host::Sqrt: asm("fsqrt" : "+t"(r)); return r;
    case Host::Sin: asm("fsin" : "+t"(r)); return r;
    case Host::Cos: asm("fcos" : "+t"(r)); return r;
    case Host::Tan: asm("fptan\n\tfstp %%st(0)" : "+t"(r)); return r;
    case Host::Atan: asm("fpatan" : "=t"(r) : "0"(a), "u"(b) : "st(1)"); return r;
    case Host::Yl2x: asm("fyl2x" : "=t"(r) : "0"(a), "u"(b) : "st(1)"); return r;
    case Host::F2xm1: asm("f2xm1" : "+t"(r)); return r;
    case Host::Scale: asm("fscale" : "=t"(r) : "0"(a), "u"(b)); return r;
    case Host::Prem: asm("fprem" : "=t"(r) : "0"(a), "u"(b)); return r;
  }
  return r;
}

// Runs `op` on the emulator for n operand pairs (ST(0) = a, ST(1) = b) and returns the maximum
// ulp distance to the host and the number of differing results.
std::pair<long, int> compare_with_host(Host op, std::vector<u8> bytes, int n, int alo, int ahi, bool asign,
                                       int blo, int bhi, bool bsign) {
  Lcg g;
  std::vector<HostF80> as, bs;
  std::vector<u8> code = kFninit;
  for (int k = 0; k < n; ++k) {
    as.push_back(random_f80(g, alo, ahi, asign));
    bs.push_back(random_f80(g, blo, bhi, bsign));
    code = cat({code, fld80(kIn + 32 * k + 16), fld80(kIn + 32 * k), bytes, fstp80(kOut + 16 * k), kFninit});
  }
  code = cat({code, kHlt});
  Rig r;
  for (int k = 0; k < n; ++k) {
    put_f80(r, kIn + 32 * k, as[k].mant, as[k].se);
    put_f80(r, kIn + 32 * k + 16, bs[k].mant, bs[k].se);
  }
  put(r, pm_test::kRing0Code, code);
  REQUIRE(r.run(100000) == ProcessorExit::Halted);
  REQUIRE(r.cpu->state().eip() == end_of(code));
  long worst = 0;
  int mismatches = 0;
  for (int k = 0; k < n; ++k) {
    HostF80 want = from_ld(host(op, to_ld(as[k]), to_ld(bs[k])));
    HostF80 got{r64(r, kOut + 16 * k), r16(r, kOut + 16 * k + 8)};
    long d = ulp_diff(got, want);
    if (d) ++mismatches;
    if (d > worst) worst = d;
  }
  return {worst, mismatches};
}

}  // namespace

TEST_CASE("x87 arithmetic matches the host x87 bit for bit (x86-64 host)") {
  constexpr int n = 150;
  CHECK(compare_with_host(Host::Add, {0xD8, 0xC1}, n, -40, 40, true, -40, 40, true).second == 0);
  CHECK(compare_with_host(Host::Sub, {0xD8, 0xE1}, n, -40, 40, true, -40, 40, true).second == 0);
  CHECK(compare_with_host(Host::Mul, {0xD8, 0xC9}, n, -400, 400, true, -400, 400, true).second == 0);
  CHECK(compare_with_host(Host::Div, {0xD8, 0xF1}, n, -400, 400, true, -400, 400, true).second == 0);
  CHECK(compare_with_host(Host::Sqrt, {0xD9, 0xFA}, n, -1000, 1000, false, 0, 0, false).second == 0);
  CHECK(compare_with_host(Host::Scale, {0xD9, 0xFD}, n, -100, 100, true, 0, 6, true).second == 0);
  CHECK(compare_with_host(Host::Prem, {0xD9, 0xF8}, n, -5, 20, true, -5, 5, true).second == 0);
}

TEST_CASE("x87 transcendentals against the host x87: maximum error in ulps (x86-64 host)") {
  constexpr int n = 100;
  struct Row {
    const char* name;
    Host op;
    std::vector<u8> bytes;
    int alo, ahi;
    bool asign;
    int blo, bhi;
    bool bsign;
  };
  const Row rows[] = {
      {"fsin", Host::Sin, {0xD9, 0xFE}, -20, 62, true, 0, 0, false},
      {"fcos", Host::Cos, {0xD9, 0xFF}, -20, 62, true, 0, 0, false},
      {"fptan", Host::Tan, {0xD9, 0xF2, 0xDD, 0xD8}, -20, 62, true, 0, 0, false},
      {"fpatan", Host::Atan, {0xD9, 0xF3}, -30, 30, true, -30, 30, true},
      {"fyl2x", Host::Yl2x, {0xD9, 0xF1}, -200, 200, false, -10, 10, true},
      {"f2xm1", Host::F2xm1, {0xD9, 0xF0}, -30, -1, true, 0, 0, false},
  };
  for (const Row& row : rows) {
    auto [worst, mism] = compare_with_host(row.op, row.bytes, n, row.alo, row.ahi, row.asign, row.blo, row.bhi, row.bsign);
    MESSAGE(std::string(row.name) << ": max " << worst << " ulp, " << mism << "/" << n << " differ from the host");
    CHECK(worst <= 1);
  }
}
#else
TEST_CASE("x87 host-oracle comparisons") { MESSAGE("skipped: the host is not x86-64"); }
#endif

TEST_CASE("FSINCOS leaves cos in ST(0) and sin in ST(1); FPTAN pushes 1.0; |x| >= 2^63 sets C2 and keeps x") {
  Rig r;
  // sin(0) = +0, cos(0) = 1, tan(0) = +0 exactly (SDM FSIN/FCOS/FPTAN special-value tables).
  u16 s = run_on(r, kFldz, {0xD9, 0xFB}, 2);
  CHECK(r64(r, kOut) == 0x8000000000000000ull);  // ST(0) = cos 0 = 1.0
  CHECK(r16(r, kOut + 8) == 0x3FFF);
  CHECK(r64(r, kOut + 16) == 0);                // ST(1) = sin 0 = +0
  CHECK((s & 0x0400) == 0);
  Rig r2;
  run_on(r2, kFldz, {0xD9, 0xF2}, 2);
  CHECK(r16(r2, kOut + 8) == 0x3FFF);  // the pushed 1.0
  CHECK(r64(r2, kOut + 16) == 0);      // tan 0
  Rig r3;
  put_f80(r3, kIn, 0x8000000000000000ull, 0x3FFF + 63);  // 2^63
  s = run_on(r3, fld80(kIn), {0xD9, 0xFE}, 1);
  CHECK((s & 0x0400) != 0);  // C2: operand out of range
  CHECK(r64(r3, kOut) == 0x8000000000000000ull);
  CHECK(r16(r3, kOut + 8) == 0x3FFF + 63);
  CHECK(((s >> 11) & 7) == 0);  // nothing pushed: the one FSTP emptied the stack
}

TEST_CASE("FLDENV with an unmasked raised flag makes it pending: #MF at the next waiting instruction") {
  Rig r;
  r.cpu->state().cr0 |= cpu::cr0::NE;
  // 28-byte protected-mode environment: CW 037Bh (ZE unmasked), SW with ZE|ES, all tags empty.
  r.w32(kIn, 0xFFFF037B);
  r.w32(kIn + 4, 0xFFFF0084);
  r.w32(kIn + 8, 0xFFFFFFFF);
  auto code = cat({m(0xD9, 4, kIn), kFld1, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r.halted_in(16));
  CHECK(r.stack(0) == pm_test::kRing0Code + 6);  // the FLD1 after FLDENV
}
