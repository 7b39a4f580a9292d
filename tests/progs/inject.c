// SPDX-License-Identifier: Apache-2.0
// inject: the calls the inject integration test tampers with, and what the program
// saw, on stdout: 4 raw getppid ("getppid R"), 3 openat of /etc/hostname, each
// closed when it opened ("openat R ERRNO", "close R ERRNO"), then how many SIGUSR1
// its handler took ("usr1 N"). stdout is written once, at the end (one write).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t usr1;

static void on_usr1(int sig) {
  (void)sig;
  usr1 = usr1 + 1;
}

int main(void) {
  static char out[4096];
  size_t n = 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  for (int i = 0; i < 4; ++i) {
    long r = syscall(SYS_getppid);
    n += (size_t)snprintf(out + n, sizeof out - n, "getppid %ld\n", r);
  }
  for (int i = 0; i < 3; ++i) {
    errno = 0;
    int fd = open("/etc/hostname", O_RDONLY);
    n += (size_t)snprintf(out + n, sizeof out - n, "openat %d %d\n", fd, fd < 0 ? errno : 0);
    if (fd >= 0) {
      errno = 0;
      int r = close(fd);
      n += (size_t)snprintf(out + n, sizeof out - n, "close %d %d\n", r, r < 0 ? errno : 0);
    }
  }
  n += (size_t)snprintf(out + n, sizeof out - n, "usr1 %d\n", (int)usr1);
  return write(1, out, n) == (ssize_t)n ? 0 : 1;
}
