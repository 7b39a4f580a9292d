// SPDX-License-Identifier: Apache-2.0
// The one JSON writer (sysgate/json.hpp): every line parses, valid UTF-8 passes
// through, invalid bytes and control characters are escaped, timestamps saturate.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "sysgate/decode.hpp"
#include "sysgate/json.hpp"

namespace sysgate {
namespace {

using nlohmann::json;

std::string line_of(std::string_view key, std::string_view value) {
  JsonLine l;
  l.begin().field(key, value);
  return std::string(l.finish());
}

TEST(JsonLine, ValidUtf8PassesThrough) {
  std::string s = line_of("comm", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  EXPECT_EQ(s, "{\"comm\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}\n");
  EXPECT_EQ(json::parse(s)["comm"], "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST(JsonLine, InvalidBytesAreEscapedOneByOne) {
  // a lone continuation byte, a cut sequence, an overlong '/', a surrogate, F5
  std::string s = line_of("v",
                          "a\x80"
                          "b\xc3"
                          "c\xc0\xaf"
                          "d\xed\xa0\x80"
                          "e\xf5");
  EXPECT_EQ(s, "{\"v\":\"a\\u0080b\\u00c3c\\u00c0\\u00afd\\u00ed\\u00a0\\u0080e\\u00f5\"}\n");
  EXPECT_TRUE(json::accept(s));
}

TEST(JsonLine, ControlCharactersQuotesAndDel) {
  std::string s = line_of("v", std::string_view("\"\\\n\t\x01\x7f\0", 7));
  auto j = json::parse(s);
  EXPECT_EQ(j["v"], std::string("\"\\\n\t\x01\x7f\0", 7));
  EXPECT_EQ(s.find('\x7f'), std::string::npos);  // DEL spelled \u007f
  EXPECT_EQ(s.find('\x01'), std::string::npos);
}

TEST(JsonLine, KeysAreEscapedToo) {
  JsonLine l;
  l.begin().field("we\"ird\xff", 1);
  auto j = json::parse(l.finish());
  EXPECT_EQ(j.begin().value(), 1);
}

TEST(JsonLine, NumbersNullsArraysObjects) {
  JsonLine l;
  l.begin()
      .field("i", int64_t{-5})
      .field("u", std::numeric_limits<uint64_t>::max())
      .field("b", true)
      .field("n", nullptr)
      .begin_array("a")
      .item(1)
      .item("x")
      .begin_object()
      .field("k", 2)
      .end_object()
      .end_array()
      .begin_object("o")
      .field("z", 0);
  auto s = std::string(l.finish());  // closes the open object
  auto j = json::parse(s);
  EXPECT_EQ(j["i"], -5);
  EXPECT_EQ(j["u"].get<uint64_t>(), std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(j["b"], true);
  EXPECT_TRUE(j["n"].is_null());
  EXPECT_EQ(j["a"].dump(), "[1,\"x\",{\"k\":2}]");
  EXPECT_EQ(j["o"]["z"], 0);
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(s.find('\n'), s.size() - 1);  // one line
}

TEST(JsonLine, ReusedLinesStartAfresh) {
  JsonLine l;
  l.begin().field("a", 1).begin_array("x");
  (void)l.finish();
  l.begin().field("b", 2);
  EXPECT_EQ(std::string(l.finish()), "{\"b\":2}\n");
}

TEST(JsonLine, DecodedValues) {
  JsonLine l;
  l.begin()
      .begin_array("args")
      .item(decode::Value::num(-100))
      .item(decode::Value::unum(0xffffffffffffffffull))
      .item(decode::Value::sym("O_RDONLY|O_CLOEXEC"))
      .item(decode::Value::str("caf\xc3\xa9\xff\n", true))
      .end_array();
  auto j = json::parse(l.finish());
  EXPECT_EQ(j["args"][0], -100);
  EXPECT_EQ(j["args"][1].get<uint64_t>(), 0xffffffffffffffffull);
  EXPECT_EQ(j["args"][2], "O_RDONLY|O_CLOEXEC");
  // a C string: strace's escapes for what is not UTF-8, then "..." when cut
  EXPECT_EQ(j["args"][3], "caf\xc3\xa9\\377\\n...");
}

TEST(JsonLine, ValueForms) {
  auto one = [](const decode::Value& v) {
    JsonLine l;
    l.begin().field("v", v);
    std::string s(l.finish());
    return s.substr(5, s.size() - 7);  // {"v":VALUE}\n
  };
  EXPECT_EQ(one(decode::Value::num(-5)), "-5");
  EXPECT_EQ(one(decode::Value::unum(~uint64_t{0})), "18446744073709551615");
  EXPECT_EQ(one(decode::Value::str("a\"b", false)), R"("a\\\"b")");  // strace's \" then JSON's
  EXPECT_EQ(one(decode::Value::str("abc", true)), R"("abc...")");
  EXPECT_EQ(one(decode::Value::sym("x\ny\x01\\")), R"("x\ny\u0001\\")");
  EXPECT_EQ(one(decode::Value::sym("{fd=3}")), R"("{fd=3}")");
}

TEST(JsonTs, SaturatesInsteadOfOverflowing) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(json_ts(1000, 5), 1005);
  EXPECT_EQ(json_ts(1000, -5000), -4000);
  EXPECT_EQ(json_ts(std::numeric_limits<uint64_t>::max(), 0), kMax);
  EXPECT_EQ(json_ts(static_cast<uint64_t>(kMax), kMax), kMax);
  EXPECT_EQ(json_ts(0, kMin), kMin);
  EXPECT_EQ(json_ts(std::numeric_limits<uint64_t>::max(), kMin), kMax);  // 2^64-1 - 2^63
}

TEST(Utf8, SequenceLengths) {
  EXPECT_EQ(decode::utf8_seq_len("a", 0), 1u);
  EXPECT_EQ(decode::utf8_seq_len("\xc3\xa9", 0), 2u);
  EXPECT_EQ(decode::utf8_seq_len("\xe2\x82\xac", 0), 3u);
  EXPECT_EQ(decode::utf8_seq_len("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(decode::utf8_seq_len("\xc3", 0), 0u);
  EXPECT_EQ(decode::utf8_seq_len("\xc1\x81", 0), 0u);          // overlong
  EXPECT_EQ(decode::utf8_seq_len("\xf4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_TRUE(decode::valid_utf8("caf\xc3\xa9"));
  EXPECT_FALSE(decode::valid_utf8("caf\xe9"));
}

}  // namespace
}  // namespace sysgate
