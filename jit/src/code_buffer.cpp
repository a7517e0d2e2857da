// See code_buffer.h.
#include "code_buffer.h"

namespace pcjit::jit {

CodeBuffer::CodeBuffer(std::size_t limit) : limit_(limit) {
  asmjit::JitAllocator::CreateParams p;
  p.options = asmjit::JitAllocatorOptions::kUseDualMapping;
  alloc_ = std::make_unique<asmjit::JitAllocator>(&p);
  void* rx = nullptr;
  void* rw = nullptr;
  if (alloc_->alloc(&rx, &rw, 64) == asmjit::kErrorOk) {
    alloc_->release(rx);
  } else {
    dual_ = false;
    alloc_ = std::make_unique<asmjit::JitAllocator>();
  }
}

bool CodeBuffer::alloc(std::size_t size, CodeSpan& out) {
  if (used_ + size > limit_) return false;
  if (alloc_->alloc(&out.rx, &out.rw, size) != asmjit::kErrorOk) return false;
  out.size = size;
  used_ += size;
  return true;
}

void CodeBuffer::shrink(CodeSpan& span, std::size_t size) {
  if (size >= span.size) return;
  if (alloc_->shrink(span.rx, size) == asmjit::kErrorOk) {
    used_ -= span.size - size;
    span.size = size;
  }
}

void CodeBuffer::release(const CodeSpan& span) {
  if (!span.rx) return;
  alloc_->release(span.rx);
  used_ -= span.size;
}

}  // namespace pcjit::jit
