// Zydis -> Insn. This is the only place (with disasm.cpp) that sees Zydis types.
//
// Zydis supplies length, prefixes, ModRM and the effective-address recipe; the opcode table
// decides what the instruction means on our P6, EFLAGS effects included. So an encoding Zydis
// accepts that our table does not list is #UD, and semantics never depend on Zydis' mnemonic
// choice or its flag tables.
#include "decoder.h"

#include <Zydis/Zydis.h>

#include "flag_effect.h"
#include "opcode_table.h"

namespace pcjit::cpu {
namespace {

struct Decoders {
  ZydisDecoder d16, d32;
  Decoders() {
    ZydisDecoderInit(&d16, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
    ZydisDecoderInit(&d32, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
    // A P6 has none of the extensions Zydis decodes by default over older encodings, so they
    // decode as the P6 sees them: no CET (3E before an indirect JMP/CALL is a DS override, not
    // NOTRACK; F3 0F 1E FB is a hint NOP, not ENDBR32), no MPX or CLDEMOTE (0F 1A-1C are hint
    // NOPs), no LZCNT/TZCNT (F3 0F BC/BD are BSF/BSR with an ignored REP), no WBNOINVD.
    for (ZydisDecoder* d : {&d16, &d32})
      for (ZydisDecoderMode m : {ZYDIS_DECODER_MODE_CET, ZYDIS_DECODER_MODE_MPX, ZYDIS_DECODER_MODE_CLDEMOTE,
                                 ZYDIS_DECODER_MODE_LZCNT, ZYDIS_DECODER_MODE_TZCNT, ZYDIS_DECODER_MODE_WBNOINVD})
        ZydisDecoderEnableMode(d, m, ZYAN_FALSE);
  }
};
const Decoders& decoders() {
  static const Decoders d;
  return d;
}

u8 gpr_index(ZydisRegister r) {
  if (r == ZYDIS_REGISTER_NONE) return kNoReg;
  return static_cast<u8>(ZydisRegisterGetId(r));
}

u8 seg_index(ZydisRegister r) {
  switch (r) {
    case ZYDIS_REGISTER_ES: return ES;
    case ZYDIS_REGISTER_CS: return CS;
    case ZYDIS_REGISTER_SS: return SS;
    case ZYDIS_REGISTER_FS: return FS;
    case ZYDIS_REGISTER_GS: return GS;
    default: return DS;
  }
}

u8 override_seg(ZyanU64 attrs) {
  if (attrs & ZYDIS_ATTRIB_HAS_SEGMENT_ES) return ES;
  if (attrs & ZYDIS_ATTRIB_HAS_SEGMENT_CS) return CS;
  if (attrs & ZYDIS_ATTRIB_HAS_SEGMENT_SS) return SS;
  if (attrs & ZYDIS_ATTRIB_HAS_SEGMENT_FS) return FS;
  if (attrs & ZYDIS_ATTRIB_HAS_SEGMENT_GS) return GS;
  return DS;
}

// Copies up to 15 instruction bytes at CS:eip, stopping at the CS limit or at a page that cannot
// be fetched. The fault for the second page is kept aside: it only matters if the instruction
// really extends into that page.
struct Fetch {
  unsigned count = 0;
  bool limit_hit = false;
  bool fault_hit = false;
  PendingException fault;
};

Exec fetch(Context& c, u32 eip, FetchedInsn& out, Fetch& f) {
  const Segment& cs = c.s.seg[CS];
  u32 max = 15;
  if (eip > cs.limit) return c.raise_gp(0);
  if (u64{cs.limit} - eip + 1 < max) {
    max = cs.limit - eip + 1;
    f.limit_hit = true;
  }
  u32 lin = cs.base + eip;
  u32 first = 0x1000 - (lin & 0xFFF);
  if (first > max) first = max;
  u64 phys;
  PCJIT_TRY(c.translate(lin, Access::Exec, c.user_access(), phys, true));
  out.phys = phys;
  for (u32 k = 0; k < first; ++k) out.bytes[k] = static_cast<u8>(c.mem.read(phys + k, 1));
  out.phys_last = phys + first - 1;
  f.count = first;
  if (first < max) {
    u64 phys2;
    if (c.translate(lin + first, Access::Exec, c.user_access(), phys2, true) != Exec::Ok) {
      f.fault_hit = true;
      f.fault = c.exc;
      c.exc.pending = false;
      f.limit_hit = false;
      return Exec::Ok;
    }
    for (u32 k = first; k < max; ++k) out.bytes[k] = static_cast<u8>(c.mem.read(phys2 + (k - first), 1));
    out.phys_last = phys2;  // refined below once the length is known
    f.count = max;
  }
  return Exec::Ok;
}

}  // namespace

DecodeStatus decode_bytes(const u8* bytes, unsigned count, bool code32, Insn& i, InsnFlags& flags) {
  const Decoders& ds = decoders();
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  ZyanStatus st = ZydisDecoderDecodeFull(code32 ? &ds.d32 : &ds.d16, bytes, count, &zi, ops);
  if (st == ZYDIS_STATUS_NO_MORE_DATA) return DecodeStatus::kTruncated;
  if (st == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) return DecodeStatus::kTooLong;
  if (!ZYAN_SUCCESS(st)) return DecodeStatus::kInvalid;
  // A P6 knows no VEX/EVEX/XOP/3DNow!: C4/C5 with mod=3 are LES/LDS with a register (#UD).
  if (zi.encoding != ZYDIS_INSTRUCTION_ENCODING_LEGACY) return DecodeStatus::kInvalid;

  i = Insn{};
  i.len = zi.length;
  i.opcode = zi.opcode;
  if (zi.opcode_map == ZYDIS_OPCODE_MAP_DEFAULT) i.map = 0;
  else if (zi.opcode_map == ZYDIS_OPCODE_MAP_0F) i.map = 1;
  else return DecodeStatus::kInvalid;
  const bool o32 = code32 != ((zi.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE) != 0);
  const bool a32 = code32 != ((zi.attributes & ZYDIS_ATTRIB_HAS_ADDRESSSIZE) != 0);
  i.opsz = o32 ? 4 : 2;
  i.adsz = a32 ? 4 : 2;
  i.base = i.index = kNoReg;
  i.seg = override_seg(zi.attributes);
  if (zi.attributes & ZYDIS_ATTRIB_HAS_SEGMENT) i.flags |= insn_flag::kSegOverride;
  if (zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE)) i.flags |= insn_flag::kRep;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_REPNE) i.flags |= insn_flag::kRepne;
  if (zi.attributes & ZYDIS_ATTRIB_HAS_LOCK) i.flags |= insn_flag::kLock;

