// PIIX4 power management function: PM IO block, PM timer, SCI and soft-off (see acpi_pm.h).
#include "devices/acpi_pm.h"

namespace pcjit::devices {

namespace {
constexpr u8 kPmba = 0x40;
constexpr u8 kPmRegMisc = 0x80;
constexpr u8 kSmbba = 0x90;
constexpr u8 kDevactb = 0x58;
constexpr u64 kNsPerSec = 1000000000;
constexpr u16 kEnMask = AcpiPm::kTmrSts | AcpiPm::kGblSts | AcpiPm::kPwrbtnSts | AcpiPm::kRtcSts;
// PM1_CNT: SCI_EN, BM_RLD and SLP_TYP are stored; GBL_RLS and SLP_EN are write-only strobes.
constexpr u16 kCntStored = 0x0001 | 0x0002 | 0x1C00;
constexpr unsigned kTimerBit = 23;  // TMR_STS is set when bit 23 of the 24-bit counter toggles
}  // namespace

class AcpiPm::PmPorts final : public core::PortHandler {
 public:
  explicit PmPorts(AcpiPm& p) : p_(p) {}
  u32 port_in(u16 port, unsigned size) override { return p_.pm_read(port - p_.s_.io_base, size); }
  void port_out(u16 port, unsigned size, u32 value) override { p_.pm_write(port - p_.s_.io_base, size, value); }

 private:
  AcpiPm& p_;
};

class AcpiPm::ApmPorts final : public core::PortHandler {
 public:
  explicit ApmPorts(AcpiPm& p) : p_(p) {}
  u32 port_in(u16 port, unsigned) override { return port == 0xB2 ? p_.s_.apm_cnt : p_.s_.apm_sts; }
  void port_out(u16 port, unsigned, u32 value) override {
    u8 v = static_cast<u8>(value);
    if (port == 0xB3) {
      p_.s_.apm_sts = v;
      return;
    }
    p_.s_.apm_cnt = v;
    // The FADT's ACPI_ENABLE / ACPI_DISABLE values: the SMI handler would flip SCI_EN.
    if (v == 0xF1) p_.s_.pm1_cnt |= kSciEn;
    if (v == 0xF0) p_.s_.pm1_cnt &= static_cast<u16>(~kSciEn);
  }

 private:
  AcpiPm& p_;
};

class AcpiPm::GpePorts final : public core::PortHandler {
 public:
  explicit GpePorts(AcpiPm& p) : p_(p) {}
  u32 port_in(u16 port, unsigned size) override {
    u32 regs = p_.s_.gpe_sts | static_cast<u32>(p_.s_.gpe_en) << 16;
    return static_cast<u32>((u64{regs} >> (8 * (port - kGpe0Base))) & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1));
  }
  void port_out(u16 port, unsigned size, u32 value) override {
    for (unsigned k = 0; k < size && port - kGpe0Base + k < 4; ++k) {
      unsigned off = port - kGpe0Base + k;
      u16 b = static_cast<u16>((value >> (8 * k)) & 0xFF);
      if (off < 2) p_.s_.gpe_sts &= static_cast<u16>(~(b << (8 * off)));  // write one to clear
      else p_.s_.gpe_en = static_cast<u16>((p_.s_.gpe_en & ~(0xFF << (8 * (off - 2)))) | b << (8 * (off - 2)));
    }
    p_.update_sci();
  }

 private:
  AcpiPm& p_;
};

AcpiPm::AcpiPm(core::Machine& m, PciBus& bus, core::IrqSink& sci)
    : PciFunction(0x8086, 0x7113, 0x03, 0x068000),
      m_(m),
      sci_(sci),
      pm_ports_(std::make_unique<PmPorts>(*this)),
      apm_ports_(std::make_unique<ApmPorts>(*this)),
      gpe_ports_(std::make_unique<GpePorts>(*this)) {
  // PIIX4 datasheet 3.4: device-specific registers are read/write; PMBA bits 15:6 and SMBBA
  // bits 15:4 hold the bases with bit 0 hard-wired to 1 (IO space).
  set_writable_range(0x44, 0x80 - 0x44);
  set_writable_range(0x81, 0x90 - 0x81);
  set_writable_range(0x92, 0x100 - 0x92);
  set_writable(kPmba, 0xC0);
  set_writable(kPmba + 1, 0xFF);
  set_config8(kPmba, 0x01);
  set_writable(kPmRegMisc, 0x01);
  set_writable(kSmbba, 0xF0);
  set_writable(kSmbba + 1, 0xFF);
  set_config8(kSmbba, 0x01);
  set_config8(kDevactb + 3, 0x02);  // APMC_EN (bit 25): "SMM already set up", see the header
  set_interrupt_pin(1);
  // QEMU gives every PCI function the subsystem ID 1af4:1100; SeaBIOS's qemu_detect() reads it
  // from the host bridge to decide it runs on QEMU (and then uses fw_cfg).
  set_config16(pci::kSubsystemVendor, 0x1AF4);
  set_config16(pci::kSubsystemVendor + 2, 0x1100);
  set_power_on_defaults();
  bus.attach(1, 3, *this);
  m_.io().map(0xB2, 2, apm_ports_.get());
  m_.io().map(kGpe0Base, 4, gpe_ports_.get());
  reset();
}

AcpiPm::~AcpiPm() {
  if (overflow_event_) m_.events().cancel(overflow_event_);
  unmap_block();
  m_.io().unmap(0xB2, 2);
  m_.io().unmap(kGpe0Base, 4);
}

void AcpiPm::reset() {
  reset_config();
  unmap_block();
  s_ = State{};
  s_.tmr_base_ticks = ticks();
  remap();
  update_sci();
}

