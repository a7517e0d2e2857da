// SSE2 integer moves on XMM registers: PSHUFD/PSHUFHW/PSHUFLW, PMOVMSKB, PEXTRW/PINSRW checked
// against the host CPU (x86-64 only); MOVD/MOVQ/MOVDQA/MOVDQU/MOVNTDQ/MOVQ2DQ/MOVDQ2Q/MASKMOVDQU/
// MOVNTI against the SDM's definitions (zero-extension, which half moves, masked bytes).
#include "x87_rig.h"

using namespace x87_test;
using pcjit::core::ProcessorExit;

namespace {

constexpr u32 kIn = 0x40000, kOut = 0x48000;

struct X16 {
  u64 lo, hi;
};
std::vector<u8> disp(std::vector<u8> b, u32 a) {
  for (int k = 0; k < 4; ++k) b.push_back(static_cast<u8>(a >> (8 * k)));
  return b;
}
Rig& sse_on(Rig& r) {
  r.cpu->state().cr4 |= cpu::cr4::OSFXSR | cpu::cr4::OSXMMEXCPT;
  return r;
}
void set(Rig& r, unsigned k, X16 v) {
  r.cpu->state().xmm[k][0] = v.lo;
  r.cpu->state().xmm[k][1] = v.hi;
}
X16 get(Rig& r, unsigned k) { return {r.cpu->state().xmm[k][0], r.cpu->state().xmm[k][1]}; }

}  // namespace

