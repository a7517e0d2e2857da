// The JIT leaves exactly the flags the interpreter leaves, the ones the SDM calls undefined
// included, for every instruction it emits natively with host instructions. The truth is the
// interpreter (the reference semantics, itself checked against the SDM and the SingleStepTests
// vectors); the lockstep mode runs each block in both engines from one state and compares the
// whole CPU state, all of EFLAGS too. Operands are random with a bias to the edge values where
// flags change (0, sign bit, all ones) and shift counts cover 0..40 (masked, wider than the
// operand, and the RCL/RCR modulo counts).
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "jit/jit.h"
#include "ops_rig.h"

namespace {

using namespace pcjit;
using ops_test::Rig;

struct Case {
  const char* name;
  std::vector<u8> bytes;  // 32-bit code: EAX, ECX, EDX are the operands
};

const std::vector<Case>& cases() {
  static const std::vector<Case> k = {
      {"and eax,ecx", {0x21, 0xC8}},      {"or eax,ecx", {0x09, 0xC8}},      {"xor eax,ecx", {0x31, 0xC8}},
      {"test eax,ecx", {0x85, 0xC8}},     {"and al,cl", {0x20, 0xC8}},       {"and ax,cx", {0x66, 0x21, 0xC8}},
      {"add eax,ecx", {0x01, 0xC8}},      {"sub eax,ecx", {0x29, 0xC8}},     {"adc eax,ecx", {0x11, 0xC8}},
      {"sbb eax,ecx", {0x19, 0xC8}},      {"cmp eax,ecx", {0x39, 0xC8}},     {"add al,cl", {0x00, 0xC8}},
      {"adc ax,cx", {0x66, 0x11, 0xC8}},  {"sbb al,cl", {0x18, 0xC8}},       {"add eax,-5", {0x83, 0xC0, 0xFB}},
      {"inc eax", {0x40}},                {"dec eax", {0x48}},               {"inc al", {0xFE, 0xC0}},
      {"dec ax", {0x66, 0x48}},           {"neg eax", {0xF7, 0xD8}},         {"neg al", {0xF6, 0xD8}},
      {"not eax", {0xF7, 0xD0}},
      {"shl eax,cl", {0xD3, 0xE0}},       {"shr eax,cl", {0xD3, 0xE8}},      {"sar eax,cl", {0xD3, 0xF8}},
      {"rol eax,cl", {0xD3, 0xC0}},       {"ror eax,cl", {0xD3, 0xC8}},      {"rcl eax,cl", {0xD3, 0xD0}},
      {"rcr eax,cl", {0xD3, 0xD8}},       {"shl al,cl", {0xD2, 0xE0}},       {"shr al,cl", {0xD2, 0xE8}},
      {"sar al,cl", {0xD2, 0xF8}},        {"rcl al,cl", {0xD2, 0xD0}},       {"rcr al,cl", {0xD2, 0xD8}},
      {"rol al,cl", {0xD2, 0xC0}},        {"ror al,cl", {0xD2, 0xC8}},       {"shl ax,cl", {0x66, 0xD3, 0xE0}},
      {"shr ax,cl", {0x66, 0xD3, 0xE8}},  {"rcl ax,cl", {0x66, 0xD3, 0xD0}}, {"rcr ax,cl", {0x66, 0xD3, 0xD8}},
      {"shl eax,5", {0xC1, 0xE0, 0x05}},  {"sar eax,31", {0xC1, 0xF8, 0x1F}}, {"shl eax,1", {0xD1, 0xE0}},
      {"rol al,3", {0xC0, 0xC0, 0x03}},   {"ror eax,1", {0xD1, 0xC8}},       {"rcr eax,1", {0xD1, 0xD8}},
      {"shr eax,7", {0xC1, 0xE8, 0x07}},  {"rol eax,9", {0xC1, 0xC0, 0x09}}, {"rcl eax,4", {0xC1, 0xD0, 0x04}},
      {"rcr al,5", {0xC0, 0xD8, 0x05}},   {"rcl al,11", {0xC0, 0xD0, 0x0B}}, {"ror ax,12", {0x66, 0xC1, 0xC8, 0x0C}},
      {"shl al,9", {0xC0, 0xE0, 0x09}},   {"shr ax,17", {0x66, 0xC1, 0xE8, 0x11}}, {"sar al,30", {0xC0, 0xF8, 0x1E}},
      {"shl eax,0 (masked 32)", {0xC1, 0xE0, 0x20}},
      {"imul eax,ecx", {0x0F, 0xAF, 0xC1}}, {"imul eax,ecx,7", {0x6B, 0xC1, 0x07}},
      {"imul eax,ecx,imm32", {0x69, 0xC1, 0x78, 0x56, 0x34, 0x12}}, {"imul ax,cx", {0x66, 0x0F, 0xAF, 0xC1}},
      {"sete al", {0x0F, 0x94, 0xC0}},    {"cmovl eax,ecx", {0x0F, 0x4C, 0xC1}},
      {"clc", {0xF8}},                    {"stc", {0xF9}},                   {"cmc", {0xF5}},
      // AH..BH operands (through the JIT's legacy scratch registers).
      {"add ah,cl", {0x00, 0xCC}},        {"adc dh,al", {0x10, 0xC6}},       {"sub al,ah", {0x2A, 0xC4}},
      {"cmp ah,al", {0x38, 0xC4}},        {"test ah,0x45", {0xF6, 0xC4, 0x45}}, {"and ch,0x0F", {0x80, 0xE5, 0x0F}},
      {"inc ch", {0xFE, 0xC5}},           {"neg dh", {0xF6, 0xDE}},          {"shl ch,1", {0xD0, 0xE5}},
      {"rcr ah,3", {0xC0, 0xDC, 0x03}},   {"mov ah,dh", {0x88, 0xF4}},       {"mov ch,0x12", {0xB5, 0x12}},
      {"movzx eax,dh", {0x0F, 0xB6, 0xC6}}, {"movsx ax,ch", {0x66, 0x0F, 0xBE, 0xC5}},
      // Shifts by CL whose undefined flags are overwritten before anything sees them (the JIT's
      // native form); CF and ZF still flow into ADC and SETE, a zero count keeping them.
      {"shl eax,cl ; adc edx,0", {0xD3, 0xE0, 0x83, 0xD2, 0x00}},
      {"shr eax,cl ; sete dl ; xor ecx,ecx", {0xD3, 0xE8, 0x0F, 0x94, 0xC2, 0x31, 0xC9}},
      {"sar ax,cl ; adc edx,0", {0x66, 0xD3, 0xF8, 0x83, 0xD2, 0x00}},
      {"rol al,cl ; adc edx,0", {0xD2, 0xC0, 0x83, 0xD2, 0x00}},
  };
  return k;
}

u32 edge_value(std::mt19937& rng) {
  static const u32 kEdges[] = {0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000u, 0xFFFFFFFFu};
  const u32 r = rng();
  return (r & 3) == 0 ? kEdges[rng() % std::size(kEdges)] : rng();
}

}  // namespace

