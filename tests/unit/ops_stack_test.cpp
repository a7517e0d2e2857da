// Stack family: PUSH/POP forms, PUSHA/POPA, ENTER with nesting, LEAVE, PUSHF/POPF masks.
// Expectations are computed by hand from the SDM Vol. 2 operation sections (PUSH, POP, PUSHA,
// POPA, ENTER, LEAVE, PUSHF, POPF).
#include "ops_rig.h"

using namespace ops_test;
using namespace pcjit::cpu;

TEST_CASE("PUSH SP pushes the value SP had before the push (286 and later)") {
  Rig r;
  r.code({0x54});
  REQUIRE(r.run());
  CHECK(r.reg(ESP) == 0x7FFE);
  CHECK(r.r16(0x7FFE) == 0x8000);
}

TEST_CASE("POP to an ESP-based memory operand uses the incremented ESP (SDM POP)") {
  Rig r;
  r.flat32();
  r.set(ESP, 0x7FFC);
  r.w32(0x7FFC, 0x11223344);
  r.code({0x66, 0x67, 0x8F, 0x04, 0x24});  // pop dword [esp]
  REQUIRE(r.run());
  CHECK(r.reg(ESP) == 0x8000);
  CHECK(r.r32(0x8000) == 0x11223344);
}

TEST_CASE("POP SP loads the popped value; PUSH/POP imm and Ev round-trip") {
  Rig r;
  r.w16(0x2000, 0xBEEF);
  // push 0x1234 ; push -2 (6A FE) ; push word [0x2000] ; pop ax ; pop bx ; pop cx
  r.code({0x68, 0x34, 0x12, 0x6A, 0xFE, 0xFF, 0x36, 0x00, 0x20, 0x58, 0x5B, 0x59});
  REQUIRE(r.run());
  CHECK((r.reg(EAX) & 0xFFFF) == 0xBEEF);
  CHECK((r.reg(EBX) & 0xFFFF) == 0xFFFE);
  CHECK((r.reg(ECX) & 0xFFFF) == 0x1234);
  CHECK(r.reg(ESP) == 0x8000);

  Rig q;
  q.w16(0x7FFE, 0x4000);
  q.set(ESP, 0x7FFE);
  q.code({0x5C});  // pop sp
  REQUIRE(q.run());
  CHECK(q.reg(ESP) == 0x4000);
}

TEST_CASE("PUSH Sreg with a 32-bit operand moves ESP by 4 and writes the selector's word") {
  Rig r;
  r.cpu->load_real_segment(DS, 0x1234);
  r.w32(0x7FFC, 0xAAAAAAAA);
  r.code({0x66, 0x1E, 0x66, 0x0F, 0xA1});  // push ds (32) ; pop fs (32)
  REQUIRE(r.run());
  CHECK(r.r16(0x7FFC) == 0x1234);
  CHECK(r.s().seg[FS].selector == 0x1234);
  CHECK(r.reg(ESP) == 0x8000);
}

TEST_CASE("POP CS does not exist on a P6") {
  Rig r;
  r.code({0x0F, 0xFF});  // 0F is the two-byte escape; 0F FF is UD0
  r.run();
  CHECK(r.faulted_with(6));
}

TEST_CASE("PUSHA pushes the original SP; POPA skips it") {
  Rig r;
  for (unsigned k = 0; k < 8; ++k)
    if (k != ESP) r.set(k, 0x1000 + k);
  r.code({0x66, 0x60});  // pushad
  REQUIRE(r.run());
  CHECK(r.reg(ESP) == 0x8000 - 32);
  // Order pushed: EAX ECX EDX EBX ESP(original) EBP ESI EDI -> EDI at the lowest address.
  CHECK(r.r32(0x7FFC) == 0x1000);
  CHECK(r.r32(0x7FF8) == 0x1001);
  CHECK(r.r32(0x7FF0) == 0x1003);
  CHECK(r.r32(0x7FEC) == 0x8000);
  CHECK(r.r32(0x7FE0) == 0x1007);

  Rig q;
  for (unsigned k = 0; k < 8; ++k) q.w16(0x7FF0 + 2 * k, static_cast<u16>(0x2007 - k));  // DI first
  q.set(ESP, 0x7FF0);
  q.code({0x61});  // popa
  REQUIRE(q.run());
  CHECK((q.reg(EDI) & 0xFFFF) == 0x2007);
  CHECK((q.reg(ESI) & 0xFFFF) == 0x2006);
  CHECK((q.reg(EBP) & 0xFFFF) == 0x2005);
  CHECK((q.reg(EBX) & 0xFFFF) == 0x2003);
  CHECK((q.reg(EAX) & 0xFFFF) == 0x2000);
  CHECK(q.reg(ESP) == 0x8000);  // SP from the stack image (0x2004) is discarded
}

