// cpu::Cpu: the public wrapper around Context, and the architectural RESET state
// (SDM Vol. 3A, Table 9-1).
#include "cpu/cpu.h"

#include "context.h"
#include "cpu_model.h"
#include "exec/block_cache.h"
#include "cpu/translator.h"
#include "exec/run_loop.h"

namespace pcjit::cpu {

Cpu::Cpu(core::Machine& machine) : ctx_(std::make_unique<Context>(machine, *this)) { reset(); }
Cpu::~Cpu() = default;

CpuState& Cpu::state() { return ctx_->s; }
const CpuState& Cpu::state() const { return ctx_->s; }
const CpuStats& Cpu::stats() const { return ctx_->stats; }

std::string Cpu::check_caches() const {
  std::string e = ctx_->blocks->check_invariants();
  return e.empty() ? ctx_->check_tlb() : e;
}

void Cpu::reset() {
  Context& c = *ctx_;
  CpuState& s = c.s;
  s = CpuState{};
  s.gpr[EDX] = kCpuSignature;
  for (unsigned k = 0; k < kSegCount; ++k) {
    Segment& sg = s.seg[k];
    sg = Segment{};
    sg.limit = 0xFFFF;
    sg.lo = 0;
    sg.hi = 0xFFFF;
    sg.attrs = static_cast<u16>(attr::P | attr::S | (k == CS ? 0xB : 0x3));
    sg.readable = sg.writable = true;
    sg.valid = true;
  }
  s.seg[CS].selector = 0xF000;
  s.seg[CS].base = 0xFFFF0000u;
  s.rip = 0xFFF0;
  s.gdtr = TableReg{0, 0xFFFF};
  s.idtr = TableReg{0, 0xFFFF};
  s.ldtr.limit = s.tr.limit = 0xFFFF;
  s.ldtr.hi = s.tr.hi = 0xFFFF;
  s.ldtr.attrs = attr::P | 0x2;
  s.tr.attrs = attr::P | 0xB;
  c.exc = PendingException{};
  c.blocks->flush_all();
  c.flush_tlb();
  c.update_mode_flags();
}

core::ProcessorExit Cpu::run(u64 max_insns) { return run_cpu(*ctx_, max_insns); }
void Cpu::request_exit() { raise_exit(*ctx_, exit_bit::kRequest); }
// The PIC raised INTR: translated code leaves at the next block entry so the dispatcher polls it,
// exactly where the interpreter would.
void Cpu::interrupt_changed() { raise_exit(*ctx_, exit_bit::kInterrupt); }

void Cpu::load_real_segment(SegReg seg, u16 selector) {
  ctx_->load_seg_real(seg, selector);
  if (seg == CS) ctx_->s.seg[CS].attrs &= ~attr::DB;
}

void Cpu::state_changed() {
  ctx_->flush_tlb();
  ctx_->update_mode_flags();
}

void Cpu::set_translator(std::unique_ptr<Translator> t) {
  ctx_->blocks->flush_all();
  ctx_->blocks->collect_garbage();  // blocks translated by the old translator are released by it
  ctx_->jit = std::move(t);
}
bool Cpu::has_translator() const { return ctx_->jit != nullptr; }
void Cpu::set_lockstep(bool on) {
  ctx_->lockstep = on;
  if (on) ctx_->jit_threshold = 1;  // compare every block from its first run
  ctx_->blocks->flush_all();
}
const std::string& Cpu::lockstep_error() const { return ctx_->lockstep_error; }
void Cpu::set_translate_threshold(u32 n) { ctx_->jit_threshold = n ? n : 1; }
void Cpu::set_count_events(bool on) { ctx_->count_events = on; ctx_->blocks->flush_all(); }

void Cpu::set_observer(ExecObserver* observer) {
  ctx_->observer = observer;
  ctx_->update_mode_flags();
  ctx_->blocks->flush_all();  // rebuild as one-instruction blocks
}

}  // namespace pcjit::cpu
