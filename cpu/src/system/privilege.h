// Small privilege predicates used by many handlers.
#pragma once
#include "../context.h"

namespace pcjit::cpu {

inline u32 iopl(const CpuState& s) { return (s.eflags & flag::IOPL) >> 12; }
// CPL 0 required (real mode counts as CPL 0; v86 mode runs at CPL 3).
inline bool ring0(const CpuState& s) { return !s.protected_mode() || (!s.v86() && s.cpl == 0); }

}  // namespace pcjit::cpu
