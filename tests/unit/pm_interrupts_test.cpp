// Protected-mode and virtual-8086 interrupt delivery: stack frames, gate checks and flag effects
// as SDM Vol. 3A 6.12 (Figure 6-4 frames), 6.13 (error codes), 20.3.1.1 (v86 frame, Figure 20-5)
// describe them. The rig (pm_rig.h) starts every test at ring 0 with ESP 0x7000.
#include "pm_rig.h"

using namespace pm_test;
using pcjit::core::ProcessorExit;
namespace flag = pcjit::cpu::flag;

TEST_CASE("INT n through a same-privilege 32-bit gate pushes EFLAGS, CS, EIP") {
  Rig r;
  r.mem(kRing0Code, {0xCD, 0x40});  // int 0x40
  r.cpu->state().eflags |= flag::IF;
  SUBCASE("an interrupt gate clears IF") {
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK((r.cpu->state().eflags & flag::IF) == 0);
  }
  SUBCASE("a trap gate leaves IF set") {
    r.gate(0x40, kCode0, handler(0x40), 0xF, 0);
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK((r.cpu->state().eflags & flag::IF) != 0);
  }
  CHECK(r.halted_in(0x40));
  CHECK(r.esp() == 0x7000 - 12);
  CHECK(r.stack(0) == kRing0Code + 2);
  CHECK(r.stack(1) == kCode0);
  CHECK(r.stack(2) == 0x202);
}

TEST_CASE("INT from ring 3 switches to the ring-0 stack named by the TSS") {
  Rig r;
  iret_to_ring3(r, 0x202);
  r.mem(kRing3Code, {0xCD, 0x80});
  r.gate(0x80, kCode0, handler(0x80), 0xE, 3);
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(0x80));
  const auto& s = r.cpu->state();
  CHECK(s.cpl == 0);
  CHECK(s.seg[pcjit::cpu::CS].selector == kCode0);
  CHECK(s.seg[pcjit::cpu::SS].selector == kData0);
  CHECK(r.esp() == 0x9000 - 20);
  CHECK(r.stack(0) == kRing3Code + 2);
  CHECK(r.stack(1) == kCode3);
  CHECK(r.stack(2) == 0x202);
  CHECK(r.stack(3) == 0x8000);
  CHECK(r.stack(4) == kData3);
  // The IRET to ring 3 nulled DS (DPL 0 < CPL 3); nothing reloaded it since.
  CHECK(s.seg[pcjit::cpu::DS].selector == 0);
  CHECK_FALSE(s.seg[pcjit::cpu::DS].valid);
}

TEST_CASE("software INT from ring 3 through a DPL-0 gate is #GP(vector*8+2)") {
  Rig r;
  iret_to_ring3(r, 0x202);
  r.mem(kRing3Code, {0xCD, 0x41});
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(13));
  CHECK(r.stack(0) == 0x41 * 8 + 2);
  CHECK(r.stack(1) == kRing3Code);
  CHECK(r.stack(2) == kCode3);
}

TEST_CASE("INT n to a vector beyond the IDT limit is #GP(vector*8+2), EXT clear for software INT") {
  Rig r;
  r.cpu->state().idtr.limit = 0x17F;  // vectors 0..0x2F
  r.mem(kRing0Code, {0xCD, 0x30});
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(13));
  CHECK(r.stack(0) == 0x30 * 8 + 2);
}