#if defined(__x86_64__)
TEST_CASE("PSHUFD/PSHUFHW/PSHUFLW, PMOVMSKB, PEXTRW, PINSRW on XMM match the host") {
  u64 s = 1;
  for (unsigned k = 0; k < 16; ++k) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    const X16 a{s, s * 0x9E3779B97F4A7C15ull ^ (s >> 17)};
    const u32 g = static_cast<u32>(s >> 13);
    Rig r;
    sse_on(r);
    set(r, 0, a);
    set(r, 4, a);
    r.cpu->state().gpr[cpu::EBX] = g;
    // pshufd xmm1,xmm0,0x1B; pshufhw xmm2,xmm0,0x93; pshuflw xmm3,xmm0,0x4E; pmovmskb ecx,xmm0;
    // pextrw edx,xmm0,5; pinsrw xmm4,ebx,6
    auto code = cat({{0x66, 0x0F, 0x70, 0xC8, 0x1B}, {0xF3, 0x0F, 0x70, 0xD0, 0x93}, {0xF2, 0x0F, 0x70, 0xD8, 0x4E},
                     {0x66, 0x0F, 0xD7, 0xC8}, {0x66, 0x0F, 0xC5, 0xD0, 0x05}, {0x66, 0x0F, 0xC4, 0xE3, 0x06}, kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    X16 x1, x2, x3, x4 = a;
    u32 ecx, edx;
    asm volatile("movups %[a], %%xmm0\n\tpshufd $0x1B, %%xmm0, %%xmm1\n\tpshufhw $0x93, %%xmm0, %%xmm2\n\t"
                 "pshuflw $0x4E, %%xmm0, %%xmm3\n\tpmovmskb %%xmm0, %[c]\n\tpextrw $5, %%xmm0, %[d]\n\t"
                 "movups %[x4], %%xmm4\n\tpinsrw $6, %[g], %%xmm4\n\tmovups %%xmm1, %[x1]\n\tmovups %%xmm2, %[x2]\n\t"
                 "movups %%xmm3, %[x3]\n\tmovups %%xmm4, %[x4]"
                 : [x1] "=m"(x1), [x2] "=m"(x2), [x3] "=m"(x3), [x4] "+m"(x4), [c] "=&r"(ecx), [d] "=&r"(edx)
                 : [a] "m"(a), [g] "r"(g)
                 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4");
    CAPTURE(k);
    CHECK(get(r, 1).lo == x1.lo);
    CHECK(get(r, 1).hi == x1.hi);
    CHECK(get(r, 2).lo == x2.lo);
    CHECK(get(r, 2).hi == x2.hi);
    CHECK(get(r, 3).lo == x3.lo);
    CHECK(get(r, 3).hi == x3.hi);
    CHECK(get(r, 4).lo == x4.lo);
    CHECK(get(r, 4).hi == x4.hi);
    CHECK(r.cpu->state().reg32(cpu::ECX) == ecx);
    CHECK(r.cpu->state().reg32(cpu::EDX) == edx);
  }
}
#endif

TEST_CASE("SSE2 MOVD/MOVQ/MOVDQA/MOVDQU/MOVNTDQ/MOVQ2DQ/MOVDQ2Q/MASKMOVDQU/MOVNTI") {
  Rig r;
  sse_on(r);
  const X16 big{0x1111111122222222ull, 0x3333333344444444ull};
  set(r, 1, big);
  set(r, 2, big);
  set(r, 3, big);
  set(r, 6, {0x8000800080008000ull, 0x0000000000000080ull});  // mask: bytes 1,3,5,7,8
  r.cpu->state().gpr[cpu::EBX] = 0xCAFEF00D;
  r.cpu->state().gpr[cpu::EDI] = kOut + 0x40;
  r.cpu->state().fpu.r[5].mant = 0x0123456789ABCDEFull;
  for (unsigned k = 0; k < 16; ++k) r.m.memory().write(kIn + k, 1, 0xA0 + k);
  for (unsigned k = 0; k < 16; ++k) r.m.memory().write(kOut + 0x40 + k, 1, 0xEE);
  auto code = cat({
      {0x66, 0x0F, 0x6E, 0xCB},                    // movd xmm1, ebx (upper zeroed)
      {0xF3, 0x0F, 0x7E, 0xD0},                    // movq xmm2, xmm0 -> low of xmm0, upper zeroed
      disp({0x66, 0x0F, 0x6F, 0x1D}, kIn),         // movdqa xmm3, [in]
      disp({0xF3, 0x0F, 0x6F, 0x25}, kIn + 1),     // movdqu xmm4, [in+1]
      disp({0x66, 0x0F, 0x7F, 0x1D}, kOut),        // movdqa [out], xmm3
      disp({0x66, 0x0F, 0xE7, 0x0D}, kOut + 0x10), // movntdq [out+16], xmm1
      disp({0x66, 0x0F, 0xD6, 0x1D}, kOut + 0x20), // movq [out+32], xmm3
      disp({0x66, 0x0F, 0x7E, 0x1D}, kOut + 0x28), // movd [out+40], xmm3
      disp({0x0F, 0xC3, 0x1D}, kOut + 0x30),       // movnti [out+48], ebx
      {0xF3, 0x0F, 0xD6, 0xED},                    // movq2dq xmm5, mm5
      {0xF2, 0x0F, 0xD6, 0xF3},                    // movdq2q mm6, xmm3
      {0x66, 0x0F, 0xF7, 0xD6},                    // maskmovdqu xmm2, xmm6 -> [edi]
      kHlt});
  set(r, 0, {0x5555555566666666ull, 0x7777777788888888ull});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(get(r, 1).lo == 0xCAFEF00Dull);
  CHECK(get(r, 1).hi == 0);
  CHECK(get(r, 2).lo == 0x5555555566666666ull);
  CHECK(get(r, 2).hi == 0);
  CHECK(get(r, 3).lo == 0xA7A6A5A4A3A2A1A0ull);
  CHECK(get(r, 3).hi == 0xAFAEADACABAAA9A8ull);
  CHECK(get(r, 4).lo == 0xA8A7A6A5A4A3A2A1ull);
  CHECK((get(r, 4).hi & 0x00FFFFFFFFFFFFFFull) == 0x00AFAEADACABAAA9ull);  // byte 15 comes from in+16
  CHECK(r64(r, kOut) == 0xA7A6A5A4A3A2A1A0ull);
  CHECK(r64(r, kOut + 8) == 0xAFAEADACABAAA9A8ull);
  CHECK(r64(r, kOut + 0x10) == 0xCAFEF00Dull);
  CHECK(r64(r, kOut + 0x18) == 0);
  CHECK(r64(r, kOut + 0x20) == 0xA7A6A5A4A3A2A1A0ull);
  CHECK(r.r32(kOut + 0x28) == 0xA3A2A1A0u);
  CHECK(r.r32(kOut + 0x30) == 0xCAFEF00Du);
  CHECK(get(r, 5).lo == 0x0123456789ABCDEFull);
  CHECK(get(r, 5).hi == 0);
  CHECK(r.cpu->state().fpu.r[6].mant == 0xA7A6A5A4A3A2A1A0ull);
  CHECK(r.cpu->state().fpu.r[6].se == 0xFFFF);
  // xmm2 = 0x5555555566666666 / 0: bytes 1,3 = 66, 5,7 = 55, 8 = 00; the rest stay EE.
  CHECK(r64(r, kOut + 0x40) == 0x55EE55EE66EE66EEull);
  CHECK(r64(r, kOut + 0x48) == 0xEEEEEEEEEEEEEE00ull);
}
