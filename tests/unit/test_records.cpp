// SPDX-License-Identifier: Apache-2.0
// RecordReader on hand-built ABI records: pairing of entry and exit per thread,
// typed events, and records that are short, of an unknown type or lie about
// their captures.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "sysgate/records.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace sysgate {
namespace {

int nr_of(const char* name) { return syscall_by_name(name)->nr; }

struct Recorder : RecordConsumer {
  std::vector<SyscallEvent> calls, blocked;
  std::vector<TaskExit> exits;
  std::vector<ZapRecord> zaps;
  std::vector<SignalDelivery> signals;
  std::vector<SignalEvent> sigs;
  std::vector<uint32_t> exit_starts;
  void call(const SyscallEvent& e) override { calls.push_back(e); }
  void unfinished(const SyscallEvent& e) override { blocked.push_back(e); }
  void task_exit(const TaskExit& t) override { exits.push_back(t); }
  void zap(const ZapRecord& z) override { zaps.push_back(z); }
  void signal_delivered(const SignalDelivery& d) override { signals.push_back(d); }
  void signal(const SignalEvent& s) override { sigs.push_back(s); }
  void exit_started(uint32_t tgid, uint64_t) override { exit_starts.push_back(tgid); }
};

sg_hdr hdr(uint16_t type, uint16_t size, uint32_t tgid, uint32_t tid, int nr, uint64_t ts,
           const char* comm = "prog") {
  sg_hdr h{};
  h.type = type;
  h.size = size;
  h.tgid = tgid;
  h.tid = tid;
  h.nr = nr;
  h.ts_ns = ts;
  strncpy(h.comm, comm, sizeof h.comm);
  return h;
}

sg_enter enter(uint32_t tid, int nr, uint64_t ts, uint64_t a0 = 0) {
  sg_enter e{};
  e.hdr = hdr(SG_EV_ENTER, sizeof e, 100, tid, nr, ts);
  e.args[0] = a0;
  return e;
}

sg_exit exit_of(uint32_t tid, int nr, uint64_t ts, int64_t ret, uint64_t enter_ts = 0) {
  sg_exit x{};
  x.hdr = hdr(SG_EV_EXIT, sizeof x, 100, tid, nr, ts);
  x.ret = ret;
  x.enter_ts_ns = enter_ts;
  return x;
}

template <class T>
void feed(RecordReader& r, const T& rec) {
  r.record(&rec, sizeof rec);
}

TEST(Records, EntryAndExitPairIntoOneCall) {
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("read"), 1000, 3));
  EXPECT_TRUE(c.calls.empty());  // held until its exit
  feed(r, exit_of(101, nr_of("read"), 1500, 42, 1000));
  ASSERT_EQ(c.calls.size(), 1u);
  const auto& ev = c.calls[0];
  EXPECT_TRUE(ev.has_enter);
  EXPECT_TRUE(ev.has_exit);
  EXPECT_EQ(ev.args[0], 3u);
  EXPECT_EQ(ev.ret, 42);
  EXPECT_EQ(ev.duration_ns(), 500u);
  EXPECT_EQ(ev.tgid, 100u);
  EXPECT_EQ(ev.tid, 101u);
  EXPECT_EQ(ev.comm, "prog");
  EXPECT_EQ(r.calls(), 1u);
  EXPECT_EQ(r.malformed(), 0u);
  EXPECT_TRUE(r.live().count(100));
}

TEST(Records, ThreadsPairSeparately) {
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("read"), 1000));
  feed(r, enter(102, nr_of("write"), 1100));
  feed(r, exit_of(102, nr_of("write"), 1200, 1));
  feed(r, exit_of(101, nr_of("read"), 1300, 2));
  ASSERT_EQ(c.calls.size(), 2u);
  EXPECT_EQ(c.calls[0].nr, nr_of("write"));
  EXPECT_EQ(c.calls[0].ret, 1);
  EXPECT_EQ(c.calls[1].nr, nr_of("read"));
  EXPECT_EQ(c.calls[1].ret, 2);
}

TEST(Records, ExitWithoutEntryIsAResumedCall) {
  Recorder c;
  RecordReader r(c);
  feed(r, exit_of(101, nr_of("read"), 2000, 7, 1800));
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_FALSE(c.calls[0].has_enter);
  EXPECT_TRUE(c.calls[0].has_exit);
  EXPECT_EQ(c.calls[0].ts_ns, 1800u);  // the entry time the exit carries
  EXPECT_EQ(r.calls(), 0u);            // entries seen
}

