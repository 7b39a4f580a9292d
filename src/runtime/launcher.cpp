// SPDX-License-Identifier: Apache-2.0
#include "runtime/launcher.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sysgate/error.hpp"

namespace sysgate {

std::string resolve_command(const std::string& name) {
  if (name.empty()) throw UsageError("the command to launch is an empty string");
  if (name.find('/') != std::string::npos) {
    // checked now so that nothing (not even -o FILE) is touched for a command that cannot run
    struct stat st;
    if (stat(name.c_str(), &st) != 0)
      throw Error(fmt::format("cannot run '{}': {}", name, strerror(errno)),
                  errno == ENOENT ? 127 : 126);
    if (S_ISDIR(st.st_mode) || access(name.c_str(), X_OK) != 0)
      throw Error(
          fmt::format("cannot run '{}': {}", name, strerror(S_ISDIR(st.st_mode) ? EISDIR : errno)),
          126);
    return name;
  }
  const char* path = getenv("PATH");
  std::string p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string cand = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(cand.c_str(), X_OK) == 0)
      return cand;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  throw Error(fmt::format("cannot run '{}': command not found in PATH", name), 127);
}

namespace {

// One byte carrying one descriptor (SCM_RIGHTS): the child's listener, to the parent.
struct FdMessage {
  char byte = 'L';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char ctl[CMSG_SPACE(sizeof(int))] = {};
  msghdr m{};
  FdMessage() {
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl;
    m.msg_controllen = sizeof ctl;
  }
  FdMessage(const FdMessage&) = delete;
  FdMessage& operator=(const FdMessage&) = delete;
};

bool send_fd(int sock, int fd) {
  FdMessage msg;
  cmsghdr* c = CMSG_FIRSTHDR(&msg.m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return sendmsg(sock, &msg.m, MSG_NOSIGNAL) == 1;
}

int recv_fd(int sock) {
  FdMessage msg;
  ssize_t n;
  do n = recvmsg(sock, &msg.m, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  if (n != 1) return -1;
  cmsghdr* c = CMSG_FIRSTHDR(&msg.m);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

}  // namespace

Launcher::Launcher(const std::vector<std::string>& argv, const std::vector<sock_filter>& filter,
                   std::function<void(UniqueFd)> on_listener)
    : on_listener_(std::move(on_listener)) {
  const std::string file = resolve_command(argv.at(0));
  int go[2], err[2];
  if (pipe2(go, O_CLOEXEC) != 0) throw Error(fmt::format("pipe: {}", strerror(errno)));
  go_.reset(go[1]);
  UniqueFd go_read(go[0]);
  if (pipe2(err, O_CLOEXEC) != 0) throw Error(fmt::format("pipe: {}", strerror(errno)));
  err_.reset(err[0]);
  UniqueFd err_write(err[1]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  sock_fprog prog{static_cast<unsigned short>(filter.size()),
                  const_cast<sock_filter*>(filter.data())};
  const bool no_new_privs = geteuid() != 0;  // a filter without CAP_SYS_ADMIN needs it
  const bool notify = static_cast<bool>(on_listener_);
  int sv[2] = {-1, -1};
  if (notify && socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw Error(fmt::format("socketpair: {}", strerror(errno)));
  sock_.reset(sv[0]);
  UniqueFd child_sock(sv[1]);
  pid_ = fork();
  if (pid_ < 0) throw Error(fmt::format("fork: {}", strerror(errno)));
  if (pid_ == 0) {
    // the child runs with the default dispositions, whatever sysgate set
    signal(SIGPIPE, SIG_DFL);
    ::close(go[1]);
    ::close(err[0]);
    char c;
    if (read(go[0], &c, 1) != 1) _exit(127);  // sysgate went away before releasing us
    if (prog.len && notify) {
      // the listener's waits are killable only once sysgate has read the call (5.19):
      // a signal sent while it holds the call cannot restart it
      int l = -1;
      if (!no_new_privs || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
        l = static_cast<int>(syscall(
            SYS_seccomp, SECCOMP_SET_MODE_FILTER,
            SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog));
        if (l < 0 && errno == EINVAL)
          l = static_cast<int>(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                       SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
      }
      if (l < 0 || !send_fd(sv[1], l)) {
        int e = -errno;
        (void)!write(err[1], &e, sizeof e);
        _exit(127);
      }
      ::close(l);
    } else if (prog.len) {
      if ((no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) ||
          prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
        int e = -errno;  // negative: the filter, not the exec, failed
        (void)!write(err[1], &e, sizeof e);
        _exit(127);
      }
    }
    execv(file.c_str(), args.data());
    int e = errno;
    (void)!write(err[1], &e, sizeof e);
    _exit(127);
  }
  name_ = argv[0];
}

Launcher::~Launcher() {
  if (pid_ <= 0 || reaped_) return;
  if (released_ && disowned_) return;
  kill(pid_, SIGKILL);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

void Launcher::release(const std::function<void()>& pump) {
  released_ = true;
  (void)!write(go_.get(), "x", 1);
  go_.reset();
  if (on_listener_) {
    // the child installs its filter, hands us its listener, then execs: the listener
    // must be served before that (execve itself may be a call it holds)
    int l = recv_fd(sock_.get());
    sock_.reset();
    if (l >= 0) on_listener_(UniqueFd(l));
  }
  int e = 0;
  ssize_t n;
  for (;;) {
    if (pump) {
      pollfd p{err_.get(), POLLIN, 0};
      if (::poll(&p, 1, 0) == 0) {
        pump();
        continue;
      }
    }
    n = read(err_.get(), &e, sizeof e);  // EOF (0) once exec succeeded
    if (n >= 0 || errno != EINTR) break;
  }
  err_.reset();
  if (n == sizeof e) {
    // a tracer (pump) waits for its tracee itself: the destructor kills and reaps it
    if (!pump) {
      while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
      }
      reaped_ = true;
    }
    if (e < 0)
      throw Error(fmt::format(
          "cannot run '{}' under the seccomp filter ({}): {}", name_,
          on_listener_ ? "zap --before's user notification" : "the ptrace backend's acceleration",
          strerror(-e)));
    throw Error(fmt::format("cannot run '{}': {}", name_, strerror(e)), e == ENOENT ? 127 : 126);
  }
}

bool Launcher::reap(int* status) {
  if (reaped_) {
    *status = status_;
    return true;
  }
  pid_t r = waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) reaped_ = true;
  *status = status_;
  return reaped_;
}

}  // namespace sysgate
