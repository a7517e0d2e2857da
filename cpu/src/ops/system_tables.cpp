// Descriptor-table and task-register instructions (SDM Vol. 2, and Vol. 3A 2.4/2.6):
// LGDT/LIDT/SGDT/SIDT, SMSW/LMSW, INVLPG (0F 01), SLDT/STR/LLDT/LTR/VERR/VERW (0F 00), LAR, LSL,
// ARPL and CLTS.
//
// LAR/LSL/VERR/VERW report an unusable selector in ZF instead of faulting, so they read the
// descriptor through probe_descriptor() below, which only faults for the memory access itself.
// LLDT/LTR fault on a bad selector (#GP/#NP with the selector as error code) and check
// everything, including that the busy-bit write-back can happen, before they change any state.
#include "../exec/block_cache.h"
#include "../system/descriptors.h"
#include "../system/privilege.h"
#include "operands.h"
#include "system_ops.h"

namespace pcjit::cpu {
namespace {

bool pm_only(const CpuState& s) { return s.protected_mode() && !s.v86(); }
void set_zf(CpuState& s, bool z) { s.eflags = (s.eflags & ~flag::ZF) | (z ? flag::ZF : 0); }

// ---- 0F 01: table registers, MSW, INVLPG ------------------------------------------------------

// LGDT/LIDT: 16-bit limit then 32-bit base; a 16-bit operand size keeps only 24 base bits
// (SDM Vol. 2, LGDT/LIDT pseudocode).
template <bool Idt>
Exec lgdt(Context& c, const Insn& i) {
  if (!ring0(c.s)) return c.raise_gp(0);
  const u32 off = c.ea(i);
  u16 limit = 0;
  u32 base = 0;
  PCJIT_TRY(c.read<u16>(i.seg, off, limit));
  PCJIT_TRY(c.read<u32>(i.seg, off + 2, base));
  if (i.opsz == 2) base &= 0xFFFFFF;
  TableReg& t = Idt ? c.s.idtr : c.s.gdtr;
  t.base = base;
  t.limit = limit;
  return Exec::Ok;
}

// SGDT/SIDT: not privileged on P6 (no UMIP). 16-bit operand size stores a 24-bit base and a zero
// sixth byte (SDM Vol. 2, SGDT pseudocode).
template <bool Idt>
Exec sgdt(Context& c, const Insn& i) {
  const TableReg& t = Idt ? c.s.idtr : c.s.gdtr;
  const u32 off = c.ea(i);
  MemRef lim, base;
  PCJIT_TRY(c.map<u16>(i.seg, off, Access::Write, lim));
  PCJIT_TRY(c.map<u32>(i.seg, off + 2, Access::Write, base));
  c.store<u16>(lim, static_cast<u16>(t.limit));
  c.store<u32>(base, i.opsz == 2 ? t.base & 0xFFFFFF : t.base);
  return Exec::Ok;
}

// SMSW: a register destination with 32-bit operand size gets all of CR0[31:0] (P6 behaviour);
// memory always gets 16 bits.
template <bool Mem>
Exec smsw(Context& c, const Insn& i) {
  const u32 cr0v = static_cast<u32>(c.s.cr0);
  if (!Mem && i.opsz == 4) {
    c.s.set_reg32(i.rm, cr0v);
    return Exec::Ok;
  }
  return write_rm<u16, Mem>(c, i, static_cast<u16>(cr0v));
}

// LMSW loads PE, MP, EM, TS; it can set PE but never clear it (SDM Vol. 2, LMSW).
template <bool Mem>
Exec lmsw(Context& c, const Insn& i) {
  if (!ring0(c.s)) return c.raise_gp(0);
  u16 v = 0;
  PCJIT_TRY((read_rm<u16, Mem>(c, i, v)));
  const u64 old = c.s.cr0;
  c.s.cr0 = (old & ~u64{0xF}) | (v & 0xFu) | (old & cr0::PE);
  c.update_mode_flags();
  c.s.rip = c.next_eip(i);
  return Exec::Stop;
}

// INVLPG: the linear address of the operand, no limit check (SDM Vol. 2, INVLPG). A cached
// 4 MiB page may cover the address under a different tag, so then everything goes.
Exec invlpg(Context& c, const Insn& i) {
  if (!ring0(c.s)) return c.raise_gp(0);
  const u32 lin = c.s.seg[i.seg].base + c.ea(i);
  if (c.tlb.has_large) c.tlb.flush_all();
  else c.tlb.flush_page(lin);
  c.blocks->flush_jump_cache();
  c.s.rip = c.next_eip(i);
  return Exec::Stop;
}

// ---- 0F 00: LDTR, TR, VERR/VERW ---------------------------------------------------------------

// Reads the descriptor named by sel for LAR/LSL/VERR/VERW: found = false when the selector is
// null or outside its table (those instructions then clear ZF rather than fault).
Exec probe_descriptor(Context& c, u16 sel, bool& found, Descriptor& d) {
  found = false;
  if (is_null_selector(sel) || !descriptor_in_limits(c.s, sel)) return Exec::Ok;
  PCJIT_TRY(read_descriptor(c, sel, d));
  found = true;
  return Exec::Ok;
}

// SLDT/STR: #UD outside protected mode (SDM Vol. 2); a 32-bit register gets the selector
// zero-extended (P6 family).
template <bool Tr, bool Mem>
Exec store_sysreg(Context& c, const Insn& i) {
  if (!pm_only(c.s)) return c.raise_ud();
  const u16 sel = Tr ? c.s.tr.selector : c.s.ldtr.selector;
  if (!Mem && i.opsz == 4) {
    c.s.set_reg32(i.rm, sel);
    return Exec::Ok;
  }
  return write_rm<u16, Mem>(c, i, sel);
}

// LLDT (SDM Vol. 2): a null selector marks the LDT unusable; otherwise a present LDT descriptor
// (system type 2) in the GDT (descriptors.h: load_ldtr). LTR: an available 16/32-bit TSS
// (type 1 or 9) in the GDT, marked busy in memory before TR changes.
template <bool Mem>
Exec lldt(Context& c, const Insn& i) {
  if (!pm_only(c.s)) return c.raise_ud();
  if (c.s.cpl != 0) return c.raise_gp(0);
  u16 sel = 0;
  PCJIT_TRY((read_rm<u16, Mem>(c, i, sel)));
  return load_ldtr(c, sel);
}

template <bool Mem>
Exec ltr(Context& c, const Insn& i) {
  if (!pm_only(c.s)) return c.raise_ud();
  if (c.s.cpl != 0) return c.raise_gp(0);
  u16 sel = 0;
  PCJIT_TRY((read_rm<u16, Mem>(c, i, sel)));
  const u16 err = sel & 0xFFFC;
  if (is_null_selector(sel) || (sel & 4)) return c.raise_gp(err);
  Descriptor d;
  PCJIT_TRY(read_descriptor(c, sel, d));
  const bool avail_tss = d.is_system() && (d.type() == sys_type::kTss16Avail || d.type() == sys_type::kTss32Avail);
  if (!avail_tss) return c.raise_gp(err);
  if (!d.present()) return c.raise(vec::NP, err);
  PCJIT_TRY(set_tss_busy(c, sel, d, true));
  load_cache(c.s.tr, sel, d);
  return Exec::Ok;
}

// Code or data descriptor visible at max(CPL, RPL)? Conforming code is always visible.
bool visible(const CpuState& s, const Descriptor& d, u16 sel) {
  if (d.conforming()) return true;
  const u8 dpl = d.dpl();
  return dpl >= s.cpl && dpl >= (sel & 3);
}

// VERR/VERW (SDM Vol. 2): ZF = 1 when the segment is readable / writable at max(CPL, RPL).
template <bool Write, bool Mem>
Exec verify(Context& c, const Insn& i) {
  if (!pm_only(c.s)) return c.raise_ud();
  u16 sel = 0;
  PCJIT_TRY((read_rm<u16, Mem>(c, i, sel)));
  bool found = false;
  Descriptor d;
  PCJIT_TRY(probe_descriptor(c, sel, found, d));
  bool ok = false;
  if (found && !d.is_system()) {
    ok = Write ? d.data_writable() : (d.is_data() || d.code_readable());
    ok = ok && visible(c.s, d, sel);
  }
  set_zf(c.s, ok);
  return Exec::Ok;
}

// ---- LAR, LSL, ARPL, CLTS ---------------------------------------------------------------------

// System types LAR / LSL accept (SDM Vol. 2, LAR Table 3-58 and LSL): TSSs, LDT, and for LAR the
// gates that exist in 32-bit mode too.
bool lar_type_ok(u8 type, bool lsl) {
  switch (type) {
    case 1: case 2: case 3: case 9: case 0xB: return true;
    case 4: case 5: case 0xC: return !lsl;
    default: return false;
  }
}

template <bool Lsl, bool Mem>
Exec lar_lsl(Context& c, const Insn& i) {
  if (!pm_only(c.s)) return c.raise_ud();
  u16 sel = 0;
  PCJIT_TRY((read_rm<u16, Mem>(c, i, sel)));
  bool found = false;
  Descriptor d;
  PCJIT_TRY(probe_descriptor(c, sel, found, d));
  bool ok = found && (!d.is_system() || lar_type_ok(d.type(), Lsl)) && visible(c.s, d, sel);
  if (ok) {
    u32 v = Lsl ? d.limit() : d.hi & 0x00F0FF00u;
    if (i.opsz == 4) c.s.set_reg32(i.reg, v);
    else c.s.set_reg16(i.reg, static_cast<u16>(v));
  }
  set_zf(c.s, ok);
  return Exec::Ok;
}

// ARPL: raise the destination selector's RPL to the source's (SDM Vol. 2). Not recognised in
// real or virtual-8086 mode.
template <bool Mem>
Exec arpl(Context& c, const Insn& i) {
  if (!pm_only(c.s)) return c.raise_ud();
  const u16 src = c.s.reg16(i.reg);
  bool raised = false;
  PCJIT_TRY((modify_rm<u16, Mem>(c, i, [&](u16 d) -> u16 {
    if ((d & 3) < (src & 3)) {
      raised = true;
      return static_cast<u16>((d & ~3) | (src & 3));
    }
    return d;
  })));
  set_zf(c.s, raised);
  return Exec::Ok;
}

Exec clts(Context& c, const Insn&) {
  if (!ring0(c.s)) return c.raise_gp(0);
  c.s.cr0 &= ~u64{cr0::TS};
  return Exec::Ok;
}

// ---- binders and rows -------------------------------------------------------------------------

template <template <bool> class F>
Handler by_form(const DecodeView& v, Insn&) { return v.mem ? F<true>::fn : F<false>::fn; }

#define PCJIT_FORMS(name, ...) \
  template <bool M>            \
  struct name {                \
    static constexpr Handler fn = __VA_ARGS__; \
  };
PCJIT_FORMS(Smsw, smsw<M>)
PCJIT_FORMS(Lmsw, lmsw<M>)
PCJIT_FORMS(Sldt, (store_sysreg<false, M>))
PCJIT_FORMS(Str, (store_sysreg<true, M>))
PCJIT_FORMS(Lldt, lldt<M>)
PCJIT_FORMS(Ltr, ltr<M>)
PCJIT_FORMS(Verr, (verify<false, M>))
PCJIT_FORMS(Verw, (verify<true, M>))
PCJIT_FORMS(Lar, (lar_lsl<false, M>))
PCJIT_FORMS(Lsl, (lar_lsl<true, M>))
PCJIT_FORMS(Arpl, arpl<M>)
#undef PCJIT_FORMS

template <Handler H>
Handler fixed(const DecodeView&, Insn&) { return H; }

constexpr u16 M = row_flag::kModRM;
constexpr u16 MO = row_flag::kModRM | row_flag::kMemOnly;
constexpr u16 E = row_flag::kEndsBlock;

// VERR/VERW/LAR/LSL report success in ZF, ARPL whether it adjusted the RPL; the rest change no flag.
constexpr RowFlags kZfOnly{0, flag::ZF, 0};

const OpcodeRow kRows[] = {
    {"sgdt Ms", 1, 0x01, 1, 0, MO, fixed<sgdt<false>>, OpClass::kSystem, fx::kNone},
    {"sidt Ms", 1, 0x01, 1, 1, MO, fixed<sgdt<true>>, OpClass::kSystem, fx::kNone},
    {"lgdt Ms", 1, 0x01, 1, 2, MO, fixed<lgdt<false>>, OpClass::kSystem, fx::kNone},
    {"lidt Ms", 1, 0x01, 1, 3, MO, fixed<lgdt<true>>, OpClass::kSystem, fx::kNone},
    {"smsw Ew", 1, 0x01, 1, 4, M, by_form<Smsw>, OpClass::kSystem, fx::kNone},
    {"lmsw Ew", 1, 0x01, 1, 6, M | E, by_form<Lmsw>, OpClass::kSystem, fx::kNone},
    {"invlpg Mb", 1, 0x01, 1, 7, MO | E, fixed<invlpg>, OpClass::kSystem, fx::kNone},
    {"sldt Ew", 1, 0x00, 1, 0, M, by_form<Sldt>, OpClass::kSystem, fx::kNone},
    {"str Ew", 1, 0x00, 1, 1, M, by_form<Str>, OpClass::kSystem, fx::kNone},
    {"lldt Ew", 1, 0x00, 1, 2, M, by_form<Lldt>, OpClass::kSystem, fx::kNone},
    {"ltr Ew", 1, 0x00, 1, 3, M, by_form<Ltr>, OpClass::kSystem, fx::kNone},
    {"verr Ew", 1, 0x00, 1, 4, M, by_form<Verr>, OpClass::kSystem, kZfOnly},
    {"verw Ew", 1, 0x00, 1, 5, M, by_form<Verw>, OpClass::kSystem, kZfOnly},
    {"lar Gv,Ew", 1, 0x02, 1, -1, M, by_form<Lar>, OpClass::kSystem, kZfOnly},
    {"lsl Gv,Ew", 1, 0x03, 1, -1, M, by_form<Lsl>, OpClass::kSystem, kZfOnly},
    {"arpl Ew,Gw", 0, 0x63, 1, -1, M, by_form<Arpl>, OpClass::kSystem, kZfOnly},
    {"clts", 1, 0x06, 1, -1, 0, fixed<clts>, OpClass::kSystem, fx::kNone},
};

}  // namespace

std::span<const OpcodeRow> system_table_rows() { return kRows; }

}  // namespace pcjit::cpu
