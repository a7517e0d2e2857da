// ATAPI CD-ROM through the secondary IDE channel: signature, IDENTIFY PACKET DEVICE, the PACKET
// protocol with the byte-count limit, READ(10), READ TOC and sense data. Truth: ATA/ATAPI-6
// (9.10 PACKET protocol, 9.12 signatures, 8.16 IDENTIFY PACKET DEVICE), SPC-3 (sense data) and
// MMC-3 (READ TOC formats, MSF addresses with the 150-frame offset), on a generated image whose
// sectors name their LBA.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "core/machine.h"
#include "devices/atapi_cdrom.h"
#include "devices/ide_controller.h"

using namespace pcjit;
using namespace pcjit::devices;

namespace {
struct NullIrq final : core::IrqSink {
  int rises = 0;
  bool level = false;
  void set_irq(unsigned, bool l) override {
    if (l && !level) ++rises;
    level = l;
  }
};

constexpr u64 kSectors = 64;
std::vector<u8> numbered_iso() {
  std::vector<u8> v(kSectors * 2048);
  for (u64 s = 0; s < kSectors; ++s)
    for (unsigned i = 0; i < 2048; ++i) v[s * 2048 + i] = static_cast<u8>(i < 4 ? s >> (8 * i) : s + i);
  return v;
}

struct Rig {
  core::Machine m{core::MachineConfig{}};
  NullIrq irq;
  IdeController ide{m, irq};
  AtapiCdrom* cd;
  explicit Rig(bool medium = true) {
    auto d = std::make_unique<AtapiCdrom>(
        medium ? DiskImage::from_bytes(numbered_iso(), DiskMedia::Cdrom, "cd.iso") : nullptr);
    cd = d.get();
    ide.attach_drive(1, 0, std::move(d));
    out(0x176, 0xA0);
  }
  u8 in(u16 port) { return static_cast<u8>(m.io().in(port, 1)); }
  void out(u16 port, u8 v) { m.io().out(port, 1, v); }
  u8 status() { return in(0x177); }

  // Sends a packet and collects the data phase; returns the bytes and the DRQ block sizes.
  std::vector<u8> packet(std::array<u8, 12> cdb, u16 limit = 0xFFFE, std::vector<unsigned>* chunks = nullptr) {
    out(0x171, 0);
    out(0x174, static_cast<u8>(limit));
    out(0x175, static_cast<u8>(limit >> 8));
    out(0x177, 0xA0);
    REQUIRE((status() & ata::kDrq) != 0);
    REQUIRE(in(0x172) == 0x01);  // CoD: the device wants the command
    for (unsigned i = 0; i < 12; i += 2) m.io().out(0x170, 2, u32{cdb[i]} | u32{cdb[i + 1]} << 8);
    std::vector<u8> data;
    while (status() & ata::kDrq) {
      REQUIRE(in(0x172) == 0x02);  // IO: data to the host
      unsigned n = in(0x174) | in(0x175) << 8;
      if (chunks) chunks->push_back(n);
      for (unsigned i = 0; i < n; i += 2) {
        u32 w = m.io().in(0x170, 2);
        data.push_back(static_cast<u8>(w));
        data.push_back(static_cast<u8>(w >> 8));
      }
    }
    CHECK(in(0x172) == 0x03);  // IO|CoD: status phase
    return data;
  }
  std::array<u8, 18> request_sense() {
    auto v = packet({0x03, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0});
    std::array<u8, 18> s{};
    std::copy_n(v.begin(), 18, s.begin());
    return s;
  }
};
}  // namespace

TEST_CASE("a PACKET device shows the EB14h signature and aborts IDENTIFY DEVICE (ATA/ATAPI-6 9.12)") {
  Rig r;
  CHECK(r.in(0x174) == 0x14);
  CHECK(r.in(0x175) == 0xEB);
  r.out(0x174, 0);
  r.out(0x175, 0);
  r.out(0x177, 0xEC);
  CHECK((r.status() & ata::kErr) != 0);
  CHECK((r.in(0x171) & ata::kAbrt) != 0);
  CHECK(r.in(0x174) == 0x14);
  CHECK(r.in(0x175) == 0xEB);
  r.out(0x177, 0xA1);
  std::vector<u8> id;
  for (int i = 0; i < 256; ++i) {
    u32 w = r.m.io().in(0x170, 2);
    id.push_back(static_cast<u8>(w));
    id.push_back(static_cast<u8>(w >> 8));
  }
  // Word 0: 10b ATAPI, type 05h CD-ROM, removable, 12-byte packets.
  CHECK((id[0] | id[1] << 8) == 0x85C0);
  CHECK((id[2 * 49 + 1] & 0x02) != 0);  // LBA supported
}

