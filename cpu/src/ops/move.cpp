// Placeholder: rows of the move family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> move_rows() { return {}; }
}  // namespace pcjit::cpu
