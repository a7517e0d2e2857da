// Placeholder: rows of the shift family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> shift_rows() { return {}; }
}  // namespace pcjit::cpu
