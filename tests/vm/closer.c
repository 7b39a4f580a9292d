// SPDX-License-Identifier: Apache-2.0
// Known calls for the VM scenarios: close(42) (EBADF), openat of /etc/hostname,
// write(1, "hello\n", 6). Its name is "closer" for the module's target_comm.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  int fd;

  syscall(SYS_close, 42);
  fd = syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
  syscall(SYS_close, fd);
  syscall(SYS_write, 1, "hello\n", 6);
  return 0;
}
