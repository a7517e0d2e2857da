// Debug ports for tests and firmware logs:
// - exit port (0xF4): a write ends the run with the written value as exit status;
// - debug console (0xE9, Bochs/QEMU "debugcon"): bytes written go to a sink; reads return 0xE9
//   so guests can detect it;
// - the SeaBIOS log port (0x402) behaves like 0xE9 with its own sink.
#pragma once
#include <cstdio>
#include <functional>
#include <string>

#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

using ByteSink = std::function<void(pcjit::u8)>;

class DebugExitPort final : public core::PortHandler, public core::Device {
 public:
  static constexpr u16 kPort = 0xF4;
  explicit DebugExitPort(core::Machine& m);
  u32 port_in(u16, unsigned) override { return 0xFFFFFFFFu; }
  void port_out(u16 port, unsigned size, u32 value) override;
  const char* name() const override { return "debug-exit"; }

 private:
  core::Machine& m_;
};

class DebugConsole final : public core::PortHandler, public core::Device {
 public:
  DebugConsole(core::Machine& m, u16 port, ByteSink sink);
  // QEMU isa-debugcon reads back 0xE9 at any port; SeaBIOS disables its 0x402 log otherwise.
  u32 port_in(u16, unsigned) override { return 0xE9; }
  void port_out(u16 port, unsigned size, u32 value) override;
  const char* name() const override { return "debugcon"; }

 private:
  u16 port_;
  ByteSink sink_;
};

}  // namespace pcjit::devices
