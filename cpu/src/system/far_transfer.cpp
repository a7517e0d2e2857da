// Far JMP and far CALL in real, virtual-8086 and protected mode (SDM Vol. 2, JMP and CALL
// pseudocode; Vol. 3A 5.8 "Privilege Level Checking When Transferring Program Control Between
// Code Segments").
//
// Protected-mode targets: a code segment (conforming or not), a call gate (16/32-bit; CALL through
// a gate to a more privileged non-conforming segment switches to the inner stack from the TSS and
// copies the gate's parameter count of stack words), a task gate or an available TSS (task switch).
#include "transfer.h"

namespace pcjit::cpu {

namespace {

// Direct code-segment target: conforming needs DPL <= CPL; non-conforming RPL <= CPL == DPL.
Exec check_direct_code(Context& c, u16 sel, const Descriptor& d) {
  const u8 cpl = c.s.cpl;
  const u32 err = sel & 0xFFFC;
  if (d.conforming() ? d.dpl() > cpl : ((sel & 3u) > cpl || d.dpl() != cpl)) return c.raise_gp(err);
  if (!d.present()) return c.raise(vec::NP, err);
  return Exec::Ok;
}

// Real and v86 mode: no checks beyond the CS limit, which real mode keeps from the cache.
Exec far_real(Context& c, u16 sel, u32 offset, unsigned opsz, bool call, u32 return_eip) {
  CpuState& s = c.s;
  if (opsz == 2) offset &= 0xFFFF;
  const u32 limit = s.v86() ? 0xFFFF : s.seg[CS].limit;
  if (offset > limit) return c.raise_gp(0);
  if (call) {
    StackFrame f(s.seg[SS], s.reg32(ESP), opsz, c.user_access(), 0);
    f.add(s.seg[CS].selector);
    f.add(return_eip);
    PCJIT_TRY(f.check(c));
    f.store(c);
    s.set_reg32(ESP, f.new_esp());
  }
  c.load_seg_real(CS, sel);
  s.rip = offset;
  return Exec::Stop;
}

// Same-privilege transfer to a code segment, optionally pushing the return CS:EIP (width w).
Exec enter_same_level(Context& c, u16 sel, Descriptor& d, u32 offset, bool call, unsigned w, u32 return_eip) {
  CpuState& s = c.s;
  if (offset > d.limit()) return c.raise_gp(0);
  if (call) {
    StackFrame f(s.seg[SS], s.reg32(ESP), w, c.user_access(), 0);
    f.add(s.seg[CS].selector);
    f.add(return_eip);
    PCJIT_TRY(f.check(c));
    PCJIT_TRY(set_accessed(c, sel, d));
    f.store(c);
    s.set_reg32(ESP, f.new_esp());
  } else {
    PCJIT_TRY(set_accessed(c, sel, d));
  }
  load_cache(s.seg[CS], static_cast<u16>((sel & 0xFFFC) | s.cpl), d);
  s.rip = offset;
  return Exec::Stop;
}

// CALL through a call gate to a more privileged non-conforming segment (SDM Vol. 2, CALL,
// "MORE-PRIVILEGE"): new SS:ESP from the TSS; push old SS, ESP, the parameters, CS, EIP.
Exec call_gate_inner(Context& c, const Descriptor& gate, u16 cs_sel, Descriptor& cd, u32 return_eip) {
  CpuState& s = c.s;
  const u8 ring = cd.dpl();
  const unsigned w = gate.gate32() ? 4 : 2;
  const u32 offset = w == 4 ? gate.gate_offset() : gate.gate_offset() & 0xFFFF;
  u16 nss = 0;
  u32 nesp = 0;
  Descriptor ssd;
  PCJIT_TRY(fetch_inner_stack(c, ring, 0, nss, nesp, ssd));
  Segment new_ss;
  load_cache(new_ss, nss, ssd);
  StackFrame f(new_ss, nesp, w, false, nss & 0xFFFC);
  f.add(s.seg[SS].selector);
  f.add(s.reg32(ESP));
  // The count is guest data: bound it by the field width the frame was sized for.
  const unsigned n = gate.gate_params() & kMaxGateParams;
  static_assert(StackFrame::kMaxSlots >= 2 + kMaxGateParams + 2, "SS, ESP, the parameters, CS, EIP");
  for (unsigned k = n; k-- > 0;) {
    const u32 off = (c.sp() + k * w) & c.sp_mask();
    if (w == 4) {
      u32 v = 0;
      PCJIT_TRY(c.read<u32>(SS, off, v));
      f.add(v);
    } else {
      u16 v = 0;
      PCJIT_TRY(c.read<u16>(SS, off, v));
      f.add(v);
    }
  }
  f.add(s.seg[CS].selector);
  f.add(return_eip);
  if (offset > cd.limit()) return c.raise_gp(0);
  PCJIT_TRY(f.check(c));
  // Both Accessed bits are mapped before either is written, so a #PF on the second leaves the
  // first descriptor untouched too.
  SysWrites<2> a;
  PCJIT_TRY(a.add_accessed(c, nss, ssd));
  PCJIT_TRY(a.add_accessed(c, cs_sel, cd));
  a.store(c);
  f.store(c);
  load_cache(s.seg[SS], nss, ssd);
  s.set_reg32(ESP, f.new_esp());
  load_cache(s.seg[CS], static_cast<u16>((cs_sel & 0xFFFC) | ring), cd);
  s.rip = offset;
  c.set_cpl(ring);
  return Exec::Stop;
}

Exec through_call_gate(Context& c, u16 gate_sel, const Descriptor& gate, bool call, u32 return_eip) {
  CpuState& s = c.s;
  const u32 gerr = gate_sel & 0xFFFC;
  if (gate.dpl() < s.cpl || gate.dpl() < (gate_sel & 3u)) return c.raise_gp(gerr);
  if (!gate.present()) return c.raise(vec::NP, gerr);
  const u16 cs_sel = gate.gate_selector();
  if (is_null_selector(cs_sel)) return c.raise_gp(0);
  Descriptor cd;
  PCJIT_TRY(read_descriptor(c, cs_sel, cd, vec::GP));
  const u32 cerr = cs_sel & 0xFFFC;
  if (!cd.is_code() || cd.dpl() > s.cpl) return c.raise_gp(cerr);
  // JMP through a gate cannot change privilege: non-conforming targets need DPL == CPL.
  if (!call && !cd.conforming() && cd.dpl() != s.cpl) return c.raise_gp(cerr);
  if (!cd.present()) return c.raise(vec::NP, cerr);
  if (call && !cd.conforming() && cd.dpl() < s.cpl) return call_gate_inner(c, gate, cs_sel, cd, return_eip);
  const unsigned w = gate.gate32() ? 4 : 2;
  const u32 offset = w == 4 ? gate.gate_offset() : gate.gate_offset() & 0xFFFF;
  return enter_same_level(c, cs_sel, cd, offset, call, w, return_eip);
}

Exec far_protected(Context& c, u16 sel, u32 offset, unsigned opsz, bool call, u32 return_eip) {
  CpuState& s = c.s;
  if (is_null_selector(sel)) return c.raise_gp(0);
  Descriptor d;
  PCJIT_TRY(read_descriptor(c, sel, d, vec::GP));
  const u32 err = sel & 0xFFFC;
  if (d.is_code()) {
    PCJIT_TRY(check_direct_code(c, sel, d));
    if (opsz == 2) offset &= 0xFFFF;
    return enter_same_level(c, sel, d, offset, call, opsz, return_eip);
  }
  if (!d.is_system()) return c.raise_gp(err);
  const TaskSwitchKind kind = call ? TaskSwitchKind::Call : TaskSwitchKind::Jump;
  switch (d.type()) {
    case sys_type::kCallGate16:
    case sys_type::kCallGate32:
      return through_call_gate(c, sel, d, call, return_eip);
    case sys_type::kTaskGate:
      if (d.dpl() < s.cpl || d.dpl() < (sel & 3u)) return c.raise_gp(err);
      if (!d.present()) return c.raise(vec::NP, err);
      return switch_to_tss_selector(c, d.gate_selector(), kind, return_eip, 0);
    case sys_type::kTss16Avail:
    case sys_type::kTss32Avail:
      if (d.dpl() < s.cpl || d.dpl() < (sel & 3u)) return c.raise_gp(err);
      if (!d.present()) return c.raise(vec::NP, err);
      return task_switch(c, sel, d, kind, return_eip, 0);
    default:
      return c.raise_gp(err);
  }
}

}  // namespace

Exec far_jump(Context& c, u16 sel, u32 offset, unsigned opsz, u32 return_eip) {
  if (!c.s.protected_mode() || c.s.v86()) return far_real(c, sel, offset, opsz, false, return_eip);
  return far_protected(c, sel, offset, opsz, false, return_eip);
}

Exec far_call(Context& c, u16 sel, u32 offset, unsigned opsz, u32 return_eip) {
  if (!c.s.protected_mode() || c.s.v86()) return far_real(c, sel, offset, opsz, true, return_eip);
  return far_protected(c, sel, offset, opsz, true, return_eip);
}

}  // namespace pcjit::cpu
