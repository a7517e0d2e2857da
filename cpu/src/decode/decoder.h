// Instruction decoding: guest bytes -> Insn, through Zydis (hidden in decoder.cpp).
#pragma once
#include "../context.h"
#include "../insn.h"

namespace pcjit::cpu {

struct FetchedInsn {
  Insn insn;
  u8 bytes[16];
  u64 phys;        // physical address of the first byte
  u64 phys_last;   // physical address of the last byte (differs in page when it crosses)
};

// Decodes the instruction at CS:eip in the current mode. On failure returns Exec::Fault with the
// exception pending (#PF/#GP on fetch, #UD for an unknown or invalid encoding, #GP(0) when longer
// than 15 bytes or past the CS limit).
Exec decode_at(Context& c, u32 eip, FetchedInsn& out);

}  // namespace pcjit::cpu
