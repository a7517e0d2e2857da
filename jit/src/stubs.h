// Shared code every translated block jumps to (built once per translator, see translator.cpp).
#pragma once

namespace pcjit::jit {

struct Stubs {
  const void* enter = nullptr;        // u32 enter(HotFrame*, Context*, const void* entry)
  const void* exit = nullptr;         // eax = cpu::JitExit: restore host registers, return
  // Continue at CpuState's EIP through the jump cache (into the target's saved-flags entry), or
  // exit: lookup takes the guest flags in CpuState, lookup_saved in AX (FlagsAt::Saved).
  const void* lookup = nullptr;
  const void* lookup_saved = nullptr;
  const void* helper_exit = nullptr;  // eax = the cpu::Exec a handler returned instead of Ok
};

}  // namespace pcjit::jit
