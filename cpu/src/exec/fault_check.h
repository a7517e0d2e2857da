// Debug checker for the interpreter's fault contract (DESIGN.md "Faults are values"): a handler
// that returns Exec::Fault has committed nothing, so the exception can be delivered with the
// state as it was before the instruction and the instruction restarted (SDM Vol. 3A 6.5: "the
// state of the processor is restored to that prior to the beginning of the instruction").
//
// The caller snapshots CpuState before a handler runs and, when it returns Exec::Fault, asks
// fault_commit_violation() whether the state differs in anything the SDM lets a fault change.
// The list of allowed changes is kept short on purpose:
//   - CR2 on #PF: the faulting linear address (SDM Vol. 3A 4.7, 6.15 "Interrupt 14").
//   - DR6 on #DB: the debug status bits (SDM Vol. 3A 17.2.3).
//   - MXCSR exception flags (bits 5:0) newly set on #XM, or on #UD when CR4.OSXMMEXCPT is clear
//     (SDM Vol. 1 11.5.1, 11.5.2.1: flags are set before the exception is raised).
//   - NMI blocking cleared: IRET unblocks NMIs even if it faults (SDM Vol. 3A 6.7.1).
//   - Anything, when TR changed: a task switch faulted after its commit point, and the fault is
//     delivered in the new task's context (SDM Vol. 3A 7.3, Table 7-1).
//   - ECX/ESI/EDI and the arithmetic flags, when the caller says a REP string instruction was
//     interrupted after some iterations (SDM Vol. 2 "REP": the registers reflect the completed
//     iterations so the restart resumes). Only the caller knows the instruction.
// Memory is out of scope: the checker compares CpuState only.
#pragma once
#include <string>

#include "cpu/state.h"

namespace pcjit::cpu {

// "" when `after` equals `before` but for the allowed changes above for `vector`; otherwise a
// description naming the first differing field with its old and new values.
std::string fault_commit_violation(const CpuState& before, const CpuState& after, u8 vector,
                                   bool partial_rep_string = false);

// Every field in which b differs from a, as "name: a -> b; ..." ("" when equal). The lockstep
// comparison uses it too.
std::string state_differences(const CpuState& a, const CpuState& b);

// The state before one instruction, for checking it if the instruction faults.
struct FaultCheckSnapshot {
  CpuState state;

  explicit FaultCheckSnapshot(const CpuState& s) : state(s) {}
  std::string violation(const CpuState& after, u8 vector, bool partial_rep_string = false) const {
    return fault_commit_violation(state, after, vector, partial_rep_string);
  }
};

}  // namespace pcjit::cpu
