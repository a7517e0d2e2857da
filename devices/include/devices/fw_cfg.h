// QEMU's firmware configuration device ("fw_cfg"), the legacy port interface only.
//
// Why: Debian's SeaBIOS is the QEMU build. It works from CMOS alone (RAM size from NVRAM 0x30/0x31
// and 0x34/0x35, boot order from 0x38/0x3d), but it probes fw_cfg to find the number of CPUs, the
// e820 map, the boot menu switch and optional files such as "bootorder". Presenting the same
// entries QEMU does keeps SeaBIOS on its well-trodden QEMU paths.
//
// Interface (QEMU docs/specs/fw_cfg.txt): a 16-bit write to port 0x510 selects an item and
// rewinds its read offset; each byte read from port 0x511 returns the next byte of the item, and 0
// past its end or for an unknown item. Data writes are ignored (as in QEMU since 2.4). The DMA
// interface is not offered: ID (item 1) reports only the traditional interface (bit 0).
// Numbers in the legacy items are little-endian; the file directory (item 0x19) is big-endian.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/io_bus.h"
#include "core/machine.h"

namespace pcjit::devices {

class FwCfg final : public core::Device {
 public:
  // Item keys SeaBIOS reads (SeaBIOS src/fw/paravirt.c, QEMU include/standard-headers fw_cfg).
  enum Key : u16 {
    kSignature = 0x00,
    kId = 0x01,
    kUuid = 0x02,
    kRamSize = 0x03,
    kNoGraphic = 0x04,
    kNbCpus = 0x05,
    kNuma = 0x0d,
    kBootMenu = 0x0e,
    kMaxCpus = 0x0f,
    kFileDir = 0x19,
    kFirstFile = 0x20,
    kArchLocal = 0x8000,
    kAcpiTables = 0x8000,
    kSmbiosEntries = 0x8001,
    kIrq0Override = 0x8002,
    kE820Table = 0x8003,
  };
  static constexpr u16 kSelectorPort = 0x510;
  static constexpr u16 kDataPort = 0x511;

  struct State {
    u16 selector = 0;
    u32 offset = 0;
  };

  // Starts with the signature "QEMU", ID = 1 and an empty file directory.
  FwCfg();
  const char* name() const override { return "fw_cfg"; }
  void reset() override { state_ = {}; }

  void set_bytes(u16 key, std::vector<u8> bytes);
  void set_u16(u16 key, u16 v);
  void set_u32(u16 key, u32 v);
  void set_u64(u16 key, u64 v);
  // Adds (or replaces) a named file; files get selectors from 0x20 in the order first added.
  void add_file(const std::string& file_name, std::vector<u8> bytes);

  void select(u16 key);
  u8 read_data();
  const State& state() const { return state_; }

 private:
  void rebuild_directory();
  static u16 normalise(u16 key) { return key & 0xBFFF; }  // bit 14 is the write channel flag

  State state_;
  std::map<u16, std::vector<u8>> items_;
  std::vector<std::string> file_names_;  // index i has selector kFirstFile + i
};

// The port wiring: 0x510 (selector, 16-bit) and 0x511 (data, byte-wide; wider reads return
// consecutive bytes little-endian, as QEMU's combined region does).
class FwCfgPorts final : public core::PortHandler {
 public:
  FwCfgPorts(core::IoBus& io, FwCfg& cfg);
  u32 port_in(u16 port, unsigned size) override;
  void port_out(u16 port, unsigned size, u32 value) override;

 private:
  FwCfg& cfg_;
};

// The PC items QEMU's i440FX machine presents: RAM size, one CPU, boot menu switch, nographic,
// no NUMA/ACPI/SMBIOS blobs, IRQ0 override, and the "etc/e820" file with the RAM below 4 GiB
// (end of RAM up to ram_below_4g) and above it.
struct FwCfgPcInfo {
  u64 ram_bytes = 0;
  u64 ram_below_4g = 0;
  unsigned cpus = 1;
  bool boot_menu = false;
  bool nographic = false;
};
void add_qemu_pc_items(FwCfg& cfg, const FwCfgPcInfo& info);

}  // namespace pcjit::devices
