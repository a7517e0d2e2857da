// PortTap: reports every port access to a callback, then forwards it to the handler that owned
// the port (or answers as an unclaimed port does: all ones on reads, writes dropped).
//
// Why: the tracer should show port I/O next to memory accesses, and the CPU's observer interface
// has no port hook. Claiming all 65536 ports from the frontend keeps core and cpu untouched; it
// is installed only when tracing, after every device has mapped its ports.
#pragma once
#include <functional>
#include <vector>

#include "core/io_bus.h"

namespace pcjit::frontend {

using PortCallback = std::function<void(u16 port, unsigned size, bool write, u32 value)>;

class PortTap final : public core::PortHandler {
 public:
  PortTap(core::IoBus& bus, PortCallback callback);
  ~PortTap() override;  // gives every port back to its owner
  PortTap(const PortTap&) = delete;
  PortTap& operator=(const PortTap&) = delete;

  u32 port_in(u16 port, unsigned size) override;
  void port_out(u16 port, unsigned size, u32 value) override;

 private:
  core::IoBus& bus_;
  PortCallback callback_;
  std::vector<core::PortHandler*> owners_;  // per port, as mapped before the tap
};

}  // namespace pcjit::frontend
