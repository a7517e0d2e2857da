// Determinism across engines: the same image booted for the same number of instructions ends in
// the same machine state under -accel interp (the reference), -accel jit, and -accel jit with a
// code buffer small enough to fill up and be flushed many times. The firmware boot takes timer
// interrupts (PIT IRQ0 through the 8259) and programs devices throughout, so equal registers,
// RAM, interrupt counts and screens mean every interrupt and device event was delivered at the
// same instruction count in each run. The truth is the interpreter's run.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "frontend/options.h"
#include "frontend/pc.h"
#include "jit/jit.h"

namespace {

using namespace pcjit;

struct Outcome {
  cpu::CpuState s;
  std::vector<u8> ram;
  u64 retired = 0, interrupts = 0, jit_blocks = 0, flushes = 0;
  std::vector<std::string> screen;
};

Outcome boot(const std::string& iso, frontend::Accel accel, u64 buffer, u64 insns) {
  frontend::Options o;
  o.machine = frontend::MachineKind::Pc;
  o.cdrom = iso;
  o.boot.assign(1, 'd');  // (not = "d": GCC 12 -Wrestrict false positive)
  o.debugcon = frontend::DebugconMode::None;
  o.accel = accel;
  o.jit_buffer_bytes = buffer;
  frontend::Pc pc(o);
  pc.run(insns);
  Outcome r;
  r.s = pc.cpu().state();
  r.ram.resize(pc.machine().config().ram_bytes);
  pc.machine().memory().read_bytes(0, r.ram);
  r.retired = pc.machine().clock().retired();
  r.interrupts = pc.cpu().stats().interrupts;
  r.jit_blocks = pc.cpu().stats().jit_blocks;
  r.flushes = pc.cpu().stats().jit_flushes;
  r.screen = pc.text_screen();
  return r;
}

void require_same(const Outcome& ref, const Outcome& x) {
  CHECK(x.retired == ref.retired);
  CHECK(x.interrupts == ref.interrupts);
  for (unsigned r = 0; r < 8; ++r) CHECK(x.s.reg32(r) == ref.s.reg32(r));
  CHECK(x.s.eip() == ref.s.eip());
  CHECK(x.s.eflags == ref.s.eflags);
  for (unsigned k = 0; k < cpu::kSegCount; ++k) CHECK(x.s.seg[k].selector == ref.s.seg[k].selector);
  CHECK(x.s.cr0 == ref.s.cr0);
  CHECK(x.screen == ref.screen);
  std::size_t first = ref.ram.size();
  for (std::size_t k = 0; k < ref.ram.size(); ++k)
    if (x.ram[k] != ref.ram[k]) {
      first = k;
      break;
    }
  CHECK_MESSAGE(first == ref.ram.size(), "RAM differs first at physical ", first);
}

}  // namespace

TEST_CASE("a firmware boot ends in the same state after the same instruction count in every engine") {
  const std::string iso = (std::filesystem::path(PCJIT_SOURCE_DIR) / "cache/guests/grub-rescue-cdrom.iso").string();
  if (!jit::host_supported() || !std::filesystem::exists(iso)) {
    MESSAGE("SKIPPED: needs an x86-64 host and " << iso << " (scripts/guests/build.sh)");
    return;
  }
  constexpr u64 kInsns = 150'000'000;  // SeaBIOS POST, the El Torito boot, GRUB starting
  const Outcome ref = boot(iso, frontend::Accel::Interp, 0, kInsns);
  REQUIRE(ref.interrupts > 0);
  SUBCASE("JIT") {
    const Outcome jit = boot(iso, frontend::Accel::Jit, 32u << 20, kInsns);
    CHECK(jit.jit_blocks > 1000);
    require_same(ref, jit);
  }
  SUBCASE("JIT with a 256 KiB code buffer that fills up") {
    const Outcome small = boot(iso, frontend::Accel::Jit, 256u << 10, kInsns);
    CHECK(small.flushes > 0);
    require_same(ref, small);
  }
}
