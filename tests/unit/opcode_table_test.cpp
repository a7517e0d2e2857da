// The opcode table's EFLAGS declarations and operation classes, checked form by form against an
// independent source: Zydis 4's instruction tables (Debian's libzydis-dev, maintained apart from
// this project). One instance of every form the table holds (each
// opcode of a row's range, each ModRM.reg it claims, register and memory form, with no prefix,
// 66, F3 and F2) is decoded by the project's decoder and by Zydis, and the flags the row gives
// it must be the flags Zydis reports, except where the SDM says otherwise: each such place is
// listed in kDisagreements with the SDM's words, and the row follows the SDM. Count-dependent
// shift flags, which Zydis does not model, are checked against the SDM's "Flags Affected" text
// directly.
#include <doctest/doctest.h>
#include <Zydis/Zydis.h>

#include <bit>
#include <set>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "../../cpu/src/decode/decoder.h"
#include "../../cpu/src/decode/flag_effect.h"
#include "../../cpu/src/decode/opcode_table.h"

namespace {

using namespace pcjit;
using namespace pcjit::cpu;

// Zydis as the P6 sees the encodings (the decoder's own settings, decoder.cpp).
struct P6Zydis {
  ZydisDecoder d32;
  P6Zydis() {
    ZydisDecoderInit(&d32, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    for (ZydisDecoderMode m : {ZYDIS_DECODER_MODE_CET, ZYDIS_DECODER_MODE_MPX, ZYDIS_DECODER_MODE_CLDEMOTE,
                               ZYDIS_DECODER_MODE_LZCNT, ZYDIS_DECODER_MODE_TZCNT, ZYDIS_DECODER_MODE_WBNOINVD})
      ZydisDecoderEnableMode(&d32, m, ZYAN_FALSE);
  }
};

// Zydis' flag actions in the masks' terms. Zydis names IOPL by its low bit; the masks use both.
// VM is never a read in the masks (it is the mode: blocks are keyed by it, see DESIGN.md), so it
// is dropped from Zydis' reads.
InsnFlags zydis_flags(const ZydisDecodedInstruction& zi) {
  InsnFlags f;
  if (!zi.cpu_flags) return f;
  const ZydisAccessedFlags& a = *zi.cpu_flags;
  auto norm = [](u32 m) { return (m & ZYDIS_CPUFLAG_IOPL) ? m | flag::IOPL : m; };
  f.read = norm(a.tested) & ~flag::VM;
  f.written = norm(a.modified | a.set_0 | a.set_1 | a.undefined);
  f.undefined = norm(a.undefined);
  return f;
}

struct Instance {
  const OpcodeRow& row;
  const Insn& insn;
  const ZydisDecodedInstruction& zi;
  u8 prefix;
  bool starts_with(const char* s) const { return std::string_view(row.name).starts_with(s); }
  bool ends_with(const char* s) const { return std::string_view(row.name).ends_with(s); }
  ZydisMnemonic mnemonic() const { return zi.mnemonic; }
};

// Where the rows follow the SDM and Zydis reports something else. Each entry adds to and removes
// from Zydis' masks to give the row's masks, for the instances it applies to.
struct Disagreement {
  const char* sdm;  // what the SDM says (Vol. 2 unless noted)
  bool (*applies)(const Instance&);
  u32 read_plus, read_minus, written_plus, written_minus, undef_plus, undef_minus;
};

constexpr u32 kTaskRead = fx::kAllFlags & ~flag::VM;

const Disagreement kDisagreements[] = {
    {"SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR: 'The OF flag is affected only for 1-bit shifts' (rotates: "
     "'only for single-bit rotates'); Zydis marks OF undefined for every count",
     [](const Instance& x) { return x.row.cls == OpClass::kShift && x.ends_with(",1"); }, 0, 0, 0, 0, 0, flag::OF},
    {"SHL/SHR: 'The CF flag is undefined for SHL and SHR instructions where the count is greater than or "
     "equal to the size (in bits) of the destination operand'; a count in CL can be, for 8- and 16-bit "
     "operands",
     [](const Instance& x) {
       return (x.starts_with("shl") || x.starts_with("shr") || x.starts_with("sal")) && x.ends_with(",CL") &&
              (x.insn.opcode == 0xD2 || x.insn.opsz == 2);
     },
     0, 0, 0, 0, flag::CF, 0},
    {"SHLD/SHRD: 'If the count is greater than the operand size, the result is undefined' and so are the "
     "flags; a count in CL can exceed 16",
     [](const Instance& x) { return x.insn.map == 1 && (x.insn.opcode == 0xA5 || x.insn.opcode == 0xAD) && x.insn.opsz == 2; },
     0, 0, 0, 0, flag::CF | flag::ZF | flag::SF | flag::PF, 0},
    {"JMP/CALL far, INT n/INT3/INTO/INT1, IRET: 'All flags are affected if a task switch occurs'; the old "
     "task's EFLAGS is saved in its TSS (Vol. 3A 7.3) and INT pushes EFLAGS; Zydis lists only the flags "
     "the non-task paths test and change",
     [](const Instance& x) { return x.row.cls == OpClass::kFar && !x.starts_with("retf"); }, kTaskRead, 0,
     fx::kAllFlags, 0, 0, 0},
    {"PUSHF: the image pushed is 'EFLAGS AND 00FCFFFFH': RF (and VM) are pushed as 0, never read",
     [](const Instance& x) { return x.starts_with("pushf"); }, 0, flag::RF, 0, 0, 0, 0},
    {"STI: with CR4.PVI/VME 'IF VIP = 0 THEN VIF <- 1 ELSE #GP(0)': it tests VIP",
     [](const Instance& x) { return x.starts_with("sti"); }, flag::VIP, 0, 0, 0, 0, 0},
    {"RSM: #UD outside SMM, and this model has no SMM, so it never restores EFLAGS",
     [](const Instance& x) { return x.starts_with("rsm"); }, 0, 0, 0, fx::kAllFlags, 0, 0},
    {"REPE/REPNE: the termination condition tests the ZF that the iteration's CMPS/SCAS just set ('REP' "
     "Operation), never the incoming ZF",
     [](const Instance& x) { return (x.starts_with("cmps") || x.starts_with("scas")) && (x.prefix == 0xF3 || x.prefix == 0xF2); },
     0, flag::ZF, 0, 0, 0, 0},
    {"SBB: 'The OF, SF, ZF, AF, PF, and CF flags are set according to the result' (AF is the borrow "
     "out of bit 3, as for SUB); Zydis marks AF undefined",
     [](const Instance& x) { return x.mnemonic() == ZYDIS_MNEMONIC_SBB; }, 0, 0, 0, 0, 0, flag::AF},
    {"MOV to/from CRn and DRn: 'The OF, SF, ZF, AF, PF, and CF flags are undefined'",
     [](const Instance& x) { return x.insn.map == 1 && x.insn.opcode >= 0x20 && x.insn.opcode <= 0x23; }, 0, 0,
     flag::kArith, 0, flag::kArith, 0},
};

// PAND/PANDN/POR/PXOR: Zydis files them with the integer LOGICAL instructions.
bool is_packed_logic(ZydisMnemonic m) {
  return m == ZYDIS_MNEMONIC_PAND || m == ZYDIS_MNEMONIC_PANDN || m == ZYDIS_MNEMONIC_POR || m == ZYDIS_MNEMONIC_PXOR;
}

// Rows that exist so that every encoding of a group has a name, but whose binder refuses every
// form (#UD on a P6): MOV to CS and to the nonexistent segment registers 6 and 7 (SDM MOV: "#UD If
// attempt is made to load the CS register"), the x87 holes, and FISTTP (SSE3, after the P6).
bool ud_only(const OpcodeRow& r) {
  const std::string_view n = r.name;
  return n == "mov CS,Ew" || n == "mov Sreg6,Ew" || n == "mov Sreg7,Ew" || n == "(bad)" || n.starts_with("fisttp");
}

// Zydis categories each class may carry (Zydis files a few instructions elsewhere; those are listed
// with the class that takes them).
bool class_matches(OpClass c, ZydisInstructionCategory z, ZydisMnemonic m) {
  switch (c) {
    case OpClass::kAlu:
      return z == ZYDIS_CATEGORY_BINARY || z == ZYDIS_CATEGORY_LOGICAL || z == ZYDIS_CATEGORY_DECIMAL ||
             z == ZYDIS_CATEGORY_SEMAPHORE;
    case OpClass::kMulDiv: return z == ZYDIS_CATEGORY_BINARY;
    case OpClass::kShift: return z == ZYDIS_CATEGORY_SHIFT || z == ZYDIS_CATEGORY_ROTATE;
    case OpClass::kBit: return z == ZYDIS_CATEGORY_BITBYTE || z == ZYDIS_CATEGORY_SETCC;
    case OpClass::kMove:
      return z == ZYDIS_CATEGORY_DATAXFER || z == ZYDIS_CATEGORY_CMOV || z == ZYDIS_CATEGORY_CONVERT ||
             z == ZYDIS_CATEGORY_SEGOP || m == ZYDIS_MNEMONIC_LEA || m == ZYDIS_MNEMONIC_XLAT;
    case OpClass::kStack:
      return z == ZYDIS_CATEGORY_PUSH || z == ZYDIS_CATEGORY_POP || m == ZYDIS_MNEMONIC_ENTER ||
             m == ZYDIS_MNEMONIC_LEAVE;
    case OpClass::kString: return z == ZYDIS_CATEGORY_STRINGOP;
    case OpClass::kBranch:
      return z == ZYDIS_CATEGORY_COND_BR || z == ZYDIS_CATEGORY_UNCOND_BR || z == ZYDIS_CATEGORY_CALL ||
             z == ZYDIS_CATEGORY_RET || m == ZYDIS_MNEMONIC_BOUND;
    case OpClass::kFar:
      return z == ZYDIS_CATEGORY_UNCOND_BR || z == ZYDIS_CATEGORY_CALL || z == ZYDIS_CATEGORY_RET ||
             z == ZYDIS_CATEGORY_INTERRUPT;
    case OpClass::kFlag: return z == ZYDIS_CATEGORY_FLAGOP;
    case OpClass::kIo: return z == ZYDIS_CATEGORY_IO || z == ZYDIS_CATEGORY_IOSTRINGOP;
    case OpClass::kSystem:
      return z == ZYDIS_CATEGORY_SYSTEM || z == ZYDIS_CATEGORY_SYSCALL || z == ZYDIS_CATEGORY_SYSRET ||
             m == ZYDIS_MNEMONIC_CPUID || m == ZYDIS_MNEMONIC_UD2 ||
             m == ZYDIS_MNEMONIC_MOV;  // MOV CRn/DRn: Zydis files every MOV under DATAXFER
    case OpClass::kNop:
      return z == ZYDIS_CATEGORY_NOP || z == ZYDIS_CATEGORY_WIDENOP || z == ZYDIS_CATEGORY_PREFETCH ||
             m == ZYDIS_MNEMONIC_PAUSE;
    case OpClass::kX87:
      return z == ZYDIS_CATEGORY_X87_ALU || z == ZYDIS_CATEGORY_FCMOV ||
             m == ZYDIS_MNEMONIC_FXSAVE || m == ZYDIS_MNEMONIC_FXRSTOR;  // Zydis: SSE
    case OpClass::kMmx: return z == ZYDIS_CATEGORY_MMX || z == ZYDIS_CATEGORY_DATAXFER || is_packed_logic(m);
    case OpClass::kSse:
      return z == ZYDIS_CATEGORY_SSE || z == ZYDIS_CATEGORY_LOGICAL_FP || z == ZYDIS_CATEGORY_CONVERT ||
             z == ZYDIS_CATEGORY_DATAXFER || is_packed_logic(m) || m == ZYDIS_MNEMONIC_LFENCE ||
             m == ZYDIS_MNEMONIC_MFENCE || m == ZYDIS_MNEMONIC_SFENCE || m == ZYDIS_MNEMONIC_CLFLUSH;
  }
  return false;
}

std::string hex(const std::vector<u8>& b) {
  std::string s;
  for (u8 x : b) s += fmt::format("{:02X} ", x);
  return s;
}

std::string masks(const InsnFlags& f) { return fmt::format("r={:#x} w={:#x} u={:#x}", f.read, f.written, f.undefined); }

// Byte sequences for one row: each opcode of its range, each ModRM.reg it claims, a memory form
// ([eax]) and register forms (every rm, since some escapes exist for one rm only), under each
// prefix the row takes (a row that takes any prefix: none, 66, F3 and F2). Immediates and
// displacements are 02h bytes (so an imm8 shift count is 2).
std::vector<std::pair<std::vector<u8>, u8>> candidates(const OpcodeRow& r) {
  std::vector<std::pair<std::vector<u8>, u8>> out;
  const u8 kPrefix[4] = {0, 0x66, 0xF3, 0xF2};  // bit k of OpcodeRow::prefixes
  for (unsigned p = 0; p < 4; ++p) {
    if (!(r.prefixes & (1u << p))) continue;
    const u8 prefix = kPrefix[p];
    for (unsigned k = 0; k < r.count; ++k) {
      std::vector<u8> head;
      if (prefix) head.push_back(prefix);
      if (r.map == 1) head.push_back(0x0F);
      head.push_back(static_cast<u8>(r.opcode + k));
      if (!(r.flags & row_flag::kModRM)) {
        auto b = head;
        b.insert(b.end(), 8, 0x02);
        out.emplace_back(b, prefix);
        continue;
      }
      for (unsigned reg = 0; reg < 8; ++reg) {
        if (r.ext >= 0 && static_cast<unsigned>(r.ext) != reg) continue;
        if (!(r.flags & row_flag::kRegOnly)) {
          auto b = head;
          b.push_back(static_cast<u8>(reg << 3));
          b.insert(b.end(), 8, 0x02);
          out.emplace_back(b, prefix);
        }
        if (!(r.flags & row_flag::kMemOnly)) {
          for (unsigned rm = 0; rm < 8; ++rm) {
            auto b = head;
            b.push_back(static_cast<u8>(0xC0 | reg << 3 | rm));
            b.insert(b.end(), 8, 0x02);
            out.emplace_back(b, prefix);
          }
        }
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every opcode-table form's EFLAGS masks and class agree with Zydis, or with the SDM where listed") {
  const P6Zydis z;
  std::vector<std::string> problems;
  std::set<std::string> reported;
  auto report_once = [&](const std::string& what, const std::string& bytes) {
    if (reported.insert(what).second) problems.push_back(what + " e.g. " + bytes);
  };
  std::vector<unsigned> used(std::size(kDisagreements), 0);
  unsigned checked = 0;
  const auto rows = all_rows();
  for (std::size_t index = 0; index < rows.size(); ++index) {
    const OpcodeRow& row = *rows[index];
    unsigned row_checked = 0;
    for (const auto& [bytes, prefix] : candidates(row)) {
      Insn insn;
      InsnFlags ours;
      if (decode_bytes(bytes.data(), static_cast<unsigned>(bytes.size()), true, insn, ours) != DecodeStatus::kOk) continue;
      if (insn.row != index) continue;  // the prefix selected another row: it is checked there
      ZydisDecodedInstruction zi;
      ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
      if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&z.d32, bytes.data(), bytes.size(), &zi, ops))) {
        problems.push_back(fmt::format("{}: {}decodes here but not in Zydis", row.name, hex(bytes)));
        continue;
      }
      const Instance x{row, insn, zi, prefix};
      InsnFlags expect = zydis_flags(zi);
      for (std::size_t k = 0; k < std::size(kDisagreements); ++k) {
        const Disagreement& d = kDisagreements[k];
        if (!d.applies(x)) continue;
        ++used[k];
        expect.read = (expect.read | d.read_plus) & ~d.read_minus;
        expect.written = (expect.written | d.written_plus) & ~d.written_minus;
        expect.undefined = (expect.undefined | d.undef_plus) & ~d.undef_minus;
      }
      // One report per row and kind of difference (the first instance's bytes), not per ModRM byte.
      if (ours.read != expect.read || ours.written != expect.written || ours.undefined != expect.undefined)
        report_once(fmt::format("{} ({}): row {} but Zydis/SDM {}", row.name, ZydisMnemonicGetString(zi.mnemonic),
                                masks(ours), masks(expect)), hex(bytes));
      // A row selected by its mandatory prefix is one instruction: Zydis must name it as the row does.
      if (row.prefixes != pfx::kAny) {
        const std::string_view name = row.name;
        if (name.substr(0, name.find(' ')) != ZydisMnemonicGetString(zi.mnemonic))
          report_once(fmt::format("{}: Zydis decodes it as {}", row.name, ZydisMnemonicGetString(zi.mnemonic)), hex(bytes));
      }
      if (!class_matches(row.cls, zi.meta.category, zi.mnemonic))
        report_once(fmt::format("{} ({}): class {} but Zydis category {}", row.name, ZydisMnemonicGetString(zi.mnemonic),
                                static_cast<int>(row.cls), ZydisCategoryGetString(zi.meta.category)), hex(bytes));
      ++row_checked;
    }
    // Every row is reachable: some encoding decodes to it, unless it is there to name a #UD hole.
    if (row_checked == 0 && !ud_only(row)) problems.push_back(fmt::format("{}: no form of this row decodes", row.name));
    if (row_checked != 0 && ud_only(row)) problems.push_back(fmt::format("{}: listed as #UD-only but decodes", row.name));
    checked += row_checked;
  }
  for (std::size_t k = 0; k < std::size(kDisagreements); ++k)
    if (!used[k]) problems.push_back(fmt::format("disagreement never applied: {}", kDisagreements[k].sdm));
  std::string report = fmt::format("forms checked: {}, problems: {}", checked, problems.size());
  for (std::size_t k = 0; k < problems.size() && k < 60; ++k) report += "\n  " + problems[k];
  INFO(report);
  CHECK(problems.empty());
  CHECK(checked > 5000);
}

TEST_CASE("every MMX and SSE row is selected by one mandatory prefix, and no other row is") {
  for (const OpcodeRow* r : all_rows()) {
    CAPTURE(r->name);
    const bool simd = r->cls == OpClass::kMmx || r->cls == OpClass::kSse;
    const unsigned n = std::popcount(static_cast<unsigned>(r->prefixes));
    if (simd) CHECK(n == 1);
    else CHECK(r->prefixes == pfx::kAny);
    if (r->cls == OpClass::kMmx) CHECK(r->prefixes == pfx::kNP);  // MMX forms have no prefix
  }
}

// Truth: SDM Vol. 2 "Flags Affected" of SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR and SHLD/SHRD.
TEST_CASE("shift and rotate flags follow the count as the SDM describes") {
  struct Case {
    std::vector<u8> bytes;
    std::optional<u8> cl;
    InsnFlags want;
  };
  using namespace flag;
  const Case cases[] = {
      // "If the count is 0, the flags are not affected."
      {{0xC1, 0xE0, 0x00}, {}, {0, 0, 0}},                   // shl eax, 0
      {{0xC1, 0xE0, 0x20}, {}, {0, 0, 0}},                   // shl eax, 32: masked to 0
      {{0xD3, 0xE0}, u8{0}, {0, 0, 0}},                      // shl eax, cl=0
      // "The OF flag is affected only for 1-bit shifts"; "AF is undefined" for a non-zero count.
      {{0xD1, 0xE0}, {}, {0, kArith, AF}},                   // shl eax, 1
      {{0xC1, 0xE0, 0x21}, {}, {0, kArith, AF}},             // shl eax, 33: masked to 1
      {{0xC1, 0xE0, 0x05}, {}, {0, kArith, AF | OF}},        // shl eax, 5
      // "CF ... undefined for SHL and SHR ... where the count is greater than or equal to the size"
      {{0xC0, 0xE0, 0x08}, {}, {0, kArith, AF | OF | CF}},   // shl al, 8
      {{0xC0, 0xE8, 0x07}, {}, {0, kArith, AF | OF}},        // shr al, 7
      {{0xD2, 0xE8}, u8{16}, {0, kArith, AF | OF | CF}},     // shr al, cl=16
      {{0x66, 0xD3, 0xE0}, u8{0x10}, {0, kArith, AF | OF | CF}},  // shl ax, cl=16
      {{0x66, 0xD3, 0xE0}, u8{0x0F}, {0, kArith, AF | OF}},       // shl ax, cl=15
      {{0xC0, 0xF8, 0x08}, {}, {0, kArith, AF | OF}},        // sar al, 8: SAR defines CF
      // Rotates: "the CF flag contains the value of the bit shifted into it"; OF only for 1-bit rotates;
      // RCL/RCR read CF; the other arithmetic flags are not affected.
      {{0xD0, 0xC0}, {}, {0, CF | OF, 0}},                   // rol al, 1
      {{0xC1, 0xC8, 0x03}, {}, {0, CF | OF, OF}},            // ror eax, 3
      {{0xC1, 0xD0, 0x05}, {}, {CF, CF | OF, OF}},           // rcl eax, 5
      {{0xD2, 0xD8}, u8{1}, {CF, CF | OF, 0}},               // rcr al, cl=1
      {{0xD2, 0xD8}, u8{0x20}, {0, 0, 0}},                   // rcr al, cl=32: masked to 0
      // SHLD/SHRD: "If the count is greater than the operand size, the result and flags are undefined."
      {{0x66, 0x0F, 0xA4, 0xD8, 0x11}, {}, {0, kArith, kArith}},   // shld ax, bx, 17
      {{0x66, 0x0F, 0xA4, 0xD8, 0x10}, {}, {0, kArith, AF | OF}},  // shld ax, bx, 16
      {{0x0F, 0xAC, 0xD8, 0x01}, {}, {0, kArith, AF}},             // shrd eax, ebx, 1
      {{0x0F, 0xAD, 0xD8}, u8{0}, {0, 0, 0}},                      // shrd eax, ebx, cl=0
  };
  for (const Case& c : cases) {
    Insn insn;
    InsnFlags decoded;
    REQUIRE(decode_bytes(c.bytes.data(), static_cast<unsigned>(c.bytes.size()), true, insn, decoded) == DecodeStatus::kOk);
    const InsnFlags got = c.cl ? flag_effect(row_at(insn.row), insn, c.cl) : decoded;
    CAPTURE(hex(c.bytes));
    CAPTURE(row_at(insn.row).name);
    CHECK(masks(got) == masks(c.want));
  }
}

TEST_CASE("a count in CL not known at decode time gives the union over every count") {
  // shl al, cl: any of count 0 (nothing), 1 (OF defined), 2..7, 8..31 (CF undefined) can happen.
  Insn insn;
  InsnFlags f;
  const u8 b[] = {0xD2, 0xE0};
  REQUIRE(decode_bytes(b, 2, true, insn, f) == DecodeStatus::kOk);
  CHECK(masks(f) == masks({0, flag::kArith, flag::AF | flag::OF | flag::CF}));
  // shl eax, cl: a 5-bit count never reaches 32, so CF is always defined when written.
  const u8 b32[] = {0xD3, 0xE0};
  REQUIRE(decode_bytes(b32, 2, true, insn, f) == DecodeStatus::kOk);
  CHECK(masks(f) == masks({0, flag::kArith, flag::AF | flag::OF}));
}

// Truth: SDM Vol. 1 Appendix B, Table B-1 (condition codes and the flags they test).
TEST_CASE("each condition code reads exactly the flags its condition tests") {
  using namespace flag;
  const u32 want[16] = {OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF};
  for (unsigned cc = 0; cc < 16; ++cc) {
    CAPTURE(cc);
    for (std::vector<u8> b : {std::vector<u8>{static_cast<u8>(0x70 + cc), 0x00},                 // Jcc rel8
                              std::vector<u8>{0x0F, static_cast<u8>(0x80 + cc), 0, 0, 0, 0},     // Jcc rel32
                              std::vector<u8>{0x0F, static_cast<u8>(0x90 + cc), 0xC0},           // SETcc al
                              std::vector<u8>{0x0F, static_cast<u8>(0x40 + cc), 0xC1}}) {        // CMOVcc eax, ecx
      Insn insn;
      InsnFlags f;
      REQUIRE(decode_bytes(b.data(), static_cast<unsigned>(b.size()), true, insn, f) == DecodeStatus::kOk);
      CHECK(f.read == want[cc]);
      CHECK(f.written == 0);
    }
  }
}
