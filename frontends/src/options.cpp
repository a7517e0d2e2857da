// Option parsing for pcjit. Accepts "-name value", "--name value" and "--name=value" alike, so
// both QEMU habits (-bios, -m, -debugcon) and GNU habits (--trace-file=F) work.
#include "frontend/options.h"

#include <cerrno>
#include <cstdlib>
#include <fmt/format.h>

namespace pcjit::frontend {

u64 parse_number(const std::string& option, const std::string& text) {
  if (text.empty() || text[0] == '-' || text[0] == '+')
    throw Error(fmt::format("{}: '{}' is not an unsigned number", option, text));
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (errno == ERANGE) throw Error(fmt::format("{}: '{}' is too large", option, text));
  if (end == text.c_str() || *end != '\0')
    throw Error(fmt::format("{}: '{}' is not an unsigned number", option, text));
  return v;
}

u64 parse_size(const std::string& text) {
  std::string digits = text;
  u64 unit = 1ull << 20;  // QEMU's -m default unit is MiB
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'k': case 'K': unit = 1ull << 10; digits.pop_back(); break;
      case 'm': case 'M': unit = 1ull << 20; digits.pop_back(); break;
      case 'g': case 'G': unit = 1ull << 30; digits.pop_back(); break;
      default: break;
    }
  }
  u64 n = parse_number("-m", digits);
  if (n == 0 || n > (u64{4} << 30) / unit)
    throw Error(fmt::format("-m: '{}' is not a usable memory size", text));
  u64 bytes = n * unit;
  if (bytes % 4096 != 0) throw Error(fmt::format("-m: '{}' is not a multiple of 4 KiB", text));
  if (bytes > (3ull << 30)) throw Error(fmt::format("-m: '{}' is more than 3 GiB", text));
  return bytes;
}

