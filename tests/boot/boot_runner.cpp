// pcjit_boot_test: boots a PC (PcBoard + Cpu, Debian's SeaBIOS) from guest images and passes when
// every expected text has appeared on the VGA text screen, the SeaBIOS log (port 0x402) or COM1.
//
// Why a dedicated runner instead of the CLI: it checks while the guest runs (every 20 ms of
// virtual time, 2 ms in lockstep) and stops at the first moment all texts are there, so a test
// costs only as long as the boot does; the instruction budget is the timeout. A missing image is a skip (exit 77,
// ctest SKIP_RETURN_CODE), not a failure: the images are built by scripts/guests/build.sh.
//
// Usage: pcjit_boot_test [-m MiB] [--hda F] [--hdb F] [--cdrom F] [--fda F] [--boot ORDER]
//          --expect [vga:|log:|serial:]TEXT ... [--max-insns N] [--screenshot F.png]
//          [--log FILE] [--enter-when TEXT] [--reset-when TEXT] [--accel jit|interp] [--lockstep]
// --enter-when presses Enter on the PS/2 keyboard once TEXT is on the VGA screen (memtest86+
// waits for a key before its first test). --reset-when requests a system reset once TEXT is on
// the VGA screen and forgets the log and serial output so far, so log:/serial: expectations then
// prove that the machine booted again.
//
// --accel selects the engine (default interp; a jit run must translate something). --lockstep
// (implies the JIT) translates every block on first sight and runs each in the JIT and in the
// interpreter from the same state: such a run is a differential test of the first --max-insns
// instructions, and passes when it got there (or saw every expected text first) with no
// divergence and at least one block compared; the first divergence fails it with the CPU's
// report. Without the JIT on this host, jit and lockstep runs are skipped.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/machine.h"
#include "cpu/cpu.h"
#include "devices/pc_board.h"
#include "devices/pic8259.h"
#include "devices/i8042.h"
#include "devices/vga.h"
#include "jit/jit.h"

using namespace pcjit;

