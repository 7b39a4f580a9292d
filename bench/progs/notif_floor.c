// SPDX-License-Identifier: Apache-2.0
// notif_floor CMD [ARGS...]: run CMD under a seccomp filter that sends every getppid to a
// minimal supervisor (SECCOMP_RET_USER_NOTIF) which answers each at once with
// SECCOMP_USER_NOTIF_FLAG_CONTINUE; every other call is allowed. The floor of one
// user-notification round trip on this kernel (B9: what `zap --before` costs a selected call
// at best). Needs pidfd_getfd (Linux 5.6) and the right to ptrace the child (root).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: notif_floor CMD [ARGS...]\n");
    return 2;
  }
  int up[2], go[2];
  if (pipe(up) || pipe(go)) return 1;
  pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof f / sizeof f[0], f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(1);
    int lfd =
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (lfd < 0) _exit(1);
    char c;
    if (write(up[1], &lfd, sizeof lfd) != sizeof lfd || read(go[0], &c, 1) != 1) _exit(1);
    close(lfd);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int cfd = -1, lfd = -1;
  if (read(up[0], &cfd, sizeof cfd) != sizeof cfd) return 1;
  int pidfd = syscall(SYS_pidfd_open, child, 0);
  if (pidfd >= 0) lfd = syscall(SYS_pidfd_getfd, pidfd, cfd, 0);
  if (lfd < 0) {
    perror("notif_floor: pidfd_getfd");
    kill(child, 9);
    return 1;
  }
  if (write(go[1], "g", 1) != 1) return 1;
  struct seccomp_notif req;
  struct seccomp_notif_resp resp;
  for (;;) {
    struct pollfd p = {lfd, POLLIN, 0};
    if (poll(&p, 1, -1) < 0 && errno != EINTR) break;
    if (p.revents & POLLIN) {
      memset(&req, 0, sizeof req);
      if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) continue;
      memset(&resp, 0, sizeof resp);
      resp.id = req.id;
      resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
      (void)ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    } else if (p.revents & (POLLHUP | POLLERR)) {
      break;
    }
  }
  int st = 0;
  waitpid(child, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
