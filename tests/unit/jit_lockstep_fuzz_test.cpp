// Random code through the JIT, checked against the interpreter: the random-code test of
// cpu_fuzz_test.cpp (same page kinds: real mode, 32-bit flat segments, ring 3) run with the x86-64
// translator in lockstep mode, where every block is translated on first sight, run in the JIT and
// again in the interpreter from the same state, and compared (registers, flags, segments, control
// state, the exception, retired count, every stored byte). The truth is the interpreter, which the
// instruction tests and the SST vectors check against hardware. Fixed seeds, so a divergence
// reproduces; the report names the round and holds the page's bytes and the starting registers
// (EAX..EDI).
//
// Differences from cpu_fuzz_test.cpp: the ring-3 case installs no FaultRecorder, because an
// observer makes the CPU single-step in the interpreter and nothing would be translated; without
// an IDT its first fault ends the run in a triple fault (after the faulting block was compared).
// The test is skipped on hosts the JIT cannot generate code for.
#include <random>
#include <string>

#include <fmt/format.h>

#include "jit/jit.h"
#include "ops_rig.h"

using ops_test::Rig;
using namespace pcjit;

namespace {

constexpr unsigned kPageBytes = 256;

void fill_random(Rig& r, std::mt19937& rng, u32 at, unsigned n) {
  for (unsigned k = 0; k < n; ++k) r.w8(at + k, static_cast<u8>(rng()));
}

std::string page_hex(Rig& r) {
  std::string s;
  for (unsigned k = 0; k < kPageBytes; ++k) s += fmt::format("{:02x}", r.r8(ops_test::kCode + k));
  return s;
}

const char* flavour_name(int flavour, int round) {
  if (flavour == 0) return "real mode";
  if (flavour == 1) return round % 2 == 0 ? "32-bit flat (CS.D=1)" : "32-bit flat data, 16-bit code";
  return "ring 3, 32-bit flat";
}

}  // namespace

TEST_SUITE("jit-lockstep") {
TEST_CASE("random code in real mode, 32-bit flat segments and ring 3 runs the same in the JIT as in the interpreter") {
  if (!jit::host_supported()) {
    MESSAGE("skipped: this host cannot run the JIT");
    return;
  }
  std::mt19937 rng(20261126);
  u64 compared[3] = {}, translated[3] = {};
  for (int round = 0; round < 1200; ++round) {
    Rig r;
    r.cpu->set_translator(jit::make_translator(jit::JitOptions{}));
    r.cpu->set_lockstep(true);
    const int flavour = round % 3;
    if (flavour == 1) r.flat32(/*code32=*/round % 2 == 0);
    if (flavour == 2) r.protected_flat32(/*cpl=*/3, /*iopl=*/0);
    fill_random(r, rng, ops_test::kCode, kPageBytes);
    for (unsigned k = 0; k < 8; ++k)
      if (k != cpu::ESP) r.set(k, static_cast<u32>(rng()));
    r.cpu->state_changed();
    std::string start = page_hex(r);  // before the guest can overwrite it
    start += "; registers";
    for (unsigned k = 0; k < 8; ++k) start += fmt::format(" {:08x}", r.reg(k));
    r.cpu->run(2000);
    r.cpu->run(2000);
    const std::string where = fmt::format("round {} ({}), bytes at {:#x}: {}", round, flavour_name(flavour, round),
                                          ops_test::kCode, start);
    INFO(where);
    REQUIRE(r.cpu->lockstep_error() == "");
    CHECK(r.m.clock().retired() <= 4000);
    CHECK(r.cpu->check_caches() == "");
    compared[flavour] += r.cpu->stats().lockstep_blocks;
    translated[flavour] += r.cpu->stats().jit_blocks;
  }
  MESSAGE("lockstep blocks compared (translated): real mode ", compared[0], " (", translated[0], "), 32-bit flat ",
          compared[1], " (", translated[1], "), ring 3 ", compared[2], " (", translated[2], ")");
  for (int f = 0; f < 3; ++f) CHECK(compared[f] > 0);
}
}
