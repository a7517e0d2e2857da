// Native ALU instructions: ADD OR ADC SBB AND SUB XOR CMP TEST (00-3D, 80-85, A8/A9, F6/F7 /0),
// INC/DEC (40-4F, FE/FF /0 /1), NOT/NEG (F6/F7 /2 /3), shifts and rotates (C0/C1, D0/D1),
// IMUL (0F AF, 69, 6B). Guest and host share these instructions exactly, flags included, so each
// is the same host instruction on the host registers holding the guest's (r8-r15) or on the host
// address the inline soft-MMU produced, e.g. `add ecx, eax` and `add [esi], eax`:
//   add r9d, r8d
//   <mem_begin Write> ; add [rsi], r8d ; <mem_end>
// The flags the host instruction produces are the guest's (FlagsAt::Host afterwards). LOCK needs
// nothing: the guest has one CPU and no other agent writes guest memory during an instruction.
#include "frame_layout.h"
#include "native_rows.h"

namespace pcjit::jit {
namespace {

using asmjit::imm;
using asmjit::InstId;
using FlagUse = Emitter::FlagUse;
namespace inst = x86::Inst;

constexpr InstId kAluInst[9] = {inst::kIdAdd, inst::kIdOr, inst::kIdAdc, inst::kIdSbb, inst::kIdAnd,
                                inst::kIdSub, inst::kIdXor, inst::kIdCmp, inst::kIdTest};
constexpr unsigned kTest = 8;

bool writes_result(unsigned op) { return op != 7 && op != kTest; }
FlagUse alu_flag_use(unsigned op) { return (op == 2 || op == 3) ? FlagUse::Reads : FlagUse::WritesAll; }

asmjit::Imm sized_imm(u32 v, unsigned size) {
  if (size == 1) return imm(static_cast<i8>(v));
  if (size == 2) return imm(static_cast<i16>(v));
  return imm(static_cast<i32>(v));
}
x86::Mem host_mem(unsigned size) { return x86::ptr(x86::rsi, 0, size); }
unsigned size_of(const Insn& i, bool byte) { return byte ? 1 : i.opsz; }

enum class Form : u8 { EG, GE, AI, EI };

// A byte form naming AH..BH: the register operands go through ecx/edx (Emitter::byte_proxy),
// loaded after the memory check, e.g. `add ah, bl`: mov ecx, r8d ; mov edx, r11d ; add ch, dl ;
// mov r8d, ecx.
bool alu_high_bytes(Emitter& e, const Insn& i, unsigned op, Form form) {
  auto& a = e.a;
  const InstId id = kAluInst[op];
  const FlagUse use = alu_flag_use(op);
  const bool wr = writes_result(op);
  if (!i.mem()) {
    if (use == FlagUse::Reads) e.flags_to_host();  // the proxy loads are flag-free
    const x86::Gp rm = Emitter::byte_proxy(a, i.rm, x86::ecx);
    if (form == Form::EI) {
      a.emit(id, rm, sized_imm(i.imm, 1));
    } else {
      const x86::Gp reg = Emitter::byte_proxy(a, i.reg, x86::edx);
      if (form == Form::EG) a.emit(id, rm, reg);
      else a.emit(id, reg, rm);
    }
    if (wr) {
      if (form == Form::GE) Emitter::byte_back(a, i.reg, x86::edx);
      else Emitter::byte_back(a, i.rm, x86::ecx);
    }
  } else {
    const bool dst_mem = form != Form::GE;
    Emitter::MemOp m = e.mem_begin(dst_mem && wr ? Access::Write : Access::Read, 1, use);
    const x86::Gp reg = Emitter::byte_proxy(a, i.reg, x86::ecx);
    if (form == Form::EG) a.emit(id, host_mem(1), reg);
    else a.emit(id, reg, host_mem(1));
    if (!dst_mem && wr) Emitter::byte_back(a, i.reg, x86::ecx);
    e.mem_end(m);
  }
  e.flags_set_by_host();
  return true;
}

// op = 0..7 (the opcode's bits 5:3), or kTest.
bool alu(Emitter& e, const Insn& i, unsigned op, Form form, unsigned size) {
  auto& a = e.a;
  // Byte register operands: ModRM.rm in the register form, and ModRM.reg unless it is an opcode
  // extension (the immediate forms).
  const bool bytes_low = (i.mem() || Emitter::low_byte(i.rm)) && (form == Form::EI || Emitter::low_byte(i.reg));
  if (size == 1 && form != Form::AI && !bytes_low) return alu_high_bytes(e, i, op, form);
  const InstId id = kAluInst[op];
  const FlagUse use = alu_flag_use(op);
  if (form == Form::AI) {
    if (use == FlagUse::Reads) e.flags_to_host();
    a.emit(id, Emitter::greg(cpu::EAX, size), sized_imm(i.imm, size));
  } else if (!i.mem()) {
    if (use == FlagUse::Reads) e.flags_to_host();
    const x86::Gp rm = Emitter::greg(i.rm, size), reg = Emitter::greg(i.reg, size);
    if (form == Form::EI) a.emit(id, rm, sized_imm(i.imm, size));
    else if (form == Form::EG) a.emit(id, rm, reg);
    else a.emit(id, reg, rm);
  } else {
    const bool dst_mem = form != Form::GE;
    const Access acc = dst_mem && writes_result(op) ? Access::Write : Access::Read;
    Emitter::MemOp m = e.mem_begin(acc, size, use);
    if (form == Form::EI) a.emit(id, host_mem(size), sized_imm(i.imm, size));
    else if (form == Form::EG) a.emit(id, host_mem(size), Emitter::greg(i.reg, size));
    else a.emit(id, Emitter::greg(i.reg, size), host_mem(size));
    e.mem_end(m);
  }
  e.flags_set_by_host();
  return true;
}

// 00-3D: the opcode carries the operation (bits 5:3) and the form (bits 2:0).
bool alu_block(Emitter& e, const Insn& i) {
  const unsigned op = (i.opcode >> 3) & 7, f = i.opcode & 7;
  static constexpr Form kForm[6] = {Form::EG, Form::EG, Form::GE, Form::GE, Form::AI, Form::AI};
  return alu(e, i, op, kForm[f], size_of(i, (f & 1) == 0));
}
// 80-83: group 1, operation in ModRM.reg; 80/82 byte.
bool alu_group1(Emitter& e, const Insn& i) { return alu(e, i, i.reg, Form::EI, size_of(i, (i.opcode & 1) == 0)); }
bool test_eg(Emitter& e, const Insn& i) { return alu(e, i, kTest, Form::EG, size_of(i, i.opcode == 0x84)); }
bool test_ai(Emitter& e, const Insn& i) { return alu(e, i, kTest, Form::AI, size_of(i, i.opcode == 0xA8)); }
bool test_ei(Emitter& e, const Insn& i) { return alu(e, i, kTest, Form::EI, size_of(i, i.opcode == 0xF6)); }

// One-operand forms on E (or on the register in the opcode for 40-4F): INC DEC NOT NEG.
bool unary(Emitter& e, const Insn& i, InstId id, FlagUse use, unsigned size, unsigned reg) {
  auto& a = e.a;
  if (!i.mem() && size == 1 && !Emitter::low_byte(reg)) {  // AH..BH: through ecx
    if (use == FlagUse::Reads) e.flags_to_host();
    a.emit(id, Emitter::byte_proxy(a, reg, x86::ecx));
    Emitter::byte_back(a, reg, x86::ecx);
  } else if (!i.mem()) {
    if (use == FlagUse::Reads) e.flags_to_host();
    a.emit(id, Emitter::greg(reg, size));
  } else {
    Emitter::MemOp m = e.mem_begin(Access::Write, size, use);
    a.emit(id, host_mem(size));
    e.mem_end(m);
  }
  if (use != FlagUse::None) e.flags_set_by_host();
  return true;
}
bool inc_dec_reg(Emitter& e, const Insn& i) {
  return unary(e, i, i.opcode < 0x48 ? inst::kIdInc : inst::kIdDec, FlagUse::Reads, i.opsz, i.opcode & 7);
}
bool inc_dec_e(Emitter& e, const Insn& i) {
  return unary(e, i, i.reg == 0 ? inst::kIdInc : inst::kIdDec, FlagUse::Reads, size_of(i, i.opcode == 0xFE), i.rm);
}
bool not_neg(Emitter& e, const Insn& i) {
  const bool neg = i.reg == 3;
  return unary(e, i, neg ? inst::kIdNeg : inst::kIdNot, neg ? FlagUse::WritesAll : FlagUse::None,
               size_of(i, i.opcode == 0xF6), i.rm);
}

// C0/C1 Ib and D0/D1 (by 1). The host computes the result, CF and SF ZF PF as the interpreter
// does. Where the SDM leaves a flag undefined the interpreter still defines it (shift.cpp: AF
// clear after shifts; OF by the count-1 formula for larger counts), and hosts differ (AMD clears
// OF, sets AF), so when the flag can be observed (Emitter::live_after) it is set again:
//   shl [dst], n ; seto al ; lahf ; and ah, ~AF        ; AF: shifts only (AND clears OF: AL keeps it)
//   <OF into al: 0 or 1, from the result's / operand's top bits and CF> ; add al, 0x7F ; sahf
// A zero count (masked) runs through the handler; D2/D3 (by CL) see shift_cl.
enum ShiftOp : unsigned { kRol, kRor, kRcl, kRcr, kShl, kShr, kSal, kSar };
constexpr InstId kShiftInst[8] = {inst::kIdRol, inst::kIdRor, inst::kIdRcl, inst::kIdRcr,
                                  inst::kIdShl, inst::kIdShr, inst::kIdShl, inst::kIdSar};

// ecx = the operand zero-extended (register or memory), flag-free.
void load_zx(x86::Assembler& a, const x86::Gp& dst32, const asmjit::Operand& src, unsigned size) {
  if (size == 4) a.emit(inst::kIdMov, dst32, src);
  else a.emit(inst::kIdMovzx, dst32, src);
}

// D2/D3: by CL. The count is known only at run time, but the host's shift by CL is the guest's,
// a zero count leaving every flag alone included; what the host may define differently are the
// undefined flags (OF for counts above 1, AF after shifts, CF of SHL/SHR/SAR by the operand width
// or more on 8/16-bit operands), so the form is native only when none of them can be observed:
//   <flags to host> ; mov ecx, r9d ; shl r8d, cl
bool shift_cl(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = size_of(i, (i.opcode & 1) == 0);
  const unsigned op = i.reg & 7;
  const bool rotate = op < 4;
  const u32 live = e.live_after();
  if (live & cpu::flag::OF) return false;
  if (!rotate && (live & cpu::flag::AF)) return false;
  if (!rotate && size < 4 && (live & cpu::flag::CF)) return false;
  if (!i.mem() && size == 1 && !Emitter::low_byte(i.rm)) return false;
  auto emit_op = [&](const asmjit::Operand& dst) {
    a.mov(x86::ecx, Emitter::greg(cpu::ECX, 4));  // after the memory check: flag-free
    a.emit(kShiftInst[op], dst, x86::cl);
  };
  e.on_rm(i, Access::Write, size, FlagUse::Reads, emit_op);  // Reads: a zero count keeps them
  e.flags_set_by_host();
  return true;
}

bool shift(Emitter& e, const Insn& i) {
  auto& a = e.a;
  if (i.opcode >= 0xD2) return shift_cl(e, i);
  const unsigned size = size_of(i, (i.opcode & 1) == 0);
  const unsigned count = (i.opcode == 0xD0 || i.opcode == 0xD1) ? 1 : (i.imm & 0x1F);
  if (count == 0) return false;
  const unsigned op = i.reg & 7;
  const bool rotate = op < 4;
  const u32 live = e.live_after();
  const bool fix_af = !rotate && (live & cpu::flag::AF);
  const bool fix_of = count > 1 && (live & cpu::flag::OF);
  if (size == 1 && !i.mem() && !Emitter::low_byte(i.rm)) {
    // AH..BH through ecx; the undefined-flag fix-ups need ecx themselves: handler then.
    if (fix_af || fix_of) return false;
    if (rotate) e.flags_to_host();
    a.emit(kShiftInst[op], Emitter::byte_proxy(a, i.rm, x86::ecx), imm(count));
    Emitter::byte_back(a, i.rm, x86::ecx);
    e.flags_set_by_host();
    return true;
  }
  const unsigned top = 8 * size - 1;  // bit number of the sign
  auto emit_op = [&](const asmjit::Operand& dst) {
    if (fix_of && (op == kShr || op == kRcr)) load_zx(a, x86::edi, dst, size);  // the operand
    if (fix_of && op == kRcr) a.setc(x86::dl);                                  // CF in
    a.emit(kShiftInst[op], dst, imm(count));
    if (!fix_af && !fix_of) return;
    if (!fix_of) a.seto(x86::al);  // the AND below clears OF: keep it for the ADD
    a.lahf();
    if (fix_af) a.and_(x86::ah, static_cast<u8>(~cpu::flag::AF));
    if (!fix_of) {
      a.add(x86::al, 0x7F);
      a.sahf();
      return;
    }
    switch (op) {
      case kShl: case kSal: case kRol: case kRcl:  // OF = MSB(result) ^ CF
        load_zx(a, x86::ecx, dst, size);
        a.shr(x86::ecx, top);
        a.mov(x86::al, x86::ah);
        a.xor_(x86::al, x86::cl);
        a.and_(x86::al, 1);
        break;
      case kRor:  // OF = MSB(result) ^ bit B-2 of the result
        load_zx(a, x86::ecx, dst, size);
        a.shr(x86::ecx, top - 1);
        a.mov(x86::al, x86::cl);
        a.shr(x86::al, 1);
        a.xor_(x86::al, x86::cl);
        a.and_(x86::al, 1);
        break;
      case kShr:  // OF = MSB(operand)
        a.shr(x86::edi, top);
        a.mov(x86::al, x86::dil);  // AL only: AH holds the flags
        break;
      case kRcr:  // OF = MSB(operand) ^ CF before the rotation
        a.shr(x86::edi, top);
        a.xor_(x86::dil, x86::dl);
        a.mov(x86::al, x86::dil);
        break;
      default:  // SAR: OF = 0
        a.mov(x86::al, 0);
        break;
    }
    a.add(x86::al, 0x7F);
    a.sahf();
  };
  // Rotates keep SF ZF AF PF (they read the flags); shifts by a nonzero count write all six.
  e.on_rm(i, Access::Write, size, rotate ? FlagUse::Reads : FlagUse::WritesAll, emit_op);
  e.flags_set_by_host();
  return true;
}

// 0F AF: IMUL Gv,Ev; 69: IMUL Gv,Ev,Iz; 6B: IMUL Gv,Ev,Ib (sign-extended by the decoder).
// The host defines CF = OF = "the product did not fit"; SF ZF AF PF are undefined (SDM "IMUL")
// and differ between host vendors, so where they can be observed (Emitter::live_after) they are
// set as the interpreter sets them (SF ZF PF from the truncated product, AF clear):
//   imul r8d, src ; setc dl ; test r8d, r8d ; lahf ; and ah, SF|ZF|PF ; or ah, dl
//   mov al, dl ; add al, 0x7F ; sahf                  ; OF = CF = dl
bool imul(Emitter& e, const Insn& i) {
  auto& a = e.a;
  const unsigned size = i.opsz;
  const x86::Gp r = Emitter::greg(i.reg, size);
  const bool three = i.map == 0;
  const bool fix = e.live_after() & (cpu::flag::SF | cpu::flag::ZF | cpu::flag::AF | cpu::flag::PF);
  auto emit_op = [&](const asmjit::Operand& src) {
    if (three) a.emit(inst::kIdImul, r, src, sized_imm(i.imm, size));
    else a.emit(inst::kIdImul, r, src);
    if (!fix) return;
    a.setc(x86::dl);
    a.test(r, r);
    a.lahf();
    a.and_(x86::ah, static_cast<u8>(cpu::flag::SF | cpu::flag::ZF | cpu::flag::PF));
    a.or_(x86::ah, x86::dl);
    a.mov(x86::al, x86::dl);
    a.add(x86::al, 0x7F);
    a.sahf();
  };
  e.on_rm(i, Access::Read, size, FlagUse::WritesAll, emit_op);
  e.flags_set_by_host();
  return true;
}

constexpr Purity R = Purity::RegForm;
constexpr NativeRow kRows[] = {
    {0, 0x00, 6, -1, alu_block, R}, {0, 0x08, 6, -1, alu_block, R}, {0, 0x10, 6, -1, alu_block, R},
    {0, 0x18, 6, -1, alu_block, R}, {0, 0x20, 6, -1, alu_block, R}, {0, 0x28, 6, -1, alu_block, R},
    {0, 0x30, 6, -1, alu_block, R}, {0, 0x38, 6, -1, alu_block, R},
    {0, 0x80, 4, -1, alu_group1, R},
    {0, 0x84, 2, -1, test_eg, R},   {0, 0xA8, 2, -1, test_ai, R},
    {0, 0xF6, 2, 0, test_ei, R},    {0, 0xF6, 2, 1, test_ei, R},
    {0, 0xF6, 2, 2, not_neg, R},    {0, 0xF6, 2, 3, not_neg, R},
    {0, 0x40, 16, -1, inc_dec_reg, R},
    {0, 0xFE, 1, 0, inc_dec_e, R},  {0, 0xFE, 1, 1, inc_dec_e, R},
    {0, 0xFF, 1, 0, inc_dec_e, R},  {0, 0xFF, 1, 1, inc_dec_e, R},
    {0, 0xC0, 2, -1, shift, Purity::ShiftImm}, {0, 0xD0, 4, -1, shift, Purity::ShiftImm},
    {1, 0xAF, 1, -1, imul, R},      {0, 0x69, 1, -1, imul, R},     {0, 0x6B, 1, -1, imul, R},
};

}  // namespace

std::span<const NativeRow> alu_native_rows() { return kRows; }

}  // namespace pcjit::jit
