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
  // Translated code (-accel jit).
  u64 jit_blocks = 0;          // blocks translated
  u64 jit_code_bytes = 0;      // host code bytes emitted (total)
  u64 jit_flushes = 0;         // code buffer filled up: every translation dropped
  u64 jit_runs = 0;            // dispatcher -> translated code
  u64 jit_entries = 0;         // translated block entries (dispatcher, chained and looked-up)
  u64 jit_links = 0;           // direct exits patched to jump into their target
  u64 jit_lookups = 0;         // indirect / cross-page exits continued through the jump cache
  u64 jit_exit_ended = 0, jit_exit_fault = 0, jit_exit_halt = 0;
  // Exits by reason (with --stats): at a block entry (exit word or budget), an unlinked direct
  // edge, a handler that ended the block, an SMC store, a lookup that found no translation.
  u64 jit_exit_at_entry = 0, jit_exit_unlinked = 0, jit_exit_handler = 0, jit_exit_smc = 0;
  u64 jit_lookup_misses = 0;
  u64 jit_seg_retranslations = 0;  // translations dropped: built on segment properties now gone
  u64 jit_helper_calls = 0;    // instructions run by calling the interpreter's handler
  u64 jit_slow_paths = 0;      // inline soft-MMU misses (the handler ran the access)
  u64 jit_tlb_hits = 0;        // inline soft-MMU hits (counted only with --stats)
  u64 jit_flag_stores = 0;     // guest flags written back from host EFLAGS (with --stats)
  u64 jit_flag_loads = 0;      // guest flags loaded into host EFLAGS (with --stats)
  u64 lockstep_blocks = 0;     // blocks compared against the interpreter (--lockstep)
};

class Translator;

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
  // Installs a translator (-accel jit); null returns to the interpreter alone. Drops every block.
  void set_translator(std::unique_ptr<Translator> t);
  bool has_translator() const;
  // Lockstep mode: every translated block is run twice, in the JIT and in the interpreter from the
  // same state, and compared; the first divergence stops the machine (StopKind::Error) with a
  // report, which lockstep_error() also returns.
  void set_lockstep(bool on);
  const std::string& lockstep_error() const;
  // Translate a block on its n-th dispatch (default 2; 1 = on first sight, as tests want).
  void set_translate_threshold(u32 n);
  // Translated code may count events it would otherwise not (inline TLB hits, flag moves).
  void set_count_events(bool on);
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
