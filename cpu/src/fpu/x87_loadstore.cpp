// x87 data transfer (SDM Vol. 1 8.3.3, Vol. 2 FLD/FILD/FBLD/FST/FIST/FBSTP/FXCH/FCMOVcc/FFREE):
// one load and one store template over the memory formats, the register-stack moves, and the
// P6's undocumented aliases (FSTP1/8/9, FXCH4/7, FFREEP) that old code relies on.
#include "x87_core.h"

namespace pcjit::cpu::x87 {
namespace {

enum class Fmt : u8 { F32, F64, F80, I16, I32, I64, Bcd };

// FLD m32fp/m64fp/m80fp, FILD m16/m32/m64int, FBLD m80bcd.
template <Fmt F>
Exec load_m(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  const u32 ea = c.ea(i);
  sf::Env env = make_env(f);
  F80 v{};
  if constexpr (F == Fmt::F32) {
    u32 b;
    PCJIT_TRY(c.read<u32>(i.seg, ea, b));
    v = from_sf(sf::from_f32(sf::F32{b}, env));
  } else if constexpr (F == Fmt::F64) {
    u64 b;
    PCJIT_TRY(c.read<u64>(i.seg, ea, b));
    v = from_sf(sf::from_f64(sf::F64{b}, env));
  } else if constexpr (F == Fmt::F80) {
    u64 m;
    u16 se;
    PCJIT_TRY(c.read<u64>(i.seg, ea, m));
    PCJIT_TRY(c.read<u16>(i.seg, ea + 8, se));
    v = F80{m, se};  // loaded as is: no exception for SNaN or denormal (SDM FLD)
  } else if constexpr (F == Fmt::I16) {
    u16 b;
    PCJIT_TRY(c.read<u16>(i.seg, ea, b));
    v = from_sf(sf::from_int(static_cast<i16>(b)));
  } else if constexpr (F == Fmt::I32) {
    u32 b;
    PCJIT_TRY(c.read<u32>(i.seg, ea, b));
    v = from_sf(sf::from_int(static_cast<i32>(b)));
  } else if constexpr (F == Fmt::I64) {
    u64 b;
    PCJIT_TRY(c.read<u64>(i.seg, ea, b));
    v = from_sf(sf::from_int(static_cast<i64>(b)));
  } else {
    u8 bcd[10];
    PCJIT_TRY(read_block(c, i.seg, ea, bcd, 10));
    v = from_sf(sf::from_bcd(bcd));
  }
  note(c, i);
  push_loaded(f, v, env.flags);
  return Exec::Ok;
}

constexpr unsigned size_of(Fmt f) {
  switch (f) {
    case Fmt::I16: return 2;
    case Fmt::F32: case Fmt::I32: return 4;
    case Fmt::F64: case Fmt::I64: return 8;
    default: return 10;
  }
}

// Integer indefinite / QNaN indefinite of each format, the masked response to a stack underflow.
void indefinite_bytes(Fmt f, u8* out) {
  u8 buf[10] = {};
  switch (f) {
    case Fmt::F32: { u32 v = sf::kF32Indefinite.bits; std::memcpy(buf, &v, 4); break; }
    case Fmt::F64: { u64 v = sf::kF64Indefinite.bits; std::memcpy(buf, &v, 8); break; }
    case Fmt::F80: { u64 m = kIndefinite.mant; std::memcpy(buf, &m, 8); buf[8] = 0xFF; buf[9] = 0xFF; break; }
    case Fmt::I16: buf[1] = 0x80; break;
    case Fmt::I32: buf[3] = 0x80; break;
    case Fmt::I64: buf[7] = 0x80; break;
    case Fmt::Bcd: buf[7] = 0xC0; buf[8] = 0xFF; buf[9] = 0xFF; break;  // BCD indefinite (Table 4-9)
  }
  std::memcpy(out, buf, 10);
}

// FST/FSTP m32fp/m64fp/m80fp, FIST/FISTP m16/m32/m64int, FBSTP m80bcd.
template <Fmt F, bool Pop>
Exec store_m(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  const u32 ea = c.ea(i);
  constexpr unsigned n = size_of(F);
  // Check the destination before anything changes (precise #PF/#GP restart).
  {
    MemRef r;
    PCJIT_TRY(c.map<u8>(i.seg, ea, Access::Write, r));
    PCJIT_TRY(c.map<u8>(i.seg, ea + n - 1, Access::Write, r));
  }
  note(c, i);
  u8 out[10];
  if (is_empty(f, 0)) {
    if (stack_fault(f, false)) return Exec::Ok;
    indefinite_bytes(F, out);
  } else {
    sf::Env env = make_env(f);
    const sf::F80 a = to_sf(st(f, 0));
    if constexpr (F == Fmt::F32) {
      u32 b = sf::to_f32(a, env).bits;
      std::memcpy(out, &b, 4);
    } else if constexpr (F == Fmt::F64) {
      u64 b = sf::to_f64(a, env).bits;
      std::memcpy(out, &b, 8);
    } else if constexpr (F == Fmt::F80) {
      std::memcpy(out, &a.sig, 8);
      out[8] = static_cast<u8>(a.se);
      out[9] = static_cast<u8>(a.se >> 8);
    } else if constexpr (F == Fmt::I16) {
      u16 b = static_cast<u16>(sf::to_i16(a, env));
      std::memcpy(out, &b, 2);
    } else if constexpr (F == Fmt::I32) {
      u32 b = static_cast<u32>(sf::to_i32(a, env));
      std::memcpy(out, &b, 4);
    } else if constexpr (F == Fmt::I64) {
      u64 b = static_cast<u64>(sf::to_i64(a, env));
      std::memcpy(out, &b, 8);
    } else {
      sf::to_bcd(a, env, out);
    }
    // A memory destination is left unchanged by any unmasked numeric exception, including
    // overflow/underflow (SDM Vol. 1 4.9.2, 8.5.4/8.5.5).
    signal(f, env.flags);
    if (env.flags & ~f.cw & (sw::IE | sw::DE | sw::ZE | sw::OE | sw::UE)) return Exec::Ok;
    f.sw = static_cast<u16>((f.sw & ~sw::C1) | (env.c1 ? sw::C1 : 0));
  }
  PCJIT_TRY(write_block(c, i.seg, ea, out, n));
  if constexpr (Pop) pop(f);
  return Exec::Ok;
}

// FLD ST(i): the source is read before the push.
Exec fld_st(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, i.rm)) {
    if (!is_empty(f, 7)) {
      if (!stack_fault(f, true)) push(f, kIndefinite);
    } else if (!stack_fault(f, false)) {
      push(f, kIndefinite);
    }
    return Exec::Ok;
  }
  push_loaded(f, st(f, i.rm), 0);
  return Exec::Ok;
}

