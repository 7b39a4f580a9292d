// SPDX-License-Identifier: Apache-2.0
// count_prog N M K [C]: N getppid, M openat of a missing file (ENOENT), K writes of
// one byte to /dev/null and C close(-1) (EBADF), all raw syscall(2) calls, then exit 0.
// Deterministic: the same arguments make the same calls every run.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5) {
    fprintf(stderr, "usage: count_prog N_GETPPID M_OPENAT_MISSING K_WRITE [C_CLOSE_EBADF]\n");
    return 2;
  }
  long n = atol(argv[1]), m = atol(argv[2]), k = atol(argv[3]), c = argc > 4 ? atol(argv[4]) : 0;
  for (long i = 0; i < n; ++i) syscall(SYS_getppid);
  for (long i = 0; i < m; ++i)
    if (syscall(SYS_openat, AT_FDCWD, "/nonexistent/sysgate-count-prog", O_RDONLY) >= 0) return 1;
  long fd = k ? syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY | O_CLOEXEC) : -1;
  if (k && fd < 0) return 1;
  for (long i = 0; i < k; ++i)
    if (syscall(SYS_write, fd, "x", 1L) != 1) return 1;
  for (long i = 0; i < c; ++i) syscall(SYS_close, -1L);
  return 0;
}
