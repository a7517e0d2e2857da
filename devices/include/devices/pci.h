// PCI bus 0 with configuration mechanism #1 (PCI Local Bus Spec 2.1, 3.2.2.3.2) and the base of
// every PCI function: a 256-byte type-0 configuration space (spec 6.1, 6.2).
//
// Why it is built so:
// - Config space is a byte array plus a per-byte writable mask (and a write-1-to-clear mask for
//   the status register), as in QEMU: read-only IDs/class come for free, and BAR sizing (write all
//   ones, read back ~(size-1) | type bits, spec 6.2.5.1) is just "the low bits are not writable".
// - A function never sees the IO bus or memory map: it learns that its BARs moved or its decoders
//   were switched on/off through bars_changed(), and maps its own ranges there.
// - INTx: set_intx(level) goes to the bus, which swizzles (device, pin) to PIRQA-D and routes
//   through the PIIX3 PIRQ route registers (0x60-0x63) to an ISA IRQ of the PIC (level-triggered
//   via the ELCR). Several sources on one line are OR-ed (wired-OR of open-drain INTx#).
#pragma once
#include <array>
#include <memory>

#include "core/interrupts.h"
#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

class PciBus;

namespace pci {
// Type-0 header offsets (PCI Local Bus Spec 2.1, figure 6-1).
inline constexpr u8 kVendorId = 0x00;
inline constexpr u8 kDeviceId = 0x02;
inline constexpr u8 kCommand = 0x04;
inline constexpr u8 kStatus = 0x06;
inline constexpr u8 kRevision = 0x08;
inline constexpr u8 kClassProg = 0x09;
inline constexpr u8 kHeaderType = 0x0E;
inline constexpr u8 kBar0 = 0x10;
inline constexpr u8 kSubsystemVendor = 0x2C;
inline constexpr u8 kRomBar = 0x30;
inline constexpr u8 kInterruptLine = 0x3C;
inline constexpr u8 kInterruptPin = 0x3D;
// Command register bits (spec 6.2.2).
inline constexpr u16 kCmdIo = 1u << 0;
inline constexpr u16 kCmdMemory = 1u << 1;
inline constexpr u16 kCmdBusMaster = 1u << 2;
inline constexpr u16 kCmdIntxDisable = 1u << 10;
// Status bit 3: interrupt status (INTx# asserted by this function).
inline constexpr u16 kStatusInterrupt = 1u << 3;
inline constexpr u32 kBarUnmapped = 0xFFFFFFFFu;
}  // namespace pci

class PciFunction {
 public:
  // class_code = base class << 16 | subclass << 8 | programming interface.
  PciFunction(u16 vendor, u16 device, u8 revision, u32 class_code, u8 header_type = 0);
  virtual ~PciFunction();  // detaches from the bus, so either may be destroyed first
  PciFunction(const PciFunction&) = delete;
  PciFunction& operator=(const PciFunction&) = delete;

  // Guest configuration accesses (offset aligned to size by the bus; size 1, 2 or 4).
  virtual u32 config_read(u8 offset, unsigned size);
  virtual void config_write(u8 offset, unsigned size, u32 value);

  // BAR i (0-5) decoding `size` bytes (a power of two; IO BARs >= 4, memory BARs >= 16).
  void define_bar(unsigned index, u32 size, bool io);
  // Expansion ROM BAR at 0x30 (bit 0 = enable), `size` a power of two >= 2 KiB.
  void define_rom(u32 size);
  // Decoded BAR base, or pci::kBarUnmapped when the BAR is undefined, its decoder (command IO/MEM
  // bit) is off, or it holds 0 / the sizing pattern.
  u32 bar_address(unsigned index) const;
  u32 bar_size(unsigned index) const { return bars_[index].size; }
  // Expansion ROM base, or pci::kBarUnmapped unless memory decode and the ROM enable bit are on.
  u32 rom_address() const;
  u32 rom_size() const { return rom_size_; }

  u16 command() const { return config16(pci::kCommand); }
  bool io_enabled() const { return command() & pci::kCmdIo; }
  bool memory_enabled() const { return command() & pci::kCmdMemory; }
  bool bus_master() const { return command() & pci::kCmdBusMaster; }

