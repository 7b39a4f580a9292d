// SPDX-License-Identifier: Apache-2.0
// getppid_loop N [COMM]: N calls of syscall(SYS_getppid); prints "ns_per_call=NS calls=C"
// (C counts the 1000 warm-up calls too: what a tracer should see).
// The comm is argv[0]'s basename unless COMM is given (then set with prctl(PR_SET_NAME)
// before the loop, so tools that filter by comm see it from the first timed call).
#define _GNU_SOURCE
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
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  if (argc > 2) prctl(PR_SET_NAME, argv[2], 0, 0, 0);
  for (int i = 0; i < 1000; ++i) syscall(SYS_getppid);  // warm up
  double t0 = now_ns();
  for (long i = 0; i < n; ++i) syscall(SYS_getppid);
  double t1 = now_ns();
  printf("ns_per_call=%.2f calls=%ld\n", (t1 - t0) / (double)n, n + 1000);
  return 0;
}
