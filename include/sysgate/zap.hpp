// SPDX-License-Identifier: Apache-2.0
// zap: the kernel signals a target on its Nth matching call; user space times
// how long the process takes to exit, escalates to SIGKILL if asked, reports.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sysgate/records.hpp"
#include "sysgate/unique_fd.hpp"

namespace sysgate {

class JsonLine;

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
  bool syslog = false;
  bool via_userspace = false;
  bool via_tracer = false;  // ptrace: sysgate sends it while the caller is stopped at the entry
  int signal = 15;
  uint32_t nth = 1;  // the call number each process is zapped on
  bool json = false;
};

struct ZapResult {
  uint32_t pid = 0;
  std::string comm;
  int nr = -1;
  uint32_t nth = 0;
  int signal = 0;
  int send_ret = 0;
  uint64_t syscall_ts = 0;  // CLOCK_MONOTONIC ns
  uint64_t signal_ts = 0;
  uint64_t deliver_ts = 0;       // 0: not observed
  uint64_t deliver_handler = 0;  // 0 SIG_DFL, 1 SIG_IGN, else a handler
  uint64_t exit_start_ts = 0;    // exit_group called, or a fatal signal taken
  uint64_t exit_ts = 0;          // the last thread of the process exited
  uint64_t escalate_ts = 0;
  int status = 0;  // wait(2) form
  bool exited = false;
  bool escalated = false;
  UniqueFd pidfd;  // pins the process: a recycled pid is never signalled
};

class Zapper final : public RecordConsumer {
 public:
  Zapper(const ZapOptions& opts, FILE* out, int64_t realtime_offset_ns);
  ~Zapper() override;
  Zapper(const Zapper&) = delete;
  Zapper& operator=(const Zapper&) = delete;
  // Processes whose exit without a zap is worth reporting (launched, -p).
  void watch(pid_t pid) { watched_.insert(static_cast<uint32_t>(pid)); }
  void zap(const ZapRecord& r) override;
  void signal_delivered(const SignalDelivery& d) override;
  void exit_started(uint32_t tgid, uint64_t ts_ns) override;
  void task_exit(const TaskExit& t) override;
  // Escalations due by now; returns ms until the next deadline (or -1).
  int tick();
  // --count reached and every zapped process has exited.
  bool done() const;
  // Final line: counts, time-to-exit statistics and what the kernel side lost
  // or held back. Returns the number of zaps.
  uint64_t finish(uint64_t lost = 0, uint64_t held_back = 0, uint64_t untracked = 0);

 private:
  void report(const ZapResult& z);
  void report_missed(uint32_t pid, const std::string& comm, uint32_t matched, int status,
                     uint64_t ts);

  int64_t wall(uint64_t ts) const;

  ZapOptions opts_;
  FILE* out_;
  int64_t offset_;
  std::map<uint32_t, ZapResult> pending_;
  std::vector<uint64_t> times_;
  std::set<uint32_t> watched_;
  std::unique_ptr<JsonLine> json_;  // the JSON form of every line (--format json)
  uint64_t zaps_ = 0, escalated_ = 0, unexited_ = 0;
};

}  // namespace sysgate
