// Native emitter rows: which opcode-table encodings the JIT emits as host code. Keyed like the
// opcode table ([map][opcode][ModRM.reg]); an encoding without a row, or whose emitter declines
// the form, runs through its interpreter handler.
#pragma once
#include <span>

#include "emitter.h"

namespace pcjit::jit {

// Whether an instruction's native code can expose the guest flags (store them to CpuState, at a
// slow path, a handler call, a fault or an exit) before it has written the ones it writes. The
// flag liveness (Emitter::live_after) treats every instruction but the "pure" ones as reading all.
enum class Purity : u8 {
  None,      // accesses memory, transfers control, or may decline to the handler
  RegForm,   // pure in its register form (ModRM.mod = 3)
  Always,    // pure in every form (LEA: no memory access)
  ShiftImm,  // shifts: pure in the register form with a nonzero immediate count
};

struct NativeRow {
  u8 map;
  u8 opcode;
  u8 count;  // consecutive opcodes
  i8 ext;    // ModRM.reg, or -1 for any
  NativeEmitter emit;
  Purity purity = Purity::None;
};

// True when the instruction will be emitted natively without any point that exposes the flags.
bool pure_native(const Insn& i);

std::span<const NativeRow> alu_native_rows();
std::span<const NativeRow> move_native_rows();
std::span<const NativeRow> branch_native_rows();
std::span<const NativeRow> stack_native_rows();
std::span<const NativeRow> io_native_rows();
std::span<const NativeRow> system_native_rows();

}  // namespace pcjit::jit
