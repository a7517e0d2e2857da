// The system-instruction family (SDM Vol. 2 + Vol. 3A): descriptor-table registers, control and
// debug registers, MSRs, CPUID, SYSENTER/SYSEXIT, and the x87 escapes' device-not-available
// checks. The sub-families live in system_*.cpp; this file only joins their rows, so the opcode
// table still sees one "system" family.
#include <vector>

#include "system_ops.h"

namespace pcjit::cpu {

std::span<const OpcodeRow> system_rows() {
  static const std::vector<OpcodeRow> rows = [] {
    std::vector<OpcodeRow> all;
    for (auto part : {system_table_rows(), system_cr_rows(), system_msr_rows(), system_x87_rows()})
      all.insert(all.end(), part.begin(), part.end());
    return all;
  }();
  return rows;
}

}  // namespace pcjit::cpu
