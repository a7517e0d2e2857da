// How a 286 vector is judged on a P6: the flags the SDM leaves undefined for its instruction, and
// the named 286-only behaviours that exclude a test.
//
// The undefined-flag masks come from the opcode table (each row's "Flags Affected" declaration,
// checked against Zydis in tests/unit/opcode_table_test.cpp), evaluated with the vector's own CL
// for counts in CL. They hide exactly what the SDM calls undefined and nothing more: a flag the SDM
// defines is compared even where an old CPU and a new one happen to agree, so a wrong flag cannot
// hide.
#include <cstring>

#include "../../cpu/src/decode/flag_effect.h"
#include "sst_test.h"

namespace pcjit::sst {
namespace {

// LOCK is valid only on these opcodes, and only with a memory destination (SDM Vol. 2A, "LOCK").
bool lockable(const InsnShape& s) {
  if (!s.mem()) return false;
  const unsigned reg = (s.modrm >> 3) & 7;
  switch (s.opcode) {
    case 0x00: case 0x01: case 0x08: case 0x09: case 0x10: case 0x11: case 0x18: case 0x19:
    case 0x20: case 0x21: case 0x28: case 0x29: case 0x30: case 0x31: case 0x86: case 0x87:
      return true;
    case 0x80: case 0x81: case 0x82: case 0x83: return reg != 7;
    case 0xF6: case 0xF7: return reg == 2 || reg == 3;
    case 0xFE: return reg <= 1;
    case 0xFF: return reg <= 1;
    default: return false;
  }
}

// ---- the 286-only rules ----------------------------------------------------------------------

// SDM Vol. 2A "LOCK": "An undefined opcode exception will be generated if the LOCK prefix is used
// with any instruction not in the above list or when the destination operand is not memory."
// The 286 accepts LOCK on any instruction; the vectors were captured with it.
bool rule_lock(std::string_view, const SstTest& t) {
  InsnShape s = shape_of(t.bytes);
  return s.lock && !lockable(s);
}

// Real-mode accesses that run past offset FFFFh: the 286 raises #GP (13) for every segment; the
// SDM (Vol. 3A 20.1.3 / the "Real-Address Mode Exceptions" of each instruction) has the P6 raise
// #SS for SS-relative operands, explicit (BP base, SS:) or implicit (stack operations). The
// vectors only hold the IVT entry the 286 used, so such tests cannot be compared.
bool uses_ss(const InsnShape& s, const std::vector<uint8_t>& b) {
  uint8_t seg = 0;
  for (size_t k = 0; k < s.prefixes; ++k)
    if (b[k] == 0x26 || b[k] == 0x2E || b[k] == 0x36 || b[k] == 0x3E) seg = b[k];
  if (s.mem()) {
    if (seg) return seg == 0x36;
    const unsigned mod = s.modrm >> 6, rm = s.modrm & 7;
    if (rm == 2 || rm == 3 || (rm == 6 && mod != 0)) return true;
  }
  // Implicit stack accesses.
  switch (s.opcode) {
    case 0x06: case 0x07: case 0x0E: case 0x16: case 0x17: case 0x1E: case 0x1F:
    case 0x60: case 0x61: case 0x68: case 0x6A: case 0x8F: case 0x9A: case 0x9C: case 0x9D:
    case 0xC2: case 0xC3: case 0xC8: case 0xC9: case 0xCA: case 0xCB: case 0xCC: case 0xCD:
    case 0xCE: case 0xCF: case 0xE8:
      return true;
    case 0xFF: {
      const unsigned reg = (s.modrm >> 3) & 7;
      return reg == 2 || reg == 3 || reg == 6;
    }
    default: return s.opcode >= 0x50 && s.opcode <= 0x5F;
  }
}

bool rule_ss_wrap(std::string_view, const SstTest& t) {
  return t.has_exception && t.exception_number == 13 && uses_ss(shape_of(t.bytes), t.bytes);
}

// SDM Vol. 2A 2.3.11: the P6 limit is 15 bytes. The 286 faults (#GP) on an instruction longer
// than 10 bytes (redundant prefixes included), which the P6 executes.
bool rule_length(std::string_view, const SstTest& t) { return t.has_exception && t.bytes.size() > 11; }

// SDM Vol. 1 3.4.2: the 386+ has six segment registers. On the 286, MOV to/from Sreg encodings
// 4 and 5 (FS, GS) are #UD; the P6 executes them.
bool rule_fs_gs(std::string_view, const SstTest& t) {
  InsnShape s = shape_of(t.bytes);
  const unsigned reg = (s.modrm >> 3) & 7;
  return (s.opcode == 0x8C || s.opcode == 0x8E) && (reg == 4 || reg == 5);
}

// Word string operations whose SI/DI is FFFFh: the access spans offsets FFFFh and 10000h. The
// SDM's real-address-mode exceptions for MOVS/CMPS/STOS/LODS/SCAS/INS/OUTS raise #GP (#SS for SS)
// when "a memory operand effective address is outside the ... segment limit"; the 286 wraps the
// second byte to offset 0 instead and completes the instruction (SDM Vol. 3B, "Segment
// Wraparound" in the IA-32 compatibility chapter: the 8086-style wrap became #GP/#SS).
bool rule_string_wrap(std::string_view, const SstTest& t) {
  InsnShape s = shape_of(t.bytes);
  bool si = false, di = false;
  switch (s.opcode) {
    case 0xA5: case 0xA7: si = di = true; break;
    case 0xAD: case 0x6F: si = true; break;
    case 0xAB: case 0xAF: case 0x6D: di = true; break;
    default: return false;
  }
  // With REP, any iteration may be the one at FFFFh: walk the index values the loop visits.
  const unsigned iterations = s.rep ? t.initial[CX] : 1;
  const uint16_t step = (t.initial[FLAGS] & 0x400) ? 0xFFFE : 2;  // DF
  uint16_t vs = t.initial[SI], vd = t.initial[DI];
  for (unsigned k = 0; k < iterations; ++k) {
    if ((si && vs == 0xFFFF) || (di && vd == 0xFFFF)) return true;
    vs = static_cast<uint16_t>(vs + step);
    vd = static_cast<uint16_t>(vd + step);
  }
  return false;
}

// The capture's 286 had no 80287 attached, so ESC (D8-DF) ran as a no-op that only computed its
// address. A P6 has the x87 on chip (SDM Vol. 1, 8.1; CPUID.1:EDX.FPU): ESC executes a floating-
// point instruction, or raises #NM when CR0.EM/TS is set (SDM Vol. 3A 2.5). These vectors describe
// no P6 behaviour; the x87 is tested against the host FPU instead.
bool rule_esc(std::string_view, const SstTest& t) {
  InsnShape s = shape_of(t.bytes);
  return s.opcode >= 0xD8 && s.opcode <= 0xDF;
}

const Rule kRules[] = {
    {"esc-without-coprocessor", "SDM Vol.1 8.1: the P6 FPU is on chip; the capture's 286 had none", rule_esc},
    {"insn-longer-than-10-bytes", "SDM 2.3.11: 15-byte limit on P6; the 286 faults beyond 10", rule_length},
    {"mov-sreg-fs-gs", "SDM Vol.1 3.4.2: FS/GS exist on 386+; the 286 #UDs Sreg 4/5", rule_fs_gs},
    {"string-word-at-ffff", "SDM MOVS..OUTS real-mode #GP: word past the limit; the 286 wraps", rule_string_wrap},
    {"ss-limit-gp-vs-ss", "SDM real-mode exceptions: #SS (not #GP) for SS accesses past FFFFh", rule_ss_wrap},
    {"lock-on-non-lockable", "SDM Vol.2A LOCK: #UD unless a listed RMW insn with memory destination", rule_lock},
};

}  // namespace

InsnShape shape_of(std::span<const uint8_t> b) {
  InsnShape s;
  size_t k = 0;
  while (k < b.size()) {
    uint8_t p = b[k];
    if (p == 0xF0) s.lock = true;
    else if (p == 0xF2 || p == 0xF3) s.rep = true;
    else if (!(p == 0x26 || p == 0x2E || p == 0x36 || p == 0x3E)) break;
    ++k;
  }
  s.prefixes = k;
  if (k >= b.size()) return s;
  s.opcode = b[k++];
  // One-byte opcodes with a ModRM byte on the 286 (the 0F map does not occur in these vectors).
  static constexpr uint8_t kModrmRanges[][2] = {
      {0x00, 0x03}, {0x08, 0x0B}, {0x10, 0x13}, {0x18, 0x1B}, {0x20, 0x23}, {0x28, 0x2B},
      {0x30, 0x33}, {0x38, 0x3B}, {0x62, 0x63}, {0x69, 0x69}, {0x6B, 0x6B}, {0x80, 0x8F},
      {0xC0, 0xC1}, {0xC4, 0xC7}, {0xD0, 0xD3}, {0xD8, 0xDF}, {0xF6, 0xF7}, {0xFE, 0xFF}};
  for (const auto& r : kModrmRanges)
    if (s.opcode >= r[0] && s.opcode <= r[1]) s.has_modrm = true;
  if (!s.has_modrm || k >= b.size()) {
    s.modrm_end = k;
    return s;
  }
  s.modrm = b[k++];
  const unsigned mod = s.modrm >> 6, rm = s.modrm & 7;
  if (mod == 1) k += 1;
  else if (mod == 2 || (mod == 0 && rm == 6)) k += 2;
  s.modrm_end = k;
  return s;
}

namespace {

// The vector's instruction as the emulator decodes it: real mode, 16-bit code.
bool decode(const SstTest& t, cpu::Insn& insn, cpu::InsnFlags& flags) {
  return cpu::decode_bytes(t.bytes.data(), static_cast<unsigned>(t.bytes.size()), /*code32=*/false, insn, flags) ==
         cpu::DecodeStatus::kOk;
}

}  // namespace

uint16_t undefined_flags(const SstTest& t) {
  cpu::Insn insn;
  cpu::InsnFlags flags;
  if (!decode(t, insn, flags)) return 0;  // #UD on a P6: no flag changes
  const auto cl = static_cast<uint8_t>(t.initial[CX]);
  return static_cast<uint16_t>(cpu::flag_effect(cpu::row_at(insn.row), insn, cl).undefined);
}

bool is_port_io(const SstTest& t) {
  cpu::Insn insn;
  cpu::InsnFlags flags;
  return decode(t, insn, flags) && cpu::row_at(insn.row).cls == cpu::OpClass::kIo;
}

std::span<const Rule> rules() { return kRules; }

}  // namespace pcjit::sst
