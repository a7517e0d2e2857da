// Placeholder: rows of the arith family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> arith_rows() { return {}; }
}  // namespace pcjit::cpu
