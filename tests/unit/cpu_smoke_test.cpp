// End-to-end smoke test of the pipeline: reset vector -> decode -> interpreter -> HLT.
// Expected values computed by hand from the SDM's ADD/XOR definitions.
#include <doctest/doctest.h>

#include "core/machine.h"
#include "cpu/cpu.h"

using namespace pcjit;

TEST_CASE("a real-mode block of ALU instructions runs from a flat load and halts") {
  core::Machine m({});
  auto cpu_owner = std::make_unique<cpu::Cpu>(m);
  cpu::Cpu& cpu = *cpu_owner;
  m.set_processor(std::move(cpu_owner));
  // At 0x1000: add ax, 0x1234 ; xor bx, bx ; add bx, ax ; hlt
  const u8 code[] = {0x05, 0x34, 0x12, 0x31, 0xDB, 0x01, 0xC3, 0xF4};
  m.memory().load_bytes(0x1000, code);
  cpu.load_real_segment(cpu::CS, 0);
  cpu.state().rip = 0x1000;
  cpu.state().gpr[cpu::EAX] = 0xFFFF0001;
  cpu.state_changed();
  auto exit = cpu.run(100);
  CHECK(exit == core::ProcessorExit::Halted);
  CHECK(cpu.state().reg16(cpu::EAX) == 0x1235);
  CHECK(cpu.state().gpr[cpu::EAX] == 0xFFFF1235);  // 16-bit ADD leaves bits 31:16 alone
  CHECK(cpu.state().reg16(cpu::EBX) == 0x1235);
  CHECK(cpu.state().rip == 0x1008);
  CHECK((cpu.state().eflags & cpu::flag::ZF) == 0);
}
