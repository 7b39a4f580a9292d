// SPDX-License-Identifier: Apache-2.0
// Signals for the signal-line tests: SIGUSR1 from kill (SI_USER), SIGUSR2 from
// tgkill (SI_TKILL), a queued real-time signal with a value (SI_QUEUE), SIGCHLD
// from a child that exits 3 (CLD_EXITED), a SIGSEGV at NULL caught by a handler
// (SEGV_MAPERR), a POSIX timer's SIGALRM (SI_TIMER), and a thread that ends
// before the process does. Exits 0.
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf back;
static volatile sig_atomic_t got;

static void on_signal(int sig, siginfo_t *si, void *uc) {
  (void)si, (void)uc;
  got = sig;
  if (sig == SIGSEGV) siglongjmp(back, 1);
}

static void *thread_main(void *arg) {
  (void)arg;
  return NULL;
}

static void wait_for(int sig) {
  sigset_t none;

  sigemptyset(&none);
  while (got != sig) sigsuspend(&none);
}

int main(void) {
  struct sigaction sa = {0};
  int sigs[] = {SIGUSR1, SIGUSR2, SIGCHLD, SIGSEGV, SIGALRM, SIGRTMIN + 1};
  sigset_t block;

  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) sigaction(sigs[i], &sa, NULL);
  /* signals arrive only where the program waits for them: the order is fixed */
  sigemptyset(&block);
  for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
    if (sigs[i] != SIGSEGV) sigaddset(&block, sigs[i]);
  sigprocmask(SIG_BLOCK, &block, NULL);

  kill(getpid(), SIGUSR1);
  wait_for(SIGUSR1);
  syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGUSR2);
  wait_for(SIGUSR2);
  union sigval v = {.sival_int = 42};
  sigqueue(getpid(), SIGRTMIN + 1, v);
  wait_for(SIGRTMIN + 1);

  pid_t child = fork();
  if (child == 0) _exit(3);
  wait_for(SIGCHLD);
  waitpid(child, NULL, 0);

  if (sigsetjmp(back, 1) == 0) *(volatile int *)NULL = 1;

  timer_t timer;
  struct sigevent sev = {0};
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGALRM;
  sev.sigev_value.sival_int = 7;
  struct itimerspec its = {.it_value = {0, 1000000}};
  if (timer_create(CLOCK_MONOTONIC, &sev, &timer) == 0 && timer_settime(timer, 0, &its, NULL) == 0)
    wait_for(SIGALRM);

  pthread_t t;
  if (pthread_create(&t, NULL, thread_main, NULL) == 0) pthread_join(t, NULL);
  return 0;
}
