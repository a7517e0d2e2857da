// PortTap (see port_tap.h).
#include "frontend/port_tap.h"

namespace pcjit::frontend {

PortTap::PortTap(core::IoBus& bus, PortCallback callback)
    : bus_(bus), callback_(std::move(callback)), owners_(65536) {
  for (unsigned p = 0; p < 65536; ++p) owners_[p] = bus_.handler_at(static_cast<u16>(p));
  bus_.map(0, 65536, this);
}

PortTap::~PortTap() {
  for (unsigned p = 0; p < 65536; ++p) {
    if (bus_.handler_at(static_cast<u16>(p)) == this) bus_.map(static_cast<u16>(p), 1, owners_[p]);
  }
}

u32 PortTap::port_in(u16 port, unsigned size) {
  u32 v;
  if (core::PortHandler* h = owners_[port]) v = h->port_in(port, size);
  else v = size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu;
  callback_(port, size, false, v);
  return v;
}

void PortTap::port_out(u16 port, unsigned size, u32 value) {
  callback_(port, size, true, value);
  if (core::PortHandler* h = owners_[port]) h->port_out(port, size, value);
}

}  // namespace pcjit::frontend
