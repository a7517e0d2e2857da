// The opcode table: one row per instruction form, keyed by opcode map, opcode byte(s), ModRM.reg
// extension and register/memory form. Each instruction-family file (ops/*.cpp, system/*.cpp)
// contributes its rows; decode/opcode_table.cpp gathers them into a lookup array at start-up.
//
// A row's binder runs at block-build time: it looks at the resolved operand size, address size
// and form, and returns the handler specialised for them (or nullptr for #UD). The decoder has
// already filled the generic Insn fields (ModRM, EA recipe, immediates, prefixes).
#pragma once
#include <span>

#include "../insn.h"

namespace pcjit::cpu {

// Zydis-free view of a decoded instruction, for binders.
struct DecodeView {
  u8 map;        // 0: one-byte, 1: 0F
  u8 opcode;
  u8 opsz;       // effective operand size for 'v' operands: 2 or 4
  u8 adsz;       // effective address size: 2 or 4
  bool mem;      // ModRM operand is memory
  bool code32;   // CS.D of the code being decoded
  u8 modrm_reg;
  u8 modrm_rm;
  bool rep, repne, lock, opsize_prefix;
  u8 mandatory;  // SSE mandatory prefix (66, F3, F2), 0 when none: selects MMX vs SSE forms
};

using Binder = Handler (*)(const DecodeView& v, Insn& out);

namespace row_flag {
constexpr u16 kEndsBlock = 1;    // control transfer or state change: the block ends after it
constexpr u16 kModRM = 2;        // has a ModRM byte (reg extension / form matter)
constexpr u16 kMemOnly = 4;      // only the memory form is valid (register form is #UD)
constexpr u16 kRegOnly = 8;      // only the register form is valid
constexpr u16 kLockable = 16;    // LOCK allowed (memory form only)
}  // namespace row_flag

struct OpcodeRow {
  const char* name;  // for stats and the tracer ("add Eb,Gb")
  u8 map;            // 0: one-byte map, 1: 0F map
  u8 opcode;         // first opcode byte of the range
  u8 count;          // number of consecutive opcodes covered (e.g. 8 for B8+r)
  i8 ext;            // ModRM.reg extension, or -1 when any
  u16 flags;         // row_flag bits
  Binder bind;
};

// Each family exports its rows through one of these; opcode_table.cpp lists them all.
std::span<const OpcodeRow> alu_rows();
std::span<const OpcodeRow> arith_rows();
std::span<const OpcodeRow> shift_rows();
std::span<const OpcodeRow> muldiv_rows();
std::span<const OpcodeRow> bcd_rows();
std::span<const OpcodeRow> bit_rows();
std::span<const OpcodeRow> move_rows();
std::span<const OpcodeRow> stack_rows();
std::span<const OpcodeRow> string_rows();
std::span<const OpcodeRow> branch_rows();
std::span<const OpcodeRow> flag_rows();
std::span<const OpcodeRow> io_rows();
std::span<const OpcodeRow> misc_rows();
std::span<const OpcodeRow> system_rows();
std::span<const OpcodeRow> farcall_rows();
std::span<const OpcodeRow> simd_rows();  // simd/*.cpp: MMX, SSE, SSE2

// Looks up the row for an instruction; nullptr when the opcode is not implemented (#UD).
const OpcodeRow* find_row(u8 map, u8 opcode, u8 modrm_reg, bool mem);
// Index of a row (stored in Insn::row) and back.
u16 row_index(const OpcodeRow* row);
const OpcodeRow& row_at(u16 index);

// Helper for binders that choose among 8/16/32-bit handlers.
template <Handler H8, Handler H16, Handler H32>
Handler by_size(unsigned size) {
  return size == 1 ? H8 : size == 2 ? H16 : H32;
}

}  // namespace pcjit::cpu
