// The fault contract (DESIGN.md "Faults are values"; SDM Vol. 3A 6.5 "Exception Classifications":
// a fault is reported with the processor state as it was before the faulting instruction, so the
// instruction can be restarted). First the checker, fault_commit_violation(), on hand-made
// states; then far returns, IRET, a far CALL and a task switch whose last fallible step, a write
// to a descriptor in the GDT (the Accessed or busy bit), takes a #PF because the GDT page is
// read-only with CR0.WP = 1 (SDM Vol. 3A 4.6.1: supervisor writes obey R/W when WP is set). An
// observer snapshots the state before each instruction and checks it when the exception is
// reported, before delivery touches anything. The rig is in pm_rig.h.
#include <string>

#include "../../cpu/src/exec/fault_check.h"
#include "pm_rig.h"

using namespace pm_test;
using pcjit::core::ProcessorExit;
namespace cpu = pcjit::cpu;

namespace {

// ---- the checker on its own ---------------------------------------------------------------

TEST_CASE("fault_commit_violation: an unchanged state is no violation") {
  cpu::CpuState s;
  s.set_reg32(cpu::ESP, 0x7000);
  CHECK(cpu::fault_commit_violation(s, s, 13) == "");
}

TEST_CASE("fault_commit_violation names a changed ESP with its old and new values") {
  cpu::CpuState before;
  before.set_reg32(cpu::ESP, 0x7000);
  cpu::CpuState after = before;
  after.set_reg32(cpu::ESP, 0x7008);
  after.eflags |= cpu::flag::CF;  // a later field: only the first difference is named
  const std::string v = cpu::fault_commit_violation(before, after, 14);
  CHECK(v.find("esp") != std::string::npos);
  CHECK(v.find("0x7000") != std::string::npos);
  CHECK(v.find("0x7008") != std::string::npos);
  CHECK(v.find("eflags") == std::string::npos);
}

TEST_CASE("fault_commit_violation lets a #PF load CR2 (SDM 6.15 Interrupt 14), and nothing else does") {
  cpu::CpuState before;
  cpu::CpuState after = before;
  after.cr2 = 0x107D;
  CHECK(cpu::fault_commit_violation(before, after, 14) == "");
  CHECK(cpu::fault_commit_violation(before, after, 13).find("cr2") != std::string::npos);
  after.set_reg32(cpu::EAX, 1);
  CHECK(cpu::fault_commit_violation(before, after, 14).find("eax") != std::string::npos);
}

TEST_CASE("fault_commit_violation: DR6 on #DB only, MXCSR flags only set on #XM, IRET's NMI unblock") {
  cpu::CpuState before;
  before.nmi_blocked = true;
  cpu::CpuState after = before;
  after.dr[6] |= 1u << 13;  // BD: general detect (SDM 17.2.3)
  CHECK(cpu::fault_commit_violation(before, after, 1) == "");
  CHECK(cpu::fault_commit_violation(before, after, 13).find("dr6") != std::string::npos);

  after = before;
  after.mxcsr |= 0x01;  // IE (SDM Vol. 1 11.5.2.1: flags are set, then #XM)
  CHECK(cpu::fault_commit_violation(before, after, 19) == "");
  after.mxcsr &= ~0x80u;  // a mask bit changed: never part of a fault
  CHECK(cpu::fault_commit_violation(before, after, 19).find("mxcsr") != std::string::npos);

  after = before;
  after.nmi_blocked = false;  // SDM 6.7.1: IRET unblocks NMIs even if it faults
  CHECK(cpu::fault_commit_violation(before, after, 13) == "");
  CHECK(cpu::fault_commit_violation(after, before, 13).find("nmi_blocked") != std::string::npos);
}

TEST_CASE("fault_commit_violation: a changed TR means the fault came after a task switch's commit point") {
  cpu::CpuState before;
  before.tr.selector = kTssA;
  cpu::CpuState after = before;
  after.tr.selector = kTssB;  // SDM 7.3, Table 7-1: such faults belong to the new task
  after.rip = 0x13000;
  CHECK(cpu::fault_commit_violation(before, after, 10) == "");
}

TEST_CASE("fault_commit_violation: a REP string stopped part way keeps its ECX/ESI/EDI (SDM Vol. 2 REP)") {
  cpu::CpuState before;
  before.set_reg32(cpu::ECX, 10);
  cpu::CpuState after = before;
  after.set_reg32(cpu::ECX, 7);
  after.set_reg32(cpu::EDI, 12);
  CHECK(cpu::fault_commit_violation(before, after, 14, true) == "");
  CHECK(cpu::fault_commit_violation(before, after, 14).find("ecx") != std::string::npos);
}

// ---- the regression: restartable far returns ----------------------------------------------

// GDT entries added for these tests, their Accessed bits clear (never loaded): 0x78 flat ring-0
// code, 0x80 flat ring-3 code (selector 0x83).
constexpr u16 kFreshCode0 = 0x78;
constexpr u32 kTarget = 0x14000;   // where the returns go: a HLT
constexpr u32 kPd = 0x50000, kPt = 0x51000;

// Snapshots the state before every instruction and, at the first exception, checks the contract.
class ContractWatch final : public cpu::ExecObserver {
 public:
  explicit ContractWatch(const cpu::CpuState& s) : live_(s), before_(s) {}
  void before_insn(const cpu::CpuState& s, std::span<const u8>) override {
    before_ = cpu::FaultCheckSnapshot(s);
    writes_ = 0;
  }
  void after_insn(const cpu::CpuState&) override {}
  void on_mem(const cpu::MemAccess& a) override { writes_ += a.write; }
  void on_exception(u8 v, u32 e, bool) override {
    if (seen) return;
    seen = true;
    vector = v;
    error = e;
    writes_by_faulting_insn = writes_;
    at_fault = live_;
    before = before_.state;
    violation = before_.violation(live_, v);
  }
  void on_interrupt(u8) override {}

