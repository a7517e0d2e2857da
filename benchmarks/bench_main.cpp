// pcjit_bench: guest MIPS (retired guest instructions per wall-clock microsecond) of pcjit's two
// engines, the interpreter (-accel interp) and the JIT (-accel jit), and optionally of QEMU's
// TCG, on small loops that each stress one part of the pipeline: register ALU work, the soft-MMU
// load/store fast path, REP string instructions, CALL/RET block exits, x87 and SSE arithmetic.
// One row per loop gives each engine's MIPS and the speed ratios jit/interp and jit/qemu
// (> 1: the JIT is faster).
//
// Each loop is a 64 KiB ROM (benchmarks/loops/*.asm, assembled by CMake). By default the loop's
// iteration count (RAM 0x500) is left at 0, i.e. 2^32 iterations, and the machine stops it after
// a fixed instruction count, so every engine does the same guest work on any host. The time is
// that of Machine::run alone and includes block building and translation, which a long run
// amortises.
//
// --qemu also runs each ROM under qemu-system-i386 (TCG). QEMU cannot stop after N
// instructions, so every engine then runs a fixed iteration count to the exit port; the
// instruction count is pcjit's (and must be the same in both pcjit engines), and QEMU's
// start-up time (a one-iteration run) is subtracted.
//
// --repeat N keeps each engine's best of N runs (the host is noisy; the best run is the one
// least disturbed). Repeats go round the engines in turn so a slow phase of the host hits all.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <optional>
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

const char* accel_name(frontend::Accel a) { return a == frontend::Accel::Jit ? "jit" : "interp"; }

// iterations == 0: run for max_insns instructions; otherwise run the loop to its exit.
Result run_pcjit(frontend::Accel accel, const std::string& rom, u64 max_insns, u32 iterations) {
  frontend::Options o;
  o.bios = rom;
  o.debugcon = frontend::DebugconMode::None;
  o.accel = accel;
  frontend::Pc pc(o);
  // Pc falls back to the interpreter where the JIT cannot run; a jit column must not hide that.
  if (accel == frontend::Accel::Jit && !pc.cpu().has_translator())
    throw Error("--accel jit: the JIT is not available on this host");
  const u8 count[4] = {static_cast<u8>(iterations), static_cast<u8>(iterations >> 8),
                       static_cast<u8>(iterations >> 16), static_cast<u8>(iterations >> 24)};
  pc.machine().memory().load_bytes(kCountAddr, count);
  const auto t0 = std::chrono::steady_clock::now();
  core::StopInfo stop = pc.run(iterations ? ~u64{0} : max_insns);
  const double s = since(t0);
  const auto expected = iterations ? core::StopKind::ExitPort : core::StopKind::InsnLimit;
  if (stop.kind != expected)
    throw Error(fmt::format("{} ({}): stopped unexpectedly: {}", rom, accel_name(accel), stop.message));
  return {pc.machine().clock().retired(), s};
}

double run_qemu(const std::string& rom, u32 iterations) {
  // isa-debug-exit turns our exit-port write of 0 into QEMU exit status (0 << 1) | 1 = 1.
  std::string cmd = fmt::format(
      "qemu-system-i386 -accel tcg -nodefaults -display none -m 32 -bios '{}' "
      "-device isa-debug-exit,iobase=0xf4,iosize=1 -device loader,addr={:#x},data={},data-len=4",
      rom, kCountAddr, iterations);
  const auto t0 = std::chrono::steady_clock::now();
  int rc = std::system(cmd.c_str());
  const double s = since(t0);
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 1)
    throw Error(fmt::format("{}: qemu-system-i386 failed (status {:#x}): {}", rom, rc, cmd));
  return s;
}

std::vector<frontend::Accel> parse_accel_list(const std::string& text) {
  std::vector<frontend::Accel> list;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, comma - pos);
    frontend::Accel a;
    if (item == "interp") a = frontend::Accel::Interp;
    else if (item == "jit") a = frontend::Accel::Jit;
    else throw Error(fmt::format("--accel: unknown engine '{}' (interp, jit)", item));
    if (std::find(list.begin(), list.end(), a) == list.end()) list.push_back(a);
    pos = comma + 1;
  }
  return list;
}

std::string host_cpu() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("model name")) {
      const std::size_t colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown host CPU";
}

double mips(const Result& r) { return r.seconds > 0 ? static_cast<double>(r.insns) / r.seconds / 1e6 : 0.0; }

std::string cell(const std::optional<double>& v, int width, int precision) {
  return v ? fmt::format("{:>{}.{}f}", *v, width, precision) : fmt::format("{:>{}}", "-", width);
}

