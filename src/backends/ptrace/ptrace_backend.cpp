// SPDX-License-Identifier: Apache-2.0
// The ptrace backend: sysgate as the tracer of its targets, as strace is. It
// needs no privileges beyond those ptrace(2) checks, and produces the same ABI
// records as the kernel sides (schema/sysgate_abi.h), captures included, with
// the capture walker the kernel module uses (schema/sysgate_capture.h).
//
// Stops: PTRACE_SEIZE with TRACESYSGOOD and fork/vfork/clone/exec events;
// PTRACE_GET_SYSCALL_INFO at syscall and seccomp stops; memory read with
// process_vm_readv. A launched command may install a seccomp filter before its
// execve (launch_filter) so that only the selected calls stop it: it is then
// resumed with PTRACE_CONT after each call and stops only at SECCOMP_RET_TRACE.
//
// Tampering (-e inject=, -e fault=, zap --at exit and --before), as strace does it:
// a call that must not run gets syscall number -1 at its entry stop (the kernel
// skips it), and its result is written into rax at its exit stop. Delays hold a
// tracee stopped until a deadline kept in holds_, which poll() serves between
// stops, so other tracees are handled meanwhile.
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/seccomp_filter.hpp"
#include "runtime/user_capture.hpp"
#include "sysgate/backend.hpp"
#include "sysgate/capture.hpp"
#include "sysgate/clock.hpp"
#include "sysgate/error.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace sysgate {
namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream f(path);
  std::string line;
  std::getline(f, line);
  return line;
}

// "Name:\tvalue" of /proc/PID/status
std::string status_field(pid_t pid, const char* name) {
  std::ifstream f(fmt::format("/proc/{}/status", pid));
  std::string line;
  size_t n = strlen(name);
  while (std::getline(f, line))
    if (line.compare(0, n, name) == 0 && line.size() > n && line[n] == ':') {
      size_t i = n + 1;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
      return line.substr(i);
    }
  return {};
}

pid_t tgid_of(pid_t tid) {
  std::string t = status_field(tid, "Tgid");
  return t.empty() ? -1 : static_cast<pid_t>(std::stol(t));
}

std::vector<pid_t> threads_of(pid_t tgid) {
  std::vector<pid_t> out;
  std::string dir = fmt::format("/proc/{}/task", tgid);
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] >= '0' && e->d_name[0] <= '9') out.push_back(atoi(e->d_name));
    closedir(d);
  }
  return out;
}

// Why PTRACE_SEIZE was refused, in one line.
std::string eperm_cause(pid_t pid) {
  std::string tracer = status_field(pid, "TracerPid");
  if (!tracer.empty() && tracer != "0") {
    pid_t t = static_cast<pid_t>(std::stol(tracer));
    return fmt::format(
        "it is already traced by process {} ({}): a process has one tracer at a time", t,
        read_first_line(fmt::format("/proc/{}/comm", t)));
  }
  std::string uid = status_field(pid, "Uid");
  unsigned r = 0, e = 0, s = 0;
  if (sscanf(uid.c_str(), "%u %u %u", &r, &e, &s) == 3 && geteuid() != 0 &&
      (r != geteuid() || e != geteuid() || s != geteuid()))
    return fmt::format(
        "it runs as another user (uid {}) or changed its ids (a setuid program): only root (or "
        "CAP_SYS_PTRACE) may trace it",
        e);
  std::string scope = read_first_line("/proc/sys/kernel/yama/ptrace_scope");
  if (scope == "1" && geteuid() != 0)
    return "Yama's ptrace_scope is 1: only a process's ancestors may trace it; launch it with "
           "sysgate (-- COMMAND), run as root, or set /proc/sys/kernel/yama/ptrace_scope to 0";
  if (scope == "2") return "Yama's ptrace_scope is 2: only root (CAP_SYS_PTRACE) may attach";
  if (scope == "3") return "Yama's ptrace_scope is 3: attaching is disabled until the next reboot";
  if (status_field(pid, "State").rfind("Z", 0) == 0) return "it is a zombie";
  return "the kernel refused (it may be undumpable, e.g. a setuid program, or protected by an LSM)";
}

struct Tracee {
  pid_t tid = 0, tgid = 0;
  bool seen = false;      // its first stop came
  bool armed = true;      // false for a launched command until its execve
  bool seccomp = false;   // stops come from the seccomp filter
  bool in_call = false;   // between an entry and its exit
  bool recorded = false;  // this call's entry was recorded (its exit will be)
  bool parked = false;    // stopped, waiting for its parent's fork event
  int nr = -1;
  __u64 args[SG_NARGS] = {};
  uint64_t enter_ts = 0;
  uint8_t retry = 0;
  char comm[SG_COMM_LEN] = {};
  // -e inject=: strace's countdown per syscall of this thread (first, last)
  std::unordered_map<int, std::pair<uint32_t, uint32_t>> inject_count;
  // this call: set at its entry stop, used at its exit stop
  bool tampered = false;  // it does not run: its result is tamper_ret
  int64_t tamper_ret = 0;
  int exit_signal = 0;         // -e inject=...:signal=: sent when the call returns
  uint64_t delay_exit_ns = 0;  // -e inject=...:delay_exit=
  bool zap_exit = false;       // zap --at exit / --before: acted on at the exit stop
  uint32_t zap_nth = 0;
  // held by a delay (holds_): resumed with held_sig when it is due
  bool held = false;
  int held_sig = 0;
};

