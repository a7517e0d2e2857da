// Protected-mode and virtual-8086 event delivery through the IDT (SDM Vol. 3A 6.10-6.13, and the
// INT n / INTO / INT3 pseudocode in Vol. 2): interrupt, trap and task gates; same-privilege and
// inter-privilege delivery with the stack switch from the TSS; the v86 exit that saves and nulls
// the data segments.
//
// EXT (bit 0 of error codes) is set for events not caused by an INT-type instruction. Software
// INT n / INT3 / INTO check the gate DPL against CPL; hardware events, exceptions and ICEBP do not.
#include "events.h"
#include "transfer.h"

namespace pcjit::cpu {

namespace {

bool is_software(EventKind k) {
  return k == EventKind::Software || k == EventKind::Int3 || k == EventKind::Into;
}

bool is_idt_gate(u8 type) {
  return type == sys_type::kTaskGate || type == sys_type::kIntGate16 || type == sys_type::kTrapGate16 ||
         type == sys_type::kIntGate32 || type == sys_type::kTrapGate32;
}

// Fault-class exceptions push EFLAGS with RF set, so the IRET that restarts the faulting
// instruction does not re-trigger an instruction breakpoint (SDM Vol. 3A 17.3.1.1).
bool is_fault_vector(u8 v) {
  switch (v) {
    case vec::DE: case vec::BR: case vec::UD: case vec::NM: case vec::TS: case vec::NP:
    case vec::SS: case vec::GP: case vec::PF: case vec::MF: case vec::AC: case vec::XM: return true;
    default: return false;
  }
}

// Task gate: switch tasks, then push the error code on the new task's stack (SDM 6.12.2).
Exec deliver_task_gate(Context& c, const Descriptor& g, u32 ext, u32 error, bool has_error, u32 return_eip) {
  const Exec r = switch_to_tss_selector(c, g.gate_selector(), TaskSwitchKind::Interrupt, return_eip, ext);
  if (r == Exec::Fault) return r;
  if (has_error) {
    const bool tss32 = c.s.tr.attrs & 8;
    const Exec p = tss32 ? c.push<u32>(error) : c.push<u16>(static_cast<u16>(error));
    if (p != Exec::Ok) return p;  // the fault belongs to the new task
  }
  return Exec::Stop;
}

}  // namespace

Exec deliver_protected(Context& c, u8 vector, EventKind kind, u32 error, bool has_error, u32 return_eip) {
  CpuState& s = c.s;
  const bool soft = is_software(kind);
  const u32 ext = soft ? 0 : 1;
  const u32 idt_err = u32{vector} * 8 + 2 + ext;

  // Gate.
  if (u32{vector} * 8 + 7 > s.idtr.limit) return c.raise_gp(idt_err);
  Descriptor g;
  PCJIT_TRY(c.read_sys<u32>(s.idtr.base + u32{vector} * 8, g.lo));
  PCJIT_TRY(c.read_sys<u32>(s.idtr.base + u32{vector} * 8 + 4, g.hi));
  if (!g.is_system() || !is_idt_gate(g.type())) return c.raise_gp(idt_err);
  if (soft && g.dpl() < s.cpl) return c.raise_gp(u32{vector} * 8 + 2);
  if (!g.present()) return c.raise(vec::NP, idt_err);
  if (g.type() == sys_type::kTaskGate) return deliver_task_gate(c, g, ext, error, has_error, return_eip);

  // Target code segment.
  const u16 sel = g.gate_selector();
  if (is_null_selector(sel)) return c.raise_gp(ext);
  Descriptor cd;
  PCJIT_TRY(read_descriptor(c, sel, cd, vec::GP, ext));
  const u32 cerr = (sel & 0xFFFC) | ext;
  if (!cd.is_code() || cd.dpl() > s.cpl) return c.raise_gp(cerr);
  if (!cd.present()) return c.raise(vec::NP, cerr);
  const bool gate32 = g.gate32();
  const unsigned w = gate32 ? 4 : 2;
  const u32 target = gate32 ? g.gate_offset() : (g.gate_offset() & 0xFFFF);
  const bool inner = !cd.conforming() && cd.dpl() < s.cpl;
  const bool from_v86 = s.v86();
  // From v86 mode the handler must be a ring-0 non-conforming segment (SDM 20.3.1.1).
  if (from_v86 && (!inner || cd.dpl() != 0)) return c.raise_gp(cerr);
  if (target > cd.limit()) return c.raise_gp(ext);

  const u8 new_cpl = inner ? cd.dpl() : s.cpl;
  const u32 old_eflags =
      (kind == EventKind::Exception && is_fault_vector(vector)) ? (s.eflags | flag::RF) : s.eflags;
  const u16 old_cs = s.seg[CS].selector;

  if (inner) {
    u16 nss = 0;
    u32 nesp = 0;
    Descriptor ssd;
    PCJIT_TRY(fetch_inner_stack(c, new_cpl, ext, nss, nesp, ssd));
    Segment new_ss;
    load_cache(new_ss, nss, ssd);
    StackFrame f(new_ss, nesp, w, new_cpl == 3, (nss & 0xFFFC) | ext);
    if (from_v86) {
      f.add(s.seg[GS].selector);
      f.add(s.seg[FS].selector);
      f.add(s.seg[DS].selector);
      f.add(s.seg[ES].selector);
    }
    f.add(s.seg[SS].selector);
    f.add(s.reg32(ESP));
    f.add(old_eflags);
    f.add(old_cs);
    f.add(return_eip);
    if (has_error) f.add(error);
    PCJIT_TRY(f.check(c));
    SysWrites<2> a;  // both Accessed bits mapped before either is written
    PCJIT_TRY(a.add_accessed(c, nss, ssd));
    PCJIT_TRY(a.add_accessed(c, sel, cd));
    a.store(c);
    f.store(c);
    if (from_v86) {
      for (unsigned r : {GS, FS, DS, ES}) load_null(s.seg[r], 0);
    }
    load_cache(s.seg[SS], nss, ssd);
    s.set_reg32(ESP, f.new_esp());
  } else {
    StackFrame f(s.seg[SS], s.reg32(ESP), w, s.cpl == 3, ext);
    f.add(old_eflags);
    f.add(old_cs);
    f.add(return_eip);
    if (has_error) f.add(error);
    PCJIT_TRY(f.check(c));
    PCJIT_TRY(set_accessed(c, sel, cd));
    f.store(c);
    s.set_reg32(ESP, f.new_esp());
  }
  load_cache(s.seg[CS], static_cast<u16>((sel & 0xFFFC) | new_cpl), cd);
  s.rip = target;
  s.eflags &= ~(flag::TF | flag::NT | flag::RF | flag::VM);
  if (g.type() == sys_type::kIntGate16 || g.type() == sys_type::kIntGate32) s.eflags &= ~flag::IF;
  c.set_cpl(new_cpl);
  return Exec::Stop;
}

}  // namespace pcjit::cpu
