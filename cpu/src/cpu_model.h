// Which CPU we are: one place for the identity that RESET (EDX) and CPUID report.
#pragma once
#include "core/types.h"

namespace pcjit::cpu {
// Family 6, model 1, stepping 9: a Pentium Pro. CPUID feature bits (ops/system_msr.cpp) list only
// what is implemented; the model grows as x87/MMX/SSE land.
constexpr u32 kCpuSignature = 0x00000619;
}  // namespace pcjit::cpu
