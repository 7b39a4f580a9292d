// SPDX-License-Identifier: Apache-2.0
// sleeper [-n NAME] [-t THREADS] [-i INTERVAL_MS] [-c COUNT]: a process that makes a
// raw getppid every INTERVAL_MS (default 20) in its main thread and in THREADS-1
// more threads (default 1 thread in all), COUNT times per thread (default: forever),
// so tests can attach to it with -p, -n or --cgroup.
//   -n NAME  sets the process name (comm) first, inherited by the threads.
//   On SIGUSR1 the main thread forks a child that makes 3 getppid calls, an openat
//   of "/nonexistent/sleeper-child-<N>" (ENOENT) and exits 0 (N counts from 1);
//   the parent waits for it. For -f tests.
//   Prints "ready\n" on stdout once every thread runs.
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long interval_ms = 20, count = -1;
static volatile sig_atomic_t fork_requests;

static void nap(void) {
  struct timespec ts = {interval_ms / 1000, (interval_ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static void *loop(void *arg) {
  (void)arg;
  for (long i = 0; count < 0 || i < count; ++i) {
    syscall(SYS_getppid);
    nap();
  }
  return NULL;
}

static void on_usr1(int sig) {
  (void)sig;
  fork_requests++;
}

int main(int argc, char **argv) {
  int threads = 1, opt;
  const char *name = NULL;
  while ((opt = getopt(argc, argv, "n:t:i:c:")) != -1) {
    switch (opt) {
      case 'n':
        name = optarg;
        break;
      case 't':
        threads = atoi(optarg);
        break;
      case 'i':
        interval_ms = atol(optarg);
        break;
      case 'c':
        count = atol(optarg);
        break;
      default:
        fprintf(stderr, "usage: sleeper [-n NAME] [-t THREADS] [-i INTERVAL_MS] [-c COUNT]\n");
        return 2;
    }
  }
  if (name && prctl(PR_SET_NAME, name) != 0) return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);  // no SA_RESTART needed: nap() resumes
  for (int i = 1; i < threads; ++i) {
    pthread_t t;
    if (pthread_create(&t, NULL, loop, NULL) != 0) return 1;
    pthread_detach(t);
  }
  printf("ready\n");
  fflush(stdout);
  int forked = 0;
  for (long i = 0; count < 0 || i < count; ++i) {
    while (forked < fork_requests) {
      ++forked;
      pid_t c = fork();
      if (c == 0) {
        char path[64];
        snprintf(path, sizeof path, "/nonexistent/sleeper-child-%d", forked);
        for (int k = 0; k < 3; ++k) syscall(SYS_getppid);
        syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
        _exit(0);
      }
      if (c > 0) waitpid(c, NULL, 0);
    }
    syscall(SYS_getppid);
    nap();
  }
  return 0;
}
