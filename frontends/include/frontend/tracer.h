// The instruction tracer: a cpu::ExecObserver that writes one line per executed instruction
// (CS:EIP, linear address, bytes, Intel-syntax disassembly, the registers and EFLAGS bits it
// changed as old->new) followed by the memory and ports it read and wrote, and separate lines for
// exceptions, interrupts and what their delivery changed.
//
// Why it is built this way: the CPU reports raw events (before, memory accesses, after or
// exception); the tracer buffers one "group" (an instruction or an event delivery) and prints it
// when the group ends, because only then are the changed registers known. It snapshots the state
// before each instruction and diffs it afterwards, so it needs no help from the instruction
// handlers and cannot disagree with them.
#pragma once
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "cpu/observer.h"
#include "cpu/state.h"

namespace pcjit::frontend {

// "eax=0x00000001->0x00000002 cs=0x1000->0xf000 ..." for every register that differs (EIP only
// when it did not just advance past the instruction of length len). Empty when nothing changed.
std::string describe_state_changes(const cpu::CpuState& before, const cpu::CpuState& after,
                                   unsigned len);
// "eflags=0x00000002->0x00000046 (+ZF +PF)"; empty when equal.
std::string describe_eflags_change(u32 before, u32 after);
// "rd 2 [0x0001fffe] = 0x1234" (plus "phys 0x..." when paging moved it).
std::string describe_access(const cpu::MemAccess& a);
// "out 1 [port 0x00e9] = 0x70" / "in 2 [port 0x0060] = 0xffff".
std::string describe_port(u16 port, unsigned size, bool write, u32 value);
// "#GP(0x0000)" style names for exception vectors (SDM Vol. 3A, Table 6-1).
std::string exception_name(u8 vector, u32 error, bool has_error);

class Tracer final : public cpu::ExecObserver {
 public:
  explicit Tracer(std::FILE* out) : out_(out) {}
  ~Tracer() override {
    finish();
    std::fflush(out_);
  }
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  void before_insn(const cpu::CpuState& state, std::span<const u8> bytes) override;
  void after_insn(const cpu::CpuState& state) override;
  void on_mem(const cpu::MemAccess& access) override;
  void on_exception(u8 vector, u32 error_code, bool has_error) override;
  void on_interrupt(u8 vector) override;
  // Port I/O is not part of ExecObserver; a PortTap feeds it here (see port_tap.h).
  void on_port(u16 port, unsigned size, bool write, u32 value);

  // Prints whatever group is still open (e.g. the delivery of the last exception).
  void finish();
  // Writes a free-form line (the reason the run stopped).
  void note(const std::string& line);
  u64 instructions_seen() const { return count_; }

 private:
  enum class Group : u8 { None, Insn, Delivery };
  void print_insn(const cpu::CpuState& after, const char* suffix);
  void print_details();
  void write(const std::string& line);

  std::FILE* out_;
  const cpu::CpuState* live_ = nullptr;  // the CPU's state, learned from before_insn
  cpu::CpuState before_{};
  u8 bytes_[16] = {};
  u8 len_ = 0;
  std::vector<std::string> details_;  // memory and port accesses of the open group, in order
  Group group_ = Group::None;
  u64 count_ = 0;
};

}  // namespace pcjit::frontend
