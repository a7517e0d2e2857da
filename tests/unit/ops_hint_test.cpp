// The hint-NOP space 0F 18-0F 1F and RDPMC. Truth: SDM Vol. 2 — NOP ("does not impact machine
// context, except for the EIP register"; the multi-byte NOP "will not issue a memory operation"),
// PREFETCHh ("merely a hint and does not affect program behavior"; #UD only for LOCK), ENDBR32 ("a
// NOP ... on processors that do not support CET"), Appendix A Table A-3 (0F 19-0F 1E
// "Reserved-NOP"), and RDPMC (#GP(0) outside ring 0 without CR4.PCE; P6 counters 0 and 1 only).
#include <vector>

#include "ops_rig.h"

using namespace ops_test;
using namespace pcjit::cpu;

namespace {

// Counts every data access and exception; a hint NOP must cause neither.
class AccessCounter final : public ExecObserver {
 public:
  void before_insn(const CpuState&, std::span<const u8>) override { ++insns; }
  void after_insn(const CpuState&) override {}
  void on_mem(const MemAccess&) override { ++accesses; }
  void on_exception(u8, u32, bool) override { ++exceptions; }
  void on_interrupt(u8) override {}
  unsigned insns = 0, accesses = 0, exceptions = 0;
};

// Appends `prefix 0F op modrm [sib] [disp]` for one ModRM byte. The displacement is FFF0h-ish, so
// a data access (were there one) would run past the 64 KiB real-mode limit of DS/SS and fault.
void append_hint(std::vector<u8>& out, u8 prefix, u8 op, u8 modrm, bool a32) {
  if (prefix) out.push_back(prefix);
  if (a32) out.push_back(0x67);
  out.insert(out.end(), {0x0F, op, modrm});
  const unsigned mod = modrm >> 6, rm = modrm & 7;
  unsigned disp = 0;
  if (a32) {
    if (mod != 3 && rm == 4) {
      const u8 sib = 0x25;  // base 101: disp32 when mod = 00
      out.push_back(sib);
      if (mod == 0) disp = 4;
    }
    if (mod == 0 && rm == 5) disp = 4;
    if (mod == 1) disp = 1;
    if (mod == 2) disp = 4;
  } else {
    if (mod == 0 && rm == 6) disp = 2;
    if (mod == 1) disp = 1;
    if (mod == 2) disp = 2;
  }
  for (unsigned k = 0; k < disp; ++k) out.push_back(k == 0 ? 0xF0 : 0xFF);
}

void run_hint_space(u8 prefix, bool a32) {
  Rig r;
  std::vector<u8> code;
  unsigned count = 0;
  for (unsigned op = 0x18; op <= 0x1F; ++op)
    for (unsigned modrm = 0; modrm < 256; ++modrm, ++count) append_hint(code, prefix, static_cast<u8>(op), static_cast<u8>(modrm), a32);
  REQUIRE(kCode + code.size() < 0x10000);
  for (std::size_t k = 0; k < code.size(); ++k) r.w8(static_cast<u32>(kCode + k), code[k]);
  r.w8(static_cast<u32>(kCode + code.size()), 0xF4);
  r.code_end = static_cast<u32>(kCode + code.size() + 1);
  for (unsigned g = 0; g < 8; ++g) r.set(g, 0x11111111u * (g + 1));
  r.set(ESP, 0x8000);
  r.s().eflags = flag::kFixedOne | flag::CF | flag::ZF | flag::OF;
  const CpuState before = r.s();
  AccessCounter seen;
  r.cpu->set_observer(&seen);
  CHECK(r.run(count + 10));
  r.cpu->set_observer(nullptr);
  CHECK(seen.insns == count + 1);  // every NOP and the final HLT
  CHECK(seen.accesses == 0);
  CHECK(seen.exceptions == 0);
  for (unsigned g = 0; g < 8; ++g) CHECK(r.s().gpr[g] == before.gpr[g]);
  CHECK(r.s().eflags == before.eflags);
}

}  // namespace

