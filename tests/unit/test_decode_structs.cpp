// SPDX-License-Identifier: Apache-2.0
// The flag kinds and struct decoders of the file, memory, process, signal and poll families.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/stat.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstring>
#include <string>

#include "decode_test_util.hpp"
#include "sysgate/decode.hpp"

namespace sysgate {
namespace {

using testing::arg_text;
using testing::EventBuilder;
using testing::line;

// The text of argument i of `name` called with raw value v and no captures.
std::string flag(const char* name, int i, uint64_t v) {
  EventBuilder b(name);
  b.arg(i, v).ret(0);
  return arg_text(b.build(), static_cast<size_t>(i));
}

TEST(DecodeFile, OpenFlags) {
  EXPECT_EQ(flag("open", 1, O_RDONLY), "O_RDONLY");
  EXPECT_EQ(flag("open", 1, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY),
            "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY");
  EXPECT_EQ(flag("open", 1, O_RDWR | O_CREAT | O_EXCL), "O_RDWR|O_CREAT|O_EXCL");
  EXPECT_EQ(flag("open", 1, O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");
  EXPECT_EQ(flag("open", 1, O_WRONLY | O_DSYNC), "O_WRONLY|O_DSYNC");
  EXPECT_EQ(flag("open", 1, O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
  EXPECT_EQ(flag("open", 1, O_PATH | O_NOFOLLOW), "O_RDONLY|O_NOFOLLOW|O_PATH");
  EXPECT_EQ(flag("open", 1, 0x40000000), "O_RDONLY|0x40000000");
  EXPECT_EQ(flag("open", 1, 0xdead000000000001ull | O_APPEND), "O_WRONLY|O_APPEND");
  EXPECT_EQ(flag("dup3", 2, O_CLOEXEC), "O_CLOEXEC");  // as strace: no access mode
  EXPECT_EQ(flag("pipe2", 1, 0), "0");
}

TEST(DecodeFile, AtFlagsAccessWhenceFcntl) {
  EXPECT_EQ(flag("newfstatat", 3, 0), "0");
  EXPECT_EQ(flag("newfstatat", 3, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH),
            "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
  EXPECT_EQ(flag("unlinkat", 2, AT_REMOVEDIR), "AT_REMOVEDIR");
  EXPECT_EQ(flag("faccessat2", 3, AT_EACCESS), "AT_EACCESS");
  EXPECT_EQ(flag("statx", 2, 0), "AT_STATX_SYNC_AS_STAT");
  EXPECT_EQ(flag("statx", 2, AT_EMPTY_PATH), "AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH");
  EXPECT_EQ(flag("statx", 2, AT_STATX_DONT_SYNC), "AT_STATX_DONT_SYNC");
  EXPECT_EQ(flag("unlinkat", 2, 0x10000000), "0x10000000");
  EXPECT_EQ(flag("access", 1, F_OK), "F_OK");
  EXPECT_EQ(flag("access", 1, R_OK | W_OK | X_OK), "R_OK|W_OK|X_OK");
  EXPECT_EQ(flag("access", 1, R_OK | 0x10), "R_OK|0x10");
  EXPECT_EQ(flag("lseek", 2, SEEK_END), "SEEK_END");
  EXPECT_EQ(flag("lseek", 2, 4), "SEEK_HOLE");
  EXPECT_EQ(flag("lseek", 2, 9), "9");
  EXPECT_EQ(flag("renameat2", 4, RENAME_NOREPLACE | 0x100), "RENAME_NOREPLACE|0x100");
  EXPECT_EQ(flag("close_range", 2, CLOSE_RANGE_CLOEXEC), "CLOSE_RANGE_CLOEXEC");
}

TEST(DecodeFile, FcntlArgumentDependsOnCommand) {
  EXPECT_EQ(line(EventBuilder("fcntl").arg(0, 3).arg(1, F_GETFL).arg(2, 0x55).ret(2).build()),
            "fcntl(3, F_GETFL) = 2");
  EXPECT_EQ(line(EventBuilder("fcntl").arg(0, 3).arg(1, F_SETFD).arg(2, FD_CLOEXEC).ret(0).build()),
            "fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
  EXPECT_EQ(line(EventBuilder("fcntl")
                     .arg(0, 3)
                     .arg(1, F_SETFL)
                     .arg(2, O_RDWR | O_NONBLOCK)
                     .ret(0)
                     .build()),
            "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0");
  EXPECT_EQ(
      line(EventBuilder("fcntl").arg(0, 3).arg(1, F_DUPFD_CLOEXEC).arg(2, 10).ret(10).build()),
      "fcntl(3, F_DUPFD_CLOEXEC, 10) = 10");
  EXPECT_EQ(line(EventBuilder("fcntl").arg(0, 3).arg(1, F_SETLKW).arg(2, 0x7ff0).ret(0).build()),
            "fcntl(3, F_SETLKW, 0x7ff0) = 0");
  EXPECT_EQ(line(EventBuilder("fcntl").arg(0, 3).arg(1, 4242).arg(2, 1).ret(-22).build()),
            "fcntl(3, 4242, 1) = -1 EINVAL (Invalid argument)");
}

TEST(DecodeFile, Stat) {
  struct stat st {};
  st.st_mode = S_IFREG | 0644;
  st.st_size = 1234;
  EventBuilder b("fstat");
  b.arg(0, 3).arg(1, 0x7ffd0000).struct_cap(1, st, true).ret(0);
  EXPECT_EQ(line(b.build()), "fstat(3, {st_mode=S_IFREG|0644, st_size=1234, ...}) = 0");

  st.st_mode = S_IFCHR | 0666;
  st.st_rdev = makedev(1, 3);
  EventBuilder n("newfstatat");
  n.arg(0, -100)
      .arg(1, 0x10)
      .str_cap(1, "/dev/null")
      .arg(2, 0x20)
      .struct_cap(2, st, true)
      .arg(3, 0)
      .ret(0);
  EXPECT_EQ(line(n.build()),
            "newfstatat(AT_FDCWD, \"/dev/null\", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), "
            "...}, 0) = 0");

  // failed or unfinished: the buffer is only an address
  EXPECT_EQ(line(EventBuilder("fstat").arg(0, 99).arg(1, 0x7ffd0000).ret(-9).build()),
            "fstat(99, 0x7ffd0000) = -1 EBADF (Bad file descriptor)");
  EXPECT_EQ(line(EventBuilder("fstat").arg(0, 3).arg(1, 0x7ffd0000).build()),
            "fstat(3, 0x7ffd0000) = ?");
  EXPECT_EQ(line(EventBuilder("fstat")
                     .arg(0, 3)
                     .arg(1, 0x7ffd0000)
                     .fault_cap(1, SG_CK_BUF, true)
                     .ret(0)
                     .build()),
            "fstat(3, 0x7ffd0000) = 0");
  EXPECT_EQ(line(EventBuilder("fstat").arg(0, 3).arg(1, 0).ret(-14).build()),
            "fstat(3, NULL) = -1 EFAULT (Bad address)");
  // short capture
  EXPECT_EQ(
      line(EventBuilder("fstat").arg(0, 3).arg(1, 0x10).buf_cap(1, "abc", true).ret(0).build()),
      "fstat(3, 0x10) = 0");
}

TEST(DecodeFile, Statx) {
  struct statx sx {};
  sx.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID;
  sx.stx_mode = S_IFREG | 0644;
  sx.stx_size = 1234;
  EventBuilder b("statx");
  b.arg(0, -100)
      .arg(1, 0x10)
      .str_cap(1, "f")
      .arg(2, 0)
      .arg(3, STATX_BASIC_STATS)
      .arg(4, 0x20)
      .struct_cap(4, sx, true)
      .ret(0);
  auto ev = b.build();
  EXPECT_EQ(arg_text(ev, 4),
            "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFREG|0644, "
            "stx_size=1234, ...}");
  sx.stx_mask = 0xfff;
  sx.stx_attributes = STATX_ATTR_MOUNT_ROOT;
  sx.stx_mode = S_IFDIR | 0755;
  EventBuilder d("statx");
  d.arg(4, 0x20).struct_cap(4, sx, true).ret(0);
  EXPECT_EQ(arg_text(d.build(), 4),
            "{stx_mask=STATX_ALL, stx_attributes=STATX_ATTR_MOUNT_ROOT, stx_mode=S_IFDIR|0755, "
            "stx_size=1234, ...}");
}

TEST(DecodeFile, OpenHow) {
  struct {
    uint64_t flags, mode, resolve;
  } how{O_RDONLY | O_CLOEXEC, 0, 0};
  EventBuilder b("openat2");
  b.arg(0, -100).arg(1, 0x10).str_cap(1, "/x").arg(2, 0x20).struct_cap(2, how).arg(3, 24).ret(3);
  EXPECT_EQ(line(b.build()),
            "openat2(AT_FDCWD, \"/x\", {flags=O_RDONLY|O_CLOEXEC, mode=0, resolve=0}, 24) = 3");
  how = {O_WRONLY | O_CREAT, 0600, 0x4 | 0x8 | 0x100};
  EventBuilder c("openat2");
  c.arg(2, 0x20).struct_cap(2, how).ret(3);
  EXPECT_EQ(
      arg_text(c.build(), 2),
      "{flags=O_WRONLY|O_CREAT, mode=0600, resolve=RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH|0x100}");
}

TEST(DecodeFile, SmallOutParams) {
  int32_t fds[2] = {3, 4};
  EXPECT_EQ(line(EventBuilder("pipe2")
                     .arg(0, 0x10)
                     .struct_cap(0, fds, true)
                     .arg(1, O_CLOEXEC)
                     .ret(0)
                     .build()),
            "pipe2([3, 4], O_CLOEXEC) = 0");
  int64_t off = 1234;
  EXPECT_EQ(line(EventBuilder("sendfile")
                     .arg(0, 1)
                     .arg(1, 3)
                     .arg(2, 0x10)
                     .struct_cap(2, off)
                     .arg(3, 10)
                     .ret(10)
                     .build()),
            "sendfile(1, 3, [1234], 10) = 10");
}

TEST(DecodeFile, Dirents) {
  // two linux_dirent64 records: ".", ".."
  auto rec = [](const char* name) {
    std::string r(24, '\0');
    r.replace(19, std::strlen(name), name);
    uint16_t reclen = 24;
    std::memcpy(r.data() + 16, &reclen, 2);
    return r;
  };
  std::string buf = rec(".") + rec("..");
  EXPECT_EQ(line(EventBuilder("getdents64")
                     .arg(0, 3)
                     .arg(1, 0x5000)
                     .arg(2, 32768)
                     .buf_cap(1, buf, true)
                     .ret(48)
                     .build()),
            "getdents64(3, 0x5000 /* 2 entries */, 32768) = 48");
  EXPECT_EQ(line(EventBuilder("getdents64")
                     .arg(0, 3)
                     .arg(1, 0x5000)
                     .arg(2, 32768)
                     .buf_cap(1, buf, true)
                     .ret(9000)
                     .build()),
            "getdents64(3, 0x5000 /* 2+ entries */, 32768) = 9000");
  EXPECT_EQ(line(EventBuilder("getdents64")
                     .arg(0, 3)
                     .arg(1, 0x5000)
                     .arg(2, 32768)
                     .buf_cap(1, "", true)
                     .ret(0)
                     .build()),
            "getdents64(3, 0x5000 /* 0 entries */, 32768) = 0");
  EXPECT_EQ(
      line(EventBuilder("getdents64").arg(0, 3).arg(1, 0x5000).arg(2, 32768).ret(-20).build()),
      "getdents64(3, 0x5000, 32768) = -1 ENOTDIR (Not a directory)");
}

TEST(DecodeFile, WaitStatus) {
  auto wait4 = [](int32_t status, int64_t ret = 42) {
    EventBuilder b("wait4");
    b.arg(0, -1).arg(1, 0x10).struct_cap(1, status, true).arg(2, 0).arg(3, 0).ret(ret);
    return line(b.build());
  };
  EXPECT_EQ(wait4(0), "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 42");
  EXPECT_EQ(wait4(3 << 8), "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 42");
  EXPECT_EQ(wait4(9), "wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], 0, NULL) = 42");
  EXPECT_EQ(
      wait4(11 | 0x80),
      "wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], 0, NULL) = 42");
  EXPECT_EQ(wait4(0x137f), "wait4(-1, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], 0, NULL) = 42");
  EXPECT_EQ(wait4(0xffff), "wait4(-1, [{WIFCONTINUED(s)}], 0, NULL) = 42");
  EXPECT_EQ(wait4(0, 0), "wait4(-1, 0x10, 0, NULL) = 0");
  EXPECT_EQ(flag("wait4", 2, WNOHANG | __WALL), "WNOHANG|__WALL");
  EXPECT_EQ(flag("waitid", 3, WEXITED | WSTOPPED | 0x100), "WSTOPPED|WEXITED|0x100");
  EXPECT_EQ(flag("waitid", 0, 3), "P_PIDFD");
  EXPECT_EQ(flag("waitid", 0, 7), "7");
}

TEST(DecodeFile, Rlimit) {
  uint64_t r[2] = {8192 * 1024, ~uint64_t{0}};
  EventBuilder b("getrlimit");
  b.arg(0, 3).arg(1, 0x10).struct_cap(1, r, true).ret(0);
  EXPECT_EQ(line(b.build()),
            "getrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0");
  uint64_t n[2] = {1024, 1000};
  EventBuilder p("prlimit64");
  p.arg(0, 0).arg(1, 7).arg(2, 0x10).struct_cap(2, n).arg(3, 0).ret(0);
  EXPECT_EQ(line(p.build()),
            "prlimit64(0, RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=1000}, NULL) = 0");
  EXPECT_EQ(flag("setrlimit", 0, 99), "99");
}

TEST(DecodeMemory, Mmap) {
  EventBuilder b("mmap");
  b.arg(0, 0)
      .arg(1, 8192)
      .arg(2, PROT_READ | PROT_WRITE)
      .arg(3, MAP_PRIVATE | MAP_ANONYMOUS)
      .arg(4, -1)
      .arg(5, 0)
      .ret(0x7f1234560000);
  EXPECT_EQ(
      line(b.build()),
      "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1234560000");
  EXPECT_EQ(flag("mmap", 2, PROT_NONE), "PROT_NONE");
  EXPECT_EQ(flag("mmap", 2, PROT_READ | 0x100), "PROT_READ|0x100");
  EXPECT_EQ(flag("mmap", 3, MAP_SHARED_VALIDATE | MAP_SYNC), "MAP_SHARED_VALIDATE|MAP_SYNC");
  EXPECT_EQ(flag("mmap", 3, MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE),
            "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
  EXPECT_EQ(flag("mmap", 3, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21u << 26)),
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT");
  EXPECT_EQ(flag("mmap", 3, MAP_PRIVATE | 0x4000000), "MAP_PRIVATE|MAP_UNINITIALIZED");
  EXPECT_EQ(flag("mremap", 3, MREMAP_MAYMOVE), "MREMAP_MAYMOVE");
  EXPECT_EQ(flag("madvise", 2, MADV_DONTNEED), "MADV_DONTNEED");
  EXPECT_EQ(flag("madvise", 2, 77), "77");
  EXPECT_EQ(line(EventBuilder("mmap")
                     .arg(0, 0)
                     .arg(1, 1)
                     .arg(2, 1)
                     .arg(3, 2)
                     .arg(4, 3)
                     .arg(5, 0)
                     .ret(-12)
                     .build()),
            "mmap(NULL, 1, PROT_READ, MAP_PRIVATE, 3, 0) = -1 ENOMEM (Cannot allocate memory)");
}

TEST(DecodeProcess, Clone) {
  EXPECT_EQ(flag("clone", 0, 0x01200000 | 17), "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
  EXPECT_EQ(flag("clone", 0, 17), "SIGCHLD");
  EXPECT_EQ(flag("clone", 0, 0), "0");
  EXPECT_EQ(flag("clone", 0, 0xabc0000000000000ull | 0x100 | 0x200), "CLONE_VM|CLONE_FS");
  struct {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
  } a{};
  a.flags = 0x100 | 0x4000 | 0x100000000ull;
  a.exit_signal = 17;
  a.stack = 0x7f0000;
  a.stack_size = 0x9000;
  EventBuilder b("clone3");
  b.arg(0, 0x10).struct_cap(0, a).arg(1, 88).ret(1234);
  EXPECT_EQ(line(b.build()),
            "clone3({flags=CLONE_VM|CLONE_VFORK|CLONE_CLEAR_SIGHAND, exit_signal=SIGCHLD, "
            "stack=0x7f0000, stack_size=0x9000}, 88) = 1234");
  a = {};
  a.flags = 0x80000;
  a.tls = 0x7f10;
  a.parent_tid = 0x7f20;
  EventBuilder t("clone3");
  t.arg(0, 0x10).struct_cap(0, a).arg(1, 88).ret(1235);
  EXPECT_EQ(arg_text(t.build(), 0),
            "{flags=CLONE_SETTLS, parent_tid=0x7f20, exit_signal=0, tls=0x7f10}");
}

TEST(DecodeSignal, NumbersAndSets) {
  EXPECT_EQ(line(EventBuilder("kill").arg(0, 100).arg(1, 15).ret(0).build()),
            "kill(100, SIGTERM) = 0");
  EXPECT_EQ(flag("kill", 1, 0), "0");
  EXPECT_EQ(flag("kill", 1, 99), "99");
  EXPECT_EQ(flag("kill", 1, 34), "SIGRT_2");
  EXPECT_EQ(flag("rt_sigprocmask", 0, 2), "SIG_SETMASK");
  EXPECT_EQ(flag("rt_sigprocmask", 0, 5), "5");

  auto procmask = [](uint64_t set) {
    EventBuilder b("rt_sigprocmask");
    b.arg(0, 0).arg(1, 0x10).struct_cap(1, set).arg(2, 0).arg(3, 8).ret(0);
    return line(b.build());
  };
  EXPECT_EQ(procmask(0), "rt_sigprocmask(SIG_BLOCK, [], NULL, 8) = 0");
  EXPECT_EQ(procmask((1ull << 1) | (1ull << 14)),
            "rt_sigprocmask(SIG_BLOCK, [INT TERM], NULL, 8) = 0");
  EXPECT_EQ(procmask(~((1ull << 31) | (1ull << 32))),
            "rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], NULL, 8) = 0");
  EXPECT_EQ(procmask(~0ull), "rt_sigprocmask(SIG_BLOCK, ~[], NULL, 8) = 0");
  // the old set is written only when the call succeeded
  uint64_t old = 1ull << 9;
  EventBuilder o("rt_sigprocmask");
  o.arg(0, 2).arg(1, 0).arg(2, 0x20).struct_cap(2, old, true).arg(3, 8).ret(0);
  EXPECT_EQ(line(o.build()), "rt_sigprocmask(SIG_SETMASK, NULL, [USR1], 8) = 0");
  EventBuilder f("rt_sigprocmask");
  f.arg(0, 2).arg(1, 0).arg(2, 0x20).arg(3, 7).ret(-22);
  EXPECT_EQ(line(f.build()),
            "rt_sigprocmask(SIG_SETMASK, NULL, 0x20, 7) = -1 EINVAL (Invalid argument)");
}

TEST(DecodeSignal, Sigaction) {
  struct {
    uint64_t handler, flags, restorer, mask;
  } act{0x401000, 0x04000000 | 0x10000000, 0x7f0000001000, 0};
  struct {
    uint64_t handler, flags, restorer, mask;
  } old{0, 0, 0, 1ull << 12};
  EventBuilder b("rt_sigaction");
  b.arg(0, 2)
      .arg(1, 0x10)
      .struct_cap(1, act)
      .arg(2, 0x20)
      .struct_cap(2, old, true)
      .arg(3, 8)
      .ret(0);
  EXPECT_EQ(
      line(b.build()),
      "rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[], sa_flags=SA_RESTORER|SA_RESTART, "
      "sa_restorer=0x7f0000001000}, {sa_handler=SIG_DFL, sa_mask=[PIPE], sa_flags=0}, 8) = 0");
  act = {1, 0x4 | 0x200, 0, 0};
  EventBuilder i("rt_sigaction");
  i.arg(0, 13).arg(1, 0x10).struct_cap(1, act).arg(2, 0).arg(3, 8).ret(0);
  EXPECT_EQ(line(i.build()),
            "rt_sigaction(SIGPIPE, {sa_handler=SIG_IGN, sa_mask=[], sa_flags=SA_SIGINFO|0x200}, "
            "NULL, 8) = 0");
}

TEST(DecodePoll, SelectAndPoll) {
  std::string set(8, '\0');
  set[0] = static_cast<char>((1 << 3) | (1 << 5));
  int64_t tv[2] = {1, 0};
  EventBuilder s("select");
  s.arg(0, 6).arg(1, 0x10).buf_cap(1, set).arg(2, 0).arg(3, 0).arg(4, 0x20).struct_cap(4, tv).ret(
      1);
  EXPECT_EQ(line(s.build()), "select(6, [3 5], NULL, NULL, {tv_sec=1, tv_usec=0}) = 1");

  std::string fds;
  auto pfd = [&](int32_t fd, int16_t ev) {
    fds.append(reinterpret_cast<const char*>(&fd), 4);
    fds.append(reinterpret_cast<const char*>(&ev), 2);
    fds.append(2, '\0');
  };
  pfd(3, 1 | 2);
  pfd(4, 4);
  EventBuilder p("poll");
  p.arg(0, 0x10).buf_cap(0, fds).arg(1, 2).arg(2, -1).ret(1);
  EXPECT_EQ(line(p.build()),
            "poll([{fd=3, events=POLLIN|POLLPRI}, {fd=4, events=POLLOUT}], 2, -1) = 1");
  EventBuilder q("poll");
  q.arg(0, 0x10).buf_cap(0, fds).arg(1, 40).arg(2, 0).ret(0);
  EXPECT_EQ(arg_text(q.build(), 0), "[{fd=3, events=POLLIN|POLLPRI}, {fd=4, events=POLLOUT}, ...]");

  int64_t ts[2] = {1, 500000000};
  EventBuilder n("nanosleep");
  n.arg(0, 0x10).struct_cap(0, ts).arg(1, 0).ret(0);
  EXPECT_EQ(line(n.build()), "nanosleep({tv_sec=1, tv_nsec=500000000}, NULL) = 0");
}

std::string epoll_ev(uint32_t events, uint64_t data) {
  std::string s(12, '\0');
  std::memcpy(s.data(), &events, 4);
  std::memcpy(s.data() + 4, &data, 8);
  return s;
}

TEST(DecodePoll, Epoll) {
  EventBuilder c("epoll_ctl");
  c.arg(0, 4).arg(1, 1).arg(2, 5).arg(3, 0x10).buf_cap(3, epoll_ev(1u | (1u << 31), 5)).ret(0);
  EXPECT_EQ(line(c.build()),
            "epoll_ctl(4, EPOLL_CTL_ADD, 5, {events=EPOLLIN|EPOLLET, data={u32=5, u64=5}}) = 0");
  EXPECT_EQ(line(EventBuilder("epoll_ctl").arg(0, 4).arg(1, 2).arg(2, 5).arg(3, 0).ret(0).build()),
            "epoll_ctl(4, EPOLL_CTL_DEL, 5, NULL) = 0");
  EXPECT_EQ(line(EventBuilder("epoll_create1").arg(0, 0x80000).ret(3).build()),
            "epoll_create1(EPOLL_CLOEXEC) = 3");

  EventBuilder w("epoll_wait");
  w.arg(0, 4)
      .arg(1, 0x20)
      .arg(2, 16)
      .arg(3, -1)
      .buf_cap(1, epoll_ev(1, 0x100000005ull) + epoll_ev(4, 6), true)
      .ret(2);
  EXPECT_EQ(line(w.build()),
            "epoll_wait(4, [{events=EPOLLIN, data={u32=5, u64=4294967301}}, "
            "{events=EPOLLOUT, data={u32=6, u64=6}}], 16, -1) = 2");
  EXPECT_EQ(
      line(EventBuilder("epoll_wait").arg(0, 4).arg(1, 0x20).arg(2, 16).arg(3, 0).ret(0).build()),
      "epoll_wait(4, [], 16, 0) = 0");
  EXPECT_EQ(
      line(EventBuilder("epoll_wait").arg(0, 4).arg(1, 0x20).arg(2, 16).arg(3, -1).ret(-4).build()),
      "epoll_wait(4, 0x20, 16, -1) = -1 EINTR (Interrupted system call)");
}

}  // namespace
}  // namespace sysgate
