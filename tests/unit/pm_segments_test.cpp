// Protected-mode segment loads and the I/O permission bitmap. Expected caches, error codes and
// frames follow SDM Vol. 3A 3.4.5.1 (expand-down limits), Vol. 2 "MOV" (load checks),
// Vol. 1 18.5.2 (I/O bitmap) and 6.13 (error codes); the rig is described in pm_rig.h.
#include "pm_rig.h"

using namespace pm_test;
using pcjit::core::ProcessorExit;

TEST_CASE("an expand-down 16-bit data segment is valid from limit+1 to 0xFFFF and gets its Accessed bit") {
  Rig r;
  // mov ax,0x48; mov es,ax; then an ES access below and one at the bottom of the valid range.
  r.mem(kRing0Code, {0x66, 0xB8, 0x48, 0x00, 0x8E, 0xC0});
  SUBCASE("offset 0x800 is below the range: #GP(0) at the access") {
    r.mem(kRing0Code + 6, {0x26, 0xA1, 0x00, 0x08, 0x00, 0x00});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.esp() == 0x7000 - 16);
    CHECK(r.stack(0) == 0);  // error code
    CHECK(r.stack(1) == kRing0Code + 6);
    CHECK(r.stack(2) == kCode0);
  }
  SUBCASE("offset 0x1000 is the first valid byte") {
    r.mem(kRing0Code + 6, {0x26, 0xA1, 0x00, 0x10, 0x00, 0x00, 0xF4});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.cpu->state().eip() == kRing0Code + 13);
  }
  const auto& es = r.cpu->state().seg[pcjit::cpu::ES];
  CHECK(es.selector == kExpandDown);
  CHECK(es.lo == 0x1000);
  CHECK(es.hi == 0xFFFF);
  CHECK(es.limit == 0xFFF);
  CHECK(es.writable);
  CHECK(r.r8(kGdt + kExpandDown + 5) == 0x97);  // access byte 0x96 | Accessed
}

TEST_CASE("protected-mode segment loads fault with the SDM's vectors and selector error codes") {
  Rig r;
  SUBCASE("a null DS loads, and the first access through it is #GP(0)") {
    r.mem(kRing0Code, {0x31, 0xC0, 0x8E, 0xD8, 0xA1, 0x00, 0x00, 0x00, 0x00});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(0) == 0);
    CHECK(r.stack(1) == kRing0Code + 4);
  }
  SUBCASE("a null SS is #GP(0) at the MOV") {
    r.mem(kRing0Code, {0x31, 0xC0, 0x8E, 0xD0});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(0) == 0);
    CHECK(r.stack(1) == kRing0Code + 2);
    CHECK(r.cpu->state().seg[pcjit::cpu::SS].selector == kData0);
  }
  SUBCASE("a not-present data segment is #NP(selector)") {
    r.mem(kRing0Code, {0x66, 0xB8, 0x50, 0x00, 0x8E, 0xD8});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(11));
    CHECK(r.stack(0) == kNotPresent);
    CHECK(r.stack(1) == kRing0Code + 4);
  }
  SUBCASE("SS with RPL 3 at CPL 0 is #GP(selector without RPL)") {
    r.mem(kRing0Code, {0x66, 0xB8, 0x23, 0x00, 0x8E, 0xD0});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(0) == 0x20);
  }
  SUBCASE("ring 3 loading a DPL-0 data segment is #GP(selector)") {
    iret_to_ring3(r, 0x202);
    r.mem(kRing3Code, {0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.esp() == 0x9000 - 24);  // err, EIP, CS, EFLAGS, ESP, SS on the TSS ring-0 stack
    CHECK(r.stack(0) == kData0);
    CHECK(r.stack(1) == kRing3Code + 4);
  }
}

TEST_CASE("the TSS I/O bitmap decides IN/OUT at CPL > IOPL") {
  Rig r;
  iret_to_ring3(r, 0x202);  // IOPL 0
  r.mem(kTssABase + 0x68 + 0x10, {0x02});  // ports 0x80..0x87: only 0x81 denied
  SUBCASE("port 0x80 is allowed, port 0x81 is #GP(0)") {
    r.mem(kRing3Code, {0xE4, 0x80, 0xE4, 0x81});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(0) == 0);
    CHECK(r.stack(1) == kRing3Code + 2);
  }
  SUBCASE("a 16-bit access at 0x80 covers 0x81 and is denied") {
    r.mem(kRing3Code, {0x66, 0xE5, 0x80});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(1) == kRing3Code);
  }
  SUBCASE("bitmap bits beyond the TSS limit count as set") {
    // mov dx,0x100; in al,dx   (bitmap byte 0x20 lies at TSS offset 0x88 = limit; 2 bytes needed)
    r.mem(kRing3Code, {0x66, 0xBA, 0x00, 0x01, 0xEC});
    CHECK(r.run() == ProcessorExit::Halted);
    CHECK(r.halted_in(13));
    CHECK(r.stack(1) == kRing3Code + 4);
  }
}

TEST_CASE("a far JMP past the target code segment's limit is #GP(0) with nothing changed") {
  Rig r;
  r.mem(kRing0Code, {0xEA, 0x45, 0x23, 0x01, 0x00, 0x58, 0x00});  // jmp 0x58:0x12345 (limit 0xFFFF)
  CHECK(r.run() == ProcessorExit::Halted);
  CHECK(r.halted_in(13));
  CHECK(r.stack(0) == 0);
  CHECK(r.stack(1) == kRing0Code);
  CHECK(r.stack(2) == kCode0);
}
