// The SSE2 (prefixed) forms of the integer move rows, for mmx_move.cpp's binders.
#pragma once
#include "simd.h"

namespace pcjit::cpu::simd {
// Handler for the 66/F3/F2 form of a move-family opcode (nullptr: #UD).
Handler sse2_move_bind(const DecodeView& v);
}  // namespace pcjit::cpu::simd
