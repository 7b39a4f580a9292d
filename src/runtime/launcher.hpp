// SPDX-License-Identifier: Apache-2.0
// A command sysgate runs: forked, held before execve until the kernel side is
// ready (so its very first call is seen), then released.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "sysgate/unique_fd.hpp"

namespace sysgate {

// The program execve will run, searched in PATH as the shell would: resolving it
// here means one execve (no failed attempts in the trace) and a clear error.
std::string resolve_command(const std::string& name);

class Launcher {
 public:
  // filter: a seccomp filter the child installs just before its execve (none if empty).
  // on_listener: the filter returns SECCOMP_RET_USER_NOTIF; its listener is handed to
  // on_listener (in release(), before the child may exec).
  explicit Launcher(const std::vector<std::string>& argv,
                    const std::vector<sock_filter>& filter = {},
                    std::function<void(UniqueFd)> on_listener = {});
  ~Launcher();  // a command never released or still running is killed and reaped
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  pid_t pid() const { return pid_; }
  // Lets the child exec; throws Error (exit 126/127) when execve failed.
  // pump runs while it waits (a tracer must handle its tracee's stops meanwhile).
  void release(const std::function<void()>& pump = {});
  // The backend reaped it (a tracer waits for its tracees itself).
  void reaped(int status) {
    reaped_ = true;
    status_ = status;
  }
  // True once the child has exited; status in wait(2) form.
  bool reap(int* status);
  // Sysgate no longer waits for it (the reader of the output went away): it
  // goes on untraced instead of being killed.
  void disown() { disowned_ = true; }

 private:
  pid_t pid_ = -1;
  UniqueFd go_, err_, sock_;
  std::function<void(UniqueFd)> on_listener_;
  bool reaped_ = false, released_ = false, disowned_ = false;
  int status_ = 0;
  std::string name_;
};

}  // namespace sysgate
