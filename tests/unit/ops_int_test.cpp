// 32-bit forms of the integer families that the 80286 vectors cannot reach (SHLD/SHRD, BSF/BSR,
// BT with bit-string offsets, 32-bit MUL/IMUL/DIV/IDIV, BSWAP, SETcc, RCL count masking).
// Truth: every expected value is worked out by hand from the SDM Vol. 2 pseudocode of the
// instruction, as noted next to each check. Code runs in real mode with 66h prefixes.
#include <doctest/doctest.h>

#include <initializer_list>
#include <memory>
#include <vector>

#include "core/machine.h"
#include "cpu/cpu.h"

using namespace pcjit;
using cpu::flag::CF;
using cpu::flag::OF;
using cpu::flag::PF;
using cpu::flag::SF;
using cpu::flag::ZF;

namespace {

// A real-mode machine with code at 0000:1000, stack at 0000:8000 and a #DE handler (HLT at 3000).
struct Rig {
  core::Machine m{core::MachineConfig{}};
  cpu::Cpu* cpu = nullptr;

  Rig() {
    auto owner = std::make_unique<cpu::Cpu>(m);
    cpu = owner.get();
    m.set_processor(std::move(owner));
    const u8 ivt0[] = {0x00, 0x30, 0x00, 0x00};  // vector 0 -> 0000:3000
    m.memory().load_bytes(0, ivt0);
    const u8 hlt[] = {0xF4};
    m.memory().load_bytes(0x3000, hlt);
  }
  cpu::CpuState& s() { return cpu->state(); }
  u32 r32(cpu::Reg r) { return static_cast<u32>(s().gpr[r]); }
  u8 byte(u32 addr) {
    u8 v = 0;
    m.memory().read_bytes(addr, std::span<u8>(&v, 1));
    return v;
  }

  // Runs the bytes followed by HLT; returns true if it halted.
  bool run(std::initializer_list<u8> code) {
    std::vector<u8> bytes(code);
    bytes.push_back(0xF4);
    m.memory().write_bytes(0x1000, bytes);  // notifies the block cache of the new code
    for (cpu::SegReg sr : {cpu::CS, cpu::SS, cpu::DS, cpu::ES}) cpu->load_real_segment(sr, 0);
    s().rip = 0x1000;
    s().halted = false;  // the previous run ended in HLT
    s().gpr[cpu::ESP] = 0x8000;
    cpu->state_changed();
    return cpu->run(100) == core::ProcessorExit::Halted;
  }
};

}  // namespace

TEST_CASE("SHLD r32,r32,imm8 shifts in the source's high bits; CF is the last bit out of the destination") {
  Rig r;
  r.s().gpr[cpu::EAX] = 0x12345678;
  r.s().gpr[cpu::EBX] = 0x9ABCDEF0;
  REQUIRE(r.run({0x66, 0x0F, 0xA4, 0xD8, 0x08}));  // shld eax, ebx, 8
  CHECK(r.r32(cpu::EAX) == 0x3456789A);             // (eax << 8) | (ebx >> 24)
  CHECK((r.s().eflags & CF) == 0);                   // bit 24 of 0x12345678 is 0
  CHECK((r.s().eflags & PF) == PF);                  // 0x9A has four bits set
  CHECK((r.s().eflags & (SF | ZF)) == 0);
}

TEST_CASE("SHRD r32,r32,imm8 shifts in the source's low bits; CF is bit count-1 of the destination") {
  Rig r;
  r.s().gpr[cpu::EAX] = 0x12345678;
  r.s().gpr[cpu::EBX] = 0x9ABCDEF5;
  REQUIRE(r.run({0x66, 0x0F, 0xAC, 0xD8, 0x04}));  // shrd eax, ebx, 4
  CHECK(r.r32(cpu::EAX) == 0x51234567);             // (ebx << 28) | (eax >> 4)
  CHECK((r.s().eflags & CF) == CF);                  // bit 3 of 0x78 is 1
  CHECK((r.s().eflags & SF) == 0);
  CHECK((r.s().eflags & PF) == 0);                   // 0x67 has five bits set
}

TEST_CASE("SHRD by 1 sets OF when the sign changes, and a count of 0 changes nothing") {
  Rig r;
  r.s().gpr[cpu::EAX] = 1;
  r.s().gpr[cpu::EBX] = 1;
  r.s().gpr[cpu::ECX] = 0x20;  // CL & 31 == 0 for the second instruction
  REQUIRE(r.run({0x66, 0x0F, 0xAC, 0xD8, 0x01,    // shrd eax, ebx, 1
                 0x66, 0x0F, 0xAD, 0xD8}));        // shrd eax, ebx, cl (masked count 0)
  CHECK(r.r32(cpu::EAX) == 0x80000000);
  CHECK((r.s().eflags & (CF | OF | SF)) == (CF | OF | SF));
}

