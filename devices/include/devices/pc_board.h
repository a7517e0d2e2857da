// The PC board: composes the chips of a QEMU-style i440FX PC around a core::Machine, so that
// Debian's SeaBIOS (the QEMU build) finds what it probes for and boots disks, CDs and floppies.
//
// Why it is a separate layer: chips know nothing of each other; this file is the one place that
// knows the PC's wiring (port and IRQ numbers, PCI slots, CMOS layout, BIOS and VGA BIOS images).
// It knows core and devices only; the frontend creates the CPU.
//
// Layout (QEMU "pc" machine): 00:00.0 i440FX host bridge, 00:01.0 PIIX3 ISA bridge, 00:01.1 PIIX3
// IDE, 00:01.3 PIIX4 ACPI PM, 00:02.0 VGA 1234:1111 with vgabios-stdvga.bin as expansion ROM.
// Drives as QEMU places -hda/-hdb/-cdrom: primary master, primary slave, secondary master.
#pragma once
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/machine.h"
#include "devices/debug_ports.h"

namespace pcjit::devices {

class PicPair;
class Pit8254;
class PciBus;
class I440fx;
class Piix3;
class AcpiPm;
class IdeController;
class Dma8237;
class Fdc82077;
class Uart16550;
class RtcCmos;
class I8042;
class Port92;
class Vga;
class VgaPci;
class FwCfg;
class FwCfgPorts;
class DiskImage;

inline constexpr const char* kDefaultBios = "/usr/share/seabios/bios-256k.bin";
inline constexpr const char* kDefaultVgaBios = "/usr/share/seabios/vgabios-stdvga.bin";

struct PcConfig {
  u64 ram_bytes = 32ull << 20;
  std::string bios = kDefaultBios;
  std::string vga_bios = kDefaultVgaBios;  // empty: VGA without an option ROM
  std::string hda, hdb, cdrom, fda;        // empty: no such drive
  bool snapshot = false;                   // -snapshot: guest writes stay in memory
  std::string boot_order = "cad";          // QEMU -boot letters: a floppy, c disk, d CD, n network
  bool boot_menu = false;
  bool nographic = false;
  i64 rtc_start = 1577836800;  // RTC date at reset (epoch seconds): fixed for determinism
  ByteSink serial0;       // COM1 output; empty: discarded
  ByteSink seabios_log;   // port 0x402; empty: not mapped
  ByteSink debugcon;      // port 0xE9; empty: not mapped
};

// CMOS NVRAM bytes SeaBIOS and the BIOS-era software read, as QEMU's pc_cmos_init sets them
// (memory sizes, equipment, floppy and disk types, boot order, CPU count).
struct CmosDiskInfo {
  bool present = false;
  u64 sectors = 0;
};
struct CmosInputs {
  u64 ram_bytes = 0;
  u64 ram_below_4g = 0;
  std::array<u8, 2> floppy_types{};   // CMOS drive-type nibble per drive (0 = none, 4 = 1.44 MB)
  std::array<CmosDiskInfo, 4> disks{};  // ATA drives 0-3 (primary master ... secondary slave)
  std::string boot_order = "cad";
  unsigned cpus = 1;
};
std::vector<std::pair<u8, u8>> cmos_fields(const CmosInputs& in);
// CMOS boot-device code of a QEMU -boot letter (1 floppy, 2 hard disk, 3 CD-ROM, 4 network), 0 if
// the letter is unknown.
u8 boot_device_code(char letter);

class PcBoard final : public core::Device {
 public:
  // Builds every chip and maps the firmware. Throws pcjit::Error naming the file when an image
  // (BIOS, VGA BIOS, disk) is missing or malformed.
  PcBoard(core::Machine& m, const PcConfig& config);
  ~PcBoard() override;
  PcBoard(const PcBoard&) = delete;
  PcBoard& operator=(const PcBoard&) = delete;

  void reset() override;
  const char* name() const override { return "pc-board"; }

  PicPair& pic() { return *pic_; }
  Vga& vga() { return *vga_; }
  FwCfg& fw_cfg() { return *fw_cfg_; }
  PciBus& pci() { return *pci_; }
  Uart16550& com(unsigned index) { return *uarts_[index]; }
  I8042& kbc() { return *kbc_; }
  RtcCmos& rtc() { return *rtc_; }
  const std::vector<std::pair<u8, u8>>& cmos() const { return cmos_; }

 private:
  core::Machine& m_;
  std::vector<std::pair<u8, u8>> cmos_;
  std::unique_ptr<PicPair> pic_;
  std::unique_ptr<Pit8254> pit_;
  std::unique_ptr<RtcCmos> rtc_;
  std::unique_ptr<I8042> kbc_;
  std::unique_ptr<Port92> port92_;
  std::unique_ptr<Dma8237> dma_;
  std::unique_ptr<Fdc82077> fdc_;
  std::array<std::unique_ptr<Uart16550>, 2> uarts_;
  std::unique_ptr<PciBus> pci_;
  std::unique_ptr<I440fx> i440fx_;
  std::unique_ptr<Piix3> piix3_;
  std::unique_ptr<IdeController> ide_;
  std::unique_ptr<AcpiPm> acpi_;
  std::unique_ptr<Vga> vga_;
  std::unique_ptr<VgaPci> vga_pci_;
  std::unique_ptr<FwCfg> fw_cfg_;
  std::unique_ptr<FwCfgPorts> fw_cfg_ports_;
  std::unique_ptr<DebugExitPort> exit_port_;
  std::unique_ptr<DebugConsole> seabios_log_;
  std::unique_ptr<DebugConsole> debugcon_;
};

// Builds the board and hands it to the machine (which owns it from then on).
PcBoard& build_pc(core::Machine& m, const PcConfig& config);

}  // namespace pcjit::devices