int usage() {
  std::fputs("usage: pcjit_bench [--insns N] [--accel LIST] [--repeat N] [--qemu] [--rom-dir DIR] [LOOP...]\n"
             "  loops: alu mem string call x87 sse (default: all); N default 200000000\n"
             "  --accel LIST: comma list of pcjit engines, interp and jit (default interp,jit)\n"
             "  --repeat N: best of N runs for each engine (default 1)\n"
             "  --qemu: also time qemu-system-i386 (TCG); runs then go to the loop's exit port\n"
             "  prints MIPS per engine and the speed ratios jit/interp, jit/qemu (>1: jit faster)\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  u64 insns = 200'000'000;
  u64 repeat = 1;
  std::string dir = PCJIT_BENCH_ROM_DIR;
  std::string accel_list = "interp,jit";
  bool qemu = false;
  std::vector<std::string> loops;
  try {
    for (int k = 1; k < argc; ++k) {
      std::string a = argv[k];
      if ((a == "--insns" || a == "--rom-dir" || a == "--accel" || a == "--repeat") && k + 1 < argc) {
        const std::string v = argv[++k];
        if (a == "--insns") insns = frontend::parse_number(a, v);
        else if (a == "--repeat") repeat = std::max<u64>(1, frontend::parse_number(a, v));
        else if (a == "--accel") accel_list = v;
        else dir = v;
      } else if (a == "--qemu") {
        qemu = true;
      } else if (a.starts_with("-")) {
        return usage();
      } else {
        loops.push_back(a);
      }
    }
    const std::vector<frontend::Accel> engines = parse_accel_list(accel_list);
    if (loops.empty()) loops.assign(std::begin(kLoops), std::end(kLoops));

    std::string loop_names;
    for (const std::string& l : loops) loop_names += " " + l;
    fmt::print("# pcjit_bench --insns {} --accel {} --repeat {}{}{}\n", insns, accel_list, repeat,
               qemu ? " --qemu" : "", loop_names);
    fmt::print("# {}; best of {} per engine; host: {}\n",
               qemu ? fmt::format("each loop runs about {} guest insns to its exit port, "
                                  "QEMU start-up subtracted", insns)
                    : fmt::format("each run stops after {} guest insns", insns),
               repeat, host_cpu());

    const bool has_interp = std::find(engines.begin(), engines.end(), frontend::Accel::Interp) != engines.end();
    const bool has_jit = std::find(engines.begin(), engines.end(), frontend::Accel::Jit) != engines.end();
    std::string header = fmt::format("{:<8} {:>11}", "loop", "insns");
    for (frontend::Accel e : engines) header += fmt::format(" {:>11}", fmt::format("{}_MIPS", accel_name(e)));
    if (qemu) header += fmt::format(" {:>11}", "qemu_MIPS");
    if (has_jit && has_interp) header += fmt::format(" {:>10}", "jit/interp");
    if (has_jit && qemu) header += fmt::format(" {:>10}", "jit/qemu");
    fmt::print("{}\n", header);
    std::fflush(stdout);

    for (const std::string& name : loops) {
      const std::string rom = fmt::format("{}/{}.bin", dir, name);
      u32 iters = 0;  // 0: stop at the instruction limit
      if (qemu) {
        // Size the iteration count so a run retires about `insns` instructions.
        const u32 probe = 1000;
        const u64 per_iter =
            std::max<u64>(1, run_pcjit(frontend::Accel::Interp, rom, 0, probe).insns / probe);
        iters = static_cast<u32>(std::clamp<u64>(insns / per_iter, 1, 0xFFFFFFFFu));
      }
      std::vector<std::optional<Result>> best(engines.size());
      double qemu_full = 0, qemu_start = 0;
      for (u64 rep = 0; rep < repeat; ++rep) {
        for (std::size_t e = 0; e < engines.size(); ++e) {
          const Result r = run_pcjit(engines[e], rom, insns, iters);
          if (best[e] && best[e]->insns != r.insns)
            throw Error(fmt::format("{} ({}): retired {} then {} instructions", name,
                                    accel_name(engines[e]), best[e]->insns, r.insns));
          if (!best[e] || r.seconds < best[e]->seconds) best[e] = r;
        }
        if (qemu) {
          const double full = run_qemu(rom, iters), start = run_qemu(rom, 1);
          qemu_full = rep == 0 ? full : std::min(qemu_full, full);
          qemu_start = rep == 0 ? start : std::min(qemu_start, start);
        }
      }
      // Every engine must do the same guest work, or the ratios compare different things.
      for (std::size_t e = 1; e < engines.size(); ++e)
        if (best[e]->insns != best[0]->insns)
          throw Error(fmt::format("{}: {} retired {} instructions but {} retired {}", name,
                                  accel_name(engines[0]), best[0]->insns, accel_name(engines[e]),
                                  best[e]->insns));

      std::optional<double> interp_mips, jit_mips, qemu_mips;
      std::string row = fmt::format("{:<8} {:>11}", name, best[0]->insns);
      for (std::size_t e = 0; e < engines.size(); ++e) {
        const double m = mips(*best[e]);
        (engines[e] == frontend::Accel::Jit ? jit_mips : interp_mips) = m;
        row += fmt::format(" {:>11.1f}", m);
      }
      if (qemu) {
        const double q = qemu_full - qemu_start;
        if (q > 0) qemu_mips = static_cast<double>(best[0]->insns) / q / 1e6;
        row += " " + cell(qemu_mips, 11, 1);  // "-": the run was lost in QEMU's start-up noise
      }
      if (has_jit && has_interp) row += " " + cell(*jit_mips / *interp_mips, 10, 2);
      if (has_jit && qemu)
        row += " " + cell(qemu_mips ? std::optional<double>(*jit_mips / *qemu_mips) : std::nullopt, 10, 2);
      fmt::print("{}\n", row);
      std::fflush(stdout);
    }
  } catch (const Error& e) {
    fmt::print(stderr, "pcjit_bench: {}\n", e.what());
    return 1;
  }
  return 0;
}
