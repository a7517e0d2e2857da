// PIIX3 ISA bridge: PIRQ routing and 0xCF9 reset control (see piix3.h).
#include "devices/piix3.h"

namespace pcjit::devices {

class Piix3::ResetPort final : public core::PortHandler {
 public:
  explicit ResetPort(Piix3& p) : p_(p) {}
  u32 port_in(u16, unsigned size) override {
    return size == 1 ? p_.reset_control() : (size == 2 ? 0xFFFFu : 0xFFFFFFFFu);
  }
  void port_out(u16, unsigned size, u32 value) override {
    if (size == 1) p_.write_reset_control(static_cast<u8>(value));
  }

 private:
  Piix3& p_;
};

Piix3::Piix3(core::Machine& m, PciBus& bus)
    : PciFunction(0x8086, 0x7000, 0x00, 0x060100, 0x80), m_(m), bus_(bus), port_(std::make_unique<ResetPort>(*this)) {
  // Device-specific registers 0x4C-0xAF are read/write storage (datasheet table 2); defaults from
  // the same table: IORT 0x4D, XBCS 0x03, PIRQRC 0x80, TOM 0x02, MBIRQ 0x80, MBDMA 0x04,
  // PCSC 0x0002, SMICNTL 0x08, FTMR 0x0F.
  set_writable_range(0x4C, 0xAF - 0x4C + 1);
  set_config8(0x4C, 0x4D);
  set_config16(0x4E, 0x0003);
  for (u8 i = 0; i < 4; ++i) set_config8(static_cast<u8>(kPirqRoute + i), 0x80);
  set_config8(0x69, 0x02);
  set_config8(0x70, 0x80);
  set_config8(0x71, 0x80);
  set_config8(0x76, 0x04);
  set_config8(0x77, 0x04);
  set_config16(0x78, 0x0002);
  set_config8(0xA0, 0x08);
  set_config8(0xA8, 0x0F);
  // QEMU gives every PCI function the subsystem ID 1af4:1100; SeaBIOS's qemu_detect() reads it
  // from the host bridge to decide it runs on QEMU (and then uses fw_cfg).
  set_config16(pci::kSubsystemVendor, 0x1AF4);
  set_config16(pci::kSubsystemVendor + 2, 0x1100);
  set_power_on_defaults();
  bus.attach(1, 0, *this);
  m_.io().map(kResetPort, 1, port_.get());
  reset();
}

Piix3::~Piix3() { m_.io().unmap(kResetPort, 1); }

void Piix3::reset() {
  reset_config();
  rc_ = 0;
  push_routes();
}

void Piix3::push_routes() {
  for (u8 i = 0; i < 4; ++i) bus_.set_pirq_route(i, config8(static_cast<u8>(kPirqRoute + i)));
}

void Piix3::config_write(u8 offset, unsigned size, u32 value) {
  PciFunction::config_write(offset, size, value);
  if (offset < kPirqRoute + 4 && offset + size > kPirqRoute) push_routes();
}

void Piix3::write_reset_control(u8 value) {
  // Datasheet 2.3.1: bit 1 SRST selects a hard reset (PCIRST# + INIT) over a soft one (INIT
  // only); a write with bit 2 RCPU set starts it. We have one kind of reset (CPU and devices,
  // RAM kept), which is what both amount to for the firmware that reads the reset reason from
  // CMOS; so any RCPU write resets.
  rc_ = value & 0x02;
  if (value & 0x04) m_.request_reset();
}

}  // namespace pcjit::devices
