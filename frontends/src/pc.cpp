// Machine assembly for the pcjit frontends (see pc.h). Real-mode start state for flat binaries
// follows the .COM convention (all segments equal, SP at the top of the segment) so a tiny
// hand-written image needs no set-up code.
#include "frontend/pc.h"

#include "jit/jit.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>

#include "core/rom_image.h"
#include "devices/debug_ports.h"
#include "devices/pc_board.h"
#include "devices/pic8259.h"
#include "devices/vga.h"

namespace pcjit::frontend {

namespace {

// A directory opens fine as an ifstream on Linux and then reads as empty; say what it is.
void require_regular_file(const std::string& path) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec) throw Error(fmt::format("{}: cannot open: {}", path, ec.message()));
  if (std::filesystem::is_directory(st)) throw Error(fmt::format("{}: is a directory", path));
}

}  // namespace

ConsoleSink::ConsoleSink(SinkMode mode, const std::string& file) {
  if (mode == SinkMode::Stdio) {
    file_ = stdout;
  } else if (mode == SinkMode::File) {
    file_ = std::fopen(file.c_str(), "wb");
    if (!file_) throw Error(fmt::format("{}: cannot open: {}", file, std::strerror(errno)));
    owned_ = true;
  }
}

ConsoleSink::~ConsoleSink() {
  if (owned_) std::fclose(file_);
  else flush();
}

// Each line goes out when it ends, as from QEMU: a harness reading the serial console through a
// pipe sees the guest's output as it is produced (and a killed run keeps what was printed).
void ConsoleSink::put(u8 byte) {
  if (!file_) return;
  std::fputc(byte, file_);
  if (byte == '\n') std::fflush(file_);
}

void ConsoleSink::flush() {
  if (file_) std::fflush(file_);
}

std::vector<u8> read_flat_binary(const std::string& path, u32 load_addr, u64 ram_bytes) {
  require_regular_file(path);
  std::vector<u8> data = core::read_file(path);
  if (data.empty()) throw Error(fmt::format("{}: file is empty", path));
  const u64 end = std::min<u64>(kFlatLimit, ram_bytes);
  if (load_addr >= end || data.size() > end - load_addr)
    throw Error(fmt::format("{}: {} bytes do not fit between load address {:#x} and {:#x}", path,
                            data.size(), load_addr, end));
  return data;
}

Pc::Pc(const Options& o)
    : console_(o.debugcon, o.debugcon_file),
      serial_(o.serial, o.serial_file),
      bios_log_(o.bios_log, o.bios_log_file) {
  // Read the images before building anything so a bad file costs nothing.
  std::vector<u8> flat;
  if (!o.flat.empty()) flat = read_flat_binary(o.flat, o.load_addr, o.ram_bytes);
  if (!o.bios.empty()) require_regular_file(o.bios);

  machine_ = std::make_unique<core::Machine>(core::MachineConfig{o.ram_bytes});
  core::Machine& m = *machine_;
  auto cpu = std::make_unique<cpu::Cpu>(m);
  cpu_ = cpu.get();
  if (o.accel == Accel::Jit && jit::host_supported())
    cpu->set_translator(jit::make_translator(jit::JitOptions{o.jit_buffer_bytes}));
  if (o.lockstep) {
    if (!cpu->has_translator()) throw Error("--lockstep: needs -accel jit on an x86-64 host");
    cpu->set_lockstep(true);
  }
  if (o.stats) cpu->set_count_events(true);
  m.set_processor(std::move(cpu));
  if (o.machine == MachineKind::Pc) {
    build_board(o);
  } else {
    m.add_device(std::make_unique<devices::DebugExitPort>(m));
    if (console_.enabled())
      m.add_device(std::make_unique<devices::DebugConsole>(m, u16{0xE9}, [this](u8 b) { console_.put(b); }));
    if (!o.bios.empty()) core::map_bios(m.memory(), o.bios);
  }
  if (!flat.empty()) {
    m.memory().load_bytes(o.load_addr, flat);
    const u16 seg = static_cast<u16>(o.load_addr >> 4);
    for (cpu::SegReg r : {cpu::CS, cpu::DS, cpu::ES, cpu::SS}) cpu_->load_real_segment(r, seg);
    cpu_->state().rip = 0;
    cpu_->state().gpr[cpu::ESP] = 0xFFFE;
    cpu_->state_changed();
  }
}

// The PC board wires its own exit port, debug console, COM1 and BIOS log; we give it the sinks.
void Pc::build_board(const Options& o) {
  devices::PcConfig cfg;
  cfg.ram_bytes = o.ram_bytes;
  if (!o.bios.empty()) cfg.bios = o.bios;
  cfg.hda = o.hda;
  cfg.hdb = o.hdb;
  cfg.cdrom = o.cdrom;
  cfg.fda = o.fda;
  cfg.boot_order = o.boot;
  cfg.snapshot = o.snapshot;
  cfg.nographic = o.nographic;
  if (console_.enabled()) cfg.debugcon = [this](u8 b) { console_.put(b); };
  if (serial_.enabled()) cfg.serial0 = [this](u8 b) { serial_.put(b); };
  if (bios_log_.enabled()) cfg.seabios_log = [this](u8 b) { bios_log_.put(b); };
  board_ = &devices::build_pc(*machine_, cfg);
  cpu_->set_ferr_sink(&board_->pic());  // x87 FERR# reaches the PIC as IRQ13 (CR0.NE=0 guests)
}

Pc::~Pc() {
  cpu_->set_observer(nullptr);
  console_.flush();
  serial_.flush();
  bios_log_.flush();
}

core::StopInfo Pc::run(u64 max_insns) {
  core::StopInfo stop = machine_->run(core::RunLimits{max_insns});
  console_.flush();
  serial_.flush();
  bios_log_.flush();
  return stop;
}

std::vector<std::string> Pc::text_screen() const {
  if (!board_) return {};
  return board_->vga().text_screen();
}

void Pc::write_screenshot(const std::string& path) const {
  if (board_) board_->vga().write_png(path);
}

int exit_status(const core::StopInfo& stop) {
  switch (stop.kind) {
    case core::StopKind::ExitPort: return stop.status & 0xFF;
    case core::StopKind::InsnLimit: return 0;
    case core::StopKind::Shutdown: return 0;  // ACPI soft-off: the guest powered off, as asked
    case core::StopKind::TripleFault: return 3;
    case core::StopKind::Debugger: return 0;
    case core::StopKind::None:
    case core::StopKind::Error: break;
  }
  return 1;
}

}  // namespace pcjit::frontend
