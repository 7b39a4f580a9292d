// SPDX-License-Identifier: Apache-2.0
// What each traced process's file descriptors refer to, for -y/-yy (decorations)
// and -P (calls through an fd whose path is PATH). Built from the results of the
// calls that open, duplicate and close descriptors, and seeded lazily from
// /proc/PID/fd when a descriptor is not known yet (opened before tracing began,
// or by a call that was not traced). Sockets are described from /proc/PID/net.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sysgate/decode.hpp"
#include "sysgate/event.hpp"

namespace sysgate {

class FdTable final : public decode::FdNames {
 public:
  // decode: DecodeFdsBits (sysgate/qualify.hpp) for fd_name(); proc: /proc (tests: a copy).
  explicit FdTable(uint8_t decode, std::string proc = "/proc");

  // What fd of tgid refers to: "/etc/passwd", "socket:[123]", "" if unknown.
  const std::string& target(uint32_t tgid, int fd);
  // The decoration strace prints between < and >, by the decode bits.
  std::string fd_name(uint32_t tgid, int fd) override;
  std::string result_name(const SyscallEvent& ev) override;
  std::string new_fd_name(uint32_t tgid, int fd) override {
    return decorate(tgid, fd, readlink_fd(tgid, fd));
  }
  std::string replaced_fd_name(uint32_t tgid, int fd) override;

  // Learns from a call that returned: new, duplicated and closed descriptors;
  // execve drops the table (lazily seeded again).
  void apply(const SyscallEvent& ev);
  // -P: whether ev touches one of paths, by a path argument or through a descriptor
  // whose target is one of them (the table as it was before ev).
  bool touches(const SyscallEvent& ev, const std::vector<std::string>& paths);
  // The process exited.
  void forget(uint32_t tgid) {
    procs_.erase(tgid);
    seeded_.erase(tgid);
    unconfirmed_.erase(tgid);
  }

 private:
  using Fds = std::unordered_map<int, std::string>;
  std::string readlink_fd(uint32_t tgid, int fd) const;
  // The process's table, seeded from /proc/PID/fd when first asked for.
  Fds& fds_of(uint32_t tgid);
  bool seed(uint32_t tgid, Fds& fds) const;
  // What a successful call's returned descriptor refers to.
  std::string new_target(const SyscallEvent& ev);
  std::string decorate(uint32_t tgid, int fd, const std::string& target) const;
  std::string socket_text(uint32_t tgid, int fd, const std::string& target) const;

  uint8_t decode_;
  std::string proc_;
  std::unordered_map<uint32_t, Fds> procs_;
  std::unordered_map<uint32_t, bool> seeded_;  // the table was read from /proc/PID/fd
  // Descriptors known only from that read: it is made when a record is read, after the
  // call, so one of them may have been opened after it (dup2(3, 20) made the fd 20 that
  // /proc shows). A call that uses one successfully, or made it, confirms it.
  std::unordered_map<uint32_t, std::unordered_set<int>> unconfirmed_;
  // -yy: what a socket ("socket:[INODE]") was last described as, for when its process
  // or the socket is gone by the time its call is printed
  mutable std::unordered_map<std::string, std::string> sockets_;
  // new_target() of the last call asked (result_name, then apply, for one event)
  uint32_t last_tid_ = 0;
  uint64_t last_ts_ = 0;
  std::string last_target_;
};

}  // namespace sysgate
