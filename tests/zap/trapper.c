// SPDX-License-Identifier: Apache-2.0
// "trapper MODE DELAY_MS TIMES_FILE": handles SIGTERM (MODE=trap: sleeps DELAY_MS in the
// handler then exits 0; MODE=ignore: ignores it), and after set-up calls
// write(1, "x", 1)... forever, once per millisecond. Stores in TIMES_FILE, as text
// "START END\n", the CLOCK_MONOTONIC ns when the handler started and just before
// _exit. The file is a shared mapping, so storing the end time costs no syscall.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static long delay_ms;
static char *times_map;

static long long now_ns(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_term(int sig) {
  long long start = now_ns();
  struct timespec d = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};

  (void)sig;
  nanosleep(&d, NULL);
  /* fixed-width fields: no allocation, no syscall between the time and _exit */
  snprintf(times_map, 64, "%020lld %020lld\n", start, now_ns());
  _exit(0);
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  delay_ms = atol(argv[2]);
  int fd = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0644);

  if (fd < 0 || ftruncate(fd, 64) != 0) return 1;
  times_map = mmap(NULL, 64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (times_map == MAP_FAILED) return 1;
  memset(times_map, 0, 64); /* fault the page in now, not between the end time and _exit */
  if (!strcmp(argv[1], "trap")) {
    struct sigaction sa = {0};

    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
  } else {
    signal(SIGTERM, SIG_IGN);
  }
  for (;;) {
    struct timespec d = {0, 1000000};

    (void)!write(1, "x", 1);
    nanosleep(&d, NULL);
  }
}
