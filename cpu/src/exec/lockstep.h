// Lockstep support: a log of every byte a run stores (with the byte it replaced), so a block run
// in the JIT can be undone, rerun in the interpreter from the same state, and the two compared.
#pragma once
#include <string>
#include <vector>

#include "../context.h"

namespace pcjit::cpu {

class StoreLog final : public ExecObserver {
 public:
  explicit StoreLog(Context& c) : c_(c) {}
  struct Byte {
    u8* host;  // RAM byte written
    u8 old;
  };
  struct DeviceWrite {
    u64 phys;
    u8 size;
    bool operator==(const DeviceWrite&) const = default;
  };
  // A store through the soft-MMU (interpreter, or a JIT slow path), before it writes.
  void record(const MemRef& r);
  // A store by translated code's inline fast path, before it writes.
  void record_host(u8* host, unsigned size);
  // Restores every logged byte, newest first, and clears the log.
  void undo();
  const std::vector<Byte>& bytes() const { return bytes_; }
  const std::vector<DeviceWrite>& device_writes() const { return dev_; }
  void clear() { bytes_.clear(); dev_.clear(); }

  void before_insn(const CpuState&, std::span<const u8>) override {}
  void after_insn(const CpuState&) override {}
  void on_mem(const MemAccess&) override {}
  void on_exception(u8, u32, bool) override {}
  void on_interrupt(u8) override {}

 private:
  Context& c_;
  std::vector<Byte> bytes_;
  std::vector<DeviceWrite> dev_;
};

}  // namespace pcjit::cpu
