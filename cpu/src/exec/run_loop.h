// The dispatcher (see run_loop.cpp).
#pragma once
#include "core/processor.h"
#include "core/types.h"
#include "cpu/translator.h"

namespace pcjit::cpu {
class Context;
struct Block;

core::ProcessorExit run_cpu(Context& c, u64 max_insns);

// Runs up to `limit` instructions of b in the interpreter from the current state (the caller has
// done the block-boundary work: interrupts, breakpoints, RF). `one`: only the first instruction.
// Returns the instructions retired; *faulted is set when the last one faulted (pending in c.exc).
// Enters b's translation with the exit-word poisoning armed (hot_frame.h raise_exit): an exit
// word already set poisons the budget at once; the poison is removed when the run returns.
JitExit enter_translated(Context& c, Block& b);

u64 interpret_block(Context& c, const Block& b, u64 limit, bool one, bool* faulted);

// Runs b's translation once in lockstep with the interpreter (exec/lockstep.cpp): both engines
// run from the same state and the results are compared. The machine continues from the
// interpreter's result. Returns the instructions retired; *faulted as above; false in *ok with
// c.lockstep_error set on a divergence.
u64 lockstep_block(Context& c, Block& b, u64 limit, bool* faulted, bool* ok);
}  // namespace pcjit::cpu
