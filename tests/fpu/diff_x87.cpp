// x87 differential cases: arithmetic, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM/FPREM1, FCOM/FUCOM,
// and the conversions through memory formats, against the host x87 (masked exceptions).
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "diff_cases.h"

namespace pcjit::fpu_test {

#if defined(__x86_64__)
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
  m.env.c1 = true;  // stale input: every operation must report its own C1
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

// An integer-ish scale factor most of the time, anything sometimes.
sf::F80 gen_scale(Rng& r) {
  sf::F80 b = gen80(r);
  if (r.below(4) != 0) {
    b.sig |= 1ull << 63;
    b.se = static_cast<std::uint16_t>((b.se & 0x8000) | (0x3FFE + r.below(17)));
  }
  return b;
}

sf::F80 my_scale(sf::F80 a, sf::F80 b, sf::Env& e) { return sf::scale(a, b, e); }

// Unmasked OE/UE: the x87 delivers the exponent-wrapped result to the register
// (SDM Vol. 1, 4.9.1.4/4.9.1.5); IE/ZE/DE stay masked so every case has a stored result.
template <X87Out (*Host)(sf::F80, sf::F80, std::uint16_t), sf::F80 (*Mine)(sf::F80, sf::F80, sf::Env&),
          int Kind>
void unmasked80(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  std::uint16_t unmask = static_cast<std::uint16_t>(r.below(4) == 0 ? sf::kOE : r.coin() ? sf::kUE : sf::kOE | sf::kUE);
  m.cw = static_cast<std::uint16_t>(m.cw & ~unmask);
  m.env.masks = static_cast<std::uint8_t>(sf::kAllExceptions & ~unmask);
  sf::F80 a = gen80(r), b = Kind == 3 ? gen_scale(r) : gen80_pair(r, a, Kind);
  X87Out h = Host(a, b, m.cw);
  sf::Env e = m.env;
  sf::F80 mine = Mine(a, b, e);
  check80(st, m, a, b, h, mine, e);
}

// Any exception unmasked. A pre-computation exception (IE, ZE, DE) leaves the destination
// unchanged and reports only what the hardware reports; the rest behaves like unmasked80.
template <X87Out (*Host)(sf::F80, sf::F80, std::uint16_t), sf::F80 (*Mine)(sf::F80, sf::F80, sf::Env&),
          int Kind>
void unmasked_all(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  std::uint16_t unmask = static_cast<std::uint16_t>(r.below(64));
  m.cw = static_cast<std::uint16_t>(m.cw & ~unmask);
  m.env.masks = static_cast<std::uint8_t>(sf::kAllExceptions & ~unmask);
  sf::F80 a = gen80(r), b = Kind == 3 ? gen_scale(r) : gen80_pair(r, a, Kind);
  X87Out h = Host(a, b, m.cw);
  sf::Env e = m.env;
  sf::F80 mine = Mine(a, b, e);
  if (e.flags & ~m.env.masks & (sf::kIE | sf::kZE | sf::kDE)) mine = a;  // not stored
  check80(st, m, a, b, h, mine, e);
}

sf::F80 my_sqrt_a(sf::F80 a, sf::F80, sf::Env& e) { return sf::sqrt(a, e); }
sf::F80 my_rndint_a(sf::F80 a, sf::F80, sf::Env& e) { return sf::round_to_int(a, e); }
sf::F80 my_prem(sf::F80 a, sf::F80 b, sf::Env& e) {
  sf::Remainder r = sf::remainder(a, b, e, false);
  e.c1 = (r.quotient & 1) != 0;  // FPREM reports Q0 in C1
  return r.value;
}

void fsqrt_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  sf::F80 a = gen80(r);
  if (r.coin()) a.se &= 0x7FFF;
  X87Out h = host_fsqrt(a, m.cw);
  sf::Env e = m.env;
  check80(st, m, a, {}, h, sf::sqrt(a, e), e);
}

void frndint_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  sf::F80 a = gen80(r);
  if (r.coin()) a.se = static_cast<std::uint16_t>((a.se & 0x8000) | (0x3FFE + r.below(66)));
  X87Out h = host_frndint(a, m.cw);
  sf::Env e = m.env;
  check80(st, m, a, {}, h, sf::round_to_int(a, e), e);
}

void fscale_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  sf::F80 a = gen80(r), b = gen_scale(r);
  X87Out h = host_fscale(a, b, m.cw);
  sf::Env e = m.env;
  check80(st, m, a, b, h, sf::scale(a, b, e), e);
}

void fxtract_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  sf::F80 a = gen80(r);
  X87Out h = host_fxtract(a, m.cw);
  sf::Env e = m.env;
  sf::Extracted x = sf::extract(a, e);
  check80(st, m, a, {}, h, x.significand, e);
  X87Out h2 = h;
  h2.v = h.v2;
  check80(st, m, a, {}, h2, x.exponent, e);
}

