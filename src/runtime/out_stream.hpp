// SPDX-License-Identifier: Apache-2.0
// Where sysgate's report goes: standard output or error, or -o FILE. Every write
// is checked; the first failure is kept so the session can stop and say so.
// -o FILE is opened without truncating it; commit() empties it once the session
// is ready, so a usage error or a refused load never destroys an existing file,
// and a file sysgate created is removed again if the session never started.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "sysgate/unique_fd.hpp"

namespace sysgate {

class OutStream {
 public:
  // path "" writes to fallback_fd (1 or 2), not owned.
  OutStream(const std::string& path, int fallback_fd);
  ~OutStream();
  OutStream(const OutStream&) = delete;
  OutStream& operator=(const OutStream&) = delete;

  FILE* file() const { return file_; }
  int fd() const { return fd_; }
  // The session is ready: truncate -o FILE (a regular file) and keep it.
  void commit();
  // Flushes; false once any write failed (the error is in error()).
  bool flush();
  // Flushes and closes -o FILE; false on failure.
  bool close();
  int error() const { return error_; }
  bool reader_gone() const { return error_ == EPIPE; }
  // The reader of a pipe or socket went away before a write failed (seen by poll):
  // from now on this stream fails as a write to it would, with EPIPE.
  void set_reader_gone() {
    if (!error_) error_ = EPIPE;
  }
  const std::string& name() const { return name_; }
  // "cannot write to FILE: No space left on device"
  std::string error_text() const;

 private:
  static ssize_t write_cb(void* self, const char* buf, size_t n);
  static int close_cb(void* self);

  std::string path_, name_;
  UniqueFd owned_;
  int fd_ = -1;
  FILE* file_ = nullptr;
  int error_ = 0;
  bool created_ = false, committed_ = false;
};

}  // namespace sysgate
