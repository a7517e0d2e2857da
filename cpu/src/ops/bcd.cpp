// Placeholder: rows of the bcd family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> bcd_rows() { return {}; }
}  // namespace pcjit::cpu
