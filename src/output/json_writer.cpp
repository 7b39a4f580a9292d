// SPDX-License-Identifier: Apache-2.0
// JsonLine: JSON lines written by nlohmann-json's serializer without a DOM per
// line. The line's structure ({ } [ ] , :) is written here; every value and
// every string goes through the serializer, dumped from two reused scratch
// values into the reused line buffer, so a line costs no allocation once the
// buffers have grown. Bytes that are not valid UTF-8 (which the serializer
// would reject) are written as \u00XX here, between runs the serializer escapes.
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "sysgate/json.hpp"

namespace sysgate {

int64_t json_ts(uint64_t ts_ns, int64_t offset_ns) noexcept {
  const __int128 t = static_cast<__int128>(ts_ns) + offset_ns;
  if (t > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (t < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(t);
}

nlohmann::ordered_json to_json(const decode::Value& v) {
  switch (v.type) {
    case decode::Value::Type::Int:
      return nlohmann::ordered_json(v.i);
    case decode::Value::Type::Uint:
      return nlohmann::ordered_json(static_cast<uint64_t>(v.i));
    case decode::Value::Type::Str: {
      std::string s;
      decode::append_json_str_text(v, s);
      return nlohmann::ordered_json(std::move(s));
    }
    case decode::Value::Type::Sym:
      break;
  }
  return nlohmann::ordered_json(v.text);
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
  bool plain = key.size() <= 60;  // nothing the serializer would escape (the usual literal keys)
  for (size_t i = 0; plain && i < key.size(); ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  }
  if (plain) {
    char buf[64];
    size_t n = 0;
    if (m.first.back())
      m.first.back() = 0;
    else
      buf[n++] = ',';
    buf[n++] = '"';
    std::memcpy(buf + n, key.data(), key.size());
    n += key.size();
    buf[n++] = '"';
    buf[n++] = ':';
    m.line.append(buf, n);
    return;
  }
  sep_();
  put_str(key);
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
  if (!impl_ || impl_->line.empty() || (impl_->open.empty() && impl_->line.back() == '\n')) {
    if (!impl_ || impl_->line.empty())
      begin();
    else
      return impl_->line;  // finished already
  }
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

void JsonLine::put_double(double v) {
  impl_->num = v;  // the serializer's form: null for NaN and infinities
  impl_->dump(impl_->num);
}

template <class Json>
void JsonLine::dom_(std::string_view key, bool keyed, const Json& v) {
  using nlohmann::detail::value_t;
  auto start = [&](char c) {
    if (keyed)
      key_(key);
    else
      sep_();
    open_(c);
  };
  switch (v.type()) {
    case value_t::object:
      start('{');
      for (const auto& [k, e] : v.items()) dom_(k, true, e);
      close_('{');
      return;
    case value_t::array:
      start('[');
      for (const auto& e : v) dom_({}, false, e);
      close_('[');
      return;
    case value_t::binary: {  // as nlohmann writes it
      const auto& b = v.get_binary();
      start('{');
      begin_array("bytes");
      for (auto byte : b) item(static_cast<unsigned>(byte));
      end_array();
      if (b.has_subtype())
        field("subtype", static_cast<uint64_t>(b.subtype()));
      else
        field("subtype", nullptr);
      close_('{');
      return;
    }
    default:
      break;
  }
  if (keyed)
    key_(key);
  else
    sep_();
  switch (v.type()) {
    case value_t::string:
      put_str(v.template get_ref<const std::string&>());
      return;
    case value_t::boolean:
      put_bool(v.template get<bool>());
      return;
    case value_t::number_integer:
      put_int(v.template get<int64_t>());
      return;
    case value_t::number_unsigned:
      put_uint(v.template get<uint64_t>());
      return;
    case value_t::number_float:
      put_double(v.template get<double>());
      return;
    default:
      put_null();
      return;
  }
}

template void JsonLine::dom_(std::string_view, bool, const nlohmann::ordered_json&);
template void JsonLine::dom_(std::string_view, bool, const nlohmann::json&);

}  // namespace sysgate
