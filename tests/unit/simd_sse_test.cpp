// SSE/SSE2 floating-point arithmetic and moves against the host CPU (x86-64 only) executing the
// same instruction from the same MXCSR (1F80H) on boundary and random operands: results and the
// MXCSR flags must match bit for bit, in register and memory forms. Then the SSE exception
// paths from the SDM (Vol. 1 11.5.1, Vol. 3A Table 2-2, Vol. 2 LDMXCSR/MOVAPS): unmasked
// exception -> #XM (OSXMMEXCPT=1) or #UD, destination unchanged, flag set; CR4.OSFXSR=0 -> #UD;
// CR0.TS -> #NM; misaligned MOVAPS -> #GP(0); reserved MXCSR bits -> #GP(0).
#include "x87_rig.h"

using namespace x87_test;
using pcjit::core::ProcessorExit;

namespace {

constexpr u32 kIn = 0x40000, kOut = 0x48000, kCsr = 0x4F000;
constexpr unsigned kSamples = 40;

struct X16 {
  u64 lo, hi;
};

u64 splitmix(u64& s) {
  u64 z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
constexpr u32 kS32[] = {0, 0x80000000, 0x3F800000, 0xBF800000, 0x7F800000, 0xFF800000, 0x7FC00000,
                        0x7FA00000, 0x00000001, 0x807FFFFF, 0x7F7FFFFF, 0x00800000, 0x40490FDB, 0x4B000001};
constexpr u64 kS64[] = {0, 0x8000000000000000ull, 0x3FF0000000000000ull, 0xBFF0000000000000ull, 0x7FF0000000000000ull,
                        0xFFF0000000000000ull, 0x7FF8000000000000ull, 0x7FF4000000000000ull, 1, 0x800FFFFFFFFFFFFFull,
                        0x7FEFFFFFFFFFFFFFull, 0x0010000000000000ull, 0x400921FB54442D18ull, 0x4330000000000001ull};
u32 lane32(u64& seed) {
  u64 r = splitmix(seed);
  if ((r & 3) == 0) return kS32[(r >> 8) % std::size(kS32)];
  return static_cast<u32>(r >> 32);
}
u64 lane64(u64& seed) {
  u64 r = splitmix(seed);
  if ((r & 3) == 0) return kS64[(r >> 8) % std::size(kS64)];
  return splitmix(seed);
}
X16 operand(u64& seed, bool dbl) {
  if (dbl) return {lane64(seed), lane64(seed)};
  return {lane32(seed) | u64{lane32(seed)} << 32, lane32(seed) | u64{lane32(seed)} << 32};
}

std::vector<u8> disp(std::vector<u8> b, u32 a) {
  for (int k = 0; k < 4; ++k) b.push_back(static_cast<u8>(a >> (8 * k)));
  return b;
}
std::vector<u8> op_bytes(u8 prefix, u8 op, std::vector<u8> rest) {
  std::vector<u8> v;
  if (prefix) v.push_back(prefix);
  v.push_back(0x0F);
  v.push_back(op);
  v.insert(v.end(), rest.begin(), rest.end());
  return v;
}
void put128(Rig& r, u32 a, X16 v) {
  r.w32(a, static_cast<u32>(v.lo));
  r.w32(a + 4, static_cast<u32>(v.lo >> 32));
  r.w32(a + 8, static_cast<u32>(v.hi));
  r.w32(a + 12, static_cast<u32>(v.hi >> 32));
}
X16 get128(Rig& r, u32 a) { return {r64(r, a), r64(r, a + 8)}; }

Rig& sse_on(Rig& r) {
  r.cpu->state().cr4 |= cpu::cr4::OSFXSR | cpu::cr4::OSXMMEXCPT;
  return r;
}

}  // namespace

#if defined(__x86_64__)
using HostFn = void (*)(X16& a, const X16& b, u32& csr);
#define HOSTF(insn)                                                                                     \
  [](X16& a, const X16& b, u32& csr) {                                                                  \
    const u32 in = csr;                                                                                 \
    asm volatile("ldmxcsr %[in]\n\tmovups %[a], %%xmm0\n\tmovups %[b], %%xmm1\n\t" insn                 \
                 " %%xmm1, %%xmm0\n\tmovups %%xmm0, %[a]\n\tstmxcsr %[out]"                             \
                 : [a] "+m"(a), [out] "=m"(csr)                                                         \
                 : [b] "m"(b), [in] "m"(in)                                                             \
                 : "xmm0", "xmm1");                                                                     \
    const u32 restore = 0x1F80;                                                                         \
    asm volatile("ldmxcsr %0" : : "m"(restore));                                                        \
  }

struct FpCase {
  const char* name;
  u8 prefix;
  u8 op;
  HostFn host;
  int imm = -1;  // imm8 after the operands, when the instruction has one
  u8 mem_bytes = 0;  // memory operand width when the prefix rule (F3: 4, F2: 8, else 16) does not hold
};

TEST_CASE("SSE/SSE2 arithmetic matches the host CPU in every rounding mode and FTZ: results and MXCSR flags") {
  const FpCase cases[] = {
      {"addps", 0, 0x58, HOSTF("addps")},       {"addss", 0xF3, 0x58, HOSTF("addss")},
      {"addpd", 0x66, 0x58, HOSTF("addpd")},    {"addsd", 0xF2, 0x58, HOSTF("addsd")},
      {"subps", 0, 0x5C, HOSTF("subps")},       {"subss", 0xF3, 0x5C, HOSTF("subss")},
      {"subpd", 0x66, 0x5C, HOSTF("subpd")},    {"subsd", 0xF2, 0x5C, HOSTF("subsd")},
      {"mulps", 0, 0x59, HOSTF("mulps")},       {"mulss", 0xF3, 0x59, HOSTF("mulss")},
      {"mulpd", 0x66, 0x59, HOSTF("mulpd")},    {"mulsd", 0xF2, 0x59, HOSTF("mulsd")},
      {"divps", 0, 0x5E, HOSTF("divps")},       {"divss", 0xF3, 0x5E, HOSTF("divss")},
      {"divpd", 0x66, 0x5E, HOSTF("divpd")},    {"divsd", 0xF2, 0x5E, HOSTF("divsd")},
      {"minps", 0, 0x5D, HOSTF("minps")},       {"minss", 0xF3, 0x5D, HOSTF("minss")},
      {"minpd", 0x66, 0x5D, HOSTF("minpd")},    {"minsd", 0xF2, 0x5D, HOSTF("minsd")},
      {"maxps", 0, 0x5F, HOSTF("maxps")},       {"maxss", 0xF3, 0x5F, HOSTF("maxss")},
      {"maxpd", 0x66, 0x5F, HOSTF("maxpd")},    {"maxsd", 0xF2, 0x5F, HOSTF("maxsd")},
      {"sqrtps", 0, 0x51, HOSTF("sqrtps")},     {"sqrtss", 0xF3, 0x51, HOSTF("sqrtss")},
      {"sqrtpd", 0x66, 0x51, HOSTF("sqrtpd")},  {"sqrtsd", 0xF2, 0x51, HOSTF("sqrtsd")},
      {"andps", 0, 0x54, HOSTF("andps")},       {"andnpd", 0x66, 0x55, HOSTF("andnpd")},
      {"orps", 0, 0x56, HOSTF("orps")},         {"xorpd", 0x66, 0x57, HOSTF("xorpd")},
      {"movss", 0xF3, 0x10, HOSTF("movss")},    {"movsd", 0xF2, 0x10, HOSTF("movsd")},
      {"cmpeqps", 0, 0xC2, HOSTF("cmpps $0,"), 0},   {"cmpltps", 0, 0xC2, HOSTF("cmpps $1,"), 1},
      {"cmpleps", 0, 0xC2, HOSTF("cmpps $2,"), 2},   {"cmpunordps", 0, 0xC2, HOSTF("cmpps $3,"), 3},
      {"cmpneqss", 0xF3, 0xC2, HOSTF("cmpss $4,"), 4}, {"cmpnltss", 0xF3, 0xC2, HOSTF("cmpss $5,"), 5},
      {"cmpnlepd", 0x66, 0xC2, HOSTF("cmppd $6,"), 6}, {"cmpordsd", 0xF2, 0xC2, HOSTF("cmpsd $7,"), 7},
      {"cmpltsd", 0xF2, 0xC2, HOSTF("cmpsd $1,"), 1},  {"cmpeqpd", 0x66, 0xC2, HOSTF("cmppd $0,"), 0},
      {"shufps", 0, 0xC6, HOSTF("shufps $0x4E,"), 0x4E}, {"shufps", 0, 0xC6, HOSTF("shufps $0xB1,"), 0xB1},
      {"shufpd", 0x66, 0xC6, HOSTF("shufpd $2,"), 2},
      {"unpcklps", 0, 0x14, HOSTF("unpcklps")}, {"unpckhps", 0, 0x15, HOSTF("unpckhps")},
      {"unpcklpd", 0x66, 0x14, HOSTF("unpcklpd")}, {"unpckhpd", 0x66, 0x15, HOSTF("unpckhpd")},
      {"cvtps2pd", 0, 0x5A, HOSTF("cvtps2pd"), -1, 8}, {"cvtss2sd", 0xF3, 0x5A, HOSTF("cvtss2sd")},
      {"cvtpd2ps", 0x66, 0x5A, HOSTF("cvtpd2ps")},     {"cvtsd2ss", 0xF2, 0x5A, HOSTF("cvtsd2ss")},
      {"cvtdq2ps", 0, 0x5B, HOSTF("cvtdq2ps")},        {"cvtps2dq", 0x66, 0x5B, HOSTF("cvtps2dq")},
      {"cvttps2dq", 0xF3, 0x5B, HOSTF("cvttps2dq"), -1, 16}, {"cvtdq2pd", 0xF3, 0xE6, HOSTF("cvtdq2pd"), -1, 8},
      {"cvttpd2dq", 0x66, 0xE6, HOSTF("cvttpd2dq")},   {"cvtpd2dq", 0xF2, 0xE6, HOSTF("cvtpd2dq"), -1, 16},
      // SSE2 128-bit integer forms
      {"paddb xmm", 0x66, 0xFC, HOSTF("paddb")},
      {"paddw xmm", 0x66, 0xFD, HOSTF("paddw")},
      {"paddd xmm", 0x66, 0xFE, HOSTF("paddd")},
      {"paddq xmm", 0x66, 0xD4, HOSTF("paddq")},
      {"psubb xmm", 0x66, 0xF8, HOSTF("psubb")},
      {"psubw xmm", 0x66, 0xF9, HOSTF("psubw")},
      {"psubd xmm", 0x66, 0xFA, HOSTF("psubd")},
      {"psubq xmm", 0x66, 0xFB, HOSTF("psubq")},
      {"paddsb xmm", 0x66, 0xEC, HOSTF("paddsb")},
      {"paddsw xmm", 0x66, 0xED, HOSTF("paddsw")},
      {"paddusb xmm", 0x66, 0xDC, HOSTF("paddusb")},
      {"paddusw xmm", 0x66, 0xDD, HOSTF("paddusw")},
      {"psubsb xmm", 0x66, 0xE8, HOSTF("psubsb")},
      {"psubsw xmm", 0x66, 0xE9, HOSTF("psubsw")},
      {"psubusb xmm", 0x66, 0xD8, HOSTF("psubusb")},
      {"psubusw xmm", 0x66, 0xD9, HOSTF("psubusw")},
      {"pcmpeqb xmm", 0x66, 0x74, HOSTF("pcmpeqb")},
      {"pcmpeqw xmm", 0x66, 0x75, HOSTF("pcmpeqw")},
      {"pcmpeqd xmm", 0x66, 0x76, HOSTF("pcmpeqd")},
      {"pcmpgtb xmm", 0x66, 0x64, HOSTF("pcmpgtb")},
      {"pcmpgtw xmm", 0x66, 0x65, HOSTF("pcmpgtw")},
      {"pcmpgtd xmm", 0x66, 0x66, HOSTF("pcmpgtd")},
      {"pmullw xmm", 0x66, 0xD5, HOSTF("pmullw")},
      {"pmulhw xmm", 0x66, 0xE5, HOSTF("pmulhw")},
      {"pmulhuw xmm", 0x66, 0xE4, HOSTF("pmulhuw")},
      {"pmaddwd xmm", 0x66, 0xF5, HOSTF("pmaddwd")},
      {"pmuludq xmm", 0x66, 0xF4, HOSTF("pmuludq")},
      {"pand xmm", 0x66, 0xDB, HOSTF("pand")},
      {"pandn xmm", 0x66, 0xDF, HOSTF("pandn")},
      {"por xmm", 0x66, 0xEB, HOSTF("por")},
      {"pxor xmm", 0x66, 0xEF, HOSTF("pxor")},
      {"pavgb xmm", 0x66, 0xE0, HOSTF("pavgb")},
      {"pavgw xmm", 0x66, 0xE3, HOSTF("pavgw")},
      {"pminub xmm", 0x66, 0xDA, HOSTF("pminub")},
      {"pmaxub xmm", 0x66, 0xDE, HOSTF("pmaxub")},
      {"pminsw xmm", 0x66, 0xEA, HOSTF("pminsw")},
      {"pmaxsw xmm", 0x66, 0xEE, HOSTF("pmaxsw")},
      {"psadbw xmm", 0x66, 0xF6, HOSTF("psadbw")},
      {"packsswb xmm", 0x66, 0x63, HOSTF("packsswb")},
      {"packssdw xmm", 0x66, 0x6B, HOSTF("packssdw")},
      {"packuswb xmm", 0x66, 0x67, HOSTF("packuswb")},
      {"punpckhbw xmm", 0x66, 0x68, HOSTF("punpckhbw")},
      {"punpckhwd xmm", 0x66, 0x69, HOSTF("punpckhwd")},
      {"punpckhdq xmm", 0x66, 0x6A, HOSTF("punpckhdq")},
      {"psrlw xmm", 0x66, 0xD1, HOSTF("psrlw")},
      {"psrld xmm", 0x66, 0xD2, HOSTF("psrld")},
      {"psrlq xmm", 0x66, 0xD3, HOSTF("psrlq")},
      {"psraw xmm", 0x66, 0xE1, HOSTF("psraw")},
      {"psrad xmm", 0x66, 0xE2, HOSTF("psrad")},
      {"psllw xmm", 0x66, 0xF1, HOSTF("psllw")},
      {"pslld xmm", 0x66, 0xF2, HOSTF("pslld")},
      {"psllq xmm", 0x66, 0xF3, HOSTF("psllq")},
      {"punpcklbw xmm", 0x66, 0x60, HOSTF("punpcklbw")},
      {"punpcklwd xmm", 0x66, 0x61, HOSTF("punpcklwd")},
      {"punpckldq xmm", 0x66, 0x62, HOSTF("punpckldq")},
      {"punpcklqdq xmm", 0x66, 0x6C, HOSTF("punpcklqdq")},
      {"punpckhqdq xmm", 0x66, 0x6D, HOSTF("punpckhqdq")},
  };
  u64 seed = 4;
  // Round to nearest, down, up, toward zero, and nearest with flush-to-zero (SDM Vol. 1 10.2.3).
  for (const u32 mode : {0x1F80u, 0x3F80u, 0x5F80u, 0x7F80u, 0x9F80u})
  for (const FpCase& cs : cases) {
    CAPTURE(mode);
    const std::string name = cs.name;
    CAPTURE(name);
    const bool dbl = cs.prefix == 0x66 || cs.prefix == 0xF2;
    Rig r;
    sse_on(r);
    r.w32(kCsr, mode);
    std::vector<X16> a, b;
    std::vector<u8> code;
    for (unsigned k = 0; k < kSamples; ++k) {
      a.push_back(operand(seed, dbl));
      b.push_back(operand(seed, dbl));
      const u32 pa = kIn + 32 * k, pb = pa + 16, po = kOut + 32 * k;
      put128(r, pa, a[k]);
      put128(r, pb, b[k]);
      code = cat({code, disp({0x0F, 0xAE, 0x15}, kCsr), disp({0x0F, 0x28, 0x05}, pa)});
      if (k & 1) code = cat({code, disp(op_bytes(cs.prefix, cs.op, {0x05}), pb)});
      else code = cat({code, disp({0x0F, 0x28, 0x0D}, pb), op_bytes(cs.prefix, cs.op, {0xC1})});
      if (cs.imm >= 0) code.push_back(static_cast<u8>(cs.imm));
      code = cat({code, disp({0x0F, 0x29, 0x05}, po), disp({0x0F, 0xAE, 0x1D}, po + 16)});
    }
    code = cat({code, kHlt});
    REQUIRE(run_code(r, code, 20000) == ProcessorExit::Halted);
    REQUIRE(r.cpu->state().eip() == end_of(code));
    unsigned bad = 0;
    for (unsigned k = 0; k < kSamples; ++k) {
      X16 want = a[k];
      u32 csr = mode;
      X16 src = b[k];
      // The scalar memory forms read only the low element; MOVSS/MOVSD from memory zero the rest.
      const unsigned width = cs.mem_bytes ? cs.mem_bytes : cs.prefix == 0xF3 ? 4 : cs.prefix == 0xF2 ? 8 : 16;
      if ((k & 1) && width < 16) {
        src = {width == 4 ? (b[k].lo & 0xFFFFFFFF) : b[k].lo, 0};
        if (cs.op == 0x10) want = {0, 0};
      }
      cs.host(want, src, csr);
      const X16 got = get128(r, kOut + 32 * k);
      const u32 got_csr = r.r32(kOut + 32 * k + 16);
      if ((got.lo != want.lo || got.hi != want.hi || got_csr != csr) && bad++ < 3) {
        CAPTURE(k);
        CAPTURE(a[k].lo);
        CAPTURE(a[k].hi);
        CAPTURE(b[k].lo);
        CAPTURE(b[k].hi);
        CHECK(got.lo == want.lo);
        CHECK(got.hi == want.hi);
        CHECK(got_csr == csr);
      }
    }
    CHECK(bad == 0);
  }
}

TEST_CASE("COMISS/UCOMISS/COMISD/UCOMISD EFLAGS and MOVMSKPS/PD match the host") {
  struct C {
    const char* name;
    u8 prefix, op;
    void (*host)(X16 a, X16 b, u32& fl, u32& csr);
  };
#define HOSTC(insn)                                                                                      \
  [](X16 a, X16 b, u32& fl, u32& csr) {                                                                  \
    const u32 in = 0x1F80;                                                                               \
    u64 f = 0;                                                                                           \
    asm volatile("ldmxcsr %[in]\n\tmovups %[a], %%xmm0\n\tmovups %[b], %%xmm1\n\t" insn                 \
                 " %%xmm1, %%xmm0\n\tpushfq\n\tpopq %[f]\n\tstmxcsr %[out]"                                 \
                 : [f] "=r"(f), [out] "=m"(csr)                                                          \
                 : [a] "m"(a), [b] "m"(b), [in] "m"(in)                                                  \
                 : "xmm0", "xmm1", "cc");                                                                \
    fl = static_cast<u32>(f) & 0x8D5;                                                                    \
  }
  const C cases[] = {{"comiss", 0, 0x2F, HOSTC("comiss")},
                     {"ucomiss", 0, 0x2E, HOSTC("ucomiss")},
                     {"comisd", 0x66, 0x2F, HOSTC("comisd")},
                     {"ucomisd", 0x66, 0x2E, HOSTC("ucomisd")}};
  u64 seed = 77;
  for (const C& cs : cases) {
    const std::string name = cs.name;
    CAPTURE(name);
    const bool dbl = cs.prefix == 0x66;
    for (unsigned k = 0; k < 24; ++k) {
      X16 a = operand(seed, dbl), b = operand(seed, dbl);
      if (k % 4 == 0) b = a;  // equal operands
      Rig r;
      sse_on(r);
      r.cpu->state().xmm[0][0] = a.lo;
      r.cpu->state().xmm[0][1] = a.hi;
      r.cpu->state().xmm[1][0] = b.lo;
      r.cpu->state().xmm[1][1] = b.hi;
      // op xmm0, xmm1; pushfd; pop dword [out]; movmskps/pd esi, xmm0
      auto code = cat({op_bytes(cs.prefix, cs.op, {0xC1}), {0x9C}, disp({0x8F, 0x05}, kOut),
                       op_bytes(cs.prefix, 0x50, {0xF0}), kHlt});
      REQUIRE(run_code(r, code) == ProcessorExit::Halted);
      u32 fl = 0, csr = 0;
      cs.host(a, b, fl, csr);
      u32 msk = 0;
      if (dbl) asm volatile("movmskpd %1, %0" : "=r"(msk) : "x"(a));
      else asm volatile("movmskps %1, %0" : "=r"(msk) : "x"(a));
      CAPTURE(k);
      CHECK((r.r32(kOut) & 0x8D5) == fl);
      CHECK(r.cpu->state().mxcsr == csr);
      CHECK(r.cpu->state().reg32(cpu::ESI) == msk);
    }
  }
}

TEST_CASE("CVT(T)SS2SI/SD2SI and CVTSI2SS/SD with general registers match the host") {
  u64 seed = 31;
  for (unsigned k = 0; k < 48; ++k) {
    const X16 f = operand(seed, k & 1);
    const u32 g = static_cast<u32>(splitmix(seed) >> (k % 32));
    Rig r;
    sse_on(r);
    r.cpu->state().xmm[1][0] = f.lo;
    r.cpu->state().xmm[2][0] = 0x1234567812345678ull;
    r.cpu->state().xmm[2][1] = 0x9ABCDEF09ABCDEF0ull;
    r.cpu->state().xmm[3][0] = 0x1234567812345678ull;
    r.cpu->state().gpr[cpu::EBX] = g;
    const u8 p = (k & 1) ? 0xF2 : 0xF3;
    // cvtsX2si ecx, xmm1; cvttsX2si edx, xmm1; stmxcsr [out]; cvtsi2ss xmm2, ebx; cvtsi2sd xmm3, ebx
    auto code = cat({op_bytes(p, 0x2D, {0xC9}), op_bytes(p, 0x2C, {0xD1}), disp({0x0F, 0xAE, 0x1D}, kOut),
                     op_bytes(0xF3, 0x2A, {0xD3}), op_bytes(0xF2, 0x2A, {0xDB}), kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    u32 ecx = 0, edx = 0, csr = 0;
    X16 x2{0x1234567812345678ull, 0x9ABCDEF09ABCDEF0ull}, x3{0x1234567812345678ull, 0};
    const u32 in = 0x1F80;
    if (k & 1) {
      asm volatile("ldmxcsr %[in]\n\tmovq %[f], %%xmm1\n\tcvtsd2si %%xmm1, %[c]\n\tcvttsd2si %%xmm1, %[d]\n\tstmxcsr %[o]"
                   : [c] "=r"(ecx), [d] "=r"(edx), [o] "=m"(csr) : [f] "r"(f.lo), [in] "m"(in) : "xmm1");
    } else {
      asm volatile("ldmxcsr %[in]\n\tmovq %[f], %%xmm1\n\tcvtss2si %%xmm1, %[c]\n\tcvttss2si %%xmm1, %[d]\n\tstmxcsr %[o]"
                   : [c] "=r"(ecx), [d] "=r"(edx), [o] "=m"(csr) : [f] "r"(f.lo), [in] "m"(in) : "xmm1");
    }
    asm volatile("movups %[x2], %%xmm2\n\tmovups %[x3], %%xmm3\n\tcvtsi2ss %[g], %%xmm2\n\tcvtsi2sd %[g], %%xmm3\n\t"
                 "movups %%xmm2, %[x2]\n\tmovups %%xmm3, %[x3]\n\tldmxcsr %[in]"
                 : [x2] "+m"(x2), [x3] "+m"(x3) : [g] "r"(g), [in] "m"(in) : "xmm2", "xmm3");
    CAPTURE(k);
    CAPTURE(f.lo);
    CHECK(r.cpu->state().reg32(cpu::ECX) == ecx);
    CHECK(r.cpu->state().reg32(cpu::EDX) == edx);
    CHECK(r.r32(kOut) == csr);
    CHECK(r.cpu->state().xmm[2][0] == x2.lo);
    CHECK(r.cpu->state().xmm[2][1] == x2.hi);
    CHECK(r.cpu->state().xmm[3][0] == x3.lo);
  }
}

TEST_CASE("CVTPI2PS/PD and CVT(T)PS2PI/PD2PI with MMX registers match the host") {
  u64 seed = 123;
  for (unsigned k = 0; k < 32; ++k) {
    const X16 f = operand(seed, k & 1);
    const u64 ints = splitmix(seed) >> (k % 40);
    Rig r;
    sse_on(r);
    r.cpu->state().xmm[1][0] = f.lo;
    r.cpu->state().xmm[1][1] = f.hi;
    r.cpu->state().xmm[2][1] = 0x5555555555555555ull;
    r.cpu->state().fpu.r[3].mant = ints;
    const u8 p = (k & 1) ? 0x66 : 0;
    // cvtps2pi mm0, xmm1; cvttps2pi mm1, xmm1; cvtpi2ps xmm2, mm3 (or the PD forms)
    auto code = cat({op_bytes(p, 0x2D, {0xC1}), op_bytes(p, 0x2C, {0xC9}), op_bytes(p, 0x2A, {0xD3}), kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    u64 m0 = 0, m1 = 0;
    X16 x2{0, 0x5555555555555555ull};
    const u32 in = 0x1F80;
    u32 csr = 0;
    if (k & 1) {
      asm volatile("ldmxcsr %[in]\n\tmovups %[f], %%xmm1\n\tmovups %[x2], %%xmm2\n\tcvtpd2pi %%xmm1, %%mm0\n\t"
                   "cvttpd2pi %%xmm1, %%mm1\n\tmovq %[i], %%mm3\n\tcvtpi2pd %%mm3, %%xmm2\n\tmovq %%mm0, %[m0]\n\t"
                   "movq %%mm1, %[m1]\n\tmovups %%xmm2, %[x2]\n\tstmxcsr %[o]\n\temms"
                   : [m0] "=r"(m0), [m1] "=r"(m1), [x2] "+m"(x2), [o] "=m"(csr)
                   : [f] "m"(f), [i] "r"(ints), [in] "m"(in) : "xmm1", "xmm2", "mm0", "mm1", "mm3");
    } else {
      asm volatile("ldmxcsr %[in]\n\tmovups %[f], %%xmm1\n\tmovups %[x2], %%xmm2\n\tcvtps2pi %%xmm1, %%mm0\n\t"
                   "cvttps2pi %%xmm1, %%mm1\n\tmovq %[i], %%mm3\n\tcvtpi2ps %%mm3, %%xmm2\n\tmovq %%mm0, %[m0]\n\t"
                   "movq %%mm1, %[m1]\n\tmovups %%xmm2, %[x2]\n\tstmxcsr %[o]\n\temms"
                   : [m0] "=r"(m0), [m1] "=r"(m1), [x2] "+m"(x2), [o] "=m"(csr)
                   : [f] "m"(f), [i] "r"(ints), [in] "m"(in) : "xmm1", "xmm2", "mm0", "mm1", "mm3");
    }
    asm volatile("ldmxcsr %0" : : "m"(in));
    CAPTURE(k);
    const auto& st = r.cpu->state();
    CHECK(st.fpu.r[0].mant == m0);
    CHECK(st.fpu.r[1].mant == m1);
    CHECK(st.xmm[2][0] == x2.lo);
    CHECK(st.xmm[2][1] == x2.hi);
    CHECK(st.mxcsr == csr);
    CHECK(st.fpu.valid == 0xFF);
  }
}

template <int N>
X16 host_xshift(X16 a, unsigned which) {
  asm volatile("movups %0, %%xmm0" : : "m"(a) : "xmm0");
  switch (which) {
    case 0: asm volatile("psrldq %0, %%xmm0" : : "i"(N) : "xmm0"); break;
    case 1: asm volatile("pslldq %0, %%xmm0" : : "i"(N) : "xmm0"); break;
    case 2: asm volatile("psraw %0, %%xmm0" : : "i"(N) : "xmm0"); break;
    case 3: asm volatile("psrld %0, %%xmm0" : : "i"(N) : "xmm0"); break;
    default: asm volatile("psllq %0, %%xmm0" : : "i"(N) : "xmm0"); break;
  }
  asm volatile("movups %%xmm0, %0" : "=m"(a) : : );
  return a;
}
template <int N>
void check_xshift() {
  const u8 forms[5][2] = {{0x73, 3}, {0x73, 7}, {0x71, 4}, {0x72, 2}, {0x73, 6}};
  u64 seed = 50 + N;
  for (unsigned w = 0; w < 5; ++w) {
    const X16 a = operand(seed, true);
    Rig r;
    sse_on(r);
    r.cpu->state().xmm[5][0] = a.lo;
    r.cpu->state().xmm[5][1] = a.hi;
    REQUIRE(run_code(r, cat({op_bytes(0x66, forms[w][0], {static_cast<u8>(0xC5 | forms[w][1] << 3), N}), kHlt})) ==
            ProcessorExit::Halted);
    const X16 want = host_xshift<N>(a, w);
    CAPTURE(w);
    CHECK(r.cpu->state().xmm[5][0] == want.lo);
    CHECK(r.cpu->state().xmm[5][1] == want.hi);
  }
}
TEST_CASE("SSE2 shift-by-immediate forms (incl. PSRLDQ/PSLLDQ) match the host") {
  check_xshift<0>();
  check_xshift<1>();
  check_xshift<5>();
  check_xshift<8>();
  check_xshift<15>();
  check_xshift<16>();
  check_xshift<33>();
  check_xshift<64>();
}
#endif

TEST_CASE("MOVLPS/MOVHPS/MOVHLPS/MOVLHPS and MOVNTPS move the right halves") {
  Rig r;
  sse_on(r);
  put128(r, kIn, {0x1111111111111111ull, 0x2222222222222222ull});
  r.cpu->state().xmm[1][0] = 0xAAAAAAAAAAAAAAAAull;
  r.cpu->state().xmm[1][1] = 0xBBBBBBBBBBBBBBBBull;
  // movlps xmm0,[in]; movhps xmm0,[in+8]; movhlps xmm2,xmm1; movlhps xmm3,xmm1; movhps [out],xmm0;
  // movntps [out+16], xmm1
  auto code = cat({disp({0x0F, 0x12, 0x05}, kIn), disp({0x0F, 0x16, 0x05}, kIn + 8), {0x0F, 0x12, 0xD1},
                   {0x0F, 0x16, 0xD9}, disp({0x0F, 0x17, 0x05}, kOut), disp({0x0F, 0x2B, 0x0D}, kOut + 16), kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.xmm[0][0] == 0x1111111111111111ull);
  CHECK(s.xmm[0][1] == 0x2222222222222222ull);
  CHECK(s.xmm[2][0] == 0xBBBBBBBBBBBBBBBBull);
  CHECK(s.xmm[3][1] == 0xAAAAAAAAAAAAAAAAull);
  CHECK(r64(r, kOut) == 0x2222222222222222ull);
  CHECK(r64(r, kOut + 16) == 0xAAAAAAAAAAAAAAAAull);
  CHECK(r64(r, kOut + 24) == 0xBBBBBBBBBBBBBBBBull);
}

// RCP/RSQRT: within the SDM's relative error bound 1.5 * 2^-12 of the exact value (computed here
// in host double), and the special cases of the SDM's RCPSS/RSQRTSS tables.
TEST_CASE("RCPPS/RCPSS/RSQRTPS/RSQRTSS accuracy bound and specials") {
  u64 seed = 9;
  for (unsigned k = 0; k < 64; ++k) {
    u32 v = static_cast<u32>(splitmix(seed));
    v = (v & 0x807FFFFFu) | ((((v >> 23) & 0xFF) % 200 + 28) << 23);  // normal, moderate exponent
    Rig r;
    sse_on(r);
    for (unsigned l = 0; l < 4; ++l) r.w32(kIn + 4 * l, (v & 0x7FFFFFFFu) + l);
    auto code = cat({disp({0x0F, 0x53, 0x05}, kIn), disp({0x0F, 0x52, 0x0D}, kIn), kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    for (unsigned l = 0; l < 4; ++l) {
      float x, rc, rs;
      const u32 xb = (v & 0x7FFFFFFFu) + l;
      const u32 rcb = static_cast<u32>(r.cpu->state().xmm[0][l / 2] >> (32 * (l % 2)));
      const u32 rsb = static_cast<u32>(r.cpu->state().xmm[1][l / 2] >> (32 * (l % 2)));
      std::memcpy(&x, &xb, 4);
      std::memcpy(&rc, &rcb, 4);
      std::memcpy(&rs, &rsb, 4);
      const double erc = 1.0 / double{x}, ers = 1.0 / __builtin_sqrt(double{x});
      CAPTURE(xb);
      if (erc >= 0x1p-126) CHECK(__builtin_fabs(rc - erc) <= 1.5 * 0x1p-12 * erc);
      CHECK(__builtin_fabs(rs - ers) <= 1.5 * 0x1p-12 * ers);
    }
  }
  Rig r;
  sse_on(r);
  const u32 in[4] = {0x80000000u, 0x7F800000u, 0x00000001u, 0xFFA00000u};  // -0, +inf, denormal, -SNaN
  for (unsigned l = 0; l < 4; ++l) r.w32(kIn + 4 * l, in[l]);
  r.w32(kIn + 16, 0xBF800000u);  // -1 for RSQRTSS
  auto code = cat({disp({0x0F, 0x53, 0x05}, kIn), disp({0x0F, 0x52, 0x0D}, kIn), disp({0xF3, 0x0F, 0x52, 0x15}, kIn + 16),
                   kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.xmm[0][0] == 0xFF800000u);  // rcp: -inf, +0
  CHECK(s.xmm[0][1] == (u64{0xFFE00000u} << 32 | 0x7F800000u));  // rcp: +inf, quieted -NaN
  CHECK(s.xmm[1][0] == (u64{0x00000000u} << 32 | 0xFF800000u));  // rsqrt: -inf, +0
  CHECK(s.xmm[1][1] == (u64{0xFFE00000u} << 32 | 0x7F800000u));
  CHECK(static_cast<u32>(s.xmm[2][0]) == 0xFFC00000u);             // rsqrt(-1): QNaN indefinite
  CHECK(s.mxcsr == 0x1F80);
}

TEST_CASE("a guest enables SSE through MOV CR4 and CPUID reports MMX, FXSR, SSE and SSE2") {
  Rig r;
  // mov eax, cr4; or eax, 0x600 (OSFXSR | OSXMMEXCPT); mov cr4, eax; addps xmm0, xmm1; mov eax, 1; cpuid
  auto code = cat({{0x0F, 0x20, 0xE0}, {0x0D, 0x00, 0x06, 0x00, 0x00}, {0x0F, 0x22, 0xE0}, {0x0F, 0x58, 0xC1},
                   {0xB8, 0x01, 0x00, 0x00, 0x00}, {0x0F, 0xA2}, kHlt});
  REQUIRE(run_code(r, code) == ProcessorExit::Halted);
  CHECK(r.cpu->state().eip() == end_of(code));
  CHECK((r.cpu->state().cr4 & 0x600) == 0x600);
  CHECK(((r.cpu->state().reg32(cpu::EDX) >> 23) & 0xF) == 0xF);  // bits 23..26 (SDM CPUID Table 3-11)
}

TEST_CASE("SSE exceptions") {
  // xmm0 = 1.0f x4, xmm1 = 0 at kIn / kIn+16.
  auto setup = [](Rig& r) {
    for (unsigned k = 0; k < 4; ++k) r.w32(kIn + 4 * k, 0x3F800000);
    put128(r, kIn + 16, {0, 0});
    r.cpu->state().xmm[0][0] = 0x3F8000003F800000ull;
    r.cpu->state().xmm[0][1] = 0x3F8000003F800000ull;
  };
  SUBCASE("unmasked divide-by-zero: #XM, destination unchanged, ZE set") {
    Rig r;
    sse_on(r);
    setup(r);
    r.w32(kCsr, 0x1F80 & ~0x200u);  // ZM = 0
    REQUIRE(run_code(r, cat({disp({0x0F, 0xAE, 0x15}, kCsr), disp({0x0F, 0x5E, 0x05}, kIn + 16), kHlt})) ==
            ProcessorExit::Halted);
    CHECK(r.halted_in(19));
    CHECK(r.cpu->state().xmm[0][0] == 0x3F8000003F800000ull);
    CHECK((r.cpu->state().mxcsr & 0x3F) == 0x04);
  }
  SUBCASE("unmasked ZE in one element, masked PE in another: only ZE is recorded (SDM Vol. 1 11.5.2.1)") {
    Rig r;
    sse_on(r);
    setup(r);
    r.w32(kIn + 16, 0);           // 1/0
    r.w32(kIn + 20, 0x40400000);  // 1/3: inexact
    r.w32(kIn + 24, 0x3F800000);
    r.w32(kIn + 28, 0x3F800000);
    r.w32(kCsr, 0x1F80 & ~0x200u);
    REQUIRE(run_code(r, cat({disp({0x0F, 0xAE, 0x15}, kCsr), disp({0x0F, 0x5E, 0x05}, kIn + 16), kHlt})) ==
            ProcessorExit::Halted);
    CHECK(r.halted_in(19));
    CHECK((r.cpu->state().mxcsr & 0x3F) == 0x04);
  }
  SUBCASE("the same with CR4.OSXMMEXCPT = 0 is #UD") {
    Rig r;
    r.cpu->state().cr4 |= cpu::cr4::OSFXSR;
    setup(r);
    r.w32(kCsr, 0x1F80 & ~0x200u);
    REQUIRE(run_code(r, cat({disp({0x0F, 0xAE, 0x15}, kCsr), disp({0x0F, 0x5E, 0x05}, kIn + 16), kHlt})) ==
            ProcessorExit::Halted);
    CHECK(r.halted_in(6));
  }
  SUBCASE("masked divide-by-zero gives infinity and only sets ZE") {
    Rig r;
    sse_on(r);
    setup(r);
    REQUIRE(run_code(r, cat({disp({0x0F, 0x5E, 0x05}, kIn + 16), kHlt})) == ProcessorExit::Halted);
    CHECK(r.cpu->state().xmm[0][0] == 0x7F8000007F800000ull);
    CHECK(r.cpu->state().mxcsr == (0x1F80 | 0x04));
  }
  SUBCASE("CR4.OSFXSR = 0: #UD") {
    Rig r;
    REQUIRE(run_code(r, cat({{0x0F, 0x58, 0xC1}, kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(6));
  }
  SUBCASE("CR0.TS: #NM") {
    Rig r;
    sse_on(r);
    r.cpu->state().cr0 |= cpu::cr0::TS;
    REQUIRE(run_code(r, cat({{0x0F, 0x58, 0xC1}, kHlt})) == ProcessorExit::Halted);
    CHECK(r.halted_in(7));
  }
  SUBCASE("misaligned MOVAPS and ADDPS m128: #GP(0); MOVUPS is fine") {
    for (u8 op : {u8{0x28}, u8{0x58}}) {
      Rig r;
      sse_on(r);
      REQUIRE(run_code(r, cat({disp({0x0F, op, 0x05}, kIn + 8), kHlt})) == ProcessorExit::Halted);
      CHECK(r.halted_in(13));
      CHECK(r.stack(0) == 0);  // error code
    }
    Rig r;
    sse_on(r);
    r.w32(kIn + 8, 0x12345678);
    auto code = cat({disp({0x0F, 0x10, 0x05}, kIn + 8), kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    CHECK(r.cpu->state().eip() == end_of(code));
    CHECK(r.cpu->state().xmm[0][0] == 0x12345678);
  }
  SUBCASE("LDMXCSR with a reserved bit (16 or 31): #GP(0); STMXCSR stores MXCSR") {
    for (u32 bad : {0x11F80u, 0x80001F80u}) {
      Rig r;
      sse_on(r);
      r.w32(kCsr, bad);
      REQUIRE(run_code(r, cat({disp({0x0F, 0xAE, 0x15}, kCsr), kHlt})) == ProcessorExit::Halted);
      CHECK(r.halted_in(13));
      CHECK(r.cpu->state().mxcsr == 0x1F80);
    }
    Rig r;
    sse_on(r);
    r.w32(kCsr, 0x7F80 | 0x3F);
    REQUIRE(run_code(r, cat({disp({0x0F, 0xAE, 0x15}, kCsr), disp({0x0F, 0xAE, 0x1D}, kCsr + 4), kHlt})) ==
            ProcessorExit::Halted);
    CHECK(r.r32(kCsr + 4) == (0x7F80u | 0x3F));
  }
}

// SDM Vol. 1 10.2.3.4: with MXCSR.DAZ a denormal source is read as a zero of the same sign.
// 0x00000001 (the smallest binary32 denormal) + 0 is that denormal without DAZ and +0 with it.
TEST_CASE("MXCSR.DAZ turns a denormal source operand into zero for ADDSS") {
  for (bool daz : {false, true}) {
    Rig r;
    sse_on(r);
    r.w32(kIn, 0x00000001);
    r.w32(kIn + 4, 0x00000000);
    r.w32(kCsr, 0x1F80u | (daz ? 0x40u : 0u));
    auto code = cat({disp({0x0F, 0xAE, 0x15}, kCsr),         // ldmxcsr [kCsr]
                     disp({0xF3, 0x0F, 0x10, 0x05}, kIn),     // movss xmm0, [kIn]
                     disp({0xF3, 0x0F, 0x10, 0x0D}, kIn + 4), // movss xmm1, [kIn+4]
                     {0xF3, 0x0F, 0x58, 0xC1},                // addss xmm0, xmm1
                     kHlt});
    REQUIRE(run_code(r, code) == ProcessorExit::Halted);
    CHECK(r.cpu->state().eip() == end_of(code));
    CHECK(static_cast<u32>(r.cpu->state().xmm[0][0]) == (daz ? 0u : 1u));
  }
}
