// pcjit: the command-line emulator. Parses options, builds the PC, runs it, and turns the
// reason it stopped into the process exit status (see usage_text() for the table).
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <fmt/format.h>

#include "frontend/options.h"
#include "frontend/pc.h"
#include "frontend/port_tap.h"
#include "frontend/tracer.h"

using namespace pcjit;

namespace {

constexpr int kHostError = 2;

void print_stats(const cpu::CpuStats& s, u64 retired, double seconds) {
  const double mips = seconds > 0 ? static_cast<double>(retired) / seconds / 1e6 : 0.0;
  fmt::print(stderr,
             "pcjit stats:\n"
             "  instructions retired  {}\n"
             "  wall time             {:.3f} s ({:.1f} guest MIPS)\n"
             "  blocks built          {}\n"
             "  instructions decoded  {}\n"
             "  block lookups         {}\n"
             "  jump-cache hits       {}\n"
             "  TLB misses            {}\n"
             "  TLB flushes           {}\n"
             "  SMC invalidations     {}\n"
             "  exceptions            {}\n"
             "  interrupts            {}\n",
             retired, seconds, mips, s.blocks_built, s.insns_decoded, s.block_lookups,
             s.jump_cache_hits, s.tlb_misses, s.tlb_flushes, s.smc_invalidations, s.exceptions,
             s.interrupts);
  if (s.jit_blocks == 0 && s.jit_runs == 0) return;
  fmt::print(stderr,
             "  jit blocks translated {}\n"
             "  jit code bytes        {}\n"
             "  jit buffer flushes    {}\n"
             "  jit runs              {}\n"
             "  jit block entries     {}\n"
             "  jit links made        {}\n"
             "  jit lookups taken     {}\n"
             "  jit exits             ended {} fault {} halt {}\n"
             "  jit exits by reason   at entry {} unlinked {} handler {} smc {} lookup miss {}\n"
             "  jit helper calls      {}\n"
             "  jit seg retranslated  {}\n"
             "  jit inline TLB        hits {} misses {}\n"
             "  jit flag moves        stores {} loads {}\n"
             "  lockstep blocks       {}\n",
             s.jit_blocks, s.jit_code_bytes, s.jit_flushes, s.jit_runs, s.jit_entries, s.jit_links,
             s.jit_lookups, s.jit_exit_ended, s.jit_exit_fault, s.jit_exit_halt, s.jit_exit_at_entry,
             s.jit_exit_unlinked, s.jit_exit_handler, s.jit_exit_smc, s.jit_lookup_misses, s.jit_helper_calls,
             s.jit_seg_retranslations, s.jit_tlb_hits, s.jit_slow_paths, s.jit_flag_stores, s.jit_flag_loads, s.lockstep_blocks);
}

int run(const frontend::Options& o) {
  frontend::Pc pc(o);
  std::FILE* trace_out = nullptr;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> trace_file(nullptr, &std::fclose);
  if (!o.trace_file.empty()) {
    trace_file.reset(std::fopen(o.trace_file.c_str(), "w"));
    if (!trace_file) throw Error(fmt::format("{}: cannot open: {}", o.trace_file, std::strerror(errno)));
    trace_out = trace_file.get();
  } else if (o.trace) {
    trace_out = stderr;
  }
  std::unique_ptr<frontend::Tracer> tracer;
  std::unique_ptr<frontend::PortTap> port_tap;  // declared after tracer: destroyed before it
  if (trace_out) {
    tracer = std::make_unique<frontend::Tracer>(trace_out);
    pc.cpu().set_observer(tracer.get());
    frontend::Tracer* t = tracer.get();
    port_tap = std::make_unique<frontend::PortTap>(
        pc.machine().io(), [t](u16 port, unsigned size, bool write, u32 value) { t->on_port(port, size, write, value); });
  }

  const auto t0 = std::chrono::steady_clock::now();
  core::StopInfo stop = pc.run(o.max_insns);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  if (tracer) {
    tracer->note(fmt::format("stop: {} (status {})", stop.message, stop.status));
    pc.cpu().set_observer(nullptr);
  }
  if (stop.kind != core::StopKind::ExitPort && stop.kind != core::StopKind::InsnLimit)
    fmt::print(stderr, "pcjit: {}\n", stop.message);
  if (o.dump_screen) {
    std::fputs("---- VGA text screen ----\n", stdout);
    for (const std::string& row : pc.text_screen()) std::printf("%s\n", row.c_str());
    std::fputs("-------------------------\n", stdout);
  }
  if (!o.screenshot.empty()) pc.write_screenshot(o.screenshot);
  if (o.stats) print_stats(pc.cpu().stats(), pc.machine().clock().retired(), seconds);
  return frontend::exit_status(stop);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    frontend::Options o = frontend::parse_options(
        std::span<const char* const>(const_cast<const char* const*>(argv) + 1, static_cast<std::size_t>(argc - 1)));
    if (o.help) {
      std::fputs(frontend::usage_text().c_str(), stdout);
      return 0;
    }
    return run(o);
  } catch (const Error& e) {
    fmt::print(stderr, "pcjit: {}\n", e.what());
    return kHostError;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "pcjit: out of host memory\n");
    return kHostError;
  }
}
