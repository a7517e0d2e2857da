// Placeholder: rows of the branch family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> branch_rows() { return {}; }
}  // namespace pcjit::cpu
