// String instructions (SDM Vol. 2, "MOVS", "CMPS", "SCAS", "LODS", "STOS", "INS", "OUTS" and
// "REP/REPE/REPZ/REPNE/REPNZ"): A4-AF, 6C-6F.
//
// One step function per operation; the REP driver around it is shared. The address size picks
// SI/DI/CX or ESI/EDI/ECX; the source segment is DS or the override, the destination is always
// ES. Each iteration commits its own register updates, so a fault in the middle of a REP leaves
// the registers as updated so far and EIP at the instruction: the restart continues where it
// stopped (SDM Vol. 2, "REP": "the processor ... can be restarted"). Long runs return to the
// loop every kChunk iterations with EIP still at the instruction, so interrupts and timers are
// not starved.
#include <algorithm>
#include <cstring>

#include "flags.h"
#include "operands.h"

namespace pcjit::cpu {
namespace {

constexpr u32 kChunk = 4096;

enum class Str : u8 { Movs, Cmps, Scas, Lods, Stos, Ins, Outs };

constexpr bool compares(Str op) { return op == Str::Cmps || op == Str::Scas; }
constexpr bool uses_si(Str op) { return op == Str::Movs || op == Str::Cmps || op == Str::Lods || op == Str::Outs; }
constexpr bool uses_di(Str op) { return op != Str::Lods && op != Str::Outs; }

template <bool A32>
u32 index_reg(const Context& c, unsigned r) {
  if constexpr (A32) return c.s.reg32(r);
  return c.s.reg16(r);
}
template <bool A32>
void set_index_reg(Context& c, unsigned r, u32 v) {
  if constexpr (A32) c.s.set_reg32(r, v);
  else c.s.set_reg16(r, static_cast<u16>(v));
}

// One iteration: performs the access and advances (E)SI/(E)DI. Nothing is committed on a fault.
template <Str Op, class T, bool A32>
Exec step(Context& c, const Insn& i) {
  const u32 si = index_reg<A32>(c, ESI);
  const u32 di = index_reg<A32>(c, EDI);
  const u32 delta = (c.s.eflags & flag::DF) ? static_cast<u32>(-static_cast<i32>(sizeof(T))) : sizeof(T);
  if constexpr (Op == Str::Movs) {
    T v;
    MemRef dst;
    PCJIT_TRY(c.read<T>(i.seg, si, v));
    PCJIT_TRY(c.map<T>(ES, di, Access::Write, dst));
    c.store<T>(dst, v);
  } else if constexpr (Op == Str::Cmps) {
    T a, b;
    PCJIT_TRY(c.read<T>(i.seg, si, a));
    PCJIT_TRY(c.read<T>(ES, di, b));
    set_arith(c.s, sub_flags<T>(a, b, static_cast<T>(a - b), 0));
  } else if constexpr (Op == Str::Scas) {
    T b;
    PCJIT_TRY(c.read<T>(ES, di, b));
    const T a = c.reg<T>(EAX);
    set_arith(c.s, sub_flags<T>(a, b, static_cast<T>(a - b), 0));
  } else if constexpr (Op == Str::Lods) {
    T v;
    PCJIT_TRY(c.read<T>(i.seg, si, v));
    c.set_reg<T>(EAX, v);
  } else if constexpr (Op == Str::Stos) {
    PCJIT_TRY(c.write<T>(ES, di, c.reg<T>(EAX)));
  } else if constexpr (Op == Str::Ins) {
    // The destination is checked before the port is read: a port read has side effects.
    const u16 port = c.reg<u16>(EDX);
    PCJIT_TRY(c.check_io(port, sizeof(T)));
    MemRef dst;
    PCJIT_TRY(c.map<T>(ES, di, Access::Write, dst));
    c.store<T>(dst, static_cast<T>(c.port_in(port, sizeof(T))));
  } else {  // Outs
    const u16 port = c.reg<u16>(EDX);
    PCJIT_TRY(c.check_io(port, sizeof(T)));
    T v;
    PCJIT_TRY(c.read<T>(i.seg, si, v));
    c.port_out(port, sizeof(T), v);
  }
  if constexpr (uses_si(Op)) set_index_reg<A32>(c, ESI, si + delta);
  if constexpr (uses_di(Op)) set_index_reg<A32>(c, EDI, di + delta);
  return Exec::Ok;
}

// Bulk path for REP MOVS/STOS going upward: a run of elements that stays inside one page of
// plain RAM (the TLB gave a host pointer, so no MMIO, ROM or code page), inside the segment limit
// and, with 16-bit addressing, below the 64 KiB wrap, is copied element by element on host
// memory: the same forward order as the hardware, so overlapping copies replicate patterns
// exactly as REP MOVS does. Anything unusual (DF, observer, alignment checks, a fault) returns 0
// and the per-element path handles it, faults included.
template <class T, bool A32>
u8* host_run(Context& c, unsigned seg, u32 off, Access acc, u32& max) {
  const Segment& sg = c.s.seg[seg];
  if (!(acc == Access::Write ? sg.writable : sg.readable)) return nullptr;
  u64 end = u64{sg.hi} + 1;
  if (!A32 && end > 0x10000) end = 0x10000;
  if (off < sg.lo || u64{off} + sizeof(T) > end) return nullptr;
  const u32 lin = sg.base + off;
  const u64 bytes = std::min<u64>(end - off, 0x1000 - (lin & 0xFFF));
  const u32 n = static_cast<u32>(bytes / sizeof(T));
  if (n == 0) return nullptr;
  MemRef r;
  if (c.map_linear(lin, sizeof(T), acc, c.user_access(), r) != Exec::Ok) {
    c.exc.pending = false;  // the per-element path raises it again, precisely
    return nullptr;
  }
  if (!r.host) return nullptr;
  max = std::min(max, n);
  return r.host;
}

template <Str Op, class T, bool A32>
u32 bulk(Context& c, const Insn& i, u32 max) {
  if ((c.s.eflags & flag::DF) || c.observer || c.alignment_check) return 0;
  const u32 di = index_reg<A32>(c, EDI);
  u8* dst = host_run<T, A32>(c, ES, di, Access::Write, max);
  if (!dst) return 0;
  if constexpr (Op == Str::Stos) {
    const T v = c.reg<T>(EAX);
    for (u32 k = 0; k < max; ++k) std::memcpy(dst + k * sizeof(T), &v, sizeof(T));
  } else {
    const u32 si = index_reg<A32>(c, ESI);
    const u8* src = host_run<T, A32>(c, i.seg, si, Access::Read, max);
    if (!src) return 0;
    for (u32 k = 0; k < max; ++k) std::memcpy(dst + k * sizeof(T), src + k * sizeof(T), sizeof(T));
    set_index_reg<A32>(c, ESI, si + max * static_cast<u32>(sizeof(T)));
  }
  set_index_reg<A32>(c, EDI, di + max * static_cast<u32>(sizeof(T)));
  return max;
}

// The REP driver. F3 on MOVS/LODS/STOS/INS/OUTS and F2 on them alike repeat while the count is
// non-zero; on CMPS/SCAS, F3 (REPE) also stops when ZF = 0 and F2 (REPNE) when ZF = 1.
template <Str Op, class T, bool A32>
struct StrOp {
  static Exec run(Context& c, const Insn& i) {
    if (!i.has(insn_flag::kRep | insn_flag::kRepne)) return step<Op, T, A32>(c, i);
    u32 count = index_reg<A32>(c, ECX);
    // Single-stepping traps after every iteration (SDM Vol. 3, 17.3.1.4), so TF shrinks the chunk.
    const u32 chunk = (c.s.eflags & flag::TF) ? 1 : kChunk;
    for (u32 n = 0; count != 0; ++n) {
      if (n >= chunk) return Exec::Stop;  // EIP unchanged: the loop comes back to finish
      if constexpr (Op == Str::Movs || Op == Str::Stos) {
        if (const u32 k = bulk<Op, T, A32>(c, i, std::min(count, chunk - n))) {
          count -= k;
          n += k - 1;
          set_index_reg<A32>(c, ECX, count);
          continue;
        }
      }
      PCJIT_TRY((step<Op, T, A32>(c, i)));
      set_index_reg<A32>(c, ECX, --count);
      if constexpr (compares(Op)) {
        const bool zf = c.s.eflags & flag::ZF;
        if (i.has(insn_flag::kRepne) ? zf : !zf) break;
      }
    }
    return Exec::Ok;
  }
};

template <Str Op, class T>
Handler pick_adsz(unsigned adsz) {
  return adsz == 4 ? &StrOp<Op, T, true>::run : &StrOp<Op, T, false>::run;
}
template <Str Op>
Handler bind_str_b(const DecodeView& v, Insn&) { return pick_adsz<Op, u8>(v.adsz); }
template <Str Op>
Handler bind_str_v(const DecodeView& v, Insn&) {
  return v.opsz == 4 ? pick_adsz<Op, u32>(v.adsz) : pick_adsz<Op, u16>(v.adsz);
}

// OUTS can change device state that decides interrupts, so it ends the block like OUT.
constexpr u16 kEnd = row_flag::kEndsBlock;

constexpr OpClass S = OpClass::kString;
// Every string instruction reads DF; CMPS/SCAS set all six like CMP; INS/OUTS also test IOPL. A
// REPE/REPNE prefix tests the ZF the iteration itself produced, never the incoming one (SDM "REP"
// Operation), so it adds no read.
constexpr RowFlags kDirOnly{flag::DF, 0, 0};
constexpr RowFlags kCompare{flag::DF, flag::kArith, 0};
constexpr RowFlags kPortString{flag::DF | flag::IOPL, 0, 0};

const OpcodeRow kRows[] = {
    {"insb", 0, 0x6C, 1, -1, 0, bind_str_b<Str::Ins>, OpClass::kIo, kPortString},
    {"insw/d", 0, 0x6D, 1, -1, 0, bind_str_v<Str::Ins>, OpClass::kIo, kPortString},
    {"outsb", 0, 0x6E, 1, -1, kEnd, bind_str_b<Str::Outs>, OpClass::kIo, kPortString},
    {"outsw/d", 0, 0x6F, 1, -1, kEnd, bind_str_v<Str::Outs>, OpClass::kIo, kPortString},
    {"movsb", 0, 0xA4, 1, -1, 0, bind_str_b<Str::Movs>, S, kDirOnly},
    {"movsw/d", 0, 0xA5, 1, -1, 0, bind_str_v<Str::Movs>, S, kDirOnly},
    {"cmpsb", 0, 0xA6, 1, -1, 0, bind_str_b<Str::Cmps>, S, kCompare},
    {"cmpsw/d", 0, 0xA7, 1, -1, 0, bind_str_v<Str::Cmps>, S, kCompare},
    {"stosb", 0, 0xAA, 1, -1, 0, bind_str_b<Str::Stos>, S, kDirOnly},
    {"stosw/d", 0, 0xAB, 1, -1, 0, bind_str_v<Str::Stos>, S, kDirOnly},
    {"lodsb", 0, 0xAC, 1, -1, 0, bind_str_b<Str::Lods>, S, kDirOnly},
    {"lodsw/d", 0, 0xAD, 1, -1, 0, bind_str_v<Str::Lods>, S, kDirOnly},
    {"scasb", 0, 0xAE, 1, -1, 0, bind_str_b<Str::Scas>, S, kCompare},
    {"scasw/d", 0, 0xAF, 1, -1, 0, bind_str_v<Str::Scas>, S, kCompare},
};

}  // namespace

std::span<const OpcodeRow> string_rows() { return kRows; }

}  // namespace pcjit::cpu
