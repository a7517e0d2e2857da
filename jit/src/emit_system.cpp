// Native system-class instructions that are cheap to emit but frequent in an OS: the hint NOPs
// (0F 18-1F, OpClass::kNop) and the fences (0F AE /5 /6 /7 register forms) emit nothing, as their
// handlers do nothing (one guest CPU, no weak ordering to order); RDTSC calls a lean runtime
// (Linux's sched_clock and delay loops run LFENCE; RDTSC millions of times); CLD/STD change DF in
// CpuState, where string instructions (always handlers) read it.
#include <cstring>

#include "decode/opcode_table.h"
#include "frame_layout.h"
#include "native_rows.h"
#include "runtime_helpers.h"

namespace pcjit::jit {
namespace {

bool hint_nop(Emitter&, const Insn& i) { return cpu::row_at(i.row).cls == cpu::OpClass::kNop; }

bool fence(Emitter&, const Insn& i) {
  // The row is chosen by the mandatory prefix too: only the three unprefixed fences are no-ops.
  const char* n = cpu::row_at(i.row).name;
  return !i.mem() && (!std::strcmp(n, "lfence") || !std::strcmp(n, "mfence") || !std::strcmp(n, "sfence"));
}

//   <call_runtime rt_rdtsc> ; mov r8, [gpr EAX] ; mov r10, [gpr EDX]
bool rdtsc(Emitter& e, const Insn&) {
  e.call_runtime(reinterpret_cast<const void*>(&rt_rdtsc), asmjit::imm(0), 0);
  e.a.mov(Emitter::greg(cpu::EAX, 4).r64(), Emitter::frame(layout::gpr(cpu::EAX), 8));
  e.a.mov(Emitter::greg(cpu::EDX, 4).r64(), Emitter::frame(layout::gpr(cpu::EDX), 8));
  return true;
}

// FC CLD / FD STD: `and`/`or` on CpuState::eflags clobber host EFLAGS, so host-resident guest
// flags are parked in AX first.
bool cld_std(Emitter& e, const Insn& i) {
  if (e.flags() == FlagsAt::Host) e.flags_to_saved();
  const x86::Mem ef = Emitter::frame(layout::kEflags, 4);
  if (i.opcode == 0xFC) e.a.and_(ef, ~cpu::flag::DF);
  else e.a.or_(ef, cpu::flag::DF);
  return true;
}

constexpr NativeRow kRows[] = {
    // Purity::None: the emitters decline forms their check does not cover (handler calls).
    {1, 0x18, 8, -1, hint_nop}, {1, 0xAE, 1, 5, fence}, {1, 0xAE, 1, 6, fence}, {1, 0xAE, 1, 7, fence},
    {1, 0x31, 1, -1, rdtsc},                    {0, 0xFC, 2, -1, cld_std},
};

}  // namespace

std::span<const NativeRow> system_native_rows() { return kRows; }

}  // namespace pcjit::jit
