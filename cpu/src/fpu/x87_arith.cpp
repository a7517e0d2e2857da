// x87 basic arithmetic (SDM Vol. 2 FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR and their P/I forms): the six
// operations as a table indexed by ModRM.reg, and three forms around them:
//   D8/DC/DA/DE memory: ST(0) = ST(0) op m32fp / m64fp / m32int / m16int
//   D8 register:        ST(0) = ST(0) op ST(i)
//   DC/DE register:     ST(i) = ST(i) op ST(0)  (DE pops). In these two maps the encodings of
//                        SUB/SUBR and DIV/DIVR are swapped relative to D8 (SDM opcode tables).
#include "x87_core.h"

namespace pcjit::cpu::x87 {
namespace {

enum class Op : u8 { Add, Mul, Sub, Subr, Div, Divr };

// ModRM.reg -> operation; 2 and 3 are the compares (x87_compare.cpp).
constexpr Op kOpOfReg[8] = {Op::Add, Op::Mul, Op::Add, Op::Add, Op::Sub, Op::Subr, Op::Div, Op::Divr};

template <Op O>
sf::F80 apply(sf::F80 dst, sf::F80 src, sf::Env& env) {
  switch (O) {
    case Op::Add: return sf::add(dst, src, env);
    case Op::Mul: return sf::mul(dst, src, env);
    case Op::Sub: return sf::sub(dst, src, env);
    case Op::Subr: return sf::sub(src, dst, env);
    case Op::Div: return sf::div(dst, src, env);
    case Op::Divr: return sf::div(src, dst, env);
  }
  return dst;
}

enum class Src : u8 { F32, F64, I32, I16 };

// Reads and converts a memory source operand; conversion flags (SNaN, denormal) go into env.
template <Src S>
Exec fetch(Context& c, const Insn& i, sf::Env& env, sf::F80& out) {
  const u32 ea = c.ea(i);
  if constexpr (S == Src::F32) {
    u32 b;
    PCJIT_TRY(c.read<u32>(i.seg, ea, b));
    out = sf::from_f32(sf::F32{b}, env);
  } else if constexpr (S == Src::F64) {
    u64 b;
    PCJIT_TRY(c.read<u64>(i.seg, ea, b));
    out = sf::from_f64(sf::F64{b}, env);
  } else if constexpr (S == Src::I32) {
    u32 b;
    PCJIT_TRY(c.read<u32>(i.seg, ea, b));
    out = sf::from_int(static_cast<i32>(b));
  } else {
    u16 b;
    PCJIT_TRY(c.read<u16>(i.seg, ea, b));
    out = sf::from_int(static_cast<i16>(b));
  }
  return Exec::Ok;
}

template <Op O, Src S>
Exec arith_m(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  sf::Env env = make_env(f);
  sf::F80 src;
  PCJIT_TRY(fetch<S>(c, i, env, src));
  note(c, i);
  if (is_empty(f, 0)) {
    underflow_into(f, 0);
    return Exec::Ok;
  }
  sf::F80 r = apply<O>(to_sf(st(f, 0)), src, env);
  store_result(f, 0, from_sf(r), env);
  return Exec::Ok;
}

// ToSti = false: ST(0) = ST(0) op ST(i); true: ST(i) = ST(i) op ST(0), popping when Pop.
template <Op O, bool ToSti, bool Pop>
Exec arith_r(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  const unsigned dst = ToSti ? i.rm : 0, src = ToSti ? 0 : i.rm;
  if (is_empty(f, 0) || is_empty(f, i.rm)) {
    if (stack_fault(f, false)) return Exec::Ok;
    set_st(f, dst, kIndefinite);
  } else {
    sf::Env env = make_env(f);
    sf::F80 r = apply<O>(to_sf(st(f, dst)), to_sf(st(f, src)), env);
    if (!store_result(f, dst, from_sf(r), env)) return Exec::Ok;
  }
  if constexpr (Pop) pop(f);
  return Exec::Ok;
}

template <Src S>
Handler mem_form(unsigned reg) {
  switch (kOpOfReg[reg]) {
    case Op::Add: return arith_m<Op::Add, S>;
    case Op::Mul: return arith_m<Op::Mul, S>;
    case Op::Sub: return arith_m<Op::Sub, S>;
    case Op::Subr: return arith_m<Op::Subr, S>;
    case Op::Div: return arith_m<Op::Div, S>;
    case Op::Divr: return arith_m<Op::Divr, S>;
  }
  return nullptr;
}

template <bool ToSti, bool Pop>
Handler reg_form(Op o) {
  switch (o) {
    case Op::Add: return arith_r<Op::Add, ToSti, Pop>;
    case Op::Mul: return arith_r<Op::Mul, ToSti, Pop>;
    case Op::Sub: return arith_r<Op::Sub, ToSti, Pop>;
    case Op::Subr: return arith_r<Op::Subr, ToSti, Pop>;
    case Op::Div: return arith_r<Op::Div, ToSti, Pop>;
    case Op::Divr: return arith_r<Op::Divr, ToSti, Pop>;
  }
  return nullptr;
}

// DC/DE register forms: E0+i is FSUBR ST(i),ST(0) (= ST(0) - ST(i)), E8+i FSUB, F0+i FDIVR, F8+i FDIV.
constexpr Op kOpOfRegSti[8] = {Op::Add, Op::Mul, Op::Add, Op::Add, Op::Subr, Op::Sub, Op::Divr, Op::Div};

}  // namespace

Handler arith_mem(u8 opcode, u8 reg) {
  if (reg == 2 || reg == 3) return nullptr;
  switch (opcode) {
    case 0xD8: return mem_form<Src::F32>(reg);
    case 0xDC: return mem_form<Src::F64>(reg);
    case 0xDA: return mem_form<Src::I32>(reg);
    case 0xDE: return mem_form<Src::I16>(reg);
    default: return nullptr;
  }
}

Handler arith_reg(u8 opcode, u8 modrm) {
  const unsigned reg = (modrm >> 3) & 7;
  if (reg == 2 || reg == 3) return nullptr;
  switch (opcode) {
    case 0xD8: return reg_form<false, false>(kOpOfReg[reg]);
    case 0xDC: return reg_form<true, false>(kOpOfRegSti[reg]);
    case 0xDE: return reg_form<true, true>(kOpOfRegSti[reg]);
    default: return nullptr;
  }
}

}  // namespace pcjit::cpu::x87
