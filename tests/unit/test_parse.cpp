// SPDX-License-Identifier: Apache-2.0
// Option-value parsers: durations (--kill-after) and argument conditions (--arg).
#include <gtest/gtest.h>

#include "sysgate/error.hpp"
#include "sysgate/filter.hpp"
#include "sysgate/parse.hpp"

namespace sysgate {
namespace {

TEST(Duration, Units) {
  EXPECT_EQ(parse_duration_ns("200ms", "--kill-after"), 200000000u);
  EXPECT_EQ(parse_duration_ns("1.5s", "--kill-after"), 1500000000u);
  EXPECT_EQ(parse_duration_ns("2", "--kill-after"), 2000000000u);
  EXPECT_EQ(parse_duration_ns("500us", "--kill-after"), 500000u);
  EXPECT_EQ(parse_duration_ns("100ns", "--kill-after"), 100u);
  EXPECT_EQ(parse_duration_ns("2m", "--kill-after"), 120000000000u);
}

TEST(Duration, Rejects) {
  for (const char* bad : {"", "ms", "5parsecs", "-1s", "1.2.3s", "1e3", "s5"})
    EXPECT_THROW(parse_duration_ns(bad, "--kill-after"), UsageError) << bad;
}

TEST(Duration, RefusesAbsurdValues) {
  for (const char* bad : {"1e99", "nan", "inf", "-inf", "99999999999999999999", "300000000000s",
                          "1e400ms", "0x10s", " 1s", "1s "})
    EXPECT_THROW(parse_duration_ns(bad, "--duration"), UsageError) << bad;
  // the message says what is allowed, not a 309-digit range
  try {
    parse_duration_ns("abc", "--duration");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("200ms"), std::string::npos) << e.what();
    EXPECT_LT(std::string(e.what()).size(), 200u);
  }
}

TEST(FilterText, RefusedAsStraceRefusesThem) {
  for (const char* bad : {"", "!", "trace=", "trace=!"})
    EXPECT_THROW(check_filter_text(bad, "-e"), UsageError) << bad;
  for (const char* ok : {"openat", "!write", "trace=openat", "%file", "trace=%net,close"})
    EXPECT_NO_THROW(check_filter_text(ok, "-e")) << ok;
}

TEST(ArgMatch, NumbersOutOfRange) {
  auto sel = parse_syscall_filter("write");
  for (const char* bad : {"99999999999=1", "-1=1", "18446744073709551616=1",
                          "fd=18446744073709551616", "fd=-99999999999999999999", "fd=0x"})
    EXPECT_THROW(parse_arg_match(bad, sel), UsageError) << bad;
  EXPECT_EQ(parse_arg_match("count=18446744073709551615", sel).value, 18446744073709551615ull);
}

TEST(ArgMatch, NumberByIndexOrName) {
  auto sel = parse_syscall_filter("write");
  ArgMatch a = parse_arg_match("0=1", sel);
  EXPECT_EQ(a.index, 0);
  EXPECT_EQ(a.op, ArgMatch::Op::Eq);
  EXPECT_EQ(a.value, 1u);
  EXPECT_EQ(a.mask, 0xffffffffu);  // fd: a 32-bit argument, junk above is ignored
  ArgMatch b = parse_arg_match("fd=0x3", sel);
  EXPECT_EQ(b.index, 0);
  EXPECT_EQ(b.value, 3u);
}

TEST(ArgMatch, NegativeAndBits) {
  auto sel = parse_syscall_filter("openat");
  ArgMatch a = parse_arg_match("dfd=-100", sel);  // AT_FDCWD
  EXPECT_EQ(a.value, 0xffffff9cu);
  ArgMatch b = parse_arg_match("flags=&0x40", sel);  // O_CREAT set
  EXPECT_EQ(b.index, 2);
  EXPECT_EQ(b.op, ArgMatch::Op::Bits);
  EXPECT_EQ(b.value, 0x40u);
}

TEST(ArgMatch, PathPrefix) {
  auto sel = parse_syscall_filter("openat");
  ArgMatch a = parse_arg_match("filename=/etc/shadow", sel);
  EXPECT_EQ(a.index, 1);
  EXPECT_EQ(a.op, ArgMatch::Op::Prefix);
  EXPECT_EQ(a.prefix, "/etc/shadow");
}

TEST(ArgMatch, Rejects) {
  auto sel = parse_syscall_filter("write");
  for (const char* bad : {"fd", "=1", "fd=", "nosuch=1", "7=1", "fd=abc", "fd=&"})
    EXPECT_THROW(parse_arg_match(bad, sel), UsageError) << bad;
}

}  // namespace
}  // namespace sysgate
