// C++ functions that generated code calls. Each takes the Context first (r12 in generated code).
#pragma once
#include "context.h"

namespace pcjit::jit {

// Runs one instruction through its interpreter handler, with the virtual clock brought to the
// start of the running block first (a handler may reach a device). Returns the cpu::Exec.
u32 rt_call_handler(cpu::Context* c, const cpu::Insn* i, u32 block_len);
// The same for a handler that loads a segment register inside a run (MOV Sreg, POP Sreg,
// LDS/LES/LFS/LGS): the inline soft-MMU's segment views are derived again afterwards.
u32 rt_call_segment_loader(cpu::Context* c, const cpu::Insn* i, u32 block_len);
// The same, for the slow path of a natively translated memory instruction (counted apart).
u32 rt_slow_path(cpu::Context* c, const cpu::Insn* i, u32 block_len);
// IN from a port (native IN): the virtual clock brought to the block's start, the I/O permission
// check, the access. Returns the value; with the check failed the exception is pending and the
// value is 0.
u32 rt_port_in(cpu::Context* c, u32 port, u32 size, u32 block_len);
// The same where the permission check cannot fail (real mode, or CPL 0 outside v86: CPL <= IOPL).
u32 rt_port_in_allowed(cpu::Context* c, u32 port, u32 size, u32 block_len);
// RDTSC (native): the virtual clock brought to the block's start, then what the handler
// (ops/system_msr.cpp) does: #GP(0) outside ring 0 with CR4.TSD, else EDX:EAX = the TSC, written
// to CpuState (the generated code reloads EAX and EDX). Returns 0.
u32 rt_rdtsc(cpu::Context* c, u32 unused, u32 unused2, u32 block_len);
// The translation to continue at for CpuState's CS:EIP, found in the jump cache, or null when
// the dispatcher has to look (miss, entry guard, a single-step or shadow condition, lockstep).
const void* rt_lookup(cpu::Context* c);
// Lockstep: an inline store is about to write size bytes at host.
void rt_note_store(cpu::Context* c, u8* host, u32 size);

}  // namespace pcjit::jit
