// x87 comparisons (SDM Vol. 2 FCOM/FCOMP/FCOMPP, FUCOM*, FICOM*, FCOMI/FCOMIP/FUCOMI/FUCOMIP,
// FTST, FXAM). The result goes either to C3/C2/C0 (Table "FCOM results") or to ZF/PF/CF
// (FCOMI: the same pattern in EFLAGS, OF/SF/AF cleared); "quiet" picks the FUCOM NaN rule.
#include "x87_core.h"

namespace pcjit::cpu::x87 {
namespace {

// C3 C2 C0 (and ZF PF CF) for >, <, =, unordered.
u16 cc_of(sf::Cmp r) {
  switch (r) {
    case sf::Cmp::Greater: return 0;
    case sf::Cmp::Less: return sw::C0;
    case sf::Cmp::Equal: return sw::C3;
    case sf::Cmp::Unordered: return sw::C3 | sw::C2 | sw::C0;
  }
  return 0;
}
u32 eflags_of(sf::Cmp r) {
  switch (r) {
    case sf::Cmp::Greater: return 0;
    case sf::Cmp::Less: return flag::CF;
    case sf::Cmp::Equal: return flag::ZF;
    case sf::Cmp::Unordered: return flag::ZF | flag::PF | flag::CF;
  }
  return 0;
}

// Shared tail: writes the outcome to the condition codes or EFLAGS, then pops `pops` times.
// An unmasked IE (or stack fault) leaves flags and stack alone.
template <bool ToEflags>
Exec finish(Context& c, sf::Cmp r, u16 flags, unsigned pops) {
  FpuState& f = c.s.fpu;
  if (signal(f, flags)) return Exec::Ok;
  if constexpr (ToEflags) {
    c.s.eflags = (c.s.eflags & ~flag::kArith) | eflags_of(r);
    f.sw &= static_cast<u16>(~sw::C1);
  } else {
    set_cc(f, cc_of(r));
  }
  for (unsigned k = 0; k < pops; ++k) pop(f);
  return Exec::Ok;
}

template <bool ToEflags>
Exec underflow(Context& c, unsigned pops) {
  FpuState& f = c.s.fpu;
  if (stack_fault(f, false)) return Exec::Ok;
  return finish<ToEflags>(c, sf::Cmp::Unordered, 0, pops);
}

enum class Src : u8 { F32, F64, I32, I16 };

template <Src S, unsigned Pops>
Exec fcom_m(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  sf::Env env = make_env(f);
  sf::F80 b;
  const u32 ea = c.ea(i);
  if constexpr (S == Src::F32) {
    u32 v;
    PCJIT_TRY(c.read<u32>(i.seg, ea, v));
    b = sf::from_f32(sf::F32{v}, env);
  } else if constexpr (S == Src::F64) {
    u64 v;
    PCJIT_TRY(c.read<u64>(i.seg, ea, v));
    b = sf::from_f64(sf::F64{v}, env);
  } else if constexpr (S == Src::I32) {
    u32 v;
    PCJIT_TRY(c.read<u32>(i.seg, ea, v));
    b = sf::from_int(static_cast<i32>(v));
  } else {
    u16 v;
    PCJIT_TRY(c.read<u16>(i.seg, ea, v));
    b = sf::from_int(static_cast<i16>(v));
  }
  note(c, i);
  if (is_empty(f, 0)) return underflow<false>(c, Pops);
  sf::Cmp r = sf::compare(to_sf(st(f, 0)), b, env, false);
  return finish<false>(c, r, env.flags, Pops);
}

// ST(0) against ST(i); FCOMPP/FUCOMPP use i = 1 and pop twice.
template <bool Quiet, bool ToEflags, unsigned Pops, bool FixedOne>
Exec fcom_r(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  const unsigned k = FixedOne ? 1 : i.rm;
  if (is_empty(f, 0) || is_empty(f, k)) return underflow<ToEflags>(c, Pops);
  sf::Env env = make_env(f);
  sf::Cmp r = sf::compare(to_sf(st(f, 0)), to_sf(st(f, k)), env, Quiet);
  return finish<ToEflags>(c, r, env.flags, Pops);
}

Exec ftst(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0)) return underflow<false>(c, 0);
  sf::Env env = make_env(f);
  sf::Cmp r = sf::compare(to_sf(st(f, 0)), sf::kF80Zero, env, false);
  return finish<false>(c, r, env.flags, 0);
}

// FXAM (SDM Vol. 2 FXAM, Table 3-xx): C1 = sign; C3 C2 C0 = class. Never raises an exception.
Exec fxam(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  const F80 v = st(f, 0);
  const u16 s = sign(v) ? sw::C1 : 0;
  if (is_empty(f, 0)) {
    set_cc(f, s | sw::C3 | sw::C0);
    return Exec::Ok;
  }
  u16 cc = 0;
  switch (sf::classify(to_sf(v))) {
    case sf::Class::Unsupported: cc = 0; break;
    case sf::Class::QNaN: case sf::Class::SNaN: cc = sw::C0; break;
    case sf::Class::Normal: cc = sw::C2; break;
    case sf::Class::Infinity: cc = sw::C2 | sw::C0; break;
    case sf::Class::Zero: cc = sw::C3; break;
    case sf::Class::Denormal: case sf::Class::PseudoDenormal: cc = sw::C3 | sw::C2; break;
  }
  set_cc(f, s | cc);
  return Exec::Ok;
}

template <Src S>
Handler mem_pair(unsigned reg) {
  return reg == 2 ? fcom_m<S, 0> : fcom_m<S, 1>;
}

}  // namespace

Handler compare_mem(u8 opcode, u8 reg) {
  if (reg != 2 && reg != 3) return nullptr;
  switch (opcode) {
    case 0xD8: return mem_pair<Src::F32>(reg);
    case 0xDC: return mem_pair<Src::F64>(reg);
    case 0xDA: return mem_pair<Src::I32>(reg);
    case 0xDE: return mem_pair<Src::I16>(reg);
    default: return nullptr;
  }
}

Handler compare_reg(u8 opcode, u8 modrm) {
  const unsigned reg = (modrm >> 3) & 7;
  switch (opcode) {
    case 0xD8:
    case 0xDC:  // DC D0/D8: FCOM2/FCOMP3 aliases
      if (reg == 2) return fcom_r<false, false, 0, false>;
      if (reg == 3) return fcom_r<false, false, 1, false>;
      return nullptr;
    case 0xDE:
      if (reg == 2) return fcom_r<false, false, 1, false>;  // FCOMP5 alias
      if (modrm == 0xD9) return fcom_r<false, false, 2, true>;  // FCOMPP
      return nullptr;
    case 0xDD:
      if (reg == 4) return fcom_r<true, false, 0, false>;
      if (reg == 5) return fcom_r<true, false, 1, false>;
      return nullptr;
    case 0xDA:
      if (modrm == 0xE9) return fcom_r<true, false, 2, true>;  // FUCOMPP
      return nullptr;
    case 0xDB:
      if (reg == 5) return fcom_r<true, true, 0, false>;   // FUCOMI
      if (reg == 6) return fcom_r<false, true, 0, false>;  // FCOMI
      return nullptr;
    case 0xDF:
      if (reg == 5) return fcom_r<true, true, 1, false>;   // FUCOMIP
      if (reg == 6) return fcom_r<false, true, 1, false>;  // FCOMIP
      return nullptr;
    case 0xD9:
      if (modrm == 0xE4) return ftst;
      if (modrm == 0xE5) return fxam;
      return nullptr;
    default: return nullptr;
  }
}

}  // namespace pcjit::cpu::x87