namespace {

constexpr int kSkip = 77;
constexpr u64 kCheckPeriodNs = 20'000'000;
// Lockstep runs ~50x slower: checking more often stops them closer to the moment the texts appear.
constexpr u64 kLockstepCheckPeriodNs = 2'000'000;

struct Expect {
  enum class Where { Vga, Log, Serial, Any } where = Where::Any;
  std::string text;
};

Expect parse_expect(const std::string& arg) {
  Expect e;
  auto take = [&](const char* prefix, Expect::Where w) {
    const std::size_t n = std::strlen(prefix);
    if (arg.compare(0, n, prefix) != 0) return false;
    e.where = w;
    e.text = arg.substr(n);
    return true;
  };
  if (!take("vga:", Expect::Where::Vga) && !take("log:", Expect::Where::Log) &&
      !take("serial:", Expect::Where::Serial))
    e.text = arg;
  return e;
}

std::string join(const std::vector<std::string>& rows) {
  std::string s;
  for (const auto& r : rows) s += r + "\n";
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  devices::PcConfig cfg;
  std::vector<Expect> expects;
  u64 max_insns = 2'000'000'000;
  std::string screenshot, log_path, enter_when, reset_when, accel = "interp";
  bool lockstep = false;
  std::vector<std::string> images;
  for (int k = 1; k < argc; ++k) {
    std::string a = argv[k];
    auto next = [&]() -> std::string {
      if (k + 1 >= argc) {
        std::fprintf(stderr, "pcjit_boot_test: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++k];
    };
    if (a == "-m") cfg.ram_bytes = std::strtoull(next().c_str(), nullptr, 0) << 20;
    else if (a == "--hda") images.push_back(cfg.hda = next());
    else if (a == "--hdb") images.push_back(cfg.hdb = next());
    else if (a == "--cdrom") images.push_back(cfg.cdrom = next());
    else if (a == "--fda") images.push_back(cfg.fda = next());
    else if (a == "--boot") cfg.boot_order = next();
    else if (a == "--expect") expects.push_back(parse_expect(next()));
    else if (a == "--max-insns") max_insns = std::strtoull(next().c_str(), nullptr, 0);
    else if (a == "--screenshot") screenshot = next();
    else if (a == "--log") log_path = next();
    else if (a == "--enter-when") enter_when = next();
    else if (a == "--reset-when") reset_when = next();
    else if (a == "--accel") accel = next();
    else if (a == "--lockstep") lockstep = true;
    else {
      std::fprintf(stderr, "pcjit_boot_test: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  if (accel != "jit" && accel != "interp") {
    std::fprintf(stderr, "pcjit_boot_test: --accel takes jit or interp, not %s\n", accel.c_str());
    return 2;
  }
  const bool jit_on = accel == "jit" || lockstep;
  if (jit_on && !jit::host_supported()) {
    std::printf("SKIP: this host cannot run the JIT\n");
    return kSkip;
  }
  for (const auto& img : images) {
    if (!std::filesystem::exists(img)) {
      std::printf("SKIP: guest image %s is not built (run scripts/guests/build.sh)\n", img.c_str());
      return kSkip;
    }
  }
  if (!std::filesystem::exists(cfg.bios)) {
    std::printf("SKIP: %s not installed (Debian package seabios)\n", cfg.bios.c_str());
    return kSkip;
  }
  cfg.snapshot = true;  // never modify the cached images

  std::string log, serial;
  cfg.seabios_log = [&](u8 b) { log.push_back(static_cast<char>(b)); };
  cfg.serial0 = [&](u8 b) { serial.push_back(static_cast<char>(b)); };
  const auto t0 = std::chrono::steady_clock::now();
  try {
    core::Machine m(core::MachineConfig{cfg.ram_bytes});
    auto cpu = std::make_unique<cpu::Cpu>(m);
    cpu::Cpu& cpu_ref = *cpu;
    m.set_processor(std::move(cpu));
    devices::PcBoard& pc = devices::build_pc(m, cfg);
    cpu_ref.set_ferr_sink(&pc.pic());  // x87 FERR# -> IRQ13, as in frontends/src/pc.cpp
    if (jit_on) cpu_ref.set_translator(jit::make_translator(jit::JitOptions{}));
    if (lockstep) cpu_ref.set_lockstep(true);

    auto screen = [&] { return join(pc.vga().text_screen()); };
    auto all_seen = [&] {
      const std::string vga = screen();
      for (const Expect& e : expects) {
        bool in_vga = vga.find(e.text) != std::string::npos;
        bool in_log = log.find(e.text) != std::string::npos;
        bool in_serial = serial.find(e.text) != std::string::npos;
        bool ok = e.where == Expect::Where::Vga      ? in_vga
                  : e.where == Expect::Where::Log    ? in_log
                  : e.where == Expect::Where::Serial ? in_serial
                                                     : (in_vga || in_log || in_serial);
        if (!ok) return false;
      }
      return true;
    };
    bool entered = false, was_reset = false;
    const u64 period = lockstep ? kLockstepCheckPeriodNs : kCheckPeriodNs;
    std::function<void()> check = [&] {
      if (!reset_when.empty() && !was_reset && screen().find(reset_when) != std::string::npos) {
        log.clear();
        serial.clear();
        m.request_reset();
        was_reset = true;
      }
      if (!enter_when.empty() && !entered && screen().find(enter_when) != std::string::npos) {
        static constexpr u8 kEnterMake[] = {0x5A}, kEnterBreak[] = {0xF0, 0x5A};  // scan code set 2
        pc.kbc().key_event(kEnterMake);
        pc.kbc().key_event(kEnterBreak);
        entered = true;
      }
      if (!expects.empty() && (reset_when.empty() || was_reset) && all_seen()) {
        m.request_stop(core::StopKind::Debugger, 0, "every expected text appeared");
        return;
      }
      m.events().schedule(m.clock().now_ns() + period, check);
    };
    m.events().schedule(period, check);

    core::StopInfo stop = m.run(core::RunLimits{max_insns});
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const cpu::CpuStats& st = cpu_ref.stats();
    const std::string& divergence = cpu_ref.lockstep_error();
    const bool seen = !expects.empty() && all_seen();
    const bool reached = stop.kind == core::StopKind::InsnLimit && m.clock().retired() >= max_insns;
    const bool pass = !lockstep ? seen && (!jit_on || st.jit_blocks > 0)
                                : divergence.empty() && (seen || reached) && st.lockstep_blocks > 0;
    std::printf("---- VGA text screen ----\n%s-------------------------\n", screen().c_str());
    if (!serial.empty()) std::printf("---- COM1 ----\n%s\n--------------\n", serial.c_str());
    std::printf("stop: %s\nretired %llu instructions, virtual %.3f s, wall %.2f s (%.1f MIPS), resets %llu\n",
                stop.message.c_str(), static_cast<unsigned long long>(m.clock().retired()),
                static_cast<double>(m.clock().now_ns()) / 1e9, secs,
                static_cast<double>(m.clock().retired()) / secs / 1e6,
                static_cast<unsigned long long>(m.reset_count()));
    if (jit_on)
      std::printf("jit: %llu blocks translated, %llu translated runs, %llu helper calls, %llu flushes\n",
                  static_cast<unsigned long long>(st.jit_blocks), static_cast<unsigned long long>(st.jit_runs),
                  static_cast<unsigned long long>(st.jit_helper_calls),
                  static_cast<unsigned long long>(st.jit_flushes));
    if (lockstep)
      std::printf("lockstep: %llu blocks compared, %s\n", static_cast<unsigned long long>(st.lockstep_blocks),
                  !divergence.empty() ? "DIVERGED"
                  : reached           ? "no divergence in the instruction budget"
                  : seen              ? "no divergence before every expected text appeared"
                                      : "no divergence, but the run stopped early");
    if (!screenshot.empty()) {
      pc.vga().write_png(screenshot);
      std::printf("screenshot: %s\n", screenshot.c_str());
    }
    if (!log_path.empty()) {
      if (std::FILE* f = std::fopen(log_path.c_str(), "wb")) {
        std::fwrite(log.data(), 1, log.size(), f);
        std::fclose(f);
      }
    }
    if (!divergence.empty()) std::printf("%s\n", divergence.c_str());
    if (!pass) {
      const std::size_t tail = log.size() > 3000 ? log.size() - 3000 : 0;
      std::printf("---- SeaBIOS log (tail) ----\n%s\n", log.c_str() + tail);
      for (const Expect& e : expects) std::printf("expected: \"%s\"\n", e.text.c_str());
      std::printf("FAIL\n");
      return 1;
    }
    std::printf("PASS\n");
    return 0;
  } catch (const std::exception& ex) {
    std::printf("error: %s\n", ex.what());
    return 1;
  }
}
