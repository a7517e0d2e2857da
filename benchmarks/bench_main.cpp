// pcjit_bench: interpreter speed in guest MIPS (retired guest instructions per wall-clock
// microsecond) on small loops that each stress one part of the pipeline: register ALU work,
// the soft-MMU load/store fast path, REP string instructions, and CALL/RET block exits.
//
// Each loop is a 64 KiB ROM (benchmarks/loops/*.asm, assembled by CMake) that spins forever;
// the machine stops it after a fixed instruction count, so every loop does the same amount of
// guest work whatever the host. The time includes block building, which a long run amortises.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <string>
#include <vector>

#include "frontend/options.h"
#include "frontend/pc.h"

using namespace pcjit;

namespace {

constexpr const char* kLoops[] = {"alu", "mem", "string", "call"};

struct Result {
  u64 insns;
  double seconds;
};

Result run_loop(const std::string& rom, u64 insns) {
  frontend::Options o;
  o.bios = rom;
  o.debugcon = frontend::DebugconMode::None;
  frontend::Pc pc(o);
  const auto t0 = std::chrono::steady_clock::now();
  core::StopInfo stop = pc.run(insns);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (stop.kind != core::StopKind::InsnLimit)
    throw Error(fmt::format("{}: stopped early: {}", rom, stop.message));
  return {pc.machine().clock().retired(), s};
}

int usage() {
  std::fputs("usage: pcjit_bench [--insns N] [--rom-dir DIR] [LOOP...]\n"
             "  loops: alu mem string call (default: all); N default 200000000\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  u64 insns = 200'000'000;
  std::string dir = PCJIT_BENCH_ROM_DIR;
  std::vector<std::string> loops;
  try {
    for (int k = 1; k < argc; ++k) {
      std::string a = argv[k];
      if ((a == "--insns" || a == "--rom-dir") && k + 1 < argc) {
        if (a == "--insns") insns = frontend::parse_number(a, argv[++k]);
        else dir = argv[++k];
      } else if (a == "-h" || a == "--help" || a.starts_with("-")) {
        return usage();
      } else {
        loops.push_back(a);
      }
    }
    if (loops.empty()) loops.assign(std::begin(kLoops), std::end(kLoops));
    fmt::print("{:<8} {:>12} {:>9} {:>9}\n", "loop", "insns", "seconds", "MIPS");
    for (const std::string& name : loops) {
      Result r = run_loop(fmt::format("{}/{}.bin", dir, name), insns);
      fmt::print("{:<8} {:>12} {:>9.3f} {:>9.1f}\n", name, r.insns, r.seconds,
                 r.seconds > 0 ? static_cast<double>(r.insns) / r.seconds / 1e6 : 0.0);
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    fmt::print(stderr, "pcjit_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
