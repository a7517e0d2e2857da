// SSE scalar differential cases (binary32/binary64) against the host SSE unit, with random MXCSR
// rounding, DAZ and FTZ and all exceptions masked.
#include <cinttypes>
#include <cstdio>
#include <type_traits>

#include "diff_cases.h"

namespace pcjit::fpu_test {

#if defined(__x86_64__)
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

template <class F>
F my_min(F a, F b, sf::Env& e) { return sf::min(a, b, e); }
template <class F>
F my_max(F a, F b, sf::Env& e) { return sf::max(a, b, e); }

using u32 = std::uint32_t;
using u64 = std::uint64_t;
using i32 = std::int32_t;
using i64 = std::int64_t;

// One-source conversions: In is the source image, Out the destination image.
template <class In, class Out, Out (*Host)(In, std::uint32_t, std::uint32_t&), Out (*Mine)(In, sf::Env&)>
void cvt_sse(Rng& r, Stats& st) {
  SseMode m = gen_sse_mode(r);
  In a;
  if constexpr (sizeof(In) == 4) {
    a = gen_ieee<u32>(r, 23, 255);
    if (r.coin()) a = (a & 0x807FFFFFu) | ((0x7Eu + r.below(66)) << 23);  // around the int ranges
  } else if constexpr (std::is_same_v<In, i64>) {
    a = static_cast<i64>(r.next() >> r.below(64));
    if (r.coin()) a = -a;
  } else {
    a = gen_ieee<u64>(r, 52, 2047);
    if (r.coin()) a = (a & 0x800FFFFFFFFFFFFFull) | (u64{0x3FEu + r.below(66)} << 52);
  }
  std::uint32_t mx = 0;
  Out h = Host(a, m.mxcsr, mx);
  sf::Env e = m.env;
  Out mine = Mine(a, e);
  report(st, h == mine && (mx & 0x3F) == e.flags, m, static_cast<u64>(a), 0, static_cast<u64>(h), mx,
         static_cast<u64>(mine), e.flags);
}

u64 my_cvtss2sd(u32 a, sf::Env& e) { return sf::to_f64(sf::F32{a}, e).bits; }
u32 my_cvtsd2ss(u64 a, sf::Env& e) { return sf::to_f32(sf::F64{a}, e).bits; }
u32 my_cvtsi2ss(i64 a, sf::Env& e) { return sf::i64_to_f32(a, e).bits; }
u64 my_cvtsi2sd(i64 a, sf::Env& e) { return sf::i64_to_f64(a, e).bits; }
template <bool T>
i32 my_ss2si32(u32 a, sf::Env& e) { return sf::to_i32(sf::F32{a}, e, T); }
template <bool T>
i64 my_ss2si64(u32 a, sf::Env& e) { return sf::to_i64(sf::F32{a}, e, T); }
template <bool T>
i32 my_sd2si32(u64 a, sf::Env& e) { return sf::to_i32(sf::F64{a}, e, T); }
template <bool T>
i64 my_sd2si64(u64 a, sf::Env& e) { return sf::to_i64(sf::F64{a}, e, T); }

// COMIS*/UCOMIS*: ZF,PF,CF = 111 unordered, 000 greater, 001 less, 100 equal.
template <class U, class F, unsigned (*Host)(U, U, std::uint32_t, std::uint32_t&), bool Quiet>
void cmp_sse(Rng& r, Stats& st) {
  SseMode m = gen_sse_mode(r);
  U a = gen_ieee<U>(r, kFrac<U, F>, kEmax<U>);
  U b = r.below(4) == 0 ? a : gen_ieee_pair<U>(r, a, kFrac<U, F>, kEmax<U>, 0);
  std::uint32_t mx = 0;
  unsigned h = Host(a, b, m.mxcsr, mx);
  sf::Env e = m.env;
  sf::Cmp c = sf::compare(F{a}, F{b}, e, Quiet);
  static constexpr unsigned kFlags[] = {4, 1, 0, 7};  // Less, Equal, Greater, Unordered
  unsigned mine = kFlags[static_cast<int>(c)];
  report(st, h == mine && (mx & 0x3F) == e.flags, m, a, b, h, mx, mine, e.flags);
}

}  // namespace

