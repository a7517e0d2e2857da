// Soft-MMU tests driven by short code sequences in 32-bit protected mode with paging (SDM Vol. 3A
// chapter 4): Accessed/Dirty updates (4.8), CR0.WP (4.6.1), U/S and R/W faults with their error
// codes and CR2 (4.7, Figure 4-12: bit 0 P, bit 1 W/R, bit 2 U/S), INVLPG (4.10.4.1), and global
// pages surviving MOV CR3 while CR4.PGE = 1 (4.10.2.4, 4.10.4.1).
//
// The rig sets the CPU state directly (flat segments, GDTR/IDTR/TR) instead of booting; every
// vector's IDT gate leads to a HLT at kHandlers + 16 * vector, so "halted in vector 14" plus the
// frame on the ring-0 stack is how a test observes a fault.
#include <doctest/doctest.h>

#include <initializer_list>
#include <memory>

#include "core/machine.h"
#include "cpu/cpu.h"

using namespace pcjit;

namespace {

constexpr u32 kGdt = 0x1000, kIdt = 0x2000, kTss = 0x3000, kPd = 0x10000, kPt = 0x11000;
constexpr u32 kCode = 0x4000, kHandlers = 0x20000, kStack0 = 0x9000, kStack3 = 0x8000;
constexpr u32 P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, G = 0x100;

struct Rig {
  core::Machine m{core::MachineConfig{}};
  cpu::Cpu* cpu = nullptr;

  Rig() {
    auto owner = std::make_unique<cpu::Cpu>(m);
    cpu = owner.get();
    m.set_processor(std::move(owner));
    // GDT (Figure 3-8): 0x08 code0, 0x10 data0, 0x18 code3, 0x20 data3, 0x28 busy 32-bit TSS.
    w32(kGdt + 0x08, 0x0000FFFF); w32(kGdt + 0x0C, 0x00CF9A00);
    w32(kGdt + 0x10, 0x0000FFFF); w32(kGdt + 0x14, 0x00CF9200);
    w32(kGdt + 0x18, 0x0000FFFF); w32(kGdt + 0x1C, 0x00CFFA00);
    w32(kGdt + 0x20, 0x0000FFFF); w32(kGdt + 0x24, 0x00CFF200);
    w32(kGdt + 0x28, (kTss << 16) | 0x67); w32(kGdt + 0x2C, 0x00008B00);
    // IDT: 32-bit interrupt gates, DPL 0, to a HLT per vector (Figure 6-2).
    for (u32 v = 0; v < 256; ++v) {
      const u32 h = kHandlers + v * 16;
      w32(kIdt + v * 8, (0x08u << 16) | (h & 0xFFFF));
      w32(kIdt + v * 8 + 4, (h & 0xFFFF0000u) | 0x8E00);
      m.memory().write(h, 1, 0xF4);
    }
    w32(kTss + 4, kStack0);  // ESP0
    w32(kTss + 8, 0x10);     // SS0
    // Page tables: identity map 0-4 MiB, user read/write; tests narrow single pages.
    for (u32 p = 0; p < 1024; ++p) w32(kPt + p * 4, (p << 12) | P | RW | US);
    w32(kPd, kPt | P | RW | US);

    auto& s = cpu->state();
    s.gdtr = {kGdt, 0x2F};
    s.idtr = {kIdt, 0x7FF};
    s.tr = cpu::Segment{};
    s.tr.selector = 0x28;
    s.tr.base = kTss;
    s.tr.limit = 0x67;
    s.tr.hi = 0x67;
    s.tr.attrs = 0x8B;
    s.tr.valid = true;
    s.cr3 = kPd;
    s.cr0 |= cpu::cr0::PE | cpu::cr0::PG;
    set_ring(0);
  }

  // Flat segments for ring 0 or ring 3, as the descriptors above describe them.
  void set_ring(u8 ring) {
    auto& s = cpu->state();
    for (unsigned k = 0; k < cpu::kSegCount; ++k) {
      cpu::Segment& sg = s.seg[k];
      const bool code = k == cpu::CS;
      sg.selector = static_cast<u16>((code ? 0x08 : 0x10) + (ring ? 0x10 : 0) + ring);
      sg.attrs = static_cast<u16>(cpu::attr::G | cpu::attr::DB | cpu::attr::P | cpu::attr::S |
                                  (u16{ring} << cpu::attr::DPL_SHIFT) | (code ? 0xB : 0x3));
      sg.base = 0;
      sg.limit = 0xFFFFFFFFu;
      sg.lo = 0;
      sg.hi = 0xFFFFFFFFu;
      sg.readable = true;
      sg.writable = !code;
      sg.valid = true;
    }
    s.cpl = ring;
    s.gpr[cpu::ESP] = ring ? kStack3 : kStack0;
    cpu->state_changed();
  }