  bool has_modrm = zi.attributes & ZYDIS_ATTRIB_HAS_MODRM;
  bool mem = false;
  if (has_modrm) {
    i.reg = zi.raw.modrm.reg;
    i.rm = zi.raw.modrm.rm;
    mem = zi.raw.modrm.mod != 3;
    i.bytes_hint = static_cast<u8>(zi.raw.modrm.mod << 6 | zi.raw.modrm.reg << 3 | zi.raw.modrm.rm);
  } else {
    i.reg = zi.opcode & 7;
    i.rm = zi.opcode & 7;
  }

  unsigned nimm = 0;
  for (unsigned k = 0; k < zi.operand_count; ++k) {
    const ZydisDecodedOperand& op = ops[k];
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && op.visibility == ZYDIS_OPERAND_VISIBILITY_EXPLICIT &&
        (op.mem.type == ZYDIS_MEMOP_TYPE_MEM || op.mem.type == ZYDIS_MEMOP_TYPE_AGEN)) {
      if (!has_modrm) mem = true;  // moffs forms
      i.base = gpr_index(op.mem.base);
      i.index = gpr_index(op.mem.index);
      i.scale = op.mem.index == ZYDIS_REGISTER_NONE ? 0
                : op.mem.scale == 8 ? 3 : op.mem.scale == 4 ? 2 : op.mem.scale == 2 ? 1 : 0;
      i.disp = static_cast<u32>(op.mem.disp.value);
      if (op.mem.type == ZYDIS_MEMOP_TYPE_MEM) i.seg = seg_index(op.mem.segment);
    } else if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
      u32 v = static_cast<u32>(op.imm.value.u);
      if (nimm++ == 0) i.imm = v;
      else i.imm2 = v;
    } else if (op.type == ZYDIS_OPERAND_TYPE_POINTER) {
      i.imm = op.ptr.offset;
      i.imm2 = op.ptr.segment;
    }
  }
  if (mem) i.flags |= insn_flag::kMem;

  // Zydis reports a prefix that selects an SSE form as mandatory (not as REP/opsize attributes);
  // it is part of the opcode, so it picks the row.
  u8 mandatory = 0;
  for (unsigned k = 0; k < zi.raw.prefix_count; ++k)
    if (zi.raw.prefixes[k].type == ZYDIS_PREFIX_TYPE_MANDATORY) mandatory = zi.raw.prefixes[k].value;
  const OpcodeRow* row = find_row(i.map, i.opcode, i.reg, mem, mandatory);
  if (!row) return DecodeStatus::kInvalid;
  if ((i.flags & insn_flag::kLock) && (!(row->flags & row_flag::kLockable) || !mem)) return DecodeStatus::kInvalid;
  const DecodeView v{i.map, i.opcode, i.opsz, i.adsz, mem, code32, i.reg, i.rm,
                     (i.flags & insn_flag::kRep) != 0, (i.flags & insn_flag::kRepne) != 0,
                     (i.flags & insn_flag::kLock) != 0, (zi.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE) != 0};
  Handler h = row->bind(v, i);
  if (!h) return DecodeStatus::kInvalid;
  i.fn = h;
  i.row = row_index(row);
  // The flags come from the row (the SDM), not from Zydis: Zydis' tables are the independent
  // check in tests/unit/opcode_table_test.cpp.
  flags = flag_effect(*row, i);
  return DecodeStatus::kOk;
}

