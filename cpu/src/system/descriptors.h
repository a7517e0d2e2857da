// Segment descriptors: fetching them from the GDT/LDT, decoding them, and turning them into the
// hidden segment-register cache (SDM Vol. 3A, 3.4.5 and 5.x). Shared by segment loads, far
// transfers, interrupt delivery, task switches and the system instructions (LLDT, LTR, LAR, ...).
//
// Invariant kept by load_cache(): a Segment's lo/hi/readable/writable are exactly what the hot
// path in Context::seg_linear needs, so no access ever looks at the descriptor type again.
// Descriptor-table reads are supervisor accesses (read_sys), whatever the CPL.
#pragma once
#include <cassert>

#include "../context.h"

namespace pcjit::cpu {

// System descriptor types (S = 0), SDM Vol. 3A, Table 3-2.
namespace sys_type {
constexpr u8 kTss16Avail = 1, kLdt = 2, kTss16Busy = 3, kCallGate16 = 4, kTaskGate = 5,
             kIntGate16 = 6, kTrapGate16 = 7, kTss32Avail = 9, kTss32Busy = 0xB,
             kCallGate32 = 0xC, kIntGate32 = 0xE, kTrapGate32 = 0xF;
}

// The raw 8 bytes of a descriptor (lo = bytes 0..3, hi = bytes 4..7) with field accessors.
struct Descriptor {
  u32 lo = 0;
  u32 hi = 0;

  u32 base() const { return (lo >> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000u); }
  // Byte-granular limit (G bit applied).
  u32 limit() const {
    u32 raw = (lo & 0xFFFF) | (hi & 0xF0000);
    return (hi & (1u << 23)) ? (raw << 12) | 0xFFF : raw;
  }
  // Access byte and the G/DB/L/AVL nibble, laid out as Segment::attrs.
  u16 attrs() const { return static_cast<u16>((hi >> 8) & 0xF0FF); }
  u8 type() const { return (hi >> 8) & 0xF; }
  u8 dpl() const { return (hi >> 13) & 3; }
  bool present() const { return hi & (1u << 15); }
  bool is_system() const { return !(hi & (1u << 12)); }  // S = 0
  bool is_code() const { return !is_system() && (type() & 8); }
  bool is_data() const { return !is_system() && !(type() & 8); }
  bool conforming() const { return is_code() && (type() & 4); }
  bool code_readable() const { return is_code() && (type() & 2); }
  bool data_writable() const { return is_data() && (type() & 2); }
  bool big() const { return hi & (1u << 22); }  // D/B
  // Gate fields (call, interrupt, trap and task gates).
  u16 gate_selector() const { return static_cast<u16>(lo >> 16); }
  u32 gate_offset() const { return (lo & 0xFFFF) | (hi & 0xFFFF0000u); }
  u8 gate_params() const { return hi & 0x1F; }
  // 32-bit gate/TSS types have bit 3 set (0xC, 0xE, 0xF, 0x9, 0xB).
  bool gate32() const { return type() & 8; }
};

inline bool is_null_selector(u16 sel) { return (sel & 0xFFFC) == 0; }

// True when the selector's 8 bytes lie inside the GDT or LDT limit (an LDT selector with a null
// or invalid LDTR is never in limits).
bool descriptor_in_limits(const CpuState& s, u16 sel);
// Linear address of the descriptor for sel (GDT or LDT by the TI bit).
u32 descriptor_address(const CpuState& s, u16 sel);
// Reads the descriptor for sel. Outside the table limit: raises fault_vector with error
// (sel & 0xFFFC) | ext. Page faults on the table propagate as they are.
Exec read_descriptor(Context& c, u16 sel, Descriptor& out, u8 fault_vector = vec::GP, u32 ext = 0);
// Sets the Accessed bit in the descriptor in memory (and in d) if it is clear.
Exec set_accessed(Context& c, u16 sel, Descriptor& d);

// Supervisor writes to descriptor tables and TSSs, checked first and stored later. A transfer that
// writes several system bytes (Accessed bits, busy bits, the outgoing TSS image) queues each one
// with add(), which maps it for writing and may raise #PF, and then, once every other check has
// passed, store() writes them all and cannot fail. This keeps "a Fault has committed nothing" true
// for memory as well as registers (SDM Vol. 3A 7.3 step 4 checks that the TSSs and descriptors are
// paged in before a task switch changes any of them). N: the most writes the caller queues.
template <unsigned N>
class SysWrites {
 public:
  // Maps [lin, lin + size) (size 1, 2 or 4) for a supervisor write and queues v.
  Exec add(Context& c, u32 lin, unsigned size, u32 v) {
    assert(n_ < N);
    Write& w = w_[n_];
    PCJIT_TRY(c.map_linear(lin, size, Access::Write, false, w.ref));
    w.value = v;
    ++n_;
    return Exec::Ok;
  }
  // Queues the Accessed-bit write for sel's descriptor when A is clear, and sets A in d.
  Exec add_accessed(Context& c, u16 sel, Descriptor& d) {
    if (d.is_system() || (d.hi & (1u << 8))) return Exec::Ok;
    PCJIT_TRY(add(c, descriptor_address(c.s, sel) + 5, 1, ((d.hi >> 8) | 1u) & 0xFF));
    d.hi |= 1u << 8;
    return Exec::Ok;
  }
  // Queues the busy-bit write for a TSS descriptor in the GDT, and updates d.
  Exec add_tss_busy(Context& c, u16 sel, Descriptor& d, bool busy) {
    const u32 hi = busy ? (d.hi | (1u << 9)) : (d.hi & ~(1u << 9));
    PCJIT_TRY(add(c, descriptor_address(c.s, sel) + 5, 1, (hi >> 8) & 0xFF));
    d.hi = hi;
    return Exec::Ok;
  }
  // Stores everything queued, in order.
  void store(Context& c) {
    for (unsigned k = 0; k < n_; ++k) {
      const Write& w = w_[k];
      if (w.ref.size == 1) c.store<u8>(w.ref, static_cast<u8>(w.value));
      else if (w.ref.size == 2) c.store<u16>(w.ref, static_cast<u16>(w.value));
      else c.store<u32>(w.ref, w.value);
    }
    n_ = 0;
  }

 private:
  struct Write {
    MemRef ref;
    u32 value = 0;
  };
  Write w_[N];
  unsigned n_ = 0;
};

// Sets or clears the busy bit of a TSS descriptor in the GDT (and in d).
Exec set_tss_busy(Context& c, u16 sel, Descriptor& d, bool busy);

// Fills a segment cache from a descriptor: base, limit, attrs, lo/hi (expand-down aware),
// readable/writable, valid. Works for code, data and system (LDT/TSS) descriptors.
void load_cache(Segment& sg, u16 sel, const Descriptor& d);
// A null selector in DS/ES/FS/GS (or after a return to an outer ring): every access faults.
void load_null(Segment& sg, u16 sel);
// A flat 4 GiB segment (SYSENTER/SYSEXIT): code execute/read or data read/write, 32-bit, given DPL.
void load_flat(Segment& sg, u16 sel, bool code, u8 dpl);

// Loads LDTR from a GDT selector with the LLDT checks; failures raise fault_vector(sel) (#GP for
// LLDT, #TS for a task switch), not-present raises #NP(sel) (or fault_vector when it is #TS).
Exec load_ldtr(Context& c, u16 sel, u8 fault_vector = vec::GP);

}  // namespace pcjit::cpu