TEST_CASE("BSF and BSR find the lowest and highest set bit; a zero source sets ZF and keeps the destination") {
  Rig r;
  r.s().gpr[cpu::EBX] = 0x00F00000;
  r.s().gpr[cpu::EDX] = 0;
  r.s().gpr[cpu::ESI] = 0xDEADBEEF;
  REQUIRE(r.run({0x66, 0x0F, 0xBC, 0xC3,     // bsf eax, ebx
                 0x66, 0x0F, 0xBD, 0xCB}));  // bsr ecx, ebx
  CHECK(r.r32(cpu::EAX) == 20);
  CHECK(r.r32(cpu::ECX) == 23);
  CHECK((r.s().eflags & ZF) == 0);
  REQUIRE(r.run({0x66, 0x0F, 0xBC, 0xF2}));  // bsf esi, edx (edx == 0)
  CHECK(r.r32(cpu::ESI) == 0xDEADBEEF);
  CHECK((r.s().eflags & ZF) == ZF);
}

TEST_CASE("BT with a negative 32-bit register offset addresses the dword before the operand") {
  Rig r;
  const u8 byte80[] = {0x80};
  r.m.memory().load_bytes(0x2003, byte80);
  r.s().gpr[cpu::EBX] = 0x2008;
  r.s().gpr[cpu::EAX] = 0xFFFFFFDF;  // -33: dword at EA + 4*(-33 SAR 5) = EA-8, bit 31
  REQUIRE(r.run({0x66, 0x0F, 0xA3, 0x07}));  // bt [bx], eax
  CHECK((r.s().eflags & CF) == CF);           // bit 31 of the dword at 0x2000 = bit 7 of 0x2003
}

TEST_CASE("BTS with a large register offset sets a bit beyond the operand and reports the old bit in CF") {
  Rig r;
  r.s().gpr[cpu::EBX] = 0x2008;
  r.s().gpr[cpu::EAX] = 100;  // dword at EA + 4*3 = 0x2014, bit 4
  r.s().eflags |= CF;
  REQUIRE(r.run({0x66, 0x0F, 0xAB, 0x07}));  // bts [bx], eax
  CHECK(r.byte(0x2014) == 0x10);
  CHECK(r.byte(0x2008) == 0x00);
  CHECK((r.s().eflags & CF) == 0);
}

TEST_CASE("BTC r32,imm8 takes the immediate modulo 32") {
  Rig r;
  r.s().gpr[cpu::EDX] = 0x00000001;
  REQUIRE(r.run({0x66, 0x0F, 0xBA, 0xFA, 0x20}));  // btc edx, 32 -> bit 0
  CHECK(r.r32(cpu::EDX) == 0);
  CHECK((r.s().eflags & CF) == CF);
}

TEST_CASE("IMUL r32,r/m32 truncates and sets CF=OF only when the product does not fit") {
  Rig r;
  r.s().gpr[cpu::EAX] = 0x10000;
  r.s().gpr[cpu::EBX] = 0x10000;
  r.s().gpr[cpu::ECX] = static_cast<u32>(-3);
  r.s().gpr[cpu::EDX] = 5;
  REQUIRE(r.run({0x66, 0x0F, 0xAF, 0xC3}));  // imul eax, ebx: 2^32
  CHECK(r.r32(cpu::EAX) == 0);
  CHECK((r.s().eflags & (CF | OF)) == (CF | OF));
  REQUIRE(r.run({0x66, 0x0F, 0xAF, 0xCA}));  // imul ecx, edx: -15
  CHECK(r.r32(cpu::ECX) == 0xFFFFFFF1);
  CHECK((r.s().eflags & (CF | OF)) == 0);
}

TEST_CASE("IMUL r32,r/m32,imm8 sign-extends the byte immediate") {
  Rig r;
  r.s().gpr[cpu::EBX] = 7;
  REQUIRE(r.run({0x66, 0x6B, 0xC3, 0xFE}));  // imul eax, ebx, -2
  CHECK(r.r32(cpu::EAX) == static_cast<u32>(-14));
  CHECK((r.s().eflags & (CF | OF)) == 0);
}

TEST_CASE("one-operand MUL and IMUL r/m32 write EDX:EAX") {
  Rig r;
  r.s().gpr[cpu::EAX] = 0xFFFFFFFF;
  r.s().gpr[cpu::EBX] = 0xFFFFFFFF;
  REQUIRE(r.run({0x66, 0xF7, 0xE3}));  // mul ebx
  CHECK(r.r32(cpu::EDX) == 0xFFFFFFFE);
  CHECK(r.r32(cpu::EAX) == 0x00000001);
  CHECK((r.s().eflags & (CF | OF)) == (CF | OF));
  r.s().gpr[cpu::EAX] = 0x80000000;  // -2^31
  r.s().gpr[cpu::EBX] = 2;
  REQUIRE(r.run({0x66, 0xF7, 0xEB}));  // imul ebx: -2^32
  CHECK(r.r32(cpu::EDX) == 0xFFFFFFFF);
  CHECK(r.r32(cpu::EAX) == 0x00000000);
  CHECK((r.s().eflags & (CF | OF)) == (CF | OF));
}

