// Evaluates a row's flag declaration for one decoded instance (see flag_effect.h). The count
// rules follow the "Flags Affected" sections of SDM Vol. 2 SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR and
// SHLD/SHRD, where "count" is the count masked to 5 bits:
//   count 0:            no flag is affected;
//   count 1:            OF is defined (a sign-change or MSB formula); for larger counts it is undefined;
//   SHL/SHR, count >= width: CF is undefined as well (SAR and the rotates define it);
//   SHLD/SHRD, count > width: the result and every flag are undefined.
#include "flag_effect.h"

namespace pcjit::cpu {
namespace {

// Where a shift's count comes from: D0/D1 shift by 1, D2/D3 and 0F A5/AD by CL, the rest by imm8.
enum class CountFrom { kOne, kImm, kCl };
CountFrom count_from(const Insn& i) {
  if (i.map == 0) return i.opcode == 0xD0 || i.opcode == 0xD1 ? CountFrom::kOne
                         : i.opcode == 0xD2 || i.opcode == 0xD3 ? CountFrom::kCl
                                                               : CountFrom::kImm;
  return i.opcode == 0xA5 || i.opcode == 0xAD ? CountFrom::kCl : CountFrom::kImm;
}

// Operand width in bits: the one-byte map's even shift opcodes (C0, D0, D2) are the byte forms.
unsigned width_of(const Insn& i) { return i.map == 0 && (i.opcode & 1) == 0 ? 8 : 8u * i.opsz; }

InsnFlags for_count(const RowFlags& f, unsigned count, unsigned width) {
  if (count == 0) return {};
  InsnFlags r{f.read, f.written, f.undefined};
  if (count == 1) r.undefined &= ~flag::OF;
  if (f.rule == FlagRule::kCountCf && count >= width) r.undefined |= flag::CF;
  if (f.rule == FlagRule::kCountDouble && count > width) r.undefined = f.written;
  return r;
}

}  // namespace

u32 condition_flags(unsigned cc) {
  using namespace flag;
  static constexpr u32 kByPair[8] = {OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF};
  return kByPair[(cc >> 1) & 7];
}

InsnFlags flag_effect(const OpcodeRow& row, const Insn& i, std::optional<u8> cl) {
  const RowFlags& f = row.fx;
  switch (f.rule) {
    case FlagRule::kFixed: return {f.read, f.written, f.undefined};
    case FlagRule::kCond: return {condition_flags(i.opcode & 0xF), f.written, f.undefined};
    case FlagRule::kCount:
    case FlagRule::kCountCf:
    case FlagRule::kCountDouble: {
      const unsigned width = width_of(i);
      switch (count_from(i)) {
        case CountFrom::kOne: return for_count(f, 1, width);
        case CountFrom::kImm: return for_count(f, i.imm & 0x1F, width);
        case CountFrom::kCl: break;
      }
      if (cl) return for_count(f, *cl & 0x1F, width);
      // Any count: the union of what each count 0..31 may do.
      InsnFlags u;
      for (unsigned n = 0; n < 32; ++n) {
        const InsnFlags k = for_count(f, n, width);
        u.read |= k.read;
        u.written |= k.written;
        u.undefined |= k.undefined;
      }
      return u;
    }
  }
  return {f.read, f.written, f.undefined};
}

}  // namespace pcjit::cpu