struct Proc {
  int threads = 0;
  uint32_t matched = 0;  // zap: matching calls
  bool zapped = false;
};

class PtraceBackend final : public Backend {
 public:
  ~PtraceBackend() override { close(); }

  static void validate(const SessionConfig& cfg) {
    const TargetSpec& t = cfg.targets;
    if (t.all || !t.comms.empty() || !t.cgroup.empty())
      throw UsageError(fmt::format(
          "{} needs the ebpf or kmod backend: the ptrace backend traces a launched command or -p "
          "PID only",
          t.all              ? "-a"
          : !t.comms.empty() ? "-n"
                             : "--cgroup"));
    if (cfg.attach != "auto")
      throw UsageError(
          "--attach is for --backend ebpf; the ptrace backend attaches with ptrace(2)");
    if (!cfg.probes.empty())
      throw UsageError(
          "--probe needs --backend kmod (kernel symbols cannot be probed with ptrace)");
    if (!cfg.kmod_path.empty())
      throw UsageError("--kmod-path is for --backend kmod; the ptrace backend loads no module");
  }

  std::vector<sock_filter> launch_filter(const SessionConfig& cfg) override {
    std::vector<bool> want(SG_MAX_SYSCALLS, false);
    size_t n = 0, all = 0;
    auto in = [](const std::vector<bool>& set, int nr) {
      return static_cast<size_t>(nr) < set.size() && set[nr];
    };
    for (const auto& s : syscall_table()) {
      if (s.nr < 0 || s.nr >= SG_MAX_SYSCALLS) continue;
      ++all;
      // the calls shown, and the calls injected into (shown or not)
      bool w = in(cfg.syscalls, s.nr) || (cfg.mode == Mode::Zap && in(cfg.streamed, s.nr));
      for (const auto& r : cfg.inject) w = w || in(r.syscalls, s.nr);
      if (w) {
        want[s.nr] = true;
        ++n;
      }
    }
    if (n >= all) return {};  // every call stops anyway: PTRACE_SYSCALL is as cheap
    // always: execve and execveat (the launched command is traced from its exec);
    // zap: exit_group (when a zapped process starts to exit)
    for (int nr : {SG_NR_execve, SG_NR_execveat}) want[nr] = true;
    if (cfg.mode == Mode::Zap) want[SG_NR_exit_group] = true;
    seccomp_ = true;
    filter_calls_ = n;
    // other ABIs (i386, x32): every call stops
    return seccomp_filter(want, SECCOMP_RET_TRACE, SECCOMP_RET_TRACE);
  }

  bool reaps_children() const override { return true; }
  bool child_status(pid_t pid, int* status) override {
    auto it = reaped_.find(pid);
    if (it == reaped_.end()) return false;
    *status = it->second;
    return true;
  }

