// pcjit_guest_test: runs one self-checking guest ROM (tests/guest/*.asm) on a bare machine and
// exits with the status the guest wrote to the exit port (0 = every check passed).
//
// The machine is deliberately minimal (32 MiB RAM, the ROM at the reset vector, exit port 0xF4,
// debug console 0xE9): the programs set up everything themselves, so a failure points at the
// CPU, not at firmware. -v traces every instruction (EIP, bytes) and every exception to stderr.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/machine.h"
#include "core/rom_image.h"
#include "cpu/cpu.h"
#include "devices/debug_ports.h"

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

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  const char* rom = nullptr;
  u64 limit = 50'000'000;
  for (int k = 1; k < argc; ++k) {
    if (std::strcmp(argv[k], "-v") == 0) verbose = true;
    else if (std::strncmp(argv[k], "--limit=", 8) == 0) limit = std::strtoull(argv[k] + 8, nullptr, 0);
    else rom = argv[k];
  }
  if (!rom) {
    std::fprintf(stderr, "usage: pcjit_guest_test [-v] [--limit=N] ROM.bin\n");
    return 2;
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
    cpu.reset();
    core::StopInfo stop = m.run(core::RunLimits{limit});
    std::fflush(stdout);
    const cpu::CpuState& s = cpu.state();
    if (stop.kind == core::StopKind::ExitPort) {
      if (stop.status != 0) std::fprintf(stderr, "%s: guest reported failure %d\n", rom, stop.status);
      return stop.status;
    }
    std::fprintf(stderr, "%s: stopped without a verdict: %s (cs=%04x eip=%08x cpl=%u cr0=%08x)\n", rom,
                 stop.message.c_str(), s.seg[cpu::CS].selector, s.eip(), s.cpl, static_cast<u32>(s.cr0));
    return 255;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", rom, e.what());
    return 254;
  }
}
