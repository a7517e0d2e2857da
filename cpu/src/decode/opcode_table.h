// The opcode table: one row per instruction form, keyed by opcode map, opcode byte(s), ModRM.reg
// extension, register/memory form and mandatory prefix (the SDM's "NP 0F 6F" MOVQ mm, "66 0F 6F"
// MOVDQA and "F3 0F 6F" MOVDQU are three rows). Each instruction-family file (ops/*.cpp, system/*.cpp)
// contributes its rows; decode/opcode_table.cpp gathers them into a lookup array at start-up.
//
// A row's binder runs at block-build time: it looks at the resolved operand size, address size
// and form, and returns the handler specialised for them (or nullptr for #UD). The decoder has
// already filled the generic Insn fields (ModRM, EA recipe, immediates, prefixes).
//
// A row also declares what its instructions do to EFLAGS (RowFlags, from the "Flags Affected"
// section of each SDM Vol. 2 entry) and their operation class. The decoder turns the flag
// declaration into each decoded instruction's InsnFlags (flag_effect.h), which the JIT's flag
// liveness, lockstep and the SST harness read; tests/unit/opcode_table_test.cpp checks every
// form against Zydis' independent tables and lists where the SDM and Zydis disagree.
#pragma once
#include <span>

#include "../insn.h"
#include "cpu/state.h"

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
};

using Binder = Handler (*)(const DecodeView& v, Insn& out);

namespace row_flag {
constexpr u16 kEndsBlock = 1;    // control transfer or state change: the block ends after it
constexpr u16 kModRM = 2;        // has a ModRM byte (reg extension / form matter)
constexpr u16 kMemOnly = 4;      // only the memory form is valid (register form is #UD)
constexpr u16 kRegOnly = 8;      // only the register form is valid
constexpr u16 kLockable = 16;    // LOCK allowed (memory form only)
}  // namespace row_flag

// What a row is, in the SDM's grouping of the instruction set (Vol. 1 5.1-5.6, 8, 9, 10, 11),
// for stats, traces and tests; kIo marks every port access (IN/OUT/INS/OUTS), which lockstep
// and the SST harness must treat specially, whatever row it is in.
enum class OpClass : u8 {
  kAlu,     // integer arithmetic and logic: ADD..CMP, TEST, INC/DEC/NEG/NOT, BCD, CMPXCHG, XADD
  kMulDiv,  // MUL, IMUL, DIV, IDIV
  kShift,   // shifts and rotates, SHLD/SHRD
  kBit,     // BT/BTS/BTR/BTC, BSF/BSR, SETcc, BSWAP
  kMove,    // MOV forms, MOVZX/MOVSX, XCHG, CMOVcc, LEA, CBW/CWD, XLAT, LDS..LGS
  kStack,   // PUSH/POP forms, PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE
  kString,  // MOVS, CMPS, STOS, LODS, SCAS
  kBranch,  // near transfers: Jcc, JMP, CALL, RET, LOOP, JCXZ; BOUND
  kFar,     // far transfers and interrupts: JMP/CALL far, RET far, INT n, INT3, INTO, INT1, IRET
  kFlag,    // CLC/STC/CMC/CLD/STD/CLI/STI, LAHF/SAHF
  kIo,      // IN, OUT, INS, OUTS
  kSystem,  // descriptor tables, control/debug registers, MSRs, CPUID, HLT, UD2, fast system calls
  kNop,     // NOP and the hint-NOP space
  kX87,     // the x87 unit: WAIT, ESC D8-DF, FXSAVE/FXRSTOR
  kMmx,     // MMX and the SSE integer additions on MMX registers
  kSse,     // SSE and SSE2 on XMM registers, MXCSR, fences, CLFLUSH
};

