// String family: REP MOVS/STOS/CMPS/SCAS/LODS with 16- and 32-bit addressing, DF, overrides, a
// fault in the middle of a REP, long runs, INS/OUTS through a test port. Expectations are
// computed by hand from the SDM Vol. 2 operation sections (MOVS, CMPS, SCAS, REP).
#include "ops_rig.h"

using namespace ops_test;
using namespace pcjit::cpu;

namespace {

// A port that returns an incrementing byte sequence and records what is written.
class CountingPort final : public core::PortHandler {
 public:
  u32 port_in(u16, unsigned size) override {
    u32 v = 0;
    for (unsigned k = 0; k < size; ++k) v |= u32{next++} << (8 * k);
    return v;
  }
  void port_out(u16, unsigned size, u32 value) override {
    for (unsigned k = 0; k < size; ++k) written.push_back(static_cast<u8>(value >> (8 * k)));
  }
  u8 next = 0x10;
  std::vector<u8> written;
};

}  // namespace

TEST_CASE("REP MOVSD with a 32-bit address size counts ECX and moves ESI/EDI by 4") {
  Rig r;
  r.w32(0x2000, 0x11111111);
  r.w32(0x2004, 0x22222222);
  r.w32(0x2008, 0x33333333);
  r.set(ESI, 0x2000);
  r.set(EDI, 0x3000);
  r.set(ECX, 3);
  r.code({0x66, 0x67, 0xF3, 0xA5});
  REQUIRE(r.run());
  CHECK(r.r32(0x3000) == 0x11111111);
  CHECK(r.r32(0x3008) == 0x33333333);
  CHECK(r.reg(ESI) == 0x200C);
  CHECK(r.reg(EDI) == 0x300C);
  CHECK(r.reg(ECX) == 0);
}

TEST_CASE("REP MOVSB with DF=1 copies downwards; 16-bit forms keep the upper register halves") {
  Rig r;
  r.mem(0x2000, {'a', 'b', 'c', 'd'});
  r.set(ESI, 0xABCD2003);
  r.set(EDI, 0xABCD3003);
  r.set(ECX, 0xABCD0004);
  r.s().eflags |= flag::DF;
  r.code({0xF3, 0xA4});
  REQUIRE(r.run());
  CHECK(r.r32(0x3000) == 0x64636261);
  CHECK(r.reg(ESI) == 0xABCD1FFF);
  CHECK(r.reg(EDI) == 0xABCD2FFF);
  CHECK(r.reg(ECX) == 0xABCD0000);
}

TEST_CASE("MOVS reads through the segment override and writes ES") {
  Rig r;
  r.cpu->load_real_segment(ES, 0x0400);  // ES base 0x4000
  r.cpu->load_real_segment(FS, 0x0500);  // FS base 0x5000
  r.w16(0x5010, 0x7788);
  r.set(ESI, 0x10);
  r.set(EDI, 0x20);
  r.code({0x64, 0xA5});  // fs movsw
  REQUIRE(r.run());
  CHECK(r.r16(0x4020) == 0x7788);
}

TEST_CASE("REPE CMPSB stops at the first difference with CMP flags") {
  Rig r;
  r.mem(0x2000, {'a', 'b', 'c', 'x', 'e'});
  r.mem(0x3000, {'a', 'b', 'c', 'y', 'e'});
  r.set(ESI, 0x2000);
  r.set(EDI, 0x3000);
  r.set(ECX, 10);
  r.code({0xF3, 0xA6});
  REQUIRE(r.run());
  CHECK(r.reg(ECX) == 6);
  CHECK(r.reg(ESI) == 0x2004);
  CHECK(r.reg(EDI) == 0x3004);
  CHECK((r.s().eflags & flag::ZF) == 0);
  CHECK((r.s().eflags & flag::CF) != 0);  // 'x' - 'y' borrows
}

TEST_CASE("REPNE SCASB finds a byte; a zero count changes nothing") {
  Rig r;
  r.mem(0x3000, {1, 2, 3, 0, 5});
  r.set(EDI, 0x3000);
  r.set(ECX, 100);
  r.set(EAX, 0);
  r.code({0xF2, 0xAE});
  REQUIRE(r.run());
  CHECK(r.reg(EDI) == 0x3004);
  CHECK(r.reg(ECX) == 96);
  CHECK((r.s().eflags & flag::ZF) != 0);

  Rig q;
  q.set(EDI, 0x3000);
  q.set(ECX, 0);
  q.s().eflags |= flag::CF;
  q.code({0xF3, 0xAB, 0xF2, 0xAE});  // rep stosw ; repne scasb with CX=0
  REQUIRE(q.run());
  CHECK(q.reg(EDI) == 0x3000);
  CHECK((q.s().eflags & flag::CF) != 0);
}

TEST_CASE("LODSD and STOSW move the accumulator") {
  Rig r;
  r.w32(0x2000, 0xCAFEF00D);
  r.set(ESI, 0x2000);
  r.set(EDI, 0x3000);
  r.code({0x66, 0xAD, 0xAB});  // lodsd ; stosw
  REQUIRE(r.run());
  CHECK(r.reg(EAX) == 0xCAFEF00D);
  CHECK(r.r16(0x3000) == 0xF00D);
  CHECK(r.reg(ESI) == 0x2004);
  CHECK(r.reg(EDI) == 0x3002);
}