TEST_CASE("PUSHA that would cross the stack segment limit faults without writing") {
  Rig r;
  r.set(ESP, 0x0004);  // 16 bytes needed, wraps to 0xFFF4..: in range, so it succeeds on wrap
  r.code({0x60});
  REQUIRE(r.run());
  CHECK(r.reg(ESP) == 0xFFF4);

  Rig q;
  q.s().seg[SS].limit = 0x7FFF;
  q.s().seg[SS].hi = 0x7FFF;
  q.set(ESP, 0x8008);  // top slots above the limit
  q.w16(0x8006, 0x5555);
  q.code({0x60});
  FaultRecorder& f = q.watch();
  q.run();
  REQUIRE(f.seen);
  CHECK(f.vector == 12);
  CHECK(f.at_fault.reg32(ESP) == 0x8008);
  CHECK(f.at_fault.eip() == kCode);
  CHECK(f.writes_before_fault == 0);
  CHECK(q.r16(0x8006) == 0x5555);
}

TEST_CASE("ENTER with nesting level 3 copies two frame pointers (SDM ENTER, 16-bit)") {
  Rig r;
  r.set(EBP, 0x9000);
  r.w16(0x8FFE, 0xAAAA);
  r.w16(0x8FFC, 0xBBBB);
  r.code({0xC8, 0x08, 0x00, 0x03});  // enter 8,3
  REQUIRE(r.run());
  CHECK(r.r16(0x7FFE) == 0x9000);  // old BP
  CHECK(r.r16(0x7FFC) == 0xAAAA);
  CHECK(r.r16(0x7FFA) == 0xBBBB);
  CHECK(r.r16(0x7FF8) == 0x7FFE);  // frame pointer
  CHECK(r.reg(EBP) == 0x7FFE);
  CHECK(r.reg(ESP) == 0x7FF0);
}

TEST_CASE("ENTER with a 32-bit stack and operand size, level 2, then LEAVE") {
  Rig r;
  r.flat32();
  r.set(ESP, 0x20000);
  r.set(EBP, 0x30000);
  r.w32(0x2FFFC, 0xCCCCCCCC);
  r.code({0x66, 0xC8, 0x10, 0x00, 0x02});  // enter 16,2 (32-bit operand size)
  REQUIRE(r.run());
  CHECK(r.r32(0x1FFFC) == 0x30000);
  CHECK(r.r32(0x1FFF8) == 0xCCCCCCCC);
  CHECK(r.r32(0x1FFF4) == 0x1FFFC);
  CHECK(r.reg(EBP) == 0x1FFFC);
  CHECK(r.reg(ESP) == 0x1FFF4 - 16);


  Rig q;
  q.flat32();
  q.set(ESP, 0x20000);
  q.set(EBP, 0x30000);
  q.code({0x66, 0xC8, 0x10, 0x00, 0x02, 0x66, 0xC9});  // enter 16,2 ; leave (32-bit)
  REQUIRE(q.run());
  CHECK(q.reg(ESP) == 0x20000);
  CHECK(q.reg(EBP) == 0x30000);
}

TEST_CASE("ENTER 0,0 is push BP; mov BP,SP; LEAVE undoes it") {
  Rig r;
  r.set(EBP, 0x1234);
  r.code({0xC8, 0x00, 0x00, 0x00, 0xC9});
  REQUIRE(r.run());
  CHECK(r.reg(ESP) == 0x8000);
  CHECK(r.reg(EBP) == 0x1234);
  CHECK(r.r16(0x7FFE) == 0x1234);
}

TEST_CASE("POPF in real mode loads every defined FLAGS bit; bits 1, 3, 5, 15 stay fixed") {
  Rig r;
  r.w16(0x7FFE, 0xFEFF);  // all but TF (TF would trap after the next instruction)
  r.set(ESP, 0x7FFE);
  r.code({0x9D});
  REQUIRE(r.run());
  CHECK((r.s().eflags & 0xFFFF) == 0x7ED7);
}

