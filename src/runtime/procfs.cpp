// SPDX-License-Identifier: Apache-2.0
#include "runtime/procfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>
#include <string_view>

namespace sysgate::procfs {

namespace {

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};
using DirPtr = std::unique_ptr<DIR, DirCloser>;

// The whole (small) file, or "" when it cannot be read.
std::string slurp(const std::string& path) {
  std::string out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (1u << 20)) break;
  }
  ::close(fd);
  return out;
}

template <typename T>
bool to_num(std::string_view s, T& v, int base = 10) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  return ec == std::errc() && p != s.data();
}

// The value after "key:" in a /proc key-value file.
std::string_view field(std::string_view text, std::string_view key) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == text.npos ? text.npos : nl - pos);
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':')
      return line.substr(key.size() + 1);
    if (nl == text.npos) break;
    pos = nl + 1;
  }
  return {};
}

}  // namespace

pid_t tgid_of(pid_t pid) {
  if (pid <= 0) return -1;
  std::string st = slurp(fmt::format("/proc/{}/status", pid));
  pid_t t = -1;
  return to_num(field(st, "Tgid"), t) ? t : -1;
}

std::string comm_of(pid_t pid) {
  std::string c = slurp(fmt::format("/proc/{}/comm", pid));
  if (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> out;
  DirPtr d(opendir("/proc"));
  if (!d) return out;
  while (dirent* e = readdir(d.get())) {
    pid_t v = 0;
    std::string_view name(e->d_name);
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
    if (ec == std::errc() && p == name.data() + name.size() && v > 0) out.push_back(v);
  }
  return out;
}

bool is_kernel_thread(pid_t pid) {
  std::string line = slurp(fmt::format("/proc/{}/stat", pid));
  auto close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) return false;
  std::string_view rest = std::string_view(line).substr(close + 2);
  // fields after the comm: state(3) ppid pgrp session tty_nr tpgid flags(9)
  for (int i = 3; i < 9; ++i) {
    size_t sp = rest.find(' ');
    if (sp == rest.npos) return false;
    rest.remove_prefix(sp + 1);
  }
  unsigned long flags = 0;
  return to_num(rest.substr(0, rest.find(' ')), flags) && (flags & 0x00200000);  // PF_KTHREAD
}

bool alive(pid_t pid) {
  if (kill(pid, 0) == 0 || errno == EPERM) {
    // a zombie has exited: it makes no more calls
    std::string st = slurp(fmt::format("/proc/{}/stat", pid));
    auto close = st.rfind(')');
    return !(close != std::string::npos && close + 2 < st.size() && st[close + 2] == 'Z');
  }
  return false;
}

std::vector<pid_t> output_readers(int fd) {
  std::vector<pid_t> out;
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return out;
  const bool fifo = S_ISFIFO(st.st_mode);
  const std::string want = fmt::format("{}:[{}]", fifo ? "pipe" : "socket", st.st_ino);
  const pid_t self = getpid();
  for (pid_t p : all_pids()) {
    if (p == self) continue;
    std::string dir = fmt::format("/proc/{}/fd", p);
    DirPtr d(opendir(dir.c_str()));
    if (!d) continue;
    while (dirent* e = readdir(d.get())) {
      char buf[64];
      ssize_t n = readlinkat(dirfd(d.get()), e->d_name, buf, sizeof buf - 1);
      if (n <= 0 || std::string_view(buf, static_cast<size_t>(n)) != want) continue;
      if (fifo) {
        // only a holder of the read end reads what we write
        std::string info = slurp(fmt::format("/proc/{}/fdinfo/{}", p, e->d_name));
        unsigned long flags = 0;
        if (!to_num(field(info, "flags"), flags, 8) || (flags & O_ACCMODE) == O_WRONLY) continue;
      }
      out.push_back(p);
      break;
    }
  }
  return out;
}

pid_t ppid_of(pid_t pid) {
  std::string st = slurp(fmt::format("/proc/{}/status", pid));
  pid_t t = -1;
  return to_num(field(st, "PPid"), t) ? t : -1;
}

std::vector<pid_t> descendants(pid_t root) {
  std::vector<std::pair<pid_t, pid_t>> parent;  // (pid, ppid) of every process
  for (pid_t p : all_pids()) parent.emplace_back(p, ppid_of(p));
  std::vector<pid_t> out, frontier{root};
  while (!frontier.empty()) {
    std::vector<pid_t> next;
    for (const auto& [p, pp] : parent)
      if (std::find(frontier.begin(), frontier.end(), pp) != frontier.end() &&
          std::find(out.begin(), out.end(), p) == out.end() && p != root)
        next.push_back(p);
    out.insert(out.end(), next.begin(), next.end());
    frontier = std::move(next);
  }
  return out;
}

std::string cgroup_of(pid_t pid) {
  // cgroup v2: the one line "0::/path"
  std::string c = slurp(fmt::format("/proc/{}/cgroup", pid));
  size_t pos = 0;
  while (pos < c.size()) {
    size_t nl = c.find('\n', pos);
    std::string_view line = std::string_view(c).substr(pos, nl == c.npos ? c.npos : nl - pos);
    if (line.starts_with("0::")) return std::string(line.substr(3));
    if (nl == c.npos) break;
    pos = nl + 1;
  }
  return {};
}

std::vector<pid_t> cgroup_procs(const std::string& dir) {
  std::vector<pid_t> out;
  std::string text = slurp(dir + "/cgroup.procs");
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    pid_t v = 0;
    if (to_num(std::string_view(text).substr(pos, nl == text.npos ? text.npos : nl - pos), v) &&
        v > 0)
      out.push_back(v);
    if (nl == text.npos) break;
    pos = nl + 1;
  }
  return out;
}

std::string cgroup2_mount() {
  // "cgroup2 /sys/fs/cgroup cgroup2 rw..." (/sys/fs/cgroup/unified on hybrid systems)
  std::string m = slurp("/proc/self/mounts");
  size_t pos = 0;
  while (pos < m.size()) {
    size_t nl = m.find('\n', pos);
    std::string_view line = std::string_view(m).substr(pos, nl == m.npos ? m.npos : nl - pos);
    size_t a = line.find(' '), b = a == line.npos ? a : line.find(' ', a + 1);
    if (b != line.npos && line.substr(b + 1).starts_with("cgroup2 "))
      return std::string(line.substr(a + 1, b - a - 1));
    if (nl == m.npos) break;
    pos = nl + 1;
  }
  return {};
}

namespace {

std::string find_ino(const std::string& dir, uint64_t ino, int depth) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0 && st.st_ino == ino) return dir;
  if (depth > 32) return {};
  DirPtr d(opendir(dir.c_str()));
  if (!d) return {};
  while (dirent* e = readdir(d.get())) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    std::string found = find_ino(dir + "/" + e->d_name, ino, depth + 1);
    if (!found.empty()) return found;
  }
  return {};
}

}  // namespace

std::string cgroup_dir_by_id(uint64_t id) {
  // a cgroup v2 id is the inode number of its directory
  const std::string root = cgroup2_mount();
  return root.empty() || !id ? std::string() : find_ino(root, id, 0);
}

bool cgroup_kill(const std::string& dir) {
  int fd = ::open((dir + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, "1", 1) == 1;
  ::close(fd);
  return ok;
}

}  // namespace sysgate::procfs
