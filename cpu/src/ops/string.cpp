// Placeholder: rows of the string family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> string_rows() { return {}; }
}  // namespace pcjit::cpu
