// SPDX-License-Identifier: Apache-2.0
// openclose_loop N [COMM]: N x (openat("/dev/null") + close); prints "ns_per_call=NS pairs=N"
// (ns per openat+close pair).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 200000;
  if (argc > 2) prctl(PR_SET_NAME, argv[2], 0, 0, 0);
  double t0 = now_ns();
  for (long i = 0; i < n; ++i) {
    int fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY);
    if (fd < 0) {
      perror("openat");
      return 1;
    }
    syscall(SYS_close, fd);
  }
  double t1 = now_ns();
  printf("ns_per_call=%.2f pairs=%ld\n", (t1 - t0) / (double)n, n);
  return 0;
}