TEST_CASE("POPFD never loads VM, RF, VIF or VIP; PUSHFD clears VM and RF in the image") {
  Rig r;
  r.w32(0x7FFC, 0xFFFFFEFF);  // all but TF
  r.set(ESP, 0x7FFC);
  r.code({0x66, 0x9D});
  REQUIRE(r.run());
  // CF PF AF ZF SF IF DF OF IOPL NT AC ID + fixed bit 1.
  CHECK(r.s().eflags == 0x00247ED7);

  Rig q;
  q.s().eflags = 0x00030202;  // RF and VM set in the live register (image must drop them)
  q.code({0x66, 0x9C});
  q.cpu->state_changed();
  // Run only PUSHFD: VM=1 would make the rig a v86 machine, so check the image directly.
  q.s().cr0 &= ~u64{cr0::PE};
  REQUIRE(q.run());
  CHECK(q.r32(0x7FFC) == 0x00000202);
}

TEST_CASE("POPF at CPL 3 with IOPL 0 changes neither IF nor IOPL (SDM POPF)") {
  Rig r;
  r.protected_flat32(3, 0);
  r.s().eflags |= flag::IF;
  r.w32(0x7FFC, 0x00003000 | flag::CF);  // try IOPL=3, IF=0
  r.set(ESP, 0x7FFC);
  r.code({0x9D});  // popfd (32-bit code)
  r.cpu->state_changed();
  REQUIRE(r.cpu->run(1) != core::ProcessorExit::Stopped);
  CHECK((r.s().eflags & flag::IF) != 0);
  CHECK((r.s().eflags & flag::IOPL) == 0);
  CHECK((r.s().eflags & flag::CF) != 0);
  CHECK(r.reg(ESP) == 0x8000);
}

TEST_CASE("POPF at CPL 3 with IOPL 3 changes IF but not IOPL") {
  Rig r;
  r.protected_flat32(3, 3);
  r.s().eflags |= flag::IF;
  r.w32(0x7FFC, 0x00000002);
  r.set(ESP, 0x7FFC);
  r.code({0x9D});
  r.cpu->state_changed();
  r.cpu->run(1);
  CHECK((r.s().eflags & flag::IF) == 0);
  CHECK((r.s().eflags & flag::IOPL) == flag::IOPL);
}

TEST_CASE("PUSHF/POPF in v86 mode with IOPL < 3 go through VIF when CR4.VME is set") {
  Rig r;
  r.s().cr0 |= cr0::PE;
  r.s().cr4 |= cr4::VME;
  r.s().cpl = 3;
  r.s().eflags = flag::kFixedOne | flag::VM | flag::IF | flag::VIF;  // IOPL 0
  r.w16(0x7FFE, 0x0001);  // pop: CF=1, IF=0 -> VIF=0, real IF untouched
  r.set(ESP, 0x7FFE);
  r.code({0x9D, 0x9C});  // popf ; pushf
  r.cpu->state_changed();
  r.cpu->run(2);
  CHECK((r.s().eflags & flag::IF) != 0);
  CHECK((r.s().eflags & flag::VIF) == 0);
  CHECK((r.s().eflags & flag::CF) != 0);
  // PUSHF image: IF shows VIF (0), IOPL reads as 3.
  CHECK(r.r16(0x7FFE) == (flag::kFixedOne | flag::CF | flag::IOPL));
}

TEST_CASE("ENTER whose final stack top is outside SS faults with #SS and writes nothing") {
  Rig r;
  r.s().seg[SS].limit = 0x7FFF;
  r.s().seg[SS].hi = 0x7FFF;
  r.set(ESP, 0x7FF0);
  r.set(EBP, 0x7FF8);
  r.code({0xC8, 0x00, 0x90, 0x02});  // enter 0x9000,2: SP 0x7FF0 - 4 - 0x9000 wraps to 0xEFEC
  FaultRecorder& f = r.watch();
  r.run();
  REQUIRE(f.seen);
  CHECK(f.vector == 12);
  CHECK(f.at_fault.reg32(ESP) == 0x7FF0);
  CHECK(f.at_fault.reg32(EBP) == 0x7FF8);
  CHECK(f.at_fault.eip() == kCode);
  CHECK(f.writes_before_fault == 0);
}
