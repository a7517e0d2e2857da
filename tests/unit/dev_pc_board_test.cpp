// PC board: the CMOS layout QEMU's pc_cmos_init writes and SeaBIOS reads (hw/i386/pc.c;
// SeaBIOS src/fw/paravirt.c, src/boot.c), the PCI slot layout of QEMU's i440FX machine, and the
// debug console readback SeaBIOS probes before it logs to port 0x402.
#include <doctest/doctest.h>

#include <map>

#include "core/machine.h"
#include "devices/debug_ports.h"
#include "devices/pc_board.h"
#include "devices/pci.h"

using namespace pcjit;

namespace {

std::map<u8, u8> as_map(const std::vector<std::pair<u8, u8>>& v) {
  std::map<u8, u8> m;
  for (auto [k, val] : v) m[k] = val;
  return m;
}

}  // namespace

TEST_CASE("CMOS: memory sizes, equipment and boot order as QEMU encodes them") {
  devices::CmosInputs in;
  in.ram_bytes = 64ull << 20;
  in.ram_below_4g = 0xE0000000ull;
  in.floppy_types = {4, 0};
  in.boot_order = "dca";
  auto c = as_map(devices::cmos_fields(in));
  CHECK((c[0x15] | c[0x16] << 8) == 640);                     // base memory, KiB
  CHECK((c[0x17] | c[0x18] << 8) == 64 * 1024 - 1024);        // KiB above 1 MiB
  CHECK((c[0x30] | c[0x31] << 8) == 64 * 1024 - 1024);
  CHECK((c[0x34] | c[0x35] << 8) == (64 - 16) * 1024 / 64);   // 64 KiB units above 16 MiB
  CHECK(c[0x5b] == 0);
  CHECK(c[0x5f] == 0);                                        // one CPU
  CHECK(c[0x3d] == (2 << 4 | 3));                             // first d (CD=3), second c (HD=2)
  CHECK(c[0x38] == (1 << 4));                                 // third a (floppy=1), sig check on
  CHECK(c[0x10] == 0x40);                                     // drive A: 1.44 MB
  CHECK(c[0x14] == (0x06 | 0x01));                            // FPU, PS/2 mouse, one floppy
  CHECK(c[0x12] == 0);
}

TEST_CASE("CMOS: extended memory saturates and a big disk gets type 47 with LBA translation") {
  devices::CmosInputs in;
  in.ram_bytes = 3ull << 30;
  in.ram_below_4g = 0xE0000000ull;
  in.disks[0] = {true, 2'000'000};  // ~1 GB: 1984 cylinders at 16 heads x 63 sectors
  auto c = as_map(devices::cmos_fields(in));
  CHECK((c[0x30] | c[0x31] << 8) == 65535);
  CHECK((c[0x34] | c[0x35] << 8) == ((3u << 30) - (16u << 20)) / 65536);
  CHECK(c[0x12] == 0xF0);
  CHECK(c[0x19] == 47);
  CHECK((c[0x1b] | c[0x1c] << 8) == 2'000'000 / (16 * 63));
  CHECK(c[0x1d] == 16);
  CHECK(c[0x23] == 63);
  CHECK(c[0x39] == 0x01);  // drive 0: LBA
}

TEST_CASE("boot letters map to the SeaBIOS/QEMU CMOS device codes") {
  CHECK(devices::boot_device_code('a') == 1);
  CHECK(devices::boot_device_code('c') == 2);
  CHECK(devices::boot_device_code('d') == 3);
  CHECK(devices::boot_device_code('n') == 4);
  CHECK(devices::boot_device_code('z') == 0);
}

TEST_CASE("PC board: QEMU i440FX slot layout and the 0x402 log readback") {
  core::Machine m(core::MachineConfig{32ull << 20});
  devices::PcConfig cfg;
  cfg.bios.clear();      // no firmware needed to look at the board
  cfg.vga_bios.clear();
  cfg.seabios_log = [](u8) {};
  devices::PcBoard& pc = devices::build_pc(m, cfg);
  auto id = [&](unsigned dev, unsigned fn) { return pc.pci().config_read(dev, fn, 0, 4); };
  CHECK(id(0, 0) == 0x12378086u);  // i440FX
  CHECK(id(1, 0) == 0x70008086u);  // PIIX3 ISA
  CHECK(id(1, 1) == 0x70108086u);  // PIIX3 IDE
  CHECK(id(1, 3) == 0x71138086u);  // PIIX4 ACPI
  CHECK(id(2, 0) == 0x11111234u);  // Bochs/QEMU stdvga
  CHECK(pc.pci().config_read(0, 0, devices::pci::kSubsystemVendor, 4) == 0x11001af4u);
  CHECK(m.interrupt_controller() != nullptr);
  // QEMU isa-debugcon answers 0xE9 on reads; SeaBIOS's qemu_debug_preinit checks it.
  CHECK(m.io().in(0x402, 1) == 0xE9u);
  // fw_cfg signature
  m.io().out(0x510, 2, 0);
  CHECK(m.io().in(0x511, 1) == 'Q');
}

TEST_CASE("event queue: the earlier-deadline listener fires only when the earliest event moves up") {
  // Why: Machine::run gives the CPU a budget up to the earliest deadline; a device that schedules
  // something sooner during that run (SeaBIOS programming the PIT) must end the run early.
  core::EventQueue q;
  int calls = 0;
  q.set_earlier_deadline_listener([&] { ++calls; });
  q.schedule(1000, [] {});
  CHECK(calls == 1);  // first event: new earliest
  q.schedule(2000, [] {});
  CHECK(calls == 1);  // later than the front: the budget is still right
  q.schedule(500, [] {});
  CHECK(calls == 2);
  q.schedule(500, [] {});
  CHECK(calls == 2);  // same instant as the front: not earlier
}

TEST_CASE("machine: scheduling an earlier event asks the running processor to exit") {
  struct FakeCpu final : core::Processor {
    int exits = 0;
    void reset() override {}
    core::ProcessorExit run(u64) override { return core::ProcessorExit::Budget; }
    void request_exit() override { ++exits; }
    void interrupt_changed() override {}
  };
  core::Machine m(core::MachineConfig{1u << 20});
  auto cpu = std::make_unique<FakeCpu>();
  FakeCpu& f = *cpu;
  m.set_processor(std::move(cpu));
  m.events().schedule(1'000'000, [] {});
  CHECK(f.exits == 1);
  m.events().schedule(2'000'000, [] {});
  CHECK(f.exits == 1);
}
