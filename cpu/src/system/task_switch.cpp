// Hardware task switching (SDM Vol. 3A, 7.3 "Task Switching", and the task-switch pseudocode in
// Vol. 2 under CALL/JMP/IRET/INT).
//
// Order, chosen for precise restart: (1) read the whole incoming state from the new TSS, which may
// fault with nothing changed; (2) the outgoing state for the old TSS and (3) the back link and
// busy bits, all mapped first and then stored together, so a fault there also changes nothing;
// (4) commit the registers, TR, CR0.TS, CR3, LDTR. From (4) on, a failing segment check is raised
// in the context of the new task (#TS/#NP/#SS with the offending selector), exactly as the SDM
// describes.
#include "transfer.h"

namespace pcjit::cpu {

namespace {

// Byte offsets of the dynamic fields, 32-bit TSS (Figure 7-2) and 16-bit TSS (Figure 7-11).
struct TssLayout {
  u32 eip, eflags, gpr0, seg0, ldt, min_limit;
  unsigned width;  // 4 or 2: register slot size; segment slots are 4 or 2 apart likewise
};
constexpr TssLayout kTss32{0x20, 0x24, 0x28, 0x48, 0x60, 0x67, 4};
constexpr TssLayout kTss16{0x0E, 0x10, 0x12, 0x22, 0x2A, 0x2B, 2};

// The architectural state a task switch loads from a TSS.
struct TaskImage {
  u32 cr3 = 0, eip = 0, eflags = 0;
  u32 gpr[8] = {};
  u16 seg[kSegCount] = {};
  u16 ldt = 0;
  u16 trap = 0;
};

template <class T>
Exec read_field(Context& c, u32 base, u32 off, u32& out) {
  T v{};
  PCJIT_TRY(c.read_sys<T>(base + off, v));
  out = v;
  return Exec::Ok;
}

Exec read_image(Context& c, u32 base, const TssLayout& L, TaskImage& t) {
  const bool w32 = L.width == 4;
  auto rd = [&](u32 off, u32& out) { return w32 ? read_field<u32>(c, base, off, out) : read_field<u16>(c, base, off, out); };
  if (w32) PCJIT_TRY(read_field<u32>(c, base, 0x1C, t.cr3));
  PCJIT_TRY(rd(L.eip, t.eip));
  PCJIT_TRY(rd(L.eflags, t.eflags));
  for (unsigned r = 0; r < 8; ++r) PCJIT_TRY(rd(L.gpr0 + r * L.width, t.gpr[r]));
  const unsigned nseg = w32 ? 6 : 4;  // the 16-bit TSS has no FS/GS
  for (unsigned k = 0; k < nseg; ++k) {
    u32 v = 0;
    PCJIT_TRY(read_field<u16>(c, base, L.seg0 + k * L.width, v));
    t.seg[k] = static_cast<u16>(v);
  }
  u32 v = 0;
  PCJIT_TRY(read_field<u16>(c, base, L.ldt, v));
  t.ldt = static_cast<u16>(v);
  if (w32) {
    PCJIT_TRY(read_field<u16>(c, base, 0x64, v));
    t.trap = static_cast<u16>(v);
  }
  return Exec::Ok;
}

// Queues the outgoing task's dynamic fields (EIP, EFLAGS, GPRs, selectors) for the old TSS.
template <unsigned N>
Exec queue_image(Context& c, SysWrites<N>& w, u32 base, const TssLayout& L, u32 eip, u32 eflags) {
  const CpuState& s = c.s;
  PCJIT_TRY(w.add(c, base + L.eip, L.width, eip));
  PCJIT_TRY(w.add(c, base + L.eflags, L.width, eflags));
  for (unsigned r = 0; r < 8; ++r) PCJIT_TRY(w.add(c, base + L.gpr0 + r * L.width, L.width, s.reg32(r)));
  const unsigned nseg = L.width == 4 ? 6 : 4;
  for (unsigned k = 0; k < nseg; ++k) PCJIT_TRY(w.add(c, base + L.seg0 + k * L.width, 2, s.seg[k].selector));
  return Exec::Ok;
}

// Segment loads in the new task: like MOV Sreg, but failures are #TS(sel) (SDM 7.3 step 13).
Exec load_task_segments(Context& c, const TaskImage& t) {
  CpuState& s = c.s;
  PCJIT_TRY(load_ldtr(c, t.ldt, vec::TS));
  if (s.eflags & flag::VM) {
    for (unsigned k = 0; k < kSegCount; ++k) c.load_seg_real(k, t.seg[k]);
    c.set_cpl(3);
    return Exec::Ok;
  }
  // CS: a code segment; non-conforming needs DPL == RPL, conforming DPL <= RPL.
  const u16 cs = t.seg[CS];
  const u8 cpl = cs & 3;
  Descriptor d;
  if (is_null_selector(cs)) return c.raise(vec::TS, cs & 0xFFFC);
  PCJIT_TRY(read_descriptor(c, cs, d, vec::TS));
  if (!d.is_code() || (d.conforming() ? d.dpl() > cpl : d.dpl() != cpl)) return c.raise(vec::TS, cs & 0xFFFC);
  if (!d.present()) return c.raise(vec::NP, cs & 0xFFFC);
  PCJIT_TRY(set_accessed(c, cs, d));
  load_cache(s.seg[CS], cs, d);
  c.set_cpl(cpl);
  // SS: writable data with RPL == DPL == CPL.
  const u16 ss = t.seg[SS];
  if (is_null_selector(ss)) return c.raise(vec::TS, ss & 0xFFFC);
  PCJIT_TRY(read_descriptor(c, ss, d, vec::TS));
  if (!d.data_writable() || (ss & 3u) != cpl || d.dpl() != cpl) return c.raise(vec::TS, ss & 0xFFFC);
  if (!d.present()) return c.raise(vec::SS, ss & 0xFFFC);
  PCJIT_TRY(set_accessed(c, ss, d));
  load_cache(s.seg[SS], ss, d);
  for (unsigned k : {DS, ES, FS, GS}) {
    const u16 sel = t.seg[k];
    if (is_null_selector(sel)) {
      load_null(s.seg[k], sel);
      continue;
    }
    PCJIT_TRY(read_descriptor(c, sel, d, vec::TS));
    if (!(d.is_data() || d.code_readable())) return c.raise(vec::TS, sel & 0xFFFC);
    if (!d.conforming() && ((sel & 3u) > d.dpl() || cpl > d.dpl())) return c.raise(vec::TS, sel & 0xFFFC);
    if (!d.present()) return c.raise(vec::NP, sel & 0xFFFC);
    PCJIT_TRY(set_accessed(c, sel, d));
    load_cache(s.seg[k], sel, d);
  }
  return Exec::Ok;
}

}  // namespace

Exec task_switch(Context& c, u16 tss_sel, Descriptor d, TaskSwitchKind kind, u32 return_eip, u32 ext) {
  CpuState& s = c.s;
  const bool new32 = d.type() & 8;
  const TssLayout& NL = new32 ? kTss32 : kTss16;
  if (d.limit() < NL.min_limit) return c.raise(vec::TS, (tss_sel & 0xFFFC) | ext);
  const bool old32 = s.tr.attrs & 8;
  const TssLayout& OL = old32 ? kTss32 : kTss16;
  if (s.tr.limit < OL.min_limit) return c.raise(vec::TS, (s.tr.selector & 0xFFFC) | ext);

  // (1) Incoming state.
  TaskImage t;
  const u32 nbase = d.base();
  PCJIT_TRY(read_image(c, nbase, NL, t));

  // (2) Outgoing state, (3) back link and busy bits: every write is mapped before any is stored
  // (SDM 7.3 step 4 checks that both TSSs and the descriptors are paged in first), so a #PF here
  // leaves the old TSS, the new back link and both busy bits as they were.
  // IRET clears NT in the saved image (the old task is no longer nested).
  u32 saved_flags = s.eflags;
  if (kind == TaskSwitchKind::Iret) saved_flags &= ~flag::NT;
  Descriptor od;
  const bool release_old = kind == TaskSwitchKind::Jump || kind == TaskSwitchKind::Iret;
  if (release_old) PCJIT_TRY(read_descriptor(c, s.tr.selector, od, vec::TS, ext));
  SysWrites<18> w;  // a 32-bit image (16), then the back link or the old busy bit, the new busy bit
  PCJIT_TRY(queue_image(c, w, s.tr.base, OL, return_eip, saved_flags));
  const bool nest = kind == TaskSwitchKind::Call || kind == TaskSwitchKind::Interrupt;
  if (nest) PCJIT_TRY(w.add(c, nbase, 2, s.tr.selector));
  if (release_old) PCJIT_TRY(w.add_tss_busy(c, s.tr.selector, od, false));
  if (kind != TaskSwitchKind::Iret) PCJIT_TRY(w.add_tss_busy(c, tss_sel, d, true));
  w.store(c);
  if (nest) t.eflags |= flag::NT;

  // (4) Commit. From here on faults belong to the new task.
  load_cache(s.tr, tss_sel, d);
  s.cr0 |= cr0::TS;
  if (new32 && s.paging()) {
    s.cr3 = t.cr3;
    c.flush_tlb();
  }
  s.rip = t.eip;
  if (new32) {
    for (unsigned r = 0; r < 8; ++r) s.set_reg32(r, t.gpr[r]);
    s.eflags = (t.eflags & 0x003F7FD5u) | flag::kFixedOne;
  } else {
    for (unsigned r = 0; r < 8; ++r) s.set_reg16(r, static_cast<u16>(t.gpr[r]));
    s.eflags = (t.eflags & 0x7FD5u) | flag::kFixedOne;
  }
  // Selectors first, descriptors after: a failing check leaves the new selectors visible.
  // CS and SS keep their old descriptor caches until checked (an exception raised meanwhile
  // still needs a usable ring-0 path), but already show the new selectors.
  for (unsigned k = 0; k < kSegCount; ++k) {
    if (k == CS || k == SS) s.seg[k].selector = t.seg[k];
    else load_null(s.seg[k], t.seg[k]);
  }
  c.update_mode_flags();
  PCJIT_TRY(load_task_segments(c, t));
  if (s.eip() > s.seg[CS].limit) return c.raise_gp(0);
  if (new32 && (t.trap & 1)) {
    s.dr[6] |= 1u << 15;  // BT: debug trap on task switch (SDM 17.2.3)
    return c.raise(vec::DB);
  }
  return Exec::Stop;
}

Exec switch_to_tss_selector(Context& c, u16 tss_sel, TaskSwitchKind kind, u32 return_eip, u32 ext) {
  const u32 err = (tss_sel & 0xFFFC) | ext;
  if (tss_sel & 4) return c.raise_gp(err);
  Descriptor d;
  PCJIT_TRY(read_descriptor(c, tss_sel, d, vec::GP, ext));
  const u8 type = d.type();
  if (!d.is_system() || (type != sys_type::kTss16Avail && type != sys_type::kTss32Avail)) return c.raise_gp(err);
  if (!d.present()) return c.raise(vec::NP, err);
  return task_switch(c, tss_sel, d, kind, return_eip, ext);
}

Exec task_return(Context& c, u32 return_eip) {
  CpuState& s = c.s;
  u16 link = 0;
  PCJIT_TRY(c.read_sys<u16>(s.tr.base, link));
  const u32 err = link & 0xFFFC;
  if (link & 4) return c.raise(vec::TS, err);
  Descriptor d;
  PCJIT_TRY(read_descriptor(c, link, d, vec::TS));
  const u8 type = d.type();
  if (!d.is_system() || (type != sys_type::kTss16Busy && type != sys_type::kTss32Busy)) return c.raise(vec::TS, err);
  if (!d.present()) return c.raise(vec::NP, err);
  return task_switch(c, link, d, TaskSwitchKind::Iret, return_eip, 0);
}

}  // namespace pcjit::cpu
