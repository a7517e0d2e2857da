// Operand access for handlers and the binder helpers that pick a specialised handler at decode
// time. A family defines a struct with `template <class T, bool Mem> static Exec run(...)`; pick()
// turns (operand size, register/memory form) into the matching function pointer.
#pragma once
#include "../context.h"
#include "../decode/opcode_table.h"

namespace pcjit::cpu {

template <class T, bool Mem>
Exec read_rm(Context& c, const Insn& i, T& v) {
  if constexpr (Mem) return c.read<T>(i.seg, c.ea(i), v);
  v = c.reg<T>(i.rm);
  return Exec::Ok;
}

template <class T, bool Mem>
Exec write_rm(Context& c, const Insn& i, T v) {
  if constexpr (Mem) return c.write<T>(i.seg, c.ea(i), v);
  c.set_reg<T>(i.rm, v);
  return Exec::Ok;
}

// Read-modify-write of the ModRM operand: the destination is checked for writing before the
// read, so a fault leaves everything untouched. f(old) returns the new value.
template <class T, bool Mem, class F>
Exec modify_rm(Context& c, const Insn& i, F&& f) {
  if constexpr (Mem) {
    MemRef r;
    PCJIT_TRY(c.map<T>(i.seg, c.ea(i), Access::Write, r));
    T old = c.load<T>(r);
    c.store<T>(r, f(old));
  } else {
    c.set_reg<T>(i.rm, f(c.reg<T>(i.rm)));
  }
  return Exec::Ok;
}

template <class Op, class T>
Handler pick_form(bool mem) {
  return mem ? &Op::template run<T, true> : &Op::template run<T, false>;
}

// size: 1, 2 or 4 bytes.
template <class Op>
Handler pick(unsigned size, bool mem) {
  switch (size) {
    case 1: return pick_form<Op, u8>(mem);
    case 2: return pick_form<Op, u16>(mem);
    default: return pick_form<Op, u32>(mem);
  }
}

// Ready-made binders: byte form, and 'v' form sized by the effective operand size.
template <class Op>
Handler bind_b(const DecodeView& v, Insn&) { return pick<Op>(1, v.mem); }
template <class Op>
Handler bind_v(const DecodeView& v, Insn&) { return pick<Op>(v.opsz, v.mem); }

}  // namespace pcjit::cpu
