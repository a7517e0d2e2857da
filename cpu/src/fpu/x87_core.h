// The x87 register stack and the pieces every x87 instruction shares (SDM Vol. 1 chapter 8):
// TOP-relative register access, the abridged tags, status/control bits, the exception signalling
// with its masked/unmasked split, the common prologue (#NM per CR0.EM/TS, pending #MF or FERR#)
// and the last-instruction/last-operand pointers. Instruction groups live in x87_*.cpp and export
// their handlers through this header; ops/system_x87.cpp maps opcodes to them.
#pragma once
#include "../context.h"
#include "softfloat.h"

namespace pcjit::cpu::x87 {

using F80 = FpuReg;

namespace sw {
constexpr u16 IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, SF = 64, ES = 128, C0 = 0x100,
              C1 = 0x200, C2 = 0x400, TOP = 0x3800, C3 = 0x4000, B = 0x8000;
constexpr u16 kExceptions = 0x3F;
constexpr u16 kCond = C0 | C1 | C2 | C3;
}  // namespace sw
namespace cw {
constexpr u16 PC_SHIFT = 8, RC_SHIFT = 10, kReserved1 = 0x40;
}

// Values with a fixed meaning (SDM Vol. 1 Table 8-10 and 4.8.3.7).
constexpr F80 kIndefinite{0xC000000000000000ull, 0xFFFF};
constexpr F80 kZero{0, 0};

inline unsigned top(const FpuState& f) { return (f.sw >> 11) & 7; }
inline void set_top(FpuState& f, unsigned t) {
  f.sw = static_cast<u16>((f.sw & ~sw::TOP) | ((t & 7) << 11));
}
inline unsigned phys(const FpuState& f, unsigned i) { return (top(f) + i) & 7; }
inline bool is_empty(const FpuState& f, unsigned i) { return !((f.valid >> phys(f, i)) & 1); }
inline F80& st(FpuState& f, unsigned i) { return f.r[phys(f, i)]; }
inline const F80& st(const FpuState& f, unsigned i) { return f.r[phys(f, i)]; }
inline void set_st(FpuState& f, unsigned i, F80 v) {
  f.r[phys(f, i)] = v;
  f.valid = static_cast<u8>(f.valid | (1u << phys(f, i)));
}
inline void push(FpuState& f, F80 v) {
  set_top(f, top(f) - 1);
  set_st(f, 0, v);
}
inline void pop(FpuState& f) {
  f.valid = static_cast<u8>(f.valid & ~(1u << top(f)));
  set_top(f, top(f) + 1);
}
inline void set_cc(FpuState& f, u16 bits) { f.sw = static_cast<u16>((f.sw & ~sw::kCond) | bits); }

// Full 2-bit tag of a register's contents (SDM Vol. 1 8.1.7): 0 valid, 1 zero, 2 special.
inline unsigned tag_of(const F80& v) {
  unsigned e = v.se & 0x7FFF;
  if (e == 0x7FFF) return 2;
  if (e == 0) return v.mant == 0 ? 1 : 2;
  return (v.mant >> 63) ? 0 : 2;  // unnormals are special
}
u16 full_tag_word(const FpuState& f);
u8 abridge(u16 full);  // 11 -> empty, anything else -> valid

inline bool sign(const F80& v) { return v.se >> 15; }

// Soft-float environment from the control word: rounding, precision, flags accumulate in env.
sf::Env make_env(const FpuState& f);
inline sf::F80 to_sf(const F80& v) { return sf::F80{v.mant, v.se}; }
inline F80 from_sf(const sf::F80& v) { return F80{v.sig, v.se}; }

// Records exception flags from an operation. Returns true when any of them is unmasked and is a
// pre-computation exception (IE, DE, ZE): the caller must then leave the destination and the
// stack untouched (SDM Vol. 1 8.5: "the destination operand is not changed").
bool signal(FpuState& f, u16 flags);
// Stack fault: IE|SF with C1 = 1 for overflow, 0 for underflow; true when IE is unmasked.
bool stack_fault(FpuState& f, bool overflow);
// Stack underflow with ST(dst) as destination: the masked response stores the real indefinite
// there (SDM Vol. 1 8.5.1.1); unmasked, nothing is stored.
void underflow_into(FpuState& f, unsigned dst);

// Pushes a loaded value: stack overflow if the new ST(0) slot is in use (masked: push the real
// indefinite), else the conversion's flags decide (an unmasked IE/DE pushes nothing). C1 = 0
// except for overflow.
void push_loaded(FpuState& f, F80 v, u16 flags);
// Writes an arithmetic result to ST(dst) unless a pre-computation exception is unmasked; C1 is
// the rounding direction (SDM Vol. 1 Table 8-6). Returns whether it was stored.
bool store_result(FpuState& f, unsigned dst, F80 v, const sf::Env& env);

// Prologue of every x87 instruction: #NM when CR0.EM or CR0.TS (SDM Vol. 3A Table 2-2), then for
// waiting instructions a pending unmasked exception (SW.ES) raises #MF when CR0.NE=1 or asserts
// FERR# (IRQ13 on a PC, MS-DOS compatible reporting) when CR0.NE=0, and the instruction goes on.
Exec begin(Context& c, bool waiting = true);
// After the operand fetch succeeded: FIP/FCS/FOP (and FDP/FDS for memory forms), so a page fault
// leaves the previous values in place.
void note(Context& c, const Insn& i);
// Clears ES/B (and lowers FERR#) after FNCLEX/FNINIT, or re-derives ES after a state load.
void update_es(Context& c);
void reset_fpu(Context& c);  // FNINIT

// Reads/writes a multi-byte block after checking every piece (precise restart for
// FSAVE/FRSTOR/FXSAVE/...).
Exec read_block(Context& c, unsigned seg, u32 off, u8* buf, unsigned len);
Exec write_block(Context& c, unsigned seg, u32 off, const u8* buf, unsigned len);

// Handlers exported per group (x87_*.cpp), bound by ops/system_x87.cpp.
Handler bind_mem(u8 opcode, u8 reg);       // memory forms D8-DF /0-7 (nullptr: #UD)
Handler bind_reg(u8 opcode, u8 modrm);     // register forms (mod = 3)
// Group binders: each returns nullptr when it does not own the form.
Handler loadstore_mem(u8 opcode, u8 reg);
Handler loadstore_reg(u8 opcode, u8 modrm);
Handler arith_mem(u8 opcode, u8 reg);
Handler arith_reg(u8 opcode, u8 modrm);
Handler compare_mem(u8 opcode, u8 reg);
Handler compare_reg(u8 opcode, u8 modrm);
Handler control_mem(u8 opcode, u8 reg);
Handler control_reg(u8 opcode, u8 modrm);
Handler misc_reg(u8 opcode, u8 modrm);
Handler transcend_reg(u8 opcode, u8 modrm);
Exec fwait(Context& c, const Insn& i);
Exec fxsave(Context& c, const Insn& i);
Exec fxrstor(Context& c, const Insn& i);

}  // namespace pcjit::cpu::x87
