// Branch family: Jcc conditions, CALL/RET with operand sizes, LOOP/JCXZ address sizes, the CS
// limit check before any commit, BOUND. Expectations are hand-computed from the SDM Vol. 2
// (Jcc, CALL, RET, LOOP, JCXZ, BOUND) and Vol. 1 Table B-1 (condition codes).
#include "ops_rig.h"

using namespace ops_test;
using namespace pcjit::cpu;

TEST_CASE("each Jcc condition follows SDM Table B-1") {
  struct Case { u8 cc; u32 flags; bool taken; };
  const Case cases[] = {
      {0x0, flag::OF, true},  {0x1, flag::OF, false}, {0x2, flag::CF, true},  {0x3, flag::CF, false},
      {0x4, flag::ZF, true},  {0x5, 0, true},         {0x6, flag::ZF, true},  {0x7, 0, true},
      {0x8, flag::SF, true},  {0x9, flag::SF, false}, {0xA, flag::PF, true},  {0xB, 0, true},
      {0xC, flag::SF, true},  {0xD, flag::SF | flag::OF, true}, {0xE, flag::ZF, true}, {0xF, flag::OF, false},
  };
  for (const Case& k : cases) {
    Rig r;
    // jcc +3 ; mov al,1 ; nop ; (target) hlt  -> AL = 1 only when not taken
    r.code({static_cast<u8>(0x70 | k.cc), 0x03, 0xB0, 0x01, 0x90});
    r.s().eflags = flag::kFixedOne | k.flags;
    CAPTURE(k.cc);
    REQUIRE(r.run());
    CHECK(((r.reg(EAX) & 0xFF) == 0) == k.taken);
  }
}

TEST_CASE("CALL rel16 pushes the return IP; RET imm16 pops it and releases the arguments") {
  Rig r;
  // 0x1000: call 0x1006 ; 0x1003: jmp 0x1009 ; 0x1005: nop ; 0x1006: ret 4 ; 0x1009: hlt
  r.mem(kCode, {0xE8, 0x03, 0x00, 0xEB, 0x04, 0x90, 0xC2, 0x04, 0x00});
  r.mem(kCode + 9, {0xF4});
  r.code_end = kCode + 10;
  r.set(ESP, 0x8000);
  REQUIRE(r.run());
  CHECK(r.r16(0x7FFE) == kCode + 3);
  CHECK(r.reg(ESP) == 0x8004);
}

TEST_CASE("a 32-bit CALL whose target is past the CS limit faults before pushing") {
  Rig r;
  r.code({0x66, 0xE8, 0x00, 0x00, 0x01, 0x00});  // call dword +0x10000 -> past 0xFFFF
  r.run();
  CHECK(r.faulted_with(13));
  CHECK(r.pushed_ip() == kCode);
  CHECK(r.reg(ESP) == 0x8000 - 6);  // only the exception frame was pushed
}

TEST_CASE("a 16-bit JMP wraps the target to 16 bits") {
  Rig r;
  r.cpu->load_real_segment(CS, 0);
  // At 0xFFF0: jmp near +0x1010 -> (0xFFF3 + 0x1010) & 0xFFFF = 0x1003
  r.mem(0xFFF0, {0xE9, 0x10, 0x10});
  r.mem(0x1003, {0xF4});
  r.s().rip = 0xFFF0;
  r.code_end = 0x1004;
  REQUIRE(r.run());
}

TEST_CASE("CALL Ev and JMP Ev take the target from a register or memory") {
  Rig r;
  r.set(EBX, kCode + 6);
  // call bx -> 0x1006: jmp [0x2000] -> 0x100A: hlt
  r.mem(kCode, {0xFF, 0xD3, 0xF4, 0x90, 0x90, 0x90, 0xFF, 0x26, 0x00, 0x20});
  r.w16(0x2000, kCode + 10);
  r.mem(kCode + 10, {0xF4});
  r.code_end = kCode + 11;
  REQUIRE(r.run());
  CHECK(r.r16(0x7FFE) == kCode + 2);
}

TEST_CASE("LOOP uses CX or ECX by address size; JECXZ tests ECX") {
  Rig r;
  r.set(ECX, 0x00010000);
  // a16 loop: CX 0 -> 0xFFFF (taken, upper ECX kept)
  r.code({0xE2, 0x01, 0xF4});
  r.code_end = kCode + 4;
  REQUIRE(r.run());
  CHECK(r.reg(ECX) == 0x0001FFFF);

  Rig q;
  q.set(ECX, 0x00010000);
  q.code({0x67, 0xE2, 0x00});  // a32 loop: ECX 0x10000 -> 0xFFFF, taken to the next insn
  REQUIRE(q.run());
  CHECK(q.reg(ECX) == 0x0000FFFF);

  Rig w;
  w.set(ECX, 0x00010000);
  // jcxz +1 (taken: CX=0) ; hlt ; (target) a32 jecxz +1 (not taken) ; hlt
  w.code({0xE3, 0x01, 0xF4, 0x67, 0xE3, 0x01});
  REQUIRE(w.run());
}

TEST_CASE("LOOPE and LOOPNE also test ZF") {
  Rig r;
  r.set(ECX, 5);
  r.code({0xE1, 0xFE});  // loope $ with ZF=0: one decrement, not taken
  REQUIRE(r.run());
  CHECK(r.reg(ECX) == 4);

  Rig q;
  q.set(ECX, 5);
  q.code({0xE0, 0xFE});  // loopne $ with ZF=0: spins until CX=0
  REQUIRE(q.run());
  CHECK(q.reg(ECX) == 0);
}

TEST_CASE("BOUND passes inside the signed range and raises #BR outside (SDM BOUND)") {
  Rig r;
  r.w16(0x2000, 0xFFF0);  // lower = -16
  r.w16(0x2002, 0x0010);  // upper = 16
  r.set(EAX, 0xFFF5);     // -11
  r.code({0x62, 0x06, 0x00, 0x20});
  REQUIRE(r.run());

  Rig q;
  q.w16(0x2000, 0xFFF0);
  q.w16(0x2002, 0x0010);
  q.set(EAX, 0x0011);
  q.code({0x62, 0x06, 0x00, 0x20});
  q.run();
  CHECK(q.faulted_with(5));
  CHECK(q.pushed_ip() == kCode);  // #BR is a fault
}
