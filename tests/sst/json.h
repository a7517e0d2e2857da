// A small JSON reader for the SingleStepTests vector files.
//
// The files hold only objects, arrays, integers and plain strings (test names, hashes), so this
// parser supports exactly that plus true/false/null, and reports malformed input with the byte
// offset instead of guessing. Values are kept in a simple tree; a 300-test file is ~200 KB.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pcjit::sst {

struct Json {
  enum class Kind : uint8_t { Null, Bool, Int, String, Array, Object };
  Kind kind = Kind::Null;
  int64_t num = 0;
  std::string str;
  std::vector<Json> items;                              // Array
  std::vector<std::pair<std::string, Json>> members;    // Object, in file order

  // Member lookup; nullptr when absent or when this is not an object.
  const Json* find(std::string_view key) const {
    for (const auto& [k, v] : members)
      if (k == key) return &v;
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : t_(text) {}

  Json parse() {
    Json v = value();
    skip_ws();
    if (p_ != t_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("JSON: ") + what + " at byte " + std::to_string(p_));
  }
  void skip_ws() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\r' || t_[p_] == '\t')) ++p_;
  }
  char peek() {
    skip_ws();
    if (p_ >= t_.size()) fail("unexpected end");
    return t_[p_];
  }
  void expect(char ch) {
    if (peek() != ch) fail("unexpected character");
    ++p_;
  }
  bool literal(std::string_view word) {
    if (t_.substr(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  Json value() {
    Json v;
    char ch = peek();
    if (ch == '{') {
      v.kind = Json::Kind::Object;
      ++p_;
      if (peek() == '}') { ++p_; return v; }
      for (;;) {
        std::string key = string();
        expect(':');
        v.members.emplace_back(std::move(key), value());
        if (peek() == ',') { ++p_; continue; }
        expect('}');
        return v;
      }
    }
    if (ch == '[') {
      v.kind = Json::Kind::Array;
      ++p_;
      if (peek() == ']') { ++p_; return v; }
      for (;;) {
        v.items.push_back(value());
        if (peek() == ',') { ++p_; continue; }
        expect(']');
        return v;
      }
    }
    if (ch == '"') {
      v.kind = Json::Kind::String;
      v.str = string();
      return v;
    }
    if (ch == '-' || (ch >= '0' && ch <= '9')) {
      v.kind = Json::Kind::Int;
      bool neg = ch == '-';
      if (neg) ++p_;
      if (p_ >= t_.size() || t_[p_] < '0' || t_[p_] > '9') fail("bad number");
      int64_t n = 0;
      while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') n = n * 10 + (t_[p_++] - '0');
      if (p_ < t_.size() && (t_[p_] == '.' || t_[p_] == 'e' || t_[p_] == 'E')) fail("non-integer number");
      v.num = neg ? -n : n;
      return v;
    }
    if (literal("true")) { v.kind = Json::Kind::Bool; v.num = 1; return v; }
    if (literal("false")) { v.kind = Json::Kind::Bool; return v; }
    if (literal("null")) return v;
    fail("unexpected character");
  }

  // Strings in these files are ASCII; escapes other than \" \\ \/ and \n are rejected.
  std::string string() {
    expect('"');
    std::string out;
    while (p_ < t_.size() && t_[p_] != '"') {
      char ch = t_[p_++];
      if (ch == '\\') {
        if (p_ >= t_.size()) fail("bad escape");
        char e = t_[p_++];
        if (e == '"' || e == '\\' || e == '/') out += e;
        else if (e == 'n') out += '\n';
        else fail("unsupported escape");
      } else {
        out += ch;
      }
    }
    if (p_ >= t_.size()) fail("unterminated string");
    ++p_;
    return out;
  }

  std::string_view t_;
  size_t p_ = 0;
};

}  // namespace pcjit::sst
