// The PC board (see pc_board.h): builds and wires the chips, maps the firmware and fills the
// CMOS the way QEMU's i440FX machine does, since Debian's SeaBIOS is built for that machine.
#include "devices/pc_board.h"

#include <algorithm>
#include <fmt/format.h>

#include "core/rom_image.h"
#include "devices/acpi_pm.h"
#include "devices/ata_disk.h"
#include "devices/atapi_cdrom.h"
#include "devices/disk_image.h"
#include "devices/dma8237.h"
#include "devices/fdc82077.h"
#include "devices/fw_cfg.h"
#include "devices/i440fx.h"
#include "devices/i8042.h"
#include "devices/ide_controller.h"
#include "devices/pci.h"
#include "devices/pic8259.h"
#include "devices/piix3.h"
#include "devices/port92.h"
#include "devices/pit8254.h"
#include "devices/rtc_cmos.h"
#include "devices/uart16550.h"
#include "devices/vga.h"
#include "devices/vga_pci.h"

namespace pcjit::devices {

namespace {

// QEMU's i440FX machine keeps RAM below 3.5 GiB (the rest of the 32-bit space holds PCI holes
// and the BIOS); our physical map has no RAM above 4 GiB, so that is also the limit.
constexpr u64 kMaxRamBelow4g = 0xE0000000ull;

// The logical geometry QEMU and our ATA disk report for an image without other hints.
struct Chs {
  unsigned cylinders, heads, sectors;
};
Chs guess_chs(u64 sectors) {
  const u64 cyl = std::clamp<u64>(sectors / (16 * 63), 1, 16383);
  return {static_cast<unsigned>(cyl), 16, 63};
}

}  // namespace

u8 boot_device_code(char letter) {
  switch (letter) {
    case 'a': return 1;
    case 'c': return 2;
    case 'd': return 3;
    case 'n': return 4;
    default: return 0;
  }
}

// Offsets and encodings follow QEMU hw/i386/pc.c (pc_cmos_init, pc_cmos_init_late,
// cmos_init_hd, set_boot_dev) and what SeaBIOS reads back (src/fw/paravirt.c qemu_preinit for
// the memory size, src/boot.c boot_init for the boot order, src/hw/block.c for the translation).
std::vector<std::pair<u8, u8>> cmos_fields(const CmosInputs& in) {
  std::vector<std::pair<u8, u8>> f;
  auto put16 = [&](u8 off, u64 v) {
    f.emplace_back(off, static_cast<u8>(v));
    f.emplace_back(static_cast<u8>(off + 1), static_cast<u8>(v >> 8));
  };
  const u64 low = std::min(in.ram_bytes, in.ram_below_4g);
  const u64 high = in.ram_bytes - low;
  put16(0x15, std::min<u64>(low >> 10, 640));  // base memory in KiB
  const u64 ext = low > (1u << 20) ? std::min<u64>((low - (1u << 20)) >> 10, 65535) : 0;
  put16(0x17, ext);  // extended memory in KiB (AT location)
  put16(0x30, ext);  // and its copy
  put16(0x34, low > (16u << 20) ? std::min<u64>((low - (16u << 20)) >> 16, 65535) : 0);
  const u64 above = high >> 16;  // 64 KiB units above 4 GiB
  f.emplace_back(0x5b, static_cast<u8>(above));
  f.emplace_back(0x5c, static_cast<u8>(above >> 8));
  f.emplace_back(0x5d, static_cast<u8>(above >> 16));
  f.emplace_back(0x5f, static_cast<u8>(in.cpus - 1));

  // Boot order: 0x3d = second << 4 | first, 0x38 = third << 4 | (bit 0: skip the floppy boot
  // signature check; QEMU's default checks it, so 0).
  std::array<u8, 3> bd{};
  for (std::size_t i = 0; i < bd.size() && i < in.boot_order.size(); ++i)
    bd[i] = boot_device_code(in.boot_order[i]);
  f.emplace_back(0x3d, static_cast<u8>(bd[1] << 4 | bd[0]));
  f.emplace_back(0x38, static_cast<u8>(bd[2] << 4));

  // Equipment byte: FPU present (bit 1), PS/2 mouse (bit 2), floppies (bit 0, count-1 in 7:6).
  const unsigned floppies = (in.floppy_types[0] ? 1u : 0u) + (in.floppy_types[1] ? 1u : 0u);
  u8 equip = 0x06;
  if (floppies == 1) equip |= 0x01;
  if (floppies == 2) equip |= 0x41;
  f.emplace_back(0x14, equip);
  f.emplace_back(0x10, static_cast<u8>(in.floppy_types[0] << 4 | in.floppy_types[1]));

  // Hard disks: 0x12 type nibbles (0xF = "see extended type"), 0x19/0x1a extended type 47
  // (user-defined) with the parameter blocks at 0x1b and 0x24.
  u8 types = 0, trans = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const CmosDiskInfo& d = in.disks[i];
    if (!d.present) continue;
    const Chs g = guess_chs(d.sectors);
    // Translation hint (2 bits per drive): 0 none, 1 LBA — LBA once CHS cannot address it all.
    if (g.cylinders > 1024) trans = static_cast<u8>(trans | 1u << (2 * i));
    if (i > 1) continue;
    types = static_cast<u8>(types | (i == 0 ? 0xF0 : 0x0F));
    const u8 type_ofs = i == 0 ? 0x19 : 0x1a;
    const u8 info = i == 0 ? 0x1b : 0x24;
    f.emplace_back(type_ofs, 47);
    put16(info, g.cylinders);
    f.emplace_back(static_cast<u8>(info + 2), static_cast<u8>(g.heads));
    f.emplace_back(static_cast<u8>(info + 3), 0xFF);  // write precompensation: none
    f.emplace_back(static_cast<u8>(info + 4), 0xFF);
    f.emplace_back(static_cast<u8>(info + 5), static_cast<u8>(0xC0 | ((g.heads > 8) << 3)));
    put16(static_cast<u8>(info + 6), g.cylinders);  // landing zone
    f.emplace_back(static_cast<u8>(info + 8), static_cast<u8>(g.sectors));
  }
  f.emplace_back(0x12, types);
  f.emplace_back(0x39, trans);
  return f;
}