Exec decode_at(Context& c, u32 eip, FetchedInsn& out) {
  Fetch f;
  PCJIT_TRY(fetch(c, eip, out, f));
  switch (decode_bytes(out.bytes, f.count, c.code32(), out.insn, out.flags)) {
    case DecodeStatus::kOk: break;
    case DecodeStatus::kTruncated:
      if (f.fault_hit) {
        c.exc = f.fault;
        return Exec::Fault;
      }
      return c.raise_gp(0);  // ran into the CS limit or past 15 bytes
    case DecodeStatus::kTooLong: return c.raise_gp(0);
    case DecodeStatus::kInvalid: return c.raise_ud();
  }
  // The real last byte, for code-page tracking of page-crossing instructions.
  const u32 len = out.insn.len;
  u32 lin = c.s.seg[CS].base + eip;
  u32 first = 0x1000 - (lin & 0xFFF);
  out.phys_last = len <= first ? out.phys + len - 1 : out.phys_last + (len - first - 1);
  return Exec::Ok;
}

std::string disassemble(std::span<const u8> bytes, bool code32, u64 address, unsigned* len) {
  const Decoders& ds = decoders();
  ZydisDecodedInstruction zi;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(code32 ? &ds.d32 : &ds.d16, bytes.data(), bytes.size(), &zi, ops))) {
    if (len) *len = 0;
    return "(bad)";
  }
  ZydisFormatter fmt;
  ZydisFormatterInit(&fmt, ZYDIS_FORMATTER_STYLE_INTEL);
  char buf[256];
  ZydisFormatterFormatInstruction(&fmt, &zi, ops, zi.operand_count_visible, buf, sizeof buf, address, nullptr);
  if (len) *len = zi.length;
  return buf;
}

}  // namespace pcjit::cpu
