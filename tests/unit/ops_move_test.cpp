// Move family: MOVZX/MOVSX, XCHG, CMPXCHG, XADD, CMPXCHG8B, CMOVcc, LEA, CBW..CDQ, XLAT, far
// pointer loads, MOV Sreg. 32-bit forms run in 16-bit code through the 66/67 prefixes.
// Expectations are computed by hand from the SDM Vol. 2 operation sections of each instruction.
#include "ops_rig.h"

using namespace ops_test;
using namespace pcjit::cpu;

TEST_CASE("MOVZX and MOVSX extend bytes and words to the operand size (SDM MOVZX, MOVSX)") {
  Rig r;
  r.set(EBX, 0x1234C3F0);
  r.set(EAX, 0xDEADBEEF);
  r.set(ECX, 0xDEADBEEF);
  r.set(EDX, 0xDEADBEEF);
  r.set(ESI, 0xDEADBEEF);
  // movzx eax,bl ; movsx ecx,bl ; movsx edx,bx ; movzx si,bl (16-bit: upper ESI kept)
  r.code({0x66, 0x0F, 0xB6, 0xC3, 0x66, 0x0F, 0xBE, 0xCB, 0x66, 0x0F, 0xBF, 0xD3, 0x0F, 0xB6, 0xF3});
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0x000000F0);
  CHECK(r.reg(ECX) == 0xFFFFFFF0);
  CHECK(r.reg(EDX) == 0xFFFFC3F0);
  CHECK(r.reg(ESI) == 0xDEAD00F0);
}

TEST_CASE("MOVSX from memory reads the source width, not the operand width") {
  Rig r;
  r.w16(0x2000, 0x8001);
  r.w16(0x2002, 0x7777);
  r.code({0x66, 0x0F, 0xBF, 0x06, 0x00, 0x20});  // movsx eax, word [0x2000]
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0xFFFF8001);
}

TEST_CASE("CMPXCHG stores the source when the accumulator matches and loads it otherwise") {
  Rig r;
  r.w32(0x2000, 0x11223344);
  r.set(EAX, 0x11223344);
  r.set(ECX, 0xCAFEBABE);
  r.code({0x66, 0x0F, 0xB1, 0x0E, 0x00, 0x20});  // cmpxchg [0x2000], ecx
  REQUIRE(r.run());
  CHECK(r.r32(0x2000) == 0xCAFEBABE);
  CHECK(r.reg(EAX) == 0x11223344);
  CHECK((r.s().eflags & flag::ZF) != 0);

  Rig q;
  q.w32(0x2000, 0x00000005);
  q.set(EAX, 0x00000007);
  q.set(ECX, 0xCAFEBABE);
  q.code({0x66, 0x0F, 0xB1, 0x0E, 0x00, 0x20});
  REQUIRE(q.run());
  CHECK(q.r32(0x2000) == 5);
  CHECK(q.reg(EAX) == 5);
  // Flags of CMP 7,5: result 2, no borrow, ZF=0, PF=0 (one bit set), SF=0.
  CHECK((q.s().eflags & (flag::ZF | flag::CF | flag::SF | flag::OF)) == 0);
}

TEST_CASE("CMPXCHG byte form compares AL and sets CF on borrow") {
  Rig r;
  r.set(EAX, 0x01);
  r.set(EBX, 0x02);  // BL = destination
  r.set(ECX, 0x55);
  r.code({0x0F, 0xB0, 0xCB});  // cmpxchg bl, cl
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0x02);  // AL <- BL (not equal)
  CHECK((r.reg(EBX) & 0xFF) == 0x02);
  CHECK((r.s().eflags & flag::CF) != 0);  // 1 - 2 borrows
  CHECK((r.s().eflags & flag::SF) != 0);
}

TEST_CASE("XADD exchanges then adds, with ADD flags (SDM XADD)") {
  Rig r;
  r.set(EAX, 0xFFFFFFFF);
  r.set(EBX, 0x00000001);
  r.code({0x66, 0x0F, 0xC1, 0xD8});  // xadd eax, ebx
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0);
  CHECK(r.reg(EBX) == 0xFFFFFFFF);
  const u32 f = r.s().eflags;
  CHECK((f & flag::CF) != 0);
  CHECK((f & flag::ZF) != 0);
  CHECK((f & flag::AF) != 0);
  CHECK((f & flag::PF) != 0);
  CHECK((f & flag::OF) == 0);
}

