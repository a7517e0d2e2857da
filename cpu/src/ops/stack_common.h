// Helpers shared by the move, stack, flag and branch families: finishing an instruction that
// must end its block (Exec::Stop with EIP already advanced), and stack-pointer updates that use an
// explicitly given stack size (POP SS and LSS change SS.B in the middle of the instruction, so
// the stack size must be sampled before the segment load), and joining a family's row files into
// the one span the opcode table asks for (so splitting a family needs no change to the table).
#pragma once
#include <initializer_list>
#include <vector>

#include "../context.h"
#include "../decode/opcode_table.h"

namespace pcjit::cpu {

// EIP of the next instruction, wrapped to 16 bits in 16-bit code as the run loop does.
inline u32 next_ip(const Context& c, const Insn& i) {
  u32 n = c.next_eip(i);
  return c.code32() ? n : (n & 0xFFFF);
}

// Retires the instruction and ends the block (state changed that the loop must re-read:
// IF, TF, SS, interrupt shadow).
inline Exec stop_after(Context& c, const Insn& i) {
  c.s.rip = next_ip(c, i);
  return Exec::Stop;
}

// Writes SP or ESP according to a stack size sampled earlier.
inline void set_sp_sized(CpuState& s, bool stack32, u32 v) {
  if (stack32) s.set_reg32(ESP, v);
  else s.set_reg16(ESP, static_cast<u16>(v));
}

// Concatenates the row spans of a family split over several files (built once, then immutable).
inline std::vector<OpcodeRow> join_rows(std::initializer_list<std::span<const OpcodeRow>> parts) {
  std::vector<OpcodeRow> all;
  for (auto p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

}  // namespace pcjit::cpu
