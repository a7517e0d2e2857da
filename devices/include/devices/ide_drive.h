// What every IDE device (ATA disk, ATAPI CD-ROM) shares: its copy of the task-file registers,
// the PIO data buffer and the small protocol helpers command code is written with.
//
// Why each drive holds its own registers: on a real ATA channel both devices latch every
// task-file write but only the selected one answers reads; after a reset each shows its own
// signature (ATA 01/01/00/00, ATAPI 01/01/14/EB) in the same registers. The channel broadcasts
// writes and routes reads (ide_controller.h).
//
// Protocol model (ATA/ATAPI-6 section 9): a command either completes at once (status, IRQ),
// moves data by PIO one DRQ block at a time (pio_done() is called when the host has read or
// written the whole block), or waits for the bus master to be started (start_dma()).
#pragma once
#include <span>
#include <string_view>
#include <vector>

#include "core/types.h"

namespace pcjit::devices {

namespace ata {
// Status register bits (ATA/ATAPI-6 7.15.6).
inline constexpr u8 kBsy = 0x80, kDrdy = 0x40, kDf = 0x20, kDsc = 0x10, kDrq = 0x08, kErr = 0x01;
// Error register bits (7.9).
inline constexpr u8 kAbrt = 0x04, kIdnf = 0x10, kUnc = 0x40;
// Task-file register offsets from the command-block base (0x1F0).
enum Reg : unsigned { kData = 0, kFeature = 1, kCount = 2, kLbaLow = 3, kLbaMid = 4, kLbaHigh = 5, kDevice = 6, kCommand = 7 };
}  // namespace ata

// What a drive sees of its channel.
class IdeBus {
 public:
  virtual ~IdeBus() = default;
  virtual void raise_irq() = 0;
  // Bus-master DMA through the PRD table; false if the table ran out before the data did.
  virtual bool dma_to_memory(std::span<const u8> data) = 0;
  virtual bool dma_from_memory(std::span<u8> data) = 0;
  virtual bool dma_started() const = 0;
  virtual void dma_finished(bool error) = 0;
};

class IdeDrive {
 public:
  struct Regs {
    u8 feature = 0, count = 0, lba_low = 0, lba_mid = 0, lba_high = 0, device = 0;
    // The "previous content" half of the 48-bit register FIFO (read with HOB set).
    u8 hob_feature = 0, hob_count = 0, hob_lba_low = 0, hob_lba_mid = 0, hob_lba_high = 0;
    u8 status = 0, error = 0;
  };
  enum class Pio : u8 { None, In, Out };
  // Everything a drive holds between port accesses (snapshots save it).
  struct State {
    Regs regs;
    std::vector<u8> buffer;  // the current DRQ block
    std::size_t pio_pos = 0, pio_end = 0;
    Pio pio = Pio::None;
    bool dma_pending = false;  // a DMA command waits for the bus master
  };

  virtual ~IdeDrive() = default;
  void attach(IdeBus* bus) { bus_ = bus; }
  // Where the drive sits and whether the other one exists (IDENTIFY word 93 reports both).
  void set_position(unsigned unit, bool peer_present) {
    unit_ = unit;
    peer_present_ = peer_present;
  }

  // Channel-level access: writes reach both drives, reads come from the selected one.
  void write_reg(unsigned reg, u8 value) { latch(st_.regs, reg, value); }
  // Task-file latching, also used by the channel for an absent drive's registers.
  static void latch(Regs& regs, unsigned reg, u8 value);
  static u8 latch_read(const Regs& regs, unsigned reg, bool hob);
  u8 read_reg(unsigned reg, bool hob) const { return latch_read(st_.regs, reg, hob); }
  u32 data_in(unsigned size);
  void data_out(unsigned size, u32 value);
  // SRST asserted / released, or a hardware reset (ATA/ATAPI-6 9.2).
  void begin_reset();
  void finish_reset();
  // EXECUTE DEVICE DIAGNOSTIC: every drive shows its signature and "passed" (error 01h).
  void diagnostic_result();

  virtual void execute(u8 command) = 0;
  // The bus master was started while (or before) a DMA command waits for it.
  void bus_master_started();
  virtual bool is_atapi() const = 0;

  const Regs& regs() const { return st_.regs; }
  Regs& regs() { return st_.regs; }
  Pio pio() const { return st_.pio; }

 protected:
  virtual void set_signature() = 0;
  virtual void pio_done() = 0;
  virtual void run_dma() = 0;

  // Transfer helpers: a block of len bytes to the host (In) or from it (Out).
  std::span<u8> begin_pio(Pio dir, std::size_t len);
  std::span<const u8> pio_data() const { return {st_.buffer.data(), st_.pio_end}; }
  void wait_dma() {
    st_.dma_pending = true;
    st_.regs.status = ata::kDrdy | ata::kDsc | ata::kDrq;
    if (bus_->dma_started()) bus_master_started();
  }
  void complete(bool irq = true);
  void abort_command(u8 error = ata::kAbrt);
  void irq() { bus_->raise_irq(); }

  // IDENTIFY word 93, hardware reset result (ATA/ATAPI-6 7.16.7.50): bit 14 set, bit 13 an
  // 80-conductor cable; device 0: bit 0, bits 2:1 = 01 (jumper), bit 3 diagnostics passed,
  // bit 4 device 1 present (PDIAG-), bit 6 device 0 answers for an absent device 1;
  // device 1: bit 8, bits 10:9 = 01, bit 11 PDIAG- asserted.
  u16 reset_result_word() const {
    if (unit_ == 1) return 0x6B00;
    return peer_present_ ? 0x601B : 0x604B;
  }

  IdeBus* bus_ = nullptr;
  unsigned unit_ = 0;
  bool peer_present_ = false;
  State st_;
};

// Writes an ATA string field: two characters per word, first character in the high byte,
// padded with spaces (ATA/ATAPI-6 7.16, "words 27-46").
void ata_put_string(std::span<u16> words, std::string_view text);

}  // namespace pcjit::devices
