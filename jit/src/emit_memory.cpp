// The inline soft-MMU: the same checks as Context::seg_linear() and map_linear()'s TLB hit, in
// generated code, with the whole instruction handed to its interpreter handler when any of them
// fails (segment limit or rights, page crossing, alignment check, TLB miss). The handler then
// raises the fault, walks the page tables or reaches the device, exactly as the interpreter does.
//
// Emitted for a 4-byte read through DS with the guest flags live in host EFLAGS:
//   lahf ; seto al                          ; park the flags in AX (the compares clobber EFLAGS)
//   <effective address into ecx: mov/lea only>
//   mov rdx, rcx ; sub rdx, [ds.view.lo] ; cmp rdx, [ds.view.span] ; ja slow   ; limit + rights
//   add ecx, [ds.base]                      ; linear
// (a flat DS, Block::seg_assumed, needs neither; a real-mode-like one with a 16-bit offset only
// `cmp ecx, 0x10000-n ; ja slow` before the base)
//   lea edx, [rcx+3] ; shr edx, 12          ; page of the last byte (a crossing access misses)
//   mov edi, ecx ; shr edi, 8 ; and edi, 0xFF0                     ; slot * 16
//   cmp [rbx+rdi+tlb.read.tag], edx ; jne slow
//   mov rsi, [rbx+rdi+tlb.read.addend] ; add rsi, rcx              ; host address
//   add al, 0x7F ; sahf                     ; flags back, only if the operation reads them
//   <the operation on [rsi]>
// done:
// slow (cold): flags to CpuState, call the handler, leave on a fault, flags back, jmp done
#include <cassert>

#include "emitter.h"
#include "frame_layout.h"
#include "runtime_helpers.h"

