// Placeholder: rows of the bit family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> bit_rows() { return {}; }
}  // namespace pcjit::cpu
