// pcjit_bench: interpreter speed in guest MIPS (retired guest instructions per wall-clock
// microsecond) on small loops that each stress one part of the pipeline: register ALU work,
// the soft-MMU load/store fast path, REP string instructions, and CALL/RET block exits.
//
// Each loop is a 64 KiB ROM (benchmarks/loops/*.asm, assembled by CMake). By default the loop's
// iteration count (RAM 0x500) is left at 0, i.e. 2^32 iterations, and the machine stops it after
// a fixed instruction count, so every loop does the same amount of guest work on any host. The
// time includes block building, which a long run amortises.
//
// --qemu also runs each ROM under qemu-system-i386 (TCG) for comparison. QEMU cannot stop after
// N instructions, so both emulators then run a fixed iteration count to the exit port; the
// instruction count is pcjit's, and QEMU's start-up time (a one-iteration run) is subtracted.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "frontend/options.h"
#include "frontend/pc.h"

using namespace pcjit;

namespace {

constexpr const char* kLoops[] = {"alu", "mem", "string", "call", "x87", "sse"};
constexpr u32 kCountAddr = 0x500;  // where the loops read their iteration count

struct Result {
  u64 insns;
  double seconds;
};

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// iterations == 0: run for max_insns instructions; otherwise run the loop to its exit.
Result run_pcjit(const std::string& rom, u64 max_insns, u32 iterations) {
  frontend::Options o;
  o.bios = rom;
  o.debugcon = frontend::DebugconMode::None;
  frontend::Pc pc(o);
  const u8 count[4] = {static_cast<u8>(iterations), static_cast<u8>(iterations >> 8),
                       static_cast<u8>(iterations >> 16), static_cast<u8>(iterations >> 24)};
  pc.machine().memory().load_bytes(kCountAddr, count);
  const auto t0 = std::chrono::steady_clock::now();
  core::StopInfo stop = pc.run(iterations ? ~u64{0} : max_insns);
  const double s = since(t0);
  const auto expected = iterations ? core::StopKind::ExitPort : core::StopKind::InsnLimit;
  if (stop.kind != expected) throw Error(fmt::format("{}: stopped unexpectedly: {}", rom, stop.message));
  return {pc.machine().clock().retired(), s};
}

double run_qemu(const std::string& rom, u32 iterations) {
  // isa-debug-exit turns our exit-port write of 0 into QEMU exit status (0 << 1) | 1 = 1.
  std::string cmd = fmt::format(
      "qemu-system-i386 -nodefaults -display none -m 32 -bios '{}' "
      "-device isa-debug-exit,iobase=0xf4,iosize=1 -device loader,addr={:#x},data={},data-len=4",
      rom, kCountAddr, iterations);
  const auto t0 = std::chrono::steady_clock::now();
  int rc = std::system(cmd.c_str());
  const double s = since(t0);
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 1)
    throw Error(fmt::format("{}: qemu-system-i386 failed (status {:#x}): {}", rom, rc, cmd));
  return s;
}

int usage() {
  std::fputs("usage: pcjit_bench [--insns N] [--rom-dir DIR] [--qemu] [LOOP...]\n"
             "  loops: alu mem string call x87 sse (default: all); N default 200000000\n"
             "  --qemu: also time qemu-system-i386 (TCG) on the same loops\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  u64 insns = 200'000'000;
  std::string dir = PCJIT_BENCH_ROM_DIR;
  bool qemu = false;
  std::vector<std::string> loops;
  try {
    for (int k = 1; k < argc; ++k) {
      std::string a = argv[k];
      if ((a == "--insns" || a == "--rom-dir") && k + 1 < argc) {
        if (a == "--insns") insns = frontend::parse_number(a, argv[++k]);
        else dir = argv[++k];
      } else if (a == "--qemu") {
        qemu = true;
      } else if (a.starts_with("-")) {
        return usage();
      } else {
        loops.push_back(a);
      }
    }
    if (loops.empty()) loops.assign(std::begin(kLoops), std::end(kLoops));
    fmt::print("{:<8} {:>12} {:>9} {:>9}{}\n", "loop", "insns", "seconds", "MIPS",
               qemu ? "  qemu_seconds qemu_MIPS" : "");
    for (const std::string& name : loops) {
      const std::string rom = fmt::format("{}/{}.bin", dir, name);
      Result r;
      std::string extra;
      if (!qemu) {
        r = run_pcjit(rom, insns, 0);
      } else {
        // Size the iteration count so the run retires about `insns` instructions.
        const u32 probe = 1000;
        const u64 per_iter = std::max<u64>(1, run_pcjit(rom, 0, probe).insns / probe);
        const u32 iters = static_cast<u32>(std::clamp<u64>(insns / per_iter, 1, 0xFFFFFFFFu));
        r = run_pcjit(rom, 0, iters);
        const double q = run_qemu(rom, iters) - run_qemu(rom, 1);
        extra = fmt::format("  {:>12.3f} {:>9.1f}", q, q > 0 ? static_cast<double>(r.insns) / q / 1e6 : 0.0);
      }
      fmt::print("{:<8} {:>12} {:>9.3f} {:>9.1f}{}\n", name, r.insns, r.seconds,
                 r.seconds > 0 ? static_cast<double>(r.insns) / r.seconds / 1e6 : 0.0, extra);
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    fmt::print(stderr, "pcjit_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