namespace pcjit::jit {

using asmjit::imm;

static_assert(cpu::Tlb::kBits == 8, "the TLB index is taken with movzx r8d, dl");

// One LEA on the guest registers (r8-r15); the 32-bit destination wraps the sum as the guest does.
void Emitter::effective_address() {
  const Insn& i = *insn_;
  const bool base = i.base != cpu::kNoReg, index = i.index != cpu::kNoReg;
  const i32 disp = static_cast<i32>(i.disp);
  if (base && index) {
    a.lea(x86::ecx, x86::ptr(x86::gpq(8 + i.base), x86::gpq(8 + i.index), i.scale, disp));
  } else if (base) {
    if (disp) {
      a.lea(x86::ecx, x86::ptr(x86::gpq(8 + i.base), disp));
    } else if (i.adsz == 2) {
      a.movzx(x86::ecx, greg(i.base, 2));  // [bx], [si], [di]: already 16 bits
      return;
    } else {
      a.mov(x86::ecx, greg(i.base, 4));
    }
  } else if (index) {
    a.mov(x86::ecx, static_cast<u32>(disp));
    a.lea(x86::ecx, x86::ptr(x86::rcx, x86::gpq(8 + i.index), i.scale));
  } else {
    a.mov(x86::ecx, static_cast<u32>(disp));
  }
  if (i.adsz == 2) a.movzx(x86::ecx, x86::cx);
}

Emitter::MemOp Emitter::mem_begin(Access acc, unsigned size, FlagUse use) {
  // An operation that reads the flags gets them in host EFLAGS after the checks; from CpuState
  // they are loaded into AX now, before ecx holds the offset.
  if (use == FlagUse::Reads && flags_ == FlagsAt::Memory) flags_to_saved();
  effective_address();
  return mem_begin_at(insn_->seg, acc, size, use, insn_->adsz == 2);
}

Emitter::MemOp Emitter::mem_begin_at(unsigned seg, Access acc, unsigned size, FlagUse use, bool off16) {
  assert(use != FlagUse::Reads || flags_ != FlagsAt::Memory);
  MemOp m{a.newLabel(), a.newLabel()};
  // The checks clobber EFLAGS: park the flags in AX, where the slow path finds them too.
  if (flags_ == FlagsAt::Host) {
    a.lahf();
    a.seto(x86::al);
    flags_ = FlagsAt::Saved;
  }
  m.saved = flags_ == FlagsAt::Saved;
  const std::size_t sg = layout::seg(seg);
  const unsigned kind = acc == Access::Write ? 1 : 0;
  const unsigned z = size == 4 ? 2 : size == 2 ? 1 : 0;
  // The segment check, as little of it as the translation's segment properties leave.
  const u32 props = block_.seg_assumed >> (2 * seg) & 3;
  if (props & cpu::seg_prop::kFlat) {
    // Nothing: base 0, and the one failing case (a 4 GiB wrap) misses in the TLB below.
  } else if ((props & cpu::seg_prop::kLow64K) && off16) {
    if (size > 1) {
      a.cmp(x86::ecx, 0x10000 - size);
      a.ja(m.slow);
    }
    a.add(x86::ecx, frame(sg + layout::kSegBase, 4));
  } else {
    a.mov(x86::rdx, x86::rcx);
    a.sub(x86::rdx, frame(layout::seg_lo(seg, kind, z), 8));
    a.cmp(x86::rdx, frame(layout::seg_span(seg, kind, z), 8));
    a.ja(m.slow);
    a.add(x86::ecx, frame(sg + layout::kSegBase, 4));
  }
  if (size > 1 && (block_.mode & 0x40)) {  // alignment checking on (BlockCache::mode_of): misaligned is slow
    a.test(x86::ecx, size - 1);
    a.jnz(m.slow);
  }
  // The tag is compared with the page of the access's last byte, so an access that crosses into
  // the next page misses (that page's number never sits in this slot: slots are page mod 256).
  const std::size_t tlb = layout::tlb(acc, (block_.mode >> 4 & 3) == 3);
  a.lea(x86::edx, x86::ptr(x86::rcx, static_cast<i32>(size - 1)));
  a.shr(x86::edx, 12);
  a.mov(x86::edi, x86::ecx);
  a.shr(x86::edi, 12 - 4);
  a.and_(x86::edi, (cpu::Tlb::kSize - 1) << 4);
  a.cmp(x86::ptr(x86::rbx, x86::rdi, 0, static_cast<i32>(tlb + offsetof(cpu::TlbEntry, tag)), 4), x86::edx);
  a.jne(m.slow);
  a.mov(x86::rsi, x86::ptr(x86::rbx, x86::rdi, 0, static_cast<i32>(tlb + offsetof(cpu::TlbEntry, addend)), 8));
  a.add(x86::rsi, x86::rcx);
  count(cpu::hot_counter::kTlbHits);
  if (c_.lockstep && acc == Access::Write) {
    // Six pushes keep rsp 16-byte aligned; r8-r11 are caller-saved guest registers.
    for (const x86::Gp& r : {x86::rax, x86::rsi, x86::r8, x86::r9, x86::r10, x86::r11}) a.push(r);
    a.mov(x86::rdi, x86::rbp);
    a.mov(x86::edx, size);
    a.mov(x86::rcx, imm(reinterpret_cast<uintptr_t>(&rt_note_store)));
    a.call(x86::rcx);
    for (const x86::Gp& r : {x86::r11, x86::r10, x86::r9, x86::r8, x86::rsi, x86::rax}) a.pop(r);
  }
  // The operation that reads the flags gets them back in host EFLAGS; one that writes them all
  // leaves them there; any other leaves them parked (a later access needs no save).
  if (use == FlagUse::Reads) {
    a.add(x86::al, 0x7F);
    a.sahf();
  }
  m.after = use != FlagUse::None ? FlagsAt::Host : flags_;
  const Here h = here();
  cold([this, m, h] {
    a.bind(m.slow);
    if (m.saved) store_saved_flags();
    emit_slow_call(h);
    if (m.after == FlagsAt::Host) load_host_flags();
    else if (m.after == FlagsAt::Saved) load_saved_flags();
    a.jmp(m.done);
  });
  return m;
}

void Emitter::mem_end(MemOp& m) {
  a.bind(m.done);
  flags_ = m.after;
}

}  // namespace pcjit::jit
