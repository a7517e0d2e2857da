// Descriptor fetch and decode, and the segment-cache fill every protected-mode load ends in
// (SDM Vol. 3A, 3.4.5 "Segment Descriptors", 3.5.1 "Segment Descriptor Tables").
#include "descriptors.h"

namespace pcjit::cpu {

bool descriptor_in_limits(const CpuState& s, u16 sel) {
  const u32 last = (sel & 0xFFF8u) + 7;
  if (sel & 4) return s.ldtr.valid && !is_null_selector(s.ldtr.selector) && last <= s.ldtr.limit;
  return last <= s.gdtr.limit;
}

u32 descriptor_address(const CpuState& s, u16 sel) {
  return ((sel & 4) ? s.ldtr.base : s.gdtr.base) + (sel & 0xFFF8u);
}

Exec read_descriptor(Context& c, u16 sel, Descriptor& out, u8 fault_vector, u32 ext) {
  if (!descriptor_in_limits(c.s, sel)) return c.raise(fault_vector, (sel & 0xFFFCu) | ext);
  const u32 a = descriptor_address(c.s, sel);
  PCJIT_TRY(c.read_sys<u32>(a, out.lo));
  return c.read_sys<u32>(a + 4, out.hi);
}

Exec set_accessed(Context& c, u16 sel, Descriptor& d) {
  if (d.is_system() || (d.hi & (1u << 8))) return Exec::Ok;
  d.hi |= 1u << 8;
  return c.write_sys<u8>(descriptor_address(c.s, sel) + 5, static_cast<u8>(d.hi >> 8));
}

Exec set_tss_busy(Context& c, u16 sel, Descriptor& d, bool busy) {
  d.hi = busy ? (d.hi | (1u << 9)) : (d.hi & ~(1u << 9));
  return c.write_sys<u8>(descriptor_address(c.s, sel) + 5, static_cast<u8>(d.hi >> 8));
}

void load_cache(Segment& sg, u16 sel, const Descriptor& d) {
  sg.selector = sel;
  sg.base = d.base();
  sg.limit = d.limit();
  sg.attrs = d.attrs();
  sg.valid = true;
  if (d.is_system()) {
    sg.readable = sg.writable = false;
    sg.lo = 0;
    sg.hi = sg.limit;
  } else if (d.is_code()) {
    sg.readable = d.code_readable();
    sg.writable = false;
    sg.lo = 0;
    sg.hi = sg.limit;
  } else {
    sg.readable = true;
    sg.writable = d.data_writable();
    if (d.type() & 4) {
      // Expand-down: valid offsets are limit+1 .. 0xFFFF or 0xFFFFFFFF by the B bit (3.4.5.1).
      const u32 top = d.big() ? 0xFFFFFFFFu : 0xFFFFu;
      if (sg.limit >= top) {
        sg.lo = 0xFFFFFFFFu;  // empty range: every access faults
        sg.hi = 0;
      } else {
        sg.lo = sg.limit + 1;
        sg.hi = top;
      }
    } else {
      sg.lo = 0;
      sg.hi = sg.limit;
    }
  }
}

void load_null(Segment& sg, u16 sel) {
  sg.selector = sel;
  sg.base = 0;
  sg.limit = 0;
  sg.attrs = 0;
  sg.lo = 0xFFFFFFFFu;
  sg.hi = 0;
  sg.readable = sg.writable = false;
  sg.valid = false;
}

void load_flat(Segment& sg, u16 sel, bool code, u8 dpl) {
  Descriptor d;
  d.lo = 0x0000FFFF;
  d.hi = 0x00CF9000u | (u32{dpl} << 13) | (code ? 0xB00u : 0x300u);  // G, D, P, S, accessed
  load_cache(sg, sel, d);
}

Exec load_ldtr(Context& c, u16 sel, u8 fault_vector) {
  CpuState& s = c.s;
  if (is_null_selector(sel)) {
    load_null(s.ldtr, sel);
    return Exec::Ok;
  }
  if (sel & 4) return c.raise(fault_vector, sel & 0xFFFC);  // must be in the GDT
  Descriptor d;
  PCJIT_TRY(read_descriptor(c, sel, d, fault_vector));
  if (!d.is_system() || d.type() != sys_type::kLdt) return c.raise(fault_vector, sel & 0xFFFC);
  if (!d.present()) return c.raise(fault_vector == vec::TS ? vec::TS : vec::NP, sel & 0xFFFC);
  load_cache(s.ldtr, sel, d);
  return Exec::Ok;
}

}  // namespace pcjit::cpu
