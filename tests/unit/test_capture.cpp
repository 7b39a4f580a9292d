// SPDX-License-Identifier: Apache-2.0
// The capture specs the kernel receives, and the ABI layout both sides share.
#include <gtest/gtest.h>
#include <linux/time_types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstring>

#include "sysgate/capture.hpp"
#include "sysgate/decode.hpp"
#include "sysgate/event.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_match.h"

namespace sysgate {
namespace {

sg_sys_spec spec_of(const char* name) {
  const SyscallInfo* s = syscall_by_name(name);
  EXPECT_NE(s, nullptr);
  return capture_spec(*s, CaptureLimits{});
}

TEST(Abi, LayoutIsStable) {
  EXPECT_EQ(sizeof(sg_hdr), 40u);
  EXPECT_EQ(sizeof(sg_enter), 40u + 48 + 8);
  EXPECT_EQ(sizeof(sg_exit), 40u + 8 + 8 + 8);
  EXPECT_EQ(sizeof(sg_cap), 16u);
  EXPECT_EQ(sizeof(sg_sys_spec), 8u + 6 * 8);
  EXPECT_EQ(sizeof(sg_enter) % 8, 0u);
  EXPECT_EQ(sizeof(sg_exit) % 8, 0u);
}

TEST(Capture, StructSizesMatchTheSystemHeaders) {
  EXPECT_EQ(struct_size("stat"), sizeof(struct stat));
  EXPECT_EQ(struct_size("timespec"), sizeof(struct __kernel_timespec));
  EXPECT_EQ(struct_size("rlimit"), sizeof(struct rlimit));
  EXPECT_EQ(struct_size("epoll_event"), sizeof(struct epoll_event));
  EXPECT_EQ(struct_size("nonsense"), 0u);
}

TEST(Capture, PathAtEntry) {
  auto s = spec_of("openat");
  EXPECT_EQ(s.cap[1].kind, SG_CK_STR);
  EXPECT_EQ(s.cap[1].when, SG_AT_ENTER);
  EXPECT_EQ(s.cap[0].kind, SG_CK_NONE);
  EXPECT_TRUE(s.flags & SG_SYS_CAPTURE);
  EXPECT_FALSE(s.flags & SG_SYS_EXIT_CAP);
}

TEST(Capture, ReadBufferAtExitBoundedByReturn) {
  auto s = spec_of("read");
  EXPECT_EQ(s.cap[1].kind, SG_CK_BUF);
  EXPECT_EQ(s.cap[1].when, SG_AT_EXIT);
  EXPECT_EQ(s.cap[1].len_src, SG_LEN_RET);
  EXPECT_EQ(s.cap[1].len_arg, 2);
  EXPECT_EQ(s.cap[1].size, 32);
  EXPECT_TRUE(s.flags & SG_SYS_EXIT_CAP);
}

TEST(Capture, WriteBufferAtEntry) {
  auto s = spec_of("write");
  EXPECT_EQ(s.cap[1].when, SG_AT_ENTER);
  EXPECT_EQ(s.cap[1].len_src, SG_LEN_ARG);
}

TEST(Capture, NoReturnAndNothingToCapture) {
  auto e = spec_of("exit_group");
  EXPECT_TRUE(e.flags & SG_SYS_NORETURN);
  auto g = spec_of("getppid");
  EXPECT_EQ(g.flags, 0u);
}

TEST(Capture, EveryKindInTheTableHasADecoder) {
  for (const auto& s : syscall_table()) {
    if (s.nr < 0 || !s.args_known) continue;
    for (int i = 0; i < s.nargs; ++i) {
      const ArgSpec& a = s.args[i];
      if (a.kind == "in" || a.kind == "out" || a.kind == "inout") {
        EXPECT_NE(decode::decoder_for_struct(a.type), nullptr) << s.name << " " << a.type;
        EXPECT_NE(struct_size(a.type), 0u) << s.name << " " << a.type;
      } else {
        EXPECT_NE(decode::decoder_for_kind(a.kind), nullptr) << s.name << " " << a.kind;
      }
    }
  }
}

TEST(Event, CapturesParseAndSurviveGrowth) {
  // two captures at entry, one at exit: views must stay valid after storage grows
  std::string rec;
  auto put = [&](uint8_t arg, uint8_t kind, uint8_t flags, std::string data, uint64_t size) {
    sg_cap h{};
    h.arg = arg;
    h.kind = kind;
    h.flags = flags;
    h.len = static_cast<uint32_t>(data.size());
    h.size = size;
    rec.append(reinterpret_cast<const char*>(&h), sizeof h);
    data.resize((data.size() + 7) & ~size_t{7}, '\0');
    rec += data;
  };
  put(1, SG_CK_STR, 0, "/etc/hostname", 0);
  put(2, SG_CK_BUF, SG_CF_TRUNC, "abc", 100);
  SyscallEvent ev;
  ASSERT_TRUE(ev.add_captures(rec.data(), rec.size(), 2, false));
  rec.clear();
  put(1, SG_CK_BUF, 0, std::string(5000, 'x'), 5000);
  ASSERT_TRUE(ev.add_captures(rec.data(), rec.size(), 1, true));
  ASSERT_EQ(ev.caps.size(), 3u);
  EXPECT_EQ(ev.find(1, false)->data, "/etc/hostname");
  EXPECT_EQ(ev.find(2, false)->data, "abc");
  EXPECT_TRUE(ev.find(2, false)->truncated());
  EXPECT_EQ(ev.find(1, true)->data.size(), 5000u);
  EXPECT_TRUE(ev.find(1, true)->at_exit());
}

TEST(Event, MalformedRecordsAreRejected) {
  sg_cap h{};
  h.len = 1000;  // more than the record holds
  SyscallEvent ev;
  EXPECT_FALSE(ev.add_captures(&h, sizeof h, 1, false));
  EXPECT_FALSE(ev.add_captures(&h, 4, 1, false));
}

// The logic both kernel sides include (schema/sysgate_match.h), compiled here as
// user space C++: the same header, the same answers.
TEST(KernelMatch, PrefixOfExactlyMaxBytesMatches) {
  std::string prefix(SG_PREFIX_MAX, 'a');
  std::string s = prefix + "bcd";
  // what a kernel side reads: SG_PREFIX_MAX bytes of the string (and a NUL)
  char buf[SG_PREFIX_BUF] = {};
  long n = static_cast<long>(std::min<size_t>(s.size(), SG_PREFIX_MAX));
  memcpy(buf, s.data(), static_cast<size_t>(n));
  EXPECT_TRUE(sg_match_prefix(buf, n, prefix.data(), SG_PREFIX_MAX));
  prefix.back() = 'b';
  EXPECT_FALSE(sg_match_prefix(buf, n, prefix.data(), SG_PREFIX_MAX));
  // a string shorter than the prefix never matches, a fault never matches
  EXPECT_FALSE(sg_match_prefix("aa", 2, "aaa", 3));
  EXPECT_TRUE(sg_match_prefix("/etc/passwd", 11, "/etc/", 5));
  EXPECT_FALSE(sg_match_prefix("/etc/passwd", -14, "/etc/", 5));
  EXPECT_TRUE(sg_match_prefix("x", 1, "", 0));
}

TEST(KernelMatch, OverlongPrefixIsRefusedNotCut) {
  sg_arg_match m{};
  m.op = SG_MATCH_PREFIX;
  m.len = SG_PREFIX_MAX;
  EXPECT_TRUE(sg_match_valid(&m));
  m.len = SG_PREFIX_MAX + 1;
  EXPECT_FALSE(sg_match_valid(&m));
  // and a matcher handed one anyway does not match a shorter cut of it
  std::string s(SG_PREFIX_MAX + 1, 'a');
  EXPECT_FALSE(sg_match_prefix(s.data(), SG_PREFIX_MAX, s.data(), SG_PREFIX_MAX + 1));
  m.len = 1;
  m.index = SG_NARGS;
  EXPECT_FALSE(sg_match_valid(&m));
  m.index = 0;
  m.op = 0;
  EXPECT_FALSE(sg_match_valid(&m));
  m.op = SG_MATCH_EQ;
  EXPECT_TRUE(sg_match_valid(&m));
}

TEST(KernelMatch, Values) {
  EXPECT_TRUE(sg_match_value(SG_MATCH_EQ, 0x1'0000'0005ull, 5, 0xffffffff));
  EXPECT_FALSE(sg_match_value(SG_MATCH_EQ, 6, 5, ~0ull));
  EXPECT_TRUE(sg_match_value(SG_MATCH_BITS, 0x43, 0x41, 0));
  EXPECT_FALSE(sg_match_value(SG_MATCH_BITS, 0x42, 0x41, 0));
  EXPECT_FALSE(sg_match_value(SG_MATCH_PREFIX, 0, 0, 0));
}

TEST(KernelMatch, CaptureLengths) {
  __u64 want = 0;
  EXPECT_EQ(sg_cap_want(SG_LEN_CONST, 144, 0, 0, 0, 0, &want), 0);
  EXPECT_EQ(want, 144u);
  EXPECT_EQ(sg_cap_want(SG_LEN_ARG, 0, 16, 3, 0, 0, &want), 0);
  EXPECT_EQ(want, 48u);
  EXPECT_EQ(sg_cap_want(SG_LEN_RET, 0, 0, 100, 7, 0, &want), 0);
  EXPECT_EQ(want, 7u);
  EXPECT_EQ(sg_cap_want(SG_LEN_RET, 0, 0, 5, 7, 0, &want), 0);  // at most the buffer
  EXPECT_EQ(want, 5u);
  EXPECT_EQ(sg_cap_want(SG_LEN_RET, 0, 0, 5, -14, 0, &want), -1);  // failed: nothing
  EXPECT_EQ(sg_cap_want(SG_LEN_ARGPTR, 0, 0, 0x1000, 0, 16, &want), 0);
  EXPECT_EQ(want, 16u);
  EXPECT_EQ(sg_cap_want(SG_LEN_ARGPTR, 0, 0, 0x1000, 0, -1, &want), -1);
  EXPECT_EQ(sg_cap_want(SG_LEN_FDSET, 0, 0, 65, 0, 0, &want), 0);
  EXPECT_EQ(want, 16u);
  EXPECT_EQ(sg_cap_max(0), static_cast<__u32>(SG_CAP_DEFAULT));
  EXPECT_EQ(sg_cap_max(60000), static_cast<__u32>(SG_MAX_CAP_BYTES));
  EXPECT_TRUE(sg_is_exec(59));
  EXPECT_TRUE(sg_is_exec(322));
  EXPECT_FALSE(sg_is_exec(57));
}

TEST(Abi, ProbeRecordIsInTheEventAbi) {
  // consumers of records need only sysgate_abi.h (not sysgate_kmod.h)
  EXPECT_EQ(SG_EV_PROBE, 7);
  EXPECT_EQ(sizeof(sg_probe_hit), 40u + 8 + 8 + 48);
  EXPECT_EQ(SG_MAX_COMMS, 8);
}

}  // namespace
}  // namespace sysgate
