// Instrumentation hooks for tracers, debuggers and tests. When an observer is installed the CPU
// runs one instruction at a time and reports every memory access, exception and interrupt; with
// none installed these hooks cost one predictable branch on the slow paths only.
#pragma once
#include <span>

#include "core/types.h"
#include "cpu/state.h"

namespace pcjit::cpu {

struct MemAccess {
  u32 linear;
  u64 phys;
  u8 size;
  bool write;
  u64 value;
};

class ExecObserver {
 public:
  virtual ~ExecObserver() = default;
  // Called before an instruction runs; bytes are its encoding.
  virtual void before_insn(const CpuState& state, std::span<const u8> bytes) = 0;
  // Called after it retired (not called when it faulted).
  virtual void after_insn(const CpuState& state) = 0;
  virtual void on_mem(const MemAccess& access) = 0;
  virtual void on_exception(u8 vector, u32 error_code, bool has_error) = 0;
  virtual void on_interrupt(u8 vector) = 0;
};

}  // namespace pcjit::cpu
