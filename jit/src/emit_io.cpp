// Native IN (E4/E5 port in an immediate, EC/ED port in DX). Firmware and kernels poll ports in
// delay loops (SeaBIOS waits on port 0x61's refresh bit through the PIT): the whole boot to the
// GRUB menu ran 18 M INs through the handler. The permission check and the device access stay
// in C++ (rt_port_in); the generated code only keeps the guest registers and flags around the
// call and writes AL/AX/EAX:
//   <call_runtime rt_port_in(port, size)> ; mov r8b, cl
// OUT ends its block (a device may raise an interrupt) and keeps running through its handler.
#include "frame_layout.h"
#include "native_rows.h"
#include "runtime_helpers.h"

namespace pcjit::jit {
namespace {

bool in(Emitter& e, const Insn& i) {
  const unsigned size = (i.opcode & 1) ? i.opsz : 1;
  const bool dx = i.opcode >= 0xEC;
  // Context::check_io passes without looking in real mode and at CPL 0 outside v86 (CPL <= IOPL
  // whatever IOPL is); PE, VM and CPL are part of the block's mode, so that is known now.
  const u32 mode = e.block_mode();
  const bool allowed = !(mode & 4) || (!(mode & 8) && (mode >> 4 & 3) == 0);
  const void* fn = allowed ? reinterpret_cast<const void*>(&rt_port_in_allowed)
                           : reinterpret_cast<const void*>(&rt_port_in);
  if (dx) {
    e.a.movzx(x86::esi, Emitter::greg(cpu::EDX, 2));
    e.call_runtime(fn, x86::esi, size);
  } else {
    e.call_runtime(fn, asmjit::imm(i.imm & 0xFF), size);
  }
  e.a.mov(Emitter::greg(cpu::EAX, size), Emitter::tmp(size));
  return true;
}

constexpr NativeRow kRows[] = {
    {0, 0xE4, 2, -1, in}, {0, 0xEC, 2, -1, in},
};

}  // namespace

std::span<const NativeRow> io_native_rows() { return kRows; }

}  // namespace pcjit::jit
