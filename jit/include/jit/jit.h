// The asmjit back end: a cpu::Translator that turns decoded blocks into x86-64 host code.
// Only this header is public; asmjit never appears in it.
#pragma once
#include <cstddef>
#include <memory>

#include "cpu/translator.h"

namespace pcjit::jit {

struct JitOptions {
  std::size_t code_buffer_bytes = 32u << 20;  // translations are dropped wholesale when full
};

// True when this build can generate code for the host it runs on (x86-64 with LAHF/SAHF).
bool host_supported();

// The x86-64 translator; throws pcjit::Error when the host is not supported.
std::unique_ptr<cpu::Translator> make_translator(const JitOptions& options);

}  // namespace pcjit::jit
