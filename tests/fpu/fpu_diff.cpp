// pcjit_fpu_diff: differential test of the soft-float against the host x87/SSE (an independent
// oracle). Each operation draws --count operand sets (special values, boundary exponents,
// near-ties) across all rounding modes, x87 precision modes and SSE DAZ/FTZ, and compares result
// bits plus exception flags (and x87 C1/condition codes). Exit status 1 on any mismatch.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "diff_cases.h"

using namespace pcjit::fpu_test;

namespace {
std::vector<DiffCase> all_cases() {
  std::vector<DiffCase> v;
  for (const DiffCase& c : x87_cases()) v.push_back(c);
  for (const DiffCase& c : sse_cases()) v.push_back(c);
  for (const DiffCase& c : transcend_cases()) v.push_back(c);
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  Options opt;
  bool bench = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--count" && i + 1 < argc) opt.count = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--seed" && i + 1 < argc) opt.seed = std::strtoull(argv[++i], nullptr, 0);
    else if (a == "--op" && i + 1 < argc) opt.only = argv[++i];
    else if (a == "--show" && i + 1 < argc) opt.show = std::atoi(argv[++i]);
    else if (a == "--bench") bench = true;
    else {
      std::printf("usage: %s [--count N] [--seed S] [--op NAME] [--show K] [--bench]\n", argv[0]);
      return 2;
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress per operation on long runs
  if (bench) {
    run_bench(opt.count);
    return 0;
  }
  if (!kHostIsX86_64) {
    std::printf("SKIPPED: pcjit_fpu_diff needs an x86-64 host (the host FPU is the oracle)\n");
    return 0;
  }
  std::uint64_t total_bad = 0;
  for (const DiffCase& dc : all_cases()) {
    if (!opt.only.empty() && opt.only != dc.name) continue;
    Stats st{dc.name};
    st.show = opt.show;
    // splitmix64 steps its state by a fixed constant, so seeds must be mixed, not offset:
    // seed * increment would replay the same stream shifted by a few draws.
    Rng seeder{opt.seed};
    Rng rng{seeder.next() ^ (std::hash<std::string>{}(dc.name) * 0xD6E8FEB86659FD93ull)};
    for (std::uint64_t n = 0; n < opt.count; ++n) dc.run(rng, st);
    if (st.ulp_mode) {
      std::printf("%-12s %" PRIu64 " mismatches / %" PRIu64 " cases (max %" PRIu64
                  " ulp, %" PRIu64 " beyond 1 ulp or with different flags)\n",
                  dc.name, st.mismatches, st.cases, st.max_ulp, st.beyond_one_ulp);
      total_bad += st.beyond_one_ulp;
    } else {
      std::printf("%-12s %" PRIu64 " mismatches / %" PRIu64 " cases\n", dc.name, st.mismatches,
                  st.cases);
      total_bad += st.mismatches;
    }
  }
  return total_bad == 0 ? 0 : 1;
}
