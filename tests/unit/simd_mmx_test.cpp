// MMX and the SSE/SSE2 integer instructions on MMX registers, checked against the host CPU
// executing the same instruction (x86-64 only) on random and boundary operands, in both the
// register and the memory form; plus the MMX exception paths (CR0.EM -> #UD, CR0.TS -> #NM,
// pending x87 exception -> #MF, SDM Vol. 3A Table 2-2 and Vol. 1 9.6) and the x87 aliasing
// (TOP = 0, tags valid, exponent all ones; EMMS empties the tags; SDM Vol. 1 9.5).
#include "x87_rig.h"

using namespace x87_test;
using pcjit::core::ProcessorExit;

namespace {

constexpr u32 kIn = 0x40000, kOut = 0x48000;
constexpr unsigned kSamples = 64;

u64 splitmix(u64& s) {
  u64 z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
// Boundary patterns first (lane minima/maxima, sign bits, zero), then random.
u64 operand(u64& seed, unsigned k) {
  static constexpr u64 kSpecial[] = {0, ~0ull, 0x8000000000000000ull, 0x7FFFFFFFFFFFFFFFull, 0x8080808080808080ull,
                                     0x7F7F7F7F7F7F7F7Full, 0x8000800080008000ull, 0x7FFF7FFF7FFF7FFFull,
                                     0x0000000100000001ull, 0xFF00FF00FF00FF00ull, 0x80000000FFFFFFFFull, 0x40};
  if (k < std::size(kSpecial)) return kSpecial[k];
  u64 v = splitmix(seed);
  return (k & 3) == 0 ? (v & 0x3F) : v;  // small values make shift counts in range
}

std::vector<u8> disp(std::vector<u8> b, u32 a) {
  for (int k = 0; k < 4; ++k) b.push_back(static_cast<u8>(a >> (8 * k)));
  return b;
}

using HostFn = u64 (*)(u64, u64);
struct Case {
  const char* name;
  u8 op;
  HostFn host;
};

// Runs `op mm0, src` for kSamples operand pairs: even samples with mm1 as the source, odd ones
// with the memory form. Returns the results in order.
std::vector<u64> run_binop(u8 op, const std::vector<u64>& a, const std::vector<u64>& b) {
  Rig r;
  std::vector<u8> code;
  for (unsigned k = 0; k < a.size(); ++k) {
    const u32 pa = kIn + 16 * k, pb = pa + 8;
    r.w32(pa, static_cast<u32>(a[k]));
    r.w32(pa + 4, static_cast<u32>(a[k] >> 32));
    r.w32(pb, static_cast<u32>(b[k]));
    r.w32(pb + 4, static_cast<u32>(b[k] >> 32));
    code = cat({code, disp({0x0F, 0x6F, 0x05}, pa)});  // movq mm0, [a]
    if (k & 1) {
      code = cat({code, disp({0x0F, op, 0x05}, pb)});  // op mm0, [b]
    } else {
      code = cat({code, disp({0x0F, 0x6F, 0x0D}, pb), {0x0F, op, 0xC1}});  // movq mm1, [b]; op mm0, mm1
    }
    code = cat({code, disp({0x0F, 0x7F, 0x05}, kOut + 8 * k)});  // movq [out], mm0
  }
  code = cat({code, kHlt});
  REQUIRE(run_code(r, code, 20000) == ProcessorExit::Halted);
  REQUIRE(r.cpu->state().eip() == end_of(code));
  std::vector<u64> out;
  for (unsigned k = 0; k < a.size(); ++k) out.push_back(r64(r, kOut + 8 * k));
  return out;
}

}  // namespace

#if defined(__x86_64__)
#define HOST(insn)                                         \
  [](u64 a, u64 b) -> u64 {                                \
    asm volatile(insn " %1, %0" : "+y"(a) : "y"(b));       \
    asm volatile("emms");                                  \
    return a;                                              \
  }

TEST_CASE("MMX two-operand instructions match the host CPU") {
  const Case cases[] = {
      {"paddb", 0xFC, HOST("paddb")},     {"paddw", 0xFD, HOST("paddw")},     {"paddd", 0xFE, HOST("paddd")},
      {"paddq", 0xD4, HOST("paddq")},     {"psubb", 0xF8, HOST("psubb")},     {"psubw", 0xF9, HOST("psubw")},
      {"psubd", 0xFA, HOST("psubd")},     {"psubq", 0xFB, HOST("psubq")},     {"paddsb", 0xEC, HOST("paddsb")},
      {"paddsw", 0xED, HOST("paddsw")},   {"paddusb", 0xDC, HOST("paddusb")}, {"paddusw", 0xDD, HOST("paddusw")},
      {"psubsb", 0xE8, HOST("psubsb")},   {"psubsw", 0xE9, HOST("psubsw")},   {"psubusb", 0xD8, HOST("psubusb")},
      {"psubusw", 0xD9, HOST("psubusw")}, {"pcmpeqb", 0x74, HOST("pcmpeqb")}, {"pcmpeqw", 0x75, HOST("pcmpeqw")},
      {"pcmpeqd", 0x76, HOST("pcmpeqd")}, {"pcmpgtb", 0x64, HOST("pcmpgtb")}, {"pcmpgtw", 0x65, HOST("pcmpgtw")},
      {"pcmpgtd", 0x66, HOST("pcmpgtd")}, {"pmullw", 0xD5, HOST("pmullw")},   {"pmulhw", 0xE5, HOST("pmulhw")},
      {"pmulhuw", 0xE4, HOST("pmulhuw")}, {"pmaddwd", 0xF5, HOST("pmaddwd")}, {"pmuludq", 0xF4, HOST("pmuludq")},
      {"pand", 0xDB, HOST("pand")},       {"pandn", 0xDF, HOST("pandn")},     {"por", 0xEB, HOST("por")},
      {"pxor", 0xEF, HOST("pxor")},       {"pavgb", 0xE0, HOST("pavgb")},     {"pavgw", 0xE3, HOST("pavgw")},
      {"pminub", 0xDA, HOST("pminub")},   {"pmaxub", 0xDE, HOST("pmaxub")},   {"pminsw", 0xEA, HOST("pminsw")},
      {"pmaxsw", 0xEE, HOST("pmaxsw")},   {"psadbw", 0xF6, HOST("psadbw")},   {"packsswb", 0x63, HOST("packsswb")},
      {"packssdw", 0x6B, HOST("packssdw")}, {"packuswb", 0x67, HOST("packuswb")},
      {"punpckhbw", 0x68, HOST("punpckhbw")}, {"punpckhwd", 0x69, HOST("punpckhwd")},
      {"punpckhdq", 0x6A, HOST("punpckhdq")}, {"psrlw", 0xD1, HOST("psrlw")}, {"psrld", 0xD2, HOST("psrld")},
      {"psrlq", 0xD3, HOST("psrlq")},     {"psraw", 0xE1, HOST("psraw")},     {"psrad", 0xE2, HOST("psrad")},
      {"psllw", 0xF1, HOST("psllw")},     {"pslld", 0xF2, HOST("pslld")},     {"psllq", 0xF3, HOST("psllq")},
  };
  u64 seed = 2026;
  for (const Case& cs : cases) {
    const std::string name = cs.name;
    CAPTURE(name);
    std::vector<u64> a, b;
    for (unsigned k = 0; k < kSamples; ++k) {
      a.push_back(operand(seed, k));
      b.push_back(operand(seed, (k + 5) % kSamples));
    }
    auto got = run_binop(cs.op, a, b);
    unsigned bad = 0;
    for (unsigned k = 0; k < kSamples; ++k) {
      if (got[k] != cs.host(a[k], b[k]) && bad++ < 3) {
        CAPTURE(k);
        CAPTURE(a[k]);
        CAPTURE(b[k]);
        CHECK(got[k] == cs.host(a[k], b[k]));
      }
    }
    CHECK(bad == 0);
  }
}

// PUNPCKL* read only 32 bits from memory (mm/m32): the memory form must not touch the next dword.
TEST_CASE("MMX unpack-low instructions match the host, register and m32 forms") {
  const Case cases[] = {{"punpcklbw", 0x60, HOST("punpcklbw")},
                        {"punpcklwd", 0x61, HOST("punpcklwd")},
                        {"punpckldq", 0x62, HOST("punpckldq")}};
  u64 seed = 7;
  for (const Case& cs : cases) {
    const std::string name = cs.name;
    CAPTURE(name);
    std::vector<u64> a, b;
    for (unsigned k = 0; k < kSamples; ++k) {
      a.push_back(operand(seed, k));
      b.push_back(operand(seed, k + 20));
    }
    auto got = run_binop(cs.op, a, b);
    for (unsigned k = 0; k < kSamples; ++k) {
      CAPTURE(k);
      CHECK(got[k] == cs.host(a[k], b[k] & ((k & 1) ? 0xFFFFFFFFull : ~0ull)));
    }
  }
}

template <int N>
u64 host_shifts(u64 a, unsigned which) {
  switch (which) {
    case 0: asm volatile("psrlw %1, %0" : "+y"(a) : "i"(N)); break;
    case 1: asm volatile("psraw %1, %0" : "+y"(a) : "i"(N)); break;
    case 2: asm volatile("psllw %1, %0" : "+y"(a) : "i"(N)); break;
    case 3: asm volatile("psrld %1, %0" : "+y"(a) : "i"(N)); break;
    case 4: asm volatile("psrad %1, %0" : "+y"(a) : "i"(N)); break;
    case 5: asm volatile("pslld %1, %0" : "+y"(a) : "i"(N)); break;
    case 6: asm volatile("psrlq %1, %0" : "+y"(a) : "i"(N)); break;
    default: asm volatile("psllq %1, %0" : "+y"(a) : "i"(N)); break;
  }
  asm volatile("emms");
  return a;
}

template <int N>
void check_shift_imm() {
  // (opcode, ModRM.reg) of the imm8 group forms, in host_shifts order.
  const u8 forms[8][2] = {{0x71, 2}, {0x71, 4}, {0x71, 6}, {0x72, 2}, {0x72, 4}, {0x72, 6}, {0x73, 2}, {0x73, 6}};
  u64 seed = 99 + N;
  for (unsigned w = 0; w < 8; ++w) {
    Rig r;
    std::vector<u64> a;
    std::vector<u8> code;
    for (unsigned k = 0; k < 16; ++k) {
      a.push_back(operand(seed, k * 3));
      r.w32(kIn + 8 * k, static_cast<u32>(a[k]));
      r.w32(kIn + 8 * k + 4, static_cast<u32>(a[k] >> 32));
      const u8 mmr = static_cast<u8>(k & 7);
      code = cat({code, disp({0x0F, 0x6F, static_cast<u8>(0x05 | mmr << 3)}, kIn + 8 * k),
                  {0x0F, forms[w][0], static_cast<u8>(0xC0 | forms[w][1] << 3 | mmr), static_cast<u8>(N)},
                  disp({0x0F, 0x7F, static_cast<u8>(0x05 | mmr << 3)}, kOut + 8 * k)});
    }
    code = cat({code, kHlt});
    REQUIRE(run_code(r, code, 1000) == ProcessorExit::Halted);
    for (unsigned k = 0; k < 16; ++k) {
      CAPTURE(w);
      CAPTURE(k);
      CHECK(r64(r, kOut + 8 * k) == host_shifts<N>(a[k], w));
    }
  }
}

TEST_CASE("MMX shift-by-immediate forms match the host for in-range and oversized counts") {
  check_shift_imm<0>();
  check_shift_imm<1>();
  check_shift_imm<7>();
  check_shift_imm<15>();
  check_shift_imm<16>();
  check_shift_imm<31>();
  check_shift_imm<33>();
  check_shift_imm<63>();
  check_shift_imm<64>();
  check_shift_imm<200>();
}

TEST_CASE("PSHUFW and PMOVMSKB match the host; PINSRW/PEXTRW and variable PSHUFW follow the SDM") {
  u64 seed = 5;
  for (unsigned k = 0; k < 16; ++k) {
    const u64 a = operand(seed, k + 12), b = operand(seed, k + 30);
    const u32 g = static_cast<u32>(operand(seed, k + 40));
    Rig r;
    r.w32(kIn, static_cast<u32>(a));
    r.w32(kIn + 4, static_cast<u32>(a >> 32));
    r.w32(kIn + 8, static_cast<u32>(b));
    r.w32(kIn + 12, static_cast<u32>(b >> 32));
    r.cpu->state().gpr[cpu::EBX] = g;
    // movq mm0,[a]; pshufw mm1,mm0,0x1B; pshufw mm2,[b],0xE4^k; movq mm3,mm0; pinsrw mm3,ebx,k;
    // pextrw ecx,mm0,k; pmovmskb edx,mm0; movq [out],mm1; [out+8],mm2; [out+16],mm3
    const u8 imm = static_cast<u8>(0xE4 ^ (k * 37));
    auto code = cat({disp({0x0F, 0x6F, 0x05}, kIn), {0x0F, 0x70, 0xC8, 0x1B}, disp({0x0F, 0x70, 0x15}, kIn + 8),
                     {imm}, {0x0F, 0x6F, 0xD8}, {0x0F, 0xC4, 0xDB, static_cast<u8>(k)},
                     {0x0F, 0xC5, 0xC8, static_cast<u8>(k)}, {0x0F, 0xD7, 0xD0}, disp({0x0F, 0x7F, 0x0D}, kOut),
                     disp({0x0F, 0x7F, 0x15}, kOut + 8), disp({0x0F, 0x7F, 0x1D}, kOut + 16), kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    u64 m1 = 0;
    u32 edx = 0;
    asm volatile("pshufw $0x1B, %1, %0" : "=y"(m1) : "y"(a));
    asm volatile("pmovmskb %1, %0" : "=r"(edx) : "y"(a));
    asm volatile("emms");
    // The variable-immediate forms against the SDM's definitions (the host needs a constant).
    u64 m2 = 0;
    for (unsigned l = 0; l < 4; ++l) m2 |= ((b >> (16 * ((imm >> (2 * l)) & 3))) & 0xFFFF) << (16 * l);
    const unsigned sh = (k & 3) * 16;
    const u64 m3 = (a & ~(0xFFFFull << sh)) | (u64{g & 0xFFFF} << sh);
    const u32 ecx = static_cast<u32>((a >> sh) & 0xFFFF);
    CAPTURE(k);
    CHECK(r64(r, kOut) == m1);
    CHECK(r64(r, kOut + 8) == m2);
    CHECK(r64(r, kOut + 16) == m3);
    CHECK(r.cpu->state().reg32(cpu::ECX) == ecx);
    CHECK(r.cpu->state().reg32(cpu::EDX) == edx);
  }
}
#endif

TEST_CASE("MOVD, MOVQ forms and the x87 aliasing of MMX registers") {
  Rig r;
  r.w32(kIn, 0x89ABCDEF);
  r.w32(kIn + 4, 0x01234567);
  r.cpu->state().gpr[cpu::EBX] = 0xCAFEF00D;  // (the rig's prologue uses AX)
  // fninit; fld1 (TOP=7); movd mm2,ebx; movq mm3,[in]; movd [out],mm3; movd esi,mm3; movq mm4,mm3;
  // movq [out+8],mm4; movntq [out+16],mm2
  auto code = cat({kFninit, kFld1, {0x0F, 0x6E, 0xD3}, disp({0x0F, 0x6F, 0x1D}, kIn), disp({0x0F, 0x7E, 0x1D}, kOut),
                   {0x0F, 0x7E, 0xDE}, {0x0F, 0x6F, 0xE3}, disp({0x0F, 0x7F, 0x25}, kOut + 8),
                   disp({0x0F, 0xE7, 0x15}, kOut + 16), kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  const auto& f = r.cpu->state().fpu;
  CHECK(f.r[2].mant == 0xCAFEF00Dull);
  CHECK(f.r[2].se == 0xFFFF);
  CHECK(f.r[3].mant == 0x0123456789ABCDEFull);
  CHECK(r.r32(kOut) == 0x89ABCDEF);
  CHECK(r.cpu->state().reg32(cpu::ESI) == 0x89ABCDEF);
  CHECK(r64(r, kOut + 8) == 0x0123456789ABCDEFull);
  CHECK(r64(r, kOut + 16) == 0xCAFEF00Dull);
  CHECK(((f.sw >> 11) & 7) == 0);  // TOP = 0
  CHECK(f.valid == 0xFF);          // all tags valid
  CHECK(f.r[7].se == 0x3FFF);      // FLD1's register: MMX reads do not change the exponent
}

TEST_CASE("EMMS empties every tag; MASKMOVQ stores the selected bytes at DS:EDI") {
  Rig r;
  r.w32(kIn, 0x80008000);
  r.w32(kIn + 4, 0x00800080);  // mask: bytes 1, 3, 4, 6
  r.w32(kIn + 8, 0x44332211);
  r.w32(kIn + 12, 0x88776655);
  r.w32(kOut, 0xAAAAAAAA);
  r.w32(kOut + 4, 0xAAAAAAAA);
  r.cpu->state().gpr[cpu::EDI] = kOut;
  auto code = cat({disp({0x0F, 0x6F, 0x0D}, kIn), disp({0x0F, 0x6F, 0x05}, kIn + 8), {0x0F, 0xF7, 0xC1},
                   {0x0F, 0x77}, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r64(r, kOut) == 0xAA77AA5544AA22AAull);
  CHECK(r.cpu->state().fpu.valid == 0);
}

TEST_CASE("MMX exceptions: EM -> #UD, TS -> #NM, pending x87 exception -> #MF, state untouched") {
  SUBCASE("CR0.EM") {
    Rig r;
    r.cpu->state().cr0 |= cpu::cr0::EM;
    REQUIRE(run_code(r, cat({{0x0F, 0xFC, 0xC1}, kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(6));
    CHECK(r.stack(0) == pm_test::kRing0Code);
  }
  SUBCASE("CR0.TS") {
    Rig r;
    r.cpu->state().cr0 |= cpu::cr0::TS;
    REQUIRE(run_code(r, cat({{0x0F, 0x77}, kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(7));
    CHECK(r.stack(0) == pm_test::kRing0Code);
  }
  SUBCASE("pending unmasked x87 exception with CR0.NE") {
    Rig r;
    r.cpu->state().cr0 |= cpu::cr0::NE;
    r.cpu->state().fpu.sw = 0x0081;  // IE raised and ES (as after an unmasked invalid)
    r.cpu->state().fpu.cw = 0x037E;
    r.cpu->state().fpu.r[0].mant = 5;
    REQUIRE(run_code(r, cat({{0x0F, 0x6E, 0xC0}, kHlt})) == ProcessorExit::Halted);  // movd mm0, eax
    CHECK(r.halted_in(16));
    CHECK(r.cpu->state().fpu.r[0].mant == 5);
  }
  SUBCASE("page/segment fault on the memory operand leaves TOP and the tags alone") {
    Rig r;
    REQUIRE(run_code(r, cat({kFninit, kFld1, disp({0x0F, 0xFC, 0x05}, 0xFFFFFFFC), kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(((r.cpu->state().fpu.sw >> 11) & 7) == 7);
    CHECK(r.cpu->state().fpu.valid == 0x80);
  }
  SUBCASE("an SSE mandatory prefix is not the MMX form") {
    Rig r;
    REQUIRE(run_code(r, cat({{0xF3, 0x0F, 0xFC, 0xC1}, kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(6));
  }
}