u64 AcpiPm::ticks() const {
  // ns * 3579545 / 1e9 without overflow: whole seconds and the remainder separately.
  u64 ns = m_.clock().now_ns();
  return ns / kNsPerSec * kTimerHz + ns % kNsPerSec * kTimerHz / kNsPerSec;
}

u16 AcpiPm::pm1_status() {
  u16 st = s_.pm1_sts;
  if ((ticks() >> kTimerBit) != (s_.tmr_base_ticks >> kTimerBit)) st |= kTmrSts;
  return st;
}

void AcpiPm::config_write(u8 offset, unsigned size, u32 value) {
  PciFunction::config_write(offset, size, value);
  if ((offset < kPmba + 2 && offset + size > kPmba) || (offset <= kPmRegMisc && offset + size > kPmRegMisc)) remap();
}

void AcpiPm::remap() {
  u16 base = (config8(kPmRegMisc) & 1) ? static_cast<u16>(config16(kPmba) & 0xFFC0) : 0;
  if (base == s_.io_base) return;
  unmap_block();
  s_.io_base = base;
  if (!base) return;
  for (unsigned i = 0; i < 64; ++i) covered_[i] = m_.io().handler_at(static_cast<u16>(base + i));
  m_.io().map(base, 64, pm_ports_.get());
}

void AcpiPm::unmap_block() {
  if (!s_.io_base) return;
  for (unsigned i = 0; i < 64; ++i) m_.io().map(static_cast<u16>(s_.io_base + i), 1, covered_[i]);
  covered_ = {};
  s_.io_base = 0;
}

u32 AcpiPm::pm_read(unsigned offset, unsigned size) {
  const u16 st = pm1_status();
  const u32 tmr = timer();
  u32 v = 0;
  for (unsigned k = 0; k < size; ++k) {
    unsigned off = (offset + k) & 63;
    u8 b = 0;
    switch (off) {
      case 0: case 1: b = static_cast<u8>(st >> (8 * off)); break;
      case 2: case 3: b = static_cast<u8>(s_.pm1_en >> (8 * (off - 2))); break;
      case 4: case 5: b = static_cast<u8>(s_.pm1_cnt >> (8 * (off - 4))); break;
      case 8: case 9: case 10: case 11: b = static_cast<u8>(tmr >> (8 * (off - 8))); break;
      default: b = s_.regs[off]; break;
    }
    v |= static_cast<u32>(b) << (8 * k);
  }
  return v;
}

void AcpiPm::pm_write(unsigned offset, unsigned size, u32 value) {
  u16 sts_clear = 0, en = s_.pm1_en, cnt = s_.pm1_cnt;
  bool cnt_written = false;
  for (unsigned k = 0; k < size; ++k) {
    unsigned off = (offset + k) & 63;
    u8 b = static_cast<u8>(value >> (8 * k));
    switch (off) {
      case 0: case 1: sts_clear |= static_cast<u16>(b << (8 * off)); break;
      case 2: case 3: {
        unsigned sh = 8 * (off - 2);
        en = static_cast<u16>((en & ~(0xFFu << sh)) | (u32{b} << sh));
        break;
      }
      case 4: case 5: {
        unsigned sh = 8 * (off - 4);
        cnt = static_cast<u16>((cnt & ~(0xFFu << sh)) | (u32{b} << sh));
        cnt_written = true;
        break;
      }
      case 8: case 9: case 10: case 11: break;  // the timer is read-only
      default: s_.regs[off] = b; break;
    }
  }
  if (sts_clear) {
    // PIIX4 7.2.1: status bits are cleared by writing 1; TMR_STS restarts its overflow window.
    if (sts_clear & kTmrSts) s_.tmr_base_ticks = ticks();
    s_.pm1_sts &= static_cast<u16>(~sts_clear);
  }
  s_.pm1_en = en & kEnMask;
  if (cnt_written) write_control(cnt);
  update_sci();
}

void AcpiPm::write_control(u16 value) {
  s_.pm1_cnt = value & kCntStored;
  if (!(value & kSlpEn)) return;
  unsigned type = (value >> 10) & 7;
  if (type == 0) m_.request_stop(core::StopKind::Shutdown, 0, "ACPI S5 soft-off");
  else if (type == 2) m_.request_stop(core::StopKind::Shutdown, 0, "ACPI S4 (suspend to disk) treated as soft-off");
  // Other sleep types (S1, S3) would need wake-up logic; a guest that asks for them just goes on.
}

void AcpiPm::press_power_button() {
  s_.pm1_sts |= kPwrbtnSts;
  update_sci();
}

void AcpiPm::raise_gpe(unsigned bit) {
  s_.gpe_sts |= static_cast<u16>(1u << (bit & 15));
  update_sci();
}

void AcpiPm::update_sci() {
  u16 st = pm1_status();
  bool level = (st & s_.pm1_en & kEnMask) != 0 || (s_.gpe_sts & s_.gpe_en) != 0;
  if (level != sci_level_) {
    sci_level_ = level;
    sci_.set_irq(kSciIrq, level);
  }
  schedule_overflow();
}

void AcpiPm::schedule_overflow() {
  if (overflow_event_) {
    m_.events().cancel(overflow_event_);
    overflow_event_ = 0;
  }
  if (!(s_.pm1_en & kTmrSts) || (pm1_status() & kTmrSts)) return;
  // First tick of the next bit-23 window, converted back to nanoseconds (rounded up).
  u64 t = ((s_.tmr_base_ticks >> kTimerBit) + 1) << kTimerBit;
  u64 when = t / kTimerHz * kNsPerSec + (t % kTimerHz * kNsPerSec + kTimerHz - 1) / kTimerHz;
  overflow_event_ = m_.events().schedule(when, [this] {
    overflow_event_ = 0;
    update_sci();
  });
}

}  // namespace pcjit::devices
