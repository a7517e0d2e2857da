// Far control transfers and software interrupts: the opcode-table rows and thin handlers that
// decode operands and call the mode-aware implementations in system/ (far_transfer.cpp,
// far_return.cpp, interrupts_pm.cpp, task_switch.cpp).
//
// JMP ptr16:16/32 (EA), CALL ptr (9A), CALL m16:16/32 (FF/3), JMP m16:16/32 (FF/5), RET far (CA,
// CB), IRET (CF), INT n (CD), INT3 (CC), INTO (CE), ICEBP/INT1 (F1). Every row ends its block.
#include "../system/privilege.h"
#include "../system/transfer.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

template <unsigned W>
Exec jmp_far_ptr(Context& c, const Insn& i) {
  return far_jump(c, static_cast<u16>(i.imm2), i.imm, W, c.next_eip(i));
}
template <unsigned W>
Exec call_far_ptr(Context& c, const Insn& i) {
  return far_call(c, static_cast<u16>(i.imm2), i.imm, W, c.next_eip(i));
}

// Reads a far pointer m16:16 or m16:32 (offset first, then the selector).
template <unsigned W>
Exec read_far_ptr(Context& c, const Insn& i, u16& sel, u32& off) {
  const u32 ea = c.ea(i);
  if constexpr (W == 4) {
    PCJIT_TRY(c.read<u32>(i.seg, ea, off));
  } else {
    u16 o = 0;
    PCJIT_TRY(c.read<u16>(i.seg, ea, o));
    off = o;
  }
  const u32 sel_off = i.adsz == 2 ? ((ea + W) & 0xFFFF) : ea + W;
  return c.read<u16>(i.seg, sel_off, sel);
}

template <unsigned W>
Exec jmp_far_mem(Context& c, const Insn& i) {
  u16 sel = 0;
  u32 off = 0;
  PCJIT_TRY(read_far_ptr<W>(c, i, sel, off));
  return far_jump(c, sel, off, W, c.next_eip(i));
}
template <unsigned W>
Exec call_far_mem(Context& c, const Insn& i) {
  u16 sel = 0;
  u32 off = 0;
  PCJIT_TRY(read_far_ptr<W>(c, i, sel, off));
  return far_call(c, sel, off, W, c.next_eip(i));
}

template <unsigned W>
Exec ret_far(Context& c, const Insn&) { return far_return(c, W, 0); }
template <unsigned W>
Exec ret_far_imm(Context& c, const Insn& i) { return far_return(c, W, static_cast<u16>(i.imm)); }
template <unsigned W>
Exec iret(Context& c, const Insn& i) { return interrupt_return(c, W, c.next_eip(i)); }

// INT n. In v86 mode below IOPL 3 it faults to the monitor (SDM 20.2.7); with CR4.VME a clear
// bit in the TSS interrupt-redirection bitmap sends it through the v86 task's own IVT (20.3.3,
// method 5/6 in Table 20-2).
Exec v86_redirected(Context& c, u8 vector, bool& redirect) {
  const CpuState& s = c.s;
  redirect = false;
  if (!(s.cr4 & cr4::VME)) return Exec::Ok;
  const u8 type = s.tr.attrs & attr::kTypeMask;
  if (!s.tr.valid || (type != 9 && type != 0xB) || s.tr.limit < 0x67) return c.raise_gp(0);
  u16 map_base = 0;
  PCJIT_TRY(c.read_sys<u16>(s.tr.base + 0x66, map_base));
  // The 32-byte redirection bitmap sits just below the I/O bitmap.
  const u32 at = u32{map_base} - 32 + vector / 8;
  if (at > s.tr.limit) return c.raise_gp(0);
  u8 bits = 0;
  PCJIT_TRY(c.read_sys<u8>(s.tr.base + at, bits));
  redirect = !(bits & (1u << (vector & 7)));
  return Exec::Ok;
}

