// SPDX-License-Identifier: Apache-2.0
// A command sysgate runs: forked, held before execve until the kernel side is
// ready (so its very first call is seen), then released.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "sysgate/unique_fd.hpp"

namespace sysgate {

// The program execve will run, searched in PATH as the shell would: resolving it
// here means one execve (no failed attempts in the trace) and a clear error.
std::string resolve_command(const std::string& name);

class Launcher {
 public:
  explicit Launcher(const std::vector<std::string>& argv);
  ~Launcher();  // a command never released or still running is killed and reaped
  Launcher(const Launcher&) = delete;
  Launcher& operator=(const Launcher&) = delete;

  pid_t pid() const { return pid_; }
  // Lets the child exec; throws Error (exit 126/127) when execve failed.
  void release();
  // True once the child has exited; status in wait(2) form.
  bool reap(int* status);
  // Sysgate no longer waits for it (the reader of the output went away): it
  // goes on untraced instead of being killed.
  void disown() { disowned_ = true; }

 private:
  pid_t pid_ = -1;
  UniqueFd go_, err_;
  bool reaped_ = false, released_ = false, disowned_ = false;
  std::string name_;
};

}  // namespace sysgate
