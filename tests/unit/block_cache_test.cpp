// Self-modifying code and block-cache invalidation (ARCHITECTURE.md "Blocks"; SDM Vol. 3A 8.1.3
// and 11.6: a store into code that is about to execute is seen by that code, whichever linear
// alias or agent — CPU or DMA — performed the store).
//
// Each case runs hand-assembled code whose result differs depending on whether the stale or the
// new bytes executed; the expected value is the one the *new* bytes produce.
#include <doctest/doctest.h>

#include <initializer_list>
#include <memory>

#include "core/machine.h"
#include "cpu/cpu.h"

using namespace pcjit;

namespace {

struct Rig {
  core::Machine m{core::MachineConfig{}};
  cpu::Cpu* cpu = nullptr;
  Rig() {
    auto owner = std::make_unique<cpu::Cpu>(m);
    cpu = owner.get();
    m.set_processor(std::move(owner));
  }
  void mem(u32 a, std::initializer_list<u8> bytes) {
    for (u8 b : bytes) m.memory().write(a++, 1, b);
  }
  void w32(u32 a, u32 v) { m.memory().write(a, 4, v); }
  // Real mode, CS = DS = SS = 0.
  void real_mode_at(u32 eip) {
    for (auto sr : {cpu::CS, cpu::DS, cpu::SS, cpu::ES}) cpu->load_real_segment(sr, 0);
    cpu->state().rip = eip;
    cpu->state().gpr[cpu::ESP] = 0x8000;
    cpu->state_changed();
  }
  // 32-bit protected mode with flat ring-0 segments, set directly (no descriptor tables needed
  // while nothing faults).
  void flat32_at(u32 eip) {
    auto& s = cpu->state();
    s.cr0 |= cpu::cr0::PE;
    for (unsigned k = 0; k < cpu::kSegCount; ++k) {
      cpu::Segment& sg = s.seg[k];
      const bool code = k == cpu::CS;
      sg.selector = code ? 0x08 : 0x10;
      sg.attrs = static_cast<u16>(cpu::attr::G | cpu::attr::DB | cpu::attr::P | cpu::attr::S | (code ? 0xB : 0x3));
      sg.base = 0;
      sg.limit = 0xFFFFFFFFu;
      sg.lo = 0;
      sg.hi = 0xFFFFFFFFu;
      sg.readable = true;
      sg.writable = !code;
      sg.valid = true;
    }
    s.cpl = 0;
    s.rip = eip;
    s.gpr[cpu::ESP] = 0x9000;
    cpu->state_changed();
  }
  core::ProcessorExit run_at(u32 eip, u64 n = 1000) {
    cpu->state().rip = eip;
    cpu->state().halted = false;
    return cpu->run(n);
  }
  u32 reg(cpu::Reg r) { return cpu->state().reg32(r); }
};

}  // namespace

TEST_CASE("a store into the next instruction of the running block is seen when it executes") {
  Rig r;
  // 0x1000: mov byte [0x1006], 0x42 ; 0x1005: mov al, 0x00 ; hlt
  // The store rewrites the immediate of "mov al, 0" (at 0x1006) inside the same block.
  r.mem(0x1000, {0xC6, 0x06, 0x06, 0x10, 0x42, 0xB0, 0x00, 0xF4});
  r.real_mode_at(0x1000);
  CHECK(r.cpu->run(100) == core::ProcessorExit::Halted);
  CHECK((r.reg(cpu::EAX) & 0xFF) == 0x42);
  // Run it again: the block rebuilt from the modified bytes (store is idempotent).
  CHECK(r.run_at(0x1000) == core::ProcessorExit::Halted);
  CHECK((r.reg(cpu::EAX) & 0xFF) == 0x42);
  CHECK(r.cpu->check_caches() == "");
}

TEST_CASE("code written through one linear alias and executed through another is retranslated") {
  Rig r;
  // Page tables: identity map 0-4 MiB, then 0x200000 (alias A) and 0x201000 (alias B) both -> 0x300000.
  constexpr u32 kPd = 0x10000, kPt = 0x11000;
  for (u32 p = 0; p < 1024; ++p) r.w32(kPt + p * 4, (p << 12) | 3);
  r.w32(kPt + 0x200 * 4, 0x300000 | 3);
  r.w32(kPt + 0x201 * 4, 0x300000 | 3);
  r.w32(kPd, kPt | 3);
  // Frame 0x300000: mov eax, 0x11111111 ; ret
  r.mem(0x300000, {0xB8, 0x11, 0x11, 0x11, 0x11, 0xC3});
  // 0x1000: call 0x201000 ; mov ebx, eax ; mov dword [0x200001], 0x22222222 ; call 0x201000 ; hlt
  const u32 call1 = 0x201000 - (0x1000 + 5);
  const u32 call2 = 0x201000 - (0x1000 + 5 + 2 + 10 + 5);
  r.mem(0x1000, {0xE8, u8(call1), u8(call1 >> 8), u8(call1 >> 16), u8(call1 >> 24),  //
                 0x89, 0xC3,                                                         //
                 0xC7, 0x05, 0x01, 0x00, 0x20, 0x00, 0x22, 0x22, 0x22, 0x22,         //
                 0xE8, u8(call2), u8(call2 >> 8), u8(call2 >> 16), u8(call2 >> 24),  //
                 0xF4});
  r.flat32_at(0x1000);
  auto& s = r.cpu->state();
  s.cr3 = kPd;
  s.cr0 |= cpu::cr0::PG;
  r.cpu->state_changed();
  CHECK(r.cpu->run(100) == core::ProcessorExit::Halted);
  CHECK(r.reg(cpu::EBX) == 0x11111111u);  // first call ran the original bytes
  CHECK(r.reg(cpu::EAX) == 0x22222222u);  // second call ran the bytes stored through alias A
  CHECK(r.m.memory().read(0x300001, 4) == 0x22222222u);
  CHECK(r.cpu->check_caches() == "");
}

TEST_CASE("a DMA-style write_bytes into translated code invalidates the cached block") {
  Rig r;
  // 0x1000: mov al, 1 ; hlt
  r.mem(0x1000, {0xB0, 0x01, 0xF4});
  r.real_mode_at(0x1000);
  CHECK(r.cpu->run(100) == core::ProcessorExit::Halted);
  CHECK((r.reg(cpu::EAX) & 0xFF) == 1);
  const u8 two[] = {0x02};
  r.m.memory().write_bytes(0x1001, two);  // a device writes the immediate
  CHECK(r.run_at(0x1000) == core::ProcessorExit::Halted);
  CHECK((r.reg(cpu::EAX) & 0xFF) == 2);
  CHECK(r.cpu->stats().smc_invalidations >= 1);
  CHECK(r.cpu->check_caches() == "");
}

TEST_CASE("the cache checker notices a translated page whose code mark was lost") {
  // The checker must be able to fail: clearing the page's code mark behind the cache's back
  // (what a missed invalidation path would look like) is reported.
  Rig r;
  r.mem(0x1000, {0xB0, 0x01, 0xF4});
  r.real_mode_at(0x1000);
  CHECK(r.cpu->run(100) == core::ProcessorExit::Halted);
  CHECK(r.cpu->check_caches() == "");
  r.m.memory().clear_code_page(0x1000);
  CHECK(r.cpu->check_caches() != "");
}