namespace {

// Options that take a value; everything else starting with '-' is a flag.
bool takes_value(const std::string& name) {
  return name == "bios" || name == "m" || name == "load-addr" || name == "trace-file" ||
         name == "max-insns" || name == "debugcon" || name == "machine" || name == "hda" ||
         name == "hdb" || name == "cdrom" || name == "fda" || name == "boot" || name == "serial" ||
         name == "bios-log" || name == "seabios-log" || name == "display" || name == "screenshot" ||
         name == "accel" || name == "jit-buffer";
}

void parse_sink(const std::string& spelled, const std::string& value, SinkMode& mode, std::string& file) {
  if (value == "stdio") {
    mode = SinkMode::Stdio;
  } else if (value == "none" || value == "null") {
    mode = SinkMode::None;
  } else if (value.rfind("file:", 0) == 0 && value.size() > 5) {
    mode = SinkMode::File;
    file = value.substr(5);
  } else {
    throw Error(fmt::format("{}: '{}' is not stdio, none or file:NAME", spelled, value));
  }
}

void apply(Options& o, const std::string& name, const std::string& spelled, const std::string& value) {
  if (name == "bios") {
    o.bios = value;
  } else if (name == "m") {
    o.ram_bytes = parse_size(value);
  } else if (name == "load-addr") {
    u64 a = parse_number(spelled, value);
    if (a % 16 != 0 || a < 0x500 || a >= kFlatLimit)
      throw Error(fmt::format("{}: {:#x} must be 16-byte aligned, within [0x500, {:#x})", spelled, a,
                              kFlatLimit));
    o.load_addr = static_cast<u32>(a);
  } else if (name == "trace-file") {
    if (value.empty()) throw Error(fmt::format("{}: empty file name", spelled));
    o.trace = true;
    o.trace_file = value;
  } else if (name == "max-insns") {
    o.max_insns = parse_number(spelled, value);
  } else if (name == "debugcon") {
    parse_sink(spelled, value, o.debugcon, o.debugcon_file);
  } else if (name == "serial") {
    parse_sink(spelled, value, o.serial, o.serial_file);
  } else if (name == "bios-log") {
    parse_sink(spelled, value, o.bios_log, o.bios_log_file);
  } else if (name == "seabios-log") {
    // QEMU-style spelling of --bios-log; a bare name is a file.
    if (value == "stdio" || value == "none" || value == "null" || value.rfind("file:", 0) == 0)
      parse_sink(spelled, value, o.bios_log, o.bios_log_file);
    else if (value.empty())
      throw Error(fmt::format("{}: empty file name", spelled));
    else
      o.bios_log = SinkMode::File, o.bios_log_file = value;
  } else if (name == "display") {
    // Only the headless display exists; QEMU's other back ends are GUI windows.
    if (value != "none") throw Error(fmt::format("{}: '{}' is not supported (only none)", spelled, value));
  } else if (name == "nographic") {
    o.nographic = true;
  } else if (name == "screenshot") {
    if (value.empty()) throw Error(fmt::format("{}: empty file name", spelled));
    o.screenshot = value;
  } else if (name == "machine") {
    if (value == "bare") o.machine = MachineKind::Bare;
    else if (value == "pc") o.machine = MachineKind::Pc;
    else throw Error(fmt::format("{}: '{}' is not bare or pc", spelled, value));
  } else if (name == "hda" || name == "hdb" || name == "cdrom" || name == "fda") {
    if (value.empty()) throw Error(fmt::format("{}: empty file name", spelled));
    (name == "hda" ? o.hda : name == "hdb" ? o.hdb : name == "cdrom" ? o.cdrom : o.fda) = value;
  } else if (name == "boot") {
    if (value.empty() || value.find_first_not_of("acdn") != std::string::npos)
      throw Error(fmt::format("{}: '{}' is not a list of the letters a, c, d, n", spelled, value));
    o.boot = value;
  } else if (name == "snapshot") {
    o.snapshot = true;
  } else if (name == "dump-screen" || name == "vga-text") {
    o.dump_screen = true;
  } else if (name == "trace") {
    o.trace = true;
  } else if (name == "stats") {
    o.stats = true;
  } else if (name == "accel") {
    // QEMU spells engines -accel NAME; tcg is QEMU's translator, so it selects ours too.
    if (value == "jit" || value == "tcg") o.accel = Accel::Jit;
    else if (value == "interp") o.accel = Accel::Interp;
    else throw Error(fmt::format("{}: '{}' is not jit or interp", spelled, value));
  } else if (name == "jit-buffer") {
    u64 bytes = 0;
    try {
      bytes = parse_size(value);  // same spelling as -m (MiB, or a K/M/G suffix)
    } catch (const Error&) {
      throw Error(fmt::format("{}: '{}' is not a size (MiB, or with a K/M/G suffix)", spelled, value));
    }
    if (bytes < (1ull << 20)) throw Error(fmt::format("{}: '{}' is less than 1 MiB", spelled, value));
    o.jit_buffer_bytes = bytes;
  } else if (name == "lockstep") {
    o.lockstep = true;
  } else if (name == "h" || name == "help") {
    o.help = true;
  } else {
    throw Error(fmt::format("{}: unknown option (try --help)", spelled));
  }
}

}  // namespace

Options parse_options(std::span<const char* const> args) {
  Options o;
  bool machine_given = false;
  for (std::size_t k = 0; k < args.size(); ++k) {
    std::string arg = args[k];
    if (arg.size() < 2 || arg[0] != '-') {
      if (!o.flat.empty()) throw Error(fmt::format("{}: only one flat binary may be given", arg));
      o.flat = arg;
      continue;
    }
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string spelled = arg;
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      spelled = arg.substr(0, arg.find('='));
      has_value = true;
    }
    if (takes_value(name) && !has_value) {
      if (k + 1 >= args.size()) throw Error(fmt::format("{}: missing value", spelled));
      value = args[++k];
      has_value = true;
    } else if (!takes_value(name) && has_value) {
      throw Error(fmt::format("{}: takes no value", spelled));
    }
    apply(o, name, spelled, value);
    if (name == "machine") machine_given = true;
  }
  if (o.help) return o;
  // QEMU's -nographic: the serial port takes over the terminal unless -serial says otherwise.
  if (o.nographic && o.serial == SinkMode::None && o.serial_file.empty()) o.serial = SinkMode::Stdio;
  // As in QEMU, drives alone mean a PC: `pcjit -cdrom x.iso` boots it. With a flat binary or an
  // explicit -machine bare the PC options stay an error.
  const bool drives = !o.hda.empty() || !o.hdb.empty() || !o.cdrom.empty() || !o.fda.empty();
  if (!machine_given && o.flat.empty() && drives) o.machine = MachineKind::Pc;
  if (o.machine == MachineKind::Bare) {
    const bool pc_only = !o.hda.empty() || !o.hdb.empty() || !o.cdrom.empty() || !o.fda.empty() ||
                         o.snapshot || o.serial != SinkMode::None || o.bios_log != SinkMode::None ||
                         o.dump_screen || o.boot != "cad" || !o.screenshot.empty() || o.nographic;
    if (pc_only)
      throw Error(
          "-hda/-hdb/-cdrom/-fda/-boot/-snapshot/-serial/-nographic/--bios-log/--dump-screen/"
          "--screenshot need -machine pc");
    if (o.bios.empty() && o.flat.empty())
      throw Error("nothing to run: give -bios FILE and/or a FLAT_BINARY, or -machine pc (try --help)");
  }
  return o;
}

