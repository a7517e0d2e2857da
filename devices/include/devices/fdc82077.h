// Intel 82077AA floppy disk controller (AT mode) with up to two 3.5" drives, at 0x3F0-0x3F7
// (0x3F6 belongs to IDE), IRQ 6, DMA channel 2.
//
// Phases (82077AA datasheet 8.0): command bytes are written to the FIFO while MSR shows RQM;
// execution moves sectors through the 8237 (Dma8237::write_memory/read_memory; terminal count ends
// a transfer normally); result bytes are read back while MSR shows RQM|DIO|CB. Seeks, recalibrates
// and the reset complete at once in virtual time and leave an interrupt for SENSE INTERRUPT STATUS.
// Commands are rows of a table: opcode (low 5 bits), total command length, handler.
// Non-DMA (PIO) execution is not modelled: SPECIFY's ND bit is stored and reported only.
#pragma once
#include <array>
#include <memory>
#include <vector>

#include "core/interrupts.h"
#include "core/machine.h"
#include "devices/disk_image.h"

namespace pcjit::devices {

class Dma8237;

class Fdc82077 final : public core::Device {
 public:
  static constexpr u16 kBase = 0x3F0;
  static constexpr unsigned kIrq = 6, kDmaChannel = 2;

  struct Drive {
    u8 cylinder = 0;  // present cylinder number
    u8 head = 0;
    u8 sector = 1;          // where READ ID finds the head
    bool disk_changed = true;  // DIR bit 7: set until a step with a disk in place
  };
  struct State {
    u8 dor = 0;  // digital output register (bit 2 = not reset, bit 3 = IRQ/DMA enable)
    u8 tdr = 0;
    u8 data_rate = 0;
    u8 specify[2] = {0, 0};
    u8 config = 0x20;  // CONFIGURE: EIS/EFIFO/POLL/FIFOTHR (polling on, FIFO off)
    u8 pretrk = 0;
    bool lock = false;
    bool perpendicular = false;
    std::array<Drive, 4> drives{};
    std::vector<u8> command;   // bytes of the command being received
    std::vector<u8> result;    // result bytes still to be read
    std::size_t result_pos = 0;
    unsigned reset_senses = 0;  // SENSE INTERRUPT STATUS answers owed after a reset (4 drives)
    bool seek_pending = false;  // a seek/recalibrate end waits for SENSE INTERRUPT STATUS
    u8 seek_st0 = 0;
    u8 seek_drive = 0;
    bool irq = false;
  };

  // dma may be null (then every DMA command ends with an overrun).
  Fdc82077(core::Machine& m, core::IrqSink& irq, Dma8237* dma);
  ~Fdc82077() override;

  void insert(unsigned drive, std::unique_ptr<DiskImage> image);
  DiskImage* image(unsigned drive) const { return images_[drive].get(); }

  u8 read_port(unsigned offset);  // offset from 0x3F0
  void write_port(unsigned offset, u8 value);
  const State& state() const { return s_; }

  void reset() override;
  const char* name() const override { return "fdc82077"; }

 private:
  class Ports;
  struct Command;
  static const Command* find_command(u8 first);
  void controller_reset();
  void write_fifo(u8 value);
  void set_result(std::initializer_list<u8> bytes, bool interrupt);
  void raise_irq();
  void lower_irq();
  u8 msr() const;

  void cmd_specify();
  void cmd_sense_drive_status();
  void cmd_recalibrate();
  void cmd_seek();
  void cmd_sense_interrupt();
  void cmd_read_id();
  void cmd_read_write(bool write);
  void cmd_read() { cmd_read_write(false); }
  void cmd_write() { cmd_read_write(true); }
  void cmd_format();
  void cmd_version();
  void cmd_configure();
  void cmd_lock();
  void cmd_perpendicular();
  void cmd_dumpreg();
  void cmd_invalid();
  void finish_seek(unsigned drive, u8 cylinder);

  core::Machine& m_;
  core::IrqSink& irq_;
  Dma8237* dma_;
  std::array<std::unique_ptr<DiskImage>, 2> images_;
  std::array<FloppyGeometry, 2> geometry_{};
  std::unique_ptr<Ports> ports_;
  State s_;
};

}  // namespace pcjit::devices
