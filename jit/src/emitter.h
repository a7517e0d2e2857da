// Emitter: turns one decoded block into x86-64 code with asmjit.
//
// Register conventions inside generated code (the entry stub sets them up, see translator.cpp):
//   r8-r15  guest EAX ECX EDX EBX ESP EBP ESI EDI (all 64 bits, equal to CpuState::gpr[] at
//           every point where C++ runs: stored before each helper call and at the exit stub,
//           reloaded after each call, loaded by the entry stub)
//   rbx  HotFrame*       (CpuState, TLB, exit word, budget: fixed offsets, see hot_frame.h)
//   rbp  Context*        (first argument of every runtime helper)
//   rsp  16-byte aligned (calls need no adjustment)
//   rax  the guest flags while they are parked (FlagsAt::Saved: AH = LAHF image, AL = OF)
//   rcx rdx rsi rdi: scratch
// AH, CH, DH and BH cannot be encoded next to r8-r15, so byte forms naming them go through the
// legacy scratch registers ecx/edx (byte_proxy). EIP is not kept current: every point that can leave the block (helper call, fault,
// exit) stores the constant EIP it stands for, because a translation is built for one entry EIP
// and CS base (Block::entry_eip, cs_base).
//
// Guest flags live in the host's EFLAGS between native instructions (FlagsAt::Host), produced by
// the host instruction itself; they are stored to CpuState::eflags only where something reads
// them there: a helper call, a block exit, a fault. Code placed between guest instructions (the
// inline soft-MMU's compares, the budget check at a block entry) first parks them in AX with
// LAHF/SETO (FlagsAt::Saved), and they stay parked until an instruction reads them (ADD AL,0x7F;
// SAHF brings them back) or writes all of them: a run of loads and stores saves them once.
#pragma once
#include <asmjit/x86.h>
#include <functional>
#include <vector>

#include "context.h"
#include "exec/block_cache.h"
#include "stubs.h"

namespace pcjit::jit {

namespace x86 = asmjit::x86;
using cpu::Access;
using cpu::Block;
using cpu::Context;
using cpu::Insn;

// Where the guest's six arithmetic flags are: CpuState::eflags; host EFLAGS; or AX (AH = the
// LAHF image of SF ZF AF PF CF, AL = OF as 0 or 1) with host EFLAGS free to clobber.
enum class FlagsAt : u8 { Memory, Host, Saved };

// One direct exit of a block, patchable into a jump to its target's translation.
struct ExitSite {
  asmjit::Label patch;   // the 5-byte JMP rel32 to patch
  asmjit::Label miss;    // where it jumps while unlinked
  u32 target_eip = 0;
  FlagsAt flags = FlagsAt::Memory;  // which of the target's entries it links to (emit_entry)
};

// The instruction being emitted, as cold code (emitted after the block body) needs to know it.
struct Here {
  const Insn* insn;
  u32 eip, next_eip;
  i64 after;  // instructions of the block after this one (refunded when leaving early)
};

class Emitter {
 public:
  Emitter(x86::Assembler& a, Context& c, const Block& b, const Stubs& stubs, void* record);

  // Emits the whole block. Direct exits are appended to exits().
  void emit_block();
  const std::vector<ExitSite>& exits() const { return exits_; }
  // The entries for links whose source leaves the guest flags in host EFLAGS, and in AX
  // (emit_entry); the second is also where the jump cache continues.
  asmjit::Label host_flags_entry() const { return hf_entry_; }
  asmjit::Label saved_flags_entry() const { return ax_entry_; }

  // ---- for native instruction emitters (emit_*.cpp) ---------------------------------------
  x86::Assembler& a;
  const Insn& insn() const { return *insn_; }
  u32 eip() const { return eip_; }            // EIP of the current instruction
  u32 next_eip() const { return next_eip_; }  // EIP after it (16-bit wrap in 16-bit code)
  bool code32() const { return code32_; }
  bool stack32() const { return (block_.mode & 2) != 0; }
  u32 block_mode() const { return block_.mode; }  // BlockCache::mode_of
  bool last() const { return index_ + 1 == block_.insns.size(); }
  // Arithmetic flags whose values after the current instruction can be observed: read by a
  // later instruction of the block before they are overwritten, seen by a fault (any memory
  // access or handler call exposes EFLAGS), or live at the block's end. A native instruction
  // needs to fix up a flag the host computes differently from the interpreter (the SDM's
  // "undefined" ones) only when it is in this set.
  u32 live_after() const { return live_after_[index_]; }

