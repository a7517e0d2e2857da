// Random code must never take the host down: a guest can only crash itself. Fixed seeds, so a
// failure reproduces. Each case fills a page with random bytes and runs it from real mode, from
// 32-bit flat "unreal" segments and from a ring-3 protected-mode state; every exception goes
// through the rig's IVT (or is recorded), so the run ends in a handler's HLT, the budget, or a stop.
// What is checked besides "no crash": the retired count never exceeds the budgets given, the
// same CPU can be run again afterwards, and the block cache and TLB invariants still hold.
#include <random>

#include "ops_rig.h"

using ops_test::Rig;
using namespace pcjit;

namespace {
void fill_random(Rig& r, std::mt19937& rng, u32 at, unsigned n) {
  for (unsigned k = 0; k < n; ++k) r.w8(at + k, static_cast<u8>(rng()));
}
}  // namespace

TEST_CASE("random code in real mode, 32-bit flat segments and ring 3 does not crash the host") {
  std::mt19937 rng(20261126);
  for (int round = 0; round < 300; ++round) {
    Rig r;
    const int flavour = round % 3;
    if (flavour == 1) r.flat32(/*code32=*/round % 2 == 0);
    if (flavour == 2) {
      r.protected_flat32(/*cpl=*/3, /*iopl=*/0);
      r.watch();  // no IDT: faults are recorded and end the run through the budget
    }
    fill_random(r, rng, ops_test::kCode, 256);
    for (unsigned k = 0; k < 8; ++k)
      if (k != cpu::ESP) r.set(k, static_cast<u32>(rng()));
    r.cpu->state_changed();
    r.cpu->run(2000);
    r.cpu->run(2000);
    CHECK(r.m.clock().retired() <= 4000);
    CHECK(r.cpu->check_caches() == "");
  }
}
