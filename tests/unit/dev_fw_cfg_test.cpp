// fw_cfg: the legacy port protocol as QEMU documents it (docs/specs/fw_cfg.txt) and as SeaBIOS
// (src/fw/paravirt.c qemu_cfg_init) reads it: select with a 16-bit write to 0x510, bytes from
// 0x511, signature "QEMU", ID bit 0 only, big-endian file directory with 64-byte entries.
#include <doctest/doctest.h>

#include <string>

#include "core/machine.h"
#include "devices/fw_cfg.h"

using namespace pcjit;
using devices::FwCfg;

namespace {

struct Rig {
  core::Machine m{core::MachineConfig{1u << 20}};
  FwCfg cfg;
  devices::FwCfgPorts ports{m.io(), cfg};
  void select(u16 key) { m.io().out(0x510, 2, key); }
  u8 byte() { return static_cast<u8>(m.io().in(0x511, 1)); }
  u32 le32() {
    u32 v = 0;
    for (int i = 0; i < 4; ++i) v |= u32{byte()} << (8 * i);
    return v;
  }
  u32 be32() {
    u32 v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | byte();
    return v;
  }
};

}  // namespace

TEST_CASE("fw_cfg: signature, ID without DMA, rewinding on select, zero past the end") {
  Rig r;
  r.select(FwCfg::kSignature);
  std::string sig;
  for (int i = 0; i < 4; ++i) sig += static_cast<char>(r.byte());
  CHECK(sig == "QEMU");
  CHECK(r.byte() == 0);  // past the end
  r.select(FwCfg::kSignature);
  CHECK(r.byte() == 'Q');  // a new select restarts at offset 0
  r.select(FwCfg::kId);
  CHECK(r.le32() == 1u);
  r.select(0x1234);  // unknown item reads as zeros
  CHECK(r.byte() == 0);
  CHECK(r.m.io().in(0x511, 4) == 0u);
}

TEST_CASE("fw_cfg: QEMU PC items and the etc/e820 file through the directory") {
  Rig r;
  devices::add_qemu_pc_items(r.cfg, {64ull << 20, 0xE0000000ull, 1, true, false});
  r.select(FwCfg::kMaxCpus);
  CHECK(r.byte() == 1);
  CHECK(r.byte() == 0);
  r.select(FwCfg::kBootMenu);
  CHECK(r.byte() == 1);
  r.select(FwCfg::kRamSize);
  CHECK(r.le32() == (64u << 20));
  r.select(FwCfg::kE820Table);
  CHECK(r.le32() == 0u);
  r.select(FwCfg::kIrq0Override);
  CHECK(r.byte() == 1);

  r.select(FwCfg::kFileDir);
  REQUIRE(r.be32() == 1u);
  const u32 size = r.be32();
  const u16 sel = static_cast<u16>(r.byte() << 8 | r.byte());
  r.byte();
  r.byte();
  std::string name;
  for (int i = 0; i < 56; ++i) {
    char ch = static_cast<char>(r.byte());
    if (ch) name += ch;
  }
  CHECK(name == "etc/e820");
  CHECK(size == 20u);  // one RAM entry of { u64 addr; u64 len; u32 type }
  CHECK(sel == FwCfg::kFirstFile);
  r.select(sel);
  CHECK(r.le32() == 0u);
  CHECK(r.le32() == 0u);
  CHECK(r.le32() == (64u << 20));
  CHECK(r.le32() == 0u);
  CHECK(r.le32() == 1u);  // E820_RAM
}

TEST_CASE("fw_cfg: files get selectors in order; replacing keeps the selector; reset rewinds") {
  Rig r;
  r.cfg.add_file("bootorder", {'/', 'x', '\n'});
  r.cfg.add_file("etc/boot-fail-wait", {1, 0, 0, 0});
  r.cfg.add_file("bootorder", {'/', 'y', '\n', 0});
  r.select(FwCfg::kFileDir);
  CHECK(r.be32() == 2u);
  CHECK(r.be32() == 4u);  // bootorder replaced: new size
  r.select(FwCfg::kFirstFile);
  r.byte();
  CHECK(r.byte() == 'y');
  r.cfg.reset();
  CHECK(r.cfg.state().selector == 0);
  CHECK(r.byte() == 'Q');
}
