// Instruction decoding: guest bytes -> Insn, through Zydis (hidden in decoder.cpp).
#pragma once
#include "../context.h"
#include "../insn.h"

namespace pcjit::cpu {

// EFLAGS bits (in their architectural positions) an instruction reads, writes and leaves
// undefined, as Zydis' tables give them. The JIT's flag handling, the lockstep comparison and the
// SST harness use these masks.
struct InsnFlags {
  u32 read = 0;
  u32 written = 0;    // modified, set to 0 or set to 1 (undefined flags included)
  u32 undefined = 0;
};

struct FetchedInsn {
  Insn insn;
  InsnFlags flags;
  u8 bytes[16];
  u64 phys;        // physical address of the first byte
  u64 phys_last;   // physical address of the last byte (differs in page when it crosses)
};

// Decodes the instruction at CS:eip in the current mode. On failure returns Exec::Fault with the
// exception pending (#PF/#GP on fetch, #UD for an unknown or invalid encoding, #GP(0) when longer
// than 15 bytes or past the CS limit).
Exec decode_at(Context& c, u32 eip, FetchedInsn& out);

}  // namespace pcjit::cpu
