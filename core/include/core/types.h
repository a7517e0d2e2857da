// Basic integer aliases and the error type shared by every module.
// Host-side errors (a bad file, a bad option) are exceptions that carry the file and the reason;
// guest faults are never exceptions (they are values returned by CPU helpers).
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace pcjit {
using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;
using i8 = std::int8_t;
using i16 = std::int16_t;
using i32 = std::int32_t;
using i64 = std::int64_t;

// Thrown for host-side problems: the message always names what (file, option) and why.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
}  // namespace pcjit
