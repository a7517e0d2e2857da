// Far RET and IRET in real, virtual-8086 and protected mode (SDM Vol. 2, RET and IRET/IRETD
// pseudocode; Vol. 3A 5.8.6 "Returning from a Called Procedure", 6.12.1, 20.2.7 and 20.3).
//
// Every value is read from the stack (peek) and every descriptor checked before anything is
// committed. Returning to an outer ring reloads SS:ESP from the frame and nulls any data segment
// register the outer ring may not use (DPL < new CPL, unless conforming code).
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

// Commits a protected-mode return to CS:EIP, with an optional outer SS:ESP.
Exec commit_return(Context& c, u16 cs, Descriptor& cd, u32 eip, bool outer, u16 ss, Descriptor& ssd, u32 esp) {
  CpuState& s = c.s;
  PCJIT_TRY(set_accessed(c, cs, cd));
  if (outer) PCJIT_TRY(set_accessed(c, ss, ssd));
  load_cache(s.seg[CS], cs, cd);
  s.rip = eip;
  if (outer) {
    load_cache(s.seg[SS], ss, ssd);
    s.set_reg32(ESP, esp);
    c.set_cpl(cs & 3);
    null_inaccessible_segments(s);
  }
  return Exec::Stop;
}

Exec far_return_protected(Context& c, unsigned w, u16 pop_bytes) {
  CpuState& s = c.s;
  u32 eip = 0;
  u16 cs = 0;
  PCJIT_TRY(peek_as(c, 0, w, eip));
  PCJIT_TRY(peek_as(c, w, w, cs));
  Descriptor cd;
  PCJIT_TRY(check_return_cs(c, cs, cd));
  if (eip > cd.limit()) return c.raise_gp(0);
  const u8 rpl = cs & 3;
  if (rpl == s.cpl) {
    advance_sp(c, 2 * w + pop_bytes);
    Descriptor none;
    return commit_return(c, cs, cd, eip, false, 0, none, 0);
  }
  u32 esp = 0;
  u16 ss = 0;
  PCJIT_TRY(peek_as(c, 2 * w + pop_bytes, w, esp));
  PCJIT_TRY(peek_as(c, 3 * w + pop_bytes, w, ss));
  Descriptor ssd;
  PCJIT_TRY(check_return_ss(c, ss, rpl, ssd));
  esp = outer_sp(s, esp, w, ssd);
  // The immediate is released from the outer stack too (SDM RET: ESP <- ESP + SRC).
  const u32 mask = (ssd.big()) ? 0xFFFFFFFFu : 0xFFFFu;
  esp = (esp & ~mask) | ((esp + pop_bytes) & mask);
  return commit_return(c, cs, cd, eip, true, ss, ssd, esp);
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
  u32 eip = 0, eflags = 0;
  u16 cs = 0;
  PCJIT_TRY(peek_as(c, 0, w, eip));
  PCJIT_TRY(peek_as(c, w, w, cs));
  PCJIT_TRY(peek_as(c, 2 * w, w, eflags));
  if (w == 4 && (eflags & flag::VM) && s.cpl == 0) return iret_to_v86(c, eip, cs, eflags);
  Descriptor cd;
  PCJIT_TRY(check_return_cs(c, cs, cd));
  if (eip > cd.limit()) return c.raise_gp(0);
  const u8 rpl = cs & 3;
  const u32 new_flags = iret_flags(s, eflags, w);
  if (rpl == s.cpl) {
    advance_sp(c, 3 * w);
    s.eflags = new_flags;
    Descriptor none;
    PCJIT_TRY(commit_return(c, cs, cd, eip, false, 0, none, 0));
    c.update_mode_flags();
    return Exec::Stop;
  }
  u32 esp = 0;
  u16 ss = 0;
  PCJIT_TRY(peek_as(c, 3 * w, w, esp));
  PCJIT_TRY(peek_as(c, 4 * w, w, ss));
  Descriptor ssd;
  PCJIT_TRY(check_return_ss(c, ss, rpl, ssd));
  esp = outer_sp(s, esp, w, ssd);
  s.eflags = new_flags;
  return commit_return(c, cs, cd, eip, true, ss, ssd, esp);
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
