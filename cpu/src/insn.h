// The decoded instruction form shared by the interpreter and (later) the JIT.
//
// Zydis runs once per block build; what it finds is resolved into this compact record: the
// handler (chosen by operand size and register/memory form at decode time), the ModRM pieces,
// the effective-address recipe and the immediates. The raw Zydis structures are not kept.
#pragma once
#include "core/types.h"

namespace pcjit::cpu {

class Context;
struct Insn;

// What a handler tells the execution loop.
enum class Exec : u8 {
  Ok,     // retired; the loop advances EIP by the instruction length
  Fault,  // an exception is pending in the context; EIP still points at the instruction
  Jump,   // retired; the handler set EIP (block ends)
  Stop,   // retired; the handler set EIP and changed state that ends the block (mode, IF, ...)
  Halt,   // HLT retired; the handler set EIP past it
};

#define PCJIT_TRY(expr)                                   \
  do {                                                    \
    ::pcjit::cpu::Exec try_result_ = (expr);              \
    if (try_result_ != ::pcjit::cpu::Exec::Ok) [[unlikely]] \
      return try_result_;                                 \
  } while (0)

using Handler = Exec (*)(Context& c, const Insn& i);

namespace insn_flag {
constexpr u8 kRep = 1;     // F3 (REP / REPE)
constexpr u8 kRepne = 2;   // F2
constexpr u8 kLock = 4;
constexpr u8 kMem = 8;     // the ModRM operand is memory
constexpr u8 kSegOverride = 16;
}  // namespace insn_flag

struct Insn {
  Handler fn;
  u32 disp;       // address displacement (already sign-extended to 32 bits)
  u32 imm;        // first immediate (sign- or zero-extended as the instruction defines)
  u32 imm2;       // second immediate: ENTER level, far-pointer selector
  u16 row;        // index of the opcode-table row (tracer, JIT, stats)
  u8 len;         // instruction length in bytes
  u8 opsz;        // operand size in bytes (1, 2, 4)
  u8 adsz;        // address size in bytes (2, 4)
  u8 seg;         // segment of the memory operand (override or default)
  u8 reg;         // ModRM.reg, or the register in the opcode's low bits
  u8 rm;          // ModRM.rm register when the operand is a register
  u8 base;        // EA base register or kNoReg
  u8 index;       // EA index register or kNoReg
  u8 scale;       // EA index shift (0..3)
  u8 flags;       // insn_flag bits
  u8 opcode;      // primary opcode byte
  u8 map;         // 0: one-byte map, 1: 0F map
  u8 bytes_hint;  // the ModRM byte when there is one (x87 last-opcode register, FOP)
  u8 pad_;

  bool has(u8 f) const { return flags & f; }
  bool mem() const { return flags & insn_flag::kMem; }
};
static_assert(sizeof(Insn) <= 40, "keep decoded instructions compact");

}  // namespace pcjit::cpu