// FST/FSTP ST(i): a plain copy, no rounding.
template <bool Pop>
Exec fst_st(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0)) {
    if (stack_fault(f, false)) return Exec::Ok;
    set_st(f, i.rm, kIndefinite);
  } else {
    f.sw &= static_cast<u16>(~sw::C1);
    set_st(f, i.rm, st(f, 0));
  }
  if constexpr (Pop) pop(f);
  return Exec::Ok;
}

Exec fxch(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0) || is_empty(f, i.rm)) {
    if (stack_fault(f, false)) return Exec::Ok;
    if (is_empty(f, 0)) set_st(f, 0, kIndefinite);
    if (is_empty(f, i.rm)) set_st(f, i.rm, kIndefinite);
  } else {
    f.sw &= static_cast<u16>(~sw::C1);
  }
  F80 t = st(f, 0);
  set_st(f, 0, st(f, i.rm));
  set_st(f, i.rm, t);
  return Exec::Ok;
}

// FCMOVcc (DA/DB C0-DF): B, E, BE, U and their negations, on EFLAGS as Jcc reads them.
template <unsigned Cond, bool Negate>
Exec fcmov(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0) || is_empty(f, i.rm)) {
    underflow_into(f, 0);
    return Exec::Ok;
  }
  const u32 fl = c.s.eflags;
  bool t = Cond == 0 ? (fl & flag::CF) : Cond == 1 ? (fl & flag::ZF) : Cond == 2 ? (fl & (flag::CF | flag::ZF)) : (fl & flag::PF);
  f.sw &= static_cast<u16>(~sw::C1);
  if (t != Negate) set_st(f, 0, st(f, i.rm));
  return Exec::Ok;
}

