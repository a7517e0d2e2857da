// x87 control instructions (SDM Vol. 1 8.3.10-8.3.13): FNINIT, FNCLEX, FNSTSW (m16 and AX),
// FNSTCW/FLDCW, FNSTENV/FLDENV, FNSAVE/FRSTOR in their four layouts (SDM Vol. 1 8.1.10,
// Figures 8-9..8-12: 16/32-bit operand size x real-or-v86/protected mode), FXSAVE/FXRSTOR
// (SDM Vol. 2 FXSAVE, Table 3-53, with the SSE state), FINCSTP/FDECSTP, FNOP, FWAIT. Control instructions never
// update the last-instruction pointers, and the FN* forms do not check pending exceptions.
#include <cstring>

#include "x87_core.h"

namespace pcjit::cpu::x87 {
namespace {

void put16(u8* p, unsigned v) { p[0] = static_cast<u8>(v); p[1] = static_cast<u8>(v >> 8); }
void put32(u8* p, u32 v) { put16(p, v & 0xFFFF); put16(p + 2, v >> 16); }
u16 get16(const u8* p) { return static_cast<u16>(p[0] | p[1] << 8); }
u32 get32(const u8* p) { return get16(p) | u32{get16(p + 2)} << 16; }

bool pm_layout(const Context& c) { return c.s.protected_mode() && !c.s.v86(); }

// The environment image: 14 bytes (16-bit) or 28 bytes (32-bit). Reserved halves read back as
// FFFFh on P6-family processors.
unsigned store_env(Context& c, bool o32, u8* out) {
  const FpuState& f = c.s.fpu;
  const u16 tw = full_tag_word(f);
  const bool pm = pm_layout(c);
  const u32 fop = f.fop & 0x7FF;
  if (o32) {
    std::memset(out, 0xFF, 28);
    put16(out + 0, f.cw);
    put16(out + 4, f.sw);
    put16(out + 8, tw);
    if (pm) {
      put32(out + 12, f.fip);
      put32(out + 16, f.fcs | fop << 16);
      put32(out + 20, f.fdp);
      put16(out + 24, f.fds);
    } else {
      const u32 ip = (u32{f.fcs} << 4) + f.fip, dp = (u32{f.fds} << 4) + f.fdp;
      put16(out + 12, ip & 0xFFFF);
      put32(out + 16, fop | ((ip >> 16) << 12));
      put16(out + 20, dp & 0xFFFF);
      put32(out + 24, (dp >> 16) << 12);
    }
    return 28;
  }
  put16(out + 0, f.cw);
  put16(out + 2, f.sw);
  put16(out + 4, tw);
  if (pm) {
    put16(out + 6, f.fip & 0xFFFF);
    put16(out + 8, f.fcs);
    put16(out + 10, f.fdp & 0xFFFF);
    put16(out + 12, f.fds);
  } else {
    const u32 ip = (u32{f.fcs} << 4) + f.fip, dp = (u32{f.fds} << 4) + f.fdp;
    put16(out + 6, ip & 0xFFFF);
    put16(out + 8, fop | ((ip >> 16) & 0xF) << 12);
    put16(out + 10, dp & 0xFFFF);
    put16(out + 12, ((dp >> 16) & 0xF) << 12);
  }
  return 14;
}

void load_env(Context& c, bool o32, const u8* in) {
  FpuState& f = c.s.fpu;
  const bool pm = pm_layout(c);
  if (o32) {
    f.cw = get16(in + 0);
    f.sw = get16(in + 4);
    f.valid = abridge(get16(in + 8));
    if (pm) {
      f.fip = get32(in + 12);
      f.fcs = get16(in + 16);
      f.fop = static_cast<u16>((get32(in + 16) >> 16) & 0x7FF);
      f.fdp = get32(in + 20);
      f.fds = get16(in + 24);
    } else {
      const u32 w = get32(in + 16);
      f.fip = get16(in + 12) | ((w >> 12) & 0xFFFF) << 16;
      f.fop = static_cast<u16>(w & 0x7FF);
      f.fdp = get16(in + 20) | ((get32(in + 24) >> 12) & 0xFFFF) << 16;
      f.fcs = f.fds = 0;  // real-mode images hold linear addresses
    }
  } else {
    f.cw = get16(in + 0);
    f.sw = get16(in + 2);
    f.valid = abridge(get16(in + 4));
    if (pm) {
      f.fip = get16(in + 6);
      f.fcs = get16(in + 8);
      f.fdp = get16(in + 10);
      f.fds = get16(in + 12);
    } else {
      const u16 w = get16(in + 8);
      f.fip = get16(in + 6) | static_cast<u32>(w >> 12) << 16;
      f.fop = w & 0x7FF;
      f.fdp = get16(in + 10) | static_cast<u32>(get16(in + 12) >> 12) << 16;
      f.fcs = f.fds = 0;
    }
  }
  update_es(c);
}

void put_reg(u8* p, const F80& v) {
  put32(p, static_cast<u32>(v.mant));
  put32(p + 4, static_cast<u32>(v.mant >> 32));
  put16(p + 8, v.se);
}
F80 get_reg(const u8* p) { return F80{get32(p) | u64{get32(p + 4)} << 32, get16(p + 8)}; }

template <bool Save>
Exec env_op(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c, !Save));
  u8 buf[28];
  const bool o32 = i.opsz == 4;
  if constexpr (Save) {
    const unsigned n = store_env(c, o32, buf);
    PCJIT_TRY(write_block(c, i.seg, c.ea(i), buf, n));
    c.s.fpu.cw |= sw::kExceptions;  // FSTENV masks all exceptions after saving (SW unchanged)
  } else {
    PCJIT_TRY(read_block(c, i.seg, c.ea(i), buf, o32 ? 28 : 14));
    load_env(c, o32, buf);
  }
  return Exec::Ok;
}