TEST_CASE("IDIV r/m32 truncates toward zero and the remainder takes the dividend's sign") {
  Rig r;
  r.s().gpr[cpu::EDX] = 0xFFFFFFFF;
  r.s().gpr[cpu::EAX] = 0xFFFFFFF9;  // -7
  r.s().gpr[cpu::EBX] = 2;
  REQUIRE(r.run({0x66, 0xF7, 0xFB}));  // idiv ebx
  CHECK(r.r32(cpu::EAX) == static_cast<u32>(-3));
  CHECK(r.r32(cpu::EDX) == static_cast<u32>(-1));
  CHECK(r.s().eip() == 0x1004);
}

TEST_CASE("DIV r/m32 with a quotient above 32 bits raises #DE at the instruction with nothing changed") {
  Rig r;
  r.s().gpr[cpu::EDX] = 1;
  r.s().gpr[cpu::EAX] = 0;
  r.s().gpr[cpu::EBX] = 1;
  REQUIRE(r.run({0x66, 0xF7, 0xF3}));  // div ebx: 2^32 / 1 does not fit
  CHECK(r.r32(cpu::EDX) == 1);
  CHECK(r.r32(cpu::EAX) == 0);
  CHECK(r.s().eip() == 0x3001);                        // halted in the #DE handler
  CHECK(r.byte(0x7FFA) == 0x00);                       // pushed IP = 0x1000, the DIV itself
  CHECK(r.byte(0x7FFB) == 0x10);
}

TEST_CASE("IDIV r/m32 of INT_MIN by -1 raises #DE instead of trapping the host") {
  Rig r;
  r.s().gpr[cpu::EDX] = 0xFFFFFFFF;
  r.s().gpr[cpu::EAX] = 0x80000000;
  r.s().gpr[cpu::EBX] = 0xFFFFFFFF;
  REQUIRE(r.run({0x66, 0xF7, 0xFB}));  // idiv ebx: +2^31 does not fit
  CHECK(r.s().eip() == 0x3001);
  CHECK(r.r32(cpu::EAX) == 0x80000000);
}

TEST_CASE("BSWAP r32 reverses the byte order") {
  Rig r;
  r.s().gpr[cpu::ESI] = 0x12345678;
  REQUIRE(r.run({0x66, 0x0F, 0xCE}));  // bswap esi
  CHECK(r.r32(cpu::ESI) == 0x78563412);
}

TEST_CASE("SETcc writes 1 or 0 by the condition and changes no flag") {
  Rig r;
  r.s().eflags |= ZF;
  r.s().gpr[cpu::EAX] = 0xFFFF;
  REQUIRE(r.run({0x0F, 0x94, 0xC0,     // sete al
                 0x0F, 0x9C, 0xC4}));  // setl ah (SF == OF -> 0)
  CHECK(r.s().reg16(cpu::EAX) == 0x0001);
  CHECK((r.s().eflags & ZF) == ZF);
}

TEST_CASE("RCL r32 masks its count to 5 bits, so 33 rotates by 1 through CF") {
  Rig r;
  r.s().gpr[cpu::EAX] = 0x80000000;
  REQUIRE(r.run({0x66, 0xC1, 0xD0, 0x21}));  // rcl eax, 33
  CHECK(r.r32(cpu::EAX) == 0);
  CHECK((r.s().eflags & CF) == CF);
  CHECK((r.s().eflags & OF) == OF);  // MSB(result) XOR CF = 0 XOR 1
}

TEST_CASE("BT with a negative 16-bit register offset wraps the address within 64 KiB (16-bit addressing)") {
  Rig r;
  const u8 word_at_fffe[] = {0x01, 0x00};
  r.m.memory().load_bytes(0xFFFE, word_at_fffe);
  r.s().gpr[cpu::EBX] = 0x0000;
  r.s().gpr[cpu::EAX] = 0xFFF0;  // -16: word at EA + 2*(-16 SAR 4) = 0 - 2 = FFFEh, bit 0
  REQUIRE(r.run({0x0F, 0xA3, 0x07}));  // bt [bx], ax
  CHECK((r.s().eflags & CF) == CF);
}

TEST_CASE("BTR with a 16-bit register offset clears the bit in the following word") {
  Rig r;
  const u8 ff[] = {0xFF, 0xFF, 0xFF, 0xFF};
  r.m.memory().load_bytes(0x2000, ff);
  r.s().gpr[cpu::EBX] = 0x2000;
  r.s().gpr[cpu::ECX] = 17;  // word at EA + 2, bit 1
  REQUIRE(r.run({0x0F, 0xB3, 0x0F}));  // btr [bx], cx
  CHECK(r.byte(0x2000) == 0xFF);
  CHECK(r.byte(0x2002) == 0xFD);
  CHECK((r.s().eflags & CF) == CF);
}

TEST_CASE("AAM 0 raises #DE at the instruction and leaves AX alone") {
  Rig r;
  r.s().gpr[cpu::EAX] = 0x1234;
  REQUIRE(r.run({0xD4, 0x00}));
  CHECK(r.s().reg16(cpu::EAX) == 0x1234);
  CHECK(r.s().eip() == 0x3001);
  CHECK(r.byte(0x7FFA) == 0x00);  // pushed IP = 0x1000
  CHECK(r.byte(0x7FFB) == 0x10);
}
