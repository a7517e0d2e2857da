// IDE channels, bus-master DMA and the PIIX3 IDE PCI function (see ide_controller.h).
#include "devices/ide_controller.h"

#include <algorithm>

namespace pcjit::devices {

namespace {
constexpr u8 kCtlNien = 0x02, kCtlSrst = 0x04, kCtlHob = 0x80;
constexpr u8 kCmdDiagnostic = 0x90;
u32 get_le(const u8* p, unsigned n) {
  u32 v = 0;
  for (unsigned k = 0; k < n; ++k) v |= u32{p[k]} << (8 * k);
  return v;
}
}  // namespace

IdeChannel::IdeChannel(core::Machine& m, core::IrqSink& irq, unsigned irq_line)
    : m_(m), irq_(irq), irq_line_(irq_line) {}

void IdeChannel::attach(unsigned unit, std::unique_ptr<IdeDrive> drive) {
  drives_[unit] = std::move(drive);
  if (drives_[unit]) {
    drives_[unit]->attach(this);
    s_.bm_status |= static_cast<u8>(0x20u << unit);  // "drive n DMA capable", set by the BIOS normally
  }
  for (unsigned u = 0; u < 2; ++u)
    if (drives_[u]) drives_[u]->set_position(u, drives_[u ^ 1] != nullptr);
}

void IdeChannel::set_line(bool level) {
  if (level == line_) return;
  line_ = level;
  irq_.set_irq(irq_line_, level);
}

void IdeChannel::raise_irq() {
  // INTRQ stays asserted until the host reads Status or writes Command (ATA/ATAPI-6 5.2.9).
  // A new interrupt while it is still high gets a fresh edge so the edge-triggered 8259 sees it.
  s_.irq_pending = true;
  s_.bm_status |= bmide::kStInterrupt;
  if (s_.control & kCtlNien) return;
  if (line_) set_line(false);
  set_line(true);
}

u32 IdeChannel::read_command_block(unsigned reg, unsigned size) {
  IdeDrive* d = drives_[selected()].get();
  if (reg == ata::kData) return d ? d->data_in(size) : 0xFFFFFFFFu >> (32 - 8 * size);
  if (!drives_[0] && !drives_[1]) return 0;  // empty channel: QEMU's answer, which SeaBIOS expects
  if (reg == ata::kCommand) {
    s_.irq_pending = false;
    set_line(false);
  }
  bool hob = s_.control & kCtlHob;
  if (!d) {
    // Device 0 answers for an absent device 1 with status 00h (ATA/ATAPI-6 9.16.1).
    if (reg == ata::kCommand || reg == ata::kFeature) return 0;
    return IdeDrive::latch_read(s_.absent_latch, reg, hob);
  }
  return d->read_reg(reg, hob);
}

void IdeChannel::write_command_block(unsigned reg, unsigned size, u32 value) {
  IdeDrive* d = drives_[selected()].get();
  if (reg == ata::kData) {
    if (d) d->data_out(size, value);
    return;
  }
  u8 v = static_cast<u8>(value);
  if (reg != ata::kCommand) {
    // Writes while a drive is busy are ignored by it (ATA/ATAPI-6 5.2.1); we complete at once, so
    // the only busy state is during SRST.
    IdeDrive::latch(s_.absent_latch, reg, v);
    for (auto& drv : drives_)
      if (drv) drv->write_reg(reg, v);
    return;
  }
  s_.irq_pending = false;
  set_line(false);
  if (!d || (s_.control & kCtlSrst)) return;
  if (v == kCmdDiagnostic) {
    // Both devices run the diagnostic; device 0 reports and interrupts (9.5).
    for (auto& drv : drives_)
      if (drv) drv->diagnostic_result();
    return raise_irq();
  }
  d->execute(v);
}

u8 IdeChannel::read_alt_status() const {
  if (!drives_[0] && !drives_[1]) return 0;
  const IdeDrive* d = drives_[selected()].get();
  return d ? d->regs().status : 0;
}

void IdeChannel::write_device_control(u8 value) {
  u8 old = s_.control;
  s_.control = value;
  if ((value & kCtlSrst) && !(old & kCtlSrst)) {
    for (auto& drv : drives_)
      if (drv) drv->begin_reset();
  } else if (!(value & kCtlSrst) && (old & kCtlSrst)) {
    for (auto& drv : drives_)
      if (drv) drv->finish_reset();
    // An absent slot reads back 01h/01h and cylinder FFFFh after reset, as on QEMU, so drivers
    // that classify devices by signature see "no device" there.
    IdeDrive::Regs& a = s_.absent_latch;
    a.count = a.lba_low = 1;
    a.lba_mid = a.lba_high = 0xFF;
  }
  // nIEN masks INTRQ (the drive's pending interrupt shows again when it is cleared).
  set_line(s_.irq_pending && !(value & kCtlNien));
}

u32 IdeChannel::read_bus_master(unsigned reg, unsigned size) const {
  u8 bytes[8] = {s_.bm_command, 0, s_.bm_status, 0,
                 static_cast<u8>(s_.prd_table), static_cast<u8>(s_.prd_table >> 8),
                 static_cast<u8>(s_.prd_table >> 16), static_cast<u8>(s_.prd_table >> 24)};
  u32 v = 0;
  for (unsigned k = 0; k < size; ++k) v |= u32{reg + k < 8 ? bytes[reg + k] : u8{0xFF}} << (8 * k);
  return v;
}

void IdeChannel::write_bus_master(unsigned reg, unsigned size, u32 value) {
  for (unsigned k = 0; k < size && reg + k < 8; ++k) {
    unsigned r = reg + k;
    u8 b = static_cast<u8>(value >> (8 * k));
    if (r == 0) {
      u8 old = s_.bm_command;
      s_.bm_command = b & (bmide::kCmdStart | bmide::kCmdToMemory);
      if ((b & bmide::kCmdStart) && !(old & bmide::kCmdStart)) {
        s_.bm_status |= bmide::kStActive;
        s_.prd_next = s_.prd_table;
        s_.prd_offset = 0;
        s_.prd_exhausted = false;
        if (IdeDrive* d = drives_[selected()].get()) d->bus_master_started();
      } else if (!(b & bmide::kCmdStart)) {
        s_.bm_status &= static_cast<u8>(~bmide::kStActive);  // stopping aborts a transfer
      }
    } else if (r == 2) {
      // Bits 1 and 2 are write-1-to-clear, bits 5-6 read/write, bit 0 read-only (82371SB 2.7.2).
      u8 st = s_.bm_status;
      st &= static_cast<u8>(~(b & (bmide::kStError | bmide::kStInterrupt)));
      st = static_cast<u8>((st & ~bmide::kStDmaCapable) | (b & bmide::kStDmaCapable));
      s_.bm_status = st;
    } else if (r >= 4) {
      unsigned shift = 8 * (r - 4);
      s_.prd_table = (s_.prd_table & ~(0xFFu << shift)) | (u32{b} << shift);
      s_.prd_table &= ~3u;
    }
  }
}

template <typename Fn>
bool IdeChannel::walk_prd(std::size_t len, Fn&& fn) {
  // A PRD entry: dword physical address (bit 0 zero), word byte count (0 = 64 KiB), and bit 31 of
  // the second dword marking the last entry (82371SB 2.7.3). The walk resumes where the previous
  // piece of the same transfer stopped.
  std::size_t done = 0;
  for (unsigned guard = 0; done < len && !s_.prd_exhausted && guard < 65536; ++guard) {
    u8 entry[8];
    m_.memory().read_bytes(s_.prd_next, entry);
    u32 addr = get_le(entry, 4) & ~1u;
    u32 count = get_le(entry + 4, 2);
    if (count == 0) count = 0x10000;
    if (s_.prd_offset >= count) s_.prd_offset = 0;  // the guest rewrote the entry under us
    std::size_t n = std::min<std::size_t>(count - s_.prd_offset, len - done);
    fn(addr + s_.prd_offset, done, n);
    done += n;
    s_.prd_offset += static_cast<u32>(n);
    if (s_.prd_offset == count) {
      s_.prd_offset = 0;
      if (entry[7] & 0x80) s_.prd_exhausted = true;
      else s_.prd_next += 8;
    }
  }
  return done == len;
}

bool IdeChannel::dma_to_memory(std::span<const u8> data) {
  return walk_prd(data.size(), [&](u32 addr, std::size_t off, std::size_t n) {
    m_.memory().write_bytes(addr, data.subspan(off, n));
  });
}

bool IdeChannel::dma_from_memory(std::span<u8> data) {
  return walk_prd(data.size(), [&](u32 addr, std::size_t off, std::size_t n) {
    m_.memory().read_bytes(addr, data.subspan(off, n));
  });
}

void IdeChannel::dma_finished(bool error) {
  s_.bm_status &= static_cast<u8>(~bmide::kStActive);
  if (error) s_.bm_status |= bmide::kStError;
}

void IdeChannel::reset() {
  u8 capable = s_.bm_status & bmide::kStDmaCapable;
  s_ = State{};
  s_.bm_status = capable;
  set_line(false);
  for (auto& drv : drives_)
    if (drv) drv->finish_reset();
}

// ---- port wiring ----

class IdeController::Ports final : public core::PortHandler {
 public:
  explicit Ports(IdeController& c) : c_(c) {}
  u32 port_in(u16 port, unsigned size) override {
    if (auto [ch, reg] = command_block(port); ch >= 0) return c_.channel(ch).read_command_block(reg, size);
    if (port == 0x3F6 || port == 0x376) return c_.channel(port == 0x376).read_alt_status();
    if (c_.bm_base_ && port >= c_.bm_base_ && port < c_.bm_base_ + 16) {
      unsigned off = port - c_.bm_base_;
      return c_.channel(off >> 3).read_bus_master(off & 7, size);
    }
    return 0xFFFFFFFFu;
  }
  void port_out(u16 port, unsigned size, u32 value) override {
    if (auto [ch, reg] = command_block(port); ch >= 0) return c_.channel(ch).write_command_block(reg, size, value);
    if (port == 0x3F6 || port == 0x376) return c_.channel(port == 0x376).write_device_control(static_cast<u8>(value));
    if (c_.bm_base_ && port >= c_.bm_base_ && port < c_.bm_base_ + 16) {
      unsigned off = port - c_.bm_base_;
      c_.channel(off >> 3).write_bus_master(off & 7, size, value);
    }
  }

