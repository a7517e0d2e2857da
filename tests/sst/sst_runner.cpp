// pcjit_sst: runs the SingleStepTests 80286 real-mode vectors (captured on real hardware, see
// ../shared/testdata/README.md) against the interpreter or the JIT and reports what differs.
//
// Usage: pcjit_sst [DIR] [FORM...] [-v] [--accel jit|interp] [--lockstep]
//   DIR   folder of *.json.gz vectors (default: the shared test data, set by CMake)
//   FORM  only run files whose stem equals FORM or starts with "FORM." ("F6" runs F6.0-F6.7)
//   -v    print every failure with its bytes and the expected and actual values
//   --accel jit   run the vectors' blocks translated (threshold 1: the vector's instruction is
//                 translated on first sight and runs in the JIT)
//   --lockstep    (implies the JIT) run every block in the JIT and in the interpreter from the same
//                 state and compare them; a divergence fails the test and is printed
//
// Each test starts from a reset CPU in real mode with A20 on; one Machine (16 MiB) is reused and
// the RAM bytes of the previous test are cleared. Registers are compared in full (a 16-bit
// instruction must not touch bits 31:16), FLAGS under the SDM's undefined-flag mask for the form
// plus bits 12-15; tests that show a documented 286-only behaviour are excluded by a named rule
// (rules.cpp) and counted. The last line is "N passed, M failed[, K skipped]".
//
// With the JIT a test also fails if its instruction did not run through the JIT (no translated run
// or, in lockstep mode, no compared block), unless the harness expects that by design: TF set in
// the initial FLAGS (single-stepping is interpreted) or, in lockstep mode, port I/O (a block with
// IN/OUT/INS/OUTS runs in the interpreter only, since a port access cannot be undone). Those are
// counted and reported. Without a JIT on this host, jit and lockstep runs are skipped (exit 77).
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <fmt/core.h>

#include "core/machine.h"
#include "cpu/cpu.h"
#include "jit/jit.h"
#include "json.h"
#include "sst_test.h"

#ifndef PCJIT_SST_DEFAULT_DIR
#define PCJIT_SST_DEFAULT_DIR "../shared/testdata/sst80286"
#endif

namespace pcjit::sst {
namespace {

namespace fs = std::filesystem;

// FLAGS bits 12-15: the 286 keeps IOPL/NT/bit 15 clear in real mode; a P6 keeps what was loaded.
constexpr uint32_t kFlagsIgnored = 0xF000;
constexpr unsigned kMaxInsns = 200;
constexpr int kSkip = 77;

enum class Engine { Interp, Jit, Lockstep };

std::string read_gz(const fs::path& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + path.string());
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  gzclose(f);
  if (n < 0) throw std::runtime_error("gzip error in " + path.string());
  return out;
}

const Json& member(const Json& obj, std::string_view key) {
  const Json* v = obj.find(key);
  if (!v) throw std::runtime_error("missing key " + std::string(key));
  return *v;
}

std::vector<std::pair<uint32_t, uint8_t>> ram_list(const Json& arr) {
  std::vector<std::pair<uint32_t, uint8_t>> out;
  for (const Json& e : arr.items)
    out.emplace_back(static_cast<uint32_t>(e.items.at(0).num), static_cast<uint8_t>(e.items.at(1).num));
  return out;
}

SstTest decode_test(const Json& j) {
  SstTest t;
  t.name = member(j, "name").str;
  if (const Json* h = j.find("hash")) t.hash = h->str;
  for (const Json& b : member(j, "bytes").items) t.bytes.push_back(static_cast<uint8_t>(b.num));
  const Json& init = member(j, "initial");
  const Json& fin = member(j, "final");
  const Json& iregs = member(init, "regs");
  const Json& fregs = member(fin, "regs");
  for (unsigned r = 0; r < kRegCount; ++r) {
    t.initial[r] = static_cast<uint16_t>(member(iregs, kRegNames[r]).num);
    const Json* f = fregs.find(kRegNames[r]);
    t.final_regs[r] = f ? static_cast<int32_t>(f->num) : -1;
  }
  t.initial_ram = ram_list(member(init, "ram"));
  t.final_ram = ram_list(member(fin, "ram"));
  if (const Json* e = j.find("exception")) {
    t.has_exception = true;
    t.exception_number = static_cast<int>(member(*e, "number").num);
    t.flag_address = static_cast<uint32_t>(member(*e, "flag_address").num);
  }
  return t;
}

constexpr cpu::SegReg kSegOf[] = {cpu::CS, cpu::SS, cpu::DS, cpu::ES};  // CS..ES in RegId order
constexpr cpu::Reg kGprOf[] = {cpu::EAX, cpu::EBX, cpu::ECX, cpu::EDX};
constexpr cpu::Reg kGpr2Of[] = {cpu::ESP, cpu::EBP, cpu::ESI, cpu::EDI};

std::string hex_bytes(const std::vector<uint8_t>& b) {
  std::string s;
  for (uint8_t x : b) s += fmt::format("{:02X} ", x);
  if (!s.empty()) s.pop_back();
  return s;
}

class Runner {
 public:
  explicit Runner(Engine engine) : machine_(core::MachineConfig{16ull << 20, 256}), engine_(engine) {
    auto owner = std::make_unique<cpu::Cpu>(machine_);
    cpu_ = owner.get();
    machine_.set_processor(std::move(owner));
    if (engine_ != Engine::Interp) {
      cpu_->set_translator(jit::make_translator(jit::JitOptions{}));
      cpu_->set_translate_threshold(1);
    }
    if (engine_ == Engine::Lockstep) cpu_->set_lockstep(true);
  }

