// Shared IDE device behaviour: register latching, the 48-bit register FIFO, PIO buffers, reset
// (see ide_drive.h).
#include "devices/ide_drive.h"

#include <algorithm>

namespace pcjit::devices {

void IdeDrive::latch(Regs& r, unsigned reg, u8 value) {
  // ATA/ATAPI-6 6.2 (48-bit address feature set): each write pushes the old value into the
  // "previous content" half, so LBA48 commands see high bytes then low bytes.
  auto push = [](u8& cur, u8& prev, u8 v) {
    prev = cur;
    cur = v;
  };
  switch (reg) {
    case ata::kFeature: push(r.feature, r.hob_feature, value); break;
    case ata::kCount: push(r.count, r.hob_count, value); break;
    case ata::kLbaLow: push(r.lba_low, r.hob_lba_low, value); break;
    case ata::kLbaMid: push(r.lba_mid, r.hob_lba_mid, value); break;
    case ata::kLbaHigh: push(r.lba_high, r.hob_lba_high, value); break;
    case ata::kDevice: r.device = value; break;
    default: break;
  }
}

u8 IdeDrive::latch_read(const Regs& r, unsigned reg, bool hob) {
  switch (reg) {
    case ata::kFeature: return r.error;
    case ata::kCount: return hob ? r.hob_count : r.count;
    case ata::kLbaLow: return hob ? r.hob_lba_low : r.lba_low;
    case ata::kLbaMid: return hob ? r.hob_lba_mid : r.lba_mid;
    case ata::kLbaHigh: return hob ? r.hob_lba_high : r.lba_high;
    case ata::kDevice: return r.device;
    case ata::kCommand: return r.status;
    default: return 0xFF;
  }
}

u32 IdeDrive::data_in(unsigned size) {
  if (st_.pio != Pio::In) return size == 4 ? 0xFFFFFFFFu : 0xFFFFu;
  u32 v = 0;
  for (unsigned k = 0; k < size && st_.pio_pos < st_.pio_end; ++k) v |= u32{st_.buffer[st_.pio_pos++]} << (8 * k);
  if (st_.pio_pos >= st_.pio_end) {
    st_.pio = Pio::None;
    st_.regs.status &= static_cast<u8>(~ata::kDrq);
    pio_done();
  }
  return v;
}

void IdeDrive::data_out(unsigned size, u32 value) {
  if (st_.pio != Pio::Out) return;
  for (unsigned k = 0; k < size && st_.pio_pos < st_.pio_end; ++k) st_.buffer[st_.pio_pos++] = static_cast<u8>(value >> (8 * k));
  if (st_.pio_pos >= st_.pio_end) {
    st_.pio = Pio::None;
    st_.regs.status &= static_cast<u8>(~ata::kDrq);
    pio_done();
  }
}

std::span<u8> IdeDrive::begin_pio(Pio dir, std::size_t len) {
  if (st_.buffer.size() < len) st_.buffer.resize(len);
  st_.pio = dir;
  st_.pio_pos = 0;
  st_.pio_end = len;
  st_.regs.status = ata::kDrdy | ata::kDsc | ata::kDrq;
  return {st_.buffer.data(), len};
}

void IdeDrive::complete(bool raise) {
  st_.pio = Pio::None;
  st_.dma_pending = false;
  st_.regs.status = ata::kDrdy | ata::kDsc;
  if (raise) irq();
}

void IdeDrive::abort_command(u8 error) {
  st_.pio = Pio::None;
  st_.dma_pending = false;
  st_.regs.error = error;
  st_.regs.status = ata::kDrdy | ata::kErr;
  irq();
}

void IdeDrive::begin_reset() {
  st_.pio = Pio::None;
  st_.dma_pending = false;
  st_.regs.status = ata::kBsy;
}

void IdeDrive::finish_reset() {
  diagnostic_result();
  st_.regs.status = is_atapi() ? 0 : static_cast<u8>(ata::kDrdy | ata::kDsc);
}

void IdeDrive::diagnostic_result() {
  st_.pio = Pio::None;
  st_.dma_pending = false;
  st_.regs.error = 0x01;  // ATA/ATAPI-6 Table 26: device 0 passed, device 1 passed or not present
  st_.regs.device &= 0x10;
  set_signature();
  st_.regs.status = ata::kDrdy | ata::kDsc;
}

void IdeDrive::bus_master_started() {
  if (!st_.dma_pending) return;
  st_.dma_pending = false;
  run_dma();
}

void ata_put_string(std::span<u16> words, std::string_view text) {
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto ch = [&](std::size_t k) { return k < text.size() ? static_cast<u8>(text[k]) : u8{' '}; };
    words[i] = static_cast<u16>(ch(2 * i) << 8 | ch(2 * i + 1));
  }
}

}  // namespace pcjit::devices