TEST_CASE("every 0F 18-0F 1F encoding with 16-bit addressing is a NOP that accesses no memory, for each prefix") {
  for (u8 prefix : {u8{0}, u8{0x66}, u8{0xF2}, u8{0xF3}}) {
    CAPTURE(prefix);
    run_hint_space(prefix, false);
  }
}

TEST_CASE("every 0F 18-0F 1F encoding with 32-bit addressing (SIB, disp32) is a NOP that accesses no memory") {
  for (u8 prefix : {u8{0}, u8{0x66}, u8{0xF3}}) {
    CAPTURE(prefix);
    run_hint_space(prefix, true);
  }
}

TEST_CASE("LOCK before a hint NOP is #UD") {
  Rig r;
  r.code({0xF0, 0x0F, 0x1F, 0x00});  // lock nop [bx+si]
  r.run();
  CHECK(r.faulted_with(6));
  CHECK(r.pushed_ip() == kCode);
}

TEST_CASE("ENDBR32 (F3 0F 1E FB) and NOP Ev retire as NOPs in 32-bit user code") {
  Rig r;
  r.protected_flat32(3, 0);
  // endbr32 ; nop dword [eax+eax*1+0] ; nop word [eax+eax*1+0], with EAX pointing nowhere
  r.code({0xF3, 0x0F, 0x1E, 0xFB, 0x0F, 0x1F, 0x44, 0x00, 0x00, 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00});
  r.set(EAX, 0xFFFFFFF0u);
  FaultRecorder& f = r.watch();
  r.cpu->state_changed();
  r.cpu->run(3);
  CHECK_FALSE(f.seen);
  CHECK(r.s().eip() == kCode + 15);
}

TEST_CASE("RDPMC in real mode reads counters 0 and 1 (0: this P6 model counts no event) into EDX:EAX") {
  for (u32 counter : {0u, 1u}) {
    Rig r;
    r.set(ECX, counter);
    r.set(EAX, 0xDEADBEEF);
    r.set(EDX, 0xDEADBEEF);
    r.code({0x0F, 0x33});
    REQUIRE(r.run());
    CHECK(r.reg(EAX) == 0);
    CHECK(r.reg(EDX) == 0);
    CHECK(r.reg(ECX) == counter);
  }
}

TEST_CASE("RDPMC with a counter index other than 0 or 1 is #GP(0), even in ring 0") {
  for (u32 counter : {2u, 0x80000000u, 0x11u}) {
    Rig r;
    r.set(ECX, counter);
    r.set(EAX, 0x1234);
    r.code({0x0F, 0x33});
    r.run();
    CHECK(r.faulted_with(13));
    CHECK(r.reg(EAX) == 0x1234);
  }
}

TEST_CASE("RDPMC at CPL 3 is #GP(0) without CR4.PCE and allowed with it") {
  Rig r;
  r.protected_flat32(3, 0);
  r.set(ECX, 0);
  r.set(EAX, 0x1234);
  r.code({0x0F, 0x33});
  FaultRecorder& f = r.watch();
  r.cpu->state_changed();
  r.cpu->run(1);
  REQUIRE(f.seen);
  CHECK(f.vector == 13);
  CHECK(f.error == 0);
  CHECK(r.reg(EAX) == 0x1234);

  Rig q;
  q.protected_flat32(3, 0);
  q.s().cr4 |= cr4::PCE;
  q.set(ECX, 1);
  q.set(EAX, 0x1234);
  q.code({0x0F, 0x33});
  FaultRecorder& g = q.watch();
  q.cpu->state_changed();
  q.cpu->run(1);
  CHECK_FALSE(g.seen);
  CHECK(q.reg(EAX) == 0);
  CHECK(q.s().eip() == kCode + 2);
}

TEST_CASE("RDPMC at CPL 0 in protected mode needs no CR4.PCE") {
  Rig r;
  r.protected_flat32(0, 0);
  r.set(ECX, 0);
  r.set(EDX, 0x55);
  r.code({0x0F, 0x33});
  FaultRecorder& f = r.watch();
  r.cpu->state_changed();
  r.cpu->run(1);
  CHECK_FALSE(f.seen);
  CHECK(r.reg(EDX) == 0);
}
