// SPDX-License-Identifier: Apache-2.0
#include "runtime/out_stream.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sysgate/error.hpp"

namespace sysgate {

OutStream::OutStream(const std::string& path, int fallback_fd) : path_(path) {
  if (path.empty()) {
    fd_ = fallback_fd;
    name_ = fallback_fd == 2 ? "standard error" : "standard output";
  } else {
    name_ = path;
    struct stat st;
    created_ = stat(path.c_str(), &st) != 0 && errno == ENOENT;
    owned_.reset(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644));
    if (!owned_) throw UsageError(fmt::format("-o {}: {}", path, strerror(errno)));
    fd_ = owned_.get();
  }
  cookie_io_functions_t io = {};
  io.write = &OutStream::write_cb;
  io.close = &OutStream::close_cb;
  file_ = fopencookie(this, "w", io);
  if (!file_) throw Error(fmt::format("-o {}: {}", name_, strerror(errno)));
  setvbuf(file_, nullptr, _IOFBF, 1 << 16);
}

OutStream::~OutStream() {
  if (file_) fclose(file_);
  if (!committed_ && created_) unlink(path_.c_str());
}

void OutStream::commit() {
  committed_ = true;
  struct stat st;
  if (owned_ && fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
    if (ftruncate(fd_, 0) != 0) throw Error(fmt::format("-o {}: {}", name_, strerror(errno)));
  }
}

ssize_t OutStream::write_cb(void* self, const char* buf, size_t n) {
  auto* s = static_cast<OutStream*>(self);
  if (s->error_) return -1;
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(s->fd_, buf + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      s->error_ = w < 0 ? errno : ENOSPC;
      errno = s->error_;
      return done ? static_cast<ssize_t>(done) : -1;
    }
    done += static_cast<size_t>(w);
  }
  return static_cast<ssize_t>(n);
}

int OutStream::close_cb(void*) { return 0; }

bool OutStream::flush() {
  if (file_ && fflush(file_) != 0 && !error_) error_ = errno ? errno : EIO;
  return error_ == 0;
}

bool OutStream::close() {
  bool ok = flush();
  if (owned_) {
    int fd = owned_.release();
    if (::close(fd) != 0 && ok) {
      error_ = errno;
      ok = false;
    }
  }
  return ok;
}

std::string OutStream::error_text() const {
  return fmt::format("cannot write to {}: {}", name_, strerror(error_));
}

}  // namespace sysgate
