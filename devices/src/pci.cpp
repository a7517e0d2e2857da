// PCI configuration space semantics and bus 0 (see pci.h). Everything the guest can write goes
// through the per-byte masks, so BAR sizing, read-only IDs and RW1C status bits need no special
// cases; only the side effects (BAR remap, INTx re-evaluation) are detected here.
#include "devices/pci.h"

namespace pcjit::devices {

namespace {
constexpr u8 kBarEnd = pci::kBar0 + 6 * 4;
bool overlaps(unsigned off, unsigned size, unsigned lo, unsigned hi) { return off < hi && off + size > lo; }
}  // namespace

PciFunction::PciFunction(u16 vendor, u16 device, u8 revision, u32 class_code, u8 header_type) {
  set_config16(pci::kVendorId, vendor);
  set_config16(pci::kDeviceId, device);
  cfg_[pci::kRevision] = revision;
  cfg_[pci::kClassProg] = static_cast<u8>(class_code);
  cfg_[pci::kClassProg + 1] = static_cast<u8>(class_code >> 8);
  cfg_[pci::kClassProg + 2] = static_cast<u8>(class_code >> 16);
  cfg_[pci::kHeaderType] = header_type;
  init_header();
  initial_ = cfg_;
}

PciFunction::~PciFunction() {
  if (bus_) bus_->fns_[devfn_] = nullptr;
}

void PciFunction::init_header() {
  // Command: IO, memory, bus master, parity error response, SERR#, interrupt disable (spec 6.2.2).
  wmask_[pci::kCommand] = 0x47;
  wmask_[pci::kCommand + 1] = 0x05;
  // Status: error bits 8 and 11-15 are write-one-to-clear (spec 6.2.3).
  w1cmask_[pci::kStatus + 1] = 0xF9;
  wmask_[0x0C] = 0xFF;  // cache line size
  wmask_[0x0D] = 0xFF;  // latency timer
  wmask_[pci::kInterruptLine] = 0xFF;
}

u16 PciFunction::config16(u8 off) const { return static_cast<u16>(cfg_[off] | cfg_[(off + 1) & 0xFF] << 8); }
u32 PciFunction::config32(u8 off) const {
  return config16(off) | static_cast<u32>(config16(static_cast<u8>(off + 2))) << 16;
}
void PciFunction::set_config16(u8 off, u16 v) {
  cfg_[off] = static_cast<u8>(v);
  cfg_[(off + 1) & 0xFF] = static_cast<u8>(v >> 8);
}
void PciFunction::set_config32(u8 off, u32 v) {
  set_config16(off, static_cast<u16>(v));
  set_config16(static_cast<u8>(off + 2), static_cast<u16>(v >> 16));
}
void PciFunction::set_writable_range(u8 off, unsigned count, u8 mask) {
  for (unsigned i = 0; i < count && off + i < 256; ++i) wmask_[off + i] = mask;
}

void PciFunction::define_bar(unsigned index, u32 size, bool io) {
  if (index >= 6 || size == 0 || (size & (size - 1)) != 0) throw Error("PCI BAR size must be a power of two");
  bars_[index] = Bar{size, io};
  u8 off = static_cast<u8>(pci::kBar0 + 4 * index);
  // Spec 6.2.5.1: the low bits below the size read as zero (plus the type bits), so writing all
  // ones and reading back yields ~(size-1) | type; that is exactly "those bits are not writable".
  u32 mask = ~(size - 1) & (io ? ~u32{3} : ~u32{0xF});
  for (unsigned k = 0; k < 4; ++k) wmask_[off + k] = static_cast<u8>(mask >> (8 * k));
  set_config32(off, io ? 1u : 0u);  // bit 0: IO space indicator; memory: 32-bit, non-prefetchable
  initial_ = cfg_;
}

void PciFunction::define_rom(u32 size) {
  if (size < 2048 || (size & (size - 1)) != 0) throw Error("PCI expansion ROM size must be a power of two >= 2 KiB");
  rom_size_ = size;
  u32 mask = ~(size - 1) | 1u;  // spec 6.2.5.2: bits 31:11 address, bit 0 enable
  for (unsigned k = 0; k < 4; ++k) wmask_[pci::kRomBar + k] = static_cast<u8>(mask >> (8 * k));
  set_config32(pci::kRomBar, 0);
  initial_ = cfg_;
}

void PciFunction::set_interrupt_pin(u8 pin) {
  cfg_[pci::kInterruptPin] = pin;
  initial_[pci::kInterruptPin] = pin;
}

u32 PciFunction::bar_address(unsigned index) const {
  if (index >= 6 || bars_[index].size == 0) return pci::kBarUnmapped;
  const Bar& b = bars_[index];
  u32 raw = config32(static_cast<u8>(pci::kBar0 + 4 * index));
  if (b.io) {
    u32 addr = raw & ~u32{3};
    if (!io_enabled() || addr == 0 || u64{addr} + b.size > 0x10000) return pci::kBarUnmapped;
    return addr;
  }
  u32 addr = raw & ~u32{0xF};
  // 0 and the all-ones sizing pattern are "not placed yet" (firmware sizes before assigning).
  if (!memory_enabled() || addr == 0 || (addr | (b.size - 1)) == 0xFFFFFFFFu) return pci::kBarUnmapped;
  return addr;
}

u32 PciFunction::rom_address() const {
  if (rom_size_ == 0) return pci::kBarUnmapped;
  u32 raw = config32(pci::kRomBar);
  u32 addr = raw & ~(rom_size_ - 1);
  if (!memory_enabled() || !(raw & 1) || addr == 0 || (addr | (rom_size_ - 1)) == 0xFFFFFFFFu)
    return pci::kBarUnmapped;
  return addr;
}

u32 PciFunction::config_read(u8 offset, unsigned size) {
  u32 v = 0;
  for (unsigned k = 0; k < size; ++k) v |= static_cast<u32>(offset + k < 256 ? cfg_[offset + k] : 0xFF) << (8 * k);
  return v;
}

void PciFunction::config_write(u8 offset, unsigned size, u32 value) {
  u16 old_cmd = command();
  bool bar_touched = false;
  for (unsigned k = 0; k < size && offset + k < 256; ++k) {
    unsigned off = offset + k;
    u8 v = static_cast<u8>(value >> (8 * k));
    u8 nv = static_cast<u8>((cfg_[off] & ~wmask_[off]) | (v & wmask_[off]));
    nv = static_cast<u8>(nv & ~(v & w1cmask_[off]));
    if (nv != cfg_[off] && (overlaps(off, 1, pci::kBar0, kBarEnd) || overlaps(off, 1, pci::kRomBar, pci::kRomBar + 4)))
      bar_touched = true;
    cfg_[off] = nv;
  }
  u16 cmd = command();
  if (bar_touched || ((old_cmd ^ cmd) & (pci::kCmdIo | pci::kCmdMemory))) bars_changed();
  if (((old_cmd ^ cmd) & pci::kCmdIntxDisable) && bus_) bus_->intx_changed();
}

void PciFunction::set_intx(bool level) {
  if (level == intx_) return;
  intx_ = level;
  // Status bit 3 mirrors the function's interrupt state whatever the disable bit says (spec 6.2.3).
  u16 st = config16(pci::kStatus);
  set_config16(pci::kStatus, static_cast<u16>(level ? st | pci::kStatusInterrupt : st & ~pci::kStatusInterrupt));
  if (bus_) bus_->intx_changed();
}

void PciFunction::reset_config() {
  bool had_intx = intx_;
  cfg_ = initial_;
  intx_ = false;
  bars_changed();
  if (had_intx && bus_) bus_->intx_changed();
}

// ---- bus 0 and the 0xCF8/0xCFC ports ----

class PciBus::Ports final : public core::PortHandler {
 public:
  explicit Ports(PciBus& bus) : bus_(bus) {}
  u32 port_in(u16 port, unsigned size) override {
    if (port == 0xCF8) return size == 4 ? bus_.address_ : (size == 2 ? 0xFFFFu : 0xFFu);
    return bus_.data_access(port, size, nullptr);
  }
  void port_out(u16 port, unsigned size, u32 value) override {
    // Only dword accesses reach CONFIG_ADDRESS (spec 3.2.2.3.2); bits 30:24 and 1:0 read as zero.
    if (port == 0xCF8) {
      if (size == 4) bus_.address_ = value & 0x80FFFFFCu;
      return;
    }
    bus_.data_access(port, size, &value);
  }

