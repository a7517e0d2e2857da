// The public face of the IA-32 CPU: a core::Processor that the Machine drives, plus access to
// the architectural state for loaders, tests and debuggers. The implementation (decoder, block
// cache, soft-MMU, interpreter) lives behind an opaque Context so no Zydis type leaks out.
#pragma once
#include <memory>
#include <string>

#include "core/machine.h"
#include "cpu/observer.h"
#include "cpu/state.h"

namespace pcjit::cpu {

class Context;

struct CpuStats {
  u64 blocks_built = 0;
  u64 insns_decoded = 0;
  u64 block_lookups = 0;
  u64 jump_cache_hits = 0;
  u64 tlb_misses = 0;
  u64 tlb_flushes = 0;
  u64 smc_invalidations = 0;
  u64 exceptions = 0;
  u64 interrupts = 0;
};

class Cpu final : public core::Processor {
 public:
  explicit Cpu(core::Machine& machine);
  ~Cpu() override;

  CpuState& state();
  const CpuState& state() const;

  void reset() override;
  core::ProcessorExit run(u64 max_insns) override;
  void request_exit() override;
  void interrupt_changed() override;

  // Loads a segment register as real mode does (base = selector * 16, 64 KiB limit).
  void load_real_segment(SegReg seg, u16 selector);
  // Reloads derived state (TLB, block-cache mode) after a test or loader edited state() directly.
  void state_changed();

  void set_observer(ExecObserver* observer);
  // Connects the x87 FERR# output (legacy error reporting with CR0.NE=0): the board wires it to
  // IRQ13. Defined in fpu/x87_core.cpp.
  void set_ferr_sink(core::IrqSink* sink);
  const CpuStats& stats() const;
  // Checks the block cache and TLB invariants (for tests and debugging); returns a description of
  // the first violation found, or an empty string.
  std::string check_caches() const;

 private:
  std::unique_ptr<Context> ctx_;
};

// Intel-syntax disassembly of one instruction (tracer, debugger). Returns its length in *len
// (0 if the bytes do not decode) and the text.
std::string disassemble(std::span<const u8> bytes, bool code32, u64 address, unsigned* len);

}  // namespace pcjit::cpu
