// SSE scalar differential cases (binary32/binary64) against the host SSE unit, with random MXCSR
// rounding, DAZ and FTZ and all exceptions masked.
#include <cinttypes>
#include <cstdio>

#include "diff_cases.h"

namespace pcjit::fpu_test {

namespace {

struct SseMode {
  std::uint32_t mxcsr;
  sf::Env env;
};

SseMode gen_sse_mode(Rng& r) {
  unsigned rc = r.below(4);
  bool daz = r.below(4) == 0, ftz = r.below(4) == 0;
  SseMode m;
  m.mxcsr = 0x1F80 | (rc << 13) | (daz ? 0x40 : 0) | (ftz ? 0x8000 : 0);
  m.env.round = static_cast<sf::Round>(rc);
  m.env.daz = daz;
  m.env.ftz = ftz;
  return m;
}

void report(Stats& st, bool ok, const SseMode& m, std::uint64_t a, std::uint64_t b,
            std::uint64_t host, std::uint32_t host_mx, std::uint64_t mine, unsigned flags) {
  ++st.cases;
  if (ok) return;
  ++st.mismatches;
  if (st.show-- > 0)
    std::printf("  %s MISMATCH mxcsr=%04x a=%" PRIx64 " b=%" PRIx64 " host=%" PRIx64
                " flags=%02x | mine=%" PRIx64 " flags=%02x\n",
                st.name, m.mxcsr, a, b, host, host_mx & 0x3F, mine, flags);
}

template <class U, class F>
constexpr int kFrac = sizeof(U) == 4 ? 23 : 52;
template <class U>
constexpr int kEmax = sizeof(U) == 4 ? 255 : 2047;

template <class U, class F, U (*Host)(U, U, std::uint32_t, std::uint32_t&), F (*Mine)(F, F, sf::Env&),
          int Kind, bool Unary>
void bin_sse(Rng& r, Stats& st) {
  SseMode m = gen_sse_mode(r);
  U a = gen_ieee<U>(r, kFrac<U, F>, kEmax<U>);
  U b = gen_ieee_pair<U>(r, a, kFrac<U, F>, kEmax<U>, Kind);
  if (Unary && r.coin()) b &= ~(U{1} << (sizeof(U) * 8 - 1));
  std::uint32_t mx = 0;
  U h = Host(a, b, m.mxcsr, mx);
  sf::Env e = m.env;
  F mine = Unary ? Mine(F{b}, F{b}, e) : Mine(F{a}, F{b}, e);
  report(st, h == mine.bits && (mx & 0x3F) == e.flags, m, a, b, h, mx, mine.bits, e.flags);
}

template <class F>
F my_add(F a, F b, sf::Env& e) { return sf::add(a, b, e); }
template <class F>
F my_sub(F a, F b, sf::Env& e) { return sf::sub(a, b, e); }
template <class F>
F my_mul(F a, F b, sf::Env& e) { return sf::mul(a, b, e); }
template <class F>
F my_div(F a, F b, sf::Env& e) { return sf::div(a, b, e); }
template <class F>
F my_sqrt(F, F b, sf::Env& e) { return sf::sqrt(b, e); }

using u32 = std::uint32_t;
using u64 = std::uint64_t;

}  // namespace

std::span<const DiffCase> sse_cases() {
  static const DiffCase kCases[] = {
      {"addss", bin_sse<u32, sf::F32, host_addss, my_add<sf::F32>, 0, false>},
      {"subss", bin_sse<u32, sf::F32, host_subss, my_sub<sf::F32>, 0, false>},
      {"mulss", bin_sse<u32, sf::F32, host_mulss, my_mul<sf::F32>, 1, false>},
      {"divss", bin_sse<u32, sf::F32, host_divss, my_div<sf::F32>, 2, false>},
      {"sqrtss", bin_sse<u32, sf::F32, host_sqrtss, my_sqrt<sf::F32>, 0, true>},
      {"addsd", bin_sse<u64, sf::F64, host_addsd, my_add<sf::F64>, 0, false>},
      {"subsd", bin_sse<u64, sf::F64, host_subsd, my_sub<sf::F64>, 0, false>},
      {"mulsd", bin_sse<u64, sf::F64, host_mulsd, my_mul<sf::F64>, 1, false>},
      {"divsd", bin_sse<u64, sf::F64, host_divsd, my_div<sf::F64>, 2, false>},
      {"sqrtsd", bin_sse<u64, sf::F64, host_sqrtsd, my_sqrt<sf::F64>, 0, true>},
  };
  return kCases;
}

}  // namespace pcjit::fpu_test