 private:
  PciBus& bus_;
};

PciBus::PciBus(core::Machine& m, core::IrqSink& irq) : m_(m), irq_(irq), ports_(std::make_unique<Ports>(*this)) {
  m_.io().map(0xCF8, 1, ports_.get());
  m_.io().map(0xCFC, 4, ports_.get());
}

PciBus::~PciBus() {
  m_.io().unmap(0xCF8, 1);
  m_.io().unmap(0xCFC, 4);
  for (PciFunction* f : fns_)
    if (f) f->bus_ = nullptr;
}

u32 PciBus::data_access(u16 port, unsigned size, const u32* value) {
  u32 ones = size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu;
  if (!(address_ & 0x80000000u) || ((address_ >> 16) & 0xFF) != 0) return ones;  // disabled or not bus 0
  unsigned devfn = (address_ >> 8) & 0xFF;
  u8 reg = static_cast<u8>((address_ & 0xFC) + (port & 3));
  if (value) {
    config_write(devfn >> 3, devfn & 7, reg, size, *value);
    return 0;
  }
  return config_read(devfn >> 3, devfn & 7, reg, size);
}

void PciBus::attach(unsigned device, unsigned function, PciFunction& fn) {
  if (device >= 32 || function >= 8) throw Error("PCI device/function number out of range");
  unsigned devfn = device << 3 | function;
  if (fns_[devfn]) throw Error("PCI slot already in use");
  fns_[devfn] = &fn;
  fn.bus_ = this;
  fn.devfn_ = devfn;
}

PciFunction* PciBus::function_at(unsigned device, unsigned function) const {
  if (device >= 32 || function >= 8) return nullptr;
  return fns_[device << 3 | function];
}

u32 PciBus::config_read(unsigned device, unsigned function, u8 offset, unsigned size) {
  PciFunction* f = function_at(device, function);
  // Spec 6.1: a read of a non-existent function completes with all ones (master abort).
  if (!f) return size == 4 ? 0xFFFFFFFFu : size == 2 ? 0xFFFFu : 0xFFu;
  return f->config_read(offset, size);
}

void PciBus::config_write(unsigned device, unsigned function, u8 offset, unsigned size, u32 value) {
  if (PciFunction* f = function_at(device, function)) f->config_write(offset, size, value);
}

void PciBus::set_pirq_route(unsigned pirq, u8 route) {
  if (pirq >= 4 || routes_[pirq] == route) return;
  routes_[pirq] = route;
  update_irqs();
}

bool PciBus::pirq_level(unsigned pirq) const {
  for (PciFunction* f : fns_) {
    if (!f || !f->intx_ || (f->command() & pci::kCmdIntxDisable)) continue;
    u8 pin = f->config8(pci::kInterruptPin);
    if (pin >= 1 && pin <= 4 && pirq_of(f->device_number(), pin) == pirq) return true;
  }
  return false;
}

void PciBus::intx_changed() { update_irqs(); }

void PciBus::update_irqs() {
  std::array<bool, 16> want{};
  for (unsigned p = 0; p < 4; ++p) {
    u8 r = routes_[p];
    unsigned irq = r & 0x0F;
    // PIIX3 PIRQRC: bit 7 disables routing; IRQ 0-2, 8 and 13 are reserved encodings.
    if ((r & 0x80) || irq <= 2 || irq == 8 || irq == 13) continue;
    if (pirq_level(p)) want[irq] = true;
  }
  for (unsigned irq = 0; irq < 16; ++irq) {
    if (want[irq] == isa_level_[irq]) continue;
    isa_level_[irq] = want[irq];
    irq_.set_irq(irq, want[irq]);
  }
}

void PciBus::reset() { address_ = 0; }

}  // namespace pcjit::devices