std::string usage_text() {
  return R"(usage: pcjit [options] [FLAT_BINARY]

Runs an IA-32 PC guest in the pcjit interpreter.

  -bios FILE          firmware image (a multiple of 64 KiB, at most 16 MiB), mapped at the top
                      of the 4 GiB space with its last 128 KiB aliased below 1 MiB; without a
                      FLAT_BINARY the CPU starts at the reset vector F000:FFF0
  FLAT_BINARY         raw code loaded at physical --load-addr and started in real mode with
                      CS=DS=ES=SS=load-addr/16, IP=0, SP=0xFFFE
  --load-addr ADDR    physical load address of FLAT_BINARY (default 0x10000; 16-byte aligned,
                      the image must end below 0xA0000)
  -m SIZE             guest RAM: MiB, or with a K/M/G suffix (default 32M, at most 3G)
  --trace             trace every instruction to stderr: CS:EIP, linear address, bytes,
                      Intel-syntax disassembly, changed registers (old->new), EFLAGS changes,
                      memory reads and writes; exceptions and interrupts on their own lines
  --trace-file F      like --trace, into file F
  --max-insns N       stop after N retired instructions
  -accel jit|interp   execution engine: the JIT (default on x86-64 hosts) or the interpreter
  --jit-buffer SIZE   JIT code buffer (default 32M; translations are dropped when it fills)
  --lockstep          run every translated block in the JIT and the interpreter and compare
  -debugcon MODE      port 0xE9 debug console: stdio (default), file:NAME, or none
  -machine bare|pc    bare (default): RAM, the images and the debug ports only;
                      pc: the i440FX PC board (PIC, PIT, CMOS, PCI, IDE, floppy, VGA, ...) that
                      boots SeaBIOS (-bios defaults to /usr/share/seabios/bios-256k.bin)
  -hda F, -hdb F      disk images (pc only; raw), -cdrom F (ISO), -fda F (floppy image);
                      without a FLAT_BINARY or -machine they select -machine pc, as in QEMU
  -boot ORDER         QEMU boot letters: a floppy, c disk, d CD, n network (default cad)
  -snapshot           keep guest disk writes in memory
  -serial MODE        COM1 output: stdio, file:NAME or none (default)
  --bios-log MODE     SeaBIOS debug log (port 0x402): stdio, file:NAME or none (default)
  --seabios-log F     the same as --bios-log: stdio, none, file:NAME or a file NAME
  --dump-screen, --vga-text
                      print the VGA text screen on stdout when the run ends
  --screenshot F.png  write the VGA screen (text or graphics) as a PNG when the run ends
  -nographic          no display; COM1 on stdio unless -serial is given (pc only)
  -display none       accepted for QEMU compatibility (there is no graphical display)
  --stats             print CPU event counters and the guest MIPS rate on stderr at the end
  -h, --help          this text

The exit port 0xF4 is always present: a guest write to it ends the run.

Exit status:
  V     the guest wrote V to port 0xF4 (low 8 bits, as the OS keeps only those)
  0     the --max-insns limit ended the run, or the guest powered off (ACPI S5 soft-off:
        SLP_TYP=S5 with SLP_EN written to PM1a control, e.g. Linux's poweroff)
  1     the CPU stopped on an error (e.g. HLT with interrupts off and no event pending)
  2     a host-side error: a bad option or an unusable file ("pcjit: FILE: reason")
  3     triple fault (the guest would reset)
)";
}

}  // namespace pcjit::frontend
