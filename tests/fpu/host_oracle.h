// The host CPU as an independent oracle: the same x87 and SSE instructions run natively through
// GCC inline asm with the control word / MXCSR set per case, and the raw result bits plus the
// status word / MXCSR flags are read back. x86-64 hosts only (the caller checks).
#pragma once
#include <cstdint>
#include <cstring>

#include "fpu/softfloat.h"

namespace pcjit::fpu_test {

using namespace pcjit::cpu;

struct X87Out {
  sf::F80 v;      // ST(0) after the operation
  sf::F80 v2;     // ST(1) (FXTRACT's exponent) when used
  std::uint16_t sw = 0;
};

#if defined(__x86_64__)
inline constexpr bool kHostIsX86_64 = true;

struct alignas(16) Raw80 {
  std::uint64_t sig;
  std::uint16_t se;
  std::uint16_t pad[3];
};
inline Raw80 raw(sf::F80 a) { return Raw80{a.sig, a.se, {0, 0, 0}}; }
inline sf::F80 cooked(const Raw80& r) { return sf::F80{r.sig, r.se}; }

// ST0 = a, ST1 = b, then BODY; result ST0 stored, the stack emptied.
#define PCJIT_X87_BIN(name, body)                                                               \
  inline X87Out name(sf::F80 a, sf::F80 b, std::uint16_t cw) {                                  \
    Raw80 ra = raw(a), rb = raw(b), r{};                                                         \
    std::uint16_t sw = 0;                                                                        \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" body                    \
                 "\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfstp %%st(0)\n\tfninit"                      \
                 : [r] "=m"(r), [sw] "=m"(sw)                                                   \
                 : [a] "m"(ra), [b] "m"(rb), [cw] "m"(cw)                                       \
                 : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"); \
    return X87Out{cooked(r), {}, sw};                                                            \
  }

PCJIT_X87_BIN(host_fadd, "fadd %%st(1), %%st")
PCJIT_X87_BIN(host_fsub, "fsub %%st(1), %%st")
PCJIT_X87_BIN(host_fmul, "fmul %%st(1), %%st")
PCJIT_X87_BIN(host_fdiv, "fdiv %%st(1), %%st")
PCJIT_X87_BIN(host_fscale, "fscale")
PCJIT_X87_BIN(host_fprem, "fprem")
PCJIT_X87_BIN(host_fprem1, "fprem1")
PCJIT_X87_BIN(host_fcom, "fcom %%st(1)")
PCJIT_X87_BIN(host_fucom, "fucom %%st(1)")
PCJIT_X87_BIN(host_fyl2x, "fyl2x")
PCJIT_X87_BIN(host_fyl2xp1, "fyl2xp1")
PCJIT_X87_BIN(host_fpatan, "fpatan")
#undef PCJIT_X87_BIN

// Same with OE/UE possibly unmasked: FNSAVE (a no-wait instruction) reads the register and the
// status word without delivering the pending exception, and reinitialises the FPU.
struct alignas(16) SaveArea {
  std::uint8_t b[108];
};
#define PCJIT_X87_BIN_SAVE(name, body)                                                          \
  inline X87Out name(sf::F80 a, sf::F80 b, std::uint16_t cw) {                                  \
    Raw80 ra = raw(a), rb = raw(b);                                                              \
    SaveArea sa{};                                                                               \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" body                  \
                 "\n\tfnsave %[s]\n\tfninit"                                                    \
                 : [s] "=m"(sa)                                                                 \
                 : [a] "m"(ra), [b] "m"(rb), [cw] "m"(cw)                                       \
                 : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"); \
    X87Out o;                                                                                    \
    std::memcpy(&o.v.sig, sa.b + 28, 8);                                                         \
    std::memcpy(&o.v.se, sa.b + 36, 2);                                                          \
    std::memcpy(&o.sw, sa.b + 4, 2);                                                             \
    return o;                                                                                    \
  }