PcBoard::PcBoard(core::Machine& m, const PcConfig& cfg) : m_(m) {
  // Open every image first, so a bad file costs nothing and the error names it.
  auto open_disk = [&](const std::string& path, DiskMedia media, bool writable) {
    return DiskImage::open(path, DiskOpenOptions{.writable = writable && !cfg.snapshot,
                                                 .snapshot = cfg.snapshot,
                                                 .media = media});
  };
  std::unique_ptr<DiskImage> hda, hdb, cd, fd;
  if (!cfg.hda.empty()) hda = open_disk(cfg.hda, DiskMedia::HardDisk, true);
  if (!cfg.hdb.empty()) hdb = open_disk(cfg.hdb, DiskMedia::HardDisk, true);
  if (!cfg.cdrom.empty()) cd = open_disk(cfg.cdrom, DiskMedia::Cdrom, false);
  if (!cfg.fda.empty()) {
    fd = open_disk(cfg.fda, DiskMedia::Floppy, true);
    if (!floppy_geometry_for_size(fd->size_bytes()))
      throw Error(fmt::format("{}: {} bytes is not a standard floppy size", cfg.fda, fd->size_bytes()));
  }
  std::vector<u8> vga_rom;
  if (!cfg.vga_bios.empty()) vga_rom = core::read_file(cfg.vga_bios);
  if (!cfg.bios.empty()) core::map_bios(m.memory(), cfg.bios);

  CmosInputs ci;
  ci.ram_bytes = cfg.ram_bytes;
  ci.ram_below_4g = kMaxRamBelow4g;
  if (fd) ci.floppy_types[0] = floppy_geometry_for_size(fd->size_bytes())->cmos_type;
  if (hda) ci.disks[0] = {true, hda->sector_count()};
  if (hdb) ci.disks[1] = {true, hdb->sector_count()};
  ci.boot_order = cfg.boot_order;
  cmos_ = cmos_fields(ci);

  // Interrupts first: every other chip raises lines into the PIC pair.
  pic_ = std::make_unique<PicPair>(m);
  m.set_interrupt_controller(pic_.get());
  pit_ = std::make_unique<Pit8254>(m, *pic_, 0);
  rtc_ = std::make_unique<RtcCmos>(m, *pic_, 8u);
  rtc_->set_time(cfg.rtc_start);
  rtc_->set_nvram_fields(cmos_);
  kbc_ = std::make_unique<I8042>(m, *pic_, 1u, 12u);  // also drives A20 and the reset line
  port92_ = std::make_unique<Port92>(m);
  dma_ = std::make_unique<Dma8237>(m);
  fdc_ = std::make_unique<Fdc82077>(m, *pic_, dma_.get());  // 0x3F0, IRQ 6, DMA 2
  if (fd) fdc_->insert(0, std::move(fd));
  uarts_[0] = std::make_unique<Uart16550>(m, u16{0x3F8}, 4u, *pic_, cfg.serial0);  // COM1
  uarts_[1] = std::make_unique<Uart16550>(m, u16{0x2F8}, 3u, *pic_);               // COM2
  // Characters leave at once, as with QEMU's chardev back ends: firmware that polls LSR for an
  // empty transmitter (SeaBIOS's serial console) must not wait seconds of virtual time per byte
  // at the reset divisor.
  for (auto& u : uarts_) u->set_instant_tx(true);

  pci_ = std::make_unique<PciBus>(m, *pic_);
  i440fx_ = std::make_unique<I440fx>(m, *pci_);  // 00:00.0
  // QEMU's subsystem IDs (Red Hat, "QEMU virtual machine"): SeaBIOS's qemu_detect() keys on them.
  i440fx_->set_config16(pci::kSubsystemVendor, 0x1af4);
  i440fx_->set_config16(pci::kSubsystemVendor + 2, 0x1100);
  piix3_ = std::make_unique<Piix3>(m, *pci_);  // 00:01.0
  ide_ = std::make_unique<IdeController>(m, *pic_);
  pci_->attach(1, 1, *ide_);
  if (hda) ide_->attach_drive(0, 0, std::make_unique<AtaDisk>(std::move(hda)));
  if (hdb) ide_->attach_drive(0, 1, std::make_unique<AtaDisk>(std::move(hdb)));
  if (cd) ide_->attach_drive(1, 0, std::make_unique<AtapiCdrom>(std::move(cd)));
  acpi_ = std::make_unique<AcpiPm>(m, *pci_, *pic_);  // 00:01.3
  vga_ = std::make_unique<Vga>(m);
  vga_pci_ = std::make_unique<VgaPci>(*vga_, std::move(vga_rom));
  pci_->attach(2, 0, *vga_pci_);

  fw_cfg_ = std::make_unique<FwCfg>();
  add_qemu_pc_items(*fw_cfg_, {cfg.ram_bytes, kMaxRamBelow4g, 1, cfg.boot_menu, cfg.nographic});
  fw_cfg_ports_ = std::make_unique<FwCfgPorts>(m.io(), *fw_cfg_);

  exit_port_ = std::make_unique<DebugExitPort>(m);
  if (cfg.seabios_log) seabios_log_ = std::make_unique<DebugConsole>(m, u16{0x402}, cfg.seabios_log);
  if (cfg.debugcon) debugcon_ = std::make_unique<DebugConsole>(m, u16{0xE9}, cfg.debugcon);
}

PcBoard::~PcBoard() {
  if (m_.interrupt_controller() == pic_.get()) m_.set_interrupt_controller(nullptr);
}

void PcBoard::reset() {
  pic_->reset();
  pit_->reset();
  rtc_->reset();  // NVRAM and time survive, as on a PC
  kbc_->reset();
  port92_->reset();
  dma_->reset();
  fdc_->reset();
  for (auto& u : uarts_) u->reset();
  pci_->reset();
  i440fx_->reset();
  piix3_->reset();
  ide_->reset();
  acpi_->reset();
  vga_->reset();
  vga_pci_->reset_config();
  fw_cfg_->reset();
}

PcBoard& build_pc(core::Machine& m, const PcConfig& config) {
  auto board = std::make_unique<PcBoard>(m, config);
  return static_cast<PcBoard&>(m.add_device(std::move(board)));
}

}  // namespace pcjit::devices