TEST_CASE("XADD to memory leaves the old memory value in the register") {
  Rig r;
  r.w16(0x2000, 0x7FFF);
  r.set(ECX, 0x0001);
  r.code({0xF0, 0x0F, 0xC1, 0x0E, 0x00, 0x20});  // lock xadd [0x2000], cx
  REQUIRE(r.run());
  CHECK(r.r16(0x2000) == 0x8000);
  CHECK((r.reg(ECX) & 0xFFFF) == 0x7FFF);
  CHECK((r.s().eflags & flag::OF) != 0);
  CHECK((r.s().eflags & flag::SF) != 0);
}

TEST_CASE("CMPXCHG8B swaps on a match and loads EDX:EAX otherwise; only ZF changes") {
  Rig r;
  r.w32(0x2000, 0x89ABCDEF);
  r.w32(0x2004, 0x01234567);
  r.set(EAX, 0x89ABCDEF);
  r.set(EDX, 0x01234567);
  r.set(EBX, 0xAAAAAAAA);
  r.set(ECX, 0xBBBBBBBB);
  r.s().eflags |= flag::CF;
  r.code({0x0F, 0xC7, 0x0E, 0x00, 0x20});  // cmpxchg8b [0x2000]
  REQUIRE(r.run());
  CHECK(r.r32(0x2000) == 0xAAAAAAAA);
  CHECK(r.r32(0x2004) == 0xBBBBBBBB);
  CHECK((r.s().eflags & flag::ZF) != 0);
  CHECK((r.s().eflags & flag::CF) != 0);

  Rig q;
  q.w32(0x2000, 0x89ABCDEF);
  q.w32(0x2004, 0x01234567);
  q.set(EAX, 1);
  q.set(EDX, 2);
  q.s().eflags |= flag::ZF;
  q.code({0xF0, 0x0F, 0xC7, 0x0E, 0x00, 0x20});  // lock cmpxchg8b [0x2000]
  REQUIRE(q.run());
  CHECK(q.reg(EAX) == 0x89ABCDEF);
  CHECK(q.reg(EDX) == 0x01234567);
  CHECK(q.r32(0x2000) == 0x89ABCDEF);
  CHECK((q.s().eflags & flag::ZF) == 0);
}

TEST_CASE("CMPXCHG8B with a register operand is #UD") {
  Rig r;
  r.code({0x0F, 0xC7, 0xC8});
  r.run();
  CHECK(r.faulted_with(6));
}

TEST_CASE("XCHG swaps register with register and with memory") {
  Rig r;
  r.set(EAX, 0x11111111);
  r.set(EBX, 0x22222222);
  r.w16(0x2000, 0xBEEF);
  r.set(ECX, 0x12345678);
  r.code({0x66, 0x93, 0x87, 0x0E, 0x00, 0x20});  // xchg eax,ebx ; xchg [0x2000],cx
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0x22222222);
  CHECK(r.reg(EBX) == 0x11111111);
  CHECK(r.reg(ECX) == 0x1234BEEF);
  CHECK(r.r16(0x2000) == 0x5678);
}

TEST_CASE("CMOVcc moves only when the condition holds") {
  Rig r;
  r.set(EAX, 0x1111);
  r.set(EBX, 0x2222);
  r.set(ECX, 0x3333);
  r.s().eflags |= flag::ZF;
  r.code({0x0F, 0x44, 0xC3, 0x0F, 0x45, 0xCB});  // cmove ax,bx ; cmovne cx,bx
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0x2222);
  CHECK(r.reg(ECX) == 0x3333);
}

TEST_CASE("CMOVcc reads its memory source even when the condition is false (P6, SDM CMOVcc)") {
  Rig r;
  r.code({0x0F, 0x44, 0x06, 0xFF, 0xFF});  // cmove ax,[0xFFFF] with ZF=0: word crosses the limit
  r.run();
  CHECK(r.faulted_with(13));
  CHECK(r.pushed_ip() == kCode);
}

TEST_CASE("LEA truncates or zero-extends the address to the operand size") {
  Rig r;
  r.set(EBX, 0xFFFF);
  r.set(ESI, 0x0002);
  r.set(EDX, 0x00012345);
  r.set(EDI, 0x00010001);
  // lea eax,[bx+si] (16-bit address wraps to 1, zero-extended) ; lea cx,[edx+edi] (low 16 bits)
  r.code({0x66, 0x8D, 0x00, 0x67, 0x8D, 0x0C, 0x3A});
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0x00000001);
  CHECK((r.reg(ECX) & 0xFFFF) == 0x2346);
}

