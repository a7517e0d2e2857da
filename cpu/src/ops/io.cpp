// Port I/O (SDM Vol. 2, "IN", "OUT"): E4-E7 (port in an immediate byte), EC-EF (port in DX).
// The permission check (IOPL, or the TSS I/O bitmap in v86 mode / CPL > IOPL) runs before the
// access, because a port access has side effects. OUT ends the block: a device may raise or
// unmask an interrupt that the loop must see before the next instruction.
#include "operands.h"

namespace pcjit::cpu {
namespace {

template <bool Dx>
u16 port_of(const Context& c, const Insn& i) {
  return Dx ? c.reg<u16>(EDX) : static_cast<u16>(i.imm & 0xFF);
}

template <bool Dx>
struct In {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    const u16 port = port_of<Dx>(c, i);
    PCJIT_TRY(c.check_io(port, sizeof(T)));
    c.set_reg<T>(EAX, static_cast<T>(c.port_in(port, sizeof(T))));
    return Exec::Ok;
  }
};

template <bool Dx>
struct Out {
  template <class T, bool>
  static Exec run(Context& c, const Insn& i) {
    const u16 port = port_of<Dx>(c, i);
    PCJIT_TRY(c.check_io(port, sizeof(T)));
    c.port_out(port, sizeof(T), c.reg<T>(EAX));
    return Exec::Ok;
  }
};

constexpr u16 kEnd = row_flag::kEndsBlock;

// IN/OUT test IOPL against CPL (protected mode) before the I/O permission bitmap; no flag changes.
constexpr RowFlags kPortIo{flag::IOPL, 0, 0};

const OpcodeRow kRows[] = {
    {"in AL,Ib", 0, 0xE4, 1, -1, 0, bind_b<In<false>>, OpClass::kIo, kPortIo},
    {"in eAX,Ib", 0, 0xE5, 1, -1, 0, bind_v<In<false>>, OpClass::kIo, kPortIo},
    {"out Ib,AL", 0, 0xE6, 1, -1, kEnd, bind_b<Out<false>>, OpClass::kIo, kPortIo},
    {"out Ib,eAX", 0, 0xE7, 1, -1, kEnd, bind_v<Out<false>>, OpClass::kIo, kPortIo},
    {"in AL,DX", 0, 0xEC, 1, -1, 0, bind_b<In<true>>, OpClass::kIo, kPortIo},
    {"in eAX,DX", 0, 0xED, 1, -1, 0, bind_v<In<true>>, OpClass::kIo, kPortIo},
    {"out DX,AL", 0, 0xEE, 1, -1, kEnd, bind_b<Out<true>>, OpClass::kIo, kPortIo},
    {"out DX,eAX", 0, 0xEF, 1, -1, kEnd, bind_v<Out<true>>, OpClass::kIo, kPortIo},
};

}  // namespace

std::span<const OpcodeRow> io_rows() { return kRows; }

}  // namespace pcjit::cpu
