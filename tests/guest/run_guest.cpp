// pcjit_guest_test: runs one self-checking guest ROM (tests/guest/*.asm) on a bare machine and
// exits with the status the guest wrote to the exit port (0 = every check passed).
//
// The machine is deliberately minimal (32 MiB RAM, the ROM at the reset vector, exit port 0xF4,
// debug console 0xE9): the programs set up everything themselves, so a failure points at the
// CPU, not at firmware. -v traces every instruction (EIP, bytes) and every exception to stderr
// (an observer makes the CPU single-step, so nothing is translated while tracing).
//
// --accel jit runs translated blocks (translated on first sight). --lockstep (implies the JIT)
// translates every block on first sight and runs each in the JIT and in the interpreter from the
// same state, comparing them: the first divergence fails the run with the CPU's report. A jit
// run that translated no block, or a lockstep run that compared none, proves nothing and fails
// too. jit and lockstep runs are skipped (exit 77) on hosts without the JIT.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/machine.h"
#include "core/rom_image.h"
#include "cpu/cpu.h"
#include "devices/debug_ports.h"
#include "jit/jit.h"

using namespace pcjit;

namespace {

class Tracer final : public cpu::ExecObserver {
 public:
  void before_insn(const cpu::CpuState& s, std::span<const u8> bytes) override {
    std::fprintf(stderr, "%04x:%08x cpl%u ", s.seg[cpu::CS].selector, s.eip(), s.cpl);
    for (u8 b : bytes) std::fprintf(stderr, "%02x", b);
    std::fprintf(stderr, "  eax=%08x ebx=%08x ecx=%08x edx=%08x esp=%08x efl=%08x\n", s.reg32(cpu::EAX),
                 s.reg32(cpu::EBX), s.reg32(cpu::ECX), s.reg32(cpu::EDX), s.reg32(cpu::ESP), s.eflags);
  }
  void after_insn(const cpu::CpuState&) override {}
  void on_mem(const cpu::MemAccess&) override {}
  void on_exception(u8 vector, u32 error, bool has_error) override {
    if (has_error) std::fprintf(stderr, "  exception %u error=%x\n", vector, error);
    else std::fprintf(stderr, "  exception %u\n", vector);
  }
  void on_interrupt(u8 vector) override { std::fprintf(stderr, "  interrupt %u\n", vector); }
};

constexpr int kSkip = 77;

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false, lockstep = false, usage = false;
  const char* accel = "interp";
  const char* rom = nullptr;
  u64 limit = 50'000'000;
  for (int k = 1; k < argc && !usage; ++k) {
    const char* a = argv[k];
    if (std::strcmp(a, "-v") == 0) verbose = true;
    else if (std::strncmp(a, "--limit=", 8) == 0) limit = std::strtoull(a + 8, nullptr, 0);
    else if (std::strcmp(a, "--lockstep") == 0) lockstep = true;
    else if (std::strcmp(a, "--accel") == 0 && k + 1 < argc) accel = argv[++k];
    else if (a[0] == '-' || rom) usage = true;
    else rom = a;
  }
  const bool jit_on = std::strcmp(accel, "jit") == 0 || lockstep;
  if (usage || !rom || (std::strcmp(accel, "jit") != 0 && std::strcmp(accel, "interp") != 0)) {
    std::fprintf(stderr, "usage: pcjit_guest_test [-v] [--limit=N] [--accel jit|interp] [--lockstep] ROM.bin\n");
    return 2;
  }
  if (jit_on && !jit::host_supported()) {
    std::printf("SKIP: this host cannot run the JIT\n");
    return kSkip;
  }
  try {
    core::Machine m({});
    auto cpu_owner = std::make_unique<cpu::Cpu>(m);
    cpu::Cpu& cpu = *cpu_owner;
    m.set_processor(std::move(cpu_owner));
    m.add_device(std::make_unique<devices::DebugExitPort>(m));
    m.add_device(std::make_unique<devices::DebugConsole>(m, 0xE9, [](u8 b) { std::fputc(b, stdout); }));
    core::map_bios(m.memory(), rom);
    Tracer tracer;
    if (verbose) cpu.set_observer(&tracer);
    if (jit_on) {
      cpu.set_translator(jit::make_translator(jit::JitOptions{}));
      // Translate on first sight: a block that code rewrites is new every time it runs, so the
      // default (second dispatch) would leave exactly the self-modifying cases interpreted.
      cpu.set_translate_threshold(1);
    }
    if (lockstep) cpu.set_lockstep(true);
    cpu.reset();
    core::StopInfo stop = m.run(core::RunLimits{limit});
    std::fflush(stdout);
    const cpu::CpuState& s = cpu.state();
    const cpu::CpuStats& st = cpu.stats();
    if (jit_on)
      std::printf("\njit: %llu blocks translated, %llu translated runs, %llu helper calls\n",
                  static_cast<unsigned long long>(st.jit_blocks), static_cast<unsigned long long>(st.jit_runs),
                  static_cast<unsigned long long>(st.jit_helper_calls));
    if (lockstep && !cpu.lockstep_error().empty()) {
      std::fprintf(stderr, "%s: %s\n", rom, cpu.lockstep_error().c_str());
      return 253;
    }
    if (stop.kind == core::StopKind::ExitPort) {
      if (stop.status != 0) {
        std::fprintf(stderr, "%s: guest reported failure %d\n", rom, stop.status);
        return stop.status;
      }
      if (jit_on && st.jit_blocks == 0) {
        std::fprintf(stderr, "%s: the JIT translated no block (the run proves nothing about it)\n", rom);
        return 252;
      }
      if (lockstep) {
        if (st.lockstep_blocks == 0) {
          std::fprintf(stderr, "%s: lockstep compared no block (nothing was translated)\n", rom);
          return 252;
        }
        std::printf("lockstep: %llu blocks compared, no divergence\n",
                    static_cast<unsigned long long>(st.lockstep_blocks));
      }
      return 0;
    }
    std::fprintf(stderr, "%s: stopped without a verdict: %s (cs=%04x eip=%08x cpl=%u cr0=%08x)\n", rom,
                 stop.message.c_str(), s.seg[cpu::CS].selector, s.eip(), s.cpl, static_cast<u32>(s.cr0));
    return 255;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", rom, e.what());
    return 254;
  }
}
