// FNSAVE/FRSTOR, FNSTENV/FLDENV and FXSAVE/FXRSTOR images checked field by field against the SDM
// layouts (Vol. 1 Figures 8-9..8-12 for the 32/16-bit protected and real-mode environments,
// Vol. 2 FXSAVE Table 3-53), and round trips through the restore instructions.
//
// The state saved is built by hand: FNINIT; FLDCW 027Fh; FLD1; FLDZ; FLD dword 2.0 gives
// TOP = 5, R7 = 1.0 (tag 00), R6 = +0 (tag 01), R5 = 2.0 (tag 00), R0-R4 empty (11):
// tag word 13FFh, status word 2800h; the last instruction is the FLD m32 (FOP = 1 << 8 | 05h).
#include "x87_rig.h"

using namespace x87_test;
using pcjit::core::ProcessorExit;

namespace {

constexpr u32 kCw = kData, kTwo = kData + 0x20, kImage = kData + 0x100;

std::vector<u8> build_state() {
  return cat({kFninit, fldcw(kCw), kFld1, kFldz, fld32(kTwo)});
}
void seed(Rig& r) {
  r.m.memory().write(kCw, 2, 0x027F);
  r.w32(kTwo, 0x40000000);  // 2.0f
}
// Address of the FLD m32 in build_state(): 2 + 6 + 2 + 2 bytes in.
constexpr u32 kFldAt = pm_test::kRing0Code + 12;

void check_regs(Rig& r, u32 base, unsigned stride) {
  CHECK(r64(r, base) == 0x8000000000000000ull);  // ST(0) = 2.0
  CHECK(r16(r, base + 8) == 0x4000);
  CHECK(r64(r, base + stride) == 0);  // ST(1) = +0
  CHECK(r16(r, base + stride + 8) == 0);
  CHECK(r64(r, base + 2 * stride) == 0x8000000000000000ull);  // ST(2) = 1.0
  CHECK(r16(r, base + 2 * stride + 8) == 0x3FFF);
}

}  // namespace

