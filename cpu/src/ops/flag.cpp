// Placeholder: rows of the flag family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> flag_rows() { return {}; }
}  // namespace pcjit::cpu
