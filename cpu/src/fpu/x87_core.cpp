// Shared x87 machinery: tags, exception signalling, the instruction prologue (#NM, pending #MF,
// FERR#), the last-instruction/operand pointers, block memory access for the state images, and
// the binder that routes an ESC opcode to the group file that implements it.
#include "x87_core.h"

namespace pcjit::cpu {

void Cpu::set_ferr_sink(core::IrqSink* sink) { ctx_->ferr = sink; }

namespace x87 {

u16 full_tag_word(const FpuState& f) {
  u16 tw = 0;
  for (unsigned r = 0; r < 8; ++r) {
    unsigned t = ((f.valid >> r) & 1) ? tag_of(f.r[r]) : 3;
    tw = static_cast<u16>(tw | (t << (2 * r)));
  }
  return tw;
}

u8 abridge(u16 full) {
  u8 v = 0;
  for (unsigned r = 0; r < 8; ++r)
    if (((full >> (2 * r)) & 3) != 3) v = static_cast<u8>(v | (1u << r));
  return v;
}

sf::Env make_env(const FpuState& f) {
  sf::Env e;
  e.round = static_cast<sf::Round>((f.cw >> cw::RC_SHIFT) & 3);
  unsigned pc = (f.cw >> cw::PC_SHIFT) & 3;
  e.precision = pc == 0 ? sf::Precision::Single : pc == 2 ? sf::Precision::Double : sf::Precision::Extended;
  e.masks = static_cast<u8>(f.cw & sw::kExceptions);
  return e;
}

bool signal(FpuState& f, u16 flags) {
  flags &= sw::kExceptions;
  // Pre-computation exceptions (SDM Vol. 1 8.5.1-8.5.3): when unmasked nothing is computed, so
  // only they are reported.
  const u16 pre = flags & (sw::IE | sw::DE | sw::ZE);
  if (pre & ~f.cw) {
    f.sw |= pre | sw::ES | sw::B;
    return true;
  }
  f.sw |= flags;
  if (flags & ~f.cw) f.sw |= sw::ES | sw::B;
  return false;
}

bool stack_fault(FpuState& f, bool overflow) {
  f.sw = static_cast<u16>((f.sw & ~sw::C1) | (overflow ? sw::C1 : 0));
  f.sw |= sw::IE | sw::SF;
  if (!(f.cw & sw::IE)) {
    f.sw |= sw::ES | sw::B;
    return true;
  }
  return false;
}

void underflow_into(FpuState& f, unsigned dst) {
  if (!stack_fault(f, false)) set_st(f, dst, kIndefinite);
}

void push_loaded(FpuState& f, F80 v, u16 flags) {
  if (!is_empty(f, 7)) {
    if (!stack_fault(f, true)) push(f, kIndefinite);
    return;
  }
  if (signal(f, flags)) return;
  f.sw &= static_cast<u16>(~sw::C1);
  push(f, v);
}

bool store_result(FpuState& f, unsigned dst, F80 v, const sf::Env& env) {
  if (signal(f, env.flags)) return false;
  f.sw = static_cast<u16>((f.sw & ~sw::C1) | (env.c1 ? sw::C1 : 0));
  set_st(f, dst, v);
  return true;
}

Exec begin(Context& c, bool waiting) {
  if (c.s.cr0 & (cr0::EM | cr0::TS)) return c.raise(vec::NM);
  if (waiting && (c.s.fpu.sw & sw::ES)) {
    if (c.s.cr0 & cr0::NE) return c.raise(vec::MF);
    // CR0.NE=0: the chipset turns FERR# into IRQ13 and the instruction proceeds, as with IGNNE#
    // asserted by the handler's write to port F0h (SDM Vol. 1 D.2.1).
    if (c.ferr) c.ferr->set_irq(13, true);
  }
  return Exec::Ok;
}

void note(Context& c, const Insn& i) {
  FpuState& f = c.s.fpu;
  f.fip = c.s.eip();
  f.fcs = c.s.seg[CS].selector;
  f.fop = static_cast<u16>(((i.opcode & 7u) << 8) | i.bytes_hint);
  if (i.mem()) {
    f.fdp = c.ea(i);
    f.fds = c.s.seg[i.seg].selector;
  }
}

void update_es(Context& c) {
  FpuState& f = c.s.fpu;
  if (f.sw & ~f.cw & sw::kExceptions) {
    f.sw |= sw::ES | sw::B;
  } else {
    f.sw &= static_cast<u16>(~(sw::ES | sw::B));
    if (c.ferr) c.ferr->set_irq(13, false);
  }
}

void reset_fpu(Context& c) {
  FpuState& f = c.s.fpu;
  f.cw = 0x037F;
  f.sw = 0;
  f.valid = 0;
  f.fip = f.fdp = 0;
  f.fcs = f.fds = f.fop = 0;
  if (c.ferr) c.ferr->set_irq(13, false);
}

namespace {

// Maps [off, off+len) as pieces of at most 8 bytes; all are checked before any is used.
struct Pieces {
  MemRef ref[72];
  unsigned n = 0;
};

template <class T>
Exec map_piece(Context& c, unsigned seg, u32 off, Access acc, MemRef& r) {
  return c.map<T>(seg, off, acc, r);
}

Exec map_all(Context& c, unsigned seg, u32 off, unsigned len, Access acc, Pieces& p) {
  unsigned k = 0;
  while (k < len) {
    unsigned left = len - k;
    MemRef& r = p.ref[p.n++];
    if (left >= 8) PCJIT_TRY(map_piece<u64>(c, seg, off + k, acc, r));
    else if (left >= 4) PCJIT_TRY(map_piece<u32>(c, seg, off + k, acc, r));
    else if (left >= 2) PCJIT_TRY(map_piece<u16>(c, seg, off + k, acc, r));
    else PCJIT_TRY(map_piece<u8>(c, seg, off + k, acc, r));
    k += r.size;
  }
  return Exec::Ok;
}

}  // namespace

Exec read_block(Context& c, unsigned seg, u32 off, u8* buf, unsigned len) {
  Pieces p;
  PCJIT_TRY(map_all(c, seg, off, len, Access::Read, p));
  unsigned k = 0;
  for (unsigned n = 0; n < p.n; ++n) {
    const MemRef& r = p.ref[n];
    u64 v = r.size == 8 ? c.load<u64>(r) : r.size == 4 ? c.load<u32>(r) : r.size == 2 ? c.load<u16>(r) : c.load<u8>(r);
    for (unsigned b = 0; b < r.size; ++b) buf[k + b] = static_cast<u8>(v >> (8 * b));
    k += r.size;
  }
  return Exec::Ok;
}

Exec write_block(Context& c, unsigned seg, u32 off, const u8* buf, unsigned len) {
  Pieces p;
  PCJIT_TRY(map_all(c, seg, off, len, Access::Write, p));
  unsigned k = 0;
  for (unsigned n = 0; n < p.n; ++n) {
    const MemRef& r = p.ref[n];
    u64 v = 0;
    for (unsigned b = 0; b < r.size; ++b) v |= u64{buf[k + b]} << (8 * b);
    switch (r.size) {
      case 8: c.store<u64>(r, v); break;
      case 4: c.store<u32>(r, static_cast<u32>(v)); break;
      case 2: c.store<u16>(r, static_cast<u16>(v)); break;
      default: c.store<u8>(r, static_cast<u8>(v)); break;
    }
    k += r.size;
  }
  return Exec::Ok;
}

Handler bind_mem(u8 opcode, u8 reg) {
  for (auto g : {loadstore_mem, arith_mem, compare_mem, control_mem})
    if (Handler h = g(opcode, reg)) return h;
  return nullptr;
}

Handler bind_reg(u8 opcode, u8 modrm) {
  for (auto g : {loadstore_reg, arith_reg, compare_reg, control_reg, misc_reg, transcend_reg})
    if (Handler h = g(opcode, modrm)) return h;
  return nullptr;
}

}  // namespace x87
}  // namespace pcjit::cpu