TEST_CASE("CBW, CWDE, CWD and CDQ sign-extend the accumulator") {
  Rig r;
  r.set(EAX, 0x12340080);
  r.code({0x98});  // cbw
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0x1234FF80);

  Rig q;
  q.set(EAX, 0x00008000);
  q.set(EDX, 0x12345678);
  q.code({0x66, 0x98, 0x66, 0x99});  // cwde ; cdq
  REQUIRE(q.run());
  CHECK(q.reg(EAX) == 0xFFFF8000);
  CHECK(q.reg(EDX) == 0xFFFFFFFF);

  Rig w;
  w.set(EAX, 0x7FFF);
  w.set(EDX, 0xABCD1234);
  w.code({0x99});  // cwd
  REQUIRE(w.run());
  CHECK(w.reg(EDX) == 0xABCD0000);
}

TEST_CASE("XLAT reads DS:[BX+AL] and honours a segment override") {
  Rig r;
  r.w8(0x2005, 0x42);
  r.w8(0x12005, 0x99);
  r.set(EBX, 0x2000);
  r.set(EAX, 0x05);
  r.code({0xD7});
  REQUIRE(r.run());
  CHECK((r.reg(EAX) & 0xFF) == 0x42);

  Rig q;
  q.w8(0x12005, 0x99);
  q.set(EBX, 0x2000);
  q.set(EAX, 0x05);
  q.cpu->load_real_segment(ES, 0x1000);
  q.code({0x26, 0xD7});  // es xlat
  REQUIRE(q.run());
  CHECK((q.reg(EAX) & 0xFF) == 0x99);
}

TEST_CASE("LDS and LSS load offset and selector; the register form is #UD") {
  Rig r;
  r.w16(0x2000, 0x1234);
  r.w16(0x2002, 0x0300);
  r.w32(0x5010, 0x00009000);  // DS base is 0x3000 once LDS ran
  r.w16(0x5014, 0x0040);
  r.code({0xC5, 0x36, 0x00, 0x20, 0x66, 0x0F, 0xB2, 0x26, 0x10, 0x20});  // lds si,[0x2000]; lss esp,[0x2010]
  REQUIRE(r.run());
  CHECK(r.reg(ESI) == 0x1234);
  CHECK(r.s().seg[DS].selector == 0x0300);
  CHECK(r.s().seg[DS].base == 0x3000);
  CHECK(r.reg(ESP) == 0x9000);
  CHECK(r.s().seg[SS].base == 0x400);

  Rig q;
  q.code({0x0F, 0xB2, 0xC0});
  q.run();
  CHECK(q.faulted_with(6));
}

TEST_CASE("MOV to CS is #UD; MOV Sreg moves selectors both ways") {
  Rig r;
  r.code({0x8E, 0xC8});
  r.run();
  CHECK(r.faulted_with(6));

  Rig q;
  q.set(EAX, 0x0123);
  q.set(EBX, 0xFFFFFFFF);
  // mov es,ax ; mov ebx,es (zero-extended on P6) ; mov [0x2000],es
  q.code({0x8E, 0xC0, 0x66, 0x8C, 0xC3, 0x8C, 0x06, 0x00, 0x20});
  REQUIRE(q.run());
  CHECK(q.s().seg[ES].base == 0x1230);
  CHECK(q.reg(EBX) == 0x0123);
  CHECK(q.r16(0x2000) == 0x0123);
}

TEST_CASE("MOV moffs and MOV r,imm forms") {
  Rig r;
  r.w32(0x2000, 0xA1B2C3D4);
  r.code({0x66, 0xA1, 0x00, 0x20, 0xA2, 0x10, 0x20, 0xB4, 0x77, 0x66, 0xBF, 0x78, 0x56, 0x34, 0x12,
          0xC6, 0x06, 0x20, 0x20, 0x5A});
  // mov eax,[0x2000] ; mov [0x2010],al ; mov ah,0x77 ; mov edi,0x12345678 ; mov byte [0x2020],0x5A
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0xA1B277D4);
  CHECK(r.r8(0x2010) == 0xD4);
  CHECK(r.reg(EDI) == 0x12345678);
  CHECK(r.r8(0x2020) == 0x5A);
}
