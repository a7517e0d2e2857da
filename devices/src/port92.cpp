// Port 0x92 (see port92.h): A20 through bit 1, reset on a rising edge of bit 0.
#include "devices/port92.h"

namespace pcjit::devices {

Port92::Port92(core::Machine& m) : m_(m) { m.io().map(0x92, 1, this); }

u32 Port92::port_in(u16, unsigned) {
  // Bit 1 reports the gate as it is now (the 8042 may have changed it since).
  return (s_.value & 0xFD) | (m_.memory().a20_enabled() ? 0x02 : 0x00);
}

void Port92::port_out(u16, unsigned, u32 value) {
  u8 v = static_cast<u8>(value);
  u8 old = s_.value;
  s_.value = v;
  bool a20_now = m_.memory().a20_enabled();
  if (((v >> 1) & 1) != (a20_now ? 1 : 0)) m_.memory().set_a20((v & 0x02) != 0);
  if ((v & 1) && !(old & 1)) m_.request_reset();
}

}  // namespace pcjit::devices
