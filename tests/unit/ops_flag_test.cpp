// Flag and I/O families: CLC/STC/CMC/CLD/STD, LAHF/SAHF, CLI/STI by privilege (SDM CLI/STI
// decision tables), IN/OUT. Expectations are hand-computed from the SDM Vol. 2.
#include "ops_rig.h"

using namespace ops_test;
using namespace pcjit::cpu;

namespace {

class EchoPort final : public core::PortHandler {
 public:
  u32 port_in(u16 port, unsigned size) override { return size == 1 ? 0xA5 : 0x12345600u | (port & 0xFF); }
  void port_out(u16 port, unsigned size, u32 value) override {
    last_port = port;
    last_size = size;
    last_value = value;
  }
  u16 last_port = 0;
  unsigned last_size = 0;
  u32 last_value = 0;
};

}  // namespace

TEST_CASE("CLC STC CMC CLD STD change exactly one flag") {
  Rig r;
  r.code({0xF9, 0xF5, 0xF5, 0xFD});  // stc ; cmc ; cmc ; std
  REQUIRE(r.run());
  CHECK((r.s().eflags & flag::CF) != 0);
  CHECK((r.s().eflags & flag::DF) != 0);

  Rig q;
  q.s().eflags |= flag::CF | flag::DF | flag::ZF;
  q.code({0xF8, 0xFC});  // clc ; cld
  REQUIRE(q.run());
  CHECK(q.s().eflags == (flag::kFixedOne | flag::ZF));
}

TEST_CASE("LAHF and SAHF move SF ZF AF PF CF through AH") {
  Rig r;
  r.s().eflags = flag::kFixedOne | flag::SF | flag::CF | flag::OF;
  r.code({0x9F});
  REQUIRE(r.run());
  CHECK(((r.reg(EAX) >> 8) & 0xFF) == 0x83);

  Rig q;
  q.set(EAX, 0xFF00);
  q.s().eflags = flag::kFixedOne | flag::OF;
  q.code({0x9E});
  REQUIRE(q.run());
  CHECK(q.s().eflags == (flag::kFixedOne | flag::OF | flag::SF | flag::ZF | flag::AF | flag::PF | flag::CF));
}

TEST_CASE("CLI and STI in real mode") {
  Rig r;
  r.code({0xFB});
  REQUIRE(r.run());
  CHECK((r.s().eflags & flag::IF) != 0);

  Rig q;
  q.s().eflags |= flag::IF;
  q.code({0xFA});
  REQUIRE(q.run());
  CHECK((q.s().eflags & flag::IF) == 0);
}

TEST_CASE("CLI at CPL 3 with IOPL 0 is #GP(0), and with CR4.PVI clears VIF instead") {
  Rig r;
  r.protected_flat32(3, 0);
  r.s().eflags |= flag::IF;
  r.code({0xFA});
  FaultRecorder& f = r.watch();
  r.cpu->state_changed();
  r.cpu->run(1);
  REQUIRE(f.seen);
  CHECK(f.vector == 13);
  CHECK(f.error == 0);
  CHECK((f.at_fault.eflags & flag::IF) != 0);

  Rig q;
  q.protected_flat32(3, 0);
  q.s().cr4 |= cr4::PVI;
  q.s().eflags |= flag::IF | flag::VIF;
  q.code({0xFA});
  q.cpu->state_changed();
  q.cpu->run(1);
  CHECK((q.s().eflags & flag::IF) != 0);
  CHECK((q.s().eflags & flag::VIF) == 0);
}

TEST_CASE("STI with CR4.PVI at CPL 3 faults while VIP is set") {
  Rig r;
  r.protected_flat32(3, 0);
  r.s().cr4 |= cr4::PVI;
  r.s().eflags |= flag::VIP;
  r.code({0xFB});
  FaultRecorder& f = r.watch();
  r.cpu->state_changed();
  r.cpu->run(1);
  REQUIRE(f.seen);
  CHECK(f.vector == 13);
  CHECK((f.at_fault.eflags & flag::VIF) == 0);
}

TEST_CASE("STI at CPL 3 with IOPL 3 sets IF") {
  Rig r;
  r.protected_flat32(3, 3);
  r.code({0xFB, 0x90});
  r.cpu->state_changed();
  r.cpu->run(1);
  CHECK((r.s().eflags & flag::IF) != 0);
  CHECK(r.s().irq_shadow);  // IF went 0 -> 1: the next instruction is shielded
}

TEST_CASE("IN and OUT with immediate and DX ports, byte and dword") {
  Rig r;
  EchoPort port;
  r.m.io().map(0x60, 1, &port);
  r.m.io().map(0x3F8, 1, &port);
  r.set(EDX, 0x3F8);
  r.set(EBX, 0);
  // in al,0x60 ; mov bl,al ; in eax,dx ; out dx,eax
  r.code({0xE4, 0x60, 0x88, 0xC3, 0x66, 0xED, 0x66, 0xEF});
  REQUIRE(r.run());
  CHECK(r.reg(EBX) == 0xA5);
  CHECK(r.reg(EAX) == 0x123456F8);
  CHECK(port.last_port == 0x3F8);
  CHECK(port.last_size == 4);
  CHECK(port.last_value == 0x123456F8);
}

namespace {

// Raises one interrupt with a fixed vector and then goes quiet.
class OneShotPic final : public core::InterruptController {
 public:
  bool intr_pending() const override { return pending; }
  u8 acknowledge() override {
    pending = false;
    return 0x40;
  }
  bool pending = true;
};

}  // namespace

TEST_CASE("after STI sets IF the next instruction runs before a pending interrupt (SDM STI)") {
  Rig r;
  OneShotPic pic;
  r.m.set_interrupt_controller(&pic);
  r.set(EBX, 0);
  r.code({0xFB, 0x43});  // sti ; inc bx
  r.run();
  CHECK(r.faulted_with(0x40));          // the interrupt was taken ...
  CHECK(r.reg(EBX) == 1);               // ... after INC BX ran
  CHECK(r.pushed_ip() == kCode + 2);    // and returns after it
  r.m.set_interrupt_controller(nullptr);
}
