// Internal entry points for event delivery, shared between the mode-specific files.
#pragma once
#include "../context.h"

namespace pcjit::cpu {

Exec deliver_real(Context& c, u8 vector, u32 return_eip);
// Protected mode and virtual-8086 mode through the IDT (system/interrupts_pm.cpp).
Exec deliver_protected(Context& c, u8 vector, EventKind kind, u32 error, bool has_error, u32 return_eip);

}  // namespace pcjit::cpu
