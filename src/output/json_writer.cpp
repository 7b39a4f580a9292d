// SPDX-License-Identifier: Apache-2.0
// JsonLine: JSON lines written by nlohmann-json's serializer without a DOM per
// line. The line's structure ({ } [ ] , :) is written here; every value and
// every string goes through the serializer, dumped from two reused scratch
// values into the reused line buffer, so a line costs no allocation once the
// buffers have grown. Bytes that are not valid UTF-8 (which the serializer
// would reject) are written as \u00XX here, between runs the serializer escapes.
#include <limits>
#include <nlohmann/json.hpp>

#include "sysgate/json.hpp"

namespace sysgate {

int64_t json_ts(uint64_t ts_ns, int64_t offset_ns) noexcept {
  const __int128 t = static_cast<__int128>(ts_ns) + offset_ns;
  if (t > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (t < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(t);
}

struct JsonLine::Impl {
  std::string line;
  std::string open;                    // the open containers, '{' or '[', innermost last
  std::string first;                   // per open container: 1 while nothing is written in it
  nlohmann::json num;                  // scratch number / bool / null
  nlohmann::json str = std::string();  // scratch string
  nlohmann::detail::serializer<nlohmann::json> ser;

  // replace: a safety net only, the strings handed to it are valid UTF-8.
  Impl()
      : ser(nlohmann::detail::output_adapter<char>(line), ' ',
            nlohmann::json::error_handler_t::replace) {}

  std::string& scratch() { return str.get_ref<std::string&>(); }
  void dump(const nlohmann::json& v) { ser.dump(v, false, false, 0); }
  // Serialises scratch() (valid UTF-8) without its quotes.
  void dump_unquoted() {
    size_t at = line.size();
    dump(str);
    line.pop_back();
    line.erase(at, 1);
  }
};

JsonLine::JsonLine() : impl_(std::make_unique<Impl>()) {}
JsonLine::~JsonLine() = default;
JsonLine::JsonLine(JsonLine&&) noexcept = default;
JsonLine& JsonLine::operator=(JsonLine&&) noexcept = default;

JsonLine& JsonLine::begin() {
  if (!impl_) impl_ = std::make_unique<Impl>();
  impl_->line.clear();
  impl_->open.clear();
  impl_->first.clear();
  open_('{');
  return *this;
}

void JsonLine::open_(char c) {
  impl_->line += c;
  impl_->open += c;
  impl_->first.push_back(1);
}

void JsonLine::close_(char c) {
  auto& m = *impl_;
  if (m.open.empty() || m.open.back() != c) return;  // nothing of that kind open
  m.line += c == '{' ? '}' : ']';
  m.open.pop_back();
  m.first.pop_back();
}

void JsonLine::sep_() {
  auto& m = *impl_;
  if (m.open.empty()) {
    // After finish() or before begin(): start a new line rather than write
    // something that is not JSON.
    begin();
  }
  if (m.first.back()) {
    m.first.back() = 0;
  } else {
    m.line += ',';
  }
}

void JsonLine::key_(std::string_view key) {
  auto& m = *impl_;
  if (m.open.empty()) begin();
  if (m.open.back() != '{') {  // a key inside an array: the value alone
    sep_();
    return;
  }
  bool plain = true;  // nothing the serializer would escape (the usual literal keys)
  for (size_t i = 0; plain && i < key.size(); ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  }
  sep_();
  if (plain) {
    m.line += '"';
    m.line += key;
    m.line += '"';
  } else {
    put_str(key);
  }
  m.line += ':';
}

JsonLine& JsonLine::begin_array(std::string_view key) {
  key_(key);
  open_('[');
  return *this;
}
JsonLine& JsonLine::begin_array() {
  sep_();
  open_('[');
  return *this;
}
JsonLine& JsonLine::end_array() {
  close_('[');
  return *this;
}
JsonLine& JsonLine::begin_object(std::string_view key) {
  key_(key);
  open_('{');
  return *this;
}
JsonLine& JsonLine::begin_object() {
  sep_();
  open_('{');
  return *this;
}
JsonLine& JsonLine::end_object() {
  close_('{');
  return *this;
}

std::string_view JsonLine::finish() {
  if (!impl_ || impl_->line.empty())
    begin();  // nothing begun: an empty object
  else if (impl_->open.empty())
    return impl_->line;  // finished already
  auto& m = *impl_;
  while (!m.open.empty()) close_(m.open.back());
  m.line += '\n';
  return m.line;
}

void JsonLine::write(FILE* out) {
  auto s = finish();
  fwrite(s.data(), 1, s.size(), out);
}

void JsonLine::put_int(int64_t v) {
  impl_->num = v;
  impl_->dump(impl_->num);
}

void JsonLine::put_uint(uint64_t v) {
  impl_->num = v;
  impl_->dump(impl_->num);
}

void JsonLine::put_bool(bool v) {
  impl_->num = v;
  impl_->dump(impl_->num);
}

void JsonLine::put_null() {
  impl_->num = nullptr;
  impl_->dump(impl_->num);
}

namespace {

// The offset of the first byte the serializer must not see: one that is not
// part of valid UTF-8, or DEL (written \u007f, as a terminal-safe spelling).
size_t first_bad(std::string_view s, size_t i) {
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x7f) {
      ++i;
      continue;
    }
    if (c == 0x7f) return i;
    size_t n = decode::utf8_seq_len(s, i);
    if (!n) return i;
    i += n;
  }
  return s.size();
}

}  // namespace

void JsonLine::put_str(std::string_view s) {
  auto& m = *impl_;
  size_t bad = first_bad(s, 0);
  if (bad == s.size()) {  // the usual case: one dump
    m.scratch().assign(s.data(), s.size());
    m.dump(m.str);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  m.line += '"';
  size_t start = 0;
  while (start < s.size()) {
    if (bad > start) {
      m.scratch().assign(s.data() + start, bad - start);
      m.dump_unquoted();
    }
    if (bad == s.size()) break;
    auto c = static_cast<unsigned char>(s[bad]);
    m.line += "\\u00";
    m.line += kHex[c >> 4];
    m.line += kHex[c & 15];
    start = bad + 1;
    bad = first_bad(s, start);
  }
  m.line += '"';
}

void JsonLine::put_value(const decode::Value& v) {
  switch (v.type) {
    case decode::Value::Type::Int:
      put_int(v.i);
      return;
    case decode::Value::Type::Uint:
      put_uint(static_cast<uint64_t>(v.i));
      return;
    case decode::Value::Type::Str: {
      // escape_utf8 leaves valid UTF-8 without DEL: straight to the serializer
      auto& m = *impl_;
      m.scratch().clear();
      decode::append_json_str_text(v, m.scratch());
      m.dump(m.str);
      return;
    }
    case decode::Value::Type::Sym:
      put_str(v.text);
      return;
  }
}

}  // namespace sysgate