  // The host register holding guest register r at the given size (1, 2 or 4). Byte registers
  // AL..BL only: check low_byte() first (AH..BH have no encoding here).
  static x86::Gp greg(unsigned r, unsigned size);
  static bool low_byte(unsigned r) { return r < 4; }
  // A byte-form instruction whose register operands (ModRM.reg, and ModRM.rm in the register
  // form) are all AL..BL.
  static bool byte_regs_ok(const Insn& i) { return low_byte(i.reg) && (i.mem() || low_byte(i.rm)); }
  // A byte register operand when some operand of the instruction is AH..BH: every byte register
  // of it then goes through a legacy scratch register (ecx, edx), since AH..BH cannot be encoded
  // next to a REX register. Loads proxy32 with the guest register holding r and returns its
  // low or high byte; byte_back() writes the proxy back (all 32 bits: the other bytes unchanged).
  static x86::Gp byte_proxy(x86::Assembler& as, unsigned r, const x86::Gp& proxy32) {
    as.mov(proxy32, greg(r & 3, 4));
    return r < 4 ? x86::Gp(proxy32.r8Lo()) : x86::Gp(proxy32.r8Hi());
  }
  static void byte_back(x86::Assembler& as, unsigned r, const x86::Gp& proxy32) { as.mov(greg(r & 3, 4), proxy32); }
  // A field of the hot frame.
  static x86::Mem frame(std::size_t offset, unsigned size);
  // Scratch register rcx of the given size (free once mem_begin has returned).
  static x86::Gp tmp(unsigned size);

  // Flags: make the guest flags available in host EFLAGS / in CpuState / in AX.
  void flags_to_host();
  void flags_to_memory();
  void flags_to_saved();
  // The instruction just emitted set the guest flags in host EFLAGS.
  void flags_set_by_host() { flags_ = FlagsAt::Host; }
  FlagsAt flags() const { return flags_; }
  // For code that emits two paths: the second starts where the first did.
  void reset_flags_state(FlagsAt f) { flags_ = f; }

  // Inline soft-MMU (emit_memory.cpp). mem_begin computes the current instruction's ModRM memory
  // operand; mem_begin_at takes an offset already in ecx (stack accesses) and a segment. On return
  // rsi holds the host address; the guest flags are in host EFLAGS if the operation reads them,
  // else where they were, or parked in AX if they were in host EFLAGS. The slow path runs the
  // whole instruction through its interpreter handler and rejoins at mem_end() with the flags
  // where the fast path leaves them.
  // How the operation that follows uses the guest flags.
  enum class FlagUse : u8 {
    None,       // neither reads nor writes them (MOV, PUSH, ...)
    WritesAll,  // defines all six from its result (ADD, CMP, ...)
    Reads,      // reads them or keeps some (ADC, INC, shifts, SETcc, CMOVcc, ...)
  };
  struct MemOp {
    asmjit::Label slow, done;
    bool saved = false;
    FlagsAt after = FlagsAt::Memory;
  };
  MemOp mem_begin(Access acc, unsigned size, FlagUse use);
  // off16: the offset in ecx is a zero-extended 16-bit one (16-bit addressing or stack).
  MemOp mem_begin_at(unsigned seg, Access acc, unsigned size, FlagUse use, bool off16);
  void mem_end(MemOp& m);
  // Emits op(operand) on the ModRM operand: the guest's host register in the register form (with
  // the flags brought to host EFLAGS first if the operation reads them), else [rsi] between
  // mem_begin and mem_end.
  template <class Op>
  void on_rm(const Insn& i, Access acc, unsigned size, FlagUse use, Op&& op) {
    if (!i.mem()) {
      if (use == FlagUse::Reads) flags_to_host();
      op(asmjit::Operand(greg(i.rm, size)));
      return;
    }
    MemOp m = mem_begin(acc, size, use);
    op(asmjit::Operand(x86::ptr(x86::rsi, 0, size)));
    mem_end(m);
  }
  // Computes the ModRM effective address into ecx without touching host EFLAGS.
  void effective_address();

