// SPDX-License-Identifier: Apache-2.0
// golden [--strace-compat] EXPECTED: makes raw syscall(2) calls, most with junk in the unused upper
// 32 bits of int arguments, and writes for each the exact line a tracer must print
// (strace conventions, without "[pid N] " and " <duration>") to EXPECTED.
//
// The traced section starts and ends with a marker call (an openat of a path under
// /nonexistent) so a test can cut it out of a trace; nothing in between allocates
// or does stdio, so the only calls made there are the ones listed. Every line is
// built from what the call actually returned (fds, addresses, the stat buffer), so
// the expectation checks decoding, not the kernel.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

// An int argument with junk above bit 31: the kernel ignores it, so must the decoder.
#define J(x) ((long)(0xdeadbeef00000000UL | (uint64_t)(uint32_t)(int)(x)))

static char expected[1 << 16];
static size_t used;

__attribute__((format(printf, 1, 2))) static void expect(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(expected + used, sizeof expected - used - 1, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof expected - used - 1) {
    static const char msg[] = "golden: expectation buffer full\n";
    (void)!write(2, msg, sizeof msg - 1);
    _exit(3);
  }
  used += (size_t)n;
  expected[used++] = '\n';
}

static const char *errno_name(int e) {
  switch (e) {
    case ENOENT:
      return "ENOENT";
    case EBADF:
      return "EBADF";
    case EFAULT:
      return "EFAULT";
    case EINVAL:
      return "EINVAL";
    case EACCES:
      return "EACCES";
    case EEXIST:
      return "EEXIST";
    case ECONNREFUSED:
      return "ECONNREFUSED";
    case EADDRINUSE:
      return "EADDRINUSE";
    case EPERM:
      return "EPERM";
    default:
      return "E???";
  }
}

// The result part of a line for a raw syscall() return value: "3", or
// "-1 ENOENT (No such file or directory)". Static rotating buffers: no malloc.
static const char *res(long r) {
  static char bufs[4][160];
  static int next;
  char *b = bufs[next++ & 3];
  if (r == -1)
    snprintf(b, sizeof bufs[0], "-1 %s (%s)", errno_name(errno), strerrordesc_np(errno));
  else
    snprintf(b, sizeof bufs[0], "%ld", r);
  return b;
}

// A stat buffer as strace prints it by default (abbreviated).
static const char *stat_text(const struct stat *st) {
  static char b[128];
  snprintf(b, sizeof b, "{st_mode=S_IFREG|%04o, st_size=%lld, ...}",
           (unsigned)(st->st_mode & 07777), (long long)st->st_size);
  return b;
}

static void die(const char *what) {
  perror(what);
  exit(3);
}