TEST_CASE("READ(10) returns the requested blocks, split by the byte count limit") {
  Rig r;
  std::vector<unsigned> chunks;
  auto d = r.packet({0x28, 0, 0, 0, 0, 5, 0, 0, 2, 0, 0, 0}, 2048, &chunks);
  REQUIRE(d.size() == 4096);
  CHECK(chunks == std::vector<unsigned>{2048, 2048});
  CHECK(d[0] == 5);
  CHECK(d[10] == static_cast<u8>(5 + 10));
  CHECK(d[2048] == 6);
  CHECK((r.status() & (ata::kErr | ata::kDrq)) == 0);
  chunks.clear();
  auto e = r.packet({0xA8, 0, 0, 0, 0, 63, 0, 0, 0, 1, 0, 0}, 0xFFFF, &chunks);  // READ(12), odd limit
  CHECK(e.size() == 2048);
  CHECK(e[0] == 63);
}

TEST_CASE("READ TOC format 0 in LBA and MSF form (MMC-3 6.26)") {
  Rig r;
  auto t = r.packet({0x43, 0, 0, 0, 0, 0, 0, 0x03, 0x24, 0, 0, 0});
  REQUIRE(t.size() == 20);
  CHECK(t[0] == 0);
  CHECK(t[1] == 18);  // data length excludes itself
  CHECK(t[2] == 1);
  CHECK(t[3] == 1);
  CHECK(t[5] == 0x14);  // ADR 1, data track
  CHECK(t[6] == 1);
  CHECK((t[8] | t[9] | t[10] | t[11]) == 0);
  CHECK(t[14] == 0xAA);  // lead-out at the end of the disc
  CHECK(t[19] == kSectors);
  auto msf = r.packet({0x43, 0x02, 0, 0, 0, 0, 0, 0x03, 0x24, 0, 0, 0});
  REQUIRE(msf.size() == 20);
  CHECK(msf[9] == 0);  // track 1 at 00:02:00 (LBA 0 + 150 frames)
  CHECK(msf[10] == 2);
  CHECK(msf[11] == 0);
  CHECK(msf[17] == 0);  // lead-out 64 + 150 = 214 frames = 00:02:64
  CHECK(msf[18] == 2);
  CHECK(msf[19] == 64);
  auto s = r.packet({0x43, 0, 1, 0, 0, 0, 0, 0, 12, 0, 0, 0});  // format 1: session info
  REQUIRE(s.size() == 12);
  CHECK(s[1] == 10);
  CHECK(s[6] == 1);
}

