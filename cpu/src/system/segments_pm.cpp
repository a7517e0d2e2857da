// Segment-register loads in the current mode and the I/O permission check.
//
// Protected-mode loads follow the MOV/POP Sreg pseudocode (SDM Vol. 2) and Vol. 3A 5.5-5.7:
// every check that can fault runs before the cache or the Accessed bit is touched, so a faulting
// load leaves the register as it was. CS is never loaded here (far transfers own it).
#include "../context.h"
#include "descriptors.h"

namespace pcjit::cpu {

namespace {

Exec load_ss_pm(Context& c, u16 sel) {
  CpuState& s = c.s;
  if (is_null_selector(sel)) return c.raise_gp(0);
  Descriptor d;
  PCJIT_TRY(read_descriptor(c, sel, d, vec::GP));
  const u32 err = sel & 0xFFFC;
  if ((sel & 3) != s.cpl || !d.data_writable() || d.dpl() != s.cpl) return c.raise_gp(err);
  if (!d.present()) return c.raise(vec::SS, err);
  PCJIT_TRY(set_accessed(c, sel, d));
  load_cache(s.seg[SS], sel, d);
  return Exec::Ok;
}

Exec load_data_pm(Context& c, unsigned seg, u16 sel) {
  CpuState& s = c.s;
  if (is_null_selector(sel)) {
    load_null(s.seg[seg], sel);
    return Exec::Ok;
  }
  Descriptor d;
  PCJIT_TRY(read_descriptor(c, sel, d, vec::GP));
  const u32 err = sel & 0xFFFC;
  if (!(d.is_data() || d.code_readable())) return c.raise_gp(err);
  // Data and non-conforming code: both RPL and CPL must be numerically <= DPL.
  if (!d.conforming() && ((sel & 3u) > d.dpl() || s.cpl > d.dpl())) return c.raise_gp(err);
  if (!d.present()) return c.raise(vec::NP, err);
  PCJIT_TRY(set_accessed(c, sel, d));
  load_cache(s.seg[seg], sel, d);
  return Exec::Ok;
}

}  // namespace

Exec Context::load_seg(unsigned seg, u16 selector) {
  if (!s.protected_mode() || s.v86()) {
    load_seg_real(seg, selector);
    return Exec::Ok;
  }
  if (seg == SS) return load_ss_pm(*this, selector);
  if (seg == CS) return raise_ud();
  return load_data_pm(*this, seg, selector);
}

// SDM Vol. 1, 18.5.2 "I/O Permission Bit Map": with CPL > IOPL (or in virtual-8086 mode) every
// bit for the bytes accessed must be clear; a bitmap bit beyond the TSS limit counts as set.
Exec Context::check_io(u16 port, unsigned size) {
  if (!s.protected_mode()) return Exec::Ok;
  const u32 iopl = (s.eflags & flag::IOPL) >> 12;
  if (!s.v86() && s.cpl <= iopl) return Exec::Ok;
  const u8 type = s.tr.attrs & attr::kTypeMask;
  if (!s.tr.valid || (type != 9 && type != 0xB) || s.tr.limit < 0x67) return raise_gp(0);
  u16 map_base = 0;
  PCJIT_TRY(read_sys<u16>(s.tr.base + 0x66, map_base));
  const u32 at = u32{map_base} + port / 8;
  if (at + 1 > s.tr.limit) return raise_gp(0);
  u16 bits = 0;
  PCJIT_TRY(read_sys<u16>(s.tr.base + at, bits));
  const u32 mask = ((1u << size) - 1) << (port & 7);
  if (bits & mask) return raise_gp(0);
  return Exec::Ok;
}

}  // namespace pcjit::cpu