template <bool Ieee>
void fprem_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, true);
  sf::F80 a = gen80(r), b = gen80_pair(r, a, 3);
  X87Out h = Ieee ? host_fprem1(a, b, m.cw) : host_fprem(a, b, m.cw);
  sf::Env e = m.env;
  sf::Remainder rem = sf::remainder(a, b, e, Ieee);
  // Condition codes: C2 = incomplete; Q2 -> C0, Q1 -> C3, Q0 -> C1 (SDM Vol. 2, FPREM).
  std::uint16_t cc = static_cast<std::uint16_t>((rem.complete ? 0 : 0x400) | ((rem.quotient & 4) ? 0x100 : 0) |
                                                ((rem.quotient & 2) ? 0x4000 : 0) | ((rem.quotient & 1) ? 0x200 : 0));
  bool ok = h.v == rem.value && (h.sw & 0x3F) == e.flags;
  bool nan_or_invalid = (e.flags & sf::kIE) || sf::is_nan(a) || sf::is_nan(b);
  if (ok && !nan_or_invalid) ok = (h.sw & 0x4700) == cc;
  char buf[200];
  std::snprintf(buf, sizeof buf, "a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " host=%04x:%016" PRIx64
                " sw=%04x | mine=%04x:%016" PRIx64 " cc=%04x flags=%02x", a.se, a.sig, b.se, b.sig,
                h.v.se, h.v.sig, h.sw, rem.value.se, rem.value.sig, cc, e.flags);
  report(st, ok, buf);
}

template <bool Quiet>
void fcom_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, false);
  sf::F80 a = gen80(r), b = r.below(4) == 0 ? a : gen80_pair(r, a, 0);
  X87Out h = Quiet ? host_fucom(a, b, m.cw) : host_fcom(a, b, m.cw);
  sf::Env e = m.env;
  sf::Cmp c = sf::compare(a, b, e, Quiet);
  static constexpr std::uint16_t kCc[] = {0x0100, 0x4000, 0x0000, 0x4500};  // <, =, >, unordered
  bool ok = (h.sw & 0x4500) == kCc[static_cast<int>(c)] && (h.sw & 0x3F) == e.flags;
  char buf[200];
  std::snprintf(buf, sizeof buf, "a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " sw=%04x | cmp=%d flags=%02x",
                a.se, a.sig, b.se, b.sig, h.sw, static_cast<int>(c), e.flags);
  report(st, ok, buf);
}

// Values near the integer ranges for FIST/FBSTP.
sf::F80 gen_intish(Rng& r) {
  sf::F80 a = gen80(r);
  if (r.below(4) != 0) {
    a.sig |= 1ull << 63;
    a.se = static_cast<std::uint16_t>((a.se & 0x8000) | (0x3FFD + r.below(68)));
  }
  return a;
}

template <class T, T (*Host)(sf::F80, std::uint16_t, std::uint16_t&), T (*Mine)(sf::F80, sf::Env&)>
void store_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, false);
  sf::F80 a = r.coin() ? gen_intish(r) : gen80(r);
  std::uint16_t sw = 0;
  T h = Host(a, m.cw, sw);
  sf::Env e = m.env;
  T mine = Mine(a, e);
  bool ok = std::memcmp(&h, &mine, sizeof(T)) == 0 && (sw & 0x3F) == e.flags &&
            (((sw >> 9) & 1) != 0) == e.c1;
  std::uint64_t hv = 0, mv = 0;
  std::memcpy(&hv, &h, sizeof(T) < 8 ? sizeof(T) : 8);
  std::memcpy(&mv, &mine, sizeof(T) < 8 ? sizeof(T) : 8);
  char buf[200];
  std::snprintf(buf, sizeof buf, "cw=%04x a=%04x:%016" PRIx64 " host=%" PRIx64 " sw=%04x | mine=%" PRIx64
                " flags=%02x c1=%d", m.cw, a.se, a.sig, hv, sw, mv, e.flags, e.c1);
  report(st, ok, buf);
}

std::uint32_t my_fst32(sf::F80 a, sf::Env& e) { return sf::to_f32(a, e).bits; }
std::uint64_t my_fst64(sf::F80 a, sf::Env& e) { return sf::to_f64(a, e).bits; }
std::int16_t my_fist16(sf::F80 a, sf::Env& e) { return sf::to_i16(a, e); }
std::int32_t my_fist32(sf::F80 a, sf::Env& e) { return sf::to_i32(a, e); }
std::int64_t my_fist64(sf::F80 a, sf::Env& e) { return sf::to_i64(a, e); }
Bcd10 my_fbstp(sf::F80 a, sf::Env& e) {
  Bcd10 b{};
  sf::to_bcd(a, e, b.b);
  return b;
}

