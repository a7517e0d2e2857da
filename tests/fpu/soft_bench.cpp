// `pcjit_fpu_diff --bench`: soft-float throughput (operations per second) on operands from the
// same generators, so the interpreter's x87/SSE cost can be put in proportion.
#include <chrono>
#include <cstdio>
#include <vector>

#include "diff_cases.h"

namespace pcjit::fpu_test {

namespace {

template <class T, class Op>
void bench(const char* name, const std::vector<T>& a, const std::vector<T>& b, Op op) {
  constexpr int kRounds = 20;
  std::uint64_t sink = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < kRounds; ++r) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      sf::Env e;
      sink += op(a[i], b[i], e);
    }
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double n = static_cast<double>(a.size()) * kRounds;
  std::printf("%-10s %8.1f Mops/s (%6.1f ns/op)  [%llx]\n", name, n / s / 1e6, s / n * 1e9,
              static_cast<unsigned long long>(sink & 0xF));
}

}  // namespace

void run_bench(std::uint64_t count) {
  Rng r{12345};
  std::size_t n = count < 1000 ? 1000 : static_cast<std::size_t>(count);
  std::vector<sf::F80> a(n), b(n);
  std::vector<sf::F64> c(n), d(n);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = gen80(r);
    b[i] = gen80_pair(r, a[i], 0);
    c[i] = sf::F64{gen_ieee<std::uint64_t>(r, 52, 2047)};
    d[i] = sf::F64{gen_ieee<std::uint64_t>(r, 52, 2047)};
  }
  auto lo = [](sf::F80 v) { return v.sig; };
  bench("fadd", a, b, [&](sf::F80 x, sf::F80 y, sf::Env& e) { return lo(sf::add(x, y, e)); });
  bench("fmul", a, b, [&](sf::F80 x, sf::F80 y, sf::Env& e) { return lo(sf::mul(x, y, e)); });
  bench("fdiv", a, b, [&](sf::F80 x, sf::F80 y, sf::Env& e) { return lo(sf::div(x, y, e)); });
  bench("fsqrt", a, b, [&](sf::F80 x, sf::F80, sf::Env& e) { return lo(sf::sqrt(x, e)); });
  bench("fsin", a, b, [&](sf::F80 x, sf::F80, sf::Env& e) { return lo(sf::fsin(x, e).value); });
  bench("addsd", c, d, [](sf::F64 x, sf::F64 y, sf::Env& e) { return sf::add(x, y, e).bits; });
  bench("mulsd", c, d, [](sf::F64 x, sf::F64 y, sf::Env& e) { return sf::mul(x, y, e).bits; });
  bench("divsd", c, d, [](sf::F64 x, sf::F64 y, sf::Env& e) { return sf::div(x, y, e).bits; });
  bench("sqrtsd", c, d, [](sf::F64 x, sf::F64, sf::Env& e) { return sf::sqrt(x, e).bits; });
}

}  // namespace pcjit::fpu_test
