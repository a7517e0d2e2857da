// The EFLAGS effect of one decoded instruction, from its opcode-table row (RowFlags).
//
// A row declares its flags for the general case; what a decoded instance knows narrows it: the
// condition code of Jcc/SETcc/CMOVcc, and for shifts and rotates a count that is fixed in the
// encoding (1, or an imm8). A count in CL is known only when the instruction runs; the decoder
// then gets the union over every count, and a caller that knows CL (the SST harness, from a
// vector's initial state) can ask for the exact masks.
#pragma once
#include <optional>

#include "decoder.h"
#include "opcode_table.h"

namespace pcjit::cpu {

// The condition flags Jcc/SETcc/CMOVcc/FCMOVcc test for condition code cc (SDM Vol. 1 Table B-1).
u32 condition_flags(unsigned cc);

// cl: the value of CL when the instruction runs, if known; without it a count in CL stands for
// every count.
InsnFlags flag_effect(const OpcodeRow& row, const Insn& i, std::optional<u8> cl = std::nullopt);

}  // namespace pcjit::cpu
