// HotFrame: the part of the CPU that translated code reads and writes, with a fixed layout.
//
// Generated code addresses everything through one base register pointing at a HotFrame, so the
// struct is standard-layout and every field the JIT touches is pinned below with
// static_assert(offsetof(...)). Context (the interpreter's view) derives from it, so handlers keep
// writing `c.s`, `c.tlb`, `c.exc` and the JIT sees the same bytes.
//
// The exit word is the one value a translated block tests at its entry: it is nonzero whenever the
// interpreter's dispatcher would do something at that block boundary other than run the next
// block (an exit or stop was requested, or an interrupt may be deliverable). See run_loop.cpp.
#pragma once
#include <cstddef>
#include <type_traits>

#include "cpu/state.h"
#include "tlb.h"

namespace pcjit::cpu {

struct PendingException {
  bool pending = false;
  u8 vector = 0;
  bool has_error = false;
  u32 error = 0;
};

namespace exit_bit {
constexpr u32 kRequest = 1;    // request_exit(): machine stop, earlier deadline, reset
constexpr u32 kInterrupt = 2;  // the interrupt controller raised INTR (interrupt_changed())
}  // namespace exit_bit
constexpr i64 kBudgetPoison = i64{1} << 62;

// A segment's limit and rights folded for the inline soft-MMU: an access of n = 2^z bytes at
// offset o (zero-extended to 64 bits) for kind k is allowed exactly when
// o - lo[k][z] <= span[k][z] as unsigned 64-bit numbers, which is Context::seg_linear()'s test
// (lo <= o, o + n - 1 <= hi, the kind allowed): an o below lo wraps to a huge difference. A kind
// the segment does not allow, or a range shorter than n, gets lo = 2^40 and span = 0, so the
// test always fails. Derived from CpuState::seg by refresh_seg_views() at every translated run's
// start and after every handler that loads a segment register without ending the run (MOV Sreg,
// POP Sreg, LDS/LES/LFS/LGS); everything else that changes a segment ends the run.
struct SegView {
  u64 lo[2][3] = {};    // [Access::Read, Access::Write][z]
  u64 span[2][3] = {};
};

struct HotFrame {
  CpuState s;
  Tlb tlb;
  PendingException exc;
  u32 exit_word = 0;         // exit_bit::*; see raise_exit()
  // Leave after the current instruction: the running block was invalidated by a write, or a
  // segment load changed the properties the run's translations were checked against (seg_props).
  bool block_dirty = false;
  u8 pad0_[3] = {};
  // Instructions translated code may still retire in this run; a block enters only if it fits.
  // While the exit word is set during a translated run the budget is lowered by kBudgetPoison,
  // so that one compare at each block entry covers both ("poisoned"; see raise_exit()).
  i64 budget = 0;
  // A translated block's unlinked direct exit leaves these for the dispatcher, which links the
  // exit to its target once that is translated (see jit/src/links.cpp).
  void* link_src = nullptr;
  u32 link_exit = 0;
  // The tracked segment properties (seg_prop) at the start of this translated run. Every block
  // a run enters assumes a subset (Block::seg_assumed): the dispatcher and the jump-cache
  // continuation check, and a link goes only to a block assuming no more than its source.
  u32 seg_props = 0;
  bool jit_running = false;  // translated code is running (between enter and exit)
  bool budget_poisoned = false;
  u8 pad3_[6] = {};
  u64 counters[8] = {};       // hot_counter::*, incremented by generated code (with --stats)
  // Indirect-target cache: EIP -> translation entry, probed by generated code before it asks the
  // jump cache (RET, JMP/CALL r/m, cross-page exits). An entry is valid only while its gen equals
  // itc_gen, which moves at every translated run's start and with every jump-cache flush, so an
  // entry always belongs to the running CS, mode and mapping (they change only through
  // instructions that end a translated run). Filled by jit::rt_lookup.
  struct ItcEntry {
    u32 eip = 0;
    u32 gen = 0;
    const void* entry = nullptr;
  };
  static constexpr unsigned kItcBits = 10, kItcSize = 1u << kItcBits;
  // Slot of an EIP: a multiplicative hash, since function entries are 16-byte aligned and the
  // low bits alone would leave most slots unused (generated code computes the same).
  static constexpr u32 kItcMul = 0x9E3779B1u;
  static constexpr unsigned itc_slot(u32 eip) { return (eip * kItcMul) >> (32 - kItcBits); }
  u32 itc_gen = 1;
  u32 scratch = 0;  // a value generated code keeps across a second inline memory check (PUSH m)
  ItcEntry itc[kItcSize] = {};
  SegView segview[kSegCount] = {};
};

// Sets exit bits. Inside a translated run the budget is poisoned at once, so the next block entry
// leaves (its budget compare fails); the dispatcher undoes it when the run returns.
inline void raise_exit(HotFrame& f, u32 bits) {
  f.exit_word |= bits;
  if (f.jit_running && !f.budget_poisoned) {
    f.budget -= kBudgetPoison;
    f.budget_poisoned = true;
  }
}
// The budget as retirement counts it (without the poison).
inline i64 true_budget(const HotFrame& f) { return f.budget + (f.budget_poisoned ? kBudgetPoison : 0); }

// Segment properties a translation may assume, 2 bits per segment register (bits 2k, 2k+1 for
// segment k), so that its memory accesses can skip the checks Context::seg_linear() would pass
// anyway. A translation built on a set runs only while the CPU's segments have at least those
// properties (run_loop.cpp checks at each dispatch, rt_lookup for the jump-cache continuation;
// a segment load that changes them ends the run, see rt_call_segment_loader); a generic
// translation assumes none.
namespace seg_prop {
// lo == 0, hi >= 0xFFFF, readable and writable: a 16-bit offset o of an n-byte access passes
// when o <= 0x10000 - n (a conservative test: with hi above 0xFFFF the slow path decides).
constexpr u32 kLow64K = 1;
// base 0, lo 0, hi 0xFFFFFFFF, readable and writable: every offset passes but one whose last
// byte wraps past 4 GiB, and the inline TLB misses on that one anyway (its last byte's page,
// 0, never sits in the first byte's slot 255), so neither check nor base add is needed.
constexpr u32 kFlat = 2;
inline u32 of(const Segment& sg) {
  if (!sg.valid || !sg.readable || !sg.writable || sg.lo != 0 || sg.hi < 0xFFFF) return 0;
  return kLow64K | (sg.base == 0 && sg.hi == 0xFFFFFFFFu ? kFlat : 0);
}
// Only ES, CS, SS and DS are tracked: they stay put while an OS runs, so translations built at
// different times agree on them and can be linked. FS and GS vary between processes (TLS, the
// kernel's per-CPU area) and take the full check.
constexpr unsigned kTracked = 4;
static_assert(ES == 0 && CS == 1 && SS == 2 && DS == 3);
inline u32 of(const CpuState& s) {
  u32 p = 0;
  for (unsigned k = 0; k < kTracked; ++k) p |= of(s.seg[k]) << (2 * k);
  return p;
}
// True when segments with properties `now` satisfy a translation built on `assumed`.
inline bool holds(u32 assumed, u32 now) { return (assumed & ~now) == 0; }
}  // namespace seg_prop

inline void refresh_seg_views(HotFrame& f) {
  constexpr u64 kNever = u64{1} << 40;
  for (unsigned k = 0; k < kSegCount; ++k) {
    const Segment& sg = f.s.seg[k];
    SegView& v = f.segview[k];
    for (unsigned acc = 0; acc < 2; ++acc) {
      const bool allowed = (acc ? sg.writable : sg.readable) && sg.lo <= sg.hi;
      for (unsigned z = 0; z < 3; ++z) {
        const u64 extra = (u64{1} << z) - 1;  // n - 1
        const u64 range = u64{sg.hi} - sg.lo;
        const bool fits = allowed && range >= extra;
        v.lo[acc][z] = fits ? sg.lo : kNever;
        v.span[acc][z] = fits ? range - extra : 0;
      }
    }
  }
}
static_assert(sizeof(HotFrame::ItcEntry) == 16 && offsetof(HotFrame::ItcEntry, gen) == 4 &&
              offsetof(HotFrame::ItcEntry, entry) == 8, "generated code compares eip|gen<<32 in one go");

namespace hot_counter {
constexpr unsigned kEntries = 0, kTlbHits = 1, kFlagStores = 2, kFlagLoads = 3;
// Exits to the dispatcher by reason: at a block entry (exit word or budget), through an unlinked
// direct edge, after a handler ended the block (jump, stop, halt, fault), after an SMC store.
constexpr unsigned kExitAtEntry = 4, kExitUnlinked = 5, kExitByHandler = 6, kExitSmc = 7;
}

static_assert(std::is_standard_layout_v<HotFrame>, "generated code addresses HotFrame by offset");
static_assert(offsetof(HotFrame, s) == 0);
static_assert(offsetof(CpuState, gpr) == 0);
static_assert(offsetof(CpuState, rip) == 128);
static_assert(offsetof(CpuState, eflags) == 136);
static_assert(offsetof(Segment, base) == 4 && offsetof(Segment, limit) == 8 &&
              offsetof(Segment, lo) == 12 && offsetof(Segment, hi) == 16 &&
              offsetof(Segment, readable) == 20 && offsetof(Segment, writable) == 21);
static_assert(offsetof(TlbEntry, tag) == 0 && offsetof(TlbEntry, addend) == 8 && sizeof(TlbEntry) == 16);
static_assert(offsetof(Tlb, e) == 0);

}  // namespace pcjit::cpu
