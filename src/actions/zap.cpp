// SPDX-License-Identifier: Apache-2.0
#include "sysgate/zap.hpp"

#include <fmt/format.h>
#include <signal.h>
// glibc 2.36's <sys/pidfd.h> lacks __BEGIN_DECLS (fixed in 2.37): declare it C here.
extern "C" {
#include <sys/pidfd.h>
}
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sysgate/decode.hpp"
#include "sysgate/json.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace sysgate {

namespace {

uint64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

int pidfd_kill(int pidfd, int sig) { return pidfd_send_signal(pidfd, sig, nullptr, 0); }

std::string sig_name(int sig) {
  auto n = decode::signal_name(sig);
  return n.empty() ? fmt::format("signal {}", sig) : std::string(n);
}

std::string seconds(uint64_t ns) {
  return fmt::format("{}.{:06}", ns / 1000000000, ns / 1000 % 1000000);
}

std::string status_text(int status) {
  if (WIFSIGNALED(status)) return fmt::format("killed by {}", sig_name(WTERMSIG(status)));
  return fmt::format("exited with {}", WEXITSTATUS(status));
}

bool default_terminates(int sig) {
  switch (sig) {
    case SIGCHLD:
    case SIGCONT:
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
    case SIGURG:
    case SIGWINCH:
      return false;
  }
  return sig > 0;
}

}  // namespace

// CLOCK_MONOTONIC ns to the output clock, saturating instead of overflowing on absurd values.
int64_t Zapper::wall(uint64_t ts) const { return json_ts(ts, offset_); }

