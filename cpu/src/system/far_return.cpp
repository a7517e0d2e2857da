// Far RET and IRET in real, virtual-8086 and protected mode (SDM Vol. 2, RET and IRET/IRETD
// pseudocode; Vol. 3A 5.8.6 "Returning from a Called Procedure", 6.12.1, 20.2.7 and 20.3).
//
// Every value is read from the stack (peek), every descriptor checked and the Accessed-bit writes
// mapped before anything is committed (commit_return), so a fault restarts the instruction with
// ESP, EFLAGS and the segment registers as they were. Returning to an outer ring reloads SS:ESP
// from the frame and nulls any data segment register the outer ring may not use (DPL < new CPL,
// unless conforming code).
#include "../system/privilege.h"
#include "transfer.h"

namespace pcjit::cpu {

namespace {

template <class T>
Exec peek_as(Context& c, u32 off, unsigned w, T& out) {
  if (w == 4) {
    u32 v = 0;
    PCJIT_TRY(c.peek<u32>(off, v));
    out = static_cast<T>(v);
  } else {
    u16 v = 0;
    PCJIT_TRY(c.peek<u16>(off, v));
    out = static_cast<T>(v);
  }
  return Exec::Ok;
}

void advance_sp(Context& c, u32 bytes) { c.set_sp((c.sp() + bytes) & c.sp_mask()); }

// Checks the CS selector popped by RET/IRET in protected mode (same rules for both).
Exec check_return_cs(Context& c, u16 cs, Descriptor& d) {
  const u32 err = cs & 0xFFFC;
  const u8 rpl = cs & 3;
  if (is_null_selector(cs)) return c.raise_gp(0);
  PCJIT_TRY(read_descriptor(c, cs, d, vec::GP));
  if (!d.is_code() || rpl < c.s.cpl) return c.raise_gp(err);
  if (d.conforming() ? d.dpl() > rpl : d.dpl() != rpl) return c.raise_gp(err);
  if (!d.present()) return c.raise(vec::NP, err);
  return Exec::Ok;
}

// SS popped when returning to ring rpl: writable data with RPL == DPL == rpl.
Exec check_return_ss(Context& c, u16 ss, u8 rpl, Descriptor& d) {
  const u32 err = ss & 0xFFFC;
  if (is_null_selector(ss)) return c.raise_gp(0);
  PCJIT_TRY(read_descriptor(c, ss, d, vec::GP));
  if ((ss & 3u) != rpl || !d.data_writable() || d.dpl() != rpl) return c.raise_gp(err);
  if (!d.present()) return c.raise(vec::SS, err);
  return Exec::Ok;
}

// After a return to an outer ring (SDM RET: "FOR each of segment register ES, FS, GS, DS").
void null_inaccessible_segments(CpuState& s) {
  for (unsigned k : {ES, FS, GS, DS}) {
    Segment& sg = s.seg[k];
    if (!sg.valid) continue;
    const u8 dpl = (sg.attrs >> attr::DPL_SHIFT) & 3;
    const bool conforming_code = (sg.attrs & 0x0C) == 0x0C;
    if (!conforming_code && dpl < s.cpl) load_null(sg, 0);
  }
}

// A 16-bit pop of SP for an outer 32-bit stack zero-extends; for a 16-bit stack only SP changes.
u32 outer_sp(const CpuState& s, u32 popped, unsigned w, const Descriptor& ssd) {
  if (w == 4 || ssd.big()) return popped;
  return (s.reg32(ESP) & 0xFFFF0000u) | (popped & 0xFFFF);
}

// ESP after releasing `bytes` from the current stack (only SP changes on a 16-bit stack).
u32 esp_after(const Context& c, u32 bytes) {
  const u32 mask = c.sp_mask();
  const u32 esp = c.s.reg32(ESP);
  return (esp & ~mask) | ((esp + bytes) & mask);
}

// A checked protected-mode return: CS:EIP, the whole new ESP, an outer SS and IRET's EFLAGS.
struct ReturnTarget {
  u16 cs = 0;
  Descriptor cd;
  u32 eip = 0;
  u32 esp = 0;
  bool outer = false;  // to an outer ring: SS comes from the frame too
  u16 ss = 0;
  Descriptor ssd;
  bool iret = false;   // EFLAGS = eflags
  u32 eflags = 0;
};

// Commits a checked return. Its only steps that can still fault are the Accessed-bit writes to
// the CS and SS descriptors (#PF when the table's page is read-only with CR0.WP set), so both are
// mapped before ESP, EFLAGS or any segment changes: a Fault here has committed nothing.
Exec commit_return(Context& c, ReturnTarget& t) {
  CpuState& s = c.s;
  SysWrites<2> w;
  PCJIT_TRY(w.add_accessed(c, t.cs, t.cd));
  if (t.outer) PCJIT_TRY(w.add_accessed(c, t.ss, t.ssd));
  w.store(c);
  load_cache(s.seg[CS], t.cs, t.cd);
  s.rip = t.eip;
  s.set_reg32(ESP, t.esp);
  if (t.iret) s.eflags = t.eflags;
  if (t.outer) {
    load_cache(s.seg[SS], t.ss, t.ssd);
    c.set_cpl(t.cs & 3);
    null_inaccessible_segments(s);
  }
  c.update_mode_flags();
  return Exec::Stop;
}

Exec far_return_protected(Context& c, unsigned w, u16 pop_bytes) {
  CpuState& s = c.s;
  ReturnTarget t;
  PCJIT_TRY(peek_as(c, 0, w, t.eip));
  PCJIT_TRY(peek_as(c, w, w, t.cs));
  PCJIT_TRY(check_return_cs(c, t.cs, t.cd));
  if (t.eip > t.cd.limit()) return c.raise_gp(0);
  const u8 rpl = t.cs & 3;
  if (rpl == s.cpl) {
    t.esp = esp_after(c, 2 * w + pop_bytes);
    return commit_return(c, t);
  }
  u32 esp = 0;
  PCJIT_TRY(peek_as(c, 2 * w + pop_bytes, w, esp));
  PCJIT_TRY(peek_as(c, 3 * w + pop_bytes, w, t.ss));
  PCJIT_TRY(check_return_ss(c, t.ss, rpl, t.ssd));
  esp = outer_sp(s, esp, w, t.ssd);
  // The immediate is released from the outer stack too (SDM RET: ESP <- ESP + SRC).
  const u32 mask = (t.ssd.big()) ? 0xFFFFFFFFu : 0xFFFFu;
  t.esp = (esp & ~mask) | ((esp + pop_bytes) & mask);
  t.outer = true;
  return commit_return(c, t);
}

// EFLAGS bits IRET may change, by privilege (SDM IRET: IF needs CPL <= IOPL, IOPL needs CPL 0).
u32 iret_flags(const CpuState& s, u32 popped, unsigned w) {
  u32 mask = flag::kArith | flag::TF | flag::DF | flag::NT;
  if (w == 4) mask |= flag::RF | flag::AC | flag::ID;
  if (s.cpl <= iopl(s)) mask |= flag::IF;
  if (s.cpl == 0) {
    mask |= flag::IOPL;
    if (w == 4) mask |= flag::VIF | flag::VIP;
  }
  if (w == 2) mask &= 0xFFFF;
  return (s.eflags & ~mask) | (popped & mask) | flag::kFixedOne;
}

// IRET at CPL 0 with VM set in the popped EFLAGS (SDM IRET, RETURN-TO-VIRTUAL-8086-MODE).
Exec iret_to_v86(Context& c, u32 eip, u16 cs, u32 eflags) {
  CpuState& s = c.s;
  u32 v[6];  // ESP SS ES DS FS GS
  for (unsigned k = 0; k < 6; ++k) PCJIT_TRY(c.peek<u32>(12 + 4 * k, v[k]));
  if (eip > 0xFFFF) return c.raise_gp(0);
  s.eflags = (eflags & 0x003F7FD5u) | flag::kFixedOne;
  c.set_cpl(3);
  c.load_seg_real(CS, cs);
  c.load_seg_real(SS, static_cast<u16>(v[1]));
  c.load_seg_real(ES, static_cast<u16>(v[2]));
  c.load_seg_real(DS, static_cast<u16>(v[3]));
  c.load_seg_real(FS, static_cast<u16>(v[4]));
  c.load_seg_real(GS, static_cast<u16>(v[5]));
  s.set_reg32(ESP, v[0]);
  s.rip = eip;
  return Exec::Stop;
}

Exec iret_protected(Context& c, unsigned w, u32 return_eip) {
  CpuState& s = c.s;
  if (s.eflags & flag::NT) return task_return(c, return_eip);
  ReturnTarget t;
  u32 eflags = 0;
  PCJIT_TRY(peek_as(c, 0, w, t.eip));
  PCJIT_TRY(peek_as(c, w, w, t.cs));
  PCJIT_TRY(peek_as(c, 2 * w, w, eflags));
  if (w == 4 && (eflags & flag::VM) && s.cpl == 0) return iret_to_v86(c, t.eip, t.cs, eflags);
  PCJIT_TRY(check_return_cs(c, t.cs, t.cd));
  if (t.eip > t.cd.limit()) return c.raise_gp(0);
  const u8 rpl = t.cs & 3;
  t.iret = true;
  t.eflags = iret_flags(s, eflags, w);  // by the CPL the IRET runs at
  if (rpl == s.cpl) {
    t.esp = esp_after(c, 3 * w);
    return commit_return(c, t);
  }
  u32 esp = 0;
  PCJIT_TRY(peek_as(c, 3 * w, w, esp));
  PCJIT_TRY(peek_as(c, 4 * w, w, t.ss));
  PCJIT_TRY(check_return_ss(c, t.ss, rpl, t.ssd));
  t.esp = outer_sp(s, esp, w, t.ssd);
  t.outer = true;
  return commit_return(c, t);
}

// IRET in virtual-8086 mode: allowed at IOPL 3; with CR4.VME a 16-bit IRET at IOPL < 3 works on
// VIF instead of IF (SDM 20.3.3 and IRET pseudocode).
Exec iret_v86(Context& c, unsigned w) {
  CpuState& s = c.s;
  const bool vme16 = (s.cr4 & cr4::VME) && w == 2;
  if (iopl(s) != 3 && !vme16) return c.raise_gp(0);
  u32 eip = 0, eflags = 0;
  u16 cs = 0;
  PCJIT_TRY(peek_as(c, 0, w, eip));
  PCJIT_TRY(peek_as(c, w, w, cs));
  PCJIT_TRY(peek_as(c, 2 * w, w, eflags));
  if (eip > 0xFFFF) return c.raise_gp(0);
  u32 keep;
  if (iopl(s) == 3) {
    keep = flag::VM | flag::IOPL | flag::VIP | flag::VIF | (w == 2 ? 0xFFFF0000u : 0);
  } else {
    if (((eflags & flag::IF) && (s.eflags & flag::VIP)) || (eflags & flag::TF)) return c.raise_gp(0);
    keep = flag::IF | flag::IOPL | 0xFFFF0000u;
    s.eflags = (s.eflags & ~flag::VIF) | ((eflags & flag::IF) ? flag::VIF : 0);
  }
  advance_sp(c, 3 * w);
  s.eflags = (s.eflags & keep) | (eflags & ~keep & 0x003F7FD5u) | flag::kFixedOne;
  c.load_seg_real(CS, cs);
  s.rip = eip;
  c.update_mode_flags();
  return Exec::Stop;
}

Exec iret_real(Context& c, unsigned w) {
  CpuState& s = c.s;
  u32 eip = 0, eflags = 0;
  u16 cs = 0;
  PCJIT_TRY(peek_as(c, 0, w, eip));
  PCJIT_TRY(peek_as(c, w, w, cs));
  PCJIT_TRY(peek_as(c, 2 * w, w, eflags));
  if (eip > s.seg[CS].limit) return c.raise_gp(0);
  advance_sp(c, 3 * w);
  if (w == 4) s.eflags = (eflags & 0x257FD5u) | (s.eflags & 0x1A0000u) | flag::kFixedOne;
  else s.eflags = (s.eflags & 0xFFFF0000u) | (eflags & 0x7FD5u) | flag::kFixedOne;
  c.load_seg_real(CS, cs);
  s.rip = eip;
  c.update_mode_flags();
  return Exec::Stop;
}

}  // namespace

Exec far_return(Context& c, unsigned opsz, u16 pop_bytes) {
  CpuState& s = c.s;
  if (!s.protected_mode() || s.v86()) {
    u32 eip = 0;
    u16 cs = 0;
    PCJIT_TRY(peek_as(c, 0, opsz, eip));
    PCJIT_TRY(peek_as(c, opsz, opsz, cs));
    const u32 limit = s.v86() ? 0xFFFF : s.seg[CS].limit;
    if (eip > limit) return c.raise_gp(0);
    advance_sp(c, 2 * opsz + pop_bytes);
    c.load_seg_real(CS, cs);
    s.rip = eip;
    return Exec::Stop;
  }
  return far_return_protected(c, opsz, pop_bytes);
}

Exec interrupt_return(Context& c, unsigned opsz, u32 return_eip) {
  CpuState& s = c.s;
  s.nmi_blocked = false;
  if (!s.protected_mode()) return iret_real(c, opsz);
  if (s.v86()) return iret_v86(c, opsz);
  return iret_protected(c, opsz, return_eip);
}

}  // namespace pcjit::cpu
