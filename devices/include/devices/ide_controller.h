// The PIIX3 IDE function (PCI 00:01.1, 8086:7010, class 01.01, prog-if 80h = legacy ports plus
// bus mastering): two channels at the legacy addresses (primary 0x1F0-0x1F7 / 0x3F6, IRQ 14;
// secondary 0x170-0x177 / 0x376, IRQ 15) and the bus-master IDE registers in BAR4 (16 bytes of
// I/O: command, status and PRD table address per channel; Intel 82371SB datasheet 2.7).
//
// Chip logic and wiring are separate: IdeChannel has plain register methods and implements the
// IdeBus a drive talks to (IRQ, PRD-table DMA through PhysicalMemory::read/write_bytes);
// IdeController owns the port adapter and follows BAR4 through PciFunction::bars_changed().
#pragma once
#include <array>
#include <memory>

#include "core/interrupts.h"
#include "core/machine.h"
#include "devices/ide_drive.h"
#include "devices/pci.h"

namespace pcjit::devices {

namespace bmide {
// Bus-master IDE command (bit 0 start, bit 3 direction: 1 = write to memory) and status bits.
inline constexpr u8 kCmdStart = 0x01, kCmdToMemory = 0x08;
inline constexpr u8 kStActive = 0x01, kStError = 0x02, kStInterrupt = 0x04, kStDmaCapable = 0x60;
}  // namespace bmide

class IdeChannel final : public IdeBus {
 public:
  struct State {
    u8 control = 0;  // device control register: bit 1 nIEN, bit 2 SRST, bit 7 HOB
    bool irq_pending = false;
    u8 bm_command = 0;
    u8 bm_status = 0;
    u32 prd_table = 0;
    // Where the transfer stands in the PRD table, so a drive may move its data in pieces.
    u32 prd_next = 0;    // address of the current entry
    u32 prd_offset = 0;  // bytes of the current entry already used
    bool prd_exhausted = false;
    IdeDrive::Regs absent_latch;  // what an absent drive slot latched (reads back like QEMU)
  };

  IdeChannel(core::Machine& m, core::IrqSink& irq, unsigned irq_line);
  void attach(unsigned unit, std::unique_ptr<IdeDrive> drive);
  IdeDrive* drive(unsigned unit) const { return drives_[unit].get(); }
  unsigned selected() const { return (s_.absent_latch.device >> 4) & 1; }

  // Command block (reg 0-7; reg 0 is the 16/32-bit data port), control block, bus master (0-7).
  u32 read_command_block(unsigned reg, unsigned size);
  void write_command_block(unsigned reg, unsigned size, u32 value);
  u8 read_alt_status() const;
  void write_device_control(u8 value);
  u32 read_bus_master(unsigned reg, unsigned size) const;
  void write_bus_master(unsigned reg, unsigned size, u32 value);
  void reset();
  const State& state() const { return s_; }

  // IdeBus
  void raise_irq() override;
  bool dma_to_memory(std::span<const u8> data) override;
  bool dma_from_memory(std::span<u8> data) override;
  bool dma_started() const override { return s_.bm_command & bmide::kCmdStart; }
  void dma_finished(bool error) override;

 private:
  template <typename Fn>
  bool walk_prd(std::size_t len, Fn&& fn);
  void set_line(bool level);

  core::Machine& m_;
  core::IrqSink& irq_;
  unsigned irq_line_;
  std::array<std::unique_ptr<IdeDrive>, 2> drives_;
  State s_;
  bool line_ = false;
};

class IdeController final : public PciFunction, public core::Device {
 public:
  static constexpr u16 kVendor = 0x8086, kDevice = 0x7010;
  IdeController(core::Machine& m, core::IrqSink& irq);
  ~IdeController() override;

  void attach_drive(unsigned channel, unsigned unit, std::unique_ptr<IdeDrive> drive);
  IdeChannel& channel(unsigned i) { return *channels_[i]; }
  // Where BAR4 currently decodes (0 = not mapped).
  u16 bus_master_base() const { return bm_base_; }

  void reset() override;
  const char* name() const override { return "piix3-ide"; }

 protected:
  void bars_changed() override;

 private:
  class Ports;
  core::Machine& m_;
  std::array<std::unique_ptr<IdeChannel>, 2> channels_;
  std::unique_ptr<Ports> ports_;
  u16 bm_base_ = 0;
};

}  // namespace pcjit::devices