std::span<const DiffCase> sse_cases() {
  static const DiffCase kCases[] = {
      {"addss", bin_sse<u32, sf::F32, host_addss, my_add<sf::F32>, 0, false>},
      {"subss", bin_sse<u32, sf::F32, host_subss, my_sub<sf::F32>, 0, false>},
      {"mulss", bin_sse<u32, sf::F32, host_mulss, my_mul<sf::F32>, 1, false>},
      {"divss", bin_sse<u32, sf::F32, host_divss, my_div<sf::F32>, 2, false>},
      {"sqrtss", bin_sse<u32, sf::F32, host_sqrtss, my_sqrt<sf::F32>, 0, true>},
      {"minss", bin_sse<u32, sf::F32, host_minss, my_min<sf::F32>, 0, false>},
      {"maxss", bin_sse<u32, sf::F32, host_maxss, my_max<sf::F32>, 0, false>},
      {"comiss", cmp_sse<u32, sf::F32, host_comiss, false>},
      {"ucomiss", cmp_sse<u32, sf::F32, host_ucomiss, true>},
      {"cvtss2sd", cvt_sse<u32, u64, host_cvtss2sd, my_cvtss2sd>},
      {"cvtsi2ss", cvt_sse<i64, u32, host_cvtsi2ss, my_cvtsi2ss>},
      {"cvtss2si32", cvt_sse<u32, i32, host_cvtss2si32, my_ss2si32<false>>},
      {"cvttss2si32", cvt_sse<u32, i32, host_cvttss2si32, my_ss2si32<true>>},
      {"cvtss2si64", cvt_sse<u32, i64, host_cvtss2si64, my_ss2si64<false>>},
      {"cvttss2si64", cvt_sse<u32, i64, host_cvttss2si64, my_ss2si64<true>>},
      {"addsd", bin_sse<u64, sf::F64, host_addsd, my_add<sf::F64>, 0, false>},
      {"subsd", bin_sse<u64, sf::F64, host_subsd, my_sub<sf::F64>, 0, false>},
      {"mulsd", bin_sse<u64, sf::F64, host_mulsd, my_mul<sf::F64>, 1, false>},
      {"divsd", bin_sse<u64, sf::F64, host_divsd, my_div<sf::F64>, 2, false>},
      {"sqrtsd", bin_sse<u64, sf::F64, host_sqrtsd, my_sqrt<sf::F64>, 0, true>},
      {"minsd", bin_sse<u64, sf::F64, host_minsd, my_min<sf::F64>, 0, false>},
      {"maxsd", bin_sse<u64, sf::F64, host_maxsd, my_max<sf::F64>, 0, false>},
      {"comisd", cmp_sse<u64, sf::F64, host_comisd, false>},
      {"ucomisd", cmp_sse<u64, sf::F64, host_ucomisd, true>},
      {"cvtsd2ss", cvt_sse<u64, u32, host_cvtsd2ss, my_cvtsd2ss>},
      {"cvtsi2sd", cvt_sse<i64, u64, host_cvtsi2sd, my_cvtsi2sd>},
      {"cvtsd2si32", cvt_sse<u64, i32, host_cvtsd2si32, my_sd2si32<false>>},
      {"cvttsd2si32", cvt_sse<u64, i32, host_cvttsd2si32, my_sd2si32<true>>},
      {"cvtsd2si64", cvt_sse<u64, i64, host_cvtsd2si64, my_sd2si64<false>>},
      {"cvttsd2si64", cvt_sse<u64, i64, host_cvttsd2si64, my_sd2si64<true>>},
  };
  return kCases;
}

#else
// Not an x86-64 host: no oracle, no cases (pcjit_fpu_diff says it skipped).
std::span<const DiffCase> sse_cases() { return {}; }
#endif

}  // namespace pcjit::fpu_test
