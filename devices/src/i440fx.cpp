// 82441FX host bridge: config registers and PAM shadow control (see i440fx.h).
#include "devices/i440fx.h"

#include <algorithm>

namespace pcjit::devices {

I440fx::I440fx(core::Machine& m, PciBus& bus) : PciFunction(0x8086, 0x1237, 0x02, 0x060000), m_(m) {
  // Writable device-specific registers (82441FX datasheet table 3-1): PMCCFG/DETURBO 0x50-0x53,
  // DRAM control/timing and PAM 0x57-0x5F, DRB0-7 0x60-0x67, FDHC 0x68, MTT/CLT 0x70-0x71,
  // SMRAM 0x72, ERRCMD/ERRSTS 0x90-0x91, TRC 0x93.
  set_writable_range(0x50, 4);
  set_writable_range(0x57, 2);
  set_writable(kPam0, 0x70);  // PAM0 bits 3:0 are reserved; 6:4 control 0xF0000-0xFFFFF
  set_writable_range(0x5A, 6, 0x77);
  set_writable_range(0x60, 9);
  set_writable_range(0x70, 3);
  set_writable_range(0x90, 2);
  set_writable(0x93, 0xFF);
  set_config8(kSmram, 0x02);  // default: C_BASE_SEG = 010 (SMRAM at 0xA0000)
  // DRB registers: the ending address of each row in 8 MiB units; report the RAM as one row.
  u64 ram_units = (m.memory().ram_size() + (8u << 20) - 1) >> 23;
  for (u8 r = 0; r < 8; ++r) set_config8(static_cast<u8>(0x60 + r), static_cast<u8>(std::min<u64>(ram_units, 0xFF)));
  set_config8(0x57, 0x01);  // DRAMC default
  // QEMU gives every PCI function the subsystem ID 1af4:1100; SeaBIOS's qemu_detect() reads it
  // from the host bridge to decide it runs on QEMU (and then uses fw_cfg).
  set_config16(pci::kSubsystemVendor, 0x1AF4);
  set_config16(pci::kSubsystemVendor + 2, 0x1100);
  set_power_on_defaults();
  bus.attach(0, 0, *this);
  reset();
}

void I440fx::reset() {
  reset_config();
  apply_pam();
}

void I440fx::config_write(u8 offset, unsigned size, u32 value) {
  PciFunction::config_write(offset, size, value);
  if (offset < kPam0 + 7 && offset + size > kPam0) apply_pam();
}

void I440fx::apply_segment(u32 base, u32 size, u8 field) {
  // Bit 0 RE: reads from DRAM; bit 1 WE: writes to DRAM; else the PCI side (ROM or nothing).
  if (u64{base} + size > m_.memory().ram_size()) return;  // no DRAM behind it to shadow
  m_.memory().set_shadow(base, size, (field & 1) != 0, (field & 2) != 0);
}

void I440fx::apply_pam() {
  apply_segment(0xF0000, 0x10000, static_cast<u8>(config8(kPam0) >> 4));
  for (unsigned i = 1; i < 7; ++i) {
    u8 v = config8(static_cast<u8>(kPam0 + i));
    u32 base = 0xC0000 + (i - 1) * 0x8000;
    apply_segment(base, 0x4000, v & 0x0F);
    apply_segment(base + 0x4000, 0x4000, static_cast<u8>(v >> 4));
  }
}

}  // namespace pcjit::devices
