// Shared IDE device behaviour: register latching, the 48-bit register FIFO, PIO buffers, reset
// (see ide_drive.h).
#include "devices/ide_drive.h"

#include <algorithm>

namespace pcjit::devices {

void IdeDrive::latch(Regs& regs_, unsigned reg, u8 value) {
  // ATA/ATAPI-6 6.2 (48-bit address feature set): each write pushes the old value into the
  // "previous content" half, so LBA48 commands see high bytes then low bytes.
  auto push = [](u8& cur, u8& prev, u8 v) {
    prev = cur;
    cur = v;
  };
  switch (reg) {
    case ata::kFeature: push(regs_.feature, regs_.hob_feature, value); break;
    case ata::kCount: push(regs_.count, regs_.hob_count, value); break;
    case ata::kLbaLow: push(regs_.lba_low, regs_.hob_lba_low, value); break;
    case ata::kLbaMid: push(regs_.lba_mid, regs_.hob_lba_mid, value); break;
    case ata::kLbaHigh: push(regs_.lba_high, regs_.hob_lba_high, value); break;
    case ata::kDevice: regs_.device = value; break;
    default: break;
  }
}

u8 IdeDrive::latch_read(const Regs& regs_, unsigned reg, bool hob) {
  switch (reg) {
    case ata::kFeature: return regs_.error;
    case ata::kCount: return hob ? regs_.hob_count : regs_.count;
    case ata::kLbaLow: return hob ? regs_.hob_lba_low : regs_.lba_low;
    case ata::kLbaMid: return hob ? regs_.hob_lba_mid : regs_.lba_mid;
    case ata::kLbaHigh: return hob ? regs_.hob_lba_high : regs_.lba_high;
    case ata::kDevice: return regs_.device;
    case ata::kCommand: return regs_.status;
    default: return 0xFF;
  }
}

u32 IdeDrive::data_in(unsigned size) {
  if (pio_ != Pio::In) return size == 4 ? 0xFFFFFFFFu : 0xFFFFu;
  u32 v = 0;
  for (unsigned k = 0; k < size && pio_pos_ < pio_end_; ++k) v |= u32{buffer_[pio_pos_++]} << (8 * k);
  if (pio_pos_ >= pio_end_) {
    pio_ = Pio::None;
    regs_.status &= static_cast<u8>(~ata::kDrq);
    pio_done();
  }
  return v;
}

void IdeDrive::data_out(unsigned size, u32 value) {
  if (pio_ != Pio::Out) return;
  for (unsigned k = 0; k < size && pio_pos_ < pio_end_; ++k) buffer_[pio_pos_++] = static_cast<u8>(value >> (8 * k));
  if (pio_pos_ >= pio_end_) {
    pio_ = Pio::None;
    regs_.status &= static_cast<u8>(~ata::kDrq);
    pio_done();
  }
}

std::span<u8> IdeDrive::begin_pio(Pio dir, std::size_t len) {
  if (buffer_.size() < len) buffer_.resize(len);
  pio_ = dir;
  pio_pos_ = 0;
  pio_end_ = len;
  regs_.status = ata::kDrdy | ata::kDsc | ata::kDrq;
  return {buffer_.data(), len};
}

void IdeDrive::complete(bool raise) {
  pio_ = Pio::None;
  dma_pending_ = false;
  regs_.status = ata::kDrdy | ata::kDsc;
  if (raise) irq();
}

void IdeDrive::abort_command(u8 error) {
  pio_ = Pio::None;
  dma_pending_ = false;
  regs_.error = error;
  regs_.status = ata::kDrdy | ata::kErr;
  irq();
}

void IdeDrive::begin_reset() {
  pio_ = Pio::None;
  dma_pending_ = false;
  regs_.status = ata::kBsy;
}

void IdeDrive::finish_reset() {
  diagnostic_result();
  regs_.status = is_atapi() ? 0 : static_cast<u8>(ata::kDrdy | ata::kDsc);
}

void IdeDrive::diagnostic_result() {
  pio_ = Pio::None;
  dma_pending_ = false;
  regs_.error = 0x01;  // ATA/ATAPI-6 Table 26: device 0 passed, device 1 passed or not present
  regs_.device &= 0x10;
  set_signature();
  regs_.status = ata::kDrdy | ata::kDsc;
}

void IdeDrive::bus_master_started() {
  if (!dma_pending_) return;
  dma_pending_ = false;
  run_dma();
}

void ata_put_string(std::span<u16> words, std::string_view text) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto ch = [&](std::size_t k) { return k < text.size() ? static_cast<u8>(text[k]) : u8{' '}; };
    words[i] = static_cast<u16>(ch(2 * i) << 8 | ch(2 * i + 1));
  }
}

}  // namespace pcjit::devices
