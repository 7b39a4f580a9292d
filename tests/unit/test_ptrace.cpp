// SPDX-License-Identifier: Apache-2.0
// The ptrace backend's pieces that need no tracee: its seccomp filter (installed
// in a child, where a SECCOMP_RET_TRACE call without a tracer fails with ENOSYS)
// and the shared capture walker reading through process_vm_readv.
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "sysgate/backend.hpp"
#include "sysgate/error.hpp"
#include "sysgate/filter.hpp"

namespace {

int read_self(void*, void* dst, uint64_t src, size_t len) {
  iovec local{dst, len};
  iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(src)), len};
  return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len) ? 0 : -1;
}

}  // namespace

#define SG_CAP_READ(who, dst, src, len) read_self((who), (dst), (src), (len))
#include "sysgate_capture.h"

namespace sysgate {
namespace {

// In a child: install the filter, then report which calls stopped (ENOSYS: no tracer).
int run_filtered(const std::vector<sock_filter>& f) {
  pid_t pid = fork();
  if (pid == 0) {
    sock_fprog prog{static_cast<unsigned short>(f.size()), const_cast<sock_filter*>(f.data())};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
      _exit(100);
    int bits = 0;
    if (syscall(SYS_getppid) == -1 && errno == ENOSYS) bits |= 1;
    if (syscall(SYS_getpid) == -1 && errno == ENOSYS) bits |= 2;
    if (syscall(SYS_getuid) == -1 && errno == ENOSYS) bits |= 4;
    if (syscall(SYS_execve, "/nonexistent", nullptr, nullptr) == -1 && errno == ENOSYS) bits |= 8;
    _exit(bits);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(PtraceFilter, OnlySelectedCallsAndExecStop) {
  SessionConfig cfg;
  cfg.syscalls = parse_syscall_filter("getppid,getuid");
  auto b = make_backend("ptrace", cfg);
  auto f = b->launch_filter(cfg);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(run_filtered(f), 1 | 4 | 8);  // getppid, getuid and execve stop; getpid runs
}

TEST(PtraceFilter, NoneWhenEverythingIsSelected) {
  SessionConfig cfg;
  cfg.syscalls = parse_syscall_filter("");
  auto b = make_backend("ptrace", cfg);
  EXPECT_TRUE(b->launch_filter(cfg).empty());
}

TEST(PtraceFilter, RefusesWhatNeedsAKernelSide) {
  SessionConfig cfg;
  cfg.targets.all = true;
  EXPECT_THROW(make_backend("ptrace", cfg), UsageError);
  cfg.targets.all = false;
  cfg.targets.comms = {"sleep"};
  EXPECT_THROW(make_backend("ptrace", cfg), UsageError);
  cfg.targets.comms.clear();
  cfg.targets.cgroup = "/sys/fs/cgroup";
  EXPECT_THROW(make_backend("ptrace", cfg), UsageError);
}

// A string that ends exactly at an unmapped page is read whole; one that runs
// into it is cut and marked; an unmapped address is a fault.
TEST(CaptureWalker, StringsAtAPageEdge) {
  long page = sysconf(_SC_PAGESIZE);
  char* m = static_cast<char*>(
      mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(m, MAP_FAILED);
  ASSERT_EQ(munmap(m + page, page), 0);
  char* s = m + page - 6;
  memcpy(s, "hello", 6);  // NUL is the last byte of the page
  std::vector<char> buf(SG_EVENT_MAX);
  sg_cap_ctx c{};
  c.buf = buf.data();
  sg_cap_str(&c, 0, 0, reinterpret_cast<uintptr_t>(s), 64);
  auto* h = reinterpret_cast<sg_cap*>(buf.data());
  EXPECT_EQ(h->len, 5u);
  EXPECT_EQ(h->flags, 0);
  EXPECT_EQ(std::string(buf.data() + sizeof(sg_cap), 5), "hello");

  memcpy(m + page - 4, "abcd", 4);  // no NUL before the unmapped page
  sg_cap_ctx c2{};
  c2.buf = buf.data();
  sg_cap_str(&c2, 1, 0, reinterpret_cast<uintptr_t>(m + page - 4), 64);
  EXPECT_EQ(h->len, 4u);

  sg_cap_ctx c3{};
  c3.buf = buf.data();
  sg_cap_str(&c3, 2, 0, reinterpret_cast<uintptr_t>(m + page), 64);
  EXPECT_TRUE(h->flags & SG_CF_FAULT);
  EXPECT_EQ(c3.retry, 1 << 2);  // read again at exit
  munmap(m, page);
}

TEST(CaptureWalker, BuffersAreBoundedAndMarked) {
  std::vector<char> src(100, 'x');
  std::vector<char> buf(SG_EVENT_MAX);
  sg_cap_ctx c{};
  c.buf = buf.data();
  sg_cap_buf(&c, 1, SG_CK_BUF, 0, reinterpret_cast<uintptr_t>(src.data()), 100, 32);
  auto* h = reinterpret_cast<sg_cap*>(buf.data());
  EXPECT_EQ(h->len, 32u);
  EXPECT_EQ(h->size, 100u);
  EXPECT_TRUE(h->flags & SG_CF_TRUNC);
  EXPECT_EQ(c.off, sizeof(sg_cap) + 32);
}

}  // namespace
}  // namespace sysgate
