// SPDX-License-Identifier: Apache-2.0
// The per-process descriptor table behind -y, -yy and -P (sysgate/fd_table.hpp).
#include "sysgate/fd_table.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "sysgate/qualify.hpp"
#include "sysgate/syscalls.hpp"

namespace sysgate {

namespace {

const std::string kUnknown;

int fd_of(uint64_t raw) { return static_cast<int32_t>(static_cast<uint32_t>(raw)); }

bool same_file(const std::string& a, const std::string& b) {
  struct stat x, y;
  return ::stat(a.c_str(), &x) == 0 && ::stat(b.c_str(), &y) == 0 && x.st_dev == y.st_dev &&
         x.st_ino == y.st_ino;
}

// "0100007F:1F90" (IPv4) or 32 hex digits then ":PORT" (IPv6), as /proc/net prints them.
std::string inet_text(const std::string& field, bool v6) {
  size_t colon = field.find(':');
  if (colon == std::string::npos) return {};
  unsigned port = static_cast<unsigned>(std::stoul(field.substr(colon + 1), nullptr, 16));
  char buf[INET6_ADDRSTRLEN] = {};
  if (v6) {
    if (colon != 32) return {};
    uint32_t words[4];
    for (int i = 0; i < 4; ++i)
      words[i] = static_cast<uint32_t>(std::stoul(field.substr(i * 8, 8), nullptr, 16));
    inet_ntop(AF_INET6, words, buf, sizeof buf);
    return fmt::format("[{}]:{}", buf, port);
  }
  uint32_t a = static_cast<uint32_t>(std::stoul(field.substr(0, colon), nullptr, 16));
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return fmt::format("{}:{}", buf, port);
}

// The endpoints of socket inode in one /proc/PID/net/{tcp,udp}{,6} table: "" if absent.
std::string inet_endpoints(const std::string& file, const std::string& inode, bool v6) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> f;
    for (std::string w; ls >> w && f.size() < 10;) f.push_back(w);
    if (f.size() < 10 || f[9] != inode) continue;
    try {
      std::string local = inet_text(f[1], v6), remote = inet_text(f[2], v6);
      bool connected = f[2].size() > 5 && f[2].substr(f[2].size() - 4) != "0000";
      return connected ? local + "->" + remote : local;
    } catch (const std::exception&) {
      return {};
    }
  }
  return {};
}

// The path a unix socket inode is bound to (with its quotes), "" if none or absent;
// found = the inode is in the table.
std::string unix_path(const std::string& file, const std::string& inode, bool& found) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  found = false;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::vector<std::string> f;
    for (std::string w; ls >> w && f.size() < 8;) f.push_back(w);
    if (f.size() < 7 || f[6] != inode) continue;
    found = true;
    return f.size() > 7 ? decode::escape(f[7]) : std::string();
  }
  return {};
}

}  // namespace

FdTable::FdTable(uint8_t decode, std::string proc) : decode_(decode), proc_(std::move(proc)) {}

