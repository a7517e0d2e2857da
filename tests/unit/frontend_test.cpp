// Frontend tests: option parsing and the tracer's formatting. Truth comes from the documented
// CLI contract (usage_text(), README.md) and the SDM's EFLAGS layout (Vol. 1, Figure 3-8:
// CF bit 0, PF 2, AF 4, ZF 6, SF 7, IF 9, OF 11, IOPL 13:12) and exception mnemonics
// (Vol. 3A, Table 6-1).
#include <doctest/doctest.h>

#include <array>

#include "frontend/options.h"
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
