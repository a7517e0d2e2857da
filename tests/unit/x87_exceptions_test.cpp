// x87 exception paths: masked responses (SDM Vol. 1 4.8.3.7 real indefinite, 8.5 masked results),
// unmasked exceptions reported at the next waiting instruction as #MF with the faulting
// instruction's FIP/FCS/FOP/FDP/FDS (CR0.NE=1), FERR# with CR0.NE=0 (Vol. 1 D.2), and #NM per
// CR0.EM/MP/TS (Vol. 3A Table 2-2). Expected values are worked out from those sections by hand.
#include "x87_rig.h"

using namespace x87_test;
using pcjit::core::ProcessorExit;

namespace {

constexpr u16 kIE = 1, kDE = 2, kZE = 4, kSF = 0x40, kES = 0x80, kC1 = 0x200;

struct IrqLog : core::IrqSink {
  std::vector<std::pair<unsigned, bool>> calls;
  void set_irq(unsigned irq, bool level) override { calls.emplace_back(irq, level); }
};

}  // namespace

TEST_CASE("x87 masked responses: zero divide, invalid, denormal operand, stack faults") {
  SUBCASE("1/0 gives +infinity with ZE") {
    Rig r;
    r.w32(kData, 0);
    auto code = cat({kFninit, kFld1, m(0xD8, 6, kData), fstp64(kData + 0x10), kFnstswAx, kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    CHECK(r.cpu->state().eip() == end_of(code));
    CHECK(r64(r, kData + 0x10) == 0x7FF0000000000000ull);
    CHECK((r.cpu->state().reg16(cpu::EAX) & 0x3F) == kZE);
  }
  SUBCASE("0/0 and sqrt(-1) give the real indefinite with IE") {
    Rig r;
    auto code = cat({kFninit, kFldz, kFldz, {0xDE, 0xF9}, fstp64(kData), kFld1, {0xD9, 0xE0}, {0xD9, 0xFA},
                     fstp80(kData + 0x10), kFnstswAx, kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    CHECK(r64(r, kData) == 0xFFF8000000000000ull);        // QNaN floating-point indefinite (double)
    CHECK(r64(r, kData + 0x10) == 0xC000000000000000ull);  // 80-bit indefinite
    CHECK(r16(r, kData + 0x18) == 0xFFFF);
    CHECK((r.cpu->state().reg16(cpu::EAX) & 0x3F) == kIE);
  }
  SUBCASE("a single-precision denormal operand sets DE and loads exactly") {
    Rig r;
    r.w32(kData, 0x00000001);  // 2^-149
    auto code = cat({kFninit, fld32(kData), fstp64(kData + 0x10), kFnstswAx, kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    CHECK(r64(r, kData + 0x10) == 0x36A0000000000000ull);  // 2^-149 as a double: exponent 1023-149
    CHECK((r.cpu->state().reg16(cpu::EAX) & 0x3F) == kDE);
  }
  SUBCASE("stack underflow stores the indefinite, IE|SF with C1 = 0") {
    Rig r;
    auto code = cat({kFninit, {0xD8, 0xC1}, kFnstswAx, fstp64(kData), kHlt});  // fadd st0, st1 on an empty stack
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    const u16 s = r.cpu->state().reg16(cpu::EAX);
    CHECK((s & (kIE | kSF | kC1)) == (kIE | kSF));
    CHECK(r64(r, kData) == 0xFFF8000000000000ull);
  }
  SUBCASE("stack overflow on the ninth push: IE|SF with C1 = 1, ST(0) indefinite") {
    Rig r;
    std::vector<u8> code = kFninit;
    for (int k = 0; k < 9; ++k) code = cat({code, kFld1});
    code = cat({code, kFnstswAx, fstp80(kData), kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    const u16 s = r.cpu->state().reg16(cpu::EAX);
    CHECK((s & (kIE | kSF | kC1)) == (kIE | kSF | kC1));
    CHECK(((s >> 11) & 7) == 7);  // the masked response still pushes (the indefinite): TOP 0 -> 7
    CHECK(r64(r, kData) == 0xC000000000000000ull);
  }
}

TEST_CASE("unmasked zero divide: no result, ES set, #MF at the next waiting instruction with FIP/FOP/FDP") {
  Rig r;
  r.cpu->state().cr0 |= cpu::cr0::NE;
  r.m.memory().write(kData, 2, 0x037B);  // all masked but ZE
  r.w32(kData + 4, 0);                   // 0.0f
  // fninit; fldcw [kData]; fld1; fdiv dword [kData+4] (D8 /6, ModRM 35h); fwait; hlt
  auto code = cat({kFninit, fldcw(kData), kFld1, m(0xD8, 6, kData + 4), kFwait, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r.halted_in(16));
  const u32 fdiv_at = pm_test::kRing0Code + 2 + 6 + 2;
  CHECK(r.stack(0) == fdiv_at + 6);  // #MF is a fault on the FWAIT
  const auto& f = r.cpu->state().fpu;
  CHECK((f.sw & (kZE | kES)) == (kZE | kES));
  CHECK((f.sw & 0x8000) != 0);  // B mirrors ES
  CHECK(f.fip == fdiv_at);
  CHECK(f.fcs == pm_test::kCode0);
  CHECK(f.fop == 0x035);  // (D8 & 7) << 8 | ModRM 35h
  CHECK(f.fdp == kData + 4);
  CHECK(f.fds == pm_test::kData0);
  // ST(0) still holds 1.0: an unmasked pre-computation exception stores nothing.
  CHECK(f.r[(f.sw >> 11) & 7].se == 0x3FFF);
  CHECK(f.r[(f.sw >> 11) & 7].mant == 0x8000000000000000ull);
}

TEST_CASE("an unmasked exception with CR0.NE=0 asserts FERR# (IRQ13) and execution goes on") {
  Rig r;
  IrqLog log;
  r.cpu->set_ferr_sink(&log);
  r.m.memory().write(kData, 2, 0x037B);
  r.w32(kData + 4, 0);
  auto code = cat({kFninit, fldcw(kData), kFld1, m(0xD8, 6, kData + 4), kFwait, kFnclex, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r.cpu->state().eip() == end_of(code));
  bool raised = false, lowered_after = false;
  for (auto [irq, level] : log.calls) {
    if (irq == 13 && level) raised = true;
    if (irq == 13 && !level && raised) lowered_after = true;
  }
  CHECK(raised);
  CHECK(lowered_after);  // FNCLEX clears ES and with it FERR#
  CHECK((r.cpu->state().fpu.sw & kES) == 0);
}

TEST_CASE("#NM: ESC with CR0.TS or CR0.EM; WAIT only with MP and TS") {
  SUBCASE("TS set: FLD1 faults") {
    Rig r;
    r.cpu->state().cr0 |= cpu::cr0::TS;
    REQUIRE(run_code(r, cat({kFld1, kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(7));
    CHECK(r.stack(0) == pm_test::kRing0Code);
  }
  SUBCASE("EM set: FNINIT faults") {
    Rig r;
    r.cpu->state().cr0 |= cpu::cr0::EM;
    REQUIRE(run_code(r, cat({kFninit, kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(7));
  }
  SUBCASE("TS without MP: WAIT runs") {
    Rig r;
    r.cpu->state().cr0 |= cpu::cr0::TS;
    auto code = cat({kFwait, kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    CHECK(r.cpu->state().eip() == end_of(code));
  }
  SUBCASE("TS with MP: WAIT faults") {
    Rig r;
    r.cpu->state().cr0 |= cpu::cr0::TS | cpu::cr0::MP;
    REQUIRE(run_code(r, cat({kFwait, kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(7));
  }
}

TEST_CASE("FLDCW unmasking a raised flag makes it pending; FNSTSW does not wait") {
  Rig r;
  r.cpu->state().cr0 |= cpu::cr0::NE;
  r.w32(kData, 0);
  r.m.memory().write(kData + 8, 2, 0x037B);
  // 1/0 masked (ZE raised, no ES), then unmask ZE: ES appears; FNSTSW AX runs, FLD1 takes #MF.
  auto code = cat({kFninit, kFld1, m(0xD8, 6, kData), fldcw(kData + 8), kFnstswAx, kFld1, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r.halted_in(16));
  CHECK((r.cpu->state().reg16(cpu::EAX) & (kZE | kES)) == (kZE | kES));
}
