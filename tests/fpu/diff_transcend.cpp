// Transcendental differential cases: the host x87 is not correctly rounded, so results are
// compared in ulps (a case "mismatches" when the bits differ; it fails when it is more than 1 ulp
// away or any exception flag differs). Inputs stay inside each instruction's
// defined domain (SDM Vol. 2: F2XM1 |x| <= 1, FYL2XP1 |x| < 1 - sqrt(2)/2).
#include <cinttypes>
#include <cstdio>

#include "diff_cases.h"

namespace pcjit::fpu_test {

#if defined(__x86_64__)
namespace {

__extension__ typedef unsigned __int128 u128;

// Distance in ulps between two 80-bit values of the same sign (ordering key: exponent, sig).
std::uint64_t ulp_distance(sf::F80 a, sf::F80 b) {
  if (a == b) return 0;
  if (sf::is_nan(a) || sf::is_nan(b) || a.sign() != b.sign()) return ~0ull;
  u128 ka = (u128{a.exp()} << 63) | (a.sig & ~(1ull << 63));
  u128 kb = (u128{b.exp()} << 63) | (b.sig & ~(1ull << 63));
  if (a.exp() == 0) ka = a.sig;  // denormals continue the same scale
  if (b.exp() == 0) kb = b.sig;
  u128 d = ka > kb ? ka - kb : kb - ka;
  return d > ~0ull ? ~0ull : static_cast<std::uint64_t>(d);
}

void check_ulp(Stats& st, std::uint16_t cw, sf::F80 a, sf::F80 b, const X87Out& h, sf::F80 mine,
               const sf::Env& e) {
  st.ulp_mode = true;
  ++st.cases;
  std::uint64_t d = ulp_distance(h.v, mine);
  bool flags_ok = (h.sw & 0x3F) == e.flags;
  if (d == 0 && flags_ok) return;
  ++st.mismatches;
  if (d != ~0ull && d > st.max_ulp) st.max_ulp = d;
  if (d > 1 || !flags_ok) {
    if (d == ~0ull) st.max_ulp = ~0ull;
    ++st.beyond_one_ulp;
    if (st.show-- > 0)
      std::printf("  %s cw=%04x a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " host=%04x:%016" PRIx64
                  " sw=%04x | mine=%04x:%016" PRIx64 " flags=%02x (%" PRIu64 " ulp)\n",
                  st.name, cw, a.se, a.sig, b.se, b.sig, h.v.se, h.v.sig, h.sw, mine.se, mine.sig,
                  e.flags, d);
  }
}

std::uint16_t gen_cw(Rng& r, sf::Env& e) {
  unsigned rc = r.below(4);
  e.round = static_cast<sf::Round>(rc);
  e.precision = static_cast<sf::Precision>(r.coin() ? 3 : 0);  // must not matter
  return static_cast<std::uint16_t>(0x7F | (static_cast<unsigned>(e.precision) << 8) | (rc << 10));
}

// A value of magnitude below 2^max_exp_off (relative to 1.0), or a special one sometimes.
sf::F80 gen_small(Rng& r, int top_exp) {
  sf::F80 a = gen80(r);
  if (a.exp() == 0x7FFF || a.exp() == 0) return a;  // specials, denormals, NaNs stay
  int e = top_exp - static_cast<int>(r.below(r.coin() ? 8 : 80));
  a.se = static_cast<std::uint16_t>((a.se & 0x8000) | e);
  return a;
}

void f2xm1_case(Rng& r, Stats& st) {
  sf::Env e;
  std::uint16_t cw = gen_cw(r, e);
  sf::F80 a = gen_small(r, 0x3FFE);
  if (r.below(16) == 0) a = sf::F80{1ull << 63, static_cast<std::uint16_t>((a.se & 0x8000) | 0x3FFF)};
  X87Out h = host_f2xm1(a, cw);
  check_ulp(st, cw, a, {}, h, sf::f2xm1(a, e), e);
}

void fyl2x_case(Rng& r, Stats& st) {
  sf::Env e;
  std::uint16_t cw = gen_cw(r, e);
  sf::F80 x = gen80(r), y = gen80(r);
  if (r.below(4) != 0) x.se &= 0x7FFF;
  if (r.below(4) == 0) x.se = static_cast<std::uint16_t>(0x3FFE + r.below(2));  // near 1
  X87Out h = host_fyl2x(x, y, cw);
  check_ulp(st, cw, x, y, h, sf::yl2x(x, y, e), e);
}

void fyl2xp1_case(Rng& r, Stats& st) {
  sf::Env e;
  std::uint16_t cw = gen_cw(r, e);
  sf::F80 x = gen_small(r, 0x3FFC), y = gen80(r);
  X87Out h = host_fyl2xp1(x, y, cw);
  check_ulp(st, cw, x, y, h, sf::yl2xp1(x, y, e), e);
}

void fpatan_case(Rng& r, Stats& st) {
  sf::Env e;
  std::uint16_t cw = gen_cw(r, e);
  sf::F80 x = gen80(r), y = r.below(4) == 0 ? gen80_pair(r, x, 0) : gen80(r);
  X87Out h = host_fpatan(x, y, cw);
  check_ulp(st, cw, x, y, h, sf::fpatan(x, y, e), e);
}

// Trig arguments: mostly moderate (|x| < 2^10), sometimes anything below 2^64.
sf::F80 gen_angle(Rng& r) {
  sf::F80 a = gen80(r);
  if (a.exp() == 0x7FFF || a.exp() == 0) return a;
  int top = r.below(4) == 0 ? 0x403F : 0x4009;
  a.se = static_cast<std::uint16_t>((a.se & 0x8000) | (top - static_cast<int>(r.below(r.coin() ? 12 : 90))));
  return a;
}

// C2 (bit 10) must match: it reports |x| >= 2^63.
void check_trig(Stats& st, std::uint16_t cw, sf::F80 a, const X87Out& h, const sf::Trig& t, sf::F80 mine,
                sf::F80 host_v, const sf::Env& e) {
  X87Out hh = h;
  hh.v = host_v;
  if (((h.sw >> 10) & 1) != (t.out_of_range ? 1 : 0)) hh.sw = static_cast<std::uint16_t>(hh.sw ^ sf::kIE);
  check_ulp(st, cw, a, {}, hh, mine, e);
}

template <X87Out (*Host)(sf::F80, std::uint16_t), sf::Trig (*Mine)(sf::F80, sf::Env&)>
void trig1_case(Rng& r, Stats& st) {
  sf::Env e;
  std::uint16_t cw = gen_cw(r, e);
  sf::F80 a = gen_angle(r);
  X87Out h = Host(a, cw);
  sf::Trig t = Mine(a, e);
  check_trig(st, cw, a, h, t, t.value, h.v, e);
}

// FSINCOS leaves ST0 = cos, ST1 = sin; FPTAN leaves ST0 = 1.0, ST1 = tan (in range).
template <X87Out (*Host)(sf::F80, std::uint16_t), sf::Trig (*Mine)(sf::F80, sf::Env&)>
void trig2_case(Rng& r, Stats& st) {
  sf::Env e;
  std::uint16_t cw = gen_cw(r, e);
  sf::F80 a = gen_angle(r);
  X87Out h = Host(a, cw);
  sf::Trig t = Mine(a, e);
  if (t.out_of_range) {
    check_trig(st, cw, a, h, t, t.value, h.v, e);
    return;
  }
  check_trig(st, cw, a, h, t, t.second, h.v, e);
  --st.cases;  // one case, two results
  check_trig(st, cw, a, h, t, t.value, h.v2, e);
}

}  // namespace

std::span<const DiffCase> transcend_cases() {
  static const DiffCase kCases[] = {
      {"f2xm1", f2xm1_case},
      {"fyl2x", fyl2x_case},
      {"fyl2xp1", fyl2xp1_case},
      {"fpatan", fpatan_case},
      {"fsin", trig1_case<host_fsin, sf::fsin>},
      {"fcos", trig1_case<host_fcos, sf::fcos>},
      {"fsincos", trig2_case<host_fsincos, sf::fsincos>},
      {"fptan", trig2_case<host_fptan, sf::fptan>},
  };
  return kCases;
}

#else
// Not an x86-64 host: no oracle, no cases (pcjit_fpu_diff says it skipped).
std::span<const DiffCase> transcend_cases() { return {}; }
#endif

}  // namespace pcjit::fpu_test
