// SPDX-License-Identifier: Apache-2.0
// zap: the kernel signals a target on its Nth matching call; user space times
// how long the process takes to exit, escalates to SIGKILL if asked, reports.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sysgate/records.hpp"
#include "sysgate/unique_fd.hpp"

namespace sysgate {

class JsonLine;
class FdTable;
struct SyscallEvent;

// --scope: who gets the signal (and the escalation), and whose exit ends the timing
enum class ZapScope : uint8_t { Process, Tree, Cgroup };

struct ZapOptions {
  uint64_t kill_after_ns = 0;  // 0: never escalate
  uint64_t count = 1;          // stop after this many zaps (0: no limit, until Ctrl-C)
  ZapScope scope = ZapScope::Process;
  bool now = false;         // --now: signal the running targets at once, no call awaited
  uint8_t at = 0;           // enum sg_zap_at: where the call was acted on
  int error = 0;            // --before --errno E
  std::string via = "bpf";  // "bpf", "kmod", "ptrace", "seccomp" (records may name their own)
  uint8_t decode_fds = 0;   // -y: the call in the report names its descriptors
  bool user_zaps = false;   // zaps come from the seccomp supervisor, possibly after the exit
  bool syslog = false;
  bool via_userspace = false;
  bool via_tracer = false;  // ptrace: sysgate sends it while the caller is stopped at the entry
  int signal = 15;
  uint32_t nth = 1;  // the call number each process is zapped on
  bool json = false;
};

// A process signalled with the zapped one (--scope tree|cgroup).
struct ScopeMember {
  pid_t pid = 0;
  UniqueFd pidfd;
  bool exited = false;
  uint64_t exit_ts = 0;  // CLOCK_MONOTONIC ns: the kernel's record, or when its pidfd said so
};

struct ZapResult {
  uint32_t pid = 0;
  uint32_t tid = 0;        // the thread that made the call
  uint32_t ppid = 0;       // its parent when it made it (--scope tree)
  uint64_t cgroup_id = 0;  // its cgroup v2 id (--scope cgroup)
  std::string comm;
  int nr = -1;  // -1: --now (no call)
  uint32_t nth = 0;
  uint8_t at = 0;  // enum sg_zap_at
  bool now = false;
  int64_t ret = 0;
  bool has_ret = false;  // at exit, or --before --errno
  std::string via;
  std::string call;  // the call as trace prints it ("" until its record came)
  int signal = 0;
  bool signalled = true;  // false: --before --errno without --signal
  int send_ret = 0;
  uint64_t syscall_ts = 0;    // CLOCK_MONOTONIC ns
  uint64_t call_exit_ts = 0;  // at exit: when the call returned
  uint64_t signal_ts = 0;
  uint64_t deliver_ts = 0;       // 0: not observed
  uint64_t deliver_handler = 0;  // 0 SIG_DFL, 1 SIG_IGN, else a handler
  uint64_t exit_start_ts = 0;    // exit_group called, or a fatal signal taken
  uint64_t exit_ts = 0;          // the last thread of the process exited
  uint64_t escalate_ts = 0;
  int status = 0;  // wait(2) form
  bool exited = false;
  bool escalated = false;
  UniqueFd pidfd;                    // pins the process: a recycled pid is never signalled
  std::vector<ScopeMember> members;  // --scope tree|cgroup: the others signalled
  std::string scope_note;            // why the scope was narrowed, if it was
};

// What the zapper needs from the session around it (all optional).
struct ZapHooks {
  // --scope: the other processes to signal with tgid (its descendants, or the rest of its
  // cgroup), never sysgate or its readers; note says why the scope was narrowed.
  // cgroup_id: the caller's cgroup v2 id from the kernel (0: unknown), for a process gone.
  std::function<std::vector<pid_t>(pid_t tgid, uint64_t cgroup_id, std::string* note)>
      scope_members;
  // A process the kernel side should time (its exit, its signal) as a zapped one.
  std::function<void(pid_t)> time_exit;
  // --scope cgroup escalation: kill the whole cgroup of tgid at once (cgroup.kill).
  std::function<bool(pid_t tgid, uint64_t cgroup_id)> kill_cgroup;
  // The parent process of pid (--scope tree walks up to the watched target); -1 if gone.
  std::function<pid_t(pid_t)> parent_of;
};

class Zapper final : public RecordConsumer {
 public:
  Zapper(const ZapOptions& opts, FILE* out, int64_t realtime_offset_ns, ZapHooks hooks = {});
  ~Zapper() override;
  Zapper(const Zapper&) = delete;
  Zapper& operator=(const Zapper&) = delete;
  // Processes whose exit without a zap is worth reporting (launched, -p).
  void watch(pid_t pid);
  void zap(const ZapRecord& r) override;
  // The zapped call's own records (flag SG_XF_ZAPPED) give the report its decoded form.
  void call(const SyscallEvent& ev) override;
  void signal_delivered(const SignalDelivery& d) override;
  void exit_started(uint32_t tgid, uint64_t ts_ns) override;
  void task_exit(const TaskExit& t) override;
  // A launched command was reaped (wait status): its zap ends there if no exit record came.
  void reaped(pid_t pid, int status, uint64_t ts_ns);
  // --now: signal a running process at once; false if it is already gone.
  bool zap_now(pid_t tgid);
  // The decoded form of a call, for a zap whose record carries none (seccomp, held).
  void set_call(uint32_t tid, std::string text) { calls_[tid] = std::move(text); }
  // Escalations due by now, scope members gone; returns ms until the next deadline (or -1).
  int tick();
  // --count reached and every zapped process has exited.
  bool done() const;
  bool pending() const { return !pending_.empty(); }
  // Some process of a pending zap's scope (not the zapped one) has not exited yet.
  bool members_alive() const {
    for (const auto& [pid, z] : pending_)
      for (const auto& m : z.members)
        if (!m.exited) return true;
    return false;
  }
  uint64_t zaps() const { return zaps_; }
  // Final line: counts, time-to-exit statistics and what the kernel side lost
  // or held back. Returns the number of zaps.
  uint64_t finish(uint64_t lost = 0, uint64_t held_back = 0, uint64_t untracked = 0);

 private:
  void start(ZapResult z);
  void widen(ZapResult& z);
  void refresh_trees();
  void maybe_report(uint32_t tgid);
  void report(const ZapResult& z);
  void report_missed(uint32_t pid, const std::string& comm, uint32_t matched, int status,
                     uint64_t ts);

  int64_t wall(uint64_t ts) const;

  ZapOptions opts_;
  FILE* out_;
  int64_t offset_;
  ZapHooks hooks_;
  std::map<uint32_t, ZapResult> pending_;
  std::map<uint32_t, uint32_t> member_of_;    // scope member pid -> the zapped tgid
  std::map<uint32_t, std::string> calls_;     // tid -> the zapped call, decoded
  std::map<uint32_t, TaskExit> early_exits_;  // zapped processes gone before their zap record
  std::map<uint32_t, std::map<pid_t, UniqueFd>> trees_;  // --scope tree: watched root -> its tree
  uint64_t next_tree_scan_ = 0;
  std::unique_ptr<FdTable> fds_;  // -y
  std::vector<uint64_t> times_;
  std::set<uint32_t> watched_;
  std::unique_ptr<JsonLine> json_;  // the JSON form of every line (--format json)
  uint64_t zaps_ = 0, escalated_ = 0, unexited_ = 0, exited_ = 0;
};

}  // namespace sysgate
