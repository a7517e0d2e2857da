// Instruction decoding: guest bytes -> Insn, through Zydis (hidden in decoder.cpp).
#pragma once
#include "../context.h"
#include "../insn.h"

namespace pcjit::cpu {

// EFLAGS bits (in their architectural positions) an instruction reads, writes and leaves
// undefined, from its opcode-table row as the SDM gives them (flag_effect.h: the row's declaration
// narrowed by what the instance fixes, such as a condition code or an immediate shift count). The
// JIT's flag liveness, the lockstep comparison and the SST harness use these masks.
struct InsnFlags {
  u32 read = 0;
  u32 written = 0;    // may be changed: to a defined value or to an undefined one
  u32 undefined = 0;  // the written flags the SDM leaves undefined
};

struct FetchedInsn {
  Insn insn;
  InsnFlags flags;
  u8 bytes[16];
  u64 phys;        // physical address of the first byte
  u64 phys_last;   // physical address of the last byte (differs in page when it crosses)
};

// Decodes one instruction from `count` bytes as code of the given default size (CS.D), with no
// guest state involved: the structure from Zydis, the meaning from the opcode table.
enum class DecodeStatus : u8 {
  kOk,
  kInvalid,    // no row or binder takes the encoding, or LOCK where it is not allowed: #UD
  kTooLong,    // more than 15 bytes: #GP(0)
  kTruncated,  // the bytes end inside the instruction
};
DecodeStatus decode_bytes(const u8* bytes, unsigned count, bool code32, Insn& out, InsnFlags& flags);

// Decodes the instruction at CS:eip in the current mode. On failure returns Exec::Fault with the
// exception pending (#PF/#GP on fetch, #UD for an unknown or invalid encoding, #GP(0) when longer
// than 15 bytes or past the CS limit).
Exec decode_at(Context& c, u32 eip, FetchedInsn& out);

}  // namespace pcjit::cpu