// Delivery through the v86 task's IVT at linear 0 (the real-mode frame, on the v86 stack). Below
// IOPL 3 the pushed IF is VIF and VIF is cleared instead of IF (SDM 20.3.3.5).
Exec deliver_v86_ivt(Context& c, u8 vector, u32 return_eip) {
  CpuState& s = c.s;
  u16 ip = 0, cs = 0;
  PCJIT_TRY(c.read_lin<u16>(u32{vector} * 4, ip, true));
  PCJIT_TRY(c.read_lin<u16>(u32{vector} * 4 + 2, cs, true));
  u16 fl = static_cast<u16>(s.eflags);
  const bool iopl3 = iopl(s) == 3;
  if (!iopl3) fl = static_cast<u16>((fl & ~flag::IF) | ((s.eflags & flag::VIF) ? flag::IF : 0) | flag::IOPL);
  for (u32 k = 2; k <= 6; k += 2) {
    u32 lin = 0;
    PCJIT_TRY(c.seg_linear(SS, (c.sp() - k) & c.sp_mask(), 2, Access::Write, lin));
    MemRef r;
    PCJIT_TRY(c.map_linear(lin, 2, Access::Write, true, r));
  }
  PCJIT_TRY(c.push<u16>(fl));
  PCJIT_TRY(c.push<u16>(s.seg[CS].selector));
  PCJIT_TRY(c.push<u16>(static_cast<u16>(return_eip)));
  s.eflags &= ~(flag::TF | flag::RF);
  s.eflags &= iopl3 ? ~flag::IF : ~flag::VIF;
  c.load_seg_real(CS, cs);
  s.rip = ip;
  c.update_mode_flags();
  return Exec::Stop;
}

Exec int_n(Context& c, const Insn& i) {
  const u8 vector = static_cast<u8>(i.imm);
  if (c.s.protected_mode() && c.s.v86()) {
    bool redirect = false;
    PCJIT_TRY(v86_redirected(c, vector, redirect));
    if (redirect) return deliver_v86_ivt(c, vector, c.next_eip(i));
    if (iopl(c.s) < 3) return c.raise_gp(0);
  }
  return c.deliver(vector, EventKind::Software, 0, false, c.next_eip(i));
}

Exec int3(Context& c, const Insn& i) { return c.deliver(vec::BP, EventKind::Int3, 0, false, c.next_eip(i)); }
Exec icebp(Context& c, const Insn& i) { return c.deliver(vec::DB, EventKind::Icebp, 0, false, c.next_eip(i)); }
Exec into(Context& c, const Insn& i) {
  if (!(c.s.eflags & flag::OF)) return Exec::Ok;
  return c.deliver(vec::OF, EventKind::Into, 0, false, c.next_eip(i));
}

template <Handler H16, Handler H32>
Handler by_opsz(const DecodeView& v, Insn&) { return v.opsz == 2 ? H16 : H32; }
template <Handler H>
Handler fixed(const DecodeView&, Insn&) { return H; }

constexpr u16 E = row_flag::kEndsBlock;
constexpr u16 EM = row_flag::kEndsBlock | row_flag::kModRM | row_flag::kMemOnly;

// A far JMP/CALL, an interrupt or IRET may switch tasks, which stores EFLAGS into the old TSS and
// loads every flag from the new one (SDM "Flags Affected": "all flags are affected if a task
// switch occurs"); INT n/INT3/INTO/INT1 also push EFLAGS, IRET tests NT, IOPL and VIP. So they read
// and may write everything. Far RET changes no flag.
constexpr RowFlags kTask{fx::kAllFlags & ~flag::VM, fx::kAllFlags, 0};

const OpcodeRow kRows[] = {
    {"jmp Ap", 0, 0xEA, 1, -1, E, by_opsz<jmp_far_ptr<2>, jmp_far_ptr<4>>, OpClass::kFar, kTask},
    {"call Ap", 0, 0x9A, 1, -1, E, by_opsz<call_far_ptr<2>, call_far_ptr<4>>, OpClass::kFar, kTask},
    {"call Mp", 0, 0xFF, 1, 3, EM, by_opsz<call_far_mem<2>, call_far_mem<4>>, OpClass::kFar, kTask},
    {"jmp Mp", 0, 0xFF, 1, 5, EM, by_opsz<jmp_far_mem<2>, jmp_far_mem<4>>, OpClass::kFar, kTask},
    {"retf Iw", 0, 0xCA, 1, -1, E, by_opsz<ret_far_imm<2>, ret_far_imm<4>>, OpClass::kFar, fx::kNone},
    {"retf", 0, 0xCB, 1, -1, E, by_opsz<ret_far<2>, ret_far<4>>, OpClass::kFar, fx::kNone},
    {"iret", 0, 0xCF, 1, -1, E, by_opsz<iret<2>, iret<4>>, OpClass::kFar, kTask},
    {"int3", 0, 0xCC, 1, -1, E, fixed<int3>, OpClass::kFar, kTask},
    {"int Ib", 0, 0xCD, 1, -1, E, fixed<int_n>, OpClass::kFar, kTask},
    {"into", 0, 0xCE, 1, -1, E, fixed<into>, OpClass::kFar, kTask},
    {"icebp", 0, 0xF1, 1, -1, E, fixed<icebp>, OpClass::kFar, kTask},
};

}  // namespace

std::span<const OpcodeRow> farcall_rows() { return kRows; }

}  // namespace pcjit::cpu
