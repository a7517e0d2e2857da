// One SingleStepTests 80286 vector, decoded from JSON into plain fields, plus the two things that
// decide how it is compared on a P6-class CPU: the flags the SDM leaves undefined for its
// instruction (from the opcode table), and the table of named 286-only behaviours that exclude a
// test (rules.cpp).
#pragma once
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pcjit::sst {

// Register order used throughout the harness (the JSON keys).
enum RegId : unsigned { AX, BX, CX, DX, CS, SS, DS, ES, SP, BP, SI, DI, IP, FLAGS, kRegCount };
inline constexpr std::array<const char*, kRegCount> kRegNames = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di", "ip", "flags"};

struct SstTest {
  std::string name;
  std::string hash;
  std::vector<uint8_t> bytes;  // the instruction followed by the HLT
  std::array<uint16_t, kRegCount> initial{};
  std::array<int32_t, kRegCount> final_regs{};  // -1: unchanged (not listed)
  std::vector<std::pair<uint32_t, uint8_t>> initial_ram;
  std::vector<std::pair<uint32_t, uint8_t>> final_ram;
  bool has_exception = false;
  int exception_number = 0;
  uint32_t flag_address = 0;

  uint16_t expected(RegId r) const {
    return final_regs[r] >= 0 ? static_cast<uint16_t>(final_regs[r]) : initial[r];
  }
};

// The instruction's prefix bytes, opcode and ModRM as the 16-bit real-mode decoder sees them.
struct InsnShape {
  size_t prefixes = 0;
  bool lock = false;
  bool rep = false;
  uint8_t opcode = 0;
  bool has_modrm = false;
  uint8_t modrm = 0;
  size_t modrm_end = 0;  // index just past ModRM and its displacement
  bool mem() const { return has_modrm && (modrm >> 6) != 3; }
};
InsnShape shape_of(std::span<const uint8_t> bytes);

// FLAGS bits the SDM calls undefined for this test's instruction, from its opcode-table row and,
// for a count in CL, the vector's initial CL.
uint16_t undefined_flags(const SstTest& t);
// The instruction accesses ports (IN, OUT, INS, OUTS: the row's class is OpClass::kIo).
bool is_port_io(const SstTest& t);

// A documented 286-vs-P6 difference: tests it applies to are excluded, and counted.
struct Rule {
  const char* name;
  const char* why;  // the SDM passage that makes the P6 behave differently
  bool (*applies)(std::string_view form, const SstTest& t);
};
std::span<const Rule> rules();

}  // namespace pcjit::sst
