// Port-I/O dispatch: a flat table of 65536 handler pointers, so a port access is one load.
#include "core/io_bus.h"

namespace pcjit::core {

IoBus::IoBus() : ports_(65536, nullptr) {}

void IoBus::map(u16 first, unsigned count, PortHandler* handler) {
  for (unsigned i = 0; i < count && first + i < 65536u; ++i) ports_[first + i] = handler;
}

void IoBus::unmap(u16 first, unsigned count) { map(first, count, nullptr); }

u32 IoBus::in(u16 port, unsigned size) {
  if (PortHandler* h = ports_[port]) return h->port_in(port, size);
  return size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu;
}

void IoBus::out(u16 port, unsigned size, u32 value) {
  if (PortHandler* h = ports_[port]) h->port_out(port, size, value);
}

}  // namespace pcjit::core