  // JIT coverage of the tests run so far (--accel jit, --lockstep).
  uint64_t through_jit = 0;       // the test's blocks ran translated (or were compared)
  uint64_t tf_interpreted = 0;    // TF set: single-stepped in the interpreter, by design
  uint64_t io_interpreted = 0;    // lockstep, port I/O: interpreter only, by design
  std::vector<std::string> divergences;  // lockstep reports, in order
  const cpu::CpuStats& stats() const { return cpu_->stats(); }

  // Runs one test; returns an empty string on success, else a description of the differences.
  std::string run(std::string_view form, const SstTest& t) {
    core::PhysicalMemory& mem = machine_.memory();
    for (uint32_t a : touched_) poke(mem, a, 0);
    touched_.clear();

    cpu::Cpu& cpu = *cpu_;
    machine_.reset();  // the CPU's reset, and forgets a stop (a lockstep divergence) of the last test
    mem.set_a20(true);
    cpu::CpuState& s = cpu.state();
    for (unsigned r = 0; r < 4; ++r) s.gpr[kGprOf[r]] = t.initial[AX + r];
    for (unsigned r = 0; r < 4; ++r) s.gpr[kGpr2Of[r]] = t.initial[SP + r];
    for (unsigned r = 0; r < 4; ++r) cpu.load_real_segment(kSegOf[r], t.initial[CS + r]);
    s.rip = t.initial[IP];
    // Loaded as the 286 holds it: bits 12-15 clear (a 286 cannot set them in real mode).
    s.eflags = (t.initial[FLAGS] & 0x0FD5u) | cpu::flag::kFixedOne;
    for (auto [a, v] : t.initial_ram) { poke(mem, a, v); touched_.push_back(a); }
    for (auto [a, v] : t.final_ram) touched_.push_back(a);
    cpu.state_changed();

    const uint64_t runs0 = cpu.stats().jit_runs, compared0 = cpu.stats().lockstep_blocks;
    auto exit = cpu.run(kMaxInsns);
    std::string diff;
    if (machine_.stop_requested() && machine_.stop_info().kind == core::StopKind::Error) {
      diff += "  " + machine_.stop_info().message + "\n";
      divergences.push_back(fmt::format("{} \"{}\" [{}]: {}", form, t.name, hex_bytes(t.bytes),
                                        machine_.stop_info().message));
    }
    if (exit != core::ProcessorExit::Halted) diff += "  did not reach HLT\n";
    if (engine_ != Engine::Interp) {
      const bool ran = engine_ == Engine::Lockstep ? cpu.stats().lockstep_blocks > compared0
                                                   : cpu.stats().jit_runs > runs0;
      if (t.initial[FLAGS] & cpu::flag::TF) ++tf_interpreted;
      else if (engine_ == Engine::Lockstep && is_port_io(t)) ++io_interpreted;  // blocks with port I/O run interpreted
      else if (ran) ++through_jit;
      else diff += "  the instruction did not run through the JIT\n";
    }

    const uint32_t keep = ~(kFlagsIgnored | undefined_flags(t));
    uint32_t got[kRegCount];
    for (unsigned r = 0; r < 4; ++r) got[AX + r] = static_cast<uint32_t>(s.gpr[kGprOf[r]]);
    for (unsigned r = 0; r < 4; ++r) got[SP + r] = static_cast<uint32_t>(s.gpr[kGpr2Of[r]]);
    for (unsigned r = 0; r < 4; ++r) got[CS + r] = s.seg[kSegOf[r]].selector;
    got[IP] = static_cast<uint32_t>(s.rip);
    got[FLAGS] = s.eflags;
    for (unsigned r = 0; r < kRegCount; ++r) {
      uint32_t want = t.expected(static_cast<RegId>(r));
      bool ok = r == FLAGS ? (want & keep) == (got[r] & keep) : want == got[r];
      if (!ok)
        diff += fmt::format("  {}: expected {:04X} got {:04X}{}\n", kRegNames[r], want, got[r],
                            r == FLAGS ? fmt::format(" (compared bits {:04X})", keep & 0xFFFF) : "");
    }
    // Memory: every listed byte, final values over initial ones. The FLAGS image an exception
    // pushed is compared under the same mask as the register.
    // The image sits at SS:SP-2 of the initial stack. The vectors' flag_address is that address
    // rounded down to even, which is off by one when SP is odd, so the harness computes it.
    const uint32_t ss_base = uint32_t{t.initial[SS]} << 4;
    const uint32_t flags_lo = ss_base + ((t.initial[SP] - 2u) & 0xFFFF);
    const uint32_t flags_hi = ss_base + ((t.initial[SP] - 1u) & 0xFFFF);
    std::map<uint32_t, uint8_t> want_ram;
    for (auto [a, v] : t.initial_ram) want_ram[a] = v;
    for (auto [a, v] : t.final_ram) want_ram[a] = v;
    for (auto [a, v] : want_ram) {
      uint8_t g = peek(mem, a);
      uint8_t m = 0xFF;
      if (t.has_exception && a == flags_lo) m = static_cast<uint8_t>(keep);
      if (t.has_exception && a == flags_hi) m = static_cast<uint8_t>(keep >> 8);
      if ((g & m) != (v & m)) diff += fmt::format("  ram[{:06X}]: expected {:02X} got {:02X}\n", a, v, g);
    }
    return diff;
  }

