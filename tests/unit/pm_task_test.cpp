// Hardware task switches: JMP to a TSS, CALL through a task gate and IRET back through the back
// link, and a failing segment check raised in the new task (SDM Vol. 3A 7.3, Table 7-1 and
// 7.4 "Task Linking", Figure 7-2 offsets). The rig is in pm_rig.h.
#include "pm_rig.h"

using namespace pm_test;
using pcjit::core::ProcessorExit;
namespace cpu = pcjit::cpu;

TEST_CASE("JMP to an available TSS saves the old task, loads the new one and moves the busy bit") {
  Rig r;
  fill_tss_b(r);
  // mov eax,0x12345678; jmp 0x30:0
  r.mem(kRing0Code, {0xB8, 0x78, 0x56, 0x34, 0x12, 0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});
  r.mem(kTaskBCode, {0xF4});
  CHECK(r.run() == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.eip() == kTaskBCode + 1);
  CHECK(s.tr.selector == kTssB);
  CHECK(s.tr.base == kTssBBase);
  CHECK(s.reg32(cpu::EAX) == 0x11111111);
  CHECK(s.reg32(cpu::ECX) == 0x22222222);
  CHECK(s.reg32(cpu::ESP) == 0x6000);
  CHECK((s.eflags & cpu::flag::CF) != 0);
  CHECK((s.eflags & cpu::flag::NT) == 0);
  CHECK((s.cr0 & cpu::cr0::TS) != 0);
  CHECK(r.r32(kTssABase + 0x20) == kRing0Code + 12);  // saved EIP: after the JMP
  CHECK(r.r32(kTssABase + 0x28) == 0x12345678);
  CHECK(r.r32(kTssABase + 0x38) == 0x7000);
  CHECK((r.r32(kTssABase + 0x4C) & 0xFFFF) == kCode0);
  CHECK(r.r8(kGdt + kTssA + 5) == 0x89);  // old TSS available again
  CHECK(r.r8(kGdt + kTssB + 5) == 0x8B);  // new TSS busy
  CHECK((r.r32(kTssBBase) & 0xFFFF) == 0);  // JMP does not link
}

TEST_CASE("CALL through a task gate nests the task; IRET with NT returns through the back link") {
  Rig r;
  fill_tss_b(r);
  r.mem(kRing0Code, {0x9A, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0xF4});  // call 0x40:0; hlt
  r.mem(kTaskBCode, {0xF4, 0xCF});                                      // hlt; iretd
  CHECK(r.run() == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.tr.selector == kTssB);
  CHECK((s.eflags & cpu::flag::NT) != 0);
  CHECK((r.r32(kTssBBase) & 0xFFFF) == kTssA);  // back link
  CHECK(r.r8(kGdt + kTssA + 5) == 0x8B);        // the caller stays busy
  CHECK(r.r8(kGdt + kTssB + 5) == 0x8B);

  CHECK(r.resume() == ProcessorExit::Halted);
  CHECK(s.tr.selector == kTssA);
  CHECK(s.eip() == kRing0Code + 8);
  CHECK(s.reg32(cpu::ESP) == 0x7000);
  CHECK(r.r8(kGdt + kTssB + 5) == 0x89);  // IRET frees the nested task
  CHECK(r.r32(kTssBBase + 0x20) == kTaskBCode + 2);
  CHECK((r.r32(kTssBBase + 0x24) & cpu::flag::NT) == 0);  // saved with NT cleared
}

TEST_CASE("a bad CS in the incoming TSS is #TS(selector) raised in the new task") {
  Rig r;
  fill_tss_b(r, kData0);
  r.mem(kRing0Code, {0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(10));
  CHECK(r.cpu->state().tr.selector == kTssB);
  CHECK(r.esp() == 0x6000 - 16);
  CHECK(r.stack(0) == kData0);
  CHECK(r.stack(1) == kTaskBCode);
}

TEST_CASE("a task switch loads LDTR from the TSS before the segment registers that use it") {
  Rig r;
  fill_tss_b(r);
  r.w32(kTssBBase + 0x54, kLdtData);  // DS from the LDT
  r.w32(kTssBBase + 0x60, kLdt);
  r.w32(0x100010, 0xCAFEBABE);
  r.mem(kRing0Code, {0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});
  r.mem(kTaskBCode, {0xA1, 0x10, 0x00, 0x00, 0x00, 0xF4});  // mov eax,[0x10]; hlt
  CHECK(r.run() == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.ldtr.selector == kLdt);
  CHECK(s.ldtr.base == kLdtBase);
  CHECK(s.seg[cpu::DS].selector == kLdtData);
  CHECK(s.seg[cpu::DS].base == 0x100000);
  CHECK(s.reg32(cpu::EAX) == 0xCAFEBABE);
}

TEST_CASE("CALL to a 16-bit TSS loads the 16-bit image; a 16-bit IRET returns to the 32-bit caller") {
  Rig r;
  // 16-bit TSS (Figure 7-11): IP 0x0E, FLAGS 0x10, AX 0x12, SP 0x1A, ES CS SS DS 0x22..0x28.
  r.m.memory().write(kTss16Base + 0x0E, 2, 0x5200);
  r.m.memory().write(kTss16Base + 0x10, 2, 0x0002);
  r.m.memory().write(kTss16Base + 0x12, 2, 0x1234);
  r.m.memory().write(kTss16Base + 0x1A, 2, 0x5F00);
  r.m.memory().write(kTss16Base + 0x22, 2, kData0);
  r.m.memory().write(kTss16Base + 0x24, 2, kCode16);
  r.m.memory().write(kTss16Base + 0x26, 2, kData0);
  r.m.memory().write(kTss16Base + 0x28, 2, kData0);
  // mov eax,0x12345678; call 0x70:0; hlt
  r.mem(kRing0Code, {0xB8, 0x78, 0x56, 0x34, 0x12, 0x9A, 0x00, 0x00, 0x00, 0x00, 0x70, 0x00, 0xF4});
  r.mem(0x5200, {0xF4, 0xCF});  // 16-bit code: hlt; iret
  CHECK(r.run() == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.tr.selector == kTss16);
  CHECK(s.eip() == 0x5201);
  CHECK(s.reg16(cpu::EAX) == 0x1234);
  CHECK(s.reg16(cpu::ESP) == 0x5F00);
  CHECK((s.seg[cpu::CS].attrs & cpu::attr::DB) == 0);
  CHECK((s.eflags & cpu::flag::NT) != 0);
  CHECK((r.r32(kTss16Base) & 0xFFFF) == kTssA);
  CHECK(r.r8(kGdt + kTss16 + 5) == 0x83);  // busy 16-bit TSS

  CHECK(r.resume() == ProcessorExit::Halted);
  CHECK(s.tr.selector == kTssA);
  CHECK(s.eip() == kRing0Code + 13);
  CHECK(s.reg32(cpu::EAX) == 0x12345678);
  CHECK(r.r8(kGdt + kTss16 + 5) == 0x81);
  CHECK((r.m.memory().read(kTss16Base + 0x0E, 2)) == 0x5202);  // saved IP after the IRET
}
