// Gathers every family's rows into one immutable lookup array, built once on first use.
// Index: [map][opcode][ModRM.reg][mem][mandatory prefix]; rows that take any reg, any form or any
// prefix fill every slot they cover. Two rows claiming the same slot is a programming error caught
// at start-up.
#include "opcode_table.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <vector>

namespace pcjit::cpu {
namespace {

struct Table {
  std::vector<const OpcodeRow*> all;
  std::unordered_map<const OpcodeRow*, u16> index;
  std::array<const OpcodeRow*, 2 * 256 * 8 * 2 * 4> slot{};

  // Prefix slot: 0 none, 1 66, 2 F3, 3 F2 (bit k of a row's pfx mask).
  static std::size_t at(u8 map, u8 op, u8 reg, bool mem, unsigned prefix) {
    return (((std::size_t{map} * 256 + op) * 8 + reg) * 2 + (mem ? 1 : 0)) * 4 + prefix;
  }

  void add(const OpcodeRow& r) {
    index.emplace(&r, static_cast<u16>(all.size()));
    all.push_back(&r);
    for (unsigned k = 0; k < r.count; ++k) {
      for (u8 reg = 0; reg < 8; ++reg) {
        if (r.ext >= 0 && r.ext != reg) continue;
        for (int mem = 0; mem < 2; ++mem) {
          if (mem && (r.flags & row_flag::kRegOnly)) continue;
          if (!mem && (r.flags & row_flag::kMemOnly)) continue;
          for (unsigned p = 0; p < 4; ++p) {
            if (!(r.prefixes & (1u << p))) continue;
            auto& s = slot[at(r.map, static_cast<u8>(r.opcode + k), reg, mem, p)];
            if (s) {
              std::fprintf(stderr, "pcjit: opcode table conflict: %s and %s\n", s->name, r.name);
              std::abort();
            }
            s = &r;
          }
        }
      }
    }
  }

  Table() {
    for (auto rows : {alu_rows(), arith_rows(), shift_rows(), muldiv_rows(), bcd_rows(), bit_rows(),
                      move_rows(), stack_rows(), string_rows(), branch_rows(), flag_rows(), io_rows(),
                      misc_rows(), system_rows(), farcall_rows(), simd_rows()})
      for (const OpcodeRow& r : rows) add(r);
  }
};

const Table& table() {
  static const Table t;
  return t;
}

}  // namespace

const OpcodeRow* find_row(u8 map, u8 opcode, u8 modrm_reg, bool mem, u8 mandatory) {
  if (map > 1) return nullptr;
  const unsigned p = mandatory == 0x66 ? 1 : mandatory == 0xF3 ? 2 : mandatory == 0xF2 ? 3 : 0;
  return table().slot[Table::at(map, opcode, modrm_reg & 7, mem, p)];
}

u16 row_index(const OpcodeRow* row) {
  const auto& idx = table().index;
  auto it = idx.find(row);
  return it == idx.end() ? 0xFFFF : it->second;
}

const OpcodeRow& row_at(u16 index) { return *table().all.at(index); }

std::span<const OpcodeRow* const> all_rows() { return table().all; }

}  // namespace pcjit::cpu
