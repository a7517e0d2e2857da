// Debug-register breakpoints (SDM Vol. 3A 17.2 and 17.3.1): data breakpoints are traps taken
// after the accessing instruction, with DR6.Bn naming the breakpoint and the pushed IP pointing at
// the next instruction; execution breakpoints are faults taken before the instruction.
#include "ops_rig.h"

using ops_test::Rig;
using namespace pcjit;

namespace {
// DR7 for breakpoint 0 enabled locally (L0) with R/W and LEN fields (17.2.4, Figure 17-1).
constexpr u32 dr7_bp0(u32 rw, u32 len) { return 1u | (rw << 16) | (len << 18) | 0x400u; }
}  // namespace

TEST_CASE("a write breakpoint traps after the store with DR6.B0 and IP at the next instruction") {
  Rig r;
  // mov [0x2002], ax (A3 02 20) ; nop ; nop
  r.code({0xA3, 0x02, 0x20, 0x90, 0x90});
  r.s().dr[0] = 0x2000;
  r.s().dr[7] = dr7_bp0(/*write*/ 1, /*4 bytes*/ 3);
  r.set(cpu::EAX, 0xBEEF);
  r.run();
  CHECK(r.faulted_with(1));
  CHECK(r.r16(0x2002) == 0xBEEF);           // a trap: the store completed
  CHECK(r.pushed_ip() == 0x1003);           // IP of the instruction after the store
  CHECK((r.s().dr[6] & 0xF) == 0x1);        // B0
  CHECK((r.s().dr[6] & (1u << 14)) == 0);   // not a single step
}

TEST_CASE("a write breakpoint ignores reads; a read/write breakpoint catches them") {
  Rig r;
  r.code({0xA1, 0x00, 0x20, 0x90});  // mov ax, [0x2000]
  r.s().dr[0] = 0x2000;
  r.s().dr[7] = dr7_bp0(1, 0);
  CHECK(r.run());  // R/W = 01 breaks on writes only

  Rig rw;
  rw.code({0xA1, 0x00, 0x20, 0x90});
  rw.s().dr[0] = 0x2001;  // inside the word read
  rw.s().dr[7] = dr7_bp0(/*read or write*/ 3, /*1 byte*/ 0);
  rw.run();
  CHECK(rw.faulted_with(1));
  CHECK(rw.pushed_ip() == 0x1003);
}

TEST_CASE("an access next to the watched bytes does not trigger the breakpoint") {
  Rig r;
  r.code({0xA3, 0x04, 0x20, 0x90});  // mov [0x2004], ax: just past a 4-byte breakpoint at 0x2000
  r.s().dr[0] = 0x2000;
  r.s().dr[7] = dr7_bp0(1, 3);
  CHECK(r.run());
}

TEST_CASE("an execution breakpoint faults before the instruction runs") {
  Rig r;
  r.code({0x40, 0x40, 0x40});  // inc ax x3
  r.s().dr[0] = 0x1001;        // linear address of the second INC (CS base 0)
  r.s().dr[7] = dr7_bp0(/*execute*/ 0, 0);
  r.set(cpu::EAX, 0);
  r.run();
  CHECK(r.faulted_with(1));
  CHECK(r.reg(cpu::EAX) == 1);      // only the first INC ran
  CHECK(r.pushed_ip() == 0x1001);   // a fault: IP of the breakpointed instruction
  CHECK((r.s().dr[6] & 0xF) == 0x1);
}
