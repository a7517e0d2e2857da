// Far CALL/JMP/RET: call gates with parameter copying (SDM Vol. 3A 5.8.5, Figure 5-13),
// conforming code (5.8.1.2), RET to an outer ring (5.8.6) and the real-mode forms (Vol. 2 CALL,
// RET, IRET). Frames are computed by hand from those descriptions; the rig is in pm_rig.h.
#include "pm_rig.h"

using namespace pm_test;
using pcjit::core::ProcessorExit;

TEST_CASE("CALL through a call gate from ring 3 copies two parameters to the ring-0 stack; RETF 8 returns") {
  Rig r;
  iret_to_ring3(r, 0x202);
  // ring 3: push 0x11; push 0x22; call 0x3B:0; int 0x80
  r.mem(kRing3Code, {0x6A, 0x11, 0x6A, 0x22, 0x9A, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x00, 0xCD, 0x80});
  r.gate(0x80, kCode0, handler(0x80), 0xE, 3);
  // ring 0 gate target: hlt; mov ax,0x10; mov ds,ax; retf 8
  r.mem(kGateTarget, {0xF4, 0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8, 0xCA, 0x08, 0x00});
  CHECK(r.run() == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.eip() == kGateTarget + 1);
  CHECK(s.cpl == 0);
  CHECK(s.seg[pcjit::cpu::CS].selector == kCode0);
  CHECK(s.seg[pcjit::cpu::SS].selector == kData0);
  CHECK(r.esp() == 0x9000 - 24);
  CHECK(r.stack(0) == kRing3Code + 11);  // return EIP
  CHECK(r.stack(1) == kCode3);
  CHECK(r.stack(2) == 0x22);  // parameters keep their order: [ESP+8] is the last one pushed
  CHECK(r.stack(3) == 0x11);
  CHECK(r.stack(4) == 0x8000 - 8);  // caller ESP
  CHECK(r.stack(5) == kData3);
  CHECK(r.r8(kGdt + kData0 + 5) == 0x93);  // Accessed set by the SS load

  CHECK(r.resume() == ProcessorExit::Halted);
  CHECK(r.halted_in(0x80));
  CHECK(r.stack(0) == kRing3Code + 13);
  CHECK(r.stack(1) == kCode3);
  CHECK(r.stack(3) == 0x8000);  // RETF 8 released the parameters from the ring-3 stack
  CHECK(r.stack(4) == kData3);
  CHECK(s.seg[pcjit::cpu::DS].selector == 0);  // RETF to ring 3 nulled the DPL-0 DS
  CHECK_FALSE(s.seg[pcjit::cpu::DS].valid);
}