 private:
  static std::pair<int, unsigned> command_block(u16 port) {
    if (port >= 0x1F0 && port <= 0x1F7) return {0, port - 0x1F0u};
    if (port >= 0x170 && port <= 0x177) return {1, port - 0x170u};
    return {-1, 0};
  }
  IdeController& c_;
};

IdeController::IdeController(core::Machine& m, core::IrqSink& irq)
    : PciFunction(kVendor, kDevice, 0x00, 0x010180), m_(m), ports_(std::make_unique<Ports>(*this)) {
  channels_[0] = std::make_unique<IdeChannel>(m, irq, 14);
  channels_[1] = std::make_unique<IdeChannel>(m, irq, 15);
  define_bar(4, 16, true);
  // IDETIM (0x40-0x43, bit 15 = decode enable), SIDETIM (0x44): firmware and Linux's ata_piix
  // read and write them; decoding of the legacy ports is always on here.
  set_writable_range(0x40, 5);
  set_config16(0x40, 0x8000);
  set_config16(0x42, 0x8000);
  m.io().map(0x1F0, 8, ports_.get());
  m.io().map(0x3F6, 1, ports_.get());
  m.io().map(0x170, 8, ports_.get());
  m.io().map(0x376, 1, ports_.get());
}

IdeController::~IdeController() = default;

void IdeController::attach_drive(unsigned ch, unsigned unit, std::unique_ptr<IdeDrive> drive) {
  channels_[ch]->attach(unit, std::move(drive));
}

void IdeController::bars_changed() {
  if (bm_base_) m_.io().unmap(bm_base_, 16);
  u32 base = bar_address(4);
  bm_base_ = base == pci::kBarUnmapped ? 0 : static_cast<u16>(base);
  if (bm_base_) m_.io().map(bm_base_, 16, ports_.get());
}

void IdeController::reset() {
  for (auto& ch : channels_) ch->reset();
}

}  // namespace pcjit::devices
