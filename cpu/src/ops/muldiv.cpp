// Placeholder: rows of the muldiv family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> muldiv_rows() { return {}; }
}  // namespace pcjit::cpu