int main(int argc, char **argv) {
  // --strace-compat: no junk in socket's protocol, which strace 6.1 itself prints
  // from the whole register (as 16045690981097406464); used by the test that
  // checks these expectations against strace.
  int junk_protocol = 1;
  if (argc == 3 && strcmp(argv[1], "--strace-compat") == 0) {
    junk_protocol = 0;
    argv++, argc--;
  }
  if (argc != 2) {
    fprintf(stderr, "usage: golden [--strace-compat] EXPECTED\n");
    return 2;
  }
  const char *out_path = argv[1];
#define JP(x) (junk_protocol ? J(x) : (long)(x))

  // ---- setup, before the traced section
  char dir[] = "/tmp/sysgate-golden.XXXXXX";
  if (!mkdtemp(dir)) die("mkdtemp");
  char file[64], sock_path[64];
  snprintf(file, sizeof file, "%s/data", dir);
  snprintf(sock_path, sizeof sock_path, "%s/sock", dir);
  umask(022);
  const pid_t pid = getpid();
  // A closed TCP port on 127.0.0.1: bind an ephemeral one, note it, close it.
  int port = 0;
  {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &l) != 0)
      die("probe socket");
    port = ntohs(a.sin_port);
    close(s);
  }
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);  // the old mask below is then []
  static char buf[256];
  static const char long_data[] = "0123456789abcdefghijklmnopqrstuvwxyzABCD";  // 40 bytes
  // bytes strace escapes: NUL before a digit, \n \t \" \\, a high byte, DEL
  static const char odd[] = "a\0001\n\t\"\\\377\177z";  // 10 bytes
  long r, fdw, fdr, p1[2] = {0}, mfd, s, u;
  int pfd[2], pfd2[2];
  struct stat st;

  // ---- the traced section
  r = syscall(SYS_openat, J(AT_FDCWD), "/nonexistent/sysgate-golden-begin",
              J(O_RDONLY | O_CLOEXEC));
  expect("openat(AT_FDCWD, \"/nonexistent/sysgate-golden-begin\", O_RDONLY|O_CLOEXEC) = %s",
         res(r));

  fdw = syscall(SYS_openat, J(AT_FDCWD), file, J(O_WRONLY | O_CREAT | O_TRUNC), J(0644));
  expect("openat(AT_FDCWD, \"%s\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = %s", file, res(fdw));

  r = syscall(SYS_write, J(fdw), long_data, 40L);
  expect("write(%ld, \"%.32s\"..., 40) = %s", fdw, long_data, res(r));

  r = syscall(SYS_pwrite64, J(fdw), "XYZ", 3L, 4L);
  expect("pwrite64(%ld, \"XYZ\", 3, 4) = %s", fdw, res(r));

  struct iovec wv[2] = {{(void *)"ab", 2}, {(void *)"cd\n", 3}};
  r = syscall(SYS_writev, J(fdw), wv, 2L);
  expect("writev(%ld, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"cd\\n\", iov_len=3}], 2) = %s",
         fdw, res(r));

  memset(&st, 0, sizeof st);
  r = syscall(SYS_fstat, J(fdw), &st);
  expect("fstat(%ld, %s) = %s", fdw, stat_text(&st), res(r));

  r = syscall(SYS_close, J(fdw));
  expect("close(%ld) = %s", fdw, res(r));

  fdr = syscall(SYS_openat, J(AT_FDCWD), file, J(O_RDONLY | O_CLOEXEC));
  expect("openat(AT_FDCWD, \"%s\", O_RDONLY|O_CLOEXEC) = %s", file, res(fdr));

  // file content: "0123XYZ789abcdefghijklmnopqrstuvwxyzABCDabcd\n" (45 bytes)
  r = syscall(SYS_read, J(fdr), buf, 64L);
  expect("read(%ld, \"%.32s\"..., 64) = %s", fdr, buf, res(r));

  r = syscall(SYS_lseek, J(fdr), 0L, J(SEEK_SET));
  expect("lseek(%ld, 0, SEEK_SET) = %s", fdr, res(r));

  r = syscall(SYS_pread64, J(fdr), buf, 5L, 2L);
  expect("pread64(%ld, \"%.5s\", 5, 2) = %s", fdr, buf, res(r));

  char rv1[4], rv2[4];
  struct iovec rv[2] = {{rv1, 4}, {rv2, 4}};
  r = syscall(SYS_readv, J(fdr), rv, 2L);
  expect("readv(%ld, [{iov_base=\"%.4s\", iov_len=4}, {iov_base=\"%.4s\", iov_len=4}], 2) = %s",
         fdr, rv1, rv2, res(r));

  memset(&st, 0, sizeof st);
  r = syscall(SYS_newfstatat, J(AT_FDCWD), file, &st, J(0));
  expect("newfstatat(AT_FDCWD, \"%s\", %s, 0) = %s", file, stat_text(&st), res(r));

  r = syscall(SYS_faccessat, J(AT_FDCWD), file, J(R_OK | W_OK));
  expect("faccessat(AT_FDCWD, \"%s\", R_OK|W_OK) = %s", file, res(r));

  r = syscall(SYS_access, "/nonexistent/sysgate-golden-access", J(F_OK));
  expect("access(\"/nonexistent/sysgate-golden-access\", F_OK) = %s", res(r));

  r = syscall(SYS_dup3, J(fdr), J(100), J(O_CLOEXEC));
  expect("dup3(%ld, 100, O_CLOEXEC) = %s", fdr, res(r));

  r = syscall(SYS_close, J(100));
  expect("close(100) = %s", res(r));

  r = syscall(SYS_close, J(fdr));
  expect("close(%ld) = %s", fdr, res(r));

  r = syscall(SYS_close, J(999));
  expect("close(999) = %s", res(r));

  r = syscall(SYS_pipe2, pfd, J(O_CLOEXEC));
  expect("pipe2([%d, %d], O_CLOEXEC) = %s", pfd[0], pfd[1], res(r));

  r = syscall(SYS_pipe2, pfd2, J(0));
  expect("pipe2([%d, %d], 0) = %s", pfd2[0], pfd2[1], res(r));

  r = syscall(SYS_write, J(pfd[1]), "hello\n", 6L);
  expect("write(%d, \"hello\\n\", 6) = %s", pfd[1], res(r));

  r = syscall(SYS_read, J(pfd[0]), buf, 128L);
  expect("read(%d, \"hello\\n\", 128) = %s", pfd[0], res(r));

  r = syscall(SYS_write, J(pfd2[1]), odd, 10L);
  expect("write(%d, \"a\\0001\\n\\t\\\"\\\\\\377\\177z\", 10) = %s", pfd2[1], res(r));

  r = syscall(SYS_read, J(pfd2[0]), buf, 3L);  // a partial read of what is there
  expect("read(%d, \"a\\0001\", 3) = %s", pfd2[0], res(r));

  p1[0] = pfd[0], p1[1] = pfd[1];
  for (int i = 0; i < 2; ++i) {
    r = syscall(SYS_close, J(p1[i]));
    expect("close(%ld) = %s", p1[i], res(r));
    r = syscall(SYS_close, J(i ? pfd2[1] : pfd2[0]));
    expect("close(%d) = %s", i ? pfd2[1] : pfd2[0], res(r));
  }

  mfd = syscall(SYS_memfd_create, "golden", J(MFD_CLOEXEC));
  expect("memfd_create(\"golden\", MFD_CLOEXEC) = %s", res(mfd));
  r = syscall(SYS_close, J(mfd));
  expect("close(%ld) = %s", mfd, res(r));

  long addr = syscall(SYS_mmap, 0L, 8192L, (long)(PROT_READ | PROT_WRITE),
                      (long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);
  if (addr == -1)
    expect("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %s",
           res(addr));
  else
    expect("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = %#lx", addr);

  r = syscall(SYS_mprotect, addr, 4096L, (long)PROT_READ);
  expect("mprotect(%#lx, 4096, PROT_READ) = %s", addr, res(r));

  r = syscall(SYS_munmap, addr, 8192L);
  expect("munmap(%#lx, 8192) = %s", addr, res(r));

  r = syscall(SYS_getppid);
  expect("getppid() = %s", res(r));

  r = syscall(SYS_kill, J(pid), J(0));
  expect("kill(%d, 0) = %s", (int)pid, res(r));

  uint64_t set = 1UL << (SIGUSR1 - 1), old = ~0UL;
  r = syscall(SYS_rt_sigprocmask, J(SIG_BLOCK), &set, &old, 8L);
  expect("rt_sigprocmask(SIG_BLOCK, [USR1], %s, 8) = %s", old == 0 ? "[]" : "[?]", res(r));
  set = 0;
  r = syscall(SYS_rt_sigprocmask, J(SIG_SETMASK), &set, 0L, 8L);
  expect("rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = %s", res(r));

  s = syscall(SYS_socket, J(AF_INET), J(SOCK_STREAM | SOCK_CLOEXEC), JP(0));
  expect("socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = %s", res(s));

  struct sockaddr_in sin = {
      .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  r = syscall(SYS_connect, J(s), &sin, J(sizeof sin));
  expect(
      "connect(%ld, {sa_family=AF_INET, sin_port=htons(%d), sin_addr=inet_addr(\"127.0.0.1\")}, "
      "%zu) = %s",
      s, port, sizeof sin, res(r));
  r = syscall(SYS_close, J(s));
  expect("close(%ld) = %s", s, res(r));

  u = syscall(SYS_socket, J(AF_UNIX), J(SOCK_STREAM), JP(0));
  expect("socket(AF_UNIX, SOCK_STREAM, 0) = %s", res(u));
  struct sockaddr_un sun = {.sun_family = AF_UNIX};
  strcpy(sun.sun_path, sock_path);
  long sun_len = (long)(offsetof(struct sockaddr_un, sun_path) + strlen(sock_path) + 1);
  r = syscall(SYS_bind, J(u), &sun, J(sun_len));
  expect("bind(%ld, {sa_family=AF_UNIX, sun_path=\"%s\"}, %ld) = %s", u, sock_path, sun_len,
         res(r));
  r = syscall(SYS_close, J(u));
  expect("close(%ld) = %s", u, res(r));

  r = syscall(SYS_unlinkat, J(AT_FDCWD), sock_path, J(0));
  expect("unlinkat(AT_FDCWD, \"%s\", 0) = %s", sock_path, res(r));
  r = syscall(SYS_unlinkat, J(AT_FDCWD), file, J(0));
  expect("unlinkat(AT_FDCWD, \"%s\", 0) = %s", file, res(r));
  r = syscall(SYS_unlinkat, J(AT_FDCWD), dir, J(AT_REMOVEDIR));
  expect("unlinkat(AT_FDCWD, \"%s\", AT_REMOVEDIR) = %s", dir, res(r));

  // an unreadable path: the address is printed
  r = syscall(SYS_openat, J(AT_FDCWD), (const char *)1, J(O_RDONLY));
  expect("openat(AT_FDCWD, 0x1, O_RDONLY) = %s", res(r));

  r = syscall(SYS_openat, J(AT_FDCWD), "/nonexistent/sysgate-golden-end", J(O_RDONLY | O_CLOEXEC));
  expect("openat(AT_FDCWD, \"/nonexistent/sysgate-golden-end\", O_RDONLY|O_CLOEXEC) = %s", res(r));
  // ---- end of the traced section

  FILE *f = fopen(out_path, "w");
  if (!f || fwrite(expected, 1, used, f) != used || fclose(f) != 0) die(out_path);
  return 0;
}
