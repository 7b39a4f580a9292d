// SPDX-License-Identifier: Apache-2.0
// strace's -e QUALIFIER=SET, -S and -U (sysgate/qualify.hpp).
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
#include "sysgate/qualify.hpp"
#include "sysgate/syscalls.hpp"

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
  for (const char* bad : {"abbrev=all", "verbose=none", "raw=all", "read=3", "write=1", "kvm=vcpu",
                          "bogus=1", "trace=", "!", "", "status="}) {
    Qualifiers b;
    EXPECT_THROW(parse_qualifier(bad, b), UsageError) << bad;
  }
  try {
    Qualifiers b;
    parse_qualifier("abbrev=none", b);
    ADD_FAILURE() << "abbrev= accepted";
  } catch (const UsageError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("status="), std::string::npos) << m;
    EXPECT_NE(m.find("inject="), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

int nr_of(const char* name) { return syscall_by_name(name)->nr; }

TEST(Qualify, Inject) {
  Qualifiers q;
  parse_qualifier("inject=openat,close:error=ENOENT", q);
  parse_qualifier("fault=%network", q);
  parse_qualifier("inject=getppid:retval=42:signal=SIGUSR1:when=3+2", q);
  ASSERT_EQ(q.inject.size(), 3u);
  const InjectRule& a = q.inject[0];
  EXPECT_EQ(a.arg, "inject=openat,close:error=ENOENT");
  EXPECT_EQ(a.error, ENOENT);
  EXPECT_FALSE(a.has_retval);
  EXPECT_TRUE(a.syscalls[nr_of("openat")] && a.syscalls[nr_of("close")]);
  EXPECT_FALSE(a.syscalls[nr_of("read")]);
  EXPECT_EQ(a.first, 1u);  // every call by default
  EXPECT_EQ(a.last, 0u);
  EXPECT_EQ(a.step, 1u);
  EXPECT_TRUE(a.tampers());
  EXPECT_EQ(q.inject[1].error, ENOSYS);  // fault's default, as strace
  EXPECT_TRUE(q.inject[1].syscalls[nr_of("connect")]);
  const InjectRule& c = q.inject[2];
  EXPECT_TRUE(c.has_retval);
  EXPECT_EQ(c.retval, 42);
  EXPECT_EQ(c.signal, 10);
  EXPECT_EQ(c.first, 3u);
  EXPECT_EQ(c.step, 2u);
  EXPECT_FALSE(q.trace_given);  // inject= selects nothing to show

  // when=, as strace: N (that call only), N+ (and every later one), N+STEP, N..M
  // (N to M), N..M+STEP; the last when= counts
  struct When {
    const char* expr;
    uint32_t first, last, step;
  };
  for (const When& w :
       {When{"5", 5, 0, 0}, When{"5+", 5, 0, 1}, When{"5+3", 5, 0, 3}, When{"2..4", 2, 4, 1},
        When{"2..4+2", 2, 4, 2}, When{"1..65534", 1, 65534, 1}, When{"65535", 65535, 0, 0},
        When{"7..7", 7, 7, 1}}) {
    InjectRule r = parse_inject(std::string("getppid:retval=0:when=") + w.expr, false);
    EXPECT_EQ(r.first, w.first) << w.expr;
    EXPECT_EQ(r.last, w.last) << w.expr;
    EXPECT_EQ(r.step, w.step) << w.expr;
  }
  EXPECT_EQ(parse_inject("getppid:retval=0:when=2:when=9", false).first, 9u);
  EXPECT_EQ(parse_inject("getppid:retval=0x10", false).retval, 16);
  EXPECT_EQ(parse_inject("getppid:retval=9223372036854775807", false).retval, INT64_MAX);
  EXPECT_EQ(parse_inject("getppid:error=4095", false).error, 4095);
  EXPECT_EQ(parse_inject("getppid:error=EIO:when=3", true).error, EIO);
  EXPECT_EQ(parse_inject("getppid:signal=9", false).signal, 9);
  EXPECT_FALSE(parse_inject("getppid:signal=9", false).tampers());

  // delays: microseconds without a unit, as strace
  EXPECT_EQ(parse_inject_delay_ns("250"), 250000u);
  EXPECT_EQ(parse_inject_delay_ns("1.5s"), 1500000000u);
  EXPECT_EQ(parse_inject_delay_ns("20ms"), 20000000u);
  EXPECT_EQ(parse_inject_delay_ns("7us"), 7000u);
  EXPECT_EQ(parse_inject_delay_ns("100ns"), 100u);
  InjectRule d = parse_inject("read:delay_enter=10ms:delay_exit=5", false);
  EXPECT_EQ(d.delay_enter_ns, 10000000u);
  EXPECT_EQ(d.delay_exit_ns, 5000u);
  EXPECT_FALSE(d.tampers());

  for (const char* bad : {
           "inject=openat",               // nothing to inject
           "inject=openat:when=2",        // still nothing
           "inject=openat:error=EBOGUS",  // unknown errno
           "inject=openat:error=0",       //
           "inject=openat:error=4096",    //
           "inject=openat:retval=-1",     // out of range
           "inject=openat:retval=9223372036854775808",
           "inject=openat:retval=abc",             //
           "inject=openat:error=EIO:retval=1",     // both
           "inject=openat:error=EIO:error=EPERM",  // twice
           "inject=openat:error=EIO:when=0",       // counts start at 1
           "inject=openat:error=EIO:when=65536",   //
           "inject=openat:error=EIO:when=3..2",    // empty range
           "inject=openat:error=EIO:when=1..65535",
           "inject=openat:error=EIO:when=2+0",  //
           "inject=openat:error=EIO:when=+3",   //
           "inject=openat:error=EIO:when=2..",  //
           "inject=openat:error=EIO:when=x",    //
           "inject=openat:signal=SIGBOGUS",     //
           "inject=openat:signal=0",            //
           "inject=openat:signal=USR1:signal=USR2",
           "inject=openat:delay_enter=-1",  //
           "inject=openat:delay_exit=5m",   // strace has no minutes
           "inject=openat:delay_exit=",     //
           "inject=openat:error=EIO:syscall=getpid",
           "inject=openat:error=EIO:poke_enter=@arg1=00",
           "inject=openat:error=EIO:bogus=1",  //
           "inject=openat:error=EIO:",         //
           "inject=openat:error",              //
           "inject=:error=EIO",                // no set
           "inject=!:error=EIO",               //
           "inject=opnat:error=EIO",           // unknown syscall
           "fault=openat:retval=1",            // fault takes error= and when=
           "fault=openat:signal=USR1",         //
           "fault=openat:delay_enter=1",       //
       }) {
    Qualifiers b;
    try {
      parse_qualifier(bad, b);
      ADD_FAILURE() << bad << " accepted";
    } catch (const UsageError& e) {
      std::string m = e.what();
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
      EXPECT_FALSE(m.empty());
    }
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
