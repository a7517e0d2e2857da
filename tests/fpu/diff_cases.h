// The table of differential cases: one row per operation, each running a single random case.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "host_oracle.h"
#include "operand_gen.h"

namespace pcjit::fpu_test {

struct Options {
  std::uint64_t count = 20000;
  std::uint64_t seed = 1;
  std::string only;
  int show = 5;
};

struct Stats {
  const char* name;
  std::uint64_t cases = 0;
  std::uint64_t mismatches = 0;
  int show = 5;
  // Transcendentals are compared in ulps (the host is not correctly rounded either).
  bool ulp_mode = false;
  std::uint64_t max_ulp = 0;
  std::uint64_t beyond_one_ulp = 0;
};

struct DiffCase {
  const char* name;
  void (*run)(Rng&, Stats&);
};



}  // namespace pcjit::fpu_test

namespace pcjit::fpu_test {
std::span<const DiffCase> x87_cases();
std::span<const DiffCase> sse_cases();
std::span<const DiffCase> transcend_cases();
void run_bench(std::uint64_t count);  // soft-float throughput (no host oracle needed)
}  // namespace pcjit::fpu_test