std::string FdTable::readlink_fd(uint32_t tgid, int fd) const {
  if (fd < 0) return {};
  char buf[4096];
  std::string link = fmt::format("{}/{}/fd/{}", proc_, tgid, fd);
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

FdTable::Fds& FdTable::fds_of(uint32_t tgid) {
  auto [it, fresh] = procs_.try_emplace(tgid);
  if (fresh) {
    seeded_[tgid] = seed(tgid, it->second);
    auto& unconfirmed = unconfirmed_[tgid];
    for (const auto& e : it->second) unconfirmed.insert(e.first);
  }
  return it->second;
}

bool FdTable::seed(uint32_t tgid, Fds& fds) const {
  std::string dir = fmt::format("{}/{}/fd", proc_, tgid);
  DIR* d = opendir(dir.c_str());
  if (!d) return false;
  while (dirent* e = readdir(d)) {
    int fd = -1;
    auto [p, ec] = std::from_chars(e->d_name, e->d_name + strlen(e->d_name), fd);
    if (ec != std::errc() || *p) continue;
    std::string t = readlink_fd(tgid, fd);
    if (!t.empty()) fds[fd] = std::move(t);
  }
  closedir(d);
  return true;
}

const std::string& FdTable::target(uint32_t tgid, int fd) {
  if (fd < 0) return kUnknown;
  Fds& fds = fds_of(tgid);
  auto it = fds.find(fd);
  if (it != fds.end()) return it->second;
  // Seeded from /proc: every call that makes a descriptor is traced, so an unknown
  // one is not open (reading /proc now would show what it became later).
  if (seeded_[tgid]) return kUnknown;
  std::string t = readlink_fd(tgid, fd);
  if (t.empty()) return kUnknown;
  return fds.emplace(fd, std::move(t)).first->second;
}

std::string FdTable::replaced_fd_name(uint32_t tgid, int fd) {
  if (fd < 0) return {};
  const Fds& fds = fds_of(tgid);
  auto it = fds.find(fd);
  if (it == fds.end() || unconfirmed_[tgid].contains(fd)) return {};
  return decorate(tgid, fd, it->second);
}

std::string FdTable::socket_text(uint32_t tgid, int fd, const std::string& target) const {
  // "socket:[INODE]"
  std::string inode = target.substr(8, target.size() - 9);
  char proto[64] = {};
  std::string link = fmt::format("{}/{}/fd/{}", proc_, tgid, fd);
  ssize_t n = getxattr(link.c_str(), "system.sockprotoname", proto, sizeof proto - 1);
  std::string p = n > 0 ? std::string(proto, strnlen(proto, static_cast<size_t>(n))) : "";
  const std::string net = fmt::format("{}/{}/net/", proc_, tgid);
  static constexpr struct {
    const char* file;
    const char* proto;
    bool v6;
  } kInet[] = {{"tcp", "TCP", false},
               {"tcp6", "TCPv6", true},
               {"udp", "UDP", false},
               {"udp6", "UDPv6", true}};
  if (p.empty()) {
    // the process is gone (or the socket closed): what it was last seen as
    auto it = sockets_.find(target);
    if (it != sockets_.end()) return it->second;
  }
  for (const auto& t : kInet) {
    if (!p.empty() && p != t.proto) continue;
    std::string ends = inet_endpoints(net + t.file, inode, t.v6);
    if (!ends.empty()) return sockets_[target] = fmt::format("{}:[{}]", t.proto, ends);
  }
  if (p.empty() || p.starts_with("UNIX")) {
    bool found = false;
    std::string path = unix_path(net + "unix", inode, found);
    if (found)
      return sockets_[target] =
                 fmt::format("{}:[{}{}{}]", p.empty() ? "UNIX" : p, inode,
                             path.empty() ? "" : ",\"", path.empty() ? "" : path + "\"");
  }
  if (!p.empty()) return sockets_[target] = fmt::format("{}:[{}]", p, inode);
  return target;
}

std::string FdTable::decorate(uint32_t tgid, int fd, const std::string& target) const {
  if (target.empty()) return {};
  if (target.starts_with("socket:[") && target.ends_with("]")) {
    if (decode_ & kFdSocket) return socket_text(tgid, fd, target);
    return decode_ & kFdPath ? target : std::string();
  }
  if ((decode_ & kFdDev) && target.starts_with("/")) {
    struct stat st;
    if (::stat(target.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
      return fmt::format("{}<{} {}:{}>", target, S_ISCHR(st.st_mode) ? "char" : "block",
                         major(st.st_rdev), minor(st.st_rdev));
  }
  return decode_ & kFdPath ? target : std::string();
}

std::string FdTable::fd_name(uint32_t tgid, int fd) { return decorate(tgid, fd, target(tgid, fd)); }

std::string FdTable::new_target(const SyscallEvent& ev) {
  if (ev.tid == last_tid_ && ev.ts_ns == last_ts_) return last_target_;
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  std::string t;
  if (info) {
    const std::string_view name = info->name;
    if (name == "dup" || name == "dup2" || name == "dup3" || name == "fcntl") {
      t = target(ev.tgid, fd_of(ev.args[0]));
    } else {
      const std::string now = readlink_fd(ev.tgid, static_cast<int>(ev.ret));
      int path_arg = name == "open" || name == "creat"       ? 0
                     : name == "openat" || name == "openat2" ? 1
                                                             : -1;
      const Capture* cap = path_arg >= 0 ? ev.find(path_arg, false) : nullptr;
      if (!cap || cap->fault() || cap->truncated() || cap->data.empty()) {
        t = now;  // a socket, a pipe, ...: what /proc shows (the kernel's own name)
      } else {
        std::string p(cap->data);
        if (p[0] != '/') {
          std::string dir = path_arg == 1 && fd_of(ev.args[0]) != -100
                                ? target(ev.tgid, fd_of(ev.args[0]))
                                : std::string();
          if (dir.empty()) {
            char buf[4096];
            std::string link = fmt::format("{}/{}/cwd", proc_, ev.tgid);
            ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
            if (n > 0) dir.assign(buf, static_cast<size_t>(n));
          }
          if (!dir.empty()) p = dir + (dir.ends_with('/') ? "" : "/") + p;
        }
        // /proc shows what the descriptor is now: by the time the record is read the
        // process may have closed it and opened another file there. Its name (strace's,
        // symlinks resolved) is used only when it is the file the call opened; else the
        // path given, resolved now.
        if (!now.empty() && same_file(now, p)) {
          t = now;
        } else {
          char real[PATH_MAX];
          t = realpath(p.c_str(), real) ? std::string(real) : std::move(p);
        }
      }
    }
  }
  last_tid_ = ev.tid;
  last_ts_ = ev.ts_ns;
  last_target_ = t;
  return t;
}

std::string FdTable::result_name(const SyscallEvent& ev) {
  return decorate(ev.tgid, static_cast<int>(ev.ret), new_target(ev));
}

bool FdTable::touches(const SyscallEvent& ev, const std::vector<std::string>& paths) {
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (!info || !info->args_known || !ev.has_enter) return false;
  auto listed = [&](std::string_view p) {
    return std::find(paths.begin(), paths.end(), p) != paths.end();
  };
  for (int i = 0; i < info->nargs && i < 6; ++i) {
    if (info->args[i].kind == "path") {
      const Capture* cap = ev.find(i, false);
      if (cap && !cap->fault() && !cap->truncated() && listed(cap->data)) return true;
    } else if (decode::is_fd_arg(*info, i)) {
      const int fd = fd_of(ev.args[i]);
      if (fd >= 0 && listed(target(ev.tgid, fd))) return true;
    }
  }
  return false;
}

void FdTable::apply(const SyscallEvent& ev) {
  if (!ev.has_exit || ev.failed()) return;
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (!info) return;
  const std::string_view name = info->name;
  Fds& fds = fds_of(ev.tgid);
  auto& unconfirmed = unconfirmed_[ev.tgid];
  // the descriptors a call used successfully were open when it ran
  if (ev.has_enter && !unconfirmed.empty())
    for (int i = 0; i < info->nargs && i < 6; ++i)
      if (decode::is_fd_arg(*info, i)) unconfirmed.erase(fd_of(ev.args[i]));
  if (decode::returns_fd(ev)) {
    std::string t = new_target(ev);
    unconfirmed.erase(static_cast<int>(ev.ret));
    if (t.empty())
      fds.erase(static_cast<int>(ev.ret));
    else
      fds[static_cast<int>(ev.ret)] = std::move(t);
  } else if (name == "close") {
    auto it = fds.find(fd_of(ev.args[0]));
    if (it == fds.end()) return;
    sockets_.erase(it->second);
    fds.erase(it);
  } else if (name == "close_range") {
    constexpr uint64_t kCloexec = 4;
    if (ev.args[2] & kCloexec) return;
    const auto lo = static_cast<uint32_t>(ev.args[0]), hi = static_cast<uint32_t>(ev.args[1]);
    auto in_range = [&](int fd) {
      return fd >= 0 && static_cast<uint32_t>(fd) >= lo && static_cast<uint32_t>(fd) <= hi;
    };
    std::erase_if(fds, [&](const auto& e) { return in_range(e.first); });
    std::erase_if(unconfirmed, in_range);
  } else if (name == "pipe" || name == "pipe2" || name == "socketpair") {
    const Capture* cap = ev.find(name == "socketpair" ? 3 : 0, true);
    if (!cap || cap->fault() || cap->data.size() < 8) return;
    int32_t v[2];
    memcpy(v, cap->data.data(), sizeof v);
    for (int32_t fd : v) {
      unconfirmed.erase(fd);
      std::string t = readlink_fd(ev.tgid, fd);
      if (t.empty())
        fds.erase(fd);
      else
        fds[fd] = std::move(t);
    }
  } else if (name == "execve" || name == "execveat") {
    // close-on-exec descriptors are gone: what /proc shows now (known only from this
    // read unless the process had it before, as it was), else the standard ones
    Fds now;
    if (!seed(ev.tgid, now) || now.empty()) {
      std::erase_if(fds, [](const auto& e) { return e.first > 2; });
      std::erase_if(unconfirmed, [](int fd) { return fd > 2; });
    } else {
      std::unordered_set<int> fresh;
      for (const auto& e : now) {
        auto old = fds.find(e.first);
        if (old == fds.end() || old->second != e.second || unconfirmed.contains(e.first))
          fresh.insert(e.first);
      }
      fds = std::move(now);
      unconfirmed = std::move(fresh);
    }
  }
}

}  // namespace sysgate