TEST_CASE("the JIT's native instructions leave every flag as the interpreter does (lockstep)") {
  if (!jit::host_supported()) {
    MESSAGE("SKIPPED: the JIT needs an x86-64 host");
    return;
  }
  std::mt19937 rng(2026);
  for (const Case& k : cases()) {
    const std::string name = k.name;
    CAPTURE(name);
    Rig r;
    r.flat32(true);
    r.cpu->set_translator(jit::make_translator({}));
    r.cpu->set_lockstep(true);
    u32 a = ops_test::kCode;
    for (u8 b : k.bytes) r.w8(a++, b);
    r.w8(a, 0xF4);
    const u32 end = a + 1;
    for (int n = 0; n < 300; ++n) {
      r.s().rip = ops_test::kCode;
      r.s().halted = false;
      r.set(cpu::EAX, edge_value(rng));
      r.set(cpu::ECX, n % 3 == 0 ? rng() % 41 : edge_value(rng));
      r.set(cpu::EDX, edge_value(rng));
      r.s().eflags = (r.s().eflags & ~cpu::flag::kArith) | (rng() & cpu::flag::kArith);
      r.cpu->run(10);
      REQUIRE_MESSAGE(r.cpu->lockstep_error().empty(), r.cpu->lockstep_error());
      REQUIRE(r.s().eip() == end);
    }
    CHECK(r.cpu->stats().lockstep_blocks >= 300);
  }
}
