// SPDX-License-Identifier: Apache-2.0
// Decoders of the misc, io_uring and ipc families: names of operations, flag
// sets, perf_event_attr, io_uring_params, mq_attr.
#include <gtest/gtest.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>

#include <cstring>
#include <string>

#include "decode_test_util.hpp"

namespace sysgate {
namespace {

using testing::arg_text;
using testing::EventBuilder;
using testing::line;

// The text of argument i of name when it holds v (junk in the high half where asked).
std::string one(const char* name, int i, uint64_t v) {
  EventBuilder b(name);
  b.arg(i, v);
  return arg_text(b.build(), static_cast<size_t>(i));
}

constexpr uint64_t kJunk = 0xdeadbeef00000000ull;

TEST(DecodeMisc, FutexOps) {
  EXPECT_EQ(one("futex", 1, FUTEX_WAIT), "FUTEX_WAIT");
  EXPECT_EQ(one("futex", 1, kJunk | FUTEX_WAKE_PRIVATE), "FUTEX_WAKE_PRIVATE");
  EXPECT_EQ(one("futex", 1, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME),
            "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
  EXPECT_EQ(one("futex", 1, FUTEX_CMP_REQUEUE_PI | FUTEX_PRIVATE_FLAG),
            "FUTEX_CMP_REQUEUE_PI_PRIVATE");
  EXPECT_EQ(one("futex", 1, 13), "FUTEX_LOCK_PI2");
  EXPECT_EQ(one("futex", 1, 0x1000 | FUTEX_WAKE), "0x1001");  // stray bits: no such command
  EXPECT_EQ(one("futex", 1, 0x8e), "0x8e");                   // unknown command

  EventBuilder b("futex");
  b.arg(0, 0x7f0000001000)
      .arg(1, FUTEX_WAKE_PRIVATE)
      .arg(2, 1)
      .arg(3, 0)
      .arg(4, 0)
      .arg(5, 0)
      .ret(0);
  EXPECT_EQ(line(b.build()), "futex(0x7f0000001000, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) = 0");
}

TEST(DecodeMisc, PrctlArchPrctl) {
  EXPECT_EQ(one("prctl", 0, 15), "PR_SET_NAME");
  EXPECT_EQ(one("prctl", 0, kJunk | 38), "PR_SET_NO_NEW_PRIVS");
  EXPECT_EQ(one("prctl", 0, 0x53564d41), "PR_SET_VMA");
  EXPECT_EQ(one("prctl", 0, 1), "PR_SET_PDEATHSIG");
  EXPECT_EQ(one("prctl", 0, 23), "PR_CAPBSET_READ");
  EXPECT_EQ(one("prctl", 0, 75), "PR_SET_SHADOW_STACK_STATUS");
  EXPECT_EQ(one("prctl", 0, 9999), "9999");
  EXPECT_EQ(one("arch_prctl", 0, 0x1002), "ARCH_SET_FS");
  EXPECT_EQ(one("arch_prctl", 0, kJunk | 0x1003), "ARCH_GET_FS");
  EXPECT_EQ(one("arch_prctl", 0, 0x1023), "ARCH_REQ_XCOMP_PERM");
  EXPECT_EQ(one("arch_prctl", 0, 0x5001), "ARCH_SHSTK_ENABLE");
  EXPECT_EQ(one("arch_prctl", 0, 0x1234), "0x1234");
}

TEST(DecodeMisc, BpfPtraceSeccomp) {
  EXPECT_EQ(one("bpf", 0, 0), "BPF_MAP_CREATE");
  EXPECT_EQ(one("bpf", 0, 5), "BPF_PROG_LOAD");
  EXPECT_EQ(one("bpf", 0, 28), "BPF_LINK_CREATE");
  EXPECT_EQ(one("bpf", 0, 500), "500");
  EXPECT_EQ(one("ptrace", 0, 0), "PTRACE_TRACEME");
  EXPECT_EQ(one("ptrace", 0, 0x4206), "PTRACE_SEIZE");
  EXPECT_EQ(one("ptrace", 0, kJunk | 0x420e), "PTRACE_GET_SYSCALL_INFO");
  EXPECT_EQ(one("seccomp", 0, 1), "SECCOMP_SET_MODE_FILTER");
  EXPECT_EQ(one("seccomp", 0, 3), "SECCOMP_GET_NOTIF_SIZES");
  EXPECT_EQ(one("seccomp", 1, 0), "0");
  EXPECT_EQ(one("seccomp", 1, 1 | 8 | 0x100),
            "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_NEW_LISTENER|0x100");
}

TEST(DecodeMisc, FdCreationFlags) {
  EXPECT_EQ(one("memfd_create", 1, 3), "MFD_CLOEXEC|MFD_ALLOW_SEALING");
  EXPECT_EQ(one("memfd_create", 1, 0x8 | 0x1), "MFD_CLOEXEC|MFD_NOEXEC_SEAL");
  EXPECT_EQ(one("memfd_create", 1, 0x4 | (21u << 26)), "MFD_HUGETLB|21<<MFD_HUGE_SHIFT");
  EXPECT_EQ(one("inotify_init1", 0, 04000 | 02000000), "IN_NONBLOCK|IN_CLOEXEC");
  EXPECT_EQ(one("eventfd2", 1, 1 | 04000 | 02000000), "EFD_SEMAPHORE|EFD_CLOEXEC|EFD_NONBLOCK");
  EXPECT_EQ(one("timerfd_create", 1, kJunk | 04000 | 02000000), "TFD_CLOEXEC|TFD_NONBLOCK");
  EXPECT_EQ(one("signalfd4", 3, 02000000 | 0x40), "SFD_CLOEXEC|0x40");
  EXPECT_EQ(one("eventfd2", 1, 0), "0");
}

TEST(DecodeMisc, InotifyXattrStatx) {
  EXPECT_EQ(one("inotify_add_watch", 2, 0x2 | 0x100 | 0x200 | 0x1000000),
            "IN_MODIFY|IN_CREATE|IN_DELETE|IN_ONLYDIR");
  EXPECT_EQ(one("inotify_add_watch", 2, 0x80000000u | 0x20000000 | 0x10000),
            "IN_MASK_ADD|IN_ONESHOT|0x10000");
  EXPECT_EQ(one("setxattr", 4, 1), "XATTR_CREATE");
  EXPECT_EQ(one("setxattr", 4, 2 | 4), "XATTR_REPLACE|0x4");
  EXPECT_EQ(one("statx", 3, 0x7ff), "STATX_BASIC_STATS");
  EXPECT_EQ(one("statx", 3, 0x7ff | 0x800 | 0x1000), "STATX_ALL|STATX_MNT_ID");
  EXPECT_EQ(one("statx", 3, 0x1 | 0x2), "STATX_TYPE|STATX_MODE");
}

TEST(DecodeMisc, ClocksAndSmallFlagSets) {
  EXPECT_EQ(one("clock_gettime", 0, 1), "CLOCK_MONOTONIC");
  EXPECT_EQ(one("clock_gettime", 0, kJunk | 7), "CLOCK_BOOTTIME");
  EXPECT_EQ(one("clock_gettime", 0, 11), "CLOCK_TAI");
  EXPECT_EQ(one("clock_gettime", 0, 0xfffffffe), "-2");  // a dynamic (CPU-time) clock
  EXPECT_EQ(one("clock_nanosleep", 1, 1), "TIMER_ABSTIME");
  EXPECT_EQ(one("splice", 5, 1 | 4), "SPLICE_F_MOVE|SPLICE_F_MORE");
  EXPECT_EQ(one("getrandom", 2, 1), "GRND_NONBLOCK");
  EXPECT_EQ(one("getrandom", 2, 4 | 2), "GRND_RANDOM|GRND_INSECURE");
  EXPECT_EQ(one("preadv2", 5, 8 | 1), "RWF_HIPRI|RWF_NOWAIT");
  EXPECT_EQ(one("pwritev2", 5, 0x10 | 0x10000), "RWF_APPEND|0x10000");
  EXPECT_EQ(one("rseq", 2, 1), "RSEQ_FLAG_UNREGISTER");
  EXPECT_EQ(one("rseq", 2, 0), "0");
  EXPECT_EQ(one("perf_event_open", 4, 8), "PERF_FLAG_FD_CLOEXEC");
}

std::string attr_text(const perf_event_attr& a, size_t n = sizeof(perf_event_attr)) {
  EventBuilder b("perf_event_open");
  b.arg(0, 0x1000).buf_cap(0, std::string_view(reinterpret_cast<const char*>(&a), n));
  b.arg(1, 0).arg(2, -1).arg(3, -1).arg(4, 8).ret(3);
  return arg_text(b.build(), 0);
}

TEST(DecodeMisc, PerfEventAttr) {
  perf_event_attr a{};
  a.type = PERF_TYPE_HARDWARE;
  a.size = 128;
  a.config = PERF_COUNT_HW_CPU_CYCLES;
  a.disabled = 1;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  EXPECT_EQ(
      attr_text(a),
      "{type=PERF_TYPE_HARDWARE, size=PERF_ATTR_SIZE_VER7, config=PERF_COUNT_HW_CPU_CYCLES, "
      "sample_period=0, sample_type=0, read_format=0, disabled=1, exclude_kernel=1, exclude_hv=1, "
      "precise_ip=0 /* arbitrary skid */, ...}");

  perf_event_attr s{};
  s.type = PERF_TYPE_SOFTWARE;
  s.size = 136;
  s.config = PERF_COUNT_SW_TASK_CLOCK;
  s.sample_type = PERF_SAMPLE_IDENTIFIER;
  s.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  s.disabled = 1;
  s.inherit = 1;
  s.exclude_guest = 1;
  s.freq = 1;
  s.sample_freq = 4000;
  s.precise_ip = 2;
  EXPECT_EQ(attr_text(s),
            "{type=PERF_TYPE_SOFTWARE, size=PERF_ATTR_SIZE_VER8, config=PERF_COUNT_SW_TASK_CLOCK, "
            "sample_freq=4000, sample_type=PERF_SAMPLE_IDENTIFIER, "
            "read_format=PERF_FORMAT_TOTAL_TIME_ENABLED|PERF_FORMAT_TOTAL_TIME_RUNNING, "
            "disabled=1, inherit=1, "
            "freq=1, precise_ip=2 /* requested to have 0 skid */, exclude_guest=1, ...}");

  perf_event_attr u{};
  u.type = 0x24;
  u.size = 0;
  u.config = 0x100002;
  EXPECT_EQ(attr_text(u).substr(0, 84),
            "{type=0x24 /* PERF_TYPE_??? */, size=0 /* PERF_ATTR_SIZE_??? */, config=0x100002, sa");

  perf_event_attr h{};
  h.type = PERF_TYPE_HARDWARE;
  h.size = 128;
  h.config = (0xaull << 32) | PERF_COUNT_HW_INSTRUCTIONS;
  EXPECT_NE(attr_text(h).find("config=0xa<<32|PERF_COUNT_HW_INSTRUCTIONS,"), std::string::npos);

  perf_event_attr c{};
  c.type = PERF_TYPE_HW_CACHE;
  c.size = 128;
  c.config = PERF_COUNT_HW_CACHE_LL | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
             (PERF_COUNT_HW_CACHE_RESULT_MISS << 16);
  EXPECT_NE(attr_text(c).find("config=PERF_COUNT_HW_CACHE_LL|PERF_COUNT_HW_CACHE_OP_READ<<8|"
                              "PERF_COUNT_HW_CACHE_RESULT_MISS<<16,"),
            std::string::npos);

  perf_event_attr t{};
  t.type = PERF_TYPE_TRACEPOINT;
  t.size = 112;
  t.config = 2323;
  EXPECT_NE(attr_text(t).find("size=PERF_ATTR_SIZE_VER5, config=2323,"), std::string::npos);

  // too short for even the first version, faulted, NULL
  EXPECT_EQ(attr_text(a, 40), "0x1000");
  EventBuilder f("perf_event_open");
  f.arg(0, 0x1000).fault_cap(0).arg(4, 0).ret(-14);
  EXPECT_EQ(arg_text(f.build(), 0), "0x1000");
  EventBuilder z("perf_event_open");
  z.arg(0, 0).arg(4, 0);
  EXPECT_EQ(arg_text(z.build(), 0), "NULL");
}

TEST(DecodeMisc, IoUring) {
  EXPECT_EQ(one("io_uring_enter", 3, 1 | 2), "IORING_ENTER_GETEVENTS|IORING_ENTER_SQ_WAKEUP");
  EXPECT_EQ(one("io_uring_enter", 3, kJunk | 0x10 | 0x100), "IORING_ENTER_REGISTERED_RING|0x100");
  EXPECT_EQ(one("io_uring_register", 1, 0), "IORING_REGISTER_BUFFERS");
  EXPECT_EQ(one("io_uring_register", 1, 2), "IORING_REGISTER_FILES");
  EXPECT_EQ(one("io_uring_register", 1, 27), "IORING_REGISTER_NAPI");
  EXPECT_EQ(one("io_uring_register", 1, 0x80000000u | 4),
            "IORING_REGISTER_USE_REGISTERED_RING|IORING_REGISTER_EVENTFD");
  EXPECT_EQ(one("io_uring_register", 1, 999), "999");

  io_uring_params p{};
  p.flags = IORING_SETUP_SQPOLL | IORING_SETUP_ATTACH_WQ;
  p.sq_thread_idle = 2000;
  p.wq_fd = 5;
  EventBuilder b("io_uring_setup");
  b.arg(0, 8).arg(1, 0x1000).struct_cap(1, p).ret(3);
  EXPECT_EQ(line(b.build()),
            "io_uring_setup(8, {flags=IORING_SETUP_SQPOLL|IORING_SETUP_ATTACH_WQ, sq_thread_cpu=0, "
            "sq_thread_idle=2000, wq_fd=5}) = 3");

  // with the struct read back at exit too, the kernel's answer follows
  io_uring_params q = p;
  q.flags = 0;
  q.sq_entries = 8;
  q.cq_entries = 16;
  q.features = IORING_FEAT_SINGLE_MMAP | IORING_FEAT_NODROP;
  q.sq_off = {0, 64, 256, 264, 276, 272, 384, 0, 0};
  q.cq_off = {128, 192, 260, 268, 284, 320, 280, 0, 0};
  io_uring_params in{};
  EventBuilder x("io_uring_setup");
  x.arg(0, 8).arg(1, 0x1000).struct_cap(1, in).struct_cap(1, q, true).ret(3);
  EXPECT_EQ(arg_text(x.build(), 1),
            "{flags=0, sq_thread_cpu=0, sq_thread_idle=0, sq_entries=8, cq_entries=16, "
            "features=IORING_FEAT_SINGLE_MMAP|IORING_FEAT_NODROP, sq_off={head=0, tail=64, "
            "ring_mask=256, "
            "ring_entries=264, flags=276, dropped=272, array=384}, cq_off={head=128, tail=192, "
            "ring_mask=260, "
            "ring_entries=268, overflow=284, cqes=320, flags=280}}");

  EventBuilder f("io_uring_setup");
  f.arg(0, 8).arg(1, 0x1000).fault_cap(1).ret(-14);
  EXPECT_EQ(arg_text(f.build(), 1), "0x1000");
}

struct MqAttr {
  int64_t flags, maxmsg, msgsize, curmsgs, pad[4];
};

TEST(DecodeIpc, MqAttr) {
  MqAttr in{04000, 10, 8192, 0, {}};
  MqAttr out{0, 10, 8192, 3, {}};
  EventBuilder b("mq_getsetattr");
  b.arg(0, 3).arg(1, 0x1000).struct_cap(1, in).arg(2, 0x2000).struct_cap(2, out, true).ret(0);
  EXPECT_EQ(line(b.build()),
            "mq_getsetattr(3, {mq_flags=O_NONBLOCK, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=0}, "
            "{mq_flags=0, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=3}) = 0");

  MqAttr odd{04000 | 1, 1, 2, 0, {}};
  EventBuilder o("mq_getsetattr");
  o.arg(0, 3).arg(1, 0x1000).struct_cap(1, odd).arg(2, 0).ret(0);
  EXPECT_EQ(arg_text(o.build(), 1),
            "{mq_flags=O_NONBLOCK|0x1, mq_maxmsg=1, mq_msgsize=2, mq_curmsgs=0}");
  EXPECT_EQ(arg_text(o.build(), 2), "NULL");

  EventBuilder f("mq_getsetattr");
  f.arg(0, 3).arg(1, 0x1000).fault_cap(1).arg(2, 0x2000).ret(-14);
  EXPECT_EQ(arg_text(f.build(), 1), "0x1000");
  EXPECT_EQ(arg_text(f.build(), 2), "0x2000");
}

}  // namespace
}  // namespace sysgate
