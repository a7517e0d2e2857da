// 82077AA floppy controller (see fdc82077.h). Section and table references are to the Intel
// 82077AA datasheet (290166).
#include "devices/fdc82077.h"

#include <algorithm>

#include "devices/dma8237.h"

namespace pcjit::devices {

namespace {
// Main status register (8.1.2) and DOR bits (2.1.2).
constexpr u8 kMsrRqm = 0x80, kMsrDio = 0x40, kMsrBusy = 0x10;
constexpr u8 kDorNotReset = 0x04;
// ST0 interrupt codes and flags (Table 8-1..8-4).
constexpr u8 kSt0Abnormal = 0x40, kSt0Invalid = 0x80, kSt0Polling = 0xC0, kSt0SeekEnd = 0x20;
constexpr u8 kSt1EndOfCylinder = 0x80, kSt1Overrun = 0x10, kSt1NoData = 0x04, kSt1MissingAm = 0x01;
constexpr u8 kSt1NotWritable = 0x02;
constexpr u8 kSt3Ready = 0x20, kSt3Track0 = 0x10, kSt3TwoSide = 0x08, kSt3WriteProtect = 0x40;
constexpr u8 kCmdMultiTrack = 0x80;
}  // namespace

struct Fdc82077::Command {
  u8 opcode;   // low 5 bits of the first byte (the high bits are MT/MFM/SK or LOCK options)
  u8 length;   // command bytes including the first
  void (Fdc82077::*run)();
};

// Table 8-9 (command set summary).
const Fdc82077::Command* Fdc82077::find_command(u8 first) {
  static constexpr Command kCommands[] = {
      {0x06, 9, &Fdc82077::cmd_read},           {0x0C, 9, &Fdc82077::cmd_read},  // READ (DELETED) DATA
      {0x05, 9, &Fdc82077::cmd_write},          {0x09, 9, &Fdc82077::cmd_write},  // WRITE (DELETED) DATA
      {0x0A, 2, &Fdc82077::cmd_read_id},        {0x0D, 6, &Fdc82077::cmd_format},
      {0x07, 2, &Fdc82077::cmd_recalibrate},    {0x0F, 3, &Fdc82077::cmd_seek},
      {0x08, 1, &Fdc82077::cmd_sense_interrupt}, {0x03, 3, &Fdc82077::cmd_specify},
      {0x04, 2, &Fdc82077::cmd_sense_drive_status}, {0x10, 1, &Fdc82077::cmd_version},
      {0x13, 4, &Fdc82077::cmd_configure},      {0x14, 1, &Fdc82077::cmd_lock},
      {0x12, 2, &Fdc82077::cmd_perpendicular},  {0x0E, 1, &Fdc82077::cmd_dumpreg},
  };
  static constexpr Command kInvalid{0, 1, &Fdc82077::cmd_invalid};
  // VERSION, LOCK, DUMPREG, CONFIGURE, PERPENDICULAR use the whole byte (LOCK: bit 7 = lock).
  u8 low = first & 0x1F;
  for (const Command& c : kCommands) {
    if (c.opcode != low) continue;
    bool full_byte = low == 0x10 || low == 0x0E || low == 0x13 || low == 0x12;
    if (full_byte && first != low) break;
    if (low == 0x14 && (first & 0x7F) != 0x14) break;
    return &c;
  }
  return &kInvalid;
}

class Fdc82077::Ports final : public core::PortHandler {
 public:
  explicit Ports(Fdc82077& f) : f_(f) {}
  u32 port_in(u16 port, unsigned) override { return f_.read_port(port - kBase); }
  void port_out(u16 port, unsigned, u32 value) override { f_.write_port(port - kBase, static_cast<u8>(value)); }

