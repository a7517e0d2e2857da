// Native emitter rows: which opcode-table encodings the JIT emits as host code. Keyed like the
// opcode table ([map][opcode][ModRM.reg]); an encoding without a row, or whose emitter declines
// the form, runs through its interpreter handler.
#pragma once
#include <span>

#include "emitter.h"

namespace pcjit::jit {

struct NativeRow {
  u8 map;
  u8 opcode;
  u8 count;  // consecutive opcodes
  i8 ext;    // ModRM.reg, or -1 for any
  NativeEmitter emit;
};

std::span<const NativeRow> alu_native_rows();
std::span<const NativeRow> move_native_rows();
std::span<const NativeRow> branch_native_rows();
std::span<const NativeRow> stack_native_rows();

}  // namespace pcjit::jit
