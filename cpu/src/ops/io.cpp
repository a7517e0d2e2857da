// Placeholder: rows of the io family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> io_rows() { return {}; }
}  // namespace pcjit::cpu
