// Shared pieces of the system-instruction family (system*.cpp): each sub-family file exports its
// opcode rows, and system.cpp joins them into the one span the opcode table asks for.
#pragma once
#include <span>

#include "../context.h"
#include "../decode/opcode_table.h"

namespace pcjit::cpu {

std::span<const OpcodeRow> system_table_rows();  // system_tables.cpp: 0F 00, 0F 01, LAR/LSL, ARPL, CLTS
std::span<const OpcodeRow> system_cr_rows();     // system_cr.cpp: MOV CRn/DRn, INVD, WBINVD
std::span<const OpcodeRow> system_msr_rows();    // system_msr.cpp: RDMSR/WRMSR/RDTSC/RDPMC/CPUID/SYSENTER
std::span<const OpcodeRow> system_x87_rows();    // system_x87.cpp: UD2, RSM, WAIT, ESC D8-DF

}  // namespace pcjit::cpu
