// SPDX-License-Identifier: Apache-2.0
// The one interface every kernel side implements (eBPF now; the kernel module
// later): open with a session config, deliver ABI records, report counters.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sysgate/capture.hpp"
#include "sysgate/inject.hpp"

namespace sysgate {

enum class Mode { Trace, Count, Zap };

struct TargetSpec {
  std::vector<pid_t> pids;         // -p: processes (all their threads)
  std::vector<std::string> comms;  // -n: names (<= 15 characters)
  std::string cgroup;              // --cgroup: cgroup v2 directory
  bool all = false;                // -a: everything but sysgate and `exclude`
  bool follow = false;             // -f: children of targets become targets
  std::vector<pid_t> exclude;      // never traced (sysgate's output consumers)
};

struct ArgMatch {
  int index = 0;
  enum class Op { Eq, Bits, Prefix } op = Op::Eq;
  uint64_t value = 0;
  uint64_t mask = ~uint64_t{0};
  std::string prefix;
};

// zap --at entry|exit, --before: where the Nth call is acted on (sg_zap_at)
enum class ZapAt : uint8_t { Entry = 0, Exit = 1, Before = 2 };

struct ZapConfig {
  bool in_kernel = true;  // false: --via-userspace (the kernel only reports)
  ZapAt at = ZapAt::Entry;
  int error = 0;              // --before --errno E: the call fails with E (0: it is killed)
  bool send_signal = true;    // false: --before --errno E without --signal (the call only fails)
  bool user_decides = false;  // seccomp --before, --now: sysgate acts; the kernel side only times
  uint32_t nth = 1;
  int signal = 15;
  bool force = false;  // allow pid 1
  uint32_t max_per_sec = 0;
  uint64_t max_total = 0;  // --count: the kernel stops zapping after this many
  std::vector<ArgMatch> matches;
};

struct SessionConfig {
  Mode mode = Mode::Trace;
  TargetSpec targets;
  std::vector<bool> syscalls;  // indexed by number: selected by -e
  CaptureLimits limits;
  size_t ring_bytes = 16u << 20;
  pid_t launch = 0;  // a launched command, made a target at its execve
  // eBPF attachment: "auto" (per-syscall tracepoints for 32 or fewer syscalls, else
  // raw), "raw" (tp_btf sys_enter/sys_exit: cheapest for the target), "syscall"
  // (syscalls/sys_*_NAME: other syscalls never run BPF, cheapest for bystanders)
  std::string attach = "auto";
  // kernel symbols to probe, "name" or "name+0x10" (kmod backend only)
  std::vector<std::string> probes;
  std::string kmod_path;  // kmod backend: the module to load if /dev/sysgate is absent
  ZapConfig zap;
  // zap -y: calls the kernel side also streams as trace does (those that open and close
  // descriptors), so that the zap report can name the call's descriptors; by number
  std::vector<bool> streamed;
  std::vector<InjectRule> inject;  // -e inject=, -e fault= (ptrace backend only)
};

struct BackendStats {
  uint64_t enter_seen = 0;  // target syscall entries the kernel side saw
  uint64_t enter_drop = 0;  // entry records lost
  uint64_t exit_drop = 0;   // exit records lost
  uint64_t task_drop = 0;   // task-exit records lost
  uint64_t cap_trunc = 0;   // records whose captures were cut short
  uint64_t inflight_full = 0;
  uint64_t zap_drop = 0;  // zap or delivery records lost
  uint64_t zap_rate = 0;  // zaps skipped by --max-rate
  uint64_t zap_procs_full = 0;
  uint64_t signal_drop = 0;  // trace: signal records lost
  uint64_t malformed = 0;    // bytes the backend could not frame into records (counted per read)
  std::string attach;        // how it attached ("raw_syscalls", "3 syscall tracepoints")
};

struct CountRow {
  int nr;
  uint64_t calls, errors, total_ns, max_ns;
  // A call came back after dur_ns (calls are counted at entry: exit_group never returns).
  void returned(uint64_t dur_ns, bool failed) {
    errors += failed ? 1 : 0;
    total_ns += dur_ns;
    max_ns = std::max(max_ns, dur_ns);
  }
};

// Receives every ABI record (schema/sysgate_abi.h), in ring order.
using RecordSink = std::function<void(const void* data, size_t len)>;

class Backend {
 public:
  virtual ~Backend() = default;
  // Loads and attaches; throws Error with one clear line on failure, leaving
  // nothing attached.
  virtual void open(const SessionConfig& cfg, RecordSink sink) = 0;
  // Adds a process to the target set (a launched command, a pid found later).
  virtual void add_target(pid_t tgid) = 0;
  // Delivers pending records to the sink; waits up to timeout_ms for the first.
  // Returns the number of records delivered.
  virtual int poll(int timeout_ms) = 0;
  virtual BackendStats stats() = 0;
  virtual std::vector<CountRow> counts() = 0;
  // Delivers what is still pending once the session ends.
  virtual void drain() {
    while (poll(0) > 0) {
    }
  }
  // Detaches everything. Also done by the destructor.
  virtual void close() = 0;
  // User space zapped tgid itself (seccomp --before, --now): the kernel side times
  // its signal delivery and exit as for its own zaps. May be called from another thread.
  virtual void zap_marked(pid_t tgid) { (void)tgid; }
  // "symbol+0xoff" of a symbol probe's id in SG_EV_PROBE records.
  virtual std::string probe_name(uint32_t id) const { return std::to_string(id); }

  // The seccomp filter a launched command installs just before its execve, so
  // that only the calls the backend needs stop it (ptrace); empty: none.
  virtual std::vector<sock_filter> launch_filter(const SessionConfig&) { return {}; }
  // True when the backend itself waits for the launched command (a tracer
  // reaps its tracees): the session then asks child_status() instead of waitpid.
  virtual bool reaps_children() const { return false; }
  // The wait(2) status of a process the backend reaped, once it has.
  virtual bool child_status(pid_t pid, int* status) {
    (void)pid, (void)status;
    return false;
  }
};

// The backend to use: the one asked for, else ebpf when BPF programs may be
// loaded, else ptrace when the targets allow it (*fallback set: say so once).
std::string choose_backend(const std::string& asked, const SessionConfig& cfg, bool* fallback);

// The factory: "ebpf" (default), "kmod" or "ptrace". Refuses (UsageError) an unknown name
// and options the chosen backend does not take, before anything is loaded.
std::unique_ptr<Backend> make_backend(const std::string& name, const SessionConfig& cfg);

}  // namespace sysgate
