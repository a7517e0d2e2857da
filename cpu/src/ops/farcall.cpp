// Placeholder: rows of the farcall family are added here.
#include "../decode/opcode_table.h"

namespace pcjit::cpu {
std::span<const OpcodeRow> farcall_rows() { return {}; }
}  // namespace pcjit::cpu
