// Event-delivery corner cases: VME interrupt redirection in v86 mode (SDM Vol. 3A 20.3.3,
// Table 20-2), not-present gates, exceptions through task gates with their error code pushed on
// the new task's stack (6.12.2), precise state when the inner stack cannot take the frame, and
// 16-bit interrupt gates with a 16-bit IRET (Figure 6-4 with 2-byte slots). Rig: pm_rig.h.
#include "pm_rig.h"

using namespace pm_test;
using pcjit::core::ProcessorExit;
namespace cpu = pcjit::cpu;

namespace {

void task_gate(Rig& r, u8 v, u16 tss) {
  r.w32(kIdt + v * 8u, u32{tss} << 16);
  r.w32(kIdt + v * 8u + 4, 0x8500);
}

u16 r16(Rig& r, u32 a) { return static_cast<u16>(r.m.memory().read(a, 2)); }

}  // namespace

TEST_CASE("with CR4.VME, INT n in v86 mode at IOPL 0 follows the TSS redirection bitmap") {
  Rig r;
  iret_to_v86(r, 0x20002);
  r.cpu->state().cr4 |= cpu::cr4::VME;
  r.mem(kTssABase + 0x66, {0x88, 0x00});  // I/O map base 0x88: redirection bitmap at 0x68..0x87
  r.mem(0x10010, {0xCD, 0x21});           // 1000:0010 int 0x21
  r.w32(0x21 * 4, 0x20000300);            // IVT[0x21] = 2000:0300
  r.mem(0x20300, {0xF4});                 // the v86 handler's HLT faults to ring 0: a marker
  SUBCASE("bit clear: redirected through the v86 IVT, IF image taken from VIF, IOPL image 3") {
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(1) == 0x300);
    CHECK(r.stack(2) == 0x2000);
    CHECK(r.stack(4) == 0xFA);
    CHECK(r.r32(0x30FA) == 0x10000012);   // IP after the INT, CS 1000
    CHECK(r16(r, 0x30FE) == 0x3002);      // FLAGS image: IOPL 3, IF = VIF = 0
  }
  SUBCASE("bit set: #GP(0) at the INT") {
    r.mem(kTssABase + 0x68 + 4, {0x02});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(0) == 0);
    CHECK(r.stack(1) == 0x10);
    CHECK(r.stack(2) == 0x1000);
  }
}

TEST_CASE("INT n through a not-present gate is #NP(vector*8+2)") {
  Rig r;
  r.w32(kIdt + 0x42 * 8 + 4, r.r32(kIdt + 0x42 * 8 + 4) & ~0x8000u);
  r.mem(kRing0Code, {0xCD, 0x42});
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(11));
  CHECK(r.stack(0) == 0x42 * 8 + 2);
  CHECK(r.stack(1) == kRing0Code);
}

TEST_CASE("#GP through a task gate switches tasks and pushes the error code on the new stack") {
  Rig r;
  fill_tss_b(r);
  task_gate(r, 13, kTssB);
  r.mem(kRing0Code, {0x31, 0xC0, 0x8E, 0xD8, 0xA1, 0x00, 0x00, 0x00, 0x00});  // null DS, then use it
  r.mem(kTaskBCode, {0xF4});
  CHECK(r.run() == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.tr.selector == kTssB);
  CHECK(s.reg32(cpu::ESP) == 0x6000 - 4);
  CHECK(r.r32(0x6000 - 4) == 0);
  CHECK((s.eflags & cpu::flag::NT) != 0);
  CHECK((r.r32(kTssBBase) & 0xFFFF) == kTssA);
  CHECK(r.r32(kTssABase + 0x20) == kRing0Code + 4);  // the faulting instruction restarts
}

