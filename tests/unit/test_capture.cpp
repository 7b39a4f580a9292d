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

}  // namespace
}  // namespace sysgate