  // INTx# of this function (pin from register 0x3D; 0 = none). Level-sensitive.
  void set_intx(bool level);
  bool intx() const { return intx_; }
  void set_interrupt_pin(u8 pin);  // 1 = INTA# ... 4 = INTD#

  // Direct config-space access for the function itself (bypasses the writable masks).
  u8 config8(u8 off) const { return cfg_[off]; }
  u16 config16(u8 off) const;
  u32 config32(u8 off) const;
  void set_config8(u8 off, u8 v) { cfg_[off] = v; }
  void set_config16(u8 off, u16 v);
  void set_config32(u8 off, u32 v);
  // Which bits of config byte `off` the guest may write (default: none beyond the standard header).
  void set_writable(u8 off, u8 mask) { wmask_[off] = mask; }
  void set_writable_range(u8 off, unsigned count, u8 mask = 0xFF);

  // Restores the power-on configuration (IDs, masks, BAR definitions kept; values cleared).
  virtual void reset_config();
  // The current config space becomes the power-on state reset_config() restores (for functions
  // whose device-specific registers have non-zero defaults).
  void set_power_on_defaults() { initial_ = cfg_; }
  unsigned device_number() const { return devfn_ >> 3; }
  unsigned function_number() const { return devfn_ & 7; }

 protected:
  // A BAR, the ROM BAR, or the command register's IO/MEM enable changed: remap what moved.
  virtual void bars_changed() {}

 private:
  friend class PciBus;
  struct Bar {
    u32 size = 0;  // 0 = not implemented
    bool io = false;
  };
  void init_header();

  std::array<u8, 256> cfg_{};
  std::array<u8, 256> wmask_{};
  std::array<u8, 256> w1cmask_{};
  std::array<u8, 256> initial_{};  // power-on values for reset_config
  std::array<Bar, 6> bars_{};
  u32 rom_size_ = 0;
  bool intx_ = false;
  PciBus* bus_ = nullptr;
  unsigned devfn_ = 0;
};

// Bus 0: configuration mechanism #1 at 0xCF8 (dword address register, bit 31 enable) and
// 0xCFC-0xCFF (data window, byte/word/dword at any offset). Absent functions read all ones.
class PciBus final : public core::Device {
 public:
  // irq: the PIC (ISA IRQ lines) that PIRQ-routed INTx drives.
  PciBus(core::Machine& m, core::IrqSink& irq);
  ~PciBus() override;

  void attach(unsigned device, unsigned function, PciFunction& fn);
  PciFunction* function_at(unsigned device, unsigned function) const;

  // Configuration cycles (also used by tests and by the firmware loader, bypassing 0xCF8).
  u32 config_read(unsigned device, unsigned function, u8 offset, unsigned size);
  void config_write(unsigned device, unsigned function, u8 offset, unsigned size, u32 value);

  // PIIX3 PIRQ route register value for PIRQA-D (bit 7 = disabled, bits 3:0 = ISA IRQ).
  void set_pirq_route(unsigned pirq, u8 route);
  // Which PIRQ a function's INTx# reaches: (pin - 1 + device) & 3 (the usual slot swizzle).
  static unsigned pirq_of(unsigned device, u8 pin) { return (pin - 1u + device) & 3u; }
  bool pirq_level(unsigned pirq) const;

  void reset() override;
  const char* name() const override { return "pci-bus"; }

 private:
  friend class PciFunction;
  class Ports;
  void intx_changed();
  void update_irqs();
  u32 data_access(u16 port, unsigned size, const u32* value);  // value == nullptr: read

  core::Machine& m_;
  core::IrqSink& irq_;
  std::unique_ptr<Ports> ports_;
  std::array<PciFunction*, 256> fns_{};  // indexed by devfn
  u32 address_ = 0;                       // 0xCF8
  std::array<u8, 4> routes_{0x80, 0x80, 0x80, 0x80};
  std::array<bool, 16> isa_level_{};  // what we last drove on each ISA IRQ
};

}  // namespace pcjit::devices