  void open(const SessionConfig& cfg, RecordSink sink) override {
    validate(cfg);
    cfg_ = cfg;
    sink_ = std::move(sink);
    specs_.assign(SG_MAX_SYSCALLS, sg_sys_spec{});
    for (const auto& info : syscall_table())
      if (info.nr >= 0 && info.nr < SG_MAX_SYSCALLS)
        specs_[info.nr] = capture_spec(info, cfg.limits);
    cfg_.syscalls.resize(SG_MAX_SYSCALLS, false);
    // as strace: the last rule that names a syscall is the one for it
    rule_of_.assign(SG_MAX_SYSCALLS, -1);
    if (cfg.mode != Mode::Zap)
      for (size_t i = 0; i < cfg_.inject.size(); ++i)
        for (int nr = 0; nr < SG_MAX_SYSCALLS; ++nr)
          if (static_cast<size_t>(nr) < cfg_.inject[i].syscalls.size() &&
              cfg_.inject[i].syscalls[nr])
            rule_of_[nr] = static_cast<int>(i);
    buf_.resize(SG_EVENT_MAX);
    // stops are waited for with sigtimedwait: SIGCHLD is blocked while we trace
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old_mask_);
    mask_saved_ = true;
    open_ = true;
    if (cfg.launch > 0) {
      launched_ = cfg.launch;
      seize(cfg.launch, cfg.launch, true);
      tracees_[cfg.launch].armed = false;
      tracees_[cfg.launch].seccomp = seccomp_;
    }
    attach_ = seccomp_ ? fmt::format("ptrace, seccomp filter ({} syscall{})", filter_calls_,
                                     filter_calls_ == 1 ? "" : "s")
                       : "ptrace";
  }

  void add_target(pid_t tgid) override {
    // every thread, and the ones started while we attach (seized creators report them)
    std::vector<pid_t> done;
    for (int round = 0; round < 100; ++round) {
      bool added = false;
      for (pid_t tid : threads_of(tgid)) {
        if (std::find(done.begin(), done.end(), tid) != done.end()) continue;
        done.push_back(tid);
        if (tracees_.count(tid)) continue;
        if (!seize(tid, tgid, false)) continue;
        added = true;
      }
      if (!added) break;
    }
    if (done.empty() || !procs_.count(tgid))
      throw Error(fmt::format("-p {}: the process ended before it could be attached", tgid));
  }

  // Handles stops until timeout_ms (at most 20 ms: the output must flow) has
  // passed, sleeping in sigtimedwait for SIGCHLD (blocked while tracing) in
  // between: per stop, one waitpid that finds it, one that finds nothing more,
  // and the wait, so the tracee waits for as few tracer calls as possible.
  int poll(int timeout_ms) override {
    int n = 0;
    const int64_t until = mono_ns() + std::clamp(timeout_ms, 0, 20) * int64_t{1000000};
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
      int status = 0;
      pid_t pid;
      release_due();
      while ((pid = waitpid(-1, &status, __WALL | WNOHANG)) > 0) n += handle(pid, status);
      const int64_t now = mono_ns();
      int64_t left = until - now;
      if (left <= 0) break;
      if (!holds_.empty()) {
        left = std::min(left, holds_.begin()->first - now);
        if (left <= 0) continue;  // a held tracee is due: resume it first
      }
      timespec ts{static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
      if (pid < 0 && errno == ECHILD) {  // no tracee (yet)
        nanosleep(&ts, nullptr);
        break;
      }
      if (sigtimedwait(&chld, nullptr, &ts) < 0) break;  // timed out, or a signal for the session
    }
    return n;
  }

  // Every stop reported so far was handled by poll(); one pending now is
  // handled at close() (a tracee that keeps running would make a drain endless).
  void drain() override {}

  BackendStats stats() override {
    BackendStats s;
    s.enter_seen = seen_;
    s.cap_trunc = trunc_;
    s.attach = attach_;
    return s;
  }

  std::vector<CountRow> counts() override {
    std::vector<CountRow> out;
    for (const auto& [nr, c] : counts_) {
      out.push_back(c);
      out.back().nr = nr;
    }
    std::sort(out.begin(), out.end(),
              [](const CountRow& a, const CountRow& b) { return a.nr < b.nr; });
    return out;
  }

  void close() override {
    if (!open_) return;
    open_ = false;
    // Detach from every tracee: a running one is interrupted first (detaching
    // needs a stop); a signal it was about to take is handed back.
    holds_.clear();
    for (auto it = tracees_.begin(); it != tracees_.end();) {
      // stopped and never resumed (a new child, or held by a delay): no stop will come
      if (it->second.parked || (it->second.held && !it->second.seccomp)) {
        ptrace(PTRACE_DETACH, it->first, 0, 0);
        it = tracees_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [tid, t] : tracees_) {
      if (t.seccomp && tid_alive(tid)) {
        // its filter would fail every selected call (ENOSYS) without a tracer
        kill(tid, SIGKILL);
        continue;
      }
      ptrace(PTRACE_INTERRUPT, tid, 0, 0);
    }
    const int64_t deadline = mono_ns() + 2'000'000'000;
    while (!tracees_.empty() && mono_ns() < deadline) {
      int status = 0;
      pid_t pid = waitpid(-1, &status, __WALL | WNOHANG);
      if (pid == 0) {
        usleep(1000);
        continue;
      }
      if (pid < 0) {
        if (errno == EINTR) continue;
        break;
      }
      auto it = tracees_.find(pid);
      if (WIFEXITED(status) || WIFSIGNALED(status)) {
        if (pid == launched_) reaped_[pid] = status;
        if (it != tracees_.end()) tracees_.erase(it);
        continue;
      }
      if (it == tracees_.end()) {
        ptrace(PTRACE_DETACH, pid, 0, 0);
        continue;
      }
      int sig = WSTOPSIG(status);
      int event = status >> 16;
      int give = 0;
      if (!event && sig != (SIGTRAP | 0x80)) give = sig;  // a signal-delivery stop
      if (event == PTRACE_EVENT_STOP && it->second.seccomp) give = 0;
      if (ptrace(PTRACE_DETACH, pid, 0, give) == 0 || errno == ESRCH) tracees_.erase(it);
    }
    tracees_.clear();
    if (mask_saved_) sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
    mask_saved_ = false;
  }

 private:
  static bool tid_alive(pid_t tid) {
    return access(fmt::format("/proc/{}", tid).c_str(), F_OK) == 0;
  }

  bool seize(pid_t tid, pid_t tgid, bool launched) {
    long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_TRACECLONE;
    if (cfg_.targets.follow || launched) opts |= PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
    if (seccomp_) opts |= PTRACE_O_TRACESECCOMP;
    if (launched) opts |= PTRACE_O_EXITKILL;
    if (ptrace(PTRACE_SEIZE, tid, 0, opts) != 0) {
      int e = errno;
      if (e == ESRCH) return false;
      if (e == EPERM)
        throw Error(fmt::format("cannot trace {} {}: {}", launched ? "the command, pid" : "pid",
                                tid, eperm_cause(tid)));
      throw Error(fmt::format("ptrace(PTRACE_SEIZE, {}): {}", tid, strerror(e)));
    }
    ptrace(PTRACE_INTERRUPT, tid, 0, 0);
    Tracee& t = tracees_[tid];
    t.tid = tid;
    t.tgid = tgid;
    read_comm(t);
    procs_[tgid].threads++;
    return true;
  }

  void read_comm(Tracee& t) {
    std::string c = read_first_line(fmt::format("/proc/{}/comm", t.tid));
    memset(t.comm, 0, sizeof t.comm);
    memcpy(t.comm, c.data(), std::min(c.size(), sizeof t.comm - 1));
  }

  void resume(const Tracee& t, int sig) {
    long req = t.seccomp && !t.in_call && t.armed ? PTRACE_CONT : PTRACE_SYSCALL;
    if (t.seccomp && !t.armed) req = PTRACE_CONT;  // the filter is not in place yet
    ptrace(static_cast<__ptrace_request>(req), t.tid, 0, sig);
  }

  void fill_hdr(sg_hdr* h, uint16_t type, uint32_t size, int nr, uint64_t ts, const Tracee& t) {
    h->type = type;
    h->size = static_cast<uint16_t>(size);
    h->tgid = static_cast<uint32_t>(t.tgid);
    h->tid = static_cast<uint32_t>(t.tid);
    h->nr = nr;
    h->ts_ns = ts;
    memcpy(h->comm, t.comm, SG_COMM_LEN);
  }

  // One stop or exit reported by waitpid. Returns the records delivered.
  int handle(pid_t pid, int status) {
    auto it = tracees_.find(pid);
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      if (pid == launched_) reaped_[pid] = status;
      if (it == tracees_.end()) return 0;
      int n = task_exit(it->second, status);
      tracees_.erase(it);
      return n;
    }
    if (!WIFSTOPPED(status)) return 0;
    if (it == tracees_.end()) {
      // a new child whose stop came before its parent's fork event
      Tracee& t = tracees_[pid];
      t.tid = pid;
      t.tgid = tgid_of(pid);
      t.parked = true;
      t.seen = true;
      read_comm(t);
      procs_[t.tgid].threads++;
      return 0;
    }
    Tracee& t = it->second;
    const int sig = WSTOPSIG(status);
    const int event = status >> 16;
    t.seen = true;
    auto d = std::find(detach_at_stop_.begin(), detach_at_stop_.end(), pid);
    if (d != detach_at_stop_.end()) {  // a child that is not followed (no -f)
      detach_at_stop_.erase(d);
      ptrace(PTRACE_DETACH, pid, 0, event || sig == (SIGTRAP | 0x80) ? 0 : sig);
      forget(pid);
      return 0;
    }
    if (sig == (SIGTRAP | 0x80)) return syscall_stop(t);
    switch (event) {
      case PTRACE_EVENT_SECCOMP:
        return syscall_stop(t);
      case PTRACE_EVENT_FORK:
      case PTRACE_EVENT_VFORK:
      case PTRACE_EVENT_CLONE:
        new_child(t, event);
        resume(t, 0);
        return 0;
      case PTRACE_EVENT_EXEC: {
        // a thread that execs takes the process id: its state moves there
        unsigned long old = 0;
        ptrace(PTRACE_GETEVENTMSG, pid, 0, &old);
        auto o = tracees_.find(static_cast<pid_t>(old));
        if (static_cast<pid_t>(old) != pid && o != tracees_.end()) {
          Tracee moved = o->second;
          tracees_.erase(o);
          moved.tid = pid;
          tracees_[pid] = moved;
          procs_[moved.tgid].threads--;
        }
        Tracee& n = tracees_[pid];
        n.armed = true;
        if (n.tgid == launched_) launched_exec_ = true;
        read_comm(n);
        resume(n, 0);
        return 0;
      }
      case PTRACE_EVENT_STOP:
        if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
          // group-stop: stay stopped as the process asked, reporting later events
          ptrace(PTRACE_LISTEN, t.tid, 0, 0);
          return 0;
        }
        if (t.parked) return 0;  // released by its parent's fork event
        resume(t, 0);
        return 0;
      default:
        break;
    }
    if (event) {
      resume(t, 0);
      return 0;
    }
    // a signal-delivery stop: report it, then let the tracee take it
    int n = signal_stop(t, sig);
    resume(t, sig);
    return n;
  }

  void new_child(Tracee& parent, int event) {
    unsigned long msg = 0;
    if (ptrace(PTRACE_GETEVENTMSG, parent.tid, 0, &msg) != 0 || msg == 0) return;
    pid_t child = static_cast<pid_t>(msg);
    auto it = tracees_.find(child);
    bool stopped = it != tracees_.end() && it->second.parked;
    Tracee& c = tracees_[child];
    if (it == tracees_.end()) {
      c.tid = child;
      c.tgid = tgid_of(child);
      if (c.tgid <= 0) c.tgid = event == PTRACE_EVENT_CLONE ? parent.tgid : child;
      procs_[c.tgid].threads++;
    }
    c.parked = false;
    c.armed = parent.armed;
    c.seccomp = parent.seccomp;
    memcpy(c.comm, parent.comm, sizeof c.comm);
    const bool thread = c.tgid == parent.tgid;
    if (!thread && !cfg_.targets.follow) {
      // not followed (no -f): let it go; it is detached at its first stop
      c.parked = true;
      if (stopped) {
        ptrace(PTRACE_DETACH, child, 0, 0);
        forget(child);
      } else {
        detach_at_stop_.push_back(child);
      }
      return;
    }
    if (stopped) resume(c, 0);
  }

  void forget(pid_t tid) {
    auto it = tracees_.find(tid);
    if (it == tracees_.end()) return;
    if (--procs_[it->second.tgid].threads <= 0) procs_.erase(it->second.tgid);
    tracees_.erase(it);
  }

  int syscall_stop(Tracee& t) {
    __ptrace_syscall_info info{};
    long got = ptrace(PTRACE_GET_SYSCALL_INFO, t.tid, sizeof info, &info);
    const uint64_t now = static_cast<uint64_t>(mono_ns());
    int n = 0;
    if (got <= 0) {
      resume(t, 0);
      return 0;
    }
    if (info.op == PTRACE_SYSCALL_INFO_ENTRY || info.op == PTRACE_SYSCALL_INFO_SECCOMP) {
      const uint64_t* e =
          info.op == PTRACE_SYSCALL_INFO_ENTRY ? info.entry.args : info.seccomp.args;
      const int nr =
          static_cast<int>(info.op == PTRACE_SYSCALL_INFO_ENTRY ? info.entry.nr : info.seccomp.nr);
      t.in_call = true;
      t.recorded = false;
      t.nr = nr;
      memcpy(t.args, e, sizeof t.args);
      t.enter_ts = now;
      t.retry = 0;
      t.tampered = false;
      t.exit_signal = 0;
      t.delay_exit_ns = 0;
      t.zap_exit = false;
      if (info.arch != AUDIT_ARCH_X86_64) nr_ok_ = false;
      if (!t.armed && launched_ && t.tgid == launched_ &&
          (nr == SG_NR_execve || nr == SG_NR_execveat))
        t.armed = true;
      if (t.armed && info.arch == AUDIT_ARCH_X86_64 && nr >= 0 && nr < SG_MAX_SYSCALLS) {
        const InjectRule* rule = inject_due(t, nr);
        if (rule) {
          if (rule->tampers())
            tamper(t, rule->has_retval ? rule->retval : -static_cast<int64_t>(rule->error));
          t.exit_signal = rule->signal;
          t.delay_exit_ns = rule->delay_exit_ns;
        }
        if (cfg_.syscalls[nr] || streamed(nr)) n = entry(t);
        if (rule && rule->delay_enter_ns) {
          hold(t, rule->delay_enter_ns, 0);
          return n;
        }
      }
    } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
      int64_t ret = info.exit.rval;
      int sig = 0;
      uint64_t delay = 0;
      if (t.in_call) {
        const bool injected = t.tampered && ptrace(PTRACE_POKEUSER, t.tid, offsetof(user, regs.rax),
                                                   static_cast<long>(t.tamper_ret)) == 0;
        if (injected) ret = t.tamper_ret;
        if (t.zap_exit)
          n = zap_exit(t, ret, now);
        else if (t.recorded)
          n = exit_stop(t, ret, now, injected ? SG_XF_INJECTED : 0);
        sig = t.exit_signal;
        delay = t.delay_exit_ns;
      }
      // the launched command's exec failed: what its launcher does next is not the command
      if (t.tid == launched_ && !launched_exec_ && ret < 0 &&
          (t.nr == SG_NR_execve || t.nr == SG_NR_execveat))
        t.armed = false;
      t.in_call = false;
      t.recorded = false;
      t.tampered = false;
      t.exit_signal = 0;
      t.delay_exit_ns = 0;
      if (t.nr == nr_prctl_ && t.args[0] == kPrSetName) read_comm(t);
      if (delay) {
        hold(t, delay, sig);
        return n;
      }
      resume(t, sig);
      return n;
    } else {
      t.in_call = false;
    }
    resume(t, 0);
    return n;
  }

  // -e inject=: the rule for this call when its number in this thread is due (strace's
  // countdown: FIRST counts down to the first injection, then restarts from STEP; LAST
  // counts down to the end), else null.
  const InjectRule* inject_due(Tracee& t, int nr) {
    if (rule_of_.empty() || rule_of_[nr] < 0) return nullptr;
    const InjectRule& r = cfg_.inject[static_cast<size_t>(rule_of_[nr])];
    constexpr uint32_t kNoEnd = UINT32_MAX;
    auto& [first, last] =
        t.inject_count.try_emplace(nr, r.first, r.last ? r.last : kNoEnd).first->second;
    if (first == 0 || last == 0) return nullptr;
    --first;
    if (last != kNoEnd) --last;
    if (first != 0) return nullptr;
    first = r.step;
    return &r;
  }

  // At the entry stop: the call does not run (number -1); its exit stop gets ret.
  void tamper(Tracee& t, int64_t ret) {
    if (ptrace(PTRACE_POKEUSER, t.tid, offsetof(user, regs.orig_rax), -1L) != 0) return;
    t.tampered = true;
    t.tamper_ret = ret;
  }

  // Keeps a stopped tracee stopped for ns, then resumes it with sig (poll: release_due).
  void hold(Tracee& t, uint64_t ns, int sig) {
    t.held = true;
    t.held_sig = sig;
    holds_.emplace(mono_ns() + static_cast<int64_t>(std::min<uint64_t>(ns, INT64_MAX / 4)), t.tid);
  }

  void release_due() {
    if (holds_.empty()) return;
    const int64_t now = mono_ns();
    while (!holds_.empty() && holds_.begin()->first <= now) {
      pid_t tid = holds_.begin()->second;
      holds_.erase(holds_.begin());
      auto it = tracees_.find(tid);
      if (it == tracees_.end() || !it->second.held) continue;  // it died meanwhile
      it->second.held = false;
      resume(it->second, it->second.held_sig);
    }
  }

  static constexpr uint64_t kPrSetName = 15;

  // zap -y: the calls reported for the fd table
  bool streamed(int nr) const {
    return cfg_.mode == Mode::Zap && nr >= 0 && static_cast<size_t>(nr) < cfg_.streamed.size() &&
           cfg_.streamed[nr];
  }

  int entry(Tracee& t) {
    const int nr = t.nr;
    Proc& p = procs_[t.tgid];
    if (cfg_.mode == Mode::Count) {
      counts_[nr].calls++;  // at entry, as the kernel sides count: exit_group never returns
      t.recorded = true;
      return 0;
    }
    if (cfg_.mode == Mode::Zap) {
      if (p.zapped && nr == SG_NR_exit_group) {
        sg_hdr h{};
        fill_hdr(&h, SG_EV_EXIT_START, sizeof h, nr, t.enter_ts, t);
        sink_(&h, sizeof h);
        return 1;
      }
      // zap -y: a call that opens or closes descriptors is reported for the fd table
      int z = cfg_.syscalls[nr] ? zap(t, p) : 0;
      if (!z && streamed(nr)) {
        write_enter(t, 0);
        t.recorded = !(specs_[nr].flags & SG_SYS_NORETURN);
        return 1;
      }
      return z;
    }
    ++seen_;
    // an injected exit_group returns: its entry says so (the reader waits for its exit)
    write_enter(t, t.tampered ? SG_XF_INJECTED : 0);
    t.recorded = !(specs_[nr].flags & SG_SYS_NORETURN) || t.tampered;
    return 1;
  }

  // The call's SG_EV_ENTER record, input memory captured now (at its entry stop).
  void write_enter(Tracee& t, uint16_t flags) {
    const int nr = t.nr;
    sg_enter* e = reinterpret_cast<sg_enter*>(buf_.data());
    memset(e, 0, sizeof *e);
    sg_cap_ctx c{};
    c.buf = buf_.data();
    c.off = sizeof *e;
    c.args = t.args;
    c.who = reinterpret_cast<void*>(static_cast<intptr_t>(t.tid));
    memcpy(e->args, t.args, sizeof e->args);
    if (specs_[nr].flags & SG_SYS_CAPTURE) sg_capture(&specs_[nr], &c);
    trunc_ += c.trunc ? 1 : 0;
    t.retry = c.retry;
    e->ncap = c.ncap;
    e->flags = flags;
    fill_hdr(&e->hdr, SG_EV_ENTER, c.off, nr, t.enter_ts, t);
    sink_(buf_.data(), c.off);
  }

  int exit_stop(Tracee& t, int64_t ret, uint64_t now, uint16_t flags) {
    const int nr = t.nr;
    if (cfg_.mode == Mode::Count) {
      counts_[nr].returned(now - t.enter_ts, ret < 0 && ret >= -4095);
      return 0;
    }
    if (cfg_.mode != Mode::Trace && !(cfg_.mode == Mode::Zap && streamed(nr))) return 0;
    write_exit(t, ret, now, flags);
    return 1;
  }

  // The call's SG_EV_EXIT record, output memory captured now (at its exit stop).
  void write_exit(Tracee& t, int64_t ret, uint64_t now, uint16_t flags) {
    const int nr = t.nr;
    sg_exit* e = reinterpret_cast<sg_exit*>(buf_.data());
    memset(e, 0, sizeof *e);
    sg_cap_ctx c{};
    c.buf = buf_.data();
    c.off = sizeof *e;
    c.args = t.args;
    c.at_exit = 1;
    c.retry = t.retry;
    c.ret = ret;
    c.who = reinterpret_cast<void*>(static_cast<intptr_t>(t.tid));
    if ((specs_[nr].flags & SG_SYS_EXIT_CAP) || t.retry) sg_capture(&specs_[nr], &c);
    trunc_ += c.trunc ? 1 : 0;
    e->ret = ret;
    e->enter_ts_ns = t.enter_ts;
    e->ncap = c.ncap;
    e->flags = flags;
    fill_hdr(&e->hdr, SG_EV_EXIT, c.off, nr, now, t);
    sink_(buf_.data(), c.off);
  }

  bool args_match(const Tracee& t) {
    for (const auto& m : cfg_.zap.matches) {
      uint64_t v = t.args[m.index % SG_NARGS];
      if (m.op == ArgMatch::Op::Prefix) {
        char s[SG_PREFIX_BUF] = {};
        long n = v ? sg_read_str(reinterpret_cast<void*>(static_cast<intptr_t>(t.tid)), s, v,
                                 SG_PREFIX_MAX)
                   : -1;
        if (!sg_match_prefix(s, n, m.prefix.c_str(), static_cast<uint32_t>(m.prefix.size())))
          return false;
        continue;
      }
      if (!sg_match_value(m.op == ArgMatch::Op::Eq ? SG_MATCH_EQ : SG_MATCH_BITS, v, m.value,
                          m.mask))
        return false;
    }
    return true;
  }

  // zap: the tracee is stopped at the entry of a matching call; the signal is
  // sent before it goes on, so nothing it does after this call is unsignalled.
  int zap(Tracee& t, Proc& p) {
    if ((t.tgid == 1 && !cfg_.zap.force) || !args_match(t)) return 0;
    ++p.matched;
    if (p.matched < cfg_.zap.nth || p.zapped) return 0;
    if (cfg_.zap.max_total && zaps_ >= cfg_.zap.max_total) return 0;
    const uint64_t now = static_cast<uint64_t>(mono_ns());
    if (cfg_.zap.max_per_sec) {
      if (now - rate_start_ >= 1'000'000'000) {
        rate_start_ = now;
        rate_n_ = 0;
      }
      if (rate_n_ >= cfg_.zap.max_per_sec) return 0;
      ++rate_n_;
    }
    p.zapped = true;
    ++zaps_;
    write_enter(t, SG_XF_ZAPPED);  // the call as trace shows it, for the report
    const ZapAt at = cfg_.zap.at;
    if (at == ZapAt::Exit ||
        (at == ZapAt::Before && (cfg_.zap.error || cfg_.zap.signal != SIGKILL))) {
      // acted on at the exit stop; --before: the call does not run, it fails instead
      t.zap_exit = true;
      t.zap_nth = p.matched;
      if (at == ZapAt::Before)
        tamper(t, -static_cast<int64_t>(cfg_.zap.error ? cfg_.zap.error : EINTR));
      return 1;
    }
    // --at entry; --before with SIGKILL: a SIGKILL pending as it leaves the entry stop
    // keeps the call from running
    sg_zap z{};
    if (cfg_.zap.in_kernel) {
      z.send_ret = kill(t.tgid, cfg_.zap.signal) == 0 ? 0 : -errno;
      z.signal_ts_ns = static_cast<uint64_t>(mono_ns());
    }
    fill_hdr(&z.hdr, SG_EV_ZAP, sizeof z, t.nr, t.enter_ts, t);
    memcpy(z.args, t.args, sizeof z.args);
    z.signal = cfg_.zap.signal;
    z.nth = p.matched;
    z.at = at == ZapAt::Before ? SG_ZAP_BEFORE : SG_ZAP_AT_ENTRY;
    sink_(&z, sizeof z);
    return 2;
  }

  // zap --at exit, --before (not SIGKILL alone): the tracee is stopped at the exit of
  // the Nth call, its result (ret) in place; the signal is sent before it goes on, so
  // it takes it before its next instruction. --before --errno E without --signal sends
  // none (signal 0 in the record).
  int zap_exit(Tracee& t, int64_t ret, uint64_t now) {
    t.zap_exit = false;
    const bool before = cfg_.zap.at == ZapAt::Before;
    write_exit(t, ret, now, static_cast<uint16_t>(SG_XF_ZAPPED | (before ? SG_XF_INJECTED : 0)));
    sg_zap z{};
    if (!before || cfg_.zap.send_signal) {
      z.signal = cfg_.zap.signal;
      z.send_ret = kill(t.tgid, cfg_.zap.signal) == 0 ? 0 : -errno;
      z.signal_ts_ns = static_cast<uint64_t>(mono_ns());
    }
    fill_hdr(&z.hdr, SG_EV_ZAP, sizeof z, t.nr, t.enter_ts, t);
    memcpy(z.args, t.args, sizeof z.args);
    z.nth = t.zap_nth;
    z.at = before ? SG_ZAP_BEFORE : SG_ZAP_AT_EXIT;
    z.ret = ret;
    z.exit_ts_ns = now;
    sink_(&z, sizeof z);
    return 2;
  }

  // 0 SIG_DFL, 1 SIG_IGN, 2 a handler (ptrace does not show its address)
  static uint64_t disposition(pid_t tid, int sig) {
    auto bit = [&](const char* f) {
      std::string v = status_field(tid, f);
      return !v.empty() && (std::stoull(v, nullptr, 16) >> (sig - 1)) & 1;
    };
    if (sig < 1 || sig > 64) return 0;
    if (bit("SigIgn")) return 1;
    return bit("SigCgt") ? 2 : 0;
  }

  int signal_stop(Tracee& t, int sig) {
    const uint64_t now = static_cast<uint64_t>(mono_ns());
    if (cfg_.mode == Mode::Zap) {
      auto pit = procs_.find(t.tgid);
      if (pit == procs_.end() || !pit->second.zapped || sig != cfg_.zap.signal) return 0;
      sg_sig_deliver d{};
      fill_hdr(&d.hdr, SG_EV_SIG_DELIVER, sizeof d, -1, now, t);
      d.signal = sig;
      d.handler = disposition(t.tid, sig);
      sink_(&d, sizeof d);
      return 1;
    }
    if (cfg_.mode != Mode::Trace || !t.armed) return 0;
    sg_signal s{};
    fill_hdr(&s.hdr, SG_EV_SIGNAL, sizeof s, -1, now, t);
    s.signo = sig;
    siginfo_t si{};
    if (ptrace(PTRACE_GETSIGINFO, t.tid, 0, &si) == 0) {
      memcpy(s.info, &si, SG_SIGINFO_LEN);
      s.info_ok = 1;
    }
    s.handler = disposition(t.tid, sig);
    sink_(&s, sizeof s);
    return 1;
  }

  int task_exit(const Tracee& t, int status) {
    auto pit = procs_.find(t.tgid);
    bool group_dead = true;
    Proc p;
    if (pit != procs_.end()) {
      p = pit->second;
      group_dead = --pit->second.threads <= 0;
      if (group_dead) procs_.erase(pit);
    }
    if (cfg_.mode == Mode::Count || (!t.armed && cfg_.mode == Mode::Trace)) return 0;
    sg_task_exit e{};
    fill_hdr(&e.hdr, SG_EV_TASK_EXIT, sizeof e, -1, static_cast<uint64_t>(mono_ns()), t);
    e.exit_code = status;
    e.group_dead = group_dead;
    e.zap_matched = p.matched;
    e.zap_done = p.zapped;
    sink_(&e, sizeof e);
    return 1;
  }

  SessionConfig cfg_;
  RecordSink sink_;
  std::vector<sg_sys_spec> specs_;
  std::vector<char> buf_;
  std::unordered_map<pid_t, Tracee> tracees_;
  std::unordered_map<pid_t, Proc> procs_;
  std::unordered_map<pid_t, int> reaped_;
  std::unordered_map<int, CountRow> counts_;  // nr set in counts()
  std::vector<pid_t> detach_at_stop_;
  std::vector<int> rule_of_;             // by number: index in cfg_.inject, -1 none
  std::multimap<int64_t, pid_t> holds_;  // tracees held by a delay, by when they are due
  bool open_ = false;
  sigset_t old_mask_{};
  bool mask_saved_ = false;
  bool seccomp_ = false;
  bool nr_ok_ = true;
  size_t filter_calls_ = 0;
  pid_t launched_ = 0;
  bool launched_exec_ = false;  // the launched command's execve succeeded
  int nr_prctl_ = syscall_by_name("prctl") ? syscall_by_name("prctl")->nr : -1;
  uint64_t seen_ = 0, trunc_ = 0, zaps_ = 0, rate_start_ = 0;
  uint32_t rate_n_ = 0;
  std::string attach_;
};

}  // namespace

std::unique_ptr<Backend> make_ptrace_backend(const SessionConfig& cfg) {
  PtraceBackend::validate(cfg);
  return std::make_unique<PtraceBackend>();
}

}  // namespace sysgate
