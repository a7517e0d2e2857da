// Segment-register loading in real and virtual-8086 mode, and the fault raised when an access
// fails the limit or rights check (SDM Vol. 3A, 5.3: #SS(0) for SS, #GP(0) otherwise).
// Protected-mode loads, with descriptor checks, live in system/segments_pm.cpp.
#include "../context.h"

namespace pcjit::cpu {

Exec Context::seg_fault(unsigned seg, u32, unsigned, Access) {
  return raise(seg == SS ? vec::SS : vec::GP, 0);
}

void Context::load_seg_real(unsigned seg, u16 selector) {
  Segment& sg = s.seg[seg];
  sg.selector = selector;
  sg.base = u32{selector} << 4;
  sg.valid = true;
  if (s.v86()) {
    // Virtual-8086 mode reloads the whole cache: 64 KiB, writable, DPL 3 (SDM 20.1.1).
    sg.limit = 0xFFFF;
    sg.attrs = static_cast<u16>(attr::P | attr::S | (3u << attr::DPL_SHIFT) | (seg == CS ? 0xB : 0x3));
    sg.lo = 0;
    sg.hi = 0xFFFF;
    sg.readable = sg.writable = true;
  } else {
    // Real mode changes only selector and base; limit and attributes stay as cached
    // (this is what makes "unreal mode" work). A freshly reset CPU has 64 KiB writable caches.
    if (seg == CS) {
      // A real-mode far transfer leaves CS a 16-bit code segment in the cache.
      sg.attrs = static_cast<u16>((sg.attrs & ~attr::DB) | attr::P | attr::S | 0xB);
    }
    sg.readable = true;
    sg.writable = true;
  }
}

}  // namespace pcjit::cpu
