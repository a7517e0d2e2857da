// Tracer formatting (see tracer.h). Output is plain text meant for grep and diff: fixed columns
// for address, bytes and disassembly, then the changes as name=old->new pairs.
#include "frontend/tracer.h"

#include <fmt/format.h>

#include "cpu/cpu.h"

namespace pcjit::frontend {

namespace {

constexpr const char* kRegNames[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
constexpr const char* kSegNames[cpu::kSegCount] = {"es", "cs", "ss", "ds", "fs", "gs"};

struct FlagName {
  u32 bit;
  const char* name;
};
constexpr FlagName kFlagNames[] = {
    {cpu::flag::CF, "CF"}, {cpu::flag::PF, "PF"}, {cpu::flag::AF, "AF"},   {cpu::flag::ZF, "ZF"},
    {cpu::flag::SF, "SF"}, {cpu::flag::TF, "TF"}, {cpu::flag::IF, "IF"},   {cpu::flag::DF, "DF"},
    {cpu::flag::OF, "OF"}, {cpu::flag::NT, "NT"}, {cpu::flag::RF, "RF"},   {cpu::flag::VM, "VM"},
    {cpu::flag::AC, "AC"}, {cpu::flag::VIF, "VIF"}, {cpu::flag::VIP, "VIP"}, {cpu::flag::ID, "ID"},
};

// Mnemonic names of the architectural exceptions (SDM Vol. 3A, Table 6-1).
constexpr const char* kExceptionNames[32] = {
    "DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "CSO", "TS", "NP", "SS", "GP", "PF", "15",
    "MF", "AC", "MC",  "XM", "VE", "CP", "22", "23", "24", "25",  "26", "27", "28", "29", "30", "31"};

void append_change(std::string& out, const char* name, u64 before, u64 after, int digits) {
  if (before == after) return;
  if (!out.empty()) out += ' ';
  out += fmt::format("{}={:#0{}x}->{:#0{}x}", name, before, digits + 2, after, digits + 2);
}

}  // namespace

std::string describe_eflags_change(u32 before, u32 after) {
  if (before == after) return {};
  std::string out = fmt::format("eflags={:#010x}->{:#010x} (", before, after);
  bool first = true;
  for (const FlagName& f : kFlagNames) {
    if ((before ^ after) & f.bit) {
      out += fmt::format("{}{}{}", first ? "" : " ", (after & f.bit) ? '+' : '-', f.name);
      first = false;
    }
  }
  if ((before ^ after) & cpu::flag::IOPL) {
    out += fmt::format("{}IOPL={}", first ? "" : " ", (after & cpu::flag::IOPL) >> 12);
  }
  out += ')';
  return out;
}

std::string describe_state_changes(const cpu::CpuState& b, const cpu::CpuState& a, unsigned len) {
  std::string out;
  for (unsigned r = 0; r < 8; ++r) append_change(out, kRegNames[r], b.gpr[r], a.gpr[r], 8);
  // EIP always moves; only a transfer (or a fault delivery) is news.
  const bool code32 = b.seg[cpu::CS].attrs & cpu::attr::DB;
  const u32 next = code32 ? b.eip() + len : static_cast<u16>(b.eip() + len);
  if (a.eip() != next || a.seg[cpu::CS].selector != b.seg[cpu::CS].selector)
    append_change(out, "eip", b.eip(), a.eip(), 8);
  for (unsigned k = 0; k < cpu::kSegCount; ++k) {
    append_change(out, kSegNames[k], b.seg[k].selector, a.seg[k].selector, 4);
    if (b.seg[k].selector == a.seg[k].selector) {
      // Same selector, different hidden part: a descriptor reload (e.g. after a mode switch).
      std::string base = fmt::format("{}.base", kSegNames[k]);
      append_change(out, base.c_str(), b.seg[k].base, a.seg[k].base, 8);
    }
  }
  std::string fl = describe_eflags_change(b.eflags, a.eflags);
  if (!fl.empty()) out += (out.empty() ? "" : " ") + fl;
  append_change(out, "cr0", b.cr0, a.cr0, 8);
  append_change(out, "cr2", b.cr2, a.cr2, 8);
  append_change(out, "cr3", b.cr3, a.cr3, 8);
  append_change(out, "cr4", b.cr4, a.cr4, 8);
  append_change(out, "gdtr.base", b.gdtr.base, a.gdtr.base, 8);
  append_change(out, "gdtr.limit", b.gdtr.limit, a.gdtr.limit, 4);
  append_change(out, "idtr.base", b.idtr.base, a.idtr.base, 8);
  append_change(out, "idtr.limit", b.idtr.limit, a.idtr.limit, 4);
  append_change(out, "ldtr", b.ldtr.selector, a.ldtr.selector, 4);
  append_change(out, "tr", b.tr.selector, a.tr.selector, 4);
  append_change(out, "cpl", b.cpl, a.cpl, 1);
  for (unsigned k = 0; k < 8; ++k) {
    std::string name = fmt::format("dr{}", k);
    append_change(out, name.c_str(), b.dr[k], a.dr[k], 8);
  }
  if (a.halted && !b.halted) out += out.empty() ? "halted" : " halted";
  return out;
}

std::string describe_access(const cpu::MemAccess& a) {
  std::string out = fmt::format("{} {} [{:#010x}]", a.write ? "wr" : "rd", a.size, a.linear);
  if (a.phys != a.linear) out += fmt::format(" phys {:#x}", a.phys);
  out += fmt::format(" = {:#0{}x}", a.value, 2 * a.size + 2);
  return out;
}

std::string describe_port(u16 port, unsigned size, bool write, u32 value) {
  return fmt::format("{} {} [port {:#06x}] = {:#0{}x}", write ? "out" : "in", size, port, value, 2 * size + 2);
}

std::string exception_name(u8 vector, u32 error, bool has_error) {
  std::string out = vector < 32 ? fmt::format("#{}", kExceptionNames[vector]) : fmt::format("#{}", vector);
  if (has_error) out += fmt::format("({:#06x})", error);
  return out + fmt::format(" (vector {})", vector);
}

void Tracer::write(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fputc('\n', out_);
}

void Tracer::note(const std::string& line) {
  finish();
  write(line);
  std::fflush(out_);
}

void Tracer::print_details() {
  for (const std::string& d : details_) write("      " + d);
  details_.clear();
}

void Tracer::print_insn(const cpu::CpuState& after, const char* suffix) {
  const cpu::CpuState& b = before_;
  const bool code32 = b.seg[cpu::CS].attrs & cpu::attr::DB;
  unsigned dlen = 0;
  std::string text = cpu::disassemble(std::span<const u8>(bytes_, len_), code32, b.eip(), &dlen);
  std::string hex;
  for (unsigned k = 0; k < len_; ++k) hex += fmt::format("{}{:02x}", k ? " " : "", bytes_[k]);
  std::string line = fmt::format("{:>8} {:04x}:{:0{}x} {:08x}  {:<20} {:<28}", count_,
                                 b.seg[cpu::CS].selector, b.eip(), code32 ? 8 : 4,
                                 static_cast<u32>(b.seg[cpu::CS].base + b.eip()), hex, text);
  line += suffix;
  std::string changes = describe_state_changes(b, after, len_);
  if (!changes.empty()) line += " " + changes;
  while (!line.empty() && line.back() == ' ') line.pop_back();
  write(line);
  print_details();
}

void Tracer::finish() {
  if (group_ == Group::Insn && live_) {
    // The instruction neither retired nor faulted before the run ended (should not happen).
    print_insn(*live_, " (unfinished)");
  } else if (group_ == Group::Delivery && live_) {
    // A delivery that changed nothing failed (every delivery pushes a frame or switches tasks):
    // the next line is the exception it raised.
    std::string changes = describe_state_changes(before_, *live_, 0);
    write(changes.empty() ? std::string("         not delivered") : "         delivered: " + changes);
    print_details();
  }
  group_ = Group::None;
  details_.clear();
}

void Tracer::before_insn(const cpu::CpuState& state, std::span<const u8> bytes) {
  finish();
  live_ = &state;
  before_ = state;
  len_ = static_cast<u8>(std::min<std::size_t>(bytes.size(), sizeof bytes_));
  std::copy_n(bytes.begin(), len_, bytes_);
  ++count_;
  group_ = Group::Insn;
}

void Tracer::after_insn(const cpu::CpuState& state) {
  print_insn(state, "");
  group_ = Group::None;
}

void Tracer::on_mem(const cpu::MemAccess& access) { details_.push_back(describe_access(access)); }

void Tracer::on_port(u16 port, unsigned size, bool write, u32 value) {
  details_.push_back(describe_port(port, size, write, value));
}

void Tracer::on_exception(u8 vector, u32 error_code, bool has_error) {
  // The faulting instruction changed nothing (faults are precise): print what it read so far.
  if (group_ == Group::Insn && live_) print_insn(*live_, " (faulted)");
  else finish();
  write("         exception " + exception_name(vector, error_code, has_error));
  if (live_) {
    before_ = *live_;
    group_ = Group::Delivery;
  }
}

void Tracer::on_interrupt(u8 vector) {
  finish();
  write(fmt::format("         interrupt vector {:#04x}", vector));
  if (live_) {
    before_ = *live_;
    group_ = Group::Delivery;
  }
}

}  // namespace pcjit::frontend
