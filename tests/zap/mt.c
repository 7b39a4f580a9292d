// SPDX-License-Identifier: Apache-2.0
// "mt LINGER_MS TIMES_FILE": a multi-threaded process. On SIGTERM the main thread
// tells the workers to stop and exits with pthread_exit(); the workers linger
// LINGER_MS and exit last. The last worker writes the CLOCK_MONOTONIC ns just
// before it exits, so the process's real end is never before that.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3

static atomic_int stop;
static atomic_int left = WORKERS;
static long linger_ms;
static int times_fd;

static long long now_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *worker(void *arg) {
  (void)arg;
  while (!atomic_load(&stop)) usleep(1000);
  usleep(linger_ms * 1000);
  if (atomic_fetch_sub(&left, 1) == 1) {
    char buf[32];
    int n = snprintf(buf, sizeof(buf), "%lld\n", now_ns());

    (void)!write(times_fd, buf, n);
  }
  return NULL;
}

static void on_term(int sig) {
  (void)sig;
  atomic_store(&stop, 1);
}

int main(int argc, char **argv) {
  pthread_t t[WORKERS];
  struct sigaction sa = {0};

  if (argc < 3) return 2;
  linger_ms = atol(argv[1]);
  times_fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  for (int i = 0; i < WORKERS; i++) pthread_create(&t[i], NULL, worker, NULL);
  while (!atomic_load(&stop)) (void)!write(1, "m", 1), usleep(1000);
  pthread_exit(NULL);
}
