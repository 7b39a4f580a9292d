// SPDX-License-Identifier: Apache-2.0
// threads T M: T threads (besides main, which only waits) each make M raw getppid
// calls, all starting together; then exit 0. For loss accounting and bursts.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static long calls;
static pthread_barrier_t start;

static void *worker(void *arg) {
  (void)arg;
  pthread_barrier_wait(&start);
  for (long i = 0; i < calls; ++i) syscall(SYS_getppid);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: threads T M\n");
    return 2;
  }
  int t = atoi(argv[1]);
  calls = atol(argv[2]);
  if (t < 1 || t > 1024 || calls < 0) return 2;
  pthread_t *tids = calloc((size_t)t, sizeof *tids);
  pthread_barrier_init(&start, NULL, (unsigned)t);
  for (int i = 0; i < t; ++i)
    if (pthread_create(&tids[i], NULL, worker, NULL) != 0) return 1;
  for (int i = 0; i < t; ++i) pthread_join(tids[i], NULL);
  return 0;
}
