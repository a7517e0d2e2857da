// Placeholder: rows of the system family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> system_rows() { return {}; }
}  // namespace pcjit::cpu
