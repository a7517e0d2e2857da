// The engine interface between the CPU and a translator of decoded blocks (the asmjit back end in
// jit/). The CPU owns the blocks and the dispatcher; a translator turns a block into host code,
// runs it, and undoes its links when the block is retired. The cpu library never names the JIT:
// the composition root hands a Translator to Cpu::set_translator() (-accel jit).
#pragma once
#include "core/types.h"

namespace pcjit::cpu {

class Context;
struct Block;

// Why translated code came back to the dispatcher. Retired instructions are counted through
// HotFrame::budget; EIP, flags and every register are in CpuState at the exit.
enum class JitExit : u8 {
  Ended,  // a block exit that needs the dispatcher (unlinked edge, system instruction, budget, exit word)
  Fault,  // an exception is pending; EIP is at the faulting instruction; nothing of it committed
  Halt,   // HLT retired
};

class Translator {
 public:
  virtual ~Translator() = default;
  // Translates b for its entry (Block::entry_eip, cs_base); false leaves it interpreted.
  virtual bool translate(Context& c, Block& b) = 0;
  // Runs from b's translation (the dispatcher checked the entry guard) until an exit.
  virtual JitExit run(Context& c, Block& b) = 0;
  // After a run that left HotFrame::link_src set: link that exit to target if the rules allow.
  virtual void link(Context& c, Block& target) = 0;
  // b was retired: no translated code may jump into it from now on (its code stays until release).
  virtual void unlink(Block& b) = 0;
  // b is being destroyed: free its code and record.
  virtual void release(Block& b) = 0;
  // The code buffer cannot take more: the dispatcher flushes every block, then translation resumes.
  virtual bool full() const = 0;
};

}  // namespace pcjit::cpu
