// A small rig for instruction-family unit tests: a machine with RAM, a CPU in real mode with
// CS = DS = ES = SS = 0, code at 0x1000 followed by HLT, and an IVT whose every vector points to
// its own HLT at 0x0500 + vector, so a fault shows up as "halted in handler v" with the faulting
// IP on the stack. For 32-bit forms the rig can switch the cached segments to 32-bit (CS.D, SS.B,
// 4 GiB limits) or to a hand-built protected-mode state at a chosen CPL, without needing any
// other family. Expected values in the tests are computed by hand from the SDM.
#pragma once
#include <doctest/doctest.h>

#include <initializer_list>
#include <memory>
#include <vector>

#include "core/machine.h"
#include "cpu/cpu.h"

namespace ops_test {

using namespace pcjit;

constexpr u32 kCode = 0x1000;
constexpr u32 kHandlers = 0x0500;

// Records the first exception the CPU reports, with the state at that moment.
class FaultRecorder final : public cpu::ExecObserver {
 public:
  explicit FaultRecorder(const cpu::CpuState& s) : state_(s) {}
  void before_insn(const cpu::CpuState&, std::span<const u8>) override {}
  void after_insn(const cpu::CpuState&) override {}
  void on_mem(const cpu::MemAccess& a) override {
    if (a.write && !seen) ++writes_before_fault;
  }
  void on_exception(u8 vector, u32 error, bool) override {
    if (seen) return;
    seen = true;
    this->vector = vector;
    this->error = error;
    at_fault = state_;
  }
  void on_interrupt(u8) override {}

  bool seen = false;
  unsigned writes_before_fault = 0;  // memory writes reported before the first exception
  u8 vector = 0;
  u32 error = 0;
  cpu::CpuState at_fault;

 private:
  const cpu::CpuState& state_;
};

struct Rig {
  core::Machine m{core::MachineConfig{}};
  cpu::Cpu* cpu = nullptr;

  Rig() {
    auto owner = std::make_unique<cpu::Cpu>(m);
    cpu = owner.get();
    m.set_processor(std::move(owner));
    for (unsigned v = 0; v < 256; ++v) {
      w16(v * 4, static_cast<u16>(kHandlers + v));
      w16(v * 4 + 2, 0);
      mem(kHandlers + v, {0xF4});
    }
    for (auto seg : {cpu::CS, cpu::DS, cpu::ES, cpu::SS, cpu::FS, cpu::GS}) cpu->load_real_segment(seg, 0);
    s().rip = kCode;
    s().gpr[cpu::ESP] = 0x8000;
    cpu->state_changed();
  }

  cpu::CpuState& s() { return cpu->state(); }

  // Places code at 0x1000 followed by HLT.
  void code(std::initializer_list<u8> bytes) {
    u32 a = kCode;
    for (u8 b : bytes) m.memory().write(a++, 1, b);
    m.memory().write(a, 1, 0xF4);
    code_end = a + 1;
  }
  // Runs to the HLT; true if it stopped at the HLT after the code (no fault taken).
  bool run(u64 n = 100000) {
    cpu->state_changed();
    auto e = cpu->run(n);
    return e == core::ProcessorExit::Halted && s().eip() == code_end;
  }
  // True if execution halted in the handler of vector v (real-mode IVT rig).
  bool faulted_with(u8 v) const { return cpu->state().eip() == kHandlers + v + 1u; }
  // IP pushed by the last real-mode exception delivery.
  u16 pushed_ip() { return r16(s().reg16(cpu::ESP)); }

  // Data and stack segment caches 32-bit with 4 GiB limits ("flat" but still real mode, code
  // stays 16-bit so 66/67 prefixes select 32-bit forms): enough to exercise a 32-bit stack
  // size without descriptor tables. code32 also makes CS 32-bit.
  void flat32(bool code32 = false) {
    for (unsigned k = 0; k < cpu::kSegCount; ++k) {
      if (k == cpu::CS && !code32) continue;
      cpu::Segment& g = s().seg[k];
      g.attrs |= cpu::attr::DB | cpu::attr::G;
      g.limit = 0xFFFFFFFFu;
      g.hi = 0xFFFFFFFFu;
    }
  }
  // Protected mode, flat 32-bit segments, the given CPL and IOPL, paging off. Faults cannot be
  // delivered (no IDT): use a FaultRecorder and run a counted number of instructions.
  void protected_flat32(u8 cpl, u32 iopl) {
    flat32(true);
    s().cr0 |= cpu::cr0::PE;
    s().cpl = cpl;
    for (unsigned k = 0; k < cpu::kSegCount; ++k) {
      cpu::Segment& g = s().seg[k];
      g.attrs = static_cast<u16>((g.attrs & ~(3u << cpu::attr::DPL_SHIFT)) | (u32{cpl} << cpu::attr::DPL_SHIFT));
    }
    s().seg[cpu::CS].selector = static_cast<u16>(0x08 | cpl);
    s().seg[cpu::SS].selector = static_cast<u16>(0x10 | cpl);
    s().eflags = (s().eflags & ~cpu::flag::IOPL) | (iopl << 12);
  }

  void mem(u32 a, std::initializer_list<u8> bytes) {
    for (u8 b : bytes) m.memory().write(a++, 1, b);
  }
  void w8(u32 a, u8 v) { m.memory().write(a, 1, v); }
  void w16(u32 a, u16 v) { m.memory().write(a, 2, v); }
  void w32(u32 a, u32 v) { m.memory().write(a, 4, v); }
  u8 r8(u32 a) { return static_cast<u8>(m.memory().read(a, 1)); }
  u16 r16(u32 a) { return static_cast<u16>(m.memory().read(a, 2)); }
  u32 r32(u32 a) { return static_cast<u32>(m.memory().read(a, 4)); }
  u32 reg(unsigned r) { return s().reg32(r); }
  void set(unsigned r, u32 v) { s().gpr[r] = v; }

  // Installs the fault recorder (the CPU then runs one instruction per block).
  FaultRecorder& watch() {
    recorder = std::make_unique<FaultRecorder>(cpu->state());
    cpu->set_observer(recorder.get());
    return *recorder;
  }

  u32 code_end = 0;
  std::unique_ptr<FaultRecorder> recorder;
};

}  // namespace ops_test
