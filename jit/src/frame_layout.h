// Offsets of the HotFrame fields generated code addresses (all from rbx). hot_frame.h pins the
// layout with static_asserts; this file only names the offsets for the emitters.
#pragma once
#include <cstddef>

#include "hot_frame.h"

namespace pcjit::jit::layout {

using cpu::CpuState;
using cpu::HotFrame;

constexpr std::size_t kState = offsetof(HotFrame, s);
constexpr std::size_t gpr(unsigned r) { return kState + offsetof(CpuState, gpr) + 8 * r; }
constexpr std::size_t kEip = kState + offsetof(CpuState, rip);
constexpr std::size_t kEflags = kState + offsetof(CpuState, eflags);
constexpr std::size_t seg(unsigned k) { return kState + offsetof(CpuState, seg) + k * sizeof(cpu::Segment); }
constexpr std::size_t kSegBase = offsetof(cpu::Segment, base);
constexpr std::size_t kSegLimit = offsetof(cpu::Segment, limit);
constexpr std::size_t kTlb = offsetof(HotFrame, tlb) + offsetof(cpu::Tlb, e);
constexpr std::size_t tlb(cpu::Access acc, bool user) {
  return kTlb + (static_cast<unsigned>(acc) * 2 + (user ? 1 : 0)) * cpu::Tlb::kSize * sizeof(cpu::TlbEntry);
}
constexpr std::size_t kExcPending = offsetof(HotFrame, exc) + offsetof(cpu::PendingException, pending);
constexpr std::size_t kBlockDirty = offsetof(HotFrame, block_dirty);
constexpr std::size_t kBudget = offsetof(HotFrame, budget);
constexpr std::size_t kLinkSrc = offsetof(HotFrame, link_src);
constexpr std::size_t kLinkExit = offsetof(HotFrame, link_exit);
constexpr std::size_t counter(unsigned k) { return offsetof(HotFrame, counters) + 8 * k; }
constexpr std::size_t kItcGen = offsetof(HotFrame, itc_gen);
constexpr std::size_t kItc = offsetof(HotFrame, itc);
constexpr std::size_t kScratch = offsetof(HotFrame, scratch);
// SegView fields for segment k, access kind acc (0 read, 1 write), size 2^z.
constexpr std::size_t seg_lo(unsigned k, unsigned acc, unsigned z) {
  return offsetof(HotFrame, segview) + k * sizeof(cpu::SegView) + offsetof(cpu::SegView, lo) + (acc * 3 + z) * 8;
}
constexpr std::size_t seg_span(unsigned k, unsigned acc, unsigned z) {
  return offsetof(HotFrame, segview) + k * sizeof(cpu::SegView) + offsetof(cpu::SegView, span) + (acc * 3 + z) * 8;
}

static_assert(sizeof(cpu::TlbEntry) == 16, "the inline TLB index is scaled by 16");
static_assert(tlb(cpu::Access::Exec, true) + cpu::Tlb::kSize * 16 < (1u << 31), "disp32 reach");

}  // namespace pcjit::jit::layout
