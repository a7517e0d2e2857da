// The architectural state of one IA-32 CPU, laid out as the JIT will address it.
//
// Registers are 64 bits wide from the start so long mode can be added without a rewrite; in
// IA-32 modes only the low 32 bits are meaningful. EFLAGS is kept eagerly (every instruction
// writes the flags it defines), which keeps the interpreter the plain reference semantics.
// Segment registers carry their hidden descriptor cache plus the limit range precomputed for the
// hot-path check: an access of n bytes at offset o is in bounds iff lo <= o && o+n-1 <= hi.
#pragma once
#include <cstddef>

#include "core/types.h"

namespace pcjit::cpu {

enum Reg : u8 { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, kNoReg = 0xFF };
enum SegReg : u8 { ES, CS, SS, DS, FS, GS, kSegCount, kNoSeg = 0xFF };

namespace flag {
constexpr u32 CF = 1u << 0, PF = 1u << 2, AF = 1u << 4, ZF = 1u << 6, SF = 1u << 7, TF = 1u << 8,
              IF = 1u << 9, DF = 1u << 10, OF = 1u << 11, IOPL = 3u << 12, NT = 1u << 14,
              RF = 1u << 16, VM = 1u << 17, AC = 1u << 18, VIF = 1u << 19, VIP = 1u << 20,
              ID = 1u << 21;
constexpr u32 kArith = CF | PF | AF | ZF | SF | OF;
constexpr u32 kFixedOne = 1u << 1;
}  // namespace flag

namespace cr0 {
constexpr u32 PE = 1u << 0, MP = 1u << 1, EM = 1u << 2, TS = 1u << 3, ET = 1u << 4, NE = 1u << 5,
              WP = 1u << 16, AM = 1u << 18, NW = 1u << 29, CD = 1u << 30, PG = 1u << 31;
}
namespace cr4 {
constexpr u32 VME = 1u << 0, PVI = 1u << 1, TSD = 1u << 2, DE = 1u << 3, PSE = 1u << 4,
              PAE = 1u << 5, MCE = 1u << 6, PGE = 1u << 7, PCE = 1u << 8, OSFXSR = 1u << 9,
              OSXMMEXCPT = 1u << 10;
}

// Descriptor attribute bits as they sit in bytes 5..6 of a descriptor (access byte | flags<<8).
namespace attr {
constexpr u16 kTypeMask = 0x0F, S = 1u << 4, DPL_SHIFT = 5, P = 1u << 7, AVL = 1u << 12,
              L = 1u << 13, DB = 1u << 14, G = 1u << 15;
}

struct Segment {
  u16 selector = 0;
  u16 attrs = 0;     // access byte and G/DB/L/AVL as in the descriptor
  u32 base = 0;
  u32 limit = 0;     // byte-granular effective limit
  u32 lo = 0, hi = 0;  // valid offset range for accesses (expand-down aware)
  bool readable = false;
  bool writable = false;
  bool valid = false;  // false: a null selector was loaded (any access faults)
  u8 pad_ = 0;
};

struct TableReg {
  u32 base = 0;
  u32 limit = 0;
};

namespace msr {
constexpr u32 TSC = 0x10, APIC_BASE = 0x1B, SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175,
              SYSENTER_EIP = 0x176, MTRRCAP = 0xFE, MISC_ENABLE = 0x1A0, PAT = 0x277;
}

// x87 FPU (SDM Vol. 1 8.1): eight 80-bit physical registers R0..R7 kept as raw significand and
// sign/exponent, so this header needs no soft-float type. Tags are kept abridged (1 = valid,
// 0 = empty, bit i for Ri); the full 2-bit tags are derived from contents when they are saved.
// Power-up values per SDM Vol. 3A Table 9-1 (FCW 0040H, FTW 5555H: all +0.0 and valid).
struct FpuReg {
  u64 mant = 0;
  u16 se = 0;  // sign (bit 15) and biased exponent
};
struct FpuState {
  FpuReg r[8];
  u16 cw = 0x0040;
  u16 sw = 0;       // TOP is kept in bits 13:11 as in the architectural status word
  u8 valid = 0xFF;  // abridged tags
  u16 fop = 0;      // last non-control instruction's opcode (11 bits)
  u16 fcs = 0, fds = 0;
  u32 fip = 0, fdp = 0;
};

struct CpuState {
  u64 gpr[16] = {};
  u64 rip = 0;
  u32 eflags = flag::kFixedOne;
  u8 cpl = 0;
  bool halted = false;
  bool irq_shadow = false;  // after STI / MOV SS / POP SS: no interrupt before the next insn
  bool nmi_blocked = false;
  Segment seg[kSegCount];
  Segment ldtr;
  Segment tr;
  TableReg gdtr;
  TableReg idtr;
  u64 cr0 = cr0::ET | cr0::CD | cr0::NW;
  u64 cr2 = 0;
  u64 cr3 = 0;
  u64 cr4 = 0;
  u64 dr[8] = {0, 0, 0, 0, 0xFFFF0FF0, 0x400, 0xFFFF0FF0, 0x400};
  u64 tsc_offset = 0;  // TSC = virtual clock + offset (WRMSR 0x10 sets the offset)
  u64 sysenter_cs = 0, sysenter_esp = 0, sysenter_eip = 0;
  u64 apic_base = 0xFEE00900;
  u64 pat = 0x0007040600070406ull;
  u64 misc_enable = 1;
  FpuState fpu;
  // SSE/SSE2 (SDM Vol. 1 10.2): XMM0-7 as two 64-bit halves (low first) and MXCSR (power-up
  // 1F80H: all exceptions masked, round to nearest). MMX registers alias fpu.r[i].mant.
  u64 xmm[8][2] = {};
  u32 mxcsr = 0x1F80;

  u32 eip() const { return static_cast<u32>(rip); }
  u32 reg32(unsigned r) const { return static_cast<u32>(gpr[r]); }
  u16 reg16(unsigned r) const { return static_cast<u16>(gpr[r]); }
  // 8-bit register numbering: 0-3 = AL,CL,DL,BL; 4-7 = AH,CH,DH,BH.
  u8 reg8(unsigned r) const { return static_cast<u8>(gpr[r & 3] >> ((r & 4) << 1)); }
  void set_reg32(unsigned r, u32 v) { gpr[r] = v; }  // writes to a 32-bit register zero bits 63:32
  void set_reg16(unsigned r, u16 v) { gpr[r] = (gpr[r] & ~u64{0xFFFF}) | v; }
  void set_reg8(unsigned r, u8 v) {
    unsigned shift = (r & 4) << 1;
    gpr[r & 3] = (gpr[r & 3] & ~(u64{0xFF} << shift)) | (u64{v} << shift);
  }
  bool protected_mode() const { return cr0 & cr0::PE; }
  bool v86() const { return eflags & flag::VM; }
  bool paging() const { return (cr0 & cr0::PG) && (cr0 & cr0::PE); }
};

static_assert(offsetof(CpuState, gpr) == 0, "JIT addresses GPRs at offset 0");
static_assert(offsetof(CpuState, rip) == 128, "JIT addresses RIP at offset 128");

}  // namespace pcjit::cpu
