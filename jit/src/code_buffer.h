// The code buffer: executable memory for translations, bounded in size. With asmjit's dual
// mapping the code is never writable and executable through the same address (W^X); where the
// host refuses dual mapping it falls back to asmjit's default pages.
#pragma once
#include <asmjit/core.h>
#include <cstddef>
#include <memory>

namespace pcjit::jit {

struct CodeSpan {
  void* rx = nullptr;  // where it runs
  void* rw = nullptr;  // where it is written (patched links)
  std::size_t size = 0;
};

class CodeBuffer {
 public:
  explicit CodeBuffer(std::size_t limit);
  // Reserves size bytes; false when the buffer is full (the caller flushes, then retries).
  bool alloc(std::size_t size, CodeSpan& out);
  // Gives back the tail a relocation did not need.
  void shrink(CodeSpan& span, std::size_t size);
  void release(const CodeSpan& span);
  std::size_t used() const { return used_; }
  std::size_t limit() const { return limit_; }
  bool dual_mapped() const { return dual_; }

 private:
  std::unique_ptr<asmjit::JitAllocator> alloc_;
  std::size_t limit_;
  std::size_t used_ = 0;
  bool dual_ = true;
};

}  // namespace pcjit::jit