TEST_CASE("errors report CHECK CONDITION and REQUEST SENSE returns the sense key and ASC (SPC-3 4.5)") {
  Rig r;
  auto d = r.packet({0x28, 0, 0, 0, 0, 64, 0, 0, 1, 0, 0, 0});  // past the last block (63)
  CHECK(d.empty());
  CHECK((r.status() & ata::kErr) != 0);
  CHECK(r.in(0x171) == (scsi::kIllegalRequest << 4 | ata::kAbrt));
  auto s = r.request_sense();
  CHECK(s[0] == 0x70);
  CHECK((s[2] & 0x0F) == scsi::kIllegalRequest);
  CHECK(s[12] == scsi::kAscLbaOutOfRange);
  CHECK(r.request_sense()[2] == scsi::kNoSense);  // reading the sense clears it
  r.packet({0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(r.request_sense()[12] == scsi::kAscInvalidOpcode);
}

TEST_CASE("without a disc TEST UNIT READY answers NOT READY, MEDIUM NOT PRESENT") {
  Rig r(false);
  r.packet({0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK((r.status() & ata::kErr) != 0);
  auto s = r.request_sense();
  CHECK((s[2] & 0x0F) == scsi::kNotReady);
  CHECK(s[12] == scsi::kAscMediumNotPresent);
  auto inq = r.packet({0x12, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0});  // INQUIRY works without a disc
  REQUIRE(inq.size() == 36);
  CHECK(inq[0] == 0x05);
  CHECK(inq[1] == 0x80);
}

TEST_CASE("READ CAPACITY, MODE SENSE page 2Ah and a DMA READ(10)") {
  Rig r;
  auto cap = r.packet({0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  REQUIRE(cap.size() == 8);
  CHECK(cap[3] == kSectors - 1);
  CHECK((cap[6] << 8 | cap[7]) == 2048);
  auto ms = r.packet({0x5A, 0, 0x2A, 0, 0, 0, 0, 0, 64, 0, 0, 0});
  REQUIRE(ms.size() >= 10);
  CHECK(ms[8] == 0x2A);
  CHECK((ms[0] << 8 | ms[1]) == ms.size() - 2);
  // DMA: feature bit 0, PRD of one 2048-byte entry at 0x40000.
  r.ide.config_write(0x20, 4, 0xD001);
  r.ide.config_write(0x04, 2, 0x0005);
  const u8 prd[8] = {0x00, 0x00, 0x04, 0x00, 0x00, 0x08, 0x00, 0x80};
  r.m.memory().write_bytes(0x9000, prd);
  r.m.io().out(0xD00C, 4, 0x9000);  // secondary channel's PRD pointer
  r.out(0x171, 1);
  r.out(0x177, 0xA0);
  const u8 cdb[12] = {0x28, 0, 0, 0, 0, 9, 0, 0, 1, 0, 0, 0};
  for (unsigned i = 0; i < 12; i += 2) r.m.io().out(0x170, 2, u32{cdb[i]} | u32{cdb[i + 1]} << 8);
  int before = r.irq.rises;
  r.m.io().out(0xD008, 1, 0x09);
  CHECK(r.irq.rises == before + 1);
  CHECK(r.m.memory().read(0x40000, 1) == 9);
  CHECK(r.m.memory().read(0x40000 + 100, 1) == 109);
  CHECK(r.in(0x172) == 0x03);
  CHECK((r.m.io().in(0xD00A, 1) & bmide::kStInterrupt) != 0);
}

TEST_CASE("a long READ(10) streams in full-limit DRQ blocks and through a split PRD table") {
  Rig r;
  std::vector<unsigned> chunks;
  auto d = r.packet({0x28, 0, 0, 0, 0, 10, 0, 0, 40, 0, 0, 0}, 0xFFFF, &chunks);
  REQUIRE(d.size() == 40u * 2048);
  // Every DRQ block but the last is the (even-rounded) limit (ATA/ATAPI-6 9.10).
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0] == 0xFFFE);
  CHECK(chunks[1] == 40u * 2048 - 0xFFFE);
  bool all = true;
  for (unsigned b = 0; b < 40; ++b) all = all && d[b * 2048] == 10 + b && d[b * 2048 + 7] == static_cast<u8>(10 + b + 7);
  CHECK(all);
  // The same read by DMA: 40000 bytes at 0x100000, the rest (41920) at 0x200000.
  r.ide.config_write(0x20, 4, 0xD001);
  r.ide.config_write(0x04, 2, 0x0005);
  const u32 rest = 40 * 2048 - 40000;
  const u8 prd[16] = {0x00, 0x00, 0x10, 0x00, 0x40, 0x9C, 0x00, 0x00,
                      0x00, 0x00, 0x20, 0x00, static_cast<u8>(rest), static_cast<u8>(rest >> 8), 0x00, 0x80};
  r.m.memory().write_bytes(0x9000, prd);
  r.m.io().out(0xD00C, 4, 0x9000);
  r.m.io().out(0xD008, 1, 0x09);  // started before the command this time
  r.out(0x171, 1);
  r.out(0x177, 0xA0);
  const u8 cdb[12] = {0x28, 0, 0, 0, 0, 10, 0, 0, 40, 0, 0, 0};
  for (unsigned i = 0; i < 12; i += 2) r.m.io().out(0x170, 2, u32{cdb[i]} | u32{cdb[i + 1]} << 8);
  CHECK(r.in(0x172) == 0x03);
  CHECK((r.status() & ata::kErr) == 0);
  std::vector<u8> got(40 * 2048);
  r.m.memory().read_bytes(0x100000, std::span(got).first(40000));
  r.m.memory().read_bytes(0x200000, std::span(got).subspan(40000));
  CHECK(got == d);
  CHECK((r.m.io().in(0xD00A, 1) & (bmide::kStActive | bmide::kStError)) == 0);
}
