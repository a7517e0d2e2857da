// The composition root: the one place that names the concrete types a pcjit PC is made of
// (core::Machine, cpu::Cpu, the debug ports) and wires them from parsed Options. Frontends and
// tools build a Pc and drive it through the Machine API; nothing below this layer knows it.
#pragma once
#include <cstdio>
#include <memory>
#include <string>

#include "core/machine.h"
#include "cpu/cpu.h"
#include "frontend/options.h"

namespace pcjit::frontend {

// Where the 0xE9 debug console's bytes go; owns the file if it opened one.
class ConsoleSink {
 public:
  explicit ConsoleSink(const Options& o);
  ~ConsoleSink();
  ConsoleSink(const ConsoleSink&) = delete;
  ConsoleSink& operator=(const ConsoleSink&) = delete;
  void put(u8 byte);
  void flush();

 private:
  std::FILE* file_ = nullptr;
  bool owned_ = false;
};

class Pc {
 public:
  // Builds the machine, maps the BIOS and loads the flat binary. Throws pcjit::Error naming the
  // file and the reason when an image is missing, unreadable, empty or too big.
  explicit Pc(const Options& o);
  ~Pc();
  Pc(const Pc&) = delete;
  Pc& operator=(const Pc&) = delete;

  core::Machine& machine() { return *machine_; }
  cpu::Cpu& cpu() { return *cpu_; }
  core::StopInfo run(u64 max_insns);

 private:
  ConsoleSink console_;
  std::unique_ptr<core::Machine> machine_;
  cpu::Cpu* cpu_ = nullptr;  // owned by machine_
};

// Reads a flat binary, checking it is a regular, non-empty file that fits between load_addr
// and kFlatLimit (and inside RAM).
std::vector<u8> read_flat_binary(const std::string& path, u32 load_addr, u64 ram_bytes);

// The process exit status for a stop (documented in usage_text()).
int exit_status(const core::StopInfo& stop);

}  // namespace pcjit::frontend
