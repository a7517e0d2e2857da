// x87 transcendental instructions (SDM Vol. 2 F2XM1, FYL2X, FYL2XP1, FSIN, FCOS, FSINCOS, FPTAN,
// FPATAN): the register-stack side (operand checks, stack faults, pops and pushes, C1/C2). The
// values, special operands and flags come from the soft-float's transcendentals, which reduce
// trigonometric arguments against the x87's own 66-bit pi and round once from ~126-bit
// intermediates, so results match the hardware rather than the exact function.
#include "x87_core.h"

namespace pcjit::cpu::x87 {
namespace {

enum class Fn : u8 { F2xm1, Sin, Cos, SinCos, Tan };

constexpr bool pushes(Fn f) { return f == Fn::SinCos || f == Fn::Tan; }

sf::Trig eval(Fn f, const sf::F80& x, sf::Env& env) {
  switch (f) {
    case Fn::Sin: return sf::fsin(x, env);
    case Fn::Cos: return sf::fcos(x, env);
    case Fn::SinCos: return sf::fsincos(x, env);
    case Fn::Tan: return sf::fptan(x, env);
    case Fn::F2xm1: break;
  }
  return sf::Trig{sf::f2xm1(x, env), {}, false};
}

// One-operand forms on ST(0); FSINCOS and FPTAN push a second result.
template <Fn F>
Exec unary(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0) || (pushes(F) && !is_empty(f, 7))) {
    if (stack_fault(f, !is_empty(f, 0))) return Exec::Ok;
    set_st(f, 0, kIndefinite);
    if (pushes(F)) push(f, kIndefinite);
    return Exec::Ok;
  }
  sf::Env env = make_env(f);
  const sf::Trig r = eval(F, to_sf(st(f, 0)), env);
  if (signal(f, env.flags)) return Exec::Ok;
  if (r.out_of_range) {  // |x| >= 2^63: C2 = 1, ST(0) unchanged (SDM FSIN "Description")
    f.sw |= sw::C2;
    return Exec::Ok;
  }
  f.sw = static_cast<u16>((f.sw & ~(sw::C1 | sw::C2)) | (env.c1 ? sw::C1 : 0));
  set_st(f, 0, from_sf(r.value));
  if (pushes(F)) push(f, from_sf(r.second));
  return Exec::Ok;
}

enum class Fn2 : u8 { Yl2x, Yl2xp1, Patan };

// Two-operand forms: ST(1) = g(ST(0), ST(1)), then pop.
template <Fn2 F>
Exec binary(Context& c, const Insn& i) {
  PCJIT_TRY(begin(c));
  FpuState& f = c.s.fpu;
  note(c, i);
  if (is_empty(f, 0) || is_empty(f, 1)) {
    if (stack_fault(f, false)) return Exec::Ok;
    set_st(f, 1, kIndefinite);
    pop(f);
    return Exec::Ok;
  }
  sf::Env env = make_env(f);
  const sf::F80 x = to_sf(st(f, 0)), y = to_sf(st(f, 1));
  const sf::F80 r = F == Fn2::Yl2x ? sf::yl2x(x, y, env) : F == Fn2::Yl2xp1 ? sf::yl2xp1(x, y, env) : sf::fpatan(x, y, env);
  if (!store_result(f, 1, from_sf(r), env)) return Exec::Ok;
  pop(f);
  return Exec::Ok;
}

}  // namespace

Handler transcend_reg(u8 opcode, u8 modrm) {
  if (opcode != 0xD9) return nullptr;
  switch (modrm) {
    case 0xF0: return unary<Fn::F2xm1>;
    case 0xF1: return binary<Fn2::Yl2x>;
    case 0xF2: return unary<Fn::Tan>;
    case 0xF3: return binary<Fn2::Patan>;
    case 0xF9: return binary<Fn2::Yl2xp1>;
    case 0xFB: return unary<Fn::SinCos>;
    case 0xFE: return unary<Fn::Sin>;
    case 0xFF: return unary<Fn::Cos>;
    default: return nullptr;
  }
}

}  // namespace pcjit::cpu::x87
