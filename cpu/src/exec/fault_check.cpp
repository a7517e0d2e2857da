// fault_commit_violation(): the allowed changes are applied to a copy of `after` (each field the
// SDM lets a fault change is reset to its `before` value), then every CpuState field is compared
// in declaration order and the first difference is named. The size check below fails when a
// field is added to CpuState, so the comparison cannot silently miss it.
#include "fault_check.h"

#include <fmt/format.h>

#include <string_view>

namespace pcjit::cpu {

namespace {

static_assert(sizeof(CpuState) == 792, "a CpuState field was added or removed: compare it in fault_commit_violation");

// Vector numbers (the same as vec:: in context.h; this file depends on the public state only).
constexpr u8 kDB = 1, kUD = 6, kPF = 14, kXM = 19;
constexpr u32 kMxcsrFlags = 0x3F;

constexpr std::string_view kGprNames[16] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                            "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
constexpr std::string_view kSegNames[kSegCount] = {"es", "cs", "ss", "ds", "fs", "gs"};

// Remembers the first differing field (or, with all, every one).
class FirstDifference {
 public:
  explicit FirstDifference(bool all = false) : all_(all) {}
  template <class T>
  void field(std::string_view name, T old_value, T new_value) {
    if ((!all_ && !text_.empty()) || old_value == new_value) return;
    if (!text_.empty()) text_ += "; ";
    text_ += fmt::format("{}: {:#x} -> {:#x}", name, static_cast<u64>(old_value), static_cast<u64>(new_value));
  }
  template <class T>
  void field(std::string_view prefix, std::string_view name, T old_value, T new_value) {
    if ((!all_ && !text_.empty()) || old_value == new_value) return;
    field(fmt::format("{}.{}", prefix, name), old_value, new_value);
  }
  void segment(std::string_view name, const Segment& a, const Segment& b) {
    field(name, "selector", a.selector, b.selector);
    field(name, "attrs", a.attrs, b.attrs);
    field(name, "base", a.base, b.base);
    field(name, "limit", a.limit, b.limit);
    field(name, "lo", a.lo, b.lo);
    field(name, "hi", a.hi, b.hi);
    field(name, "readable", a.readable, b.readable);
    field(name, "writable", a.writable, b.writable);
    field(name, "valid", a.valid, b.valid);
  }
  void table(std::string_view name, const TableReg& a, const TableReg& b) {
    field(name, "base", a.base, b.base);
    field(name, "limit", a.limit, b.limit);
  }
  const std::string& text() const { return text_; }

 private:
  bool all_;
  std::string text_;
};

std::string compare(const CpuState& a, const CpuState& b, bool all = false) {
  FirstDifference d(all);
  for (unsigned r = 0; r < 16; ++r) d.field(kGprNames[r], a.gpr[r], b.gpr[r]);
  d.field("rip", a.rip, b.rip);
  d.field("eflags", a.eflags, b.eflags);
  d.field("cpl", a.cpl, b.cpl);
  d.field("halted", a.halted, b.halted);
  d.field("irq_shadow", a.irq_shadow, b.irq_shadow);
  d.field("nmi_blocked", a.nmi_blocked, b.nmi_blocked);
  for (unsigned k = 0; k < kSegCount; ++k) d.segment(kSegNames[k], a.seg[k], b.seg[k]);
  d.segment("ldtr", a.ldtr, b.ldtr);
  d.segment("tr", a.tr, b.tr);
  d.table("gdtr", a.gdtr, b.gdtr);
  d.table("idtr", a.idtr, b.idtr);
  d.field("cr0", a.cr0, b.cr0);
  d.field("cr2", a.cr2, b.cr2);
  d.field("cr3", a.cr3, b.cr3);
  d.field("cr4", a.cr4, b.cr4);
  for (unsigned k = 0; k < 8; ++k) d.field(fmt::format("dr{}", k), a.dr[k], b.dr[k]);
  d.field("tsc_offset", a.tsc_offset, b.tsc_offset);
  d.field("sysenter_cs", a.sysenter_cs, b.sysenter_cs);
  d.field("sysenter_esp", a.sysenter_esp, b.sysenter_esp);
  d.field("sysenter_eip", a.sysenter_eip, b.sysenter_eip);
  d.field("apic_base", a.apic_base, b.apic_base);
  d.field("pat", a.pat, b.pat);
  d.field("misc_enable", a.misc_enable, b.misc_enable);
  const FpuState& fa = a.fpu;
  const FpuState& fb = b.fpu;
  for (unsigned k = 0; k < 8; ++k) {
    d.field(fmt::format("fpu.r{}.mant", k), fa.r[k].mant, fb.r[k].mant);
    d.field(fmt::format("fpu.r{}.se", k), fa.r[k].se, fb.r[k].se);
  }
  d.field("fpu", "cw", fa.cw, fb.cw);
  d.field("fpu", "sw", fa.sw, fb.sw);
  d.field("fpu", "valid", fa.valid, fb.valid);
  d.field("fpu", "fop", fa.fop, fb.fop);
  d.field("fpu", "fcs", fa.fcs, fb.fcs);
  d.field("fpu", "fds", fa.fds, fb.fds);
  d.field("fpu", "fip", fa.fip, fb.fip);
  d.field("fpu", "fdp", fa.fdp, fb.fdp);
  for (unsigned k = 0; k < 8; ++k) {
    d.field(fmt::format("xmm{}.lo", k), a.xmm[k][0], b.xmm[k][0]);
    d.field(fmt::format("xmm{}.hi", k), a.xmm[k][1], b.xmm[k][1]);
  }
  d.field("mxcsr", a.mxcsr, b.mxcsr);
  return d.text();
}

}  // namespace

std::string state_differences(const CpuState& a, const CpuState& b) { return compare(a, b, true); }

std::string fault_commit_violation(const CpuState& before, const CpuState& after, u8 vector,
                                   bool partial_rep_string) {
  // A task switch past its commit point: the fault belongs to the new task.
  if (after.tr.selector != before.tr.selector || after.tr.base != before.tr.base) return "";
  CpuState a = after;
  if (vector == kPF) a.cr2 = before.cr2;
  if (vector == kDB) a.dr[6] = before.dr[6];
  if ((vector == kXM || vector == kUD) && (a.mxcsr & ~kMxcsrFlags) == (before.mxcsr & ~kMxcsrFlags) &&
      (a.mxcsr & before.mxcsr) == before.mxcsr)
    a.mxcsr = before.mxcsr;  // flags only ever set, nothing else changed
  if (before.nmi_blocked && !a.nmi_blocked) a.nmi_blocked = true;
  if (partial_rep_string) {
    for (unsigned r : {ECX, ESI, EDI}) a.gpr[r] = before.gpr[r];
    a.eflags = (a.eflags & ~flag::kArith) | (before.eflags & flag::kArith);
  }
  std::string diff = compare(before, a);
  if (diff.empty()) return diff;
  return fmt::format("fault (vector {}) committed {}", vector, diff);
}

}  // namespace pcjit::cpu