PCJIT_X87_BIN_SAVE(host_fadd_save, "fadd %%st(1), %%st")
PCJIT_X87_BIN_SAVE(host_fmul_save, "fmul %%st(1), %%st")
PCJIT_X87_BIN_SAVE(host_fdiv_save, "fdiv %%st(1), %%st")
PCJIT_X87_BIN_SAVE(host_fscale_save, "fscale")
PCJIT_X87_BIN_SAVE(host_fprem_save, "fprem")
PCJIT_X87_BIN_SAVE(host_fsqrt_save, "fsqrt")      // ST1 = b is ignored
PCJIT_X87_BIN_SAVE(host_frndint_save, "frndint")  // likewise
#undef PCJIT_X87_BIN_SAVE

#define PCJIT_X87_UN(name, body)                                                                 \
  inline X87Out name(sf::F80 a, std::uint16_t cw) {                                             \
    Raw80 ra = raw(a), r{};                                                                      \
    std::uint16_t sw = 0;                                                                        \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" body                                  \
                 "\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfninit"                                      \
                 : [r] "=m"(r), [sw] "=m"(sw)                                                   \
                 : [a] "m"(ra), [cw] "m"(cw)                                                    \
                 : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"); \
    return X87Out{cooked(r), {}, sw};                                                            \
  }
PCJIT_X87_UN(host_fsqrt, "fsqrt")
PCJIT_X87_UN(host_frndint, "frndint")
PCJIT_X87_UN(host_f2xm1, "f2xm1")
PCJIT_X87_UN(host_fsin, "fsin")
PCJIT_X87_UN(host_fcos, "fcos")
#undef PCJIT_X87_UN

inline X87Out host_fxtract(sf::F80 a, std::uint16_t cw) {
  Raw80 ra = raw(a), r{}, r2{};
  std::uint16_t sw = 0;
  asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfxtract\n\tfnstsw %[sw]\n\tfstpt %[r]\n\t"
               "fstpt %[r2]\n\tfninit"
               : [r] "=m"(r), [r2] "=m"(r2), [sw] "=m"(sw)
               : [a] "m"(ra), [cw] "m"(cw)
               : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)");
  return X87Out{cooked(r), cooked(r2), sw};
}

// Two-result forms: ST0 and ST1 after FSINCOS / FPTAN.
#define PCJIT_X87_UN2(name, body)                                                                \
  inline X87Out name(sf::F80 a, std::uint16_t cw) {                                             \
    Raw80 ra = raw(a), r{}, r2{};                                                                \
    std::uint16_t sw = 0;                                                                        \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" body                                \
                 "\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfstpt %[r2]\n\tfninit"                      \
                 : [r] "=m"(r), [r2] "=m"(r2), [sw] "=m"(sw)                                    \
                 : [a] "m"(ra), [cw] "m"(cw)                                                    \
                 : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"); \
    return X87Out{cooked(r), cooked(r2), sw};                                                    \
  }
PCJIT_X87_UN2(host_fsincos, "fsincos")
PCJIT_X87_UN2(host_fptan, "fptan")
#undef PCJIT_X87_UN2

// Store ST0 = a to memory in another format (FST/FIST/FBSTP); T is the memory image type.
#define PCJIT_X87_STORE(name, T, insn)                                                           \
  inline T name(sf::F80 a, std::uint16_t cw, std::uint16_t& sw) {                              \
    Raw80 ra = raw(a);                                                                           \
    T out{};                                                                                     \
    asm volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[o]\n\tfnstsw %[sw]\n\tfninit" \
                 : [o] "=m"(out), [sw] "=m"(sw)                                                 \
                 : [a] "m"(ra), [cw] "m"(cw)                                                    \
                 : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"); \
    return out;                                                                                  \
  }
struct Bcd10 {
  std::uint8_t b[10];
};
PCJIT_X87_STORE(host_fst32, std::uint32_t, "fstps")
PCJIT_X87_STORE(host_fst64, std::uint64_t, "fstpl")
PCJIT_X87_STORE(host_fist16, std::int16_t, "fistps")
PCJIT_X87_STORE(host_fist32, std::int32_t, "fistpl")
PCJIT_X87_STORE(host_fist64, std::int64_t, "fistpll")
PCJIT_X87_STORE(host_fbstp, Bcd10, "fbstp")
#undef PCJIT_X87_STORE

