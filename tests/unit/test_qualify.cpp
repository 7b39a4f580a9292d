// SPDX-License-Identifier: Apache-2.0
// strace's -e QUALIFIER=SET, -S and -U (sysgate/qualify.hpp).
#include <gtest/gtest.h>

#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
#include "sysgate/qualify.hpp"

namespace sysgate {
namespace {

TEST(Qualify, StatusSets) {
  EXPECT_EQ(parse_status_set("successful"), kStatusSuccessful);
  EXPECT_EQ(parse_status_set("failed,unfinished"), kStatusFailed | kStatusUnfinished);
  EXPECT_EQ(parse_status_set("!successful"), kStatusAll & ~kStatusSuccessful);
  EXPECT_EQ(parse_status_set("all"), kStatusAll);
  EXPECT_EQ(parse_status_set("none"), 0);
  EXPECT_EQ(parse_status_set("detached,unavailable"), kStatusDetached | kStatusUnavailable);
  for (const char* bad : {"", "!", "bogus", "failed,", ",failed", "Failed"})
    EXPECT_THROW(parse_status_set(bad), UsageError) << bad;
}

TEST(Qualify, SignalSets) {
  auto all = parse_signal_set("all");
  for (int s = 1; s <= 64; ++s) EXPECT_TRUE(all[s]) << s;
  auto none = parse_signal_set("none");
  for (int s = 1; s <= 64; ++s) EXPECT_FALSE(none[s]) << s;
  auto some = parse_signal_set("SIGCHLD,TERM,9");
  EXPECT_TRUE(some[17] && some[15] && some[9]);
  EXPECT_EQ(some.count(), 4u);  // and bit 0, unused
  auto neg = parse_signal_set("!SIGCHLD");
  EXPECT_FALSE(neg[17]);
  EXPECT_TRUE(neg[15] && neg[64] && neg[1]);
  EXPECT_TRUE(parse_signal_set("RTMIN+1")[decode::signal_by_name("RTMIN+1")]);
  for (const char* bad : {"", "!", "SIGBOGUS", "0", "65", "TERM,,KILL"})
    EXPECT_THROW(parse_signal_set(bad), UsageError) << bad;
  EXPECT_TRUE(Qualifiers().signals.all());  // default: every signal
}

TEST(Qualify, QuietAndDecodeFds) {
  EXPECT_EQ(parse_quiet_set("exit"), kQuietExit);
  EXPECT_EQ(parse_quiet_set("attach,personality"), kQuietAttach | kQuietPersonality);
  EXPECT_EQ(parse_quiet_set("!exit"), kQuietAll & ~kQuietExit);
  EXPECT_THROW(parse_quiet_set("loud"), UsageError);
  EXPECT_EQ(parse_decode_fds_set("path"), kFdPath);
  EXPECT_EQ(parse_decode_fds_set("all"), kFdAll);
  EXPECT_EQ(parse_decode_fds_set("socket,dev"), kFdSocket | kFdDev);
  EXPECT_THROW(parse_decode_fds_set("pidfd"), UsageError);
}

TEST(Qualify, QualifierSyntax) {
  Qualifiers q;
  parse_qualifier("openat,close", q);
  parse_qualifier("trace=%file", q);
  parse_qualifier("t=read", q);
  EXPECT_EQ(q.trace, "openat,close,%file,read");
  EXPECT_TRUE(q.trace_given);
  parse_qualifier("status=failed", q);
  EXPECT_EQ(q.status, kStatusFailed);
  parse_qualifier("signal=none", q);
  EXPECT_EQ(q.signals.count(), 1u);  // bit 0 only (unused)
  parse_qualifier("s=SIGUSR1", q);
  EXPECT_TRUE(q.signals[10]);
  parse_qualifier("quiet=exit", q);
  EXPECT_EQ(q.quiet, kQuietExit);
  parse_qualifier("decode-fds=path", q);
  EXPECT_EQ(q.decode_fds, kFdPath);
  for (const char* bad :
       {"inject=openat:error=ENOENT", "fault=openat", "abbrev=all", "verbose=none", "raw=all",
        "read=3", "write=1", "kvm=vcpu", "bogus=1", "trace=", "!", "", "status="}) {
    Qualifiers b;
    EXPECT_THROW(parse_qualifier(bad, b), UsageError) << bad;
  }
  try {
    Qualifiers b;
    parse_qualifier("inject=openat:error=ENOENT", b);
  } catch (const UsageError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("status="), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(Qualify, SortKeys) {
  EXPECT_EQ(parse_sort_key("time"), CountSort::Time);
  EXPECT_EQ(parse_sort_key("calls"), CountSort::Calls);
  EXPECT_EQ(parse_sort_key("count"), CountSort::Calls);
  EXPECT_EQ(parse_sort_key("errors"), CountSort::Errors);
  EXPECT_EQ(parse_sort_key("name"), CountSort::Name);
  EXPECT_EQ(parse_sort_key("max-time"), CountSort::MaxTime);
  EXPECT_EQ(parse_sort_key("avg-time"), CountSort::AvgTime);
  EXPECT_EQ(parse_sort_key("nothing"), CountSort::Nothing);
  for (const char* bad : {"", "bogus", "min-time", "Time"})
    EXPECT_THROW(parse_sort_key(bad), UsageError) << bad;
}

TEST(Qualify, Columns) {
  using C = CountColumn;
  EXPECT_EQ(parse_count_columns("name,calls,errors"),
            (std::vector<C>{C::Name, C::Calls, C::Errors}));
  EXPECT_EQ(parse_count_columns("time-percent,total-time,max-time,avg-time"),
            (std::vector<C>{C::TimePercent, C::TotalTime, C::MaxTime, C::AvgTime}));
  EXPECT_EQ(parse_count_columns("calls,count"), (std::vector<C>{C::Calls}));
  for (const char* bad : {"", "bogus", "name,", "min-time", "shortest"})
    EXPECT_THROW(parse_count_columns(bad), UsageError) << bad;
}

}  // namespace
}  // namespace sysgate