TEST_CASE("IRETD with VM=1 enters virtual-8086 mode and an event there returns to ring 0 with the v86 frame") {
  Rig r;
  // push 0x700(GS) 0x600(FS) 0x500(DS) 0x400(ES) 0x300(SS) 0x100(ESP) eflags 0x1000(CS) 0x10(EIP); iretd
  auto boot = [&](u32 eflags) {
    r.mem(kRing0Code, {0x68, 0x00, 0x07, 0x00, 0x00, 0x68, 0x00, 0x06, 0x00, 0x00, 0x68, 0x00, 0x05,
                       0x00, 0x00, 0x68, 0x00, 0x04, 0x00, 0x00, 0x68, 0x00, 0x03, 0x00, 0x00, 0x68,
                       0x00, 0x01, 0x00, 0x00, 0x68, static_cast<u8>(eflags), static_cast<u8>(eflags >> 8),
                       static_cast<u8>(eflags >> 16), 0x00, 0x68, 0x00, 0x10, 0x00, 0x00, 0x6A, 0x10, 0xCF});
    r.mem(0x10010, {0xCD, 0x21});  // 1000:0010: int 0x21
  };
  SUBCASE("INT n at IOPL 0 is #GP(0)") {
    boot(0x20002);
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.esp() == 0x9000 - 40);
    CHECK(r.stack(0) == 0);       // error code
    CHECK(r.stack(1) == 0x10);    // EIP of the INT
    CHECK(r.stack(3) == 0x30002);  // VM, and RF: #GP is a fault (SDM 17.3.1.1)
  }
  SUBCASE("INT n at IOPL 3 goes through the DPL-3 gate") {
    boot(0x23002);
    r.gate(0x21, kCode0, handler(0x21), 0xE, 3);
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(0x21));
    CHECK(r.esp() == 0x9000 - 36);
    CHECK(r.stack(0) == 0x12);  // EIP after the INT
    CHECK(r.stack(2) == 0x23002);
    CHECK((r.cpu->state().eflags & flag::IOPL) == flag::IOPL);
  }
  // Common tail of the v86 frame: CS, (EFLAGS), ESP, SS, ES, DS, FS, GS above EIP.
  const unsigned e = r.stack(0) == 0 ? 1 : 0;  // skip the error code if pushed
  CHECK(r.stack(e + 1) == 0x1000);
  CHECK(r.stack(e + 3) == 0x100);
  CHECK(r.stack(e + 4) == 0x300);
  CHECK(r.stack(e + 5) == 0x400);
  CHECK(r.stack(e + 6) == 0x500);
  CHECK(r.stack(e + 7) == 0x600);
  CHECK(r.stack(e + 8) == 0x700);
  const auto& s = r.cpu->state();
  CHECK_FALSE(s.v86());
  CHECK(s.cpl == 0);
  for (unsigned k : {pcjit::cpu::ES, pcjit::cpu::DS, pcjit::cpu::FS, pcjit::cpu::GS}) {
    CHECK(s.seg[k].selector == 0);
    CHECK_FALSE(s.seg[k].valid);
  }
}

TEST_CASE("v86 IRET at IOPL 3 pops IP, CS, FLAGS; at IOPL 0 it is #GP(0)") {
  Rig r;
  auto& s = r.cpu->state();
  // Enter v86 directly: IRETD frame as above but built in memory at ring 0's stack.
  r.mem(kRing0Code, {0x68, 0x00, 0x00, 0x00, 0x00, 0x68, 0x00, 0x00, 0x00, 0x00, 0x68, 0x00, 0x00,
                     0x00, 0x00, 0x68, 0x00, 0x00, 0x00, 0x00, 0x68, 0x00, 0x03, 0x00, 0x00, 0x68,
                     0xFA, 0x00, 0x00, 0x00});  // GS FS DS ES = 0, SS 0x300, ESP 0xFA
  // The v86 stack 0300:00FA holds IP 0x0020, CS 0x1000, FLAGS 0x0001 (CF) for the v86 IRET.
  r.mem(0x30FA, {0x20, 0x00, 0x00, 0x10, 0x01, 0x00});
  r.mem(0x10010, {0xCF});      // 1000:0010: iret
  r.mem(0x10020, {0xF4});      // 1000:0020: hlt (v86 is CPL 3: #GP(0))
  SUBCASE("IOPL 3") {
    r.mem(kRing0Code + 30, {0x68, 0x02, 0x30, 0x02, 0x00, 0x68, 0x00, 0x10, 0x00, 0x00, 0x6A, 0x10, 0xCF});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(1) == 0x20);  // the HLT at 1000:0020 faulted: the IRET got there
    CHECK((r.stack(3) & 0x23003) == 0x23003);  // VM, IOPL 3 kept, CF from the popped FLAGS
    CHECK(r.stack(4) == 0x100);  // v86 SP after popping 6 bytes
  }
  SUBCASE("IOPL 0") {
    r.mem(kRing0Code + 30, {0x68, 0x02, 0x00, 0x02, 0x00, 0x68, 0x00, 0x10, 0x00, 0x00, 0x6A, 0x10, 0xCF});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(1) == 0x10);
    CHECK(r.stack(4) == 0xFA);
  }
  CHECK_FALSE(s.v86());
}
