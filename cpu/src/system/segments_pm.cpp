// Segment loading in the current mode: real and v86 mode here; protected-mode descriptor checks
// are not written yet.
#include "../context.h"

namespace pcjit::cpu {

Exec Context::load_seg(unsigned seg, u16 selector) {
  if (!s.protected_mode() || s.v86()) {
    load_seg_real(seg, selector);
    return Exec::Ok;
  }
  return raise_gp(selector & 0xFFFC);
}

Exec Context::check_io(u16, unsigned) {
  if (s.protected_mode() && (s.v86() || s.cpl > ((s.eflags & flag::IOPL) >> 12))) return raise_gp(0);
  return Exec::Ok;
}

}  // namespace pcjit::cpu
