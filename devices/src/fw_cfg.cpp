// QEMU fw_cfg legacy port interface (see fw_cfg.h for why and the protocol).
#include "devices/fw_cfg.h"

#include <algorithm>
#include <cstring>

namespace pcjit::devices {

namespace {

void put_le(std::vector<u8>& out, u64 v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<u8>(v >> (8 * i)));
}

void put_be(std::vector<u8>& out, u64 v, unsigned bytes) {
  for (unsigned i = bytes; i-- > 0;) out.push_back(static_cast<u8>(v >> (8 * i)));
}

}  // namespace

FwCfg::FwCfg() {
  set_bytes(kSignature, {'Q', 'E', 'M', 'U'});
  set_u32(kId, 1);  // traditional interface only, no DMA
  rebuild_directory();
}

void FwCfg::set_bytes(u16 key, std::vector<u8> bytes) { items_[normalise(key)] = std::move(bytes); }

void FwCfg::set_u16(u16 key, u16 v) {
  std::vector<u8> b;
  put_le(b, v, 2);
  set_bytes(key, std::move(b));
}

void FwCfg::set_u32(u16 key, u32 v) {
  std::vector<u8> b;
  put_le(b, v, 4);
  set_bytes(key, std::move(b));
}

void FwCfg::set_u64(u16 key, u64 v) {
  std::vector<u8> b;
  put_le(b, v, 8);
  set_bytes(key, std::move(b));
}

void FwCfg::add_file(const std::string& file_name, std::vector<u8> bytes) {
  auto it = std::find(file_names_.begin(), file_names_.end(), file_name);
  std::size_t index = static_cast<std::size_t>(it - file_names_.begin());
  if (it == file_names_.end()) file_names_.push_back(file_name);
  set_bytes(static_cast<u16>(kFirstFile + index), std::move(bytes));
  rebuild_directory();
}

// Directory layout (QEMU fw_cfg.txt "FW_CFG_FILE_DIR"): be32 count, then per file
// { be32 size; be16 select; be16 reserved; char name[56]; } (NUL-terminated name).
void FwCfg::rebuild_directory() {
  std::vector<u8> dir;
  put_be(dir, file_names_.size(), 4);
  for (std::size_t i = 0; i < file_names_.size(); ++i) {
    const u16 sel = static_cast<u16>(kFirstFile + i);
    put_be(dir, items_[sel].size(), 4);
    put_be(dir, sel, 2);
    put_be(dir, 0, 2);
    char name[56] = {};
    std::strncpy(name, file_names_[i].c_str(), sizeof name - 1);
    dir.insert(dir.end(), name, name + sizeof name);
  }
  items_[kFileDir] = std::move(dir);
}

void FwCfg::select(u16 key) {
  state_.selector = key;
  state_.offset = 0;
}

u8 FwCfg::read_data() {
  auto it = items_.find(normalise(state_.selector));
  if (it == items_.end() || state_.offset >= it->second.size()) return 0;
  return it->second[state_.offset++];
}

FwCfgPorts::FwCfgPorts(core::IoBus& io, FwCfg& cfg) : cfg_(cfg) { io.map(FwCfg::kSelectorPort, 2, this); }

u32 FwCfgPorts::port_in(u16 port, unsigned size) {
  if (port != FwCfg::kDataPort) return 0;
  u32 v = 0;
  for (unsigned i = 0; i < size; ++i) v |= u32{cfg_.read_data()} << (8 * i);
  return v;
}

void FwCfgPorts::port_out(u16 port, unsigned, u32 value) {
  if (port == FwCfg::kSelectorPort) cfg_.select(static_cast<u16>(value));
  // Data-port writes are ignored (read-only items).
}

void add_qemu_pc_items(FwCfg& cfg, const FwCfgPcInfo& info) {
  cfg.set_bytes(FwCfg::kUuid, std::vector<u8>(16, 0));
  cfg.set_u64(FwCfg::kRamSize, info.ram_bytes);
  cfg.set_u16(FwCfg::kNoGraphic, info.nographic ? 1 : 0);
  cfg.set_u16(FwCfg::kNbCpus, static_cast<u16>(info.cpus));
  cfg.set_u16(FwCfg::kMaxCpus, static_cast<u16>(info.cpus));
  cfg.set_u16(FwCfg::kBootMenu, info.boot_menu ? 1 : 0);
  cfg.set_u64(FwCfg::kNuma, 0);           // no NUMA nodes
  cfg.set_u16(FwCfg::kAcpiTables, 0);     // SeaBIOS builds its own ACPI tables
  cfg.set_u16(FwCfg::kSmbiosEntries, 0);  // and its own SMBIOS tables
  cfg.set_bytes(FwCfg::kIrq0Override, {1});
  cfg.set_u32(FwCfg::kE820Table, 0);      // reservations: none (etc/e820 below has the RAM)
  // etc/e820 entries: { le64 address; le64 length; le32 type } packed, type 1 = RAM.
  std::vector<u8> e820;
  auto entry = [&](u64 addr, u64 len) {
    put_le(e820, addr, 8);
    put_le(e820, len, 8);
    put_le(e820, 1, 4);
  };
  const u64 low = std::min(info.ram_bytes, info.ram_below_4g);
  entry(0, low);
  if (info.ram_bytes > low) entry(1ull << 32, info.ram_bytes - low);
  cfg.add_file("etc/e820", std::move(e820));
}

}  // namespace pcjit::devices
