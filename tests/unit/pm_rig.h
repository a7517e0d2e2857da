// A protected-mode test rig: a machine whose RAM holds a GDT, an IDT and two 32-bit TSSs built
// from the SDM's descriptor layouts (Vol. 3A, Figures 3-8, 5-8, 6-2, 7-2, 7-3), and a real-mode
// prologue that enters ring 0 by a far JMP and MOV Sreg. Expectations in the tests are computed
// by hand from the SDM, not read back from the emulator.
//
// Memory map: GDT 0x1000, IDT 0x2000, TSS A 0x3000 (current task, I/O bitmap at +0x68),
// TSS B 0x3800, 16-bit TSS 0x3C00, LDT 0x4000, ring-0 stack top 0x7000, ring-0 TSS stack 0x9000, ring-3 stack top 0x8000,
// ring-0 test code 0x11000, ring-3 code 0x12000, task-B code 0x13000, handlers 0x20000 + v*16
// (each a HLT), prologue 0x30000.
#pragma once
#include <doctest/doctest.h>

#include <initializer_list>
#include <memory>

#include "core/machine.h"
#include "cpu/cpu.h"

namespace pm_test {

using namespace pcjit;

// Segment descriptor (Figure 3-8): access = P|DPL|S|type byte, flags = G|D/B|L|AVL nibble.
inline void seg_desc(u32 base, u32 limit, u8 access, u8 flags, u32& lo, u32& hi) {
  lo = (base << 16) | (limit & 0xFFFF);
  hi = (base & 0xFF000000u) | (u32{flags} << 20) | (limit & 0xF0000u) | (u32{access} << 8) |
       ((base >> 16) & 0xFF);
}

constexpr u16 kCode0 = 0x08, kData0 = 0x10, kCode3 = 0x1B, kData3 = 0x23, kTssA = 0x28,
              kTssB = 0x30, kCallGate = 0x3B, kTaskGate = 0x40, kExpandDown = 0x48,
              kNotPresent = 0x50, kCode16 = 0x58, kConforming = 0x60, kLdt = 0x68, kTss16 = 0x70,
              kLdtData = 0x0C;  // LDT entry 1, TI = 1
constexpr u32 kGdt = 0x1000, kIdt = 0x2000, kTssABase = 0x3000, kTssBBase = 0x3800,
              kTss16Base = 0x3C00, kLdtBase = 0x4000;
constexpr u32 kRing0Code = 0x11000, kRing3Code = 0x12000, kTaskBCode = 0x13000, kHandlers = 0x20000,
              kGateTarget = 0x21000, kPrologue = 0x30000;

inline u32 handler(u8 v) { return kHandlers + u32{v} * 16; }

struct Rig {
  core::Machine m{core::MachineConfig{}};
  cpu::Cpu* cpu = nullptr;

  Rig() {
    auto owner = std::make_unique<cpu::Cpu>(m);
    cpu = owner.get();
    m.set_processor(std::move(owner));
    u32 lo, hi;
    auto put = [&](u16 sel, u32 l, u32 h) { w32(kGdt + (sel & ~7u), l); w32(kGdt + (sel & ~7u) + 4, h); };
    seg_desc(0, 0xFFFFF, 0x9A, 0xC, lo, hi); put(kCode0, lo, hi);
    seg_desc(0, 0xFFFFF, 0x92, 0xC, lo, hi); put(kData0, lo, hi);
    seg_desc(0, 0xFFFFF, 0xFA, 0xC, lo, hi); put(kCode3, lo, hi);
    seg_desc(0, 0xFFFFF, 0xF2, 0xC, lo, hi); put(kData3, lo, hi);
    seg_desc(kTssABase, 0x88, 0x8B, 0x0, lo, hi); put(kTssA, lo, hi);  // busy: it is the current task
    seg_desc(kTssBBase, 0x67, 0x89, 0x0, lo, hi); put(kTssB, lo, hi);
    // 32-bit call gate, DPL 3, 2 parameters -> kCode0:kGateTarget (Figure 5-8).
    put(kCallGate, (u32{kCode0} << 16) | (kGateTarget & 0xFFFF), (kGateTarget & 0xFFFF0000u) | 0xEC00 | 2);
    put(kTaskGate, u32{kTssB} << 16, 0xE500);  // task gate, DPL 3 -> TSS B
    seg_desc(0, 0x0FFF, 0x96, 0x0, lo, hi); put(kExpandDown, lo, hi);  // 16-bit expand-down data
    seg_desc(0, 0xFFFFF, 0x12, 0xC, lo, hi); put(kNotPresent, lo, hi);
    seg_desc(0, 0xFFFF, 0x9A, 0x0, lo, hi); put(kCode16, lo, hi);
    seg_desc(0, 0xFFFFF, 0x9E, 0xC, lo, hi); put(kConforming, lo, hi);
    seg_desc(kLdtBase, 0x0F, 0x82, 0x0, lo, hi); put(kLdt, lo, hi);          // LDT, 2 entries
    seg_desc(kTss16Base, 0x2B, 0x81, 0x0, lo, hi); put(kTss16, lo, hi);      // 16-bit TSS
    seg_desc(0x100000, 0xFFFF, 0x92, 0x4, lo, hi);                           // LDT[1]: data at 1 MiB
    w32(kLdtBase + 8, lo);
    w32(kLdtBase + 12, hi);
    // IDT: every vector a DPL-0 32-bit interrupt gate to its HLT.
    for (unsigned v = 0; v < 256; ++v) {
      gate(static_cast<u8>(v), kCode0, handler(static_cast<u8>(v)), 0xE, 0);
      mem(handler(static_cast<u8>(v)), {0xF4});
    }
    // TSS A: ring-0 stack 0x10:0x9000, I/O bitmap at 0x68 (32 bytes: ports 0..0xFF, all allowed).
    w32(kTssABase + 4, 0x9000);
    w32(kTssABase + 8, kData0);
    w32(kTssABase + 0x64, 0x00680000);
    // Prologue (16-bit code, PE already set): jmp dword 0x08:kPrologue+8, then in 32-bit code
    // mov ax,0x10; mov ds,ax; mov es,ax; mov ss,ax; mov esp,0x7000; jmp 0x08:kRing0Code.
    mem(kPrologue, {0x66, 0xEA, 0x08, 0x00, 0x03, 0x00, 0x08, 0x00});
    mem(kPrologue + 8, {0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0, 0xBC, 0x00, 0x70,
                        0x00, 0x00, 0xEA, 0x00, 0x10, 0x01, 0x00, 0x08, 0x00});
    auto& s = cpu->state();
    s.cr0 |= cpu::cr0::PE;
    s.gdtr = {kGdt, 0xFF};
    s.idtr = {kIdt, 0x7FF};
    // TR as LTR would leave it (hand-filled: base, limit, busy 32-bit TSS type 0xB).
    s.tr.selector = kTssA;
    s.tr.base = kTssABase;
    s.tr.limit = 0x88;
    s.tr.attrs = 0x8B;
    s.tr.lo = 0;
    s.tr.hi = 0x88;
    s.tr.valid = true;
    cpu->load_real_segment(cpu::CS, static_cast<u16>(kPrologue >> 4));
    s.rip = 0;
    cpu->state_changed();
  }

