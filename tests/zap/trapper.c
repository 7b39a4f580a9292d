// SPDX-License-Identifier: Apache-2.0
// "trapper MODE DELAY_MS TIMES_FILE": handles SIGTERM (MODE=trap: sleeps DELAY_MS in the
// handler then exits 0; MODE=ignore: ignores it), and after set-up calls
// write(1, "x", 1)... forever, once per millisecond. Writes to TIMES_FILE the
// CLOCK_MONOTONIC ns when the handler started and just before _exit.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long delay_ms;
static int times_fd = -1;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_term(int sig)
{
	char buf[64];
	long long start = now_ns();
	struct timespec d = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
	int n;

	(void)sig;
	nanosleep(&d, NULL);
	n = snprintf(buf, sizeof(buf), "%lld %lld\n", start, now_ns());
	(void)!write(times_fd, buf, n);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	delay_ms = atol(argv[2]);
	times_fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (times_fd < 0)
		return 1;
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
