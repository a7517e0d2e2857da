// The interpreter's dispatcher (see run_loop.cpp).
#pragma once
#include "core/processor.h"

namespace pcjit::cpu {
class Context;
core::ProcessorExit run_cpu(Context& c, u64 max_insns);
}  // namespace pcjit::cpu
