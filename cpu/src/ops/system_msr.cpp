// Model-specific registers, the time-stamp and performance counters, CPUID and the fast system
// calls SYSENTER/SYSEXIT (SDM Vol. 2 RDMSR/WRMSR/RDTSC/RDPMC/CPUID/SYSENTER/SYSEXIT; Vol. 4 for
// MSR numbers).
//
// CPUID describes exactly what this emulator implements, so guests never take a path we cannot
// run: a family-6 P6 with x87, MMX, FXSR, SSE and SSE2, without PAE/APIC.
#include "../cpu_model.h"
#include "../system/descriptors.h"
#include "../system/privilege.h"
#include "operands.h"
#include "system_ops.h"

namespace pcjit::cpu {
namespace {

// CPUID.1:EDX bits (SDM Vol. 2, CPUID Table 3-11).
namespace feat {
constexpr u32 FPU = 1u << 0, VME = 1u << 1, DE = 1u << 2, PSE = 1u << 3, TSC = 1u << 4, MSR = 1u << 5, CX8 = 1u << 8,
              SEP = 1u << 11, PGE = 1u << 13, CMOV = 1u << 15, MMX = 1u << 23,
              FXSR = 1u << 24, SSE = 1u << 25, SSE2 = 1u << 26;
}
constexpr u32 kFeaturesEdx =
    feat::FPU | feat::VME | feat::DE | feat::PSE | feat::TSC | feat::MSR | feat::CX8 | feat::SEP | feat::PGE | feat::CMOV | feat::MMX |
    feat::FXSR | feat::SSE | feat::SSE2;
constexpr u32 kMaxBasicLeaf = 2;

struct Leaf {
  u32 a, b, c, d;
};

// Leaf 0 names the vendor in EBX, EDX, ECX order ("Genu" "ineI" "ntel"). Leaf 2: one descriptor
// round (AL = 1) with the P6 caches: 0x01/0x02/0x03 TLBs, 0x43 512 KiB L2, 0x08 16 KiB L1 code,
// 0x04 4 MiB data TLB, 0x0C 16 KiB L1 data (SDM Vol. 2, CPUID Table 3-12).
Leaf cpuid_leaf(u32 leaf) {
  if (leaf > kMaxBasicLeaf) leaf = kMaxBasicLeaf;  // Intel: out-of-range basic leaves alias the last
  switch (leaf) {
    case 0: return {kMaxBasicLeaf, 0x756E6547, 0x6C65746E, 0x49656E69};
    case 1: return {kCpuSignature, 0, 0, kFeaturesEdx};
    default: return {0x03020101, 0, 0, 0x0C040843};
  }
}

Exec cpuid(Context& c, const Insn&) {
  const Leaf l = cpuid_leaf(c.s.reg32(EAX));
  c.s.set_reg32(EAX, l.a);
  c.s.set_reg32(EBX, l.b);
  c.s.set_reg32(ECX, l.c);
  c.s.set_reg32(EDX, l.d);
  return Exec::Ok;
}

// RDTSC faults outside ring 0 only when CR4.TSD is set (SDM Vol. 2, RDTSC).
Exec rdtsc(Context& c, const Insn&) {
  if ((c.s.cr4 & cr4::TSD) && !ring0(c.s)) return c.raise_gp(0);
  const u64 t = c.tsc();
  c.s.set_reg32(EAX, static_cast<u32>(t));
  c.s.set_reg32(EDX, static_cast<u32>(t >> 32));
  return Exec::Ok;
}

// RDPMC (SDM Vol. 2 RDPMC): outside ring 0 only when CR4.PCE is set (real mode counts as ring 0,
// v86 mode as ring 3). A P6 has two 40-bit counters, selected by ECX = 0 or 1; any other ECX is
// #GP(0). EDX gets counter bits 39:32 and EAX bits 31:0.
//
// This model counts no performance event: the event-select MSRs PerfEvtSel0/1 (186H/187H) and
// the counters PerfCtr0/1 (C1H/C2H) are not implemented (RDMSR/WRMSR of them are #GP(0), as for
// every MSR rdmsr() does not list), so the counters can never be started and keep the value 0
// they hold with counting disabled. RDPMC therefore returns 0 for both, after the checks a P6
// makes, so software that probes or reads the counters sees a counter that does not advance
// rather than an exception a P6 would not raise.
Exec rdpmc(Context& c, const Insn&) {
  if (!(c.s.cr4 & cr4::PCE) && !ring0(c.s)) return c.raise_gp(0);
  if (c.s.reg32(ECX) > 1) return c.raise_gp(0);
  c.s.set_reg32(EAX, 0);  // counter bits 31:0
  c.s.set_reg32(EDX, 0);  // counter bits 39:32, upper EDX bits clear
  return Exec::Ok;
}

// The MSRs a P6 guest of this emulator can touch; any other index is #GP(0).
Exec rdmsr(Context& c, const Insn&) {
  if (!ring0(c.s)) return c.raise_gp(0);
  const CpuState& s = c.s;
  u64 v;
  switch (c.s.reg32(ECX)) {
    case msr::TSC: v = c.tsc(); break;
    case msr::APIC_BASE: v = s.apic_base; break;
    case msr::SYSENTER_CS: v = s.sysenter_cs; break;
    case msr::SYSENTER_ESP: v = s.sysenter_esp; break;
    case msr::SYSENTER_EIP: v = s.sysenter_eip; break;
    case msr::MISC_ENABLE: v = s.misc_enable; break;
    default: return c.raise_gp(0);
  }
  c.s.set_reg32(EAX, static_cast<u32>(v));
  c.s.set_reg32(EDX, static_cast<u32>(v >> 32));
  return Exec::Ok;
}

Exec wrmsr(Context& c, const Insn&) {
  if (!ring0(c.s)) return c.raise_gp(0);
  CpuState& s = c.s;
  const u64 v = (u64{s.reg32(EDX)} << 32) | s.reg32(EAX);
  switch (s.reg32(ECX)) {
    // Writing the TSC moves the offset so that the counter continues from the new value. P6
    // family: only the low 32 bits can be written, the high 32 bits are cleared (SDM Vol. 3B,
    // "Time-Stamp Counter").
    case msr::TSC: s.tsc_offset = (v & 0xFFFFFFFFu) - c.machine.clock().now_ns(); break;
    // IA32_APIC_BASE: BSP (8), enable (11), base (12..35); the rest is reserved (Vol. 3A 10.4.4).
    case msr::APIC_BASE:
      if (v & ~u64{0xFFFFFF900}) return c.raise_gp(0);
      s.apic_base = v;
      break;
    // The SYSENTER MSRs hold 32-bit values on IA-32 processors.
    case msr::SYSENTER_CS: s.sysenter_cs = v & 0xFFFF; break;
    case msr::SYSENTER_ESP: s.sysenter_esp = static_cast<u32>(v); break;
    case msr::SYSENTER_EIP: s.sysenter_eip = static_cast<u32>(v); break;
    case msr::MISC_ENABLE: s.misc_enable = v; break;
    default: return c.raise_gp(0);
  }
  return Exec::Ok;
}

Exec sysenter(Context& c, const Insn&) {
  CpuState& s = c.s;
  const u16 cs = static_cast<u16>(s.sysenter_cs);
  if (!s.protected_mode() || (cs & 0xFFFC) == 0) return c.raise_gp(0);
  s.eflags &= ~(flag::VM | flag::IF | flag::RF);
  // Flat segments, no descriptor read (SDM Vol. 2, SYSENTER): CS type 11, SS type 3, 4 GiB.
  load_flat(s.seg[CS], cs & 0xFFFC, true, 0);
  load_flat(s.seg[SS], static_cast<u16>((cs & 0xFFFC) + 8), false, 0);
  s.set_reg32(ESP, static_cast<u32>(s.sysenter_esp));
  s.rip = static_cast<u32>(s.sysenter_eip);
  c.set_cpl(0);
  return Exec::Stop;
}

Exec sysexit(Context& c, const Insn&) {
  CpuState& s = c.s;
  const u16 cs = static_cast<u16>(s.sysenter_cs);
  if (!s.protected_mode() || s.v86() || s.cpl != 0 || (cs & 0xFFFC) == 0) return c.raise_gp(0);
  load_flat(s.seg[CS], static_cast<u16>(((cs & 0xFFFC) + 16) | 3), true, 3);
  load_flat(s.seg[SS], static_cast<u16>(((cs & 0xFFFC) + 24) | 3), false, 3);
  s.set_reg32(ESP, s.reg32(ECX));
  s.rip = s.reg32(EDX);
  c.set_cpl(3);
  return Exec::Stop;
}

template <Handler H>
Handler fixed(const DecodeView&, Insn&) { return H; }

constexpr u16 E = row_flag::kEndsBlock;

// SYSENTER clears VM, IF and RF (SDM SYSENTER Operation); the others change no flag.
constexpr RowFlags kSysenter{0, flag::VM | flag::IF | flag::RF, 0};

const OpcodeRow kRows[] = {
    {"wrmsr", 1, 0x30, 1, -1, 0, fixed<wrmsr>, OpClass::kSystem, fx::kNone},
    {"rdtsc", 1, 0x31, 1, -1, 0, fixed<rdtsc>, OpClass::kSystem, fx::kNone},
    {"rdmsr", 1, 0x32, 1, -1, 0, fixed<rdmsr>, OpClass::kSystem, fx::kNone},
    {"rdpmc", 1, 0x33, 1, -1, 0, fixed<rdpmc>, OpClass::kSystem, fx::kNone},
    {"sysenter", 1, 0x34, 1, -1, E, fixed<sysenter>, OpClass::kSystem, kSysenter},
    {"sysexit", 1, 0x35, 1, -1, E, fixed<sysexit>, OpClass::kSystem, fx::kNone},
    {"cpuid", 1, 0xA2, 1, -1, 0, fixed<cpuid>, OpClass::kSystem, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> system_msr_rows() { return kRows; }

}  // namespace pcjit::cpu