TEST_CASE("a fault in the middle of REP STOSW leaves the registers as updated so far (SDM REP)") {
  Rig r;
  r.set(EDI, 0xFFFA);
  r.set(ECX, 5);
  r.set(EAX, 0x5A5A);
  r.code({0x67, 0xF3, 0xAB});  // a32 rep stosw: EDI reaches 0x10000, past the 64 KiB limit
  r.run();
  CHECK(r.faulted_with(13));
  CHECK(r.pushed_ip() == kCode);  // restartable: IP of the instruction
  CHECK(r.reg(EDI) == 0x10000);
  CHECK(r.reg(ECX) == 2);
  CHECK(r.r16(0xFFFE) == 0x5A5A);
}

TEST_CASE("a long REP STOSB runs to completion across the handler's iteration chunks") {
  Rig r;
  r.set(EDI, 0x4000);
  r.set(ECX, 10000);
  r.set(EAX, 0xEE);
  r.code({0xF3, 0xAA});
  REQUIRE(r.run());
  CHECK(r.reg(ECX) == 0);
  CHECK(r.reg(EDI) == 0x4000 + 10000);
  CHECK(r.r8(0x4000) == 0xEE);
  CHECK(r.r8(0x4000 + 9999) == 0xEE);
  CHECK(r.r8(0x4000 + 10000) == 0);
}

TEST_CASE("REP INSB and REP OUTSW move data between a port and memory") {
  Rig r;
  CountingPort port;
  r.m.io().map(0x300, 1, &port);
  r.set(EDX, 0x300);
  r.set(EDI, 0x3000);
  r.set(ECX, 3);
  r.code({0xF3, 0x6C});
  REQUIRE(r.run());
  CHECK(r.r8(0x3000) == 0x10);
  CHECK(r.r8(0x3002) == 0x12);
  CHECK(r.reg(EDI) == 0x3003);

  Rig q;
  CountingPort out;
  q.m.io().map(0x300, 1, &out);
  q.w32(0x2000, 0x44332211);
  q.set(EDX, 0x300);
  q.set(ESI, 0x2000);
  q.set(ECX, 2);
  q.code({0xF3, 0x6F});
  REQUIRE(q.run());
  CHECK(out.written == std::vector<u8>{0x11, 0x22, 0x33, 0x44});
  CHECK(q.reg(ESI) == 0x2004);
}

TEST_CASE("with TF set a REP string instruction traps after one iteration, at its own IP") {
  Rig r;
  r.set(EDI, 0x3000);
  r.set(ECX, 3);
  r.set(EAX, 0x77);
  r.s().eflags |= flag::TF;
  r.code({0xF3, 0xAA});
  r.run();
  CHECK(r.faulted_with(1));
  CHECK(r.pushed_ip() == kCode);
  CHECK(r.reg(ECX) == 2);
  CHECK(r.reg(EDI) == 0x3001);
  CHECK(r.r8(0x3000) == 0x77);
  CHECK(r.r8(0x3001) == 0);
}

TEST_CASE("an overlapping forward REP MOVSB replicates the pattern element by element") {
  Rig r;
  r.mem(0x2000, {'a', 'b'});
  r.set(ESI, 0x2000);
  r.set(EDI, 0x2002);
  r.set(ECX, 6);
  r.code({0xF3, 0xA4});
  REQUIRE(r.run());
  for (u32 k = 0; k < 8; ++k) CHECK(r.r8(0x2000 + k) == ((k & 1) ? 'b' : 'a'));
}

TEST_CASE("REP MOVSD across page boundaries copies every byte") {
  Rig r;
  r.cpu->load_real_segment(DS, 0x1000);  // source 0x10FF0.. crosses 0x11000 and 0x12000
  r.cpu->load_real_segment(ES, 0x2000);  // destination 0x20FFC.. misaligned to the pages
  for (u32 k = 0; k < 0x2000; ++k) r.w8(0x10FF0 + k, static_cast<u8>(k * 7 + 3));
  r.set(ESI, 0x0FF0);
  r.set(EDI, 0x0FFC);
  r.set(ECX, 0x800);
  r.code({0x66, 0xF3, 0xA5});
  REQUIRE(r.run());
  bool same = true;
  for (u32 k = 0; k < 0x2000; ++k) same = same && r.r8(0x20FFC + k) == static_cast<u8>(k * 7 + 3);
  CHECK(same);
  CHECK(r.reg(ESI) == 0x2FF0);
  CHECK(r.reg(EDI) == 0x2FFC);
}

TEST_CASE("16-bit REP STOSB wraps DI at 64 KiB") {
  Rig r;
  r.set(EDI, 0xFFFE);
  r.set(ECX, 4);
  r.set(EAX, 0x3C);
  r.cpu->load_real_segment(ES, 0x3000);
  r.code({0xF3, 0xAA});
  REQUIRE(r.run());
  CHECK(r.r8(0x3FFFE) == 0x3C);
  CHECK(r.r8(0x3FFFF) == 0x3C);
  CHECK(r.r8(0x30000) == 0x3C);
  CHECK(r.r8(0x30001) == 0x3C);
  CHECK(r.reg(EDI) == 2);
}

TEST_CASE("REP STOSB over the instructions that follow it in the same block runs the new bytes") {
  Rig r;
  r.set(EDI, kCode + 2);
  r.set(ECX, 2);
  r.set(EAX, 0x90);
  r.set(EBX, 0);
  r.code({0xF3, 0xAA, 0xB3, 0x05});  // rep stosb ; mov bl,5 (overwritten by two NOPs)
  REQUIRE(r.run());
  CHECK(r.reg(EBX) == 0);
}
