// The checked stack frame and the inner-stack fetch shared by interrupt delivery and call gates.
#include "transfer.h"

namespace pcjit::cpu {

Exec StackFrame::check(Context& c) {
  if (!ss_.writable) return c.raise(vec::SS, fault_error_);
  for (unsigned k = 0; k < n_; ++k) {
    const u32 off = (esp_ - (k + 1) * width_) & mask();
    if (off < ss_.lo || u64{off} + width_ - 1 > ss_.hi) return c.raise(vec::SS, fault_error_);
    PCJIT_TRY(c.map_linear(ss_.base + off, width_, Access::Write, user_, refs_[k]));
  }
  return Exec::Ok;
}

void StackFrame::store(Context& c) {
  for (unsigned k = 0; k < n_; ++k) {
    if (width_ == 4) c.store<u32>(refs_[k], vals_[k]);
    else c.store<u16>(refs_[k], static_cast<u16>(vals_[k]));
  }
}

u32 StackFrame::new_esp() const {
  return (esp_ & ~mask()) | ((esp_ - n_ * width_) & mask());
}

Exec fetch_inner_stack(Context& c, u8 ring, u32 ext, u16& ss, u32& esp, Descriptor& ssd) {
  const CpuState& s = c.s;
  const u8 tss_type = s.tr.attrs & attr::kTypeMask;
  const bool tss32 = tss_type & 8;
  const u32 at = tss32 ? 4 + 8u * ring : 2 + 4u * ring;
  if (at + (tss32 ? 7u : 3u) > s.tr.limit) return c.raise(vec::TS, (s.tr.selector & 0xFFFC) | ext);
  if (tss32) {
    PCJIT_TRY(c.read_sys<u32>(s.tr.base + at, esp));
  } else {
    u16 sp16 = 0;
    PCJIT_TRY(c.read_sys<u16>(s.tr.base + at, sp16));
    esp = sp16;
  }
  PCJIT_TRY(c.read_sys<u16>(s.tr.base + at + (tss32 ? 4 : 2), ss));
  if (is_null_selector(ss)) return c.raise(vec::TS, ext);
  const u32 err = (ss & 0xFFFC) | ext;
  PCJIT_TRY(read_descriptor(c, ss, ssd, vec::TS, ext));
  if ((ss & 3u) != ring || ssd.dpl() != ring || !ssd.data_writable()) return c.raise(vec::TS, err);
  if (!ssd.present()) return c.raise(vec::SS, err);
  return Exec::Ok;
}

}  // namespace pcjit::cpu
