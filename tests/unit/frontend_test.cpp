// Frontend tests: option parsing and the tracer's formatting. Truth comes from the documented
// CLI contract (usage_text(), README.md) and the SDM's EFLAGS layout (Vol. 1, Figure 3-8:
// CF bit 0, PF 2, AF 4, ZF 6, SF 7, IF 9, OF 11, IOPL 13:12) and exception mnemonics
// (Vol. 3A, Table 6-1); the traced run's expectations come from real-mode interrupt delivery
// (SDM Vol. 3A, 20.1.4: push FLAGS, CS, IP, then CS:IP from the IVT at vector*4, with the IP of
// the faulting instruction) and the IoBus contract (unclaimed ports read as all ones).
#include <doctest/doctest.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "core/machine.h"
#include "cpu/cpu.h"
#include "frontend/options.h"
#include "frontend/port_tap.h"
#include "frontend/tracer.h"

using namespace pcjit;
using frontend::parse_options;

namespace {
template <std::size_t N>
frontend::Options parse(const std::array<const char*, N>& args) {
  return parse_options(std::span<const char* const>(args.data(), args.size()));
}
}  // namespace

TEST_CASE("memory sizes are MiB by default and accept K, M and G suffixes") {
  CHECK(frontend::parse_size("64") == 64ull << 20);
  CHECK(frontend::parse_size("64M") == 64ull << 20);
  CHECK(frontend::parse_size("1G") == 1ull << 30);
  CHECK(frontend::parse_size("512k") == 512ull << 10);
  CHECK_THROWS_AS(frontend::parse_size("0"), Error);
  CHECK_THROWS_AS(frontend::parse_size("12X"), Error);
  CHECK_THROWS_AS(frontend::parse_size("4G"), Error);     // above the 3 GiB RAM ceiling
  CHECK_THROWS_AS(frontend::parse_size("1001K"), Error);  // not whole 4 KiB pages
}

TEST_CASE("QEMU-style and GNU-style spellings of the options are both accepted") {
  auto o = parse(std::array{"-bios", "b.rom", "-m", "16", "--trace-file=t.txt", "--max-insns",
                            "0x100", "-debugcon", "file:con.txt", "--stats", "flat.bin"});
  CHECK(o.bios == "b.rom");
  CHECK(o.ram_bytes == 16ull << 20);
  CHECK(o.trace);
  CHECK(o.trace_file == "t.txt");
  CHECK(o.max_insns == 0x100);
  CHECK(o.debugcon == frontend::DebugconMode::File);
  CHECK(o.debugcon_file == "con.txt");
  CHECK(o.stats);
  CHECK(o.flat == "flat.bin");
  CHECK(o.load_addr == 0x10000);  // documented default
}

