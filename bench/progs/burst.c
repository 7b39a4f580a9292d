// SPDX-License-Identifier: Apache-2.0
// burst T M: T threads each make M getppid calls as fast as possible, released together.
// Prints "calls T*M ns_total". Only the timed getppid calls are counted; the program
// makes no other getppid call, so a "-e getppid" tracer must see exactly T*M.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long m;
static pthread_barrier_t bar;

static void* worker(void* arg) {
  (void)arg;
  pthread_barrier_wait(&bar);
  for (long i = 0; i < m; ++i) syscall(SYS_getppid);
  return NULL;
}

int main(int argc, char** argv) {
  int t = argc > 1 ? atoi(argv[1]) : 2;
  m = argc > 2 ? atol(argv[2]) : 100000;
  if (t < 1 || t > 1024) return 2;
  pthread_t* th = calloc((size_t)t, sizeof *th);
  pthread_barrier_init(&bar, NULL, (unsigned)t + 1);
  for (int i = 0; i < t; ++i) pthread_create(&th[i], NULL, worker, NULL);
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  pthread_barrier_wait(&bar);
  for (int i = 0; i < t; ++i) pthread_join(th[i], NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("calls %ld %.0f\n", (long)t * m, (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec));
  return 0;
}