template <bool Save>
Exec save_op(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c, !Save));
  u8 buf[108];
  const bool o32 = i.opsz == 4;
  const unsigned env = o32 ? 28 : 14;
  if constexpr (Save) {
    store_env(c, o32, buf);
    for (unsigned k = 0; k < 8; ++k) put_reg(buf + env + 10 * k, st(c.s.fpu, k));
    PCJIT_TRY(write_block(c, i.seg, c.ea(i), buf, env + 80));
    reset_fpu(c);
  } else {
    PCJIT_TRY(read_block(c, i.seg, c.ea(i), buf, env + 80));
    load_env(c, o32, buf);
    for (unsigned k = 0; k < 8; ++k) st(c.s.fpu, k) = get_reg(buf + env + 10 * k);
  }
  return Exec::Ok;
}

Exec fnstcw(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c, false));
  return c.write<u16>(i.seg, c.ea(i), c.s.fpu.cw);
}

Exec fldcw(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  u16 v;
  PCJIT_TRY(c.read<u16>(i.seg, c.ea(i), v));
  c.s.fpu.cw = static_cast<u16>(v | cw::kReserved1);  // bit 6 reads as 1 (SDM Figure 8-6)
  update_es(c);  // unmasking a raised flag makes it pending (ES), masking clears it
  return Exec::Ok;
}

Exec fnstsw_m(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c, false));
  return c.write<u16>(i.seg, c.ea(i), c.s.fpu.sw);
}

Exec fnstsw_ax(Context& c, const Insn&) {
  PCJIT_TRY(begin(c, false));
  c.s.set_reg16(EAX, c.s.fpu.sw);
  return Exec::Ok;
}

Exec fnclex(Context& c, const Insn&) {
  PCJIT_TRY(begin(c, false));
  c.s.fpu.sw &= static_cast<u16>(~(sw::kExceptions | sw::SF | sw::ES | sw::B));
  update_es(c);
  return Exec::Ok;
}

Exec fninit(Context& c, const Insn&) {
  PCJIT_TRY(begin(c, false));
  reset_fpu(c);
  return Exec::Ok;
}

// FNENI/FNDISI/FNSETPM: 8087/287 controls, executed as FNOP from the 387 on.
Exec fnop_nowait(Context& c, const Insn&) { return begin(c, false); }

Exec fnop(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  note(c, i);
  return Exec::Ok;
}

template <int Delta>
Exec step_top(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  note(c, i);
  c.s.fpu.sw &= static_cast<u16>(~sw::C1);
  set_top(c.s.fpu, top(c.s.fpu) + Delta);  // tags are untouched (SDM FINCSTP/FDECSTP)
  return Exec::Ok;
}

constexpr u32 kMxcsrMask = 0xFFFF;  // DAZ supported (SDM Vol. 1 11.6.6: MXCSR_MASK 0xFFFF)

Exec fx_check(Context& c, const Insn& i, u32& ea) {
  if (c.s.cr0 & cr0::EM) return c.raise_ud();
  if (c.s.cr0 & cr0::TS) return c.raise(vec::NM);
  ea = c.ea(i);
  if ((c.s.seg[i.seg].base + ea) & 15) return c.raise_gp(0);
  return Exec::Ok;
}

}  // namespace