  void w32(u32 a, u32 v) { m.memory().write(a, 4, v); }
  u32 r32(u32 a) { return static_cast<u32>(m.memory().read(a, 4)); }
  u32 pte(u32 lin) { return r32(kPt + (lin >> 12) * 4); }
  void set_pte(u32 lin, u32 v) { w32(kPt + (lin >> 12) * 4, v); }
  void code(std::initializer_list<u8> bytes) {
    u32 a = kCode;
    for (u8 b : bytes) m.memory().write(a++, 1, b);
  }
  // Runs the code at kCode until HLT; does not touch the TLB (no state_changed()).
  core::ProcessorExit run() {
    cpu->state().rip = kCode;
    cpu->state().halted = false;
    return cpu->run(1000);
  }
  bool faulted_with(u8 vector) const { return cpu->state().eip() == kHandlers + vector * 16u + 1; }
  u32 reg(cpu::Reg r) const { return cpu->state().reg32(r); }
  // The error code the ring-0 handler found on top of its stack.
  u32 error_code() { return r32(reg(cpu::ESP)); }
  u32 fault_eip() { return r32(reg(cpu::ESP) + 4); }
};

// Little-endian bytes of a 32-bit value, for hand-assembled code.
#define LE(v) u8(v), u8((v) >> 8), u8((v) >> 16), u8((v) >> 24)

}  // namespace

