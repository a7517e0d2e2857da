// Debug exit port and debug console (see debug_ports.h).
#include "devices/debug_ports.h"

#include <fmt/format.h>

namespace pcjit::devices {

DebugExitPort::DebugExitPort(core::Machine& m) : m_(m) { m.io().map(kPort, 1, this); }

void DebugExitPort::port_out(u16, unsigned size, u32 value) {
  u32 v = size == 1 ? (value & 0xFF) : size == 2 ? (value & 0xFFFF) : value;
  m_.request_stop(core::StopKind::ExitPort, static_cast<int>(v),
                  fmt::format("guest wrote {:#x} to the exit port", v));
}

DebugConsole::DebugConsole(core::Machine& m, u16 port, ByteSink sink) : port_(port), sink_(std::move(sink)) {
  m.io().map(port, 1, this);
}

void DebugConsole::port_out(u16, unsigned size, u32 value) {
  for (unsigned k = 0; k < size; ++k) sink_(static_cast<u8>(value >> (8 * k)));
}

}  // namespace pcjit::devices
