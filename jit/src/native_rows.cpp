// Gathers the native emitter rows into a lookup table built once.
#include "native_rows.h"

#include <array>

namespace pcjit::jit {

namespace {

struct Table {
  // [map][opcode][reg]; reg 8 = "any" rows are spread over all eight.
  std::array<std::array<std::array<const NativeRow*, 8>, 256>, 2> at{};
  Table() {
    for (auto rows : {alu_native_rows(), move_native_rows(), branch_native_rows(), stack_native_rows(), io_native_rows(),
                      system_native_rows()})
      for (const NativeRow& r : rows)
        for (unsigned op = r.opcode; op < r.opcode + r.count; ++op)
          for (unsigned reg = 0; reg < 8; ++reg)
            if (r.ext < 0 || r.ext == static_cast<int>(reg)) at[r.map][op][reg] = &r;
  }
};

}  // namespace

const NativeRow* find_row(const Insn& i) {
  static const Table table;  // immutable after construction
  if (i.map > 1) return nullptr;
  return table.at[i.map][i.opcode][i.reg & 7];
}

NativeEmitter find_native(const Insn& i) {
  const NativeRow* r = find_row(i);
  return r ? r->emit : nullptr;
}

bool pure_native(const Insn& i) {
  const NativeRow* r = find_row(i);
  if (!r) return false;
  switch (r->purity) {
    case Purity::None: return false;
    case Purity::RegForm: return !i.mem();
    case Purity::Always: return true;
    case Purity::ShiftImm:
      return !i.mem() && i.opcode < 0xD2 && (i.opcode >= 0xD0 || (i.imm & 0x1F) != 0);
  }
  return false;
}

}  // namespace pcjit::jit
