// SPDX-License-Identifier: Apache-2.0
// zap --before for a launched command: a seccomp filter (installed by the command
// just before its execve) hands every --on call to sysgate with
// SECCOMP_RET_USER_NOTIF; a supervisor thread counts them per process, lets them
// run (SECCOMP_USER_NOTIF_FLAG_CONTINUE), and on the Nth one signals the process
// while the call is held, then fails the call instead of running it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sysgate/backend.hpp"
#include "sysgate/records.hpp"
#include "sysgate/unique_fd.hpp"

namespace sysgate {

class NotifySupervisor {
 public:
  struct Zap {
    ZapRecord rec;
    std::string call;  // decoded while the call was held (-y: with its descriptors' names)
  };
  // mark: the process is about to be signalled (the kernel side times it); called
  // from the supervisor thread.
  NotifySupervisor(const SessionConfig& cfg, uint8_t decode_fds, std::function<void(pid_t)> mark);
  ~NotifySupervisor();  // stops the thread
  NotifySupervisor(const NotifySupervisor&) = delete;
  NotifySupervisor& operator=(const NotifySupervisor&) = delete;

  // Starts serving the listener the launched command handed over.
  void start(UniqueFd listener);
  // Zaps made since the last call (in order).
  std::vector<Zap> take();

 private:
  void loop();
  void handle(int fd);

  SessionConfig cfg_;
  uint8_t decode_fds_;
  std::function<void(pid_t)> mark_;
  UniqueFd listener_, stop_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Zap> done_;
  // supervisor thread only
  std::map<pid_t, uint32_t> matched_;  // per process: matching calls so far
  std::map<pid_t, bool> zapped_;
  std::map<pid_t, pid_t> tgid_of_;  // thread -> its process
  uint64_t zaps_ = 0;
};

}  // namespace sysgate