// How a decoded instance narrows its row's EFLAGS declaration (flag_effect.cpp).
enum class FlagRule : u8 {
  kFixed,   // the row's masks hold for every instance
  kCond,    // Jcc/SETcc/CMOVcc: reads only the flags of the condition in the opcode's low nibble
  kCount,   // shift/rotate by a count (1, imm8 or CL, masked to 5 bits): count 0 touches no flag,
            // count 1 defines OF (SDM SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR "Flags Affected")
  kCountCf, // SHL/SHR/SAL: as kCount, and CF is undefined when count >= the operand width
  kCountDouble,  // SHLD/SHRD: as kCount, and every written flag is undefined for count > width
};

// EFLAGS bits (architectural positions) a row's instructions read, write and leave undefined,
// per the SDM. read: may be read. written: may be changed, to a defined value or an undefined one.
// undefined: the part of written the SDM leaves undefined. For a rule other than kFixed the masks
// are those of the general case (count > 1 and below the width), which the rule narrows.
struct RowFlags {
  u32 read = 0;
  u32 written = 0;
  u32 undefined = 0;
  FlagRule rule = FlagRule::kFixed;
};

namespace fx {
// Every flag an instruction can change: a far transfer or interrupt through a task gate loads
// EFLAGS from the new TSS (SDM "Flags Affected" of JMP/CALL/INT n/IRET: all flags, on a task switch).
constexpr u32 kAllFlags = flag::kArith | flag::TF | flag::IF | flag::DF | flag::IOPL | flag::NT | flag::RF |
                          flag::VM | flag::AC | flag::VIF | flag::VIP | flag::ID;
constexpr RowFlags kNone{};
constexpr RowFlags kArith{0, flag::kArith, 0};               // ADD SUB CMP NEG, CMPXCHG, XADD
constexpr RowFlags kCarryIn{flag::CF, flag::kArith, 0};      // ADC SBB
constexpr RowFlags kLogic{0, flag::kArith, flag::AF};        // AND OR XOR TEST: OF=CF=0, AF undefined
// Jcc/SETcc/CMOVcc: the union of what the 16 conditions test; flag_effect() narrows it to one.
constexpr RowFlags kCond{flag::CF | flag::PF | flag::ZF | flag::SF | flag::OF, 0, 0, FlagRule::kCond};
}  // namespace fx

// The mandatory prefix that selects a row (SDM Vol. 2 3.1.1.1: "NP" = none of 66/F2/F3). A row
// whose opcode has no prefixed forms takes every prefix (kAny): there 66 is the operand size and
// F2/F3 are REP or ignored, and the binder sees them as such. Zydis tells which prefix is
// mandatory (the last of F2/F3, else 66, for an opcode that has prefixed forms).
namespace pfx {
constexpr u8 kNP = 1, k66 = 2, kF3 = 4, kF2 = 8;
constexpr u8 kAny = kNP | k66 | kF3 | kF2;
}  // namespace pfx

struct OpcodeRow {
  const char* name;  // for stats and the tracer ("add Eb,Gb")
  u8 map;            // 0: one-byte map, 1: 0F map
  u8 opcode;         // first opcode byte of the range
  u8 count;          // number of consecutive opcodes covered (e.g. 8 for B8+r)
  i8 ext;            // ModRM.reg extension, or -1 when any
  u16 flags;         // row_flag bits
  Binder bind;
  OpClass cls;
  RowFlags fx;       // EFLAGS effects
  u8 prefixes = pfx::kAny;  // the mandatory prefixes that select this row
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
// mandatory: the mandatory prefix byte (66, F3, F2), or 0 for none.
const OpcodeRow* find_row(u8 map, u8 opcode, u8 modrm_reg, bool mem, u8 mandatory);
// Index of a row (stored in Insn::row) and back.
u16 row_index(const OpcodeRow* row);
const OpcodeRow& row_at(u16 index);
// Every row, in index order (tests walk the whole table).
std::span<const OpcodeRow* const> all_rows();

// Helper for binders that choose among 8/16/32-bit handlers.
template <Handler H8, Handler H16, Handler H32>
Handler by_size(unsigned size) {
  return size == 1 ? H8 : size == 2 ? H16 : H32;
}

}  // namespace pcjit::cpu