 private:
  static void poke(core::PhysicalMemory& mem, uint32_t a, uint8_t v) {
    mem.write_bytes(a, std::span<const u8>(&v, 1));  // notifies the block cache like a DMA write
  }
  static uint8_t peek(core::PhysicalMemory& mem, uint32_t a) {
    u8 v = 0;
    mem.read_bytes(a, std::span<u8>(&v, 1));
    return v;
  }

  core::Machine machine_;
  Engine engine_;
  cpu::Cpu* cpu_ = nullptr;
  std::vector<uint32_t> touched_;
};

std::unordered_set<std::string> read_revocations(const fs::path& dir) {
  std::unordered_set<std::string> out;
  FILE* f = std::fopen((dir / "revocation_list.txt").c_str(), "r");
  if (!f) return out;
  char line[256];
  while (std::fgets(line, sizeof line, f)) {
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    if (!s.empty() && s[0] != '#') out.insert(s);
  }
  std::fclose(f);
  return out;
}

bool selected(const std::string& stem, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const std::string& f : filters)
    if (stem == f || stem.rfind(f + ".", 0) == 0) return true;
  return false;
}

int run_main(int argc, char** argv) {
  fs::path dir = PCJIT_SST_DEFAULT_DIR;
  std::vector<std::string> filters;
  bool verbose = false;
  bool dir_given = false;
  bool lockstep = false;
  std::string accel = "interp";
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    if (a == "-v") verbose = true;
    else if (a == "--lockstep") lockstep = true;
    else if (a == "--accel" && k + 1 < argc) accel = argv[++k];
    else if (!dir_given && filters.empty() && fs::is_directory(a)) { dir = a; dir_given = true; }
    else filters.push_back(a);
  }
  if (accel != "jit" && accel != "interp") {
    fmt::print(stderr, "pcjit_sst: --accel takes jit or interp, not {}\n", accel);
    return 2;
  }
  const Engine engine = lockstep ? Engine::Lockstep : accel == "jit" ? Engine::Jit : Engine::Interp;
  if (engine != Engine::Interp && !jit::host_supported()) {
    fmt::print("SKIP: this host cannot run the JIT\n");
    return kSkip;
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.size() > 8 && n.ends_with(".json.gz") && selected(n.substr(0, n.size() - 8), filters))
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    fmt::print(stderr, "pcjit_sst: no vector files selected in {}\n", dir.string());
    return 2;
  }
  const auto revoked = read_revocations(dir);
  const auto rule_table = rules();
  std::vector<uint64_t> rule_hits(rule_table.size(), 0);
  uint64_t passed = 0, failed = 0, skipped = 0, revoked_hits = 0;
  std::vector<std::string> summary;
  Runner runner(engine);

  for (const fs::path& p : files) {
    std::string fname = p.filename().string();
    std::string form = fname.substr(0, fname.size() - 8);
    Json doc = JsonParser(read_gz(p)).parse();
    uint64_t file_failed = 0, file_total = 0;
    for (const Json& j : doc.items) {
      SstTest t = decode_test(j);
      if (revoked.count(t.hash)) { ++skipped; ++revoked_hits; continue; }
      bool excluded = false;
      for (size_t r = 0; r < rule_table.size() && !excluded; ++r)
        if (rule_table[r].applies(form, t)) { ++rule_hits[r]; excluded = true; }
      if (excluded) { ++skipped; continue; }
      ++file_total;
      std::string diff = runner.run(form, t);
      if (diff.empty()) { ++passed; continue; }
      ++failed;
      ++file_failed;
      if (verbose) {
        fmt::print("FAIL {} #{} \"{}\" [{}]\n  initial:", form, j.find("idx") ? j.find("idx")->num : -1,
                   t.name, hex_bytes(t.bytes));
        for (unsigned r = 0; r < kRegCount; ++r) fmt::print(" {}={:04X}", kRegNames[r], t.initial[r]);
        if (t.has_exception) fmt::print("\n  286 took exception {}", t.exception_number);
        fmt::print("\n{}", diff);
      }
    }
    if (file_failed) summary.push_back(fmt::format("{}: {}/{}", form, file_failed, file_total));
  }

  fmt::print("286-only rules (tests excluded):\n");
  for (size_t r = 0; r < rule_table.size(); ++r)
    fmt::print("  {:<28} {:>6}  {}\n", rule_table[r].name, rule_hits[r], rule_table[r].why);
  fmt::print("  {:<28} {:>6}  listed in revocation_list.txt\n", "revoked", revoked_hits);
  if (!summary.empty()) {
    fmt::print("failures per file (failed/total):\n");
    for (const std::string& s : summary) fmt::print("  {}\n", s);
  }
  if (engine != Engine::Interp) {
    const cpu::CpuStats& st = runner.stats();
    fmt::print("{}: {} tests ran through the JIT; interpreted by design: {} with TF set (single-step){}\n",
               engine == Engine::Lockstep ? "lockstep" : "jit", runner.through_jit, runner.tf_interpreted,
               engine == Engine::Lockstep ? fmt::format(", {} port I/O", runner.io_interpreted) : "");
    fmt::print("jit: {} blocks translated, {} translated runs of {} block lookups, {} helper calls, {} code-buffer"
               " flushes\n", st.jit_blocks, st.jit_runs, st.block_lookups, st.jit_helper_calls, st.jit_flushes);
    if (engine == Engine::Lockstep) {
      fmt::print("lockstep: {} blocks compared, {} divergences\n", st.lockstep_blocks, runner.divergences.size());
      constexpr size_t kShown = 20;
      for (size_t k = 0; k < runner.divergences.size() && k < kShown; ++k)
        fmt::print("{}\n", runner.divergences[k]);
      if (runner.divergences.size() > kShown)
        fmt::print("... {} more (run a form with -v to see each)\n", runner.divergences.size() - kShown);
    }
  }
  if (skipped) fmt::print("{} passed, {} failed, {} skipped\n", passed, failed, skipped);
  else fmt::print("{} passed, {} failed\n", passed, failed);
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace pcjit::sst

int main(int argc, char** argv) {
  try {
    return pcjit::sst::run_main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pcjit_sst: %s\n", e.what());
    return 2;
  }
}
