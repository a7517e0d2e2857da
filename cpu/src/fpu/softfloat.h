// Portable soft-float for the x87 80-bit extended format and IEEE binary32/binary64 (SSE).
// Why: the host's `long double` is not 80-bit everywhere and host FP would leak host rounding
// state into the guest, so every operation here is integer arithmetic only (u128 allowed).
// Functions return the result the MASKED response produces (SDM Vol. 1, 4.9 and 11.5) and OR the
// raised exception flags into Env::flags; the caller decides from its masks whether to store it or
// to raise #MF/#XM. The one mask-dependent result is the x87 unmasked overflow/underflow to a
// register (SDM Vol. 1, 4.9.1.4/4.9.1.5): the exponent is wrapped by 24576 and returned.
// An unmasked pre-computation exception (IE, ZE, DE) stops the operation: only that flag is
// reported and the returned value is not to be stored (as the hardware does).
#pragma once
#include <cstdint>

#include "core/types.h"  // u8..u64, i16..i64: sf lives inside pcjit, so they are in scope

namespace pcjit::cpu::sf {

// Exception flags, in the bit layout shared by the x87 status/control word and MXCSR.
enum : u8 {
  kIE = 0x01,  // invalid operation
  kDE = 0x02,  // denormal operand
  kZE = 0x04,  // divide by zero
  kOE = 0x08,  // overflow
  kUE = 0x10,  // underflow
  kPE = 0x20,  // precision (inexact)
  kAllExceptions = 0x3F,
};

// Rounding control, encoded as in the x87 control word RC field and MXCSR.RC.
enum class Round : u8 { Nearest = 0, Down = 1, Up = 2, Zero = 3 };

// x87 precision control (control word PC field); 1 is reserved and behaves as Extended here.
enum class Precision : u8 { Single = 0, Double = 2, Extended = 3 };

// Per-operation environment: inputs (round, precision, masks, daz, ftz) and outputs (flags, c1).
struct Env {
  Round round = Round::Nearest;
  Precision precision = Precision::Extended;  // x87 arithmetic only (add/sub/mul/div/sqrt)
  u8 masks = kAllExceptions;  // exception masks; only OE/UE change the produced result
  bool daz = false;           // SSE: denormal operands read as zero (no DE)
  bool ftz = false;           // SSE: masked underflow flushes to zero
  u8 flags = 0;               // out: accumulated exception flags (kIE...)
  bool c1 = false;            // out: x87 C1, the last rounding increased the magnitude
};

// x87 80-bit register value: explicit integer bit at sig bit 63; se = sign (bit 15) | exponent.
struct F80 {
  u64 sig = 0;
  u16 se = 0;
  constexpr bool sign() const { return (se & 0x8000) != 0; }
  constexpr u16 exp() const { return se & 0x7FFF; }
  friend constexpr bool operator==(F80, F80) = default;
};

// IEEE binary32 / binary64 bit patterns (distinct types so overloads cannot mix formats).
struct F32 {
  u32 bits = 0;
  friend constexpr bool operator==(F32, F32) = default;
};
struct F64 {
  u64 bits = 0;
  friend constexpr bool operator==(F64, F64) = default;
};

inline constexpr F80 kRealIndefinite{0xC000000000000000ull, 0xFFFF};  // SDM Vol. 1, Table 4-3
inline constexpr F32 kF32Indefinite{0xFFC00000u};
inline constexpr F64 kF64Indefinite{0xFFF8000000000000ull};
inline constexpr F80 kF80Zero{0, 0};
inline constexpr F80 kF80One{0x8000000000000000ull, 0x3FFF};

// Classification of an 80-bit value (FXAM-style, plus the P6 unsupported encodings).
enum class Class : u8 {
  Zero,
  Denormal,        // exponent 0, integer bit 0, significand != 0
  PseudoDenormal,  // exponent 0, integer bit 1 (read as a denormal, raises DE)
  Normal,
  Infinity,
  QNaN,
  SNaN,
  Unsupported,  // unnormal, pseudo-NaN, pseudo-infinity: invalid operands on a P6 (IE)
};
Class classify(F80 a);
bool is_nan(F80 a);  // QNaN or SNaN (not pseudo-NaN)
bool is_nan(F32 a);
bool is_nan(F64 a);
bool is_snan(F32 a);
bool is_snan(F64 a);

// Comparison outcome (FCOM/FUCOM/FCOMI and COMISS/UCOMISS).
enum class Cmp : u8 { Less, Equal, Greater, Unordered };

// ---- x87 arithmetic (precision control and rounding from env) ----
F80 add(F80 a, F80 b, Env& env);
F80 sub(F80 a, F80 b, Env& env);  // a - b
F80 mul(F80 a, F80 b, Env& env);
F80 div(F80 a, F80 b, Env& env);  // a / b
F80 sqrt(F80 a, Env& env);
// quiet = true: FUCOM rules (IE only for SNaN / unsupported); false: FCOM rules (IE for any NaN).
Cmp compare(F80 a, F80 b, Env& env, bool quiet);

// FPREM (ieee = false, truncating quotient) / FPREM1 (ieee = true, nearest quotient): one step.
// complete = false means a partial remainder (C2 = 1; the step reduces the exponent difference
// by 32..63 like a P6) and quotient = 0 (C0/C3/C1 clear); when complete, quotient holds the low
// 3 quotient bits (Q2 -> C0, Q1 -> C3, Q0 -> C1).
struct Remainder {
  F80 value;
  u8 quotient = 0;
  bool complete = true;
};
Remainder remainder(F80 a, F80 b, Env& env, bool ieee);

F80 round_to_int(F80 a, Env& env);  // FRNDINT (env.round, no precision control)
F80 scale(F80 a, F80 b, Env& env);  // FSCALE: a * 2^trunc(b)
struct Extracted {
  F80 exponent;     // the unbiased exponent as a value (goes to ST(1) after the push)
  F80 significand;  // same sign, exponent 0x3FFF (goes to ST(0))
};
Extracted extract(F80 a, Env& env);  // FXTRACT

// ---- x87 transcendentals (~126-bit intermediates, one final rounding; no precision control) ----
F80 f2xm1(F80 x, Env& env);          // F2XM1: 2^x - 1 (defined for |x| <= 1)
F80 yl2x(F80 x, F80 y, Env& env);    // FYL2X: y * log2(x), x = ST(0), y = ST(1)
F80 yl2xp1(F80 x, F80 y, Env& env);  // FYL2XP1: y * log2(x + 1)
F80 fpatan(F80 x, F80 y, Env& env);  // FPATAN: atan(y / x) in the quadrant of (x, y), x = ST(0)
// FSIN/FCOS/FSINCOS/FPTAN. |x| >= 2^63: out_of_range (C2 = 1), value = x, nothing else done.
// fsincos: value = sin, second = cos (ST(0) = cos after the push); fptan: second = +1.0.
// For NaN/infinity/unsupported operands value == second (the NaN or indefinite fills both
// registers of the two-result forms, as the hardware does).
struct Trig {
  F80 value;
  F80 second;
  bool out_of_range = false;
};
Trig fsin(F80 x, Env& env);
Trig fcos(F80 x, Env& env);
Trig fsincos(F80 x, Env& env);
Trig fptan(F80 x, Env& env);

// ---- x87 conversions ----
F80 from_int(i64 v);  // FILD m16/m32/m64: always exact
// FIST/FISTP: round per env.round; NaN/inf/out of range -> IE and the integer indefinite
// (0x8000, 0x80000000, 0x8000000000000000); no DE for denormals; C1 = rounded up.
i16 to_i16(F80 a, Env& env);
i32 to_i32(F80 a, Env& env);
i64 to_i64(F80 a, Env& env);
F80 from_f32(F32 a, Env& env);  // FLD m32: exact; SNaN -> IE + quieted, denormal -> DE
F80 from_f64(F64 a, Env& env);
// FST m32/m64: round per env.round (precision control ignored). A denormal register raises no
// DE (measured). Unmasked OE/UE: flags as the hardware sets them; the caller must not store.
F32 to_f32(F80 a, Env& env);
F64 to_f64(F80 a, Env& env);
// 18-digit packed BCD (10 bytes, little-endian, byte 9 bit 7 = sign; SDM Vol. 1, 4.7).
F80 from_bcd(const u8 bcd[10]);  // FBLD: invalid digits give an undefined (here: decoded) value
void to_bcd(F80 a, Env& env, u8 out[10]);  // FBSTP: out of range/NaN -> IE + BCD indefinite

// ---- SSE scalar arithmetic (env.daz / env.ftz / env.round; SSE NaN rules: first NaN operand) ----
F32 add(F32 a, F32 b, Env& env);
F32 sub(F32 a, F32 b, Env& env);
F32 mul(F32 a, F32 b, Env& env);
F32 div(F32 a, F32 b, Env& env);
F32 sqrt(F32 a, Env& env);
F64 add(F64 a, F64 b, Env& env);
F64 sub(F64 a, F64 b, Env& env);
F64 mul(F64 a, F64 b, Env& env);
F64 div(F64 a, F64 b, Env& env);
F64 sqrt(F64 a, Env& env);
// quiet = true: UCOMIS* / CMPEQ-style (IE only for SNaN); false: COMIS* / CMPLT-style.
Cmp compare(F32 a, F32 b, Env& env, bool quiet);
Cmp compare(F64 a, F64 b, Env& env, bool quiet);
// MINSS/MAXSS/MINSD/MAXSD: return b when either is NaN or both are zero (SDM Vol. 2, MINSS).
F32 min(F32 a, F32 b, Env& env);
F32 max(F32 a, F32 b, Env& env);
F64 min(F64 a, F64 b, Env& env);
F64 max(F64 a, F64 b, Env& env);

// ---- SSE conversions ----
F64 to_f64(F32 a, Env& env);  // CVTSS2SD
F32 to_f32(F64 a, Env& env);  // CVTSD2SS
F32 i64_to_f32(i64 v, Env& env);  // CVTSI2SS (also for 32-bit sources)
F64 i64_to_f64(i64 v, Env& env);  // CVTSI2SD
// CVTSS2SI/CVTTSS2SI (truncate = true ignores env.round); out of range/NaN -> IE + indefinite.
i32 to_i32(F32 a, Env& env, bool truncate);
i64 to_i64(F32 a, Env& env, bool truncate);
i32 to_i32(F64 a, Env& env, bool truncate);
i64 to_i64(F64 a, Env& env, bool truncate);

}  // namespace pcjit::cpu::sf
