// Command-line options of the pcjit executable (QEMU-style names where QEMU has one).
//
// Parsing is separate from acting on the options so it can be unit-tested and reused by other
// frontends; errors are pcjit::Error("OPTION: reason") and the caller exits with status 2.
#pragma once
#include <span>
#include <string>

#include "core/types.h"

namespace pcjit::frontend {

// Where a byte stream from the guest (debug console, serial port, BIOS log) goes.
enum class DebugconMode : u8 { Stdio, File, None };
using SinkMode = DebugconMode;

// bare: RAM + BIOS/flat image + debug ports only (fast, for test images);
// pc: the QEMU-style i440FX PC (devices::PcBoard) that boots SeaBIOS from disks.
enum class MachineKind : u8 { Bare, Pc };

// -accel jit (translate blocks to host code; the default where the host is x86-64) or
// -accel interp (the interpreter alone, the reference semantics).
enum class Accel : u8 { Jit, Interp };

struct Options {
  std::string bios;                  // -bios FILE: firmware mapped below 4 GiB (and at 0xF0000)
  std::string flat;                  // positional FLAT_BINARY, started in real mode
  u32 load_addr = 0x10000;           // --load-addr: physical, 16-byte aligned; CS = load_addr/16
  u64 ram_bytes = 32ull << 20;       // -m SIZE
  bool trace = false;                // --trace (or --trace-file F)
  std::string trace_file;            // empty: stderr
  u64 max_insns = ~u64{0};           // --max-insns N
  DebugconMode debugcon = DebugconMode::Stdio;  // -debugcon stdio|file:F|none
  std::string debugcon_file;
  bool stats = false;                // --stats
  MachineKind machine = MachineKind::Bare;  // -machine bare|pc
  // -machine pc only (QEMU names): drives, boot order, copy-on-write, serial and BIOS log.
  std::string hda, hdb, cdrom, fda;
  std::string boot = "cad";
  bool snapshot = false;
  SinkMode serial = SinkMode::None;  // -serial stdio|file:F|none (COM1)
  std::string serial_file;
  SinkMode bios_log = SinkMode::None;  // --bios-log stdio|file:F|none (port 0x402)
  std::string bios_log_file;
  bool dump_screen = false;          // --dump-screen / --vga-text: print the VGA text screen at the end
  std::string screenshot;            // --screenshot F.png: the VGA screen as PNG at the end
  bool nographic = false;            // -nographic: no display, COM1 on stdio (unless -serial)
  bool help = false;                 // -h / --help
  Accel accel = Accel::Jit;          // -accel jit|interp (interp where the JIT cannot run)
  u64 jit_buffer_bytes = 32ull << 20;  // --jit-buffer SIZE: code buffer (dropped wholesale when full)
  bool lockstep = false;             // --lockstep: check every translated block against the interpreter
};

// Highest RAM address a flat binary may reach: the end of conventional memory, so the image
// never overlaps the VGA hole or the BIOS area and stays reachable from real mode.
constexpr u32 kFlatLimit = 0xA0000;

// Parses argv[1..] (args excludes the program name). Throws pcjit::Error on a bad option.
Options parse_options(std::span<const char* const> args);

// Parses a memory size: a number of MiB, or a number with a K/M/G suffix (binary units).
u64 parse_size(const std::string& text);

// Parses a decimal or 0x-prefixed hexadecimal unsigned number.
u64 parse_number(const std::string& option, const std::string& text);

std::string usage_text();

}  // namespace pcjit::frontend