Exec fwait(Context& c, const Insn&) {
  if ((c.s.cr0 & cr0::MP) && (c.s.cr0 & cr0::TS)) return c.raise(vec::NM);  // SDM Vol. 3A Table 2-2
  if (c.s.fpu.sw & sw::ES) {
    if (c.s.cr0 & cr0::NE) return c.raise(vec::MF);
    if (c.ferr) c.ferr->set_irq(13, true);
  }
  return Exec::Ok;
}

// FXSAVE image (SDM Vol. 2 FXSAVE, Table 3-53): bytes 0-159 the x87 state with the abridged tag
// byte and the registers in ST order, MXCSR at 24, XMM0-7 at 160-287. XMM is saved and restored
// only with CR4.OSFXSR (the SDM leaves it implementation-dependent otherwise); 288-511 untouched.
constexpr unsigned kFxBytes = 288;

Exec fxsave(Context& c, const Insn& i) {
  u32 ea;
  PCJIT_TRY(fx_check(c, i, ea));
  const FpuState& f = c.s.fpu;
  u8 buf[kFxBytes] = {};
  put16(buf + 0, f.cw);
  put16(buf + 2, f.sw);
  buf[4] = f.valid;  // abridged tag: bit i for physical register Ri
  put16(buf + 6, f.fop & 0x7FF);
  put32(buf + 8, f.fip);
  put16(buf + 12, f.fcs);
  put32(buf + 16, f.fdp);
  put16(buf + 20, f.fds);
  put32(buf + 24, c.s.mxcsr);
  put32(buf + 28, kMxcsrMask);
  for (unsigned k = 0; k < 8; ++k) put_reg(buf + 32 + 16 * k, st(f, k));
  const bool xmm = c.s.cr4 & cr4::OSFXSR;
  if (xmm) {
    for (unsigned k = 0; k < 8; ++k) {
      for (unsigned h = 0; h < 2; ++h) {
        put32(buf + 160 + 16 * k + 8 * h, static_cast<u32>(c.s.xmm[k][h]));
        put32(buf + 164 + 16 * k + 8 * h, static_cast<u32>(c.s.xmm[k][h] >> 32));
      }
    }
  }
  return write_block(c, i.seg, ea, buf, xmm ? kFxBytes : 160);
}

Exec fxrstor(Context& c, const Insn& i) {
  u32 ea;
  PCJIT_TRY(fx_check(c, i, ea));
  u8 buf[kFxBytes];
  const bool xmm = c.s.cr4 & cr4::OSFXSR;
  PCJIT_TRY(read_block(c, i.seg, ea, buf, xmm ? kFxBytes : 160));
  const u32 mxcsr = get32(buf + 24);
  if (mxcsr & ~kMxcsrMask) return c.raise_gp(0);  // reserved MXCSR bits
  FpuState& f = c.s.fpu;
  f.cw = get16(buf + 0);
  f.sw = get16(buf + 2);
  f.valid = buf[4];
  f.fop = get16(buf + 6) & 0x7FF;
  f.fip = get32(buf + 8);
  f.fcs = get16(buf + 12);
  f.fdp = get32(buf + 16);
  f.fds = get16(buf + 20);
  for (unsigned k = 0; k < 8; ++k) st(f, k) = get_reg(buf + 32 + 16 * k);
  c.s.mxcsr = mxcsr;
  if (xmm)
    for (unsigned k = 0; k < 8; ++k)
      for (unsigned h = 0; h < 2; ++h)
        c.s.xmm[k][h] = get32(buf + 160 + 16 * k + 8 * h) | u64{get32(buf + 164 + 16 * k + 8 * h)} << 32;
  update_es(c);
  return Exec::Ok;
}

Handler control_mem(u8 opcode, u8 reg) {
  if (opcode == 0xD9) {
    switch (reg) {
      case 4: return env_op<false>;
      case 5: return fldcw;
      case 6: return env_op<true>;
      case 7: return fnstcw;
      default: return nullptr;
    }
  }
  if (opcode == 0xDD) {
    switch (reg) {
      case 4: return save_op<false>;
      case 6: return save_op<true>;
      case 7: return fnstsw_m;
      default: return nullptr;
    }
  }
  return nullptr;
}

Handler control_reg(u8 opcode, u8 modrm) {
  switch (opcode << 8 | modrm) {
    case 0xD9D0: return fnop;
    case 0xD9F6: return step_top<-1>;
    case 0xD9F7: return step_top<1>;
    case 0xDBE0: case 0xDBE1: case 0xDBE4: return fnop_nowait;
    case 0xDBE2: return fnclex;
    case 0xDBE3: return fninit;
    case 0xDFE0: return fnstsw_ax;
    default: return nullptr;
  }
}

}  // namespace pcjit::cpu::x87
