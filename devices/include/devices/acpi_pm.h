// PIIX4 function 3: power management (ACPI) as QEMU's i440FX machine presents it, 00:01.3
// (8086:7113, rev 03). Intel 82371AB PIIX4 datasheet, sections 3.4 (PCI config) and 7 (PM I/O).
//
// - PMBA (config 0x40, bits 15:6, IO indicator bit 0) places a 64-byte IO block, decoded only
//   when PMREGMISC (0x80) bit 0 is set. In it: PM1a status (+0, RW1C), enable (+2), control (+4),
//   the 24-bit PM timer (+8, 3.579545 MHz from virtual time), and general-purpose/global
//   registers stored as plain storage.
// - SCI is ISA IRQ 9, level: asserted while (PM1 status & enable) has a timer-overflow,
//   global, power-button or RTC bit (as QEMU's piix4 model; the real part would raise SMI while
//   SCI_EN is clear, we have no SMM).
// - PM1_CNT write with SLP_EN and SLP_TYP = soft-off stops the machine: 000 is PIIX4's soft-off
//   encoding and what QEMU's DSDT (\_S5 = 0) writes; QEMU's S4 value 2 is also treated as power off.
// - APM control/status ports 0xB2/0xB3: 0xF1/0xF0 written to 0xB2 set/clear SCI_EN (ACPI
//   enable/disable, the values SeaBIOS's FADT names).
// - GPE0 block at 0xAFE0 (4 bytes: status RW1C, enable), the fixed place QEMU puts it and the
//   FADT that SeaBIOS writes for a PIIX4 names; a set and enabled GPE bit also raises SCI.
// - No SMM here: DEVACTB (0x58) bit 25 APMC_EN is preset so SeaBIOS believes SMM is already set up
//   and never waits for an SMI handler to answer on 0xB3.
#pragma once
#include <array>
#include <memory>

#include "core/interrupts.h"
#include "core/machine.h"
#include "devices/pci.h"

namespace pcjit::devices {

class AcpiPm final : public PciFunction, public core::Device {
 public:
  static constexpr u64 kTimerHz = 3579545;
  static constexpr unsigned kSciIrq = 9;
  static constexpr u16 kGpe0Base = 0xAFE0;
  // PM1 status/enable bits (PIIX4 datasheet 7.2.1, 7.2.2).
  static constexpr u16 kTmrSts = 1u << 0;
  static constexpr u16 kGblSts = 1u << 5;
  static constexpr u16 kPwrbtnSts = 1u << 8;
  static constexpr u16 kRtcSts = 1u << 10;
  static constexpr u16 kWakSts = 1u << 15;
  static constexpr u16 kSciEn = 1u << 0;
  static constexpr u16 kSlpEn = 1u << 13;

  struct State {
    u16 pm1_sts = 0;
    u16 pm1_en = 0;
    u16 pm1_cnt = 0;
    std::array<u8, 64> regs{};  // the rest of the PM IO block, as storage
    u8 apm_cnt = 0;             // 0xB2
    u8 apm_sts = 0;             // 0xB3
    u64 tmr_base_ticks = 0;     // timer ticks when TMR_STS was last cleared
    u16 io_base = 0;            // currently decoded PM IO base (0 = none)
    u16 gpe_sts = 0;
    u16 gpe_en = 0;
  };

  // Attaches itself at 00:01.3 and claims ports 0xB2-0xB3; sci: the PIC.
  AcpiPm(core::Machine& m, PciBus& bus, core::IrqSink& sci);
  ~AcpiPm() override;

  void config_write(u8 offset, unsigned size, u32 value) override;
  void reset() override;
  const char* name() const override { return "piix4-pm"; }

  // The 24-bit PM timer value now.
  u32 timer() const { return static_cast<u32>(ticks() & 0xFFFFFF); }
  u16 pm1_status();
  // IO-block accesses relative to PMBA (exposed for tests and for the port adapter).
  u32 pm_read(unsigned offset, unsigned size);
  void pm_write(unsigned offset, unsigned size, u32 value);
  // A power-button press (frontends): sets PWRBTN_STS, raising SCI when enabled.
  void press_power_button();
  // A general-purpose event (bit 0-15 of GPE0_STS), e.g. for hotplug-style notifications.
  void raise_gpe(unsigned bit);
  u16 io_base() const { return s_.io_base; }
  const State& state() const { return s_; }

 private:
  class PmPorts;
  class ApmPorts;
  class GpePorts;
  u64 ticks() const;
  void remap();
  void unmap_block();
  void update_sci();
  void schedule_overflow();
  void write_control(u16 value);

  core::Machine& m_;
  core::IrqSink& sci_;
  std::unique_ptr<PmPorts> pm_ports_;
  std::unique_ptr<ApmPorts> apm_ports_;
  std::unique_ptr<GpePorts> gpe_ports_;
  State s_{};
  bool sci_level_ = false;
  core::EventId overflow_event_ = 0;
  // Handlers the PM block covered when the guest placed it over other ports, given back on a move.
  std::array<core::PortHandler*, 64> covered_{};
};

}  // namespace pcjit::devices
