// MOV to/from control and debug registers, INVD and WBINVD (SDM Vol. 2 "MOV-Move to/from Control
// Registers", "MOV-Move to/from Debug Registers"; Vol. 3A 2.5 and 17.2).
//
// The ModRM mod field is ignored: these always move a 32-bit general register. Every write ends
// the block (row flag + Exec::Stop) because it can change the mode, the translation of the code
// that follows, or the debug state the dispatcher checks between blocks.
//
// TLB policy (SDM Vol. 3A 4.10.4): a CR0.PG change, a CR0.WP change while paging, or a CR4.PGE/
// PSE/PAE change flushes everything (global entries too); MOV CR3 keeps global entries when
// CR4.PGE is set. A CR0.PE change alone keeps the TLB: PG=1 needs PE=1, so PE can only toggle
// with paging off, where linear = physical and nothing cached depends on PE (real-mode firmware
// such as SeaBIOS switches PE thousands of times per boot).
#include "../exec/block_cache.h"
#include "../system/privilege.h"
#include "operands.h"
#include "system_ops.h"

namespace pcjit::cpu {
namespace {

// CR0 bits software can change on a P6; ET is hardwired to 1 (SDM Vol. 3A 2.5). Other bits are
// reserved and ignored when written.
constexpr u32 kCr0Writable = cr0::PE | cr0::MP | cr0::EM | cr0::TS | cr0::NE | cr0::WP | cr0::AM |
                             cr0::NW | cr0::CD | cr0::PG;
// CR4 bits backed by an implemented feature (CPUID leaf 1 says the same): setting any other bit
// is #GP(0). VME/PVI: INT redirection, IRET, PUSHF/POPF, CLI/STI (farcall.cpp, far_return.cpp,
// stack_flags.cpp, flag.cpp). OSFXSR/OSXMMEXCPT: the SSE/SSE2 unit (simd/*.cpp) and FXSAVE's XMM
// area. Not implemented: PAE, and MCE has no machine-check architecture behind it.
constexpr u32 kCr4Valid = cr4::VME | cr4::PVI | cr4::TSD | cr4::DE | cr4::PSE | cr4::PGE | cr4::PCE |
                          cr4::OSFXSR | cr4::OSXMMEXCPT;

Exec read_cr(Context& c, const Insn& i) {
  if (!ring0(c.s)) return c.raise_gp(0);
  u64 v;
  switch (i.reg) {
    case 0: v = c.s.cr0; break;
    case 2: v = c.s.cr2; break;
    case 3: v = c.s.cr3; break;
    case 4: v = c.s.cr4; break;
    default: return c.raise_ud();
  }
  c.s.set_reg32(i.rm, static_cast<u32>(v));
  return Exec::Ok;
}

Exec write_cr(Context& c, const Insn& i) {
  if (i.reg == 1 || i.reg > 4) return c.raise_ud();
  if (!ring0(c.s)) return c.raise_gp(0);
  const u32 v = c.s.reg32(i.rm);
  CpuState& s = c.s;
  switch (i.reg) {
    case 0: {
      const u32 nv = (v & kCr0Writable) | cr0::ET;
      if ((nv & cr0::PG) && !(nv & cr0::PE)) return c.raise_gp(0);
      if ((nv & cr0::NW) && !(nv & cr0::CD)) return c.raise_gp(0);
      const u32 changed = nv ^ static_cast<u32>(s.cr0);
      s.cr0 = (s.cr0 & ~u64{0xFFFFFFFF}) | nv;
      if ((changed & cr0::PG) || ((changed & cr0::WP) && (nv & cr0::PG))) c.flush_tlb();
      break;
    }
    case 2:
      s.cr2 = v;
      break;
    case 3:
      s.cr3 = v;
      if (s.cr4 & cr4::PGE) {
        c.tlb.flush_non_global();
        c.blocks->flush_jump_cache();
      } else {
        c.flush_tlb();
      }
      break;
    case 4: {
      if (v & ~kCr4Valid) return c.raise_gp(0);
      const u32 changed = v ^ static_cast<u32>(s.cr4);
      s.cr4 = v;
      if (changed & (cr4::PGE | cr4::PSE | cr4::PAE)) c.flush_tlb();
      break;
    }
  }
  c.update_mode_flags();
  s.rip = c.next_eip(i);
  return Exec::Stop;
}

// DR4/DR5 alias DR6/DR7 unless CR4.DE makes them #UD (SDM Vol. 3A 17.2.2). DR7.GD turns any DR
// access into a #DB fault with DR6.BD set, GD cleared so the handler can use the registers
// (17.2.4).
Exec dr_index(Context& c, const Insn& i, unsigned& idx) {
  idx = i.reg;
  if (idx == 4 || idx == 5) {
    if (c.s.cr4 & cr4::DE) return c.raise_ud();
    idx += 2;
  }
  if (!ring0(c.s)) return c.raise_gp(0);
  if (c.s.dr[7] & (1u << 13)) {
    c.s.dr[6] |= 1u << 13;
    c.s.dr[7] &= ~u64{1u << 13};
    return c.raise(vec::DB);
  }
  return Exec::Ok;
}

Exec read_dr(Context& c, const Insn& i) {
  unsigned idx;
  PCJIT_TRY(dr_index(c, i, idx));
  c.s.set_reg32(i.rm, static_cast<u32>(c.s.dr[idx]));
  return Exec::Ok;
}

Exec write_dr(Context& c, const Insn& i) {
  unsigned idx;
  PCJIT_TRY(dr_index(c, i, idx));
  const u32 v = c.s.reg32(i.rm);
  switch (idx) {
    // DR6: bits 4-11 and 16-31 read as 1, bit 12 as 0 on P6 (SDM Vol. 3A 17.2.3).
    case 6: c.s.dr[6] = (v & 0xE00Fu) | 0xFFFF0FF0u; break;
    // DR7: bit 10 reads as 1, bits 11, 12, 14, 15 as 0 (17.2.4).
    case 7: c.s.dr[7] = (v & ~0xD800u) | 0x400u; break;
    default: c.s.dr[idx] = v; break;
  }
  c.update_mode_flags();
  c.flush_tlb();  // pages a data breakpoint now watches must leave the TLB
  c.s.rip = c.next_eip(i);
  return Exec::Stop;
}

// INVD/WBINVD: there are no caches to model; still privileged.
Exec invd(Context& c, const Insn&) {
  if (!ring0(c.s)) return c.raise_gp(0);
  return Exec::Ok;
}

template <Handler H>
Handler fixed(const DecodeView&, Insn&) { return H; }

constexpr u16 M = row_flag::kModRM;
constexpr u16 E = row_flag::kEndsBlock;

// MOV to/from CRn and DRn: "The OF, SF, ZF, AF, PF, and CF flags are undefined" (SDM); the
// handlers leave them as they were, one of the values an undefined flag may take.
constexpr RowFlags kMovCrDr{0, flag::kArith, flag::kArith};

const OpcodeRow kRows[] = {
    {"mov Rd,Cd", 1, 0x20, 1, -1, M, fixed<read_cr>, OpClass::kSystem, kMovCrDr},
    {"mov Rd,Dd", 1, 0x21, 1, -1, M, fixed<read_dr>, OpClass::kSystem, kMovCrDr},
    {"mov Cd,Rd", 1, 0x22, 1, -1, M | E, fixed<write_cr>, OpClass::kSystem, kMovCrDr},
    {"mov Dd,Rd", 1, 0x23, 1, -1, M | E, fixed<write_dr>, OpClass::kSystem, kMovCrDr},
    {"invd", 1, 0x08, 1, -1, 0, fixed<invd>, OpClass::kSystem, fx::kNone},
    {"wbinvd", 1, 0x09, 1, -1, 0, fixed<invd>, OpClass::kSystem, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> system_cr_rows() { return kRows; }

}  // namespace pcjit::cpu
