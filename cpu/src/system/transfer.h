// Shared pieces of protected-mode control transfers (interrupts, far CALL/JMP/RET, IRET, task
// switches): the checked multi-slot stack frame, the inner-ring stack fetch from the TSS, the
// task-switch entry point, and the handlers that farcall.cpp lists in the opcode table.
//
// All of them follow one rule: every check that can fault (descriptors, limits, stack pages)
// runs before any register, segment cache or memory is changed, so a fault restarts precisely.
#pragma once
#include <cassert>

#include "../context.h"
#include "descriptors.h"

namespace pcjit::cpu {

// A call gate's parameter count is the 5-bit field in bits 4:0 of its high dword (SDM Vol. 3A
// 5.8.3, Figure 5-8), so a CALL through it copies up to 31 parameters to the inner stack.
inline constexpr unsigned kGateParamBits = 5;
inline constexpr unsigned kMaxGateParams = (1u << kGateParamBits) - 1;

// Values pushed, in push order, onto a stack that may not be loaded yet (ss is its cache).
// check() verifies limits (#SS(fault_error)) and maps every slot (#PF); store() then cannot fail.
// The largest frame is a call gate's to an inner ring: SS, ESP, the parameters, CS, EIP (an
// interrupt from virtual-8086 mode pushes 10).
class StackFrame {
 public:
  static constexpr unsigned kMaxSlots = 2 + kMaxGateParams + 2;
  static_assert(kMaxSlots >= 10, "an interrupt frame from v86 mode has 10 slots");

  StackFrame(const Segment& ss, u32 esp, unsigned width, bool user, u32 fault_error)
      : ss_(ss), esp_(esp), width_(width), user_(user), fault_error_(fault_error) {}
  // Callers add a bounded number of values (at most kMaxSlots, by the frame shapes above).
  void add(u32 v) {
    assert(n_ < kMaxSlots);
    vals_[n_++] = v;
  }
  Exec check(Context& c);
  void store(Context& c);
  // ESP after the pushes; only the low 16 bits change on a 16-bit stack.
  u32 new_esp() const;

 private:
  u32 mask() const { return (ss_.attrs & attr::DB) ? 0xFFFFFFFFu : 0xFFFFu; }
  const Segment& ss_;
  u32 esp_;
  unsigned width_;
  bool user_;
  u32 fault_error_;
  unsigned n_ = 0;
  u32 vals_[kMaxSlots] = {};
  MemRef refs_[kMaxSlots];
};

// Reads SS:ESP for `ring` from the current TSS and checks the new SS as an inner stack for a
// code segment of DPL `ring` (SDM Vol. 2, CALL/INT pseudocode): #TS / #SS with error | ext.
Exec fetch_inner_stack(Context& c, u8 ring, u32 ext, u16& ss, u32& esp, Descriptor& ssd);

// Hardware task switch (system/task_switch.cpp, SDM Vol. 3A 7.3).
enum class TaskSwitchKind : u8 { Jump, Call, Iret, Interrupt };
// Switches to the TSS named by tss_sel (descriptor d already read and checked by the caller as an
// available or, for IRET, busy TSS). return_eip is saved as the outgoing task's EIP. Returns Stop
// on success; a Fault after the commit point belongs to the new task (its EIP is already loaded).
Exec task_switch(Context& c, u16 tss_sel, Descriptor d, TaskSwitchKind kind, u32 return_eip, u32 ext);
// The TSS named by a task gate (JMP/CALL/INT): must be in the GDT, available and present
// (#GP / #NP with (tss_sel & ~3) | ext), then task_switch. Returns Stop on success.
Exec switch_to_tss_selector(Context& c, u16 tss_sel, TaskSwitchKind kind, u32 return_eip, u32 ext);
// IRET with EFLAGS.NT = 1: return to the task named by the current TSS's back link.
Exec task_return(Context& c, u32 return_eip);

// Far transfers in every mode (system/far_transfer.cpp, system/far_return.cpp).
// opsz: 2 or 4 (the instruction's operand size); return_eip: EIP after the instruction.
Exec far_jump(Context& c, u16 sel, u32 offset, unsigned opsz, u32 return_eip);
Exec far_call(Context& c, u16 sel, u32 offset, unsigned opsz, u32 return_eip);
Exec far_return(Context& c, unsigned opsz, u16 pop_bytes);
Exec interrupt_return(Context& c, unsigned opsz, u32 return_eip);

}  // namespace pcjit::cpu