TEST_CASE("a read sets Accessed in PDE and PTE, a write also sets Dirty (SDM 4.8)") {
  Rig r;
  r.set_pte(0x300000, 0x300000 | P | RW);
  r.set_pte(0x301000, 0x301000 | P | RW);
  r.w32(kPd, kPt | P | RW | US);
  // mov eax, [0x300000] ; mov [0x301000], eax ; hlt
  r.code({0xA1, LE(0x300000), 0xA3, LE(0x301000), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK((r.pte(0x300000) & (A | D)) == A);
  CHECK((r.pte(0x301000) & (A | D)) == (A | D));
  CHECK((r.r32(kPd) & A) == A);
  CHECK((r.r32(kPd) & D) == 0);  // D is ignored/unchanged in a PDE that maps a table
}

TEST_CASE("CR0.WP decides whether ring 0 may write a read-only page (SDM 4.6.1)") {
  Rig r;
  r.set_pte(0x302000, 0x302000 | P);  // supervisor, read-only
  // mov dword [0x302000], 0x1234 ; hlt
  r.code({0xC7, 0x05, LE(0x302000), LE(0x1234), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.r32(0x302000) == 0x1234);  // WP = 0: supervisor writes ignore R/W

  r.cpu->state().cr0 |= cpu::cr0::WP;
  r.cpu->state_changed();
  r.w32(0x302000, 0);
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.faulted_with(14));
  CHECK(r.error_code() == (P | RW));  // present, write, supervisor
  CHECK(r.cpu->state().cr2 == 0x302000);
  CHECK(r.fault_eip() == kCode);      // a fault: EIP of the MOV
  CHECK(r.r32(0x302000) == 0);        // nothing written
}

TEST_CASE("user-mode accesses fault on supervisor pages and on read-only user pages (SDM 4.6, 4.7)") {
  Rig r;
  r.set_pte(0x303000, 0x303000 | P | RW);  // supervisor page
  r.set_pte(0x304000, 0x304000 | P | US);  // user, read-only
  r.set_ring(3);
  // mov eax, [0x303004] ; hlt   (HLT is never reached)
  r.code({0xA1, LE(0x303004), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.faulted_with(14));
  CHECK(r.error_code() == (P | US));  // present, read, user
  CHECK(r.cpu->state().cr2 == 0x303004);
  CHECK(r.cpu->state().cpl == 0);

  r.set_ring(3);
  // mov eax, [0x304000] (allowed) ; mov [0x304008], eax (read-only: fault)
  r.code({0xA1, LE(0x304000), 0xA3, LE(0x304008), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.faulted_with(14));
  CHECK(r.error_code() == (P | RW | US));
  CHECK(r.cpu->state().cr2 == 0x304008);
  CHECK(r.fault_eip() == kCode + 5);

  r.set_ring(3);
  r.set_pte(0x305000, 0);  // not present: error code has P = 0
  r.code({0xA3, LE(0x305010), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.faulted_with(14));
  CHECK(r.error_code() == (RW | US));
  CHECK(r.cpu->state().cr2 == 0x305010);
}

TEST_CASE("INVLPG makes a changed PTE take effect (SDM 4.10.4.1)") {
  Rig r;
  r.w32(0x500000, 0xAAAA);
  r.w32(0x501000, 0xBBBB);
  // 0x306000 -> 0x500000 ; read it so the translation is cached
  r.set_pte(0x306000, 0x500000 | P | RW);
  r.code({0xA1, LE(0x306000), 0xF4});  // mov eax, [0x306000] ; hlt
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.reg(cpu::EAX) == 0xAAAA);
  r.set_pte(0x306000, 0x501000 | P | RW);
  // invlpg [0x306000] ; mov eax, [0x306000] ; hlt
  r.code({0x0F, 0x01, 0x3D, LE(0x306000), 0xA1, LE(0x306000), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.reg(cpu::EAX) == 0xBBBB);
}

TEST_CASE("global pages survive MOV CR3 while CR4.PGE is set; non-global ones do not (SDM 4.10.4.1)") {
  Rig r;
  r.w32(0x500000, 0x1111);
  r.w32(0x501000, 0x2222);
  r.w32(0x502000, 0x3333);
  r.w32(0x503000, 0x4444);
  r.set_pte(0x307000, 0x500000 | P | RW | G);  // global
  r.set_pte(0x308000, 0x502000 | P | RW);      // not global
  r.cpu->state().cr4 |= cpu::cr4::PGE;
  r.cpu->state_changed();
  // mov eax, [0x307000] ; mov ebx, [0x308000] ; hlt
  r.code({0xA1, LE(0x307000), 0x8B, 0x1D, LE(0x308000), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.reg(cpu::EAX) == 0x1111);
  CHECK(r.reg(cpu::EBX) == 0x3333);
  // Remap both, then reload CR3 with the same value.
  r.set_pte(0x307000, 0x501000 | P | RW | G);
  r.set_pte(0x308000, 0x503000 | P | RW);
  // mov ecx, cr3 ; mov cr3, ecx ; mov eax, [0x307000] ; mov ebx, [0x308000] ; hlt
  r.code({0x0F, 0x20, 0xD9, 0x0F, 0x22, 0xD9, 0xA1, LE(0x307000), 0x8B, 0x1D, LE(0x308000), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.reg(cpu::EAX) == 0x1111);  // the global translation was kept
  CHECK(r.reg(cpu::EBX) == 0x4444);  // the other one was re-walked
  // Clearing CR4.PGE flushes global entries too (4.10.4.1): mov ecx, cr4 ; and ecx, ~0x80 ;
  // mov cr4, ecx ; mov eax, [0x307000] ; hlt
  r.code({0x0F, 0x20, 0xE1, 0x81, 0xE1, LE(~0x80u), 0x0F, 0x22, 0xE1, 0xA1, LE(0x307000), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.reg(cpu::EAX) == 0x2222);
}

TEST_CASE("a 4 MiB page maps with PSE and is flushed as a whole by INVLPG (SDM 4.3, 4.10.4.1)") {
  Rig r;
  r.w32(0xC00010, 0x4D4D);
  r.w32(0x800010, 0x8888);
  r.w32(kPd + 4, 0xC00000 | P | RW | 0x80);  // PDE 1: 4 MiB page at 12 MiB
  r.cpu->state().cr4 |= cpu::cr4::PSE;
  r.cpu->state_changed();
  r.code({0xA1, LE(0x400010), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.reg(cpu::EAX) == 0x4D4D);
  CHECK((r.r32(kPd + 4) & A) == A);
  r.w32(kPd + 4, 0x800000 | P | RW | 0x80);
  // invlpg [0x7FF000] (another 4 KiB slice of the same large page) ; mov eax, [0x400010] ; hlt
  r.code({0x0F, 0x01, 0x3D, LE(0x7FF000), 0xA1, LE(0x400010), 0xF4});
  CHECK(r.run() == core::ProcessorExit::Halted);
  CHECK(r.reg(cpu::EAX) == 0x8888);
}