// Load from memory in another format (FLD m32/m64, FILD, FBLD) and read ST0 back as 80 bits.
#define PCJIT_X87_LOAD(name, T, insn)                                                            \
  inline X87Out name(T in, std::uint16_t cw) {                                                   \
    Raw80 r{};                                                                                   \
    std::uint16_t sw = 0;                                                                        \
    asm volatile("fninit\n\tfldcw %[cw]\n\t" insn " %[i]\n\tfnstsw %[sw]\n\tfstpt %[r]\n\tfninit" \
                 : [r] "=m"(r), [sw] "=m"(sw)                                                   \
                 : [i] "m"(in), [cw] "m"(cw)                                                    \
                 : "memory", "st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)"); \
    return X87Out{cooked(r), {}, sw};                                                            \
  }
PCJIT_X87_LOAD(host_fld32, std::uint32_t, "flds")
PCJIT_X87_LOAD(host_fld64, std::uint64_t, "fldl")
PCJIT_X87_LOAD(host_fild64, std::int64_t, "fildll")
PCJIT_X87_LOAD(host_fbld, Bcd10, "fbld")
#undef PCJIT_X87_LOAD

// SSE scalar binary op: xmm0 = a op b with the given MXCSR; returns the MXCSR after.
#define PCJIT_SSE_BIN(name, T, mov, insn)                                                        \
  inline T name(T a, T b, std::uint32_t mxcsr, std::uint32_t& out_mxcsr) {                       \
    T r;                                                                                         \
    std::uint32_t m = mxcsr, o = 0;                                                              \
    asm volatile("ldmxcsr %[m]\n\t" mov " %[a], %%xmm0\n\t" mov " %[b], %%xmm1\n\t" insn        \
                 " %%xmm1, %%xmm0\n\t" mov " %%xmm0, %[r]\n\tstmxcsr %[o]\n\t"                  \
                 : [r] "=m"(r), [o] "=m"(o)                                                     \
                 : [a] "m"(a), [b] "m"(b), [m] "m"(m)                                           \
                 : "xmm0", "xmm1", "memory");                                                   \
    std::uint32_t restore = 0x1F80;                                                              \
    asm volatile("ldmxcsr %0" ::"m"(restore));                                                   \
    out_mxcsr = o;                                                                               \
    return r;                                                                                    \
  }
PCJIT_SSE_BIN(host_addss, std::uint32_t, "movd", "addss")
PCJIT_SSE_BIN(host_subss, std::uint32_t, "movd", "subss")
PCJIT_SSE_BIN(host_mulss, std::uint32_t, "movd", "mulss")
PCJIT_SSE_BIN(host_divss, std::uint32_t, "movd", "divss")
PCJIT_SSE_BIN(host_sqrtss, std::uint32_t, "movd", "sqrtss")
PCJIT_SSE_BIN(host_minss, std::uint32_t, "movd", "minss")
PCJIT_SSE_BIN(host_maxss, std::uint32_t, "movd", "maxss")
PCJIT_SSE_BIN(host_addsd, std::uint64_t, "movq", "addsd")
PCJIT_SSE_BIN(host_subsd, std::uint64_t, "movq", "subsd")
PCJIT_SSE_BIN(host_mulsd, std::uint64_t, "movq", "mulsd")
PCJIT_SSE_BIN(host_divsd, std::uint64_t, "movq", "divsd")
PCJIT_SSE_BIN(host_sqrtsd, std::uint64_t, "movq", "sqrtsd")
PCJIT_SSE_BIN(host_minsd, std::uint64_t, "movq", "minsd")
PCJIT_SSE_BIN(host_maxsd, std::uint64_t, "movq", "maxsd")
#undef PCJIT_SSE_BIN

// COMISS/UCOMISS/COMISD/UCOMISD: returns ZF | PF << 1 | CF << 2.
#define PCJIT_SSE_CMP(name, T, mov, insn)                                                        \
  inline unsigned name(T a, T b, std::uint32_t mxcsr, std::uint32_t& out_mxcsr) {               \
    std::uint8_t z = 0, p = 0, c = 0;                                                            \
    std::uint32_t m = mxcsr, o = 0;                                                              \
    asm volatile("ldmxcsr %[m]\n\t" mov " %[a], %%xmm0\n\t" mov " %[b], %%xmm1\n\t" insn      \
                 " %%xmm1, %%xmm0\n\tsetz %[z]\n\tsetp %[p]\n\tsetc %[c]\n\tstmxcsr %[o]"        \
                 : [z] "=m"(z), [p] "=m"(p), [c] "=m"(c), [o] "=m"(o)                           \
                 : [a] "m"(a), [b] "m"(b), [m] "m"(m)                                           \
                 : "xmm0", "xmm1", "memory", "cc");                                             \
    std::uint32_t restore = 0x1F80;                                                              \
    asm volatile("ldmxcsr %0" ::"m"(restore));                                                   \
    out_mxcsr = o;                                                                               \
    return static_cast<unsigned>(z | (p << 1) | (c << 2));                                       \
  }
