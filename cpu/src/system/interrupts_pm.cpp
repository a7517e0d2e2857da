// Protected-mode and virtual-8086 event delivery through the IDT: not written yet.
#include "events.h"

namespace pcjit::cpu {

Exec deliver_protected(Context& c, u8 vector, EventKind, u32, bool, u32) {
  c.machine.request_stop(core::StopKind::Error, 2,
                         "protected-mode interrupt delivery is not implemented (vector " +
                             std::to_string(vector) + ")");
  return Exec::Stop;
}

}  // namespace pcjit::cpu