  // Runs the current instruction through its handler (flags stored first). The block goes on
  // after an Ok result; any other result leaves through the matching exit.
  void call_handler();
  // Out-of-line: runs the current instruction's handler and exits by its result (used where a
  // native sequence detects a case it leaves to the interpreter, e.g. a jump outside CS).
  asmjit::Label handler_exit_path();
  // Leaves the block towards target_eip (flags stored first): a patchable direct link when the
  // target is on the block's linear page, else a jump-cache lookup.
  void exit_to(u32 target_eip);
  // Leaves the block after an indirect transfer whose EIP is already in CpuState.
  void exit_indirect();
  // Emits `cmp dword [cs.limit], target; jb path`: a transfer outside CS takes path.
  void check_cs_limit(u32 target, asmjit::Label path);
  void check_cs_limit_reg(const x86::Gp& target32, asmjit::Label path);
  // Adds code that runs after the block's main body (slow paths, exits).
  void cold(std::function<void()> f) { cold_.push_back(std::move(f)); }
  // Increments a hot-frame counter when event counting is on (flag-free).
  void count(unsigned counter);
  // Calls fn(ctx, a1, a2, block length) -> eax with the guest registers and flags preserved
  // (only caller-saved r8-r11 and the flags need keeping: fn reads no guest register). If the call
  // left an exception pending the block leaves through a fault exit at this instruction. The
  // result is in ecx afterwards.
  void call_runtime(const void* fn, const asmjit::Operand& a1, u32 a2);

 private:
  bool emit_native();
  void emit_entry();
  void compute_liveness();
  void comment_guest_insn(u32 eip);
  Here here() const;
  void emit_exit_ended(u32 rip);  // stores rip, leaves with JitExit::Ended
  void emit_direct_exit(u32 target);  // exit_to's code
  // The call itself, with EIP stored; result in eax. slow: an inline soft-MMU miss (counted).
  void emit_helper_call(const Here& h, bool slow = false);
  void handle_helper_result(const Here& h, bool may_end);
  void budget_refund(i64 insns);  // instructions not retired after all
  // The slow path of a native instruction: run its handler, leave on anything but Ok.
  void emit_slow_call(const Here& h);
  void store_host_flags();
  void load_host_flags();
  void store_saved_flags();  // AX -> CpuState::eflags
  void load_saved_flags();   // CpuState::eflags -> AX
  void spill_guest_regs();   // r8-r15 -> CpuState::gpr
  void reload_guest_regs();  // CpuState::gpr -> r8-r15

  Context& c_;
  const Block& block_;
  const Stubs& stubs_;
  void* record_;
  const Insn* insn_ = nullptr;
  std::size_t index_ = 0;
  u32 eip_ = 0, next_eip_ = 0;
  bool code32_ = false;
  FlagsAt flags_ = FlagsAt::Memory;
  std::vector<ExitSite> exits_;
  std::vector<u32> live_after_;
  u32 live_in_ = cpu::flag::kArith;  // flags the block observes before writing them
  asmjit::Label hf_entry_, ax_entry_;
  std::vector<std::function<void()>> cold_;
};

// The parked-flags conversions (FlagsAt::Saved), shared with the translator's stubs.
void emit_store_saved_flags(x86::Assembler& a);  // AX -> CpuState::eflags
void emit_load_saved_flags(x86::Assembler& a);   // CpuState::eflags -> AX

// A native emitter for one opcode-table row family: emits the instruction and returns true, or
// returns false (having emitted nothing) to leave this form to the handler.
using NativeEmitter = bool (*)(Emitter& e, const Insn& i);
NativeEmitter find_native(const Insn& i);

}  // namespace pcjit::jit