  void gate(u8 v, u16 sel, u32 off, u8 type, u8 dpl) {
    w32(kIdt + v * 8u, (u32{sel} << 16) | (off & 0xFFFF));
    w32(kIdt + v * 8u + 4, (off & 0xFFFF0000u) | 0x8000u | (u32{dpl} << 13) | (u32{type} << 8));
  }
  void mem(u32 a, std::initializer_list<u8> bytes) {
    for (u8 b : bytes) m.memory().write(a++, 1, b);
  }
  void w32(u32 a, u32 v) { m.memory().write(a, 4, v); }
  u32 r32(u32 a) { return static_cast<u32>(m.memory().read(a, 4)); }
  u8 r8(u32 a) { return static_cast<u8>(m.memory().read(a, 1)); }
  u32 esp() { return cpu->state().reg32(cpu::ESP); }
  u32 stack(unsigned k) { return r32(esp() + 4 * k); }
  // Runs until HLT (or the budget); the prologue takes 7 instructions.
  core::ProcessorExit run(u64 n = 200) { return cpu->run(n); }
  // Resumes after a HLT.
  core::ProcessorExit resume(u64 n = 200) {
    cpu->state().halted = false;
    return cpu->run(n);
  }
  bool halted_in(u8 v) { return cpu->state().eip() == handler(v) + 1; }
};

// Ring-0 code that IRETs to ring 3 at kRing3Code with ESP 0x8000 and the given EFLAGS:
// push 0x23; push 0x8000; push eflags; push 0x1B; push kRing3Code; iretd.
inline void iret_to_ring3(Rig& r, u32 eflags) {
  r.mem(kRing0Code, {0x6A, 0x23, 0x68, 0x00, 0x80, 0x00, 0x00, 0x68, static_cast<u8>(eflags),
                     static_cast<u8>(eflags >> 8), static_cast<u8>(eflags >> 16), 0x00, 0x6A, 0x1B,
                     0x68, 0x00, 0x20, 0x01, 0x00, 0xCF});
}

// Ring-0 code that IRETDs into virtual-8086 mode at 1000:0010 with SS:SP 0300:0100 and
// ES/DS/FS/GS = 0400/0500/0600/0700 (frame order: Figure 20-5, IRET pseudocode).
inline void iret_to_v86(Rig& r, u32 eflags) {
  r.mem(kRing0Code, {0x68, 0x00, 0x07, 0x00, 0x00, 0x68, 0x00, 0x06, 0x00, 0x00, 0x68, 0x00, 0x05,
                     0x00, 0x00, 0x68, 0x00, 0x04, 0x00, 0x00, 0x68, 0x00, 0x03, 0x00, 0x00, 0x68,
                     0x00, 0x01, 0x00, 0x00, 0x68, static_cast<u8>(eflags), static_cast<u8>(eflags >> 8),
                     static_cast<u8>(eflags >> 16), 0x00, 0x68, 0x00, 0x10, 0x00, 0x00, 0x6A, 0x10, 0xCF});
}

// TSS B: EIP 0x13000, EFLAGS CF, EAX/ECX marked, ESP 0x6000, flat ring-0 segments.
inline void fill_tss_b(Rig& r, u16 cs = kCode0) {
  r.w32(kTssBBase + 0x20, kTaskBCode);
  r.w32(kTssBBase + 0x24, 0x3);
  r.w32(kTssBBase + 0x28, 0x11111111);
  r.w32(kTssBBase + 0x2C, 0x22222222);
  r.w32(kTssBBase + 0x38, 0x6000);
  r.w32(kTssBBase + 0x48, kData0);
  r.w32(kTssBBase + 0x4C, cs);
  r.w32(kTssBBase + 0x50, kData0);
  r.w32(kTssBBase + 0x54, kData0);
}

}  // namespace pm_test