template <bool Pop>
Exec ffree(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  f.valid = static_cast<u8>(f.valid & ~(1u << phys(f, i.rm)));
  if constexpr (Pop) set_top(f, top(f) + 1);
  return Exec::Ok;
}

}  // namespace

Handler loadstore_mem(u8 opcode, u8 reg) {
  switch ((opcode & 7) << 3 | reg) {
    case 1 << 3 | 0: return load_m<Fmt::F32>;
    case 5 << 3 | 0: return load_m<Fmt::F64>;
    case 3 << 3 | 5: return load_m<Fmt::F80>;
    case 7 << 3 | 0: return load_m<Fmt::I16>;
    case 3 << 3 | 0: return load_m<Fmt::I32>;
    case 7 << 3 | 5: return load_m<Fmt::I64>;
    case 7 << 3 | 4: return load_m<Fmt::Bcd>;
    case 1 << 3 | 2: return store_m<Fmt::F32, false>;
    case 1 << 3 | 3: return store_m<Fmt::F32, true>;
    case 5 << 3 | 2: return store_m<Fmt::F64, false>;
    case 5 << 3 | 3: return store_m<Fmt::F64, true>;
    case 3 << 3 | 7: return store_m<Fmt::F80, true>;
    case 7 << 3 | 2: return store_m<Fmt::I16, false>;
    case 7 << 3 | 3: return store_m<Fmt::I16, true>;
    case 3 << 3 | 2: return store_m<Fmt::I32, false>;
    case 3 << 3 | 3: return store_m<Fmt::I32, true>;
    case 7 << 3 | 7: return store_m<Fmt::I64, true>;
    case 7 << 3 | 6: return store_m<Fmt::Bcd, true>;
    default: return nullptr;  // FISTTP (DB/1, DD/1, DF/1) is SSE3: #UD on a P6
  }
}

Handler loadstore_reg(u8 opcode, u8 modrm) {
  const unsigned reg = (modrm >> 3) & 7;
  switch ((opcode & 7) << 3 | reg) {
    case 1 << 3 | 0: return fld_st;
    case 1 << 3 | 1: case 5 << 3 | 1: case 7 << 3 | 1: return fxch;  // FXCH, FXCH4, FXCH7
    case 5 << 3 | 2: return fst_st<false>;
    case 5 << 3 | 3: case 1 << 3 | 3: case 7 << 3 | 2: case 7 << 3 | 3: return fst_st<true>;  // + FSTP1/8/9
    case 5 << 3 | 0: return ffree<false>;
    case 7 << 3 | 0: return ffree<true>;  // FFREEP
    case 2 << 3 | 0: return fcmov<0, false>;
    case 2 << 3 | 1: return fcmov<1, false>;
    case 2 << 3 | 2: return fcmov<2, false>;
    case 2 << 3 | 3: return fcmov<3, false>;
    case 3 << 3 | 0: return fcmov<0, true>;
    case 3 << 3 | 1: return fcmov<1, true>;
    case 3 << 3 | 2: return fcmov<2, true>;
    case 3 << 3 | 3: return fcmov<3, true>;
    default: return nullptr;
  }
}

}  // namespace pcjit::cpu::x87
