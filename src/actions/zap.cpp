// SPDX-License-Identifier: Apache-2.0
#include "sysgate/zap.hpp"

#include <fmt/format.h>
#include <poll.h>
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

#include "sysgate/clock.hpp"
#include "sysgate/decode.hpp"
#include "sysgate/event.hpp"
#include "sysgate/fd_table.hpp"
#include "sysgate/json.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace sysgate {

namespace {

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

namespace {

// "at entry", "at exit", "before it ran", "now" (text reports)
std::string at_text(const ZapResult& z) {
  if (z.now) return "now";
  if (z.at == SG_ZAP_BEFORE) return "before it ran";
  return z.at == SG_ZAP_AT_EXIT ? "at exit" : "at entry";
}

const char* at_name(const ZapResult& z) {
  if (z.now) return "now";
  switch (z.at) {
    case SG_ZAP_AT_EXIT:
      return "exit";
    case SG_ZAP_BEFORE:
      return "before";
  }
  return "entry";
}

const char* scope_name(ZapScope s) {
  switch (s) {
    case ZapScope::Tree:
      return "tree";
    case ZapScope::Cgroup:
      return "cgroup";
    case ZapScope::Process:
      break;
  }
  return "process";
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

Zapper::Zapper(const ZapOptions& opts, FILE* out, int64_t offset, ZapHooks hooks)
    : opts_(opts),
      out_(out),
      offset_(offset),
      hooks_(std::move(hooks)),
      json_(std::make_unique<JsonLine>()) {
  if (opts_.syslog) openlog("sysgate", LOG_PID | LOG_NDELAY, LOG_USER);
  if (opts_.decode_fds) fds_ = std::make_unique<FdTable>(opts_.decode_fds);
}

Zapper::~Zapper() {
  if (opts_.syslog) closelog();
}

void Zapper::watch(pid_t pid) {
  watched_.insert(static_cast<uint32_t>(pid));
  // -y: what its descriptors are now, while it is certainly alive
  if (fds_) (void)fds_->target(static_cast<uint32_t>(pid), -1);
}

void Zapper::call(const SyscallEvent& ev) {
  if (!ev.zapped) {
    if (fds_ && !ev.injected) fds_->apply(ev);  // zap -y: a streamed call
    return;
  }
  std::string text = decode::call_text(ev, fds_.get());
  if (fds_) fds_->apply(ev);
  auto it = pending_.find(ev.tgid);
  if (it != pending_.end() && it->second.tid == ev.tid && it->second.call.empty()) {
    it->second.call = std::move(text);
    return;
  }
  calls_[ev.tid] = std::move(text);  // its zap record comes next
}

void Zapper::zap(const ZapRecord& r) {
  ZapResult z;
  z.pid = r.tgid;
  z.tid = r.tid ? r.tid : r.tgid;
  z.ppid = r.ppid;
  z.cgroup_id = r.cgroup_id;
  z.comm = r.comm;
  z.nr = r.nr;
  z.nth = r.nth;
  z.at = r.at;
  z.via = r.via ? r.via : opts_.via;
  z.signal = r.signal;
  z.signalled = r.signal != 0;
  z.send_ret = r.send_ret;
  z.syscall_ts = r.syscall_ts_ns;
  z.signal_ts = r.signal_ts_ns;
  z.call_exit_ts = r.exit_ts_ns;
  z.ret = r.ret;
  z.has_ret = r.at == SG_ZAP_AT_EXIT || (r.at == SG_ZAP_BEFORE && opts_.error);
  if (auto c = calls_.find(z.tid); c != calls_.end()) {
    z.call = std::move(c->second);
    calls_.erase(c);
  }
  // pin the process before anything else: a pidfd cannot hit a recycled pid
  z.pidfd.reset(pidfd_open(static_cast<pid_t>(r.tgid), 0));
  // -y: its descriptors as they are now, if it is still there (a tracer holds it)
  if (fds_) (void)fds_->target(r.tgid, -1);
  if (opts_.via_userspace) {
    z.signal_ts = mono_ns();
    z.send_ret = z.pidfd ? pidfd_kill(z.pidfd.get(), z.signal) : -1;
    if (z.send_ret != 0) z.send_ret = -errno;
    if (!opts_.via_tracer) z.via = "userspace";
  }
  start(std::move(z));
}

bool Zapper::zap_now(pid_t tgid) {
  ZapResult z;
  z.pid = z.tid = static_cast<uint32_t>(tgid);
  z.comm = "";
  z.now = true;
  z.via = "userspace";
  z.signal = opts_.signal;
  z.pidfd.reset(pidfd_open(tgid, 0));
  if (!z.pidfd) return false;
  {
    char buf[64];
    std::string path = fmt::format("/proc/{}/comm", tgid);
    if (FILE* f = fopen(path.c_str(), "re")) {
      if (fgets(buf, sizeof buf, f)) {
        z.comm = buf;
        if (!z.comm.empty() && z.comm.back() == '\n') z.comm.pop_back();
      }
      fclose(f);
    }
  }
  if (hooks_.time_exit) hooks_.time_exit(tgid);  // its delivery and exit, timed in the kernel
  refresh_trees();                               // its tree as it is before the signal orphans it
  z.syscall_ts = z.signal_ts = mono_ns();
  z.send_ret = pidfd_kill(z.pidfd.get(), z.signal) == 0 ? 0 : -errno;
  if (z.send_ret == -ESRCH) return false;
  start(std::move(z));
  return true;
}

// --scope tree: the tree is the watched target's (the -p process, the launched
// command) that the zapped process belongs to. It is kept from the last look, with
// pidfds, because a kernel-side SIGKILL orphans the children before we hear of it.
void Zapper::refresh_trees() {
  if (opts_.scope != ZapScope::Tree || !hooks_.scope_members) return;
  std::string note;
  for (uint32_t root : watched_) {
    auto& cache = trees_[root];
    for (pid_t p : hooks_.scope_members(static_cast<pid_t>(root), 0, &note)) {
      if (cache.count(p)) continue;
      UniqueFd fd(pidfd_open(p, 0));
      if (fd) cache.emplace(p, std::move(fd));
    }
    // the gone ones: their pidfd is readable
    for (auto it = cache.begin(); it != cache.end();) {
      pollfd pf{it->second.get(), POLLIN, 0};
      it = ::poll(&pf, 1, 0) == 1 ? cache.erase(it) : std::next(it);
    }
  }
}

// The zap's signal reaches the rest of its scope at once (same signal, sent by sysgate).
void Zapper::widen(ZapResult& z) {
  if (opts_.scope == ZapScope::Process || !hooks_.scope_members || !z.signalled) return;
  pid_t root = static_cast<pid_t>(z.pid);
  std::map<pid_t, UniqueFd> candidates;
  if (opts_.scope == ZapScope::Tree) {
    // its ancestors up to a watched target: that target's tree
    if (!watched_.count(z.pid) && hooks_.parent_of) {
      // (a record without its parent: the caller is held by a tracer, still there)
      pid_t a = z.ppid ? static_cast<pid_t>(z.ppid) : hooks_.parent_of(static_cast<pid_t>(z.pid));
      for (int depth = 0; a > 1 && depth < 64; ++depth) {
        if (watched_.count(static_cast<uint32_t>(a))) {
          root = a;
          break;
        }
        a = hooks_.parent_of(a);
      }
    }
    for (auto& [r, cache] : trees_)
      if (r == static_cast<uint32_t>(root) || r == z.pid ||
          cache.count(static_cast<pid_t>(z.pid))) {
        root = static_cast<pid_t>(r);
        for (auto& [p, fd] : cache) candidates.emplace(p, UniqueFd(dup(fd.get())));
        break;
      }
    if (root != static_cast<pid_t>(z.pid)) candidates.emplace(root, UniqueFd(pidfd_open(root, 0)));
  }
  // SIGKILL to a cgroup: cgroup.kill, atomic against forks, once the members are pinned
  bool killed_all = false;
  std::set<pid_t> seen{static_cast<pid_t>(z.pid)};
  // a process forking while we signal: look again until no new member shows up
  for (int round = 0; round < 8; ++round) {
    bool added = false;
    for (pid_t p : hooks_.scope_members(root, z.cgroup_id, &z.scope_note))
      if (!candidates.count(p) && !seen.count(p)) candidates.emplace(p, UniqueFd(pidfd_open(p, 0)));
    if (!killed_all && opts_.scope == ZapScope::Cgroup && z.signal == SIGKILL &&
        hooks_.kill_cgroup && !candidates.empty())
      killed_all = hooks_.kill_cgroup(static_cast<pid_t>(z.pid), z.cgroup_id);
    for (auto& [p, fd] : candidates) {
      if (!seen.insert(p).second || !fd) continue;
      if (hooks_.time_exit) hooks_.time_exit(p);
      // (one cgroup.kill killed may be gone already: it was a member all the same)
      if (pidfd_kill(fd.get(), z.signal) != 0 && errno == ESRCH && !killed_all) continue;
      ScopeMember m;
      m.pid = p;
      m.pidfd = std::move(fd);
      member_of_[static_cast<uint32_t>(p)] = z.pid;
      z.members.push_back(std::move(m));
      added = true;
    }
    candidates.clear();
    if (!added) break;
  }
}

void Zapper::start(ZapResult z) {
  ++zaps_;
  widen(z);
  uint32_t tgid = z.pid;
  // a zap made in user space (seccomp) can be read after the exit it caused
  auto early = early_exits_.find(tgid);
  const bool gone = early != early_exits_.end() && early->second.ts_ns >= z.syscall_ts;
  TaskExit t;
  if (gone) t = early->second;
  if (early != early_exits_.end()) early_exits_.erase(early);
  pending_[tgid] = std::move(z);
  if (gone) task_exit(t);
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

// Reported once the process and every member of its scope are gone.
void Zapper::maybe_report(uint32_t tgid) {
  auto it = pending_.find(tgid);
  if (it == pending_.end()) return;
  ZapResult& z = it->second;
  if (!z.exited) return;
  for (const auto& m : z.members)
    if (!m.exited) return;
  uint64_t last = z.exit_ts;
  for (const auto& m : z.members) last = std::max(last, m.exit_ts);
  ++exited_;
  if (z.signalled && z.signal_ts && last >= z.signal_ts) times_.push_back(last - z.signal_ts);
  report(z);
  for (const auto& m : z.members) member_of_.erase(static_cast<uint32_t>(m.pid));
  pending_.erase(it);
}

void Zapper::task_exit(const TaskExit& t) {
  if (!t.group_dead) return;
  if (fds_) fds_->forget(t.tgid);
  if (auto m = member_of_.find(t.tgid); m != member_of_.end()) {
    auto it = pending_.find(m->second);
    if (it != pending_.end())
      for (auto& mem : it->second.members)
        if (static_cast<uint32_t>(mem.pid) == t.tgid && !mem.exited) {
          mem.exited = true;
          mem.exit_ts = t.ts_ns;
        }
    uint32_t owner = m->second;
    if (!pending_.count(t.tgid)) {
      maybe_report(owner);
      return;
    }
  }
  auto it = pending_.find(t.tgid);
  if (it != pending_.end() && !it->second.exited) {
    ZapResult& z = it->second;
    z.exited = true;
    z.exit_ts = t.ts_ns;
    z.status = t.status;
    if (z.comm.empty()) z.comm = t.comm;
    maybe_report(t.tgid);
  } else if (it == pending_.end() && (t.zap_done || opts_.user_zaps)) {
    // its zap record may be on its way (seccomp, from another thread): decided at finish()
    early_exits_[t.tgid] = t;
  } else if (it == pending_.end() && (t.zap_matched > 0 || watched_.count(t.tgid))) {
    report_missed(t.tgid, t.comm, t.zap_matched, t.status, t.ts_ns);
  }
}

void Zapper::reaped(pid_t pid, int status, uint64_t ts_ns) {
  auto it = pending_.find(static_cast<uint32_t>(pid));
  if (it == pending_.end() || it->second.exited) return;
  TaskExit t;
  t.tgid = t.tid = static_cast<uint32_t>(pid);
  t.comm = it->second.comm;
  t.status = status;
  t.ts_ns = ts_ns;  // when sysgate reaped it: later than its exit
  t.group_dead = true;
  t.zap_done = true;
  task_exit(t);
}

int Zapper::tick() {
  uint64_t now = mono_ns();
  if (opts_.scope == ZapScope::Tree && now >= next_tree_scan_) {
    next_tree_scan_ = now + 100'000'000;
    refresh_trees();
  }
  int next = -1;
  auto soon = [&](int ms) { next = next < 0 ? ms : std::min(next, ms); };
  std::vector<uint32_t> check;
  for (auto& [pid, z] : pending_) {
    // scope members the kernel side did not report (gone before it watched them,
    // or a tracer backend): their pidfd says when they are gone
    bool waiting = false;
    for (auto& m : z.members) {
      if (m.exited) continue;
      pollfd p{m.pidfd.get(), POLLIN, 0};
      if (::poll(&p, 1, 0) == 1) {
        m.exited = true;
        m.exit_ts = mono_ns();
      } else {
        waiting = true;
      }
    }
    if (!waiting && z.exited) check.push_back(pid);
    if (waiting) soon(2);
    if (!opts_.kill_after_ns || z.escalated) continue;
    if (z.exited && !waiting) continue;
    uint64_t due = (z.signal_ts ? z.signal_ts : z.syscall_ts) + opts_.kill_after_ns;
    if (now >= due) {
      z.escalated = true;
      z.escalate_ts = mono_ns();
      bool any = false;
      if (opts_.scope == ZapScope::Cgroup && hooks_.kill_cgroup &&
          hooks_.kill_cgroup(static_cast<pid_t>(z.pid), z.cgroup_id))
        any = true;
      if (!z.exited && z.pidfd && pidfd_kill(z.pidfd.get(), SIGKILL) == 0) any = true;
      for (auto& m : z.members)
        if (!m.exited && pidfd_kill(m.pidfd.get(), SIGKILL) == 0) any = true;
      if (any) ++escalated_;  // else: already gone, its exit record is on its way
    } else {
      soon(static_cast<int>((due - now) / 1000000) + 1);
    }
  }
  for (uint32_t pid : check) maybe_report(pid);
  return next;
}

bool Zapper::done() const {
  if (opts_.now) return pending_.empty();
  return opts_.count && zaps_ >= opts_.count && pending_.empty();
}

void Zapper::report(const ZapResult& z) {
  const SyscallInfo* info = z.nr >= 0 ? syscall_by_nr(z.nr) : nullptr;
  std::string name = info ? std::string(info->name) : fmt::format("syscall_{}", z.nr);
  // no signal time (a record that lacks it): count from the call
  const uint64_t sent = z.signal_ts ? z.signal_ts : z.syscall_ts;
  uint64_t last = z.exit_ts;
  for (const auto& m : z.members) last = std::max(last, m.exit_ts);
  const uint64_t tte = z.exit_ts >= sent ? z.exit_ts - sent : 0;
  const uint64_t scope_tte = last >= sent ? last - sent : 0;
  const uint64_t from_call = z.exit_ts >= z.syscall_ts ? z.exit_ts - z.syscall_ts : 0;
  std::string call = z.call.empty() && !z.now ? fmt::format("{}(...)", name) : z.call;
  std::string how;
  if (z.now) {
    how = fmt::format("{} sent by sysgate", sig_name(z.signal));
  } else if (!z.signalled) {
    how = fmt::format("the call did not run; it failed with {}", decode::errno_name(opts_.error));
  } else {
    const char* who = z.via == "ptrace"      ? "sent by sysgate from the tracer"
                      : z.via == "seccomp"   ? "sent by sysgate while seccomp held the call"
                      : z.via == "userspace" ? "sent by sysgate"
                                             : "sent in the kernel";
    const char* when = z.at == SG_ZAP_AT_EXIT  ? " as the call returned"
                       : z.at == SG_ZAP_BEFORE ? ", the call never ran"
                                               : " at the call's entry";
    how = fmt::format("{} {}{}", sig_name(z.signal), who, when);
  }
  std::string text;
  if (z.now)
    text =
        fmt::format("[pid {:>5}] zap {} ({}) now: {}", z.tid, decode::escape(z.comm), z.pid, how);
  else
    text = fmt::format("[pid {:>5}] zap {} ({}) {} #{} {}: {}; {}", z.tid, decode::escape(z.comm),
                       z.pid, name, z.nth, at_text(z), call, how);
  if (z.exited && !z.signalled) {
    text += fmt::format("; exit {} s after the call", seconds(from_call));
    text += fmt::format(", {}", status_text(z.status));
  } else if (z.exited) {
    text += fmt::format("; exit {} s after the signal", seconds(tte));
    if (!z.now) text += fmt::format(" ({} s after the call)", seconds(from_call));
    text += fmt::format(", {}", status_text(z.status));
  }
  if (!z.members.empty())
    text += fmt::format(
        "; {} other process{} of its {} signalled, the last gone {} s after "
        "the signal",
        z.members.size(), z.members.size() == 1 ? "" : "es", scope_name(opts_.scope),
        seconds(scope_tte));
  if (!z.scope_note.empty()) text += fmt::format(" ({})", z.scope_note);
  if (z.escalated) text += ", escalated to SIGKILL";
  if (z.send_ret != 0) text += fmt::format(" (sending failed: {})", strerror(-z.send_ret));
  if (opts_.syslog) syslog(LOG_NOTICE, "%s", text.c_str() + text.find("zap"));
  if (!opts_.json) {
    fmt::print(out_, "{}\n", text);
    return;
  }
  auto& l = json_->begin()
                .field("event", "zap")
                .field("pid", z.pid)
                .field("tid", z.tid)
                .field("comm", z.comm);
  if (z.now) {
    l.field("syscall", nullptr).field("nr", nullptr).field("nth", nullptr).field("call", nullptr);
  } else {
    l.field("syscall", name).field("nr", z.nr).field("nth", z.nth).field("call", call);
  }
  // "key":v when there is one, else "key":null
  auto field_or_null = [&l](std::string_view key, bool have, const auto& v) {
    if (have)
      l.field(key, v);
    else
      l.field(key, nullptr);
  };
  l.field("at", at_name(z));
  field_or_null("ret", z.has_ret, z.ret);
  field_or_null("signal", z.signalled, sig_name(z.signal));
  if (z.at == SG_ZAP_BEFORE && opts_.error)
    l.field("errno", std::string(decode::errno_name(opts_.error)));
  l.field("via", z.via).field("scope", scope_name(opts_.scope));
  l.field("syscall_ts_ns", wall(z.syscall_ts));
  field_or_null("call_exit_ts_ns", z.call_exit_ts != 0, wall(z.call_exit_ts));
  field_or_null("signal_ts_ns", z.signalled, wall(z.signal_ts));
  field_or_null("deliver_ts_ns", z.deliver_ts != 0, wall(z.deliver_ts));
  field_or_null("exit_start_ts_ns", z.exit_start_ts != 0, wall(z.exit_start_ts));
  l.field("exit_ts_ns", wall(z.exit_ts))
      .field("time_to_exit_ns", tte)
      .field("call_to_exit_ns", from_call);
  if (z.call_exit_ts && z.exit_ts >= z.call_exit_ts)
    l.field("return_to_exit_ns", z.exit_ts - z.call_exit_ts);
  if (WIFSIGNALED(z.status))
    l.field("exit_signal", sig_name(WTERMSIG(z.status)));
  else
    l.field("exit_code", WEXITSTATUS(z.status));
  if (opts_.scope != ZapScope::Process) {
    l.field("scope_pids", z.members.size() + 1)
        .field("scope_exit_ts_ns", wall(last))
        .field("time_to_scope_exit_ns", scope_tte);
    if (!z.scope_note.empty()) l.field("scope_note", z.scope_note);
  }
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
  for (const auto& [pid, t] : early_exits_)
    if (!t.zap_done && (t.zap_matched > 0 || watched_.count(pid)))
      report_missed(pid, t.comm, t.zap_matched, t.status, t.ts_ns);
  early_exits_.clear();
  unexited_ = pending_.size();
  for (auto& [pid, z] : pending_) {
    const SyscallInfo* info = z.nr >= 0 ? syscall_by_nr(z.nr) : nullptr;
    std::string call = !z.call.empty() ? z.call
                       : info          ? fmt::format("{}(...)", info->name)
                                       : std::string();
    std::string text = fmt::format("[pid {:>5}] zap {} ({})", z.tid, decode::escape(z.comm), z.pid);
    if (!call.empty())
      text += fmt::format(" {} #{} {}: {}", info ? info->name : "", z.nth, at_text(z), call);
    text += z.exited ? "; the rest of its scope still running when sysgate stopped"
                     : "; still running when sysgate stopped";
    if (!opts_.json) {
      fmt::print(out_, "{}\n", text);
      continue;
    }
    auto& l = json_->begin()
                  .field("event", "zap_unfinished")
                  .field("pid", z.pid)
                  .field("tid", z.tid)
                  .field("comm", z.comm)
                  .field("at", at_name(z));
    if (call.empty())
      l.field("call", nullptr).field("nth", nullptr);
    else
      l.field("call", call).field("nth", z.nth);
    l.field("escalated", z.escalated).write(out_);
  }
  std::sort(times_.begin(), times_.end());
  uint64_t mn = times_.empty() ? 0 : times_.front(), mx = times_.empty() ? 0 : times_.back();
  uint64_t med = percentile(times_, 50), p99 = percentile(times_, 99);
  if (opts_.json) {
    json_->begin()
        .field("event", "zap_summary")
        .field("zaps", zaps_)
        .field("exited", exited_)
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
        zaps_, zaps_ == 1 ? "" : "s", exited_, escalated_, seconds(mn), seconds(med), seconds(p99),
        seconds(mx));
    if (lost || held_back || untracked)
      fmt::print(out_,
                 "sysgate: {} zap records lost, {} zaps held back by --max-rate, {} processes "
                 "not tracked (table full)\n",
                 lost, held_back, untracked);
  }
  return zaps_;
}

}  // namespace sysgate