TEST_CASE("bad command lines are errors that name the option") {
  auto message_of = [](auto args) -> std::string {
    try {
      parse(args);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(message_of(std::array{"--bogus", "x.bin"}) == "--bogus: unknown option (try --help)");
  CHECK(message_of(std::array{"x.bin", "-m"}) == "-m: missing value");
  CHECK(message_of(std::array{"--load-addr", "0x10001", "x.bin"}).starts_with("--load-addr: 0x10001"));
  CHECK(message_of(std::array{"--max-insns", "-5", "x.bin"}).starts_with("--max-insns:"));
  CHECK(message_of(std::array{"-debugcon", "tcp:1", "x.bin"}).starts_with("-debugcon:"));
  CHECK(message_of(std::array{"a.bin", "b.bin"}).starts_with("b.bin:"));
  CHECK(message_of(std::array{"--trace"}).starts_with("nothing to run"));
  CHECK(message_of(std::array{"--stats=1", "x.bin"}) == "--stats: takes no value");
}

TEST_CASE("--help needs no image") { CHECK(parse(std::array{"-h"}).help); }

TEST_CASE("EFLAGS changes name each flag that flipped, with + for set and - for cleared") {
  // 0x02 -> 0x46: ZF (bit 6) and PF (bit 2) set; bit 1 is the always-one bit.
  CHECK(frontend::describe_eflags_change(0x02, 0x46) == "eflags=0x00000002->0x00000046 (+PF +ZF)");
  CHECK(frontend::describe_eflags_change(0x883, 0x002) == "eflags=0x00000883->0x00000002 (-CF -SF -OF)");
  CHECK(frontend::describe_eflags_change(0x202, 0x3002) == "eflags=0x00000202->0x00003002 (-IF IOPL=3)");
  CHECK(frontend::describe_eflags_change(0x46, 0x46).empty());
}

TEST_CASE("register changes list old->new values, and EIP only when it did not just advance") {
  cpu::CpuState b;
  b.seg[cpu::CS].selector = 0x1000;
  b.rip = 0x10;
  cpu::CpuState a = b;
  a.rip = 0x13;
  CHECK(frontend::describe_state_changes(b, a, 3).empty());
  a.gpr[cpu::EBX] = 0x1234;
  CHECK(frontend::describe_state_changes(b, a, 3) == "ebx=0x00000000->0x00001234");
  a.rip = 0x40;  // a jump
  a.seg[cpu::SS].selector = 0x2000;
  CHECK(frontend::describe_state_changes(b, a, 3) ==
        "ebx=0x00000000->0x00001234 eip=0x00000010->0x00000040 ss=0x0000->0x2000");
  // 16-bit code: IP wraps at 64 KiB, so FFFF + 1 byte -> 0000 is sequential.
  b.rip = 0xFFFF;
  a = b;
  a.rip = 0;
  CHECK(frontend::describe_state_changes(b, a, 1).empty());
}

TEST_CASE("memory accesses show direction, size, linear address, physical if different, value") {
  CHECK(frontend::describe_access({0x6FFE, 0x6FFE, 2, true, 0xE012}) == "wr 2 [0x00006ffe] = 0xe012");
  CHECK(frontend::describe_access({0xC0001000, 0x5000, 4, false, 7}) ==
        "rd 4 [0xc0001000] phys 0x5000 = 0x00000007");
}

TEST_CASE("exceptions are named by their SDM mnemonic, with the error code when one is pushed") {
  CHECK(frontend::exception_name(13, 0x18, true) == "#GP(0x0018) (vector 13)");
  CHECK(frontend::exception_name(6, 0, false) == "#UD (vector 6)");
  CHECK(frontend::exception_name(14, 2, true) == "#PF(0x0002) (vector 14)");
}

TEST_CASE("a traced real-mode run shows memory and port accesses, the fault and its delivery") {
  core::Machine m({});
  auto owner = std::make_unique<cpu::Cpu>(m);
  cpu::Cpu& cpu = *owner;
  m.set_processor(std::move(owner));
  // 0000:1000  mov word [0x2000], 0x1234 ; mov al, 0x41 ; out 0xE9, al ; in al, 0x80 ; ud2
  const u8 code[] = {0xC7, 0x06, 0x00, 0x20, 0x34, 0x12, 0xB0, 0x41, 0xE6, 0xE9, 0xE4, 0x80, 0x0F, 0x0B};
  const u8 ivt6[] = {0x00, 0x01, 0x00, 0x00};  // #UD handler at 0000:0100
  const u8 hlt[] = {0xF4};
  m.memory().load_bytes(0x1000, code);
  m.memory().load_bytes(6 * 4, ivt6);
  m.memory().load_bytes(0x100, hlt);
  for (cpu::SegReg r : {cpu::CS, cpu::DS, cpu::SS}) cpu.load_real_segment(r, 0);
  cpu.state().rip = 0x1000;
  cpu.state().gpr[cpu::ESP] = 0x8000;
  cpu.state_changed();

  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  REQUIRE(out != nullptr);
  {
    frontend::Tracer tracer(out);
    cpu.set_observer(&tracer);
    frontend::PortTap tap(m.io(), [&](u16 p, unsigned n, bool w, u32 v) { tracer.on_port(p, n, w, v); });
    CHECK(cpu.run(20) == core::ProcessorExit::Halted);
    cpu.set_observer(nullptr);
    tracer.finish();
    CHECK(tracer.instructions_seen() == 6);
  }
  std::fclose(out);
  std::string trace(buf, size);
  std::free(buf);
  INFO(trace);
  CHECK(trace.find("0000:1000 00001000  c7 06 00 20 34 12") != std::string::npos);
  CHECK(trace.find("      wr 2 [0x00002000] = 0x1234\n") != std::string::npos);
  CHECK(trace.find("eax=0x00000000->0x00000041") != std::string::npos);
  CHECK(trace.find("      out 1 [port 0x00e9] = 0x41\n") != std::string::npos);
  CHECK(trace.find("eax=0x00000041->0x000000ff") != std::string::npos);
  CHECK(trace.find("      in 1 [port 0x0080] = 0xff\n") != std::string::npos);
  CHECK(trace.find("0f 0b                ud2                          (faulted)\n") != std::string::npos);
  CHECK(trace.find("         exception #UD (vector 6)\n") != std::string::npos);
  CHECK(trace.find("delivered: esp=0x00008000->0x00007ffa eip=0x0000100c->0x00000100\n") != std::string::npos);
  CHECK(trace.find("      rd 2 [0x00000018] = 0x0100\n") != std::string::npos);
  CHECK(trace.find("      wr 2 [0x00007ffe] = 0x0002\n") != std::string::npos);  // FLAGS
  CHECK(trace.find("      wr 2 [0x00007ffc] = 0x0000\n") != std::string::npos);  // CS
  CHECK(trace.find("      wr 2 [0x00007ffa] = 0x100c\n") != std::string::npos);  // IP of UD2
  CHECK(trace.find("0000:0100 00000100  f4") != std::string::npos);
}

TEST_CASE("-machine pc takes QEMU's drive, boot and serial options; a bare machine refuses them") {
  auto o = parse(std::array{"-machine", "pc", "-hda", "d.img", "-cdrom", "cd.iso", "-boot", "dc",
                            "-snapshot", "-serial", "stdio", "--bios-log=file:bios.log"});
  CHECK(o.machine == frontend::MachineKind::Pc);
  CHECK(o.hda == "d.img");
  CHECK(o.cdrom == "cd.iso");
  CHECK(o.boot == "dc");
  CHECK(o.snapshot);
  CHECK(o.serial == frontend::SinkMode::Stdio);
  CHECK(o.bios_log == frontend::SinkMode::File);
  CHECK(o.bios_log_file == "bios.log");
  CHECK(parse(std::array{"-machine", "pc"}).bios.empty());  // the board's default SeaBIOS
  CHECK_THROWS_AS(parse(std::array{"-hda", "d.img", "x.bin"}), Error);
  CHECK_THROWS_AS(parse(std::array{"-machine", "pc", "-boot", "x"}), Error);
  CHECK_THROWS_AS(parse(std::array{"-machine", "isapc"}), Error);
}