TEST(Records, MismatchedExitFlushesTheHeldEntry) {
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("read"), 1000));
  feed(r, exit_of(101, nr_of("write"), 1100, 5));  // its entry was lost
  ASSERT_EQ(c.calls.size(), 2u);
  EXPECT_EQ(c.calls[0].nr, nr_of("read"));
  EXPECT_FALSE(c.calls[0].has_exit);
  EXPECT_EQ(c.calls[1].nr, nr_of("write"));
  EXPECT_FALSE(c.calls[1].has_enter);
}

TEST(Records, ExitBeforeItsEntryHasNoNegativeDuration) {
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("read"), 5000));
  feed(r, exit_of(101, nr_of("read"), 4000, 0));
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_EQ(c.calls[0].duration_ns(), 0u);
}

TEST(Records, NoReturnCallsAreDeliveredAtEntry) {
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("exit_group"), 1000, 3));
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_TRUE(c.calls[0].has_enter);
  EXPECT_FALSE(c.calls[0].has_exit);
}

TEST(Records, TaskExitFlushesPendingAndEndsTheProcess) {
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("read"), 1000));
  sg_task_exit t{};
  t.hdr = hdr(SG_EV_TASK_EXIT, sizeof t, 100, 101, -1, 3000);
  t.exit_code = 9;  // killed by SIGKILL
  t.group_dead = 1;
  t.zap_matched = 4;
  feed(r, t);
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_FALSE(c.calls[0].has_exit);
  ASSERT_EQ(c.exits.size(), 1u);
  EXPECT_EQ(c.exits[0].status, 9);
  EXPECT_TRUE(c.exits[0].group_dead);
  EXPECT_EQ(c.exits[0].zap_matched, 4u);
  EXPECT_FALSE(r.live().count(100));
}

TEST(Records, ThreadExitKeepsTheProcessLive) {
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("read"), 1000));
  sg_task_exit t{};
  t.hdr = hdr(SG_EV_TASK_EXIT, sizeof t, 100, 102, -1, 3000);
  feed(r, t);
  EXPECT_TRUE(r.live().count(100));
  EXPECT_TRUE(c.calls.empty());  // thread 101's call is still in progress
  r.finish();
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_EQ(r.unfinished(), 1u);
}

TEST(Records, BlockedCallsAreAnnouncedOnce) {
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("read"), 1000));
  r.announce_blocked(1500, 1000);
  EXPECT_TRUE(c.blocked.empty());
  r.announce_blocked(5000, 1000);
  r.announce_blocked(9000, 1000);
  EXPECT_EQ(c.blocked.size(), 1u);
  r.announce_blocked(0, 1000);  // a clock before the entry: nothing, no wrap
  EXPECT_EQ(c.blocked.size(), 1u);
}

TEST(Records, ZapSignalAndExitStartAreTyped) {
  Recorder c;
  RecordReader r(c);
  sg_zap z{};
  z.hdr = hdr(SG_EV_ZAP, sizeof z, 100, 101, nr_of("fsync"), 1000);
  z.signal = 15;
  z.signal_ts_ns = 1010;
  z.nth = 37;
  feed(r, z);
  sg_sig_deliver d{};
  d.hdr = hdr(SG_EV_SIG_DELIVER, sizeof d, 100, 101, -1, 1100);
  d.signal = 15;
  d.handler = 1;
  feed(r, d);
  sg_hdr s = hdr(SG_EV_EXIT_START, sizeof(sg_hdr), 100, 101, -1, 1200);
  feed(r, s);
  ASSERT_EQ(c.zaps.size(), 1u);
  EXPECT_EQ(c.zaps[0].nth, 37u);
  EXPECT_EQ(c.zaps[0].signal, 15);
  EXPECT_EQ(c.zaps[0].syscall_ts_ns, 1000u);
  EXPECT_EQ(c.zaps[0].signal_ts_ns, 1010u);
  ASSERT_EQ(c.signals.size(), 1u);
  EXPECT_EQ(c.signals[0].handler, 1u);
  ASSERT_EQ(c.exit_starts.size(), 1u);
  EXPECT_EQ(r.malformed(), 0u);
}

