// SPDX-License-Identifier: Apache-2.0
#include "runtime/notify.hpp"

#include <fmt/format.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
// glibc 2.36's <sys/pidfd.h> lacks __BEGIN_DECLS (fixed in 2.37): declare it C here.
extern "C" {
#include <sys/pidfd.h>
}

#include <cerrno>
#include <cstring>

#include "runtime/procfs.hpp"
#include "runtime/user_capture.hpp"
#include "sysgate/capture.hpp"
#include "sysgate/clock.hpp"
#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
#include "sysgate/event.hpp"
#include "sysgate/fd_table.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"
#include "sysgate_match.h"

namespace sysgate {
NotifySupervisor::NotifySupervisor(const SessionConfig& cfg, uint8_t decode_fds,
                                   std::function<void(pid_t)> mark)
    : cfg_(cfg), decode_fds_(decode_fds), mark_(std::move(mark)) {
  stop_.reset(eventfd(0, EFD_CLOEXEC));
  if (!stop_) throw Error(fmt::format("eventfd: {}", strerror(errno)));
}

NotifySupervisor::~NotifySupervisor() {
  if (thread_.joinable()) {
    uint64_t one = 1;
    (void)!write(stop_.get(), &one, sizeof one);
    thread_.join();
  }
}

void NotifySupervisor::start(UniqueFd listener) {
  listener_ = std::move(listener);
  thread_ = std::thread([this] { loop(); });
}

std::vector<NotifySupervisor::Zap> NotifySupervisor::take() {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<Zap> out;
  out.swap(done_);
  return out;
}

void NotifySupervisor::loop() {
  for (;;) {
    pollfd p[2] = {{listener_.get(), POLLIN, 0}, {stop_.get(), POLLIN, 0}};
    int n = ::poll(p, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents) return;
    if (p[0].revents & POLLIN) handle(listener_.get());
    // every process under the filter is gone: nothing more will come
    if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) return;
  }
}

void NotifySupervisor::handle(int fd) {
  seccomp_notif req;
  memset(&req, 0, sizeof req);
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return;  // the caller died meanwhile
  const uint64_t now = mono_ns();
  seccomp_notif_resp resp;
  memset(&resp, 0, sizeof resp);
  resp.id = req.id;
  resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  auto reply = [&] {
    // ENOENT: the caller was killed (or interrupted) while we decided
    (void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  };
  const int nr = req.data.nr;
  const pid_t tid = static_cast<pid_t>(req.pid);
  void* who = reinterpret_cast<void*>(static_cast<intptr_t>(tid));
  const ZapConfig& z = cfg_.zap;
  if (req.data.arch != AUDIT_ARCH_X86_64 || nr < 0 || nr >= SG_MAX_SYSCALLS ||
      static_cast<size_t>(nr) >= cfg_.syscalls.size() || !cfg_.syscalls[nr]) {
    reply();
    return;
  }
  // the caller's process: remembered per thread, checked (a thread id may be reused by
  // another process once its thread is gone) with one stat instead of parsing /proc
  pid_t tgid = -1;
  if (auto it = tgid_of_.find(tid); it != tgid_of_.end()) {
    struct stat st;
    const std::string task = fmt::format("/proc/{}/task/{}", it->second, tid);
    if (stat(task.c_str(), &st) == 0) tgid = it->second;
  }
  if (tgid <= 0) {
    tgid = procfs::tgid_of(tid);
    if (tgid > 0) tgid_of_[tid] = tgid;
  }
  if (tgid <= 0 || (tgid == 1 && !z.force)) {
    reply();
    return;
  }
  __u64 args[SG_NARGS];
  for (int i = 0; i < SG_NARGS; ++i) args[i] = req.data.args[i];
  for (const auto& m : z.matches) {
    uint64_t v = args[m.index % SG_NARGS];
    bool ok;
    if (m.op == ArgMatch::Op::Prefix) {
      char s[SG_PREFIX_BUF] = {};
      long len = v ? sg_read_str(who, s, v, SG_PREFIX_MAX) : -1;
      ok = sg_match_prefix(s, len, m.prefix.c_str(), static_cast<uint32_t>(m.prefix.size()));
    } else {
      ok = sg_match_value(m.op == ArgMatch::Op::Eq ? SG_MATCH_EQ : SG_MATCH_BITS, v, m.value,
                          m.mask);
    }
    if (!ok) {
      reply();
      return;
    }
  }
  const uint32_t count = ++matched_[tgid];
  if (count < z.nth || zapped_[tgid] || (z.max_total && zaps_ >= z.max_total)) {
    reply();
    return;
  }
  // a pid the caller no longer holds (killed meanwhile) must not be acted on
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) != 0) return;
  zapped_[tgid] = true;
  ++zaps_;

  Zap out;
  ZapRecord& r = out.rec;
  r.tgid = static_cast<uint32_t>(tgid);
  r.tid = static_cast<uint32_t>(tid);
  r.comm = procfs::comm_of(tid);
  r.ppid = static_cast<uint32_t>(std::max(0, procfs::ppid_of(tgid)));
  r.nr = nr;
  memcpy(r.args, args, sizeof r.args);
  r.syscall_ts_ns = now;
  r.nth = count;
  r.at = SG_ZAP_BEFORE;
  r.via = "seccomp";
  r.signal = z.send_signal ? z.signal : 0;
  r.ret = -(z.error ? z.error : EINTR);

  // the call as trace would show it, read while it is held
  {
    std::vector<char> buf(SG_EVENT_MAX);
    sg_cap_ctx c{};
    c.buf = buf.data();
    c.off = 0;
    c.args = args;
    c.who = who;
    const SyscallInfo* info = syscall_by_nr(nr);
    if (info) {
      sg_sys_spec spec = capture_spec(*info, cfg_.limits);
      if (spec.flags & SG_SYS_CAPTURE) sg_capture(&spec, &c);
    }
    SyscallEvent ev;
    ev.tgid = r.tgid;
    ev.tid = r.tid;
    ev.nr = nr;
    ev.comm = r.comm;
    memcpy(ev.args, args, sizeof ev.args);
    ev.has_enter = true;
    ev.ts_ns = now;
    ev.add_captures(buf.data(), c.off, c.ncap, false);
    if (z.error) {
      ev.has_exit = true;
      ev.ret = r.ret;
      ev.injected = true;
    }
    FdTable fds(decode_fds_);
    out.call = decode::call_text(ev, decode_fds_ ? &fds : nullptr);
  }

  // held from before the signal until the zap is queued: whoever sees the process gone
  // and then asks take() finds its zap
  std::lock_guard<std::mutex> g(mu_);
  if (mark_) mark_(tgid);
  if (z.send_signal) {
    UniqueFd pidfd(pidfd_open(tgid, 0));
    r.signal_ts_ns = mono_ns();
    r.send_ret = pidfd && pidfd_send_signal(pidfd.get(), z.signal, nullptr, 0) == 0 ? 0 : -errno;
  }
  // the call is not run: it fails (with the signal pending, a fatal one kills first)
  resp.flags = 0;
  resp.error = static_cast<int32_t>(r.ret);
  resp.val = 0;
  reply();
  done_.push_back(std::move(out));
}

}  // namespace sysgate