void fld32_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, false);
  std::uint32_t a = gen_ieee<std::uint32_t>(r, 23, 255);
  X87Out h = host_fld32(a, m.cw);
  sf::Env e = m.env;
  check80(st, m, sf::F80{a, 0}, {}, h, sf::from_f32(sf::F32{a}, e), e);
}

void fld64_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, false);
  std::uint64_t a = gen_ieee<std::uint64_t>(r, 52, 2047);
  X87Out h = host_fld64(a, m.cw);
  sf::Env e = m.env;
  check80(st, m, sf::F80{a, 0}, {}, h, sf::from_f64(sf::F64{a}, e), e);
}

void fild64_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, false);
  std::int64_t v = static_cast<std::int64_t>(r.next() >> r.below(64));
  if (r.coin()) v = -v;
  X87Out h = host_fild64(v, m.cw);
  sf::Env e = m.env;
  e.c1 = false;  // from_int takes no environment: the push clears C1
  check80(st, m, sf::F80{static_cast<std::uint64_t>(v), 0}, {}, h, sf::from_int(v), e);
}

void fbld_case(Rng& r, Stats& st) {
  Mode m = gen_mode(r, false);
  Bcd10 b{};
  for (int i = 0; i < 9; ++i) b.b[i] = static_cast<std::uint8_t>((r.below(10) << 4) | r.below(10));
  if (r.coin()) for (int i = static_cast<int>(r.below(9)); i < 9; ++i) b.b[i] = 0;
  b.b[9] = r.coin() ? 0x80 : 0;
  X87Out h = host_fbld(b, m.cw);
  sf::Env e = m.env;
  e.c1 = false;  // from_bcd takes no environment: the push clears C1
  check80(st, m, sf::F80{b.b[0], b.b[9]}, {}, h, sf::from_bcd(b.b), e);
}

}  // namespace

std::span<const DiffCase> x87_cases() {
  static const DiffCase kCases[] = {
      {"fadd", bin80<host_fadd, my_add, 0>},
      {"fsub", bin80<host_fsub, my_sub, 0>},
      {"fmul", bin80<host_fmul, my_mul, 1>},
      {"fdiv", bin80<host_fdiv, my_div, 2>},
      {"fsqrt", fsqrt_case},
      {"fadd_unmask", unmasked80<host_fadd_save, my_add, 0>},
      {"fmul_unmask", unmasked80<host_fmul_save, my_mul, 1>},
      {"fdiv_unmask", unmasked80<host_fdiv_save, my_div, 2>},
      {"fscale_unmask", unmasked80<host_fscale_save, my_scale, 3>},
      {"fadd_unmask_all", unmasked_all<host_fadd_save, my_add, 0>},
      {"fmul_unmask_all", unmasked_all<host_fmul_save, my_mul, 1>},
      {"fdiv_unmask_all", unmasked_all<host_fdiv_save, my_div, 2>},
      {"fsqrt_unmask_all", unmasked_all<host_fsqrt_save, my_sqrt_a, 0>},
      {"frndint_unmask_all", unmasked_all<host_frndint_save, my_rndint_a, 0>},
      {"fscale_unmask_all", unmasked_all<host_fscale_save, my_scale, 3>},
      {"fprem_unmask_all", unmasked_all<host_fprem_save, my_prem, 3>},
      {"frndint", frndint_case},
      {"fscale", fscale_case},
      {"fxtract", fxtract_case},
      {"fprem", fprem_case<false>},
      {"fprem1", fprem_case<true>},
      {"fcom", fcom_case<false>},
      {"fucom", fcom_case<true>},
      {"fst_m32", store_case<std::uint32_t, host_fst32, my_fst32>},
      {"fst_m64", store_case<std::uint64_t, host_fst64, my_fst64>},
      {"fist_m16", store_case<std::int16_t, host_fist16, my_fist16>},
      {"fist_m32", store_case<std::int32_t, host_fist32, my_fist32>},
      {"fist_m64", store_case<std::int64_t, host_fist64, my_fist64>},
      {"fbstp", store_case<Bcd10, host_fbstp, my_fbstp>},
      {"fld_m32", fld32_case},
      {"fld_m64", fld64_case},
      {"fild_m64", fild64_case},
      {"fbld", fbld_case},
  };
  return kCases;
}

#else
// Not an x86-64 host: no oracle, no cases (pcjit_fpu_diff says it skipped).
std::span<const DiffCase> x87_cases() { return {}; }
#endif

}  // namespace pcjit::fpu_test