TEST_CASE("an inner stack too small for the frame is #SS(new SS) with the interrupted state intact") {
  Rig r;
  fill_tss_b(r);
  iret_to_ring3(r, 0x202);
  // Ring-0 stack: the 16-bit expand-down segment (valid 0x1000..0xFFFF) with ESP0 0x1008, so the
  // third of five slots falls below 0x1000. #SS goes to task B, which records the old state.
  r.w32(kTssABase + 4, 0x1008);
  r.w32(kTssABase + 8, kExpandDown);
  r.gate(0x80, kCode0, handler(0x80), 0xE, 3);
  task_gate(r, 12, kTssB);
  r.mem(kRing3Code, {0xCD, 0x80});
  r.mem(kTaskBCode, {0xF4});
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.cpu->state().tr.selector == kTssB);
  CHECK(r.r32(0x6000 - 4) == kExpandDown);  // error code: the SS selector, EXT clear (INT n)
  CHECK(r.r32(kTssABase + 0x20) == kRing3Code);
  CHECK((r.r32(kTssABase + 0x4C) & 0xFFFF) == kCode3);
  CHECK(r.r32(kTssABase + 0x38) == 0x8000);
  CHECK((r.r32(kTssABase + 0x50) & 0xFFFF) == kData3);
}

TEST_CASE("a 16-bit interrupt gate pushes 16-bit FLAGS, CS, IP and a 16-bit IRET returns") {
  Rig r;
  r.mem(kRing0Code, {0xEA, 0x00, 0x50, 0x00, 0x00, 0x08, 0x00});  // jmp 0x08:0x5000 (below 64 KiB)
  r.mem(0x5000, {0xCD, 0x44, 0xF4});
  r.gate(0x44, kCode0, 0x5100, 0x6, 0);  // a 16-bit gate holds a 16-bit offset
  r.mem(0x5100, {0xF4, 0x66, 0xCF});     // hlt; iret (16-bit)
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.cpu->state().eip() == 0x5101);
  CHECK(r.esp() == 0x7000 - 6);
  CHECK(r16(r, 0x7000 - 6) == 0x5002);
  CHECK(r16(r, 0x7000 - 4) == kCode0);
  CHECK(r16(r, 0x7000 - 2) == 0x0002);
  CHECK(r.resume() == ProcessorExit::Halted);
  CHECK(r.cpu->state().eip() == 0x5003);
  CHECK(r.esp() == 0x7000);
}

TEST_CASE("JMP through a call gate to a same-privilege segment keeps the stack") {
  Rig r;
  r.mem(kRing0Code, {0xEA, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x00});  // jmp 0x3B:0 (gate DPL 3)
  r.mem(kGateTarget, {0xF4});
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.cpu->state().eip() == kGateTarget + 1);
  CHECK(r.cpu->state().seg[cpu::CS].selector == kCode0);
  CHECK(r.esp() == 0x7000);
}

TEST_CASE("a fault while delivering an exception carries EXT=1 in its error code") {
  Rig r;
  // #UD's gate names a not-present data segment: not code -> #GP(0x50 | EXT). #UD is benign, so
  // no double fault (SDM 6.15, Table 6-5).
  r.gate(6, kNotPresent, handler(6), 0xE, 0);
  r.mem(kRing0Code, {0x0F, 0x0B});  // ud2
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(13));
  CHECK(r.stack(0) == (kNotPresent | 1));
  CHECK(r.stack(1) == kRing0Code);
}

TEST_CASE("IRET at CPL 3 and IOPL 0 changes the arithmetic flags but neither IF nor IOPL") {
  Rig r;
  iret_to_ring3(r, 0x002);
  // push 0x3203 (IOPL 3, IF, CF); push 0x1B; push 0x12010; iretd   -- then at 0x12010: int 0x80
  r.mem(kRing3Code, {0x68, 0x03, 0x32, 0x00, 0x00, 0x6A, 0x1B, 0x68, 0x10, 0x20, 0x01, 0x00, 0xCF});
  r.mem(kRing3Code + 0x10, {0xCD, 0x80});
  r.gate(0x80, kCode0, handler(0x80), 0xE, 3);
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(0x80));
  CHECK(r.stack(0) == kRing3Code + 0x12);
  CHECK(r.stack(2) == 0x003);
  CHECK(r.stack(3) == 0x8000);
}
