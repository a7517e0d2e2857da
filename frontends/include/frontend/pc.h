// The composition root: the one place that names the concrete types a pcjit PC is made of
// (core::Machine, cpu::Cpu, the debug ports) and wires them from parsed Options. Frontends and
// tools build a Pc and drive it through the Machine API; nothing below this layer knows it.
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/machine.h"
#include "cpu/cpu.h"
#include "frontend/options.h"

namespace pcjit::devices {
class PcBoard;
}

namespace pcjit::frontend {

// Where a guest byte stream (debug console, COM1, BIOS log) goes; owns the file if it opened one.
class ConsoleSink {
 public:
  ConsoleSink(SinkMode mode, const std::string& file);
  bool enabled() const { return file_ != nullptr; }
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
  // The VGA text screen, one string per row (-machine pc; empty for a bare machine).
  std::vector<std::string> text_screen() const;
  // Writes the VGA screen as a PNG (-machine pc); throws pcjit::Error naming the file on failure.
  void write_screenshot(const std::string& path) const;

 private:
  void build_board(const Options& o);

  ConsoleSink console_;
  ConsoleSink serial_;
  ConsoleSink bios_log_;
  std::unique_ptr<core::Machine> machine_;
  cpu::Cpu* cpu_ = nullptr;                 // owned by machine_
  devices::PcBoard* board_ = nullptr;       // owned by machine_ (-machine pc)
};

// Reads a flat binary, checking it is a regular, non-empty file that fits between load_addr
// and kFlatLimit (and inside RAM).
std::vector<u8> read_flat_binary(const std::string& path, u32 load_addr, u64 ram_bytes);

// The process exit status for a stop (documented in usage_text()).
int exit_status(const core::StopInfo& stop);

}  // namespace pcjit::frontend