  bool seen = false;
  u8 vector = 0;
  u32 error = 0;
  unsigned writes_by_faulting_insn = 0;  // memory is outside the checker, so count it here
  std::string violation = "(no exception)";
  cpu::CpuState before;  // state before the faulting instruction
  cpu::CpuState at_fault;

 private:
  const cpu::CpuState& live_;
  cpu::FaultCheckSnapshot before_;
  unsigned writes_ = 0;
};

// A rig stopped at a HLT at kRing0Code (after the prologue), then switched to paging with an
// identity map of the first 4 MiB in which the GDT page is read-only, and CR0.WP = 1.
struct PagedRig : Rig {
  ContractWatch watch{cpu->state()};

  explicit PagedRig(std::initializer_list<u8> ring0_code) {
    u32 lo, hi;
    seg_desc(0, 0xFFFFF, 0x9A, 0xC, lo, hi);
    w32(kGdt + 0x78, lo);
    w32(kGdt + 0x7C, hi);
    seg_desc(0, 0xFFFFF, 0xFA, 0xC, lo, hi);
    w32(kGdt + 0x80, lo);
    w32(kGdt + 0x84, hi);
    mem(kTarget, {0xF4});
    mem(kRing0Code, {0xF4});
    u32 a = kRing0Code + 1;
    for (u8 b : ring0_code) mem(a++, {b});
    REQUIRE(run() == ProcessorExit::Halted);
    REQUIRE(cpu->state().eip() == kRing0Code + 1);
    w32(kPd, kPt | 7);
    for (u32 p = 0; p < 1024; ++p) w32(kPt + 4 * p, (p << 12) | 7);  // P | R/W | U/S
    gdt_writable(false);
    auto& s = cpu->state();
    s.cr3 = kPd;
    s.cr0 |= cpu::cr0::PG | cpu::cr0::WP;
    cpu->set_observer(&watch);
    cpu->state_changed();
  }
  ~PagedRig() { cpu->set_observer(nullptr); }
  void gdt_writable(bool on) {
    w32(kPt + (kGdt >> 12) * 4, kGdt | (on ? 7u : 5u));
    cpu->state_changed();  // drops the TLB
  }
  // The #PF the GDT write must take: present page, write, supervisor (SDM Figure 4-12).
  void check_gdt_write_fault(u32 descriptor_offset) {
    CHECK(watch.seen);
    CHECK(watch.vector == 14);
    CHECK(watch.error == 3);
    CHECK(watch.at_fault.cr2 == kGdt + descriptor_offset + 5);
    CHECK(watch.violation == "");
    CHECK(watch.writes_by_faulting_insn == 0);
    CHECK(watch.at_fault.reg32(cpu::ESP) == watch.before.reg32(cpu::ESP));
    CHECK(watch.at_fault.eflags == watch.before.eflags);
    CHECK(watch.at_fault.eip() == watch.before.eip());
    CHECK(watch.at_fault.seg[cpu::CS].selector == watch.before.seg[cpu::CS].selector);
    CHECK(watch.at_fault.cpl == watch.before.cpl);
    CHECK(halted_in(14));
  }
};

TEST_CASE("a same-privilege RETF whose CS Accessed-bit write #PFs commits nothing and restarts") {
  // push 0x78; push kTarget; retf
  PagedRig r({0x6A, 0x78, 0x68, 0x00, 0x40, 0x01, 0x00, 0xCB});
  // #PF handler: hlt; add esp,4 (error code); iretd - back to the RETF.
  r.mem(handler(14), {0xF4, 0x83, 0xC4, 0x04, 0xCF});
  CHECK(r.resume() == ProcessorExit::Halted);
  r.check_gdt_write_fault(0x78);
  CHECK(r.watch.before.reg32(cpu::ESP) == 0x7000 - 8);
  CHECK(r.r8(kGdt + 0x78 + 5) == 0x9A);
  // The frame holds the RETF's own EIP and the EFLAGS from before it (SDM 6.5: restartable).
  CHECK(r.stack(1) == kRing0Code + 1 + 7);
  CHECK(r.stack(2) == kCode0);

  r.gdt_writable(true);
  CHECK(r.resume() == ProcessorExit::Halted);
  const auto& s = r.cpu->state();
  CHECK(s.eip() == kTarget + 1);
  CHECK(s.seg[cpu::CS].selector == kFreshCode0);
  CHECK(r.esp() == 0x7000);
  CHECK(r.r8(kGdt + 0x78 + 5) == 0x9B);
}

TEST_CASE("a same-privilege IRET whose CS Accessed-bit write #PFs leaves ESP and EFLAGS as they were") {
  // push 0x8D7 (OF SF ZF AF PF CF); push 0x78; push kTarget; iretd
  PagedRig r({0x68, 0xD7, 0x08, 0x00, 0x00, 0x6A, 0x78, 0x68, 0x00, 0x40, 0x01, 0x00, 0xCF});
  CHECK(r.resume() == ProcessorExit::Halted);
  r.check_gdt_write_fault(0x78);
  CHECK(r.watch.before.reg32(cpu::ESP) == 0x7000 - 12);
  CHECK((r.watch.at_fault.eflags & cpu::flag::kArith) == 0);
  CHECK(r.stack(1) == kRing0Code + 1 + 12);
}

TEST_CASE("an IRET to ring 3 whose CS Accessed-bit write #PFs leaves ESP, EFLAGS, SS and CPL as they were") {
  // push 0x23; push 0x8000; push 0x8D7; push 0x83; push kTarget; iretd
  PagedRig r({0x6A, 0x23, 0x68, 0x00, 0x80, 0x00, 0x00, 0x68, 0xD7, 0x08, 0x00, 0x00, 0x68, 0x83, 0x00,
              0x00, 0x00, 0x68, 0x00, 0x40, 0x01, 0x00, 0xCF});
  CHECK(r.resume() == ProcessorExit::Halted);
  r.check_gdt_write_fault(0x80);
  CHECK(r.watch.at_fault.seg[cpu::SS].selector == kData0);
  CHECK(r.r8(kGdt + (kData3 & ~7u) + 5) == 0xF2);  // nor was the SS descriptor touched
}

TEST_CASE("a RETF to ring 3 whose CS Accessed-bit write #PFs leaves ESP, SS and CPL as they were") {
  // push 0x23; push 0x8000; push 0x83; push kTarget; retf
  PagedRig r({0x6A, 0x23, 0x68, 0x00, 0x80, 0x00, 0x00, 0x68, 0x83, 0x00, 0x00, 0x00, 0x68, 0x00, 0x40,
              0x01, 0x00, 0xCB});
  CHECK(r.resume() == ProcessorExit::Halted);
  r.check_gdt_write_fault(0x80);
}

TEST_CASE("a same-privilege far CALL whose CS Accessed-bit write #PFs pushes nothing") {
  PagedRig r({0x9A, 0x00, 0x40, 0x01, 0x00, 0x78, 0x00});  // call 0x78:kTarget
  CHECK(r.resume() == ProcessorExit::Halted);
  r.check_gdt_write_fault(0x78);  // also: no memory write by the CALL
}

TEST_CASE("a JMP to a TSS whose busy-bit write #PFs saves nothing into the old TSS (SDM 7.3 step 4)") {
  PagedRig r({0xEA, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00});  // jmp 0x30:0
  fill_tss_b(r);
  CHECK(r.resume() == ProcessorExit::Halted);
  r.check_gdt_write_fault(kTssA);  // clearing the old task's busy bit is the first GDT write
  CHECK(r.watch.at_fault.tr.selector == kTssA);
  CHECK(r.r32(kTssABase + 0x20) == 0);  // no EIP saved
  CHECK(r.r32(kTssABase + 0x38) == 0);  // no ESP saved
  CHECK(r.r8(kGdt + kTssA + 5) == 0x8B);
  CHECK(r.r8(kGdt + kTssB + 5) == 0x89);
}

}  // namespace