// The gate's parameter count is 5 bits wide (Figure 5-8), so 31 is the most a CALL can copy. SDM
// Vol. 2 CALL, "MORE-PRIVILEGE": the new stack gets the caller's SS and ESP, then the parameters
// read from [old ESP + 4*(count-1)] down to [old ESP], then CS and EIP, so they keep their order
// (Vol. 3A Figure 5-13): [new ESP + 8 + 4k] = [old ESP + 4k].
TEST_CASE("CALL through a 32-bit call gate with 31 parameters copies every one to the ring-0 stack") {
  Rig r;
  iret_to_ring3(r, 0x202);
  constexpr unsigned kParams = 31;
  r.w32(kGdt + (kCallGate & ~7u) + 4, (kGateTarget & 0xFFFF0000u) | 0xEC00 | kParams);  // count field = 31
  auto param = [](unsigned i) { return 0xC0DE0000u | (i << 8) | i; };  // i-th one pushed
  // ring 3: push param(0) ... push param(30); call 0x3B:0; int 0x80
  u32 a = kRing3Code;
  for (unsigned i = 0; i < kParams; ++i) {
    r.m.memory().write(a++, 1, 0x68);
    r.w32(a, param(i));
    a += 4;
  }
  r.mem(a, {0x9A, 0x00, 0x00, 0x00, 0x00, 0x3B, 0x00, 0xCD, 0x80});
  const u32 return_eip = a + 7;
  r.mem(kGateTarget, {0xF4});
  CHECK(r.run() == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  REQUIRE(s.eip() == kGateTarget + 1);
  CHECK(s.cpl == 0);
  CHECK(r.esp() == 0x9000 - 4 * (kParams + 4));  // TSS ring-0 ESP less SS, ESP, 31, CS, EIP
  CHECK(r.stack(0) == return_eip);
  CHECK(r.stack(1) == kCode3);
  for (unsigned k = 0; k < kParams; ++k) {
    CAPTURE(k);
    CHECK(r.stack(2 + k) == param(kParams - 1 - k));  // [old ESP + 4k] is the (30-k)-th pushed
  }
  CHECK(r.stack(2 + kParams) == 0x8000 - 4 * kParams);  // caller ESP
  CHECK(r.stack(3 + kParams) == kData3);
  CHECK(r.r32(0x9000 - 4 * (kParams + 5)) == 0);  // nothing written below the frame
}

TEST_CASE("a far CALL to a conforming segment keeps CPL 3 and gives CS the caller's RPL") {
  Rig r;
  iret_to_ring3(r, 0x202);
  r.mem(kRing3Code, {0x9A, 0x00, 0x30, 0x02, 0x00, 0x60, 0x00});  // call 0x60:0x23000
  r.mem(0x23000, {0xCD, 0x80});
  r.gate(0x80, kCode0, handler(0x80), 0xE, 3);
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(0x80));
  CHECK(r.stack(0) == 0x23002);
  CHECK(r.stack(1) == (kConforming | 3));
  CHECK(r.stack(3) == 0x8000 - 8);
  CHECK(r.r32(0x8000 - 8) == kRing3Code + 7);
  CHECK(r.r32(0x8000 - 4) == kCode3);
}

TEST_CASE("a far JMP from ring 3 to a non-conforming ring-0 segment is #GP(selector)") {
  Rig r;
  iret_to_ring3(r, 0x202);
  r.mem(kRing3Code, {0xEA, 0x00, 0x10, 0x01, 0x00, 0x08, 0x00});
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(13));
  CHECK(r.stack(0) == kCode0);
  CHECK(r.stack(1) == kRing3Code);
}

TEST_CASE("RETF from ring 3 to a ring-0 selector is #GP(selector): RET never goes inward") {
  Rig r;
  iret_to_ring3(r, 0x202);
  // push 0x08; push 0x12345; retf
  r.mem(kRing3Code, {0x6A, 0x08, 0x68, 0x45, 0x23, 0x01, 0x00, 0xCB});
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(13));
  CHECK(r.stack(0) == kCode0);
  CHECK(r.stack(1) == kRing3Code + 7);
}

TEST_CASE("real mode: far CALL, RETF, INT and IRET") {
  Rig r;
  auto& s = r.cpu->state();
  s.cr0 &= ~pcjit::cpu::cr0::PE;
  s.idtr = {0, 0x3FF};
  s.set_reg32(pcjit::cpu::ESP, 0x7000);
  // 3000:0000 call 0x2000:0x0100; int 0x10; hlt
  r.mem(kPrologue, {0x9A, 0x00, 0x01, 0x00, 0x20, 0xCD, 0x10, 0xF4});
  r.mem(0x20100, {0xCB});  // retf
  r.mem(0x20200, {0xCF});  // iret
  r.w32(0x10 * 4, 0x20000200);  // IVT[0x10] = 2000:0200
  r.cpu->state_changed();
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(s.eip() == 8);
  CHECK(s.seg[pcjit::cpu::CS].selector == 0x3000);
  CHECK(s.reg32(pcjit::cpu::ESP) == 0x7000);
  // INT reused the slots the CALL's return address had: FLAGS 0x0002, CS 3000, IP 0007.
  CHECK(r.r32(0x6FFC) == 0x00023000);
  CHECK((r.r32(0x6FFA) & 0xFFFF) == 0x0007);
}
