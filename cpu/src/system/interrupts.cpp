// Event delivery: dispatch by mode, the real-mode IVT path, and the double-fault rules that decide
// what happens when delivering one exception raises another (SDM Vol. 3A, 6.15, Table 6-5).
#include "../context.h"
#include "events.h"

namespace pcjit::cpu {

namespace {

enum class Class { Benign, Contributory, PageFault };

Class classify(u8 v) {
  switch (v) {
    case vec::DE: case vec::TS: case vec::NP: case vec::SS: case vec::GP: return Class::Contributory;
    case vec::PF: return Class::PageFault;
    default: return Class::Benign;
  }
}

bool makes_double_fault(u8 first, u8 second) {
  Class a = classify(first), b = classify(second);
  if (a == Class::Contributory && b == Class::Contributory) return true;
  if (a == Class::PageFault && b != Class::Benign) return true;
  return false;
}

}  // namespace

Exec deliver_real(Context& c, u8 vector, u32 return_eip) {
  CpuState& s = c.s;
  const u32 entry = u32{vector} * 4;
  if (entry + 3 > s.idtr.limit) return c.raise_gp(u32{vector} * 8 + 2);
  u16 new_ip = 0, new_cs = 0;
  PCJIT_TRY(c.read_sys<u16>(s.idtr.base + entry, new_ip));
  PCJIT_TRY(c.read_sys<u16>(s.idtr.base + entry + 2, new_cs));
  // Check the three stack slots before pushing anything.
  const u32 sp = c.sp();
  u32 lin;
  for (u32 k = 2; k <= 6; k += 2)
    PCJIT_TRY(c.seg_linear(SS, (sp - k) & c.sp_mask(), 2, Access::Write, lin));
  PCJIT_TRY(c.push<u16>(static_cast<u16>(s.eflags)));
  PCJIT_TRY(c.push<u16>(s.seg[CS].selector));
  PCJIT_TRY(c.push<u16>(static_cast<u16>(return_eip)));
  s.eflags &= ~(flag::IF | flag::TF | flag::AC | flag::RF);
  c.load_seg_real(CS, new_cs);
  s.rip = new_ip;
  c.update_mode_flags();
  return Exec::Jump;
}

Exec Context::deliver(u8 vector, EventKind kind, u32 error, bool has_error, u32 return_eip) {
  s.halted = false;
  if (!s.protected_mode()) return deliver_real(*this, vector, return_eip);
  return deliver_protected(*this, vector, kind, error, has_error, return_eip);
}

void Context::deliver_pending_exception() {
  PendingException cur = exc;
  exc.pending = false;
  for (;;) {
    stats.exceptions++;
    if (observer) observer->on_exception(cur.vector, cur.error, cur.has_error);
    Exec r = deliver(cur.vector, EventKind::Exception, cur.error, cur.has_error, s.eip());
    if (r != Exec::Fault) return;
    PendingException next = exc;
    exc.pending = false;
    if (cur.vector == vec::DF) {
      machine.request_stop(core::StopKind::TripleFault, 3,
                           "triple fault: exception while delivering #DF (CPU shut down)");
      return;
    }
    if (makes_double_fault(cur.vector, next.vector))
      cur = PendingException{true, vec::DF, true, 0};
    else
      cur = next;
  }
}

}  // namespace pcjit::cpu
