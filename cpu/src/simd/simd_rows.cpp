// Gathers the SIMD group files' rows into the one span the opcode table asks for.
#include <vector>

#include "sse_common.h"

namespace pcjit::cpu {

std::span<const OpcodeRow> simd_rows() {
  static const std::vector<OpcodeRow> rows = [] {
    std::vector<OpcodeRow> all;
    for (auto part : {simd::mmx_arith_rows(), simd::mmx_pack_shift_rows(), simd::mmx_move_rows(),
                      simd::sse_move_rows(), simd::sse_arith_rows(), simd::sse_shuffle_rows(),
                      simd::sse_cvt_rows(), simd::sse2_move_rows()})
      all.insert(all.end(), part.begin(), part.end());
    return all;
  }();
  return rows;
}

}  // namespace pcjit::cpu