 private:
  Fdc82077& f_;
};

Fdc82077::Fdc82077(core::Machine& m, core::IrqSink& irq, Dma8237* dma)
    : m_(m), irq_(irq), dma_(dma), ports_(std::make_unique<Ports>(*this)) {
  m.io().map(kBase, 6, ports_.get());       // 0x3F0-0x3F5
  m.io().map(kBase + 7, 1, ports_.get());   // 0x3F7 (0x3F6 is the IDE control block)
  reset();
}

Fdc82077::~Fdc82077() = default;

void Fdc82077::insert(unsigned drive, std::unique_ptr<DiskImage> image) {
  if (image) geometry_[drive] = floppy_geometry_for_size(image->size_bytes()).value_or(FloppyGeometry{80, 2, 18, 4});
  images_[drive] = std::move(image);
  s_.drives[drive].disk_changed = true;
}

void Fdc82077::reset() {
  auto drives = s_.drives;
  s_ = State{};
  for (unsigned d = 0; d < 4; ++d) s_.drives[d].disk_changed = drives[d].disk_changed;
  lower_irq();
}

void Fdc82077::controller_reset() {
  // A DOR or DSR reset clears the command state but keeps SPECIFY/CONFIGURE if LOCK is set
  // (5.3.2); with polling enabled the controller then interrupts and owes four
  // SENSE INTERRUPT STATUS answers (ST0 = C0h | drive, 8.2).
  s_.command.clear();
  s_.result.clear();
  s_.result_pos = 0;
  s_.seek_pending = false;
  if (!s_.lock) {
    s_.config = 0x20;
    s_.pretrk = 0;
  }
  s_.reset_senses = 4;
  raise_irq();
}

void Fdc82077::raise_irq() {
  // The datasheet tristates INT while DOR's DMA gate is low, but SeaBIOS enables the
  // controller with DOR = 04h and waits for the reset interrupt; QEMU, which it is written
  // against, does not gate the line, so neither do we.
  s_.irq = true;
  irq_.set_irq(kIrq, false);  // a fresh edge for the edge-triggered 8259
  irq_.set_irq(kIrq, true);
}

void Fdc82077::lower_irq() {
  s_.irq = false;
  irq_.set_irq(kIrq, false);
}

u8 Fdc82077::msr() const {
  if (!(s_.dor & kDorNotReset)) return 0;
  if (s_.result_pos < s_.result.size()) return kMsrRqm | kMsrDio | kMsrBusy;
  return s_.command.empty() ? kMsrRqm : static_cast<u8>(kMsrRqm | kMsrBusy);
}

u8 Fdc82077::read_port(unsigned offset) {
  switch (offset) {
    case 2: return s_.dor;
    case 3: return s_.tdr;
    case 4: return msr();
    case 5: {
      if (s_.result_pos >= s_.result.size()) return 0xFF;
      lower_irq();  // reading the result phase acknowledges the interrupt (8.1.1)
      u8 v = s_.result[s_.result_pos++];
      if (s_.result_pos >= s_.result.size()) {
        s_.result.clear();
        s_.result_pos = 0;
      }
      return v;
    }
    case 7: {  // DIR: bit 7 = disk change line of the selected drive (bits 6:0 read 0, as on QEMU)
      unsigned d = s_.dor & 3;
      bool changed = d >= 2 || !images_[d] || s_.drives[d].disk_changed;
      return changed ? 0x80 : 0x00;
    }
    default: return 0xFF;  // status registers A/B exist only in PS/2 mode
  }
}

void Fdc82077::write_port(unsigned offset, u8 value) {
  switch (offset) {
    case 2: {
      u8 old = s_.dor;
      s_.dor = value;
      if (!(value & kDorNotReset)) {
        s_.command.clear();
        s_.result.clear();
        s_.result_pos = 0;
        lower_irq();
      } else if (!(old & kDorNotReset)) {
        controller_reset();
      }
      break;
    }
    case 3: s_.tdr = value & 3; break;
    case 4:  // DSR: bit 7 software reset (self-clearing), bits 1:0 data rate
      s_.data_rate = value & 3;
      if (value & 0x80) controller_reset();
      break;
    case 5: write_fifo(value); break;
    case 7: s_.data_rate = value & 3; break;  // CCR
    default: break;
  }
}

void Fdc82077::write_fifo(u8 value) {
  if (!(s_.dor & kDorNotReset)) return;
  if (s_.result_pos < s_.result.size()) return;  // result phase: writes are ignored
  s_.command.push_back(value);
  const Command* c = find_command(s_.command.front());
  if (s_.command.size() < c->length) return;
  (this->*c->run)();
  s_.command.clear();
}

void Fdc82077::set_result(std::initializer_list<u8> bytes, bool interrupt) {
  s_.result.assign(bytes);
  s_.result_pos = 0;
  if (interrupt) raise_irq();
}

void Fdc82077::cmd_invalid() { set_result({kSt0Invalid}, false); }

void Fdc82077::cmd_specify() {
  s_.specify[0] = s_.command[1];
  s_.specify[1] = s_.command[2];
}

void Fdc82077::cmd_sense_drive_status() {
  unsigned d = s_.command[1] & 3;
  u8 head = (s_.command[1] >> 2) & 1;
  u8 st3 = static_cast<u8>(d | head << 2 | kSt3TwoSide | kSt3Ready);
  if (s_.drives[d].cylinder == 0) st3 |= kSt3Track0;
  if (d >= 2 || !images_[d]) st3 |= kSt3WriteProtect;
  set_result({st3}, false);
}

void Fdc82077::finish_seek(unsigned d, u8 cylinder) {
  Drive& drv = s_.drives[d];
  drv.cylinder = cylinder;
  drv.sector = 1;
  if (d < 2 && images_[d]) drv.disk_changed = false;  // a step pulse with a disk in resets DSKCHG
  s_.seek_pending = true;
  s_.seek_drive = static_cast<u8>(d);
  s_.seek_st0 = static_cast<u8>(kSt0SeekEnd | drv.head << 2 | d);
  raise_irq();
}

void Fdc82077::cmd_recalibrate() {
  unsigned d = s_.command[1] & 3;
  s_.drives[d].head = 0;
  finish_seek(d, 0);
}

void Fdc82077::cmd_seek() {
  unsigned d = s_.command[1] & 3;
  s_.drives[d].head = (s_.command[1] >> 2) & 1;
  finish_seek(d, s_.command[2]);
}

void Fdc82077::cmd_sense_interrupt() {
  // Answers, in order: the owed post-reset polling results, then a seek end; else invalid.
  if (s_.reset_senses > 0) {
    unsigned d = 4 - s_.reset_senses--;
    if (s_.reset_senses == 0) lower_irq();
    return set_result({static_cast<u8>(kSt0Polling | d), s_.drives[d].cylinder}, false);
  }
  if (s_.seek_pending) {
    s_.seek_pending = false;
    lower_irq();
    return set_result({s_.seek_st0, s_.drives[s_.seek_drive].cylinder}, false);
  }
  set_result({kSt0Invalid}, false);
}

void Fdc82077::cmd_read_id() {
  unsigned d = s_.command[1] & 3;
  u8 head = (s_.command[1] >> 2) & 1;
  Drive& drv = s_.drives[d];
  u8 st0 = static_cast<u8>(head << 2 | d);
  if (d >= 2 || !images_[d]) return set_result({static_cast<u8>(st0 | kSt0Abnormal), kSt1MissingAm, 0, 0, 0, 0, 2}, true);
  const FloppyGeometry& g = geometry_[d];
  u8 r = drv.sector;
  drv.sector = static_cast<u8>(r % g.sectors_per_track + 1);  // the next ID field passes the head
  set_result({st0, 0, 0, drv.cylinder, head, r, 2}, true);
}

void Fdc82077::cmd_read_write(bool write) {
  // Parameters (Table 8-9): [1] HDS/DS, [2] C, [3] H, [4] R, [5] N, [6] EOT, [7] GPL, [8] DTL.
  const auto& p = s_.command;
  bool mt = p[0] & kCmdMultiTrack;
  unsigned d = p[1] & 3;
  u8 head = (p[1] >> 2) & 1;
  u8 c = p[2], h = p[3], r = p[4], n = p[5], eot = p[6];
  // ST0's head bit is the head selected when the command ends (it changes on multi-track).
  auto finish = [&](u8 st0_flags, u8 st1_bits) {
    set_result({static_cast<u8>(head << 2 | d | st0_flags), st1_bits, 0, c, h, r, n}, true);
  };
  if (d >= 2 || !images_[d]) return finish(kSt0Abnormal, kSt1MissingAm);
  if (!dma_ || dma_->masked(kDmaChannel)) return finish(kSt0Abnormal, kSt1Overrun);
  const FloppyGeometry& g = geometry_[d];
  DiskImage& img = *images_[d];
  unsigned size = 128u << std::min<u8>(n, 7);
  std::vector<u8> buf(size);
  s_.drives[d].cylinder = c;  // implied seek: the image has no heads to move
  for (;;) {
    if (n != 2 || c >= g.cylinders || head >= g.heads || r == 0 || r > g.sectors_per_track)
      return finish(kSt0Abnormal, kSt1NoData);
    u64 lba = (u64{c} * g.heads + head) * g.sectors_per_track + (r - 1u);
    bool tc_before = dma_->terminal_count(kDmaChannel);
    std::size_t moved;
    if (write) {
      moved = dma_->read_memory(kDmaChannel, buf);
      if (moved < size) std::fill(buf.begin() + static_cast<std::ptrdiff_t>(moved), buf.end(), u8{0});
      if (!img.write_sectors(lba, 1, buf)) return finish(kSt0Abnormal, kSt1NotWritable);
    } else {
      if (!img.read_sectors(lba, 1, buf)) return finish(kSt0Abnormal, kSt1NoData);
      moved = dma_->write_memory(kDmaChannel, buf);
    }
    if (moved == 0) return finish(kSt0Abnormal, kSt1Overrun);
    bool tc = moved < size || (!tc_before && dma_->terminal_count(kDmaChannel)) || dma_->masked(kDmaChannel);
    // Advance to the next sector ID (Table 8-7: R+1, or at EOT the next side / cylinder). The
    // last sector of the physical track counts as EOT too: SeaBIOS asks for EOT = first + count - 1
    // even when a multi-track read runs onto side 1, and QEMU moves on at either.
    bool end_of_track = r == eot || r >= g.sectors_per_track;
    if (!end_of_track) {
      ++r;
    } else if (mt && head == 0) {
      head = 1;
      h = 1;
      r = 1;
    } else {
      ++c;
      r = 1;
      if (mt) {
        head = 0;
        h = 0;
      }
    }
    if (tc) return finish(0, 0);
    // Reaching EOT without terminal count ends the command abnormally with End of Cylinder;
    // on a multi-track command only the end of side 1 does.
    if (end_of_track && !(mt && head == 1 && r == 1)) return finish(kSt0Abnormal, kSt1EndOfCylinder);
  }
}

void Fdc82077::cmd_format() {
  // [1] HDS/DS, [2] N, [3] sectors per track, [4] gap, [5] filler; then C,H,R,N per sector by DMA.
  const auto& p = s_.command;
  unsigned d = p[1] & 3;
  u8 head = (p[1] >> 2) & 1;
  u8 st0 = static_cast<u8>(head << 2 | d);
  u8 cyl = s_.drives[d].cylinder;
  if (d >= 2 || !images_[d]) return set_result({static_cast<u8>(st0 | kSt0Abnormal), kSt1MissingAm, 0, cyl, head, 1, p[2]}, true);
  if (!dma_ || dma_->masked(kDmaChannel)) return set_result({static_cast<u8>(st0 | kSt0Abnormal), kSt1Overrun, 0, cyl, head, 1, p[2]}, true);
  const FloppyGeometry& g = geometry_[d];
  std::vector<u8> sector(512, p[5]);
  for (unsigned k = 0; k < p[3]; ++k) {
    u8 id[4];
    if (dma_->read_memory(kDmaChannel, id) < 4) break;
    if (id[0] >= g.cylinders || id[1] >= g.heads || id[2] == 0 || id[2] > g.sectors_per_track) continue;
    u64 lba = (u64{id[0]} * g.heads + id[1]) * g.sectors_per_track + (id[2] - 1u);
    (void)images_[d]->write_sectors(lba, 1, sector);
  }
  set_result({st0, 0, 0, cyl, head, 1, p[2]}, true);
}

void Fdc82077::cmd_version() { set_result({0x90}, false); }  // 82077AA (8.2.10)

void Fdc82077::cmd_configure() {
  s_.config = s_.command[2];
  s_.pretrk = s_.command[3];
}

void Fdc82077::cmd_lock() {
  s_.lock = s_.command[0] & 0x80;
  set_result({static_cast<u8>(s_.lock ? 0x10 : 0x00)}, false);
}

void Fdc82077::cmd_perpendicular() { s_.perpendicular = s_.command[1] & 0x03; }

void Fdc82077::cmd_dumpreg() {
  // Table 8-9: PCN0-3, SRT/HUT, HLT/ND, SC/EOT, LOCK|D3-0|GAP|WG, EIS/EFIFO/POLL/FIFOTHR, PRETRK.
  set_result({s_.drives[0].cylinder, s_.drives[1].cylinder, s_.drives[2].cylinder, s_.drives[3].cylinder,
              s_.specify[0], s_.specify[1], 18, static_cast<u8>((s_.lock ? 0x80 : 0) | (s_.perpendicular ? 0x03 : 0)),
              s_.config, s_.pretrk},
             false);
}

}  // namespace pcjit::devices
