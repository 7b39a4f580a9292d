// SPDX-License-Identifier: Apache-2.0
// Writes numbered lines to a file, one write(2) each: "writer FILE N [delay_us]";
// FILE "-" is standard output.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  int fd = strcmp(argv[1], "-") ? open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644) : 1;
  long n = atol(argv[2]);
  long delay = argc > 3 ? atol(argv[3]) : 0;

  if (fd < 0) return 1;
  for (long i = 1; i <= n; i++) {
    char line[32];
    int len = snprintf(line, sizeof(line), "%ld\n", i);

    if (write(fd, line, len) != len) return 1;
    if (delay) usleep(delay);
  }
  return 0;
}
