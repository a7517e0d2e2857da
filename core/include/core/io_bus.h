// The x86 port-I/O space (64 Ki ports). Devices register handlers for port ranges; reads of an
// unclaimed port return all ones (what an ISA bus floats to), writes to one are dropped.
#pragma once
#include <string>
#include <vector>

#include "core/types.h"

namespace pcjit::core {

class PortHandler {
 public:
  virtual ~PortHandler() = default;
  // size is 1, 2 or 4; port is the absolute port number.
  virtual u32 port_in(u16 port, unsigned size) = 0;
  virtual void port_out(u16 port, unsigned size, u32 value) = 0;
};

class IoBus {
 public:
  IoBus();
  // Claims [first, first+count). A later claim replaces an earlier one for the same ports.
  void map(u16 first, unsigned count, PortHandler* handler);
  void unmap(u16 first, unsigned count);
  u32 in(u16 port, unsigned size);
  void out(u16 port, unsigned size, u32 value);
  PortHandler* handler_at(u16 port) const { return ports_[port]; }

 private:
  std::vector<PortHandler*> ports_;  // 65536 entries
};

}  // namespace pcjit::core