PCJIT_SSE_CMP(host_comiss, std::uint32_t, "movd", "comiss")
PCJIT_SSE_CMP(host_ucomiss, std::uint32_t, "movd", "ucomiss")
PCJIT_SSE_CMP(host_comisd, std::uint64_t, "movq", "comisd")
PCJIT_SSE_CMP(host_ucomisd, std::uint64_t, "movq", "ucomisd")
#undef PCJIT_SSE_CMP

// SSE conversions: one source (memory) to one destination register, MXCSR in and out.
#define PCJIT_SSE_CVT(name, TI, TO, insn, dst, movout)                                           \
  inline TO name(TI a, std::uint32_t mxcsr, std::uint32_t& out_mxcsr) {                          \
    TO r;                                                                                        \
    std::uint32_t m = mxcsr, o = 0;                                                              \
    asm volatile("ldmxcsr %[m]\n\t" insn " %[a], " dst "\n\t" movout "\n\tstmxcsr %[o]"         \
                 : [r] "=m"(r), [o] "=m"(o)                                                     \
                 : [a] "m"(a), [m] "m"(m)                                                       \
                 : "xmm0", "rax", "memory");                                                    \
    std::uint32_t restore = 0x1F80;                                                              \
    asm volatile("ldmxcsr %0" ::"m"(restore));                                                   \
    out_mxcsr = o;                                                                               \
    return r;                                                                                    \
  }
PCJIT_SSE_CVT(host_cvtss2sd, std::uint32_t, std::uint64_t, "cvtss2sd", "%%xmm0", "movq %%xmm0, %[r]")
PCJIT_SSE_CVT(host_cvtsd2ss, std::uint64_t, std::uint32_t, "cvtsd2ss", "%%xmm0", "movd %%xmm0, %[r]")
PCJIT_SSE_CVT(host_cvtsi2ss, std::int64_t, std::uint32_t, "cvtsi2ssq", "%%xmm0", "movd %%xmm0, %[r]")
PCJIT_SSE_CVT(host_cvtsi2sd, std::int64_t, std::uint64_t, "cvtsi2sdq", "%%xmm0", "movq %%xmm0, %[r]")
PCJIT_SSE_CVT(host_cvtss2si32, std::uint32_t, std::int32_t, "cvtss2si", "%%eax", "movl %%eax, %[r]")
PCJIT_SSE_CVT(host_cvttss2si32, std::uint32_t, std::int32_t, "cvttss2si", "%%eax", "movl %%eax, %[r]")
PCJIT_SSE_CVT(host_cvtss2si64, std::uint32_t, std::int64_t, "cvtss2si", "%%rax", "movq %%rax, %[r]")
PCJIT_SSE_CVT(host_cvttss2si64, std::uint32_t, std::int64_t, "cvttss2si", "%%rax", "movq %%rax, %[r]")
PCJIT_SSE_CVT(host_cvtsd2si32, std::uint64_t, std::int32_t, "cvtsd2si", "%%eax", "movl %%eax, %[r]")
PCJIT_SSE_CVT(host_cvttsd2si32, std::uint64_t, std::int32_t, "cvttsd2si", "%%eax", "movl %%eax, %[r]")
PCJIT_SSE_CVT(host_cvtsd2si64, std::uint64_t, std::int64_t, "cvtsd2si", "%%rax", "movq %%rax, %[r]")
PCJIT_SSE_CVT(host_cvttsd2si64, std::uint64_t, std::int64_t, "cvttsd2si", "%%rax", "movq %%rax, %[r]")
#undef PCJIT_SSE_CVT

#else
inline constexpr bool kHostIsX86_64 = false;
#endif

}  // namespace pcjit::fpu_test
