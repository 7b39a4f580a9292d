// SPDX-License-Identifier: Apache-2.0
// The one JSON writer of sysgate: every JSON line (trace, count, zap) is built
// with a JsonLine and serialised by nlohmann-json's serializer.
//
//   JsonLine line;                       // keep it: its buffers are reused
//   line.begin();                        // {
//   line.field("ts_ns", json_ts(ev.ts_ns, off)).field("comm", ev.comm);
//   line.begin_array("args");
//   for (auto& a : args) line.item(a);   // decode::Value, numbers, strings ...
//   line.end_array();
//   line.field("ret", nullptr);          // null
//   line.write(out);                     // }\n, fwrite
//
// Strings: valid UTF-8 is written as is (JSON's escapes for " \ and the control
// characters, \u007f for DEL); each byte that is not part of a valid UTF-8
// sequence is written as \u00XX (XX: the byte in hex). A JsonLine never throws
// for any input and always produces one line of valid JSON (docs/SCHEMA.md).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "sysgate/decode.hpp"

namespace sysgate {

// ts_ns + offset_ns as a JSON timestamp, saturated to [INT64_MIN, INT64_MAX]
// (a record with an absurd timestamp prints INT64_MAX, never overflows).
int64_t json_ts(uint64_t ts_ns, int64_t offset_ns) noexcept;

class JsonLine {
 public:
  JsonLine();
  ~JsonLine();
  JsonLine(JsonLine&&) noexcept;
  JsonLine& operator=(JsonLine&&) noexcept;
  JsonLine(const JsonLine&) = delete;
  JsonLine& operator=(const JsonLine&) = delete;

  // Starts a new line: forgets the previous one and opens the top-level object.
  JsonLine& begin();

  // "key":value in the current object. T: any integer, bool, std::nullptr_t
  // (null), const char*, std::string, std::string_view or decode::Value.
  template <class T>
  JsonLine& field(std::string_view key, const T& v) {
    key_(key);
    value_(v);
    return *this;
  }
  // A value in the current array.
  template <class T>
  JsonLine& item(const T& v) {
    sep_();
    value_(v);
    return *this;
  }
  // "key":[ ... ] and "key":{ ... } in the current object; [ ] and { } in an array.
  JsonLine& begin_array(std::string_view key);
  JsonLine& begin_array();
  JsonLine& end_array();
  JsonLine& begin_object(std::string_view key);
  JsonLine& begin_object();
  JsonLine& end_object();

  // Closes whatever is open and the line, appends '\n': the finished line,
  // valid until the next begin().
  std::string_view finish();
  // finish(), then fwrite to out.
  void write(FILE* out);

 private:
  struct Impl;

  void key_(std::string_view key);
  void sep_();
  void open_(char c);
  void close_(char c);

  template <class T>
  void value_(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
      put_bool(v);
    } else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
      put_int(static_cast<int64_t>(v));
    } else if constexpr (std::is_integral_v<T>) {
      put_uint(static_cast<uint64_t>(v));
    } else if constexpr (std::is_enum_v<T>) {
      value_(static_cast<std::underlying_type_t<T>>(v));
    } else if constexpr (std::is_same_v<T, std::nullptr_t>) {
      put_null();
    } else if constexpr (std::is_same_v<T, decode::Value>) {
      put_value(v);
    } else if constexpr (std::is_pointer_v<T>) {  // const char* (nullptr: "")
      static_assert(std::is_convertible_v<T, const char*>,
                    "JsonLine: no JSON form for this pointer");
      put_str(v ? std::string_view(v) : std::string_view());
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      put_str(std::string_view(v));
    } else {
      static_assert(sizeof(T) == 0, "JsonLine: no JSON form for this type");
    }
  }

  void put_int(int64_t v);
  void put_uint(uint64_t v);
  void put_bool(bool v);
  void put_null();
  void put_str(std::string_view s);
  void put_value(const decode::Value& v);

  std::unique_ptr<Impl> impl_;
};

}  // namespace sysgate