TEST(Records, SignalRecordsAreTyped) {
  Recorder c;
  RecordReader r(c);
  sg_signal g{};
  g.hdr = hdr(SG_EV_SIGNAL, sizeof g, 100, 102, -1, 1234, "sh");
  g.signo = 17;
  g.info_ok = 1;
  g.handler = 0x401000;
  for (size_t i = 0; i < sizeof g.info; ++i) g.info[i] = static_cast<uint8_t>(i + 1);
  feed(r, g);
  ASSERT_EQ(c.sigs.size(), 1u);
  const SignalEvent& s = c.sigs[0];
  EXPECT_EQ(s.tgid, 100u);
  EXPECT_EQ(s.tid, 102u);
  EXPECT_EQ(s.comm, "sh");
  EXPECT_EQ(s.ts_ns, 1234u);
  EXPECT_EQ(s.signo, 17);
  EXPECT_TRUE(s.info_ok);
  EXPECT_EQ(s.handler, 0x401000u);
  EXPECT_EQ(s.info[0], 1);
  EXPECT_EQ(s.info[47], 48);
  // info_ok 0: whatever the bytes hold, the event carries none of them
  g.info_ok = 0;
  feed(r, g);
  ASSERT_EQ(c.sigs.size(), 2u);
  EXPECT_FALSE(c.sigs[1].info_ok);
  EXPECT_EQ(c.sigs[1].info[0], 0);
  // a record cut short is counted, never delivered
  r.record(&g, sizeof g - 8);
  EXPECT_EQ(c.sigs.size(), 2u);
  EXPECT_EQ(r.malformed(), 1u);
  EXPECT_TRUE(c.calls.empty());
  EXPECT_TRUE(c.exits.empty());
}

TEST(Records, SignalsDuringACallFollowIt) {
  // a fatal signal is recorded when sent, while its thread is still in kill(): the
  // line comes after that call, as the signal is taken on the way back to user space
  Recorder c;
  RecordReader r(c);
  feed(r, enter(101, nr_of("kill"), 1000, 101));
  sg_signal g{};
  g.hdr = hdr(SG_EV_SIGNAL, sizeof g, 100, 101, -1, 1100);
  g.signo = 15;
  feed(r, g);
  EXPECT_TRUE(c.sigs.empty());
  g.hdr.tid = 102;  // another thread, not in a call: at once
  feed(r, g);
  EXPECT_EQ(c.sigs.size(), 1u);
  feed(r, exit_of(101, nr_of("kill"), 1200, 0, 1000));
  ASSERT_EQ(c.calls.size(), 1u);
  ASSERT_EQ(c.sigs.size(), 2u);
  EXPECT_EQ(c.sigs[1].tid, 101u);
  // a call that never returns: the thread's exit flushes it, then its signal
  feed(r, enter(103, nr_of("read"), 2000));
  g.hdr.tid = 103;
  feed(r, g);
  sg_task_exit t{};
  t.hdr = hdr(SG_EV_TASK_EXIT, sizeof t, 100, 103, -1, 2100);
  t.exit_code = 15;
  feed(r, t);
  ASSERT_EQ(c.calls.size(), 2u);
  ASSERT_EQ(c.sigs.size(), 3u);
  EXPECT_EQ(c.sigs[2].tid, 103u);
  ASSERT_EQ(c.exits.size(), 1u);
}

TEST(Records, ShortAndUnknownRecordsAreCountedNotTrusted) {
  Recorder c;
  RecordReader r(c);
  char junk[sizeof(sg_exit)] = {};
  r.record(junk, 0);
  r.record(junk, sizeof(sg_hdr) - 1);
  sg_enter e = enter(101, nr_of("read"), 1000);
  r.record(&e, sizeof e - 1);  // an entry cut short
  sg_exit x = exit_of(101, nr_of("read"), 1000, 0);
  r.record(&x, sizeof(sg_hdr));  // an exit that is only a header
  sg_hdr h = hdr(999, sizeof(sg_hdr), 100, 101, 0, 1);
  r.record(&h, sizeof h);  // unknown type
  EXPECT_EQ(r.malformed(), 5u);
  EXPECT_TRUE(c.calls.empty());
  EXPECT_TRUE(c.exits.empty());
}

TEST(Records, CapturesThatOverrunTheRecordAreCounted) {
  Recorder c;
  RecordReader r(c);
  sg_enter e = enter(101, nr_of("openat"), 1000);
  e.ncap = 3;  // claims three captures, carries none
  feed(r, e);
  EXPECT_EQ(r.malformed(), 1u);
  feed(r, exit_of(101, nr_of("openat"), 1100, 3));
  ASSERT_EQ(c.calls.size(), 1u);  // the call itself is still shown
  EXPECT_EQ(c.calls[0].ret, 3);
}

TEST(Records, CommIsBoundedWithoutNul) {
  Recorder c;
  RecordReader r(c);
  sg_enter e = enter(101, nr_of("exit_group"), 1000);
  memset(e.hdr.comm, 'x', sizeof e.hdr.comm);  // no terminating NUL
  feed(r, e);
  ASSERT_EQ(c.calls.size(), 1u);
  EXPECT_EQ(c.calls[0].comm, std::string(SG_COMM_LEN, 'x'));
}

}  // namespace
}  // namespace sysgate