namespace {

uint64_t percentile(const std::vector<uint64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  // nearest rank
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

}  // namespace

Zapper::Zapper(const ZapOptions& opts, FILE* out, int64_t offset)
    : opts_(opts), out_(out), offset_(offset), json_(std::make_unique<JsonLine>()) {
  if (opts_.syslog) openlog("sysgate", LOG_PID | LOG_NDELAY, LOG_USER);
}

Zapper::~Zapper() {
  if (opts_.syslog) closelog();
}

void Zapper::zap(const ZapRecord& r) {
  ZapResult z;
  z.pid = r.tgid;
  z.comm = r.comm;
  z.nr = r.nr;
  z.nth = r.nth;
  z.signal = r.signal;
  z.send_ret = r.send_ret;
  z.syscall_ts = r.syscall_ts_ns;
  z.signal_ts = r.signal_ts_ns;
  // pin the process before anything else: a pidfd cannot hit a recycled pid
  z.pidfd.reset(pidfd_open(static_cast<pid_t>(r.tgid), 0));
  if (opts_.via_userspace) {
    z.send_ret = z.pidfd ? pidfd_kill(z.pidfd.get(), z.signal) : -1;
    if (z.send_ret != 0) z.send_ret = -errno;
    z.signal_ts = mono_ns();
  }
  ++zaps_;
  pending_[r.tgid] = std::move(z);
}

void Zapper::signal_delivered(const SignalDelivery& d) {
  auto it = pending_.find(d.tgid);
  if (it == pending_.end() || it->second.deliver_ts) return;
  ZapResult& z = it->second;
  z.deliver_ts = d.ts_ns;
  z.deliver_handler = d.handler;
  // taken with the default action, a terminating signal starts the exit right here
  if (d.handler == 0 && default_terminates(d.signal) && !z.exit_start_ts) z.exit_start_ts = d.ts_ns;
}

void Zapper::exit_started(uint32_t tgid, uint64_t ts_ns) {
  auto it = pending_.find(tgid);
  if (it != pending_.end() && !it->second.exit_start_ts) it->second.exit_start_ts = ts_ns;
}

void Zapper::task_exit(const TaskExit& t) {
  if (!t.group_dead) return;
  auto it = pending_.find(t.tgid);
  if (it != pending_.end() && !it->second.exited) {
    ZapResult& z = it->second;
    z.exited = true;
    z.exit_ts = t.ts_ns;
    z.status = t.status;
    if (z.signal_ts && z.exit_ts >= z.signal_ts) times_.push_back(z.exit_ts - z.signal_ts);
    report(z);
    pending_.erase(it);
  } else if (it == pending_.end() && !t.zap_done && (t.zap_matched > 0 || watched_.count(t.tgid))) {
    report_missed(t.tgid, t.comm, t.zap_matched, t.status, t.ts_ns);
  }
}

int Zapper::tick() {
  if (!opts_.kill_after_ns) return -1;
  uint64_t now = mono_ns();
  int next = -1;
  for (auto& [pid, z] : pending_) {
    if (z.exited || z.escalated) continue;
    uint64_t due = (z.signal_ts ? z.signal_ts : z.syscall_ts) + opts_.kill_after_ns;
    if (now >= due) {
      if (z.pidfd && pidfd_kill(z.pidfd.get(), SIGKILL) == 0) {
        z.escalated = true;
        z.escalate_ts = mono_ns();
        ++escalated_;
      } else {
        z.escalated = true;  // already gone: its exit record is on its way
      }
    } else {
      int ms = static_cast<int>((due - now) / 1000000) + 1;
      next = next < 0 ? ms : std::min(next, ms);
    }
  }
  return next;
}

bool Zapper::done() const { return opts_.count && zaps_ >= opts_.count && pending_.empty(); }

void Zapper::report(const ZapResult& z) {
  const SyscallInfo* info = syscall_by_nr(z.nr);
  std::string name = info ? std::string(info->name) : fmt::format("syscall_{}", z.nr);
  // no signal time (a record that lacks it): count from the call
  const uint64_t sent = z.signal_ts ? z.signal_ts : z.syscall_ts;
  uint64_t tte = z.exit_ts >= sent ? z.exit_ts - sent : 0;
  std::string text = fmt::format(
      "[pid {:>5}] zap {} ({}) on {} #{}: {} {}; exit {} s after the signal ({} s after the "
      "call), {}{}",
      z.pid, decode::escape(z.comm), z.pid, name, z.nth, sig_name(z.signal),
      opts_.via_tracer      ? "sent by sysgate at the call's entry stop"
      : opts_.via_userspace ? "sent by sysgate"
                            : "sent in the kernel",
      seconds(tte), seconds(z.exit_ts >= z.syscall_ts ? z.exit_ts - z.syscall_ts : 0),
      status_text(z.status), z.escalated ? ", escalated to SIGKILL" : "");
  if (z.send_ret != 0) text += fmt::format(" (sending failed: {})", strerror(-z.send_ret));
  if (opts_.syslog) syslog(LOG_NOTICE, "%s", text.c_str() + text.find("zap"));
  if (!opts_.json) {
    fmt::print(out_, "{}\n", text);
    return;
  }
  auto& l = json_->begin()
                .field("event", "zap")
                .field("pid", z.pid)
                .field("comm", z.comm)
                .field("syscall", name)
                .field("nr", z.nr)
                .field("nth", z.nth)
                .field("signal", sig_name(z.signal))
                .field("via", opts_.via_tracer      ? "ptrace"
                              : opts_.via_userspace ? "userspace"
                                                    : "kernel")
                .field("syscall_ts_ns", wall(z.syscall_ts))
                .field("signal_ts_ns", wall(z.signal_ts));
  if (z.deliver_ts)
    l.field("deliver_ts_ns", wall(z.deliver_ts));
  else
    l.field("deliver_ts_ns", nullptr);
  if (z.exit_start_ts)
    l.field("exit_start_ts_ns", wall(z.exit_start_ts));
  else
    l.field("exit_start_ts_ns", nullptr);
  l.field("exit_ts_ns", wall(z.exit_ts))
      .field("time_to_exit_ns", tte)
      .field("call_to_exit_ns", z.exit_ts >= z.syscall_ts ? z.exit_ts - z.syscall_ts : 0);
  if (WIFSIGNALED(z.status))
    l.field("exit_signal", sig_name(WTERMSIG(z.status)));
  else
    l.field("exit_code", WEXITSTATUS(z.status));
  l.field("escalated", z.escalated);
  if (z.escalated && z.escalate_ts) l.field("escalate_ts_ns", wall(z.escalate_ts));
  if (z.send_ret) l.field("send_error", -z.send_ret);
  l.write(out_);
}

void Zapper::report_missed(uint32_t pid, const std::string& comm, uint32_t matched, int status,
                           uint64_t ts) {
  std::string text = fmt::format(
      "[pid {:>5}] {} ({}) {} before its zap: it made {} matching call{}, the zap was due on call "
      "#{}",
      pid, decode::escape(comm), pid, status_text(status), matched, matched == 1 ? "" : "s",
      opts_.nth);
  if (opts_.syslog) syslog(LOG_NOTICE, "%s", text.c_str() + text.find(']') + 2);
  if (!opts_.json) {
    fmt::print(out_, "{}\n", text);
    return;
  }
  auto& l = json_->begin()
                .field("event", "zap_missed")
                .field("pid", pid)
                .field("comm", comm)
                .field("matched", matched)
                .field("due", opts_.nth)
                .field("exit_ts_ns", wall(ts));
  if (WIFSIGNALED(status))
    l.field("exit_signal", sig_name(WTERMSIG(status)));
  else
    l.field("exit_code", WEXITSTATUS(status));
  l.write(out_);
}

uint64_t Zapper::finish(uint64_t lost, uint64_t held_back, uint64_t untracked) {
  unexited_ = pending_.size();
  for (auto& [pid, z] : pending_) {
    std::string text = fmt::format("[pid {:>5}] zap {} ({}): still running when sysgate stopped",
                                   z.pid, decode::escape(z.comm), z.pid);
    if (!opts_.json)
      fmt::print(out_, "{}\n", text);
    else
      json_->begin()
          .field("event", "zap_unfinished")
          .field("pid", z.pid)
          .field("comm", z.comm)
          .field("escalated", z.escalated)
          .write(out_);
  }
  std::sort(times_.begin(), times_.end());
  uint64_t mn = times_.empty() ? 0 : times_.front(), mx = times_.empty() ? 0 : times_.back();
  uint64_t med = percentile(times_, 50), p99 = percentile(times_, 99);
  if (opts_.json) {
    json_->begin()
        .field("event", "zap_summary")
        .field("zaps", zaps_)
        .field("exited", times_.size())
        .field("escalated", escalated_)
        .field("running", unexited_)
        .field("min_ns", mn)
        .field("median_ns", med)
        .field("p99_ns", p99)
        .field("max_ns", mx)
        .field("lost", lost)
        .field("held_back", held_back)
        .field("untracked", untracked)
        .write(out_);
  } else {
    fmt::print(
        out_,
        "sysgate: {} zap{}, {} exited, {} escalated; time to exit min {} median {} p99 {} max "
        "{} s\n",
        zaps_, zaps_ == 1 ? "" : "s", times_.size(), escalated_, seconds(mn), seconds(med),
        seconds(p99), seconds(mx));
    if (lost || held_back || untracked)
      fmt::print(out_,
                 "sysgate: {} zap records lost, {} zaps held back by --max-rate, {} processes "
                 "not tracked (table full)\n",
                 lost, held_back, untracked);
  }
  return zaps_;
}

}  // namespace sysgate
