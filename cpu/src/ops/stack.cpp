// Placeholder: rows of the stack family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> stack_rows() { return {}; }
}  // namespace pcjit::cpu