TEST_CASE("FNSAVE 32-bit protected-mode image, FPU reinitialised, FRSTOR round trip") {
  Rig r;
  seed(r);
  auto code = cat({build_state(), m(0xDD, 6, kImage), kFnstswAx, m(0xDD, 4, kImage), kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r.cpu->state().eip() == end_of(code));
  CHECK(r16(r, kImage + 0) == 0x027F);
  CHECK(r16(r, kImage + 4) == 0x2800);
  CHECK(r16(r, kImage + 8) == 0x13FF);
  CHECK(r.r32(kImage + 12) == kFldAt);
  CHECK(r.r32(kImage + 16) == (pm_test::kCode0 | 0x105u << 16));  // FCS, FOP in bits 26:16
  CHECK(r.r32(kImage + 20) == kTwo);
  CHECK(r16(r, kImage + 24) == pm_test::kData0);
  check_regs(r, kImage + 28, 10);
  // After FNSAVE the unit is initialised (FNINIT): SW = 0 read by FNSTSW AX.
  CHECK(r.cpu->state().reg16(cpu::EAX) == 0);
  // FRSTOR brought everything back.
  const auto& f = r.cpu->state().fpu;
  CHECK(f.cw == 0x027F);
  CHECK(f.sw == 0x2800);
  CHECK(f.valid == 0xE0);
  CHECK(f.fip == kFldAt);
  CHECK(f.fop == 0x105);
  CHECK(f.fdp == kTwo);
  CHECK(f.r[5].se == 0x4000);
  CHECK(f.r[7].se == 0x3FFF);
}

TEST_CASE("FNSAVE with a 16-bit operand size uses the 14-byte protected-mode environment") {
  Rig r;
  seed(r);
  auto save16 = cat({{0x66}, m(0xDD, 6, kImage)});
  auto code = cat({build_state(), save16, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r16(r, kImage + 0) == 0x027F);
  CHECK(r16(r, kImage + 2) == 0x2800);
  CHECK(r16(r, kImage + 4) == 0x13FF);
  CHECK(r16(r, kImage + 6) == (kFldAt & 0xFFFF));
  CHECK(r16(r, kImage + 8) == pm_test::kCode0);
  CHECK(r16(r, kImage + 10) == (kTwo & 0xFFFF));
  CHECK(r16(r, kImage + 12) == pm_test::kData0);
  check_regs(r, kImage + 14, 10);
}

TEST_CASE("FNSTENV/FLDENV in real mode: 16- and 32-bit layouts hold linear FIP/FDP and FOP") {
  // Real-mode machine: CS = 0100h, code at IP 0, data through DS = 0.
  core::Machine mach({});
  auto owner = std::make_unique<cpu::Cpu>(mach);
  cpu::Cpu& c = *owner;
  mach.set_processor(std::move(owner));
  auto m16 = [](u8 op, u8 reg, u16 a) {
    return std::vector<u8>{op, static_cast<u8>(0x06 | reg << 3), static_cast<u8>(a), static_cast<u8>(a >> 8)};
  };
  // fninit; fld1; fld dword [0x5020] (D9 06 20 50); fnstenv [0x5100] (16-bit);
  // o32 fnstenv [0x5200] (32-bit); hlt
  auto code = cat({kFninit, kFld1, m16(0xD9, 0, 0x5020), m16(0xD9, 6, 0x5100), {0x66}, m16(0xD9, 6, 0x5200), kHlt});
  u32 a = 0x1000;
  for (u8 b : code) mach.memory().write(a++, 1, b);
  mach.memory().write(0x5020, 4, 0x40000000);
  c.load_real_segment(cpu::CS, 0x0100);
  c.load_real_segment(cpu::DS, 0);
  c.state().rip = 0;
  c.state_changed();
  REQUIRE(c.run(50) == ProcessorExit::Halted);
  const u32 fip_lin = 0x1000 + 4;  // CS*16 + IP of the FLD m32
  auto rd16 = [&](u32 x) { return static_cast<u16>(mach.memory().read(x, 2)); };
  auto rd32 = [&](u32 x) { return static_cast<u32>(mach.memory().read(x, 4)); };
  // 16-bit real-mode layout (Figure 8-11).
  CHECK(rd16(0x5100 + 0) == 0x037F);
  CHECK(rd16(0x5100 + 2) == 0x3000);  // TOP = 6
  CHECK(rd16(0x5100 + 4) == 0x0FFF);  // R6, R7 valid (00), the rest empty
  CHECK(rd16(0x5100 + 6) == (fip_lin & 0xFFFF));
  CHECK(rd16(0x5100 + 8) == (((fip_lin >> 16) & 0xF) << 12 | 0x106));  // FIP 19:16 | FOP
  CHECK(rd16(0x5100 + 10) == 0x5020);
  CHECK(rd16(0x5100 + 12) == 0);
  // 32-bit real-mode layout (Figure 8-10).
  CHECK(rd16(0x5200 + 0) == 0x037F);
  CHECK(rd16(0x5200 + 4) == 0x3000);
  CHECK(rd16(0x5200 + 8) == 0x0FFF);
  CHECK(rd16(0x5200 + 12) == (fip_lin & 0xFFFF));
  CHECK(rd32(0x5200 + 16) == ((fip_lin >> 16) << 12 | 0x106));
  CHECK(rd16(0x5200 + 20) == 0x5020);
  CHECK(rd32(0x5200 + 24) == 0);
  // FNSTENV masks every exception afterwards.
  CHECK((c.state().fpu.cw & 0x3F) == 0x3F);
}

TEST_CASE("FXSAVE image (Table 3-53) and FXRSTOR round trip; a misaligned operand is #GP(0)") {
  Rig r;
  seed(r);
  constexpr u32 kFx = kData + 0x200;  // 16-byte aligned
  auto code = cat({build_state(), {0x0F, 0xAE, 0x05, 0x00, 0x52, 0x00, 0x00}, kFninit,
                   {0x0F, 0xAE, 0x0D, 0x00, 0x52, 0x00, 0x00}, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  REQUIRE(r.cpu->state().eip() == end_of(code));
  CHECK(r16(r, kFx + 0) == 0x027F);
  CHECK(r16(r, kFx + 2) == 0x2800);
  CHECK(r.r8(kFx + 4) == 0xE0);  // abridged tags: R5, R6, R7 valid
  CHECK(r16(r, kFx + 6) == 0x105);
  CHECK(r.r32(kFx + 8) == kFldAt);
  CHECK(r16(r, kFx + 12) == pm_test::kCode0);
  CHECK(r.r32(kFx + 16) == kTwo);
  CHECK(r16(r, kFx + 20) == pm_test::kData0);
  CHECK(r.r32(kFx + 24) == 0x1F80);
  check_regs(r, kFx + 32, 16);
  const auto& f = r.cpu->state().fpu;
  CHECK(f.cw == 0x027F);
  CHECK(f.sw == 0x2800);
  CHECK(f.valid == 0xE0);
  CHECK(f.fop == 0x105);

  Rig r2;
  REQUIRE(run_code(r2, cat({{0x0F, 0xAE, 0x05, 0x08, 0x52, 0x00, 0x00}, kHlt})) == ProcessorExit::Halted);
  CHECK(r2.halted_in(13));
}

TEST_CASE("FXSAVE/FXRSTOR carry MXCSR and, with CR4.OSFXSR, XMM0-7 at bytes 160-287") {
  Rig r;
  auto& s = r.cpu->state();
  s.cr4 |= cpu::cr4::OSFXSR;
  s.mxcsr = 0x3F80;  // RC = down, all masked
  s.xmm[0][0] = 0x1111111122222222ull;
  s.xmm[0][1] = 0x3333333344444444ull;
  s.xmm[7][1] = 0x5555555566666666ull;
  constexpr u32 kFx = kData + 0x400;
  // fxsave [kFx]; then with the image's XMM0 low dword changed: fxrstor [kFx]; hlt
  auto code = cat({{0x0F, 0xAE, 0x05, 0x00, 0x54, 0x00, 0x00}, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r.r32(kFx + 24) == 0x3F80);
  CHECK(r.r32(kFx + 28) == 0xFFFF);  // MXCSR_MASK with DAZ (SDM Vol. 1 11.6.6)
  CHECK(r.r32(kFx + 160) == 0x22222222);
  CHECK(r.r32(kFx + 172) == 0x33333333);
  CHECK(r.r32(kFx + 160 + 7 * 16 + 12) == 0x55555555);
  r.w32(kFx + 160, 0xABCDEF01);
  s.xmm[0][0] = 0;
  s.mxcsr = 0x1F80;
  s.halted = false;
  put(r, pm_test::kRing0Code + 8, {0x0F, 0xAE, 0x0D, 0x00, 0x54, 0x00, 0x00, 0xF4});
  s.rip = pm_test::kRing0Code + 8;
  r.cpu->state_changed();
  REQUIRE(r.cpu->run(10) == ProcessorExit::Halted);
  CHECK(s.xmm[0][0] == 0x11111111ABCDEF01ull);
  CHECK(s.mxcsr == 0x3F80);
  // A reserved MXCSR bit (bit 16) in the image is #GP(0).
  r.w32(kFx + 24, 0x11F80);
  s.halted = false;
  s.rip = pm_test::kRing0Code + 8;
  r.cpu->state_changed();
  REQUIRE(r.cpu->run(10) == ProcessorExit::Halted);
  CHECK(r.halted_in(13));
}
