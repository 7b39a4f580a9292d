// SPDX-License-Identifier: Apache-2.0
// A run: options checked, targets resolved, the backend opened, then one loop
// that moves records from the kernel side to a consumer (trace output or zap)
// until the targets are gone, a signal or --duration ends it, or the output
// cannot be written. Nothing here depends on which backend is in use.
#include "sysgate/session.hpp"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "runtime/launcher.hpp"
#include "runtime/notify.hpp"
#include "runtime/out_stream.hpp"
#include "runtime/procfs.hpp"
#include "runtime/seccomp_filter.hpp"
#include "sysgate/clock.hpp"
#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
#include "sysgate/fd_table.hpp"
#include "sysgate/filter.hpp"
#include "sysgate/output.hpp"
#include "sysgate/records.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate/zap.hpp"
#include "sysgate_abi.h"

namespace sysgate {

bool ebpf_override_available();  // ebpf backend: bpf_override_return can be loaded

namespace {

// Ctrl-C, SIGTERM, SIGHUP: counted, acted on in the loop.
volatile sig_atomic_t g_signals = 0;
volatile sig_atomic_t g_last_signal = 0;

void on_stop_signal(int sig) {
  g_last_signal = sig;
  g_signals = g_signals + 1;
}

// A launched command that ignores the forwarded signal is killed this long after it.
constexpr int64_t kGraceNs = 3'000'000'000;
constexpr int64_t kPollMs = 50;  // bounds the delay of a line (the kernel batches wake-ups)

int64_t realtime_offset() {
  timespec m, r;
  clock_gettime(CLOCK_MONOTONIC, &m);
  clock_gettime(CLOCK_REALTIME, &r);
  return (static_cast<int64_t>(r.tv_sec) - m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
}

// Trace mode: calls and exits go to the output, through strace's filters (-e
// status=, -P) and the syscalls the user selected (-y and -P also have the kernel
// side report the calls that open and close descriptors, for the fd table).
class TraceConsumer final : public RecordConsumer {
 public:
  struct Filters {
    std::vector<bool> shown;  // by syscall number
    uint8_t status = kStatusAll;
    std::vector<std::string> paths;
    FdTable* fds = nullptr;                             // with -y or -P
    bool count = false;                                 // -C
    std::bitset<65> signals = std::bitset<65>().set();  // -e signal=SET: bit N shows signal N
  };
  TraceConsumer(Output& out, const Backend& b, Filters f) : out_(out), b_(b), f_(std::move(f)) {}
  void call(const SyscallEvent& ev) override {
    if (selected(ev) && (f_.status & status_of(ev))) {
      out_.call(ev);
      if (ev.has_enter) ++events_;
      if (f_.count) add(ev);
    }
    if (f_.fds && !ev.injected) f_.fds->apply(ev);  // an injected result opened nothing
  }
  void unfinished(const SyscallEvent& ev) override {
    if (selected(ev)) out_.unfinished(ev);
  }
  // As strace -f: a line for every thread, the process's own when its last thread is
  // gone. The leader ending before other threads is shown then, as wait(2) reports it.
  void task_exit(const TaskExit& t) override {
    if (t.tid != t.tgid) out_.thread_exit(t.tgid, t.tid, t.comm, t.status, t.ts_ns);
    if (t.group_dead) {
      out_.process_exit(t.tgid, t.comm, t.status, t.ts_ns);
      if (f_.fds) f_.fds->forget(t.tgid);
    }
    out_.thread_gone(t.tid);
  }
  // -e signal=SET; never SIGKILL, which the kernel sides see dequeued by every thread
  // of an exiting process but no tracer can intercept
  void signal(const SignalEvent& ev) override {
    if (decode::signal_line_shown(f_.signals, ev.signo)) out_.signal(ev);
  }
  void probe_hit(const SyscallEvent& who, uint32_t id, uint64_t ip,
                 const uint64_t regs[6]) override {
    out_.probe_hit(who, b_.probe_name(id), ip, regs);
  }
  // Tracing stops: calls still in progress are "detached" (-e status=detached).
  void detaching() { detaching_ = true; }
  uint64_t events() const { return events_; }  // calls printed (entry seen)
  std::vector<CountRow> counts() const {
    std::vector<CountRow> rows;
    for (const auto& [nr, r] : counts_) rows.push_back(r);
    return rows;
  }

 private:
  bool selected(const SyscallEvent& ev) const {
    if (ev.nr >= 0 && static_cast<size_t>(ev.nr) < f_.shown.size() && !f_.shown[ev.nr])
      return false;
    return f_.paths.empty() || f_.fds->touches(ev, f_.paths);
  }
  uint8_t status_of(const SyscallEvent& ev) const {
    if (ev.has_exit) return ev.failed() ? kStatusFailed : kStatusSuccessful;
    return detaching_ ? kStatusDetached : kStatusUnfinished;
  }
  // -C: counted in user space from the calls streamed, as count does in the kernel
  void add(const SyscallEvent& ev) {
    CountRow& r = counts_.try_emplace(ev.nr, CountRow{ev.nr, 0, 0, 0, 0}).first->second;
    if (ev.has_enter) ++r.calls;
    if (ev.has_exit) r.returned(ev.duration_ns(), ev.failed());
  }

  Output& out_;
  const Backend& b_;
  Filters f_;
  bool detaching_ = false;
  uint64_t events_ = 0;
  std::map<int, CountRow> counts_;
};

// The calls the fd table learns from (-y, -P): they open, duplicate or close
// descriptors, or replace the program (close-on-exec).
std::vector<bool> with_fd_calls(std::vector<bool> sel) {
  static constexpr std::string_view kNames[] = {"close",      "close_range", "dup",     "dup2",
                                                "dup3",       "fcntl",       "pipe",    "pipe2",
                                                "socketpair", "execve",      "execveat"};
  for (const auto& s : syscall_table()) {
    if (s.nr < 0 || static_cast<size_t>(s.nr) >= sel.size()) continue;
    if (s.ret_kind == "fd" ||
        std::find(std::begin(kNames), std::end(kNames), s.name) != std::end(kNames))
      sel[s.nr] = true;
  }
  return sel;
}

// Count mode: everything is aggregated in the kernel; nothing is streamed.
class NullConsumer final : public RecordConsumer {};

// What the options ask for, checked before anything is started or loaded.
struct Plan {
  SessionConfig cfg;
  std::vector<bool> shown;     // the syscalls printed (cfg.syscalls may hold more: -y, -P)
  std::vector<pid_t> initial;  // processes already running that are targets
  bool launching = false;
  bool ends_with_targets = false;  // -p only: the session ends when they are gone
  bool supervise = false;          // zap --before of a launched command: seccomp notifications
};

// Text from the command line, safe to print in a message: control characters and
// bytes that are not UTF-8 are shown as \xNN.
std::string printable(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
    if (ok && len == 1 && (c < 0x20 || c == 0x7f)) ok = false;
    if (!ok) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

void check_comm(const std::string& c) {
  if (c.empty()) throw UsageError("-n/--comm: empty process name");
  if (c.size() <= SG_COMM_LEN - 1) return;
  // cut at a character boundary: never in the middle of a UTF-8 sequence
  size_t cut = SG_COMM_LEN - 1;
  while (cut > 0 && (static_cast<unsigned char>(c[cut]) & 0xc0) == 0x80) --cut;
  throw UsageError(fmt::format(
      "-n/--comm '{}' is {} bytes long; the kernel keeps only the first 15 bytes of a process "
      "name (TASK_COMM_LEN), so it can never match: give '{}'",
      printable(c), c.size(), printable(c.substr(0, cut))));
}

Plan make_plan(const RunOptions& o) {
  Plan p;
  p.launching = !o.command.empty();
  const TargetSpec& t = o.targets;
  if (t.all && (!t.pids.empty() || !t.comms.empty() || !t.cgroup.empty() || p.launching))
    throw UsageError(
        "-a traces every process: it cannot be combined with -p, -n, --cgroup or a command");
  if (!p.launching && t.pids.empty() && t.comms.empty() && t.cgroup.empty() && !t.all)
    throw UsageError("no target: give -p PID, -n NAME, --cgroup PATH, -a, or -- COMMAND");
  if (o.format != "text" && o.format != "json")
    throw UsageError(fmt::format("--format {}: use text or json", printable(o.format)));
  if (o.clock != "realtime" && o.clock != "monotonic")
    throw UsageError(fmt::format("--clock {}: use realtime or monotonic", printable(o.clock)));
  for (const auto& c : t.comms) check_comm(c);

  SessionConfig& cfg = p.cfg;
  cfg.mode = o.mode;
  cfg.syscalls = parse_syscall_filter(o.syscalls);
  p.shown = cfg.syscalls;
  if (o.mode == Mode::Trace && (o.decode_fds || !o.paths.empty()))
    cfg.syscalls = with_fd_calls(cfg.syscalls);
  if (o.separate && o.format != "text")
    throw UsageError("-ff writes strace's text form: leave out --format json");
  cfg.limits = o.limits;
  cfg.ring_bytes = o.ring_bytes;
  cfg.attach = o.attach;
  cfg.probes = o.probes;
  cfg.kmod_path = o.kmod_path;
  cfg.targets = t;
  if (p.launching) cfg.targets.follow = true;
  if (o.mode != Mode::Zap) cfg.inject = o.inject;
  if (o.mode == Mode::Zap) {
    cfg.zap = o.zap;
    for (const auto& a : o.zap_args) cfg.zap.matches.push_back(parse_arg_match(a, cfg.syscalls));
    if (o.zap_opts.now) {
      // nothing to wait for: the kernel side only times the exits
      cfg.zap.user_decides = true;
      cfg.syscalls.assign(cfg.syscalls.size(), false);
    }
    if (o.zap.at == ZapAt::Before) {
      if (!t.comms.empty() || !t.cgroup.empty() || t.all)
        throw UsageError(
            "--before needs a command sysgate launches (a seccomp filter holds each call) or "
            "-p PID (ptrace holds it): -n, --cgroup and -a cannot stop a call before it runs");
      if (p.launching && o.backend != "ptrace") {
        if (!o.backend.empty() && o.backend != "ebpf" && o.backend != "kmod")
          throw UsageError(
              fmt::format("--before: --backend {} cannot hold a call", printable(o.backend)));
        cfg.zap.user_decides = true;  // the seccomp supervisor decides
        p.supervise = true;
      } else if (!p.launching && !o.backend.empty() && o.backend != "ptrace") {
        throw UsageError(fmt::format(
            "--before on a running process needs --backend ptrace (a seccomp filter can only "
            "be installed by the process itself, and {}): leave out --backend {}",
            ebpf_override_available()
                ? "this kernel has bpf_override_return (probed), which sysgate does not use yet"
                : "this kernel cannot fail a call from BPF: no kprobes with "
                  "bpf_override_return (probed)",
            printable(o.backend)));
      }
    }
    // -y: the kernel side reports the calls that open and close descriptors, so the
    // report names the zapped call's descriptors even when its process is gone by then
    if (o.zap_opts.decode_fds && !cfg.zap.user_decides)
      cfg.streamed = with_fd_calls(std::vector<bool>(cfg.syscalls.size(), false));
    if (o.zap_opts.scope == ZapScope::Cgroup && p.launching)
      throw UsageError(
          "--scope cgroup: a launched command is in sysgate's own cgroup, and killing that "
          "cgroup would kill sysgate and your shell; start it in a cgroup of its own "
          "(systemd-run --scope, or mkdir /sys/fs/cgroup/NAME and write its pid to "
          "cgroup.procs) and give -p PID");
  }

  // resolve pids before loading anything: a wrong pid leaves nothing behind
  for (pid_t pid : t.pids) {
    pid_t tg = pid > 0 ? procfs::tgid_of(pid) : -1;
    if (tg <= 0) throw UsageError(fmt::format("-p {}: no such process", pid));
    if (tg == getpid()) throw UsageError(fmt::format("-p {}: that is sysgate itself", pid));
    if (o.mode == Mode::Zap && tg == 1 && !o.zap.force)
      throw UsageError("-p 1: refusing to zap init (PID 1); add --force if you really mean it");
    if (procfs::is_kernel_thread(tg) && !(o.mode == Mode::Zap && o.zap.force))
      throw UsageError(fmt::format("-p {}: a kernel thread makes no system calls to {}", pid,
                                   o.mode == Mode::Zap     ? "zap"
                                   : o.mode == Mode::Count ? "count"
                                                           : "trace"));
    if (std::find(p.initial.begin(), p.initial.end(), tg) == p.initial.end())
      p.initial.push_back(tg);
  }
  p.ends_with_targets = !p.initial.empty() && t.comms.empty() && t.cgroup.empty() && !t.all &&
                        o.duration_ns == 0 && !p.launching;
  if (!t.comms.empty()) {
    for (pid_t pid : procfs::all_pids()) {
      if (pid == getpid()) continue;
      std::string c = procfs::comm_of(pid);
      for (const auto& want : t.comms)
        if (c == want && std::find(p.initial.begin(), p.initial.end(), pid) == p.initial.end())
          p.initial.push_back(pid);
    }
  }
  if (o.zap_opts.now && p.initial.empty())
    throw UsageError(
        "--now: no running process matches -n (it signals processes that are running now)");
  return p;
}

bool reader_closed(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return false;
  pollfd pfd = {fd, 0, 0};
  return ::poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP));
}

class Session {
 public:
  Session(const RunOptions& o, Plan plan) : o_(o), plan_(std::move(plan)) {}
  int run();

 private:
  bool targets_gone();
  bool child_reaped();
  void handle_signals();
  void on_write_failure();
  // The zaps the seccomp supervisor made, to the zapper (in the main thread).
  void take_supervised(Zapper& z) {
    if (!supervisor_) return;
    for (auto& item : supervisor_->take()) {
      z.set_call(item.rec.tid, std::move(item.call));
      z.zap(item.rec);
    }
  }

  const RunOptions& o_;
  Plan plan_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<OutStream> out_;
  // zap --before of a launched command; outlives child_: it serves the command's held
  // calls until the command is reaped
  std::unique_ptr<NotifySupervisor> supervisor_;
  std::unique_ptr<Launcher> child_;
  std::unique_ptr<FdTable> fds_;  // -y, -yy, -P
  int status_ = 0;
  bool child_done_ = false;
  int64_t kill_at_ = 0;  // the launched command is killed then (0: not yet asked)
  int signals_seen_ = 0;
  bool stop_ = false;
};

// The launched command ended: a tracer backend reaps it itself, else waitpid.
bool Session::child_reaped() {
  int st = 0;
  if (backend_->reaps_children()) {
    // waitpid here would take the tracee's stops from the tracer
    if (!backend_->child_status(child_->pid(), &st)) return false;
    child_->reaped(st);
  }
  return child_->reap(&status_);
}

bool Session::targets_gone() {
  for (pid_t p : plan_.initial)
    if (procfs::alive(p)) return false;
  return true;
}

void Session::handle_signals() {
  const int n = g_signals;
  if (n == signals_seen_) {
    if (kill_at_ && !child_done_ && mono_ns() >= kill_at_) {
      kill(child_->pid(), SIGKILL);
      kill_at_ = 0;
    }
    return;
  }
  const bool first = signals_seen_ == 0;
  signals_seen_ = n;
  if (!child_ || child_done_) {
    stop_ = true;
    return;
  }
  // A launched command gets the first signal and a grace period in which it is
  // still traced; a second signal (or the end of the grace period) kills it.
  if (first) {
    kill(child_->pid(), g_last_signal);
    kill_at_ = mono_ns() + kGraceNs;
  } else {
    kill(child_->pid(), SIGKILL);
    kill_at_ = 0;
  }
}

int Session::run() {
  SessionConfig& cfg = plan_.cfg;
  bool fallback = false;
  std::string backend_name;
  bool before_ptrace = false;  // --before on a running process: only a tracer can hold a call
  if (cfg.mode == Mode::Zap && cfg.zap.at == ZapAt::Before && !plan_.launching &&
      o_.backend.empty()) {
    backend_name = "ptrace";
    before_ptrace = true;
  } else {
    backend_name = choose_backend(o_.backend, cfg, &fallback);
  }
  backend_ = make_backend(backend_name, cfg);  // checks the options that belong to it
  // -ff: the lines go to PREFIX.TID; what is left (summaries) to standard error, as strace
  out_ =
      std::make_unique<OutStream>(o_.separate ? std::string() : o_.output,
                                  plan_.launching || o_.separate ? STDERR_FILENO : STDOUT_FILENO);
  FILE* out = out_->file();

  // Readers of our output must never be traced (-a) or zapped: they would feed
  // our own output back to us, or cut the report.
  if (cfg.targets.all || cfg.mode == Mode::Zap) {
    for (pid_t p : procfs::output_readers(out_->fd())) cfg.targets.exclude.push_back(p);
    if (out_->fd() != STDERR_FILENO)
      for (pid_t p : procfs::output_readers(STDERR_FILENO)) cfg.targets.exclude.push_back(p);
    if (cfg.mode == Mode::Zap)
      for (pid_t p : plan_.initial)
        if (std::find(cfg.targets.exclude.begin(), cfg.targets.exclude.end(), p) !=
            cfg.targets.exclude.end())
          throw UsageError(fmt::format(
              "-p {}: that process reads sysgate's output; zapping it would cut the report", p));
  }

  const int64_t offset = o_.clock == "monotonic" ? 0 : realtime_offset();
  if (cfg.mode == Mode::Trace && (o_.decode_fds || !o_.paths.empty()))
    fds_ = std::make_unique<FdTable>(o_.decode_fds);
  TextOptions text = o_.text;
  text.to_file = !o_.output.empty();
  text.follow = o_.targets.follow;
  if (o_.separate && !o_.output.empty()) text.separate = o_.output;
  if (o_.decode_fds) text.fds = fds_.get();
  auto output = o_.format == "json" ? make_json_output(out, offset)
                                    : make_text_output(out, offset, std::move(text));
  RunSummary sum;
  sum.backend = backend_name;
  ZapOptions zopts = o_.zap_opts;
  zopts.json = o_.format == "json";
  zopts.via_userspace = !o_.zap.in_kernel;
  zopts.via_tracer = backend_->reaps_children();  // a tracer sends it from the entry stop
  zopts.signal = o_.zap.signal;
  zopts.nth = o_.zap.nth;
  zopts.at = static_cast<uint8_t>(o_.zap.at);
  zopts.error = o_.zap.error;
  zopts.via = backend_name == "ebpf" ? "bpf" : backend_name;
  zopts.user_zaps = plan_.supervise;
  std::unique_ptr<Zapper> zapper;
  std::unique_ptr<RecordConsumer> consumer;
  TraceConsumer* tracer = nullptr;
  if (cfg.mode == Mode::Zap) {
    ZapHooks hooks;
    const pid_t self = getpid();
    std::vector<pid_t> never = cfg.targets.exclude;
    never.push_back(self);
    const bool force = cfg.zap.force;
    // --scope cgroup: the caller's cgroup directory, from /proc while it lives, else from
    // the id the kernel recorded; never the root, nor sysgate's own cgroup
    auto cgroup_dir = [](pid_t tgid, uint64_t id, std::string* note) -> std::string {
      const std::string mount = procfs::cgroup2_mount();
      std::string cg = procfs::cgroup_of(tgid);
      std::string dir = !cg.empty() && !mount.empty() ? mount + cg : procfs::cgroup_dir_by_id(id);
      std::string self = mount + procfs::cgroup_of(getpid());
      if (mount.empty() || dir.empty()) {
        *note = "its cgroup is unknown (no cgroup v2, or it is gone): the process alone";
        return {};
      }
      if (dir == mount) {
        *note = "it is in the root cgroup: the process alone";
        return {};
      }
      if (dir == self) {
        *note = "it shares sysgate's own cgroup: the process alone";
        return {};
      }
      return dir;
    };
    hooks.scope_members = [scope = zopts.scope, never, force, cgroup_dir](pid_t tgid, uint64_t id,
                                                                          std::string* note) {
      std::vector<pid_t> out;
      if (scope == ZapScope::Tree) {
        out = procfs::descendants(tgid);
      } else if (scope == ZapScope::Cgroup) {
        std::string dir = cgroup_dir(tgid, id, note);
        if (dir.empty()) return out;
        out = procfs::cgroup_procs(dir);
      }
      std::erase_if(out, [&](pid_t p) {
        return p == tgid || (p == 1 && !force) ||
               std::find(never.begin(), never.end(), p) != never.end();
      });
      return out;
    };
    if (!backend_->reaps_children())
      hooks.time_exit = [this](pid_t p) {
        backend_->add_target(p);
        backend_->zap_marked(p);
      };
    hooks.parent_of = [](pid_t p) { return procfs::ppid_of(p); };
    hooks.kill_cgroup = [cgroup_dir](pid_t tgid, uint64_t id) {
      std::string note;
      std::string dir = cgroup_dir(tgid, id, &note);
      return !dir.empty() && procfs::cgroup_kill(dir);
    };
    zapper = std::make_unique<Zapper>(zopts, out, offset, std::move(hooks));
  } else if (cfg.mode == Mode::Trace) {
    auto t =
        std::make_unique<TraceConsumer>(*output, *backend_,
                                        TraceConsumer::Filters{plan_.shown, o_.status, o_.paths,
                                                               fds_.get(), o_.summary, o_.signals});
    tracer = t.get();
    consumer = std::move(t);
  } else {
    consumer = std::make_unique<NullConsumer>();
  }
  RecordConsumer& sink = zapper ? static_cast<RecordConsumer&>(*zapper) : *consumer;
  RecordReader reader(sink);

  if (plan_.launching) {
    if (plan_.supervise) {
      // zap --before: the supervisor holds each --on call; the kernel side times
      supervisor_ = std::make_unique<NotifySupervisor>(
          cfg, o_.zap_opts.decode_fds, [this](pid_t p) { backend_->zap_marked(p); });
      child_ = std::make_unique<Launcher>(
          o_.command, seccomp_filter(cfg.syscalls, SECCOMP_RET_USER_NOTIF, SECCOMP_RET_ALLOW),
          [this](UniqueFd l) { supervisor_->start(std::move(l)); });
    } else {
      child_ = std::make_unique<Launcher>(o_.command, backend_->launch_filter(cfg));
    }
    cfg.launch = child_->pid();
  }

  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a reader that goes away is an EPIPE we handle

  const int64_t setup_start = mono_ns();
  backend_->open(cfg, [&](const void* d, size_t n) { reader.record(d, n); });
  if (before_ptrace)
    fmt::print(stderr,
               "sysgate: --before on a running process: holding its calls with ptrace "
               "(--backend ptrace)\n");
  if (fallback)  // once it works: a usage error stays one line
    fmt::print(stderr, "sysgate: {}: tracing with ptrace (--backend ptrace)\n",
               cfg.inject.empty() ? "no BPF privileges (root, or CAP_BPF and CAP_PERFMON)"
                                  : "-e inject=/fault= changes calls from their tracer");
  out_->commit();  // only now may -o FILE be emptied
  for (pid_t p : plan_.initial) {
    backend_->add_target(p);
    if (zapper) zapper->watch(p);
  }
  if (zapper && o_.zap_opts.now) {
    size_t sent = 0;
    for (pid_t p : plan_.initial) sent += zapper->zap_now(p) ? 1 : 0;
    if (!sent) throw Error("--now: the target exited before it could be signalled");
  }
  sum.setup_ns = static_cast<uint64_t>(mono_ns() - setup_start);

  const int64_t start = mono_ns();
  if (child_) {
    if (zapper) zapper->watch(child_->pid());
    if (backend_->reaps_children())
      child_->release([&] { backend_->poll(1); });
    else
      child_->release();
  }
  int64_t next_scan = start + 1000000000;
  const int64_t end_at =
      o_.duration_ns
          ? start + static_cast<int64_t>(std::min<uint64_t>(o_.duration_ns, INT64_MAX / 2))
          : 0;
  std::vector<pid_t> peers = cfg.targets.exclude;
  bool write_failed = false;
  int64_t next_alive_check = start;
  int64_t child_done_at = 0;
  while (!stop_) {
    handle_signals();
    if (stop_) break;
    int wait_ms = kPollMs;
    const int64_t now = mono_ns();
    // -a: a reader of our output that started after us must not be traced either
    if (cfg.targets.all && now >= next_scan) {
      next_scan = now + 1000000000;
      for (pid_t p : procfs::output_readers(out_->fd())) {
        if (std::find(peers.begin(), peers.end(), p) != peers.end()) continue;
        peers.push_back(p);
        backend_->add_target(p);  // with -a a set bit means "excluded"
      }
    }
    if (zapper) {
      take_supervised(*zapper);
      int next = zapper->tick();
      if (next >= 0) wait_ms = std::min(wait_ms, next);
      if (supervisor_) wait_ms = std::min(wait_ms, 5);  // its zaps are reported from here
    }
    backend_->poll(wait_ms);
    // a blocked call is shown at once, unless its line depends on how it ends
    if (cfg.mode == Mode::Trace && o_.status == kStatusAll && o_.paths.empty())
      reader.announce_blocked(static_cast<uint64_t>(mono_ns()), 500000000);
    output->flush();
    if (!out_->flush() || reader_closed(out_->fd())) {
      out_->set_reader_gone();  // keeps an earlier write error; else, as SIGPIPE would
      write_failed = true;
      break;
    }
    if (zapper && zapper->done()) break;
    if (child_ && !child_done_ && child_reaped()) {
      child_done_ = true;
      child_done_at = mono_ns();
      // zapped before it became a target (its execve held by --before): no exit record
      // will come; wait(2) says how it ended
      // (its exit record, written before it could be reaped, is read first)
      if (zapper) {
        backend_->poll(0);
        zapper->reaped(child_->pid(), status_, static_cast<uint64_t>(child_done_at));
      }
    }
    // a zap of the command waits for the rest of its scope (--scope tree) to be gone too;
    // its own exit record is already in the ring
    if (child_done_ && !(zapper && zapper->pending() &&
                         (zapper->members_alive() || mono_ns() - child_done_at < 1'000'000'000)))
      break;
    if (end_at && mono_ns() >= end_at) break;
    // a zap waits for the rest of its scope too
    if (plan_.ends_with_targets && mono_ns() >= next_alive_check &&
        !(zapper && zapper->pending())) {
      next_alive_check = mono_ns() + 100000000;
      if (targets_gone()) {
        bool any = false;
        for (const auto& [tg, _] : reader.live())
          if (procfs::alive(static_cast<pid_t>(tg))) any = true;
        if (!any) break;
      }
    }
  }
  // A tracer backend ends a launched command that is still running while it is
  // still traced: its last calls are shown, and its seccomp filter (if any)
  // never meets a missing tracer. After --duration it gets SIGTERM, then SIGKILL.
  // (zap lets it finish, as with the other backends)
  if (!write_failed && child_ && !child_done_ && backend_->reaps_children()) {
    int64_t kill_at = 0;
    if (cfg.mode != Mode::Zap || signals_seen_) {
      kill(child_->pid(), SIGTERM);
      kill_at = mono_ns() + kGraceNs;
    }
    while (!child_reaped()) {
      if (g_signals != signals_seen_ || (kill_at && mono_ns() >= kill_at)) {
        kill(child_->pid(), SIGKILL);
        signals_seen_ = g_signals;
        kill_at = 0;
      }
      backend_->poll(10);
      output->flush();
      if (!out_->flush()) break;
    }
    child_done_ = child_reaped();
  }
  // drain what the kernel already recorded, then detach
  if (!write_failed) {
    if (zapper) take_supervised(*zapper);
    backend_->drain();
  }
  BackendStats st = backend_->stats();
  std::vector<CountRow> rows;
  if (cfg.mode == Mode::Count) rows = backend_->counts();
  backend_->close();

  if (!write_failed) {
    if (tracer) tracer->detaching();
    reader.finish();
    sum.events = tracer ? tracer->events() : reader.calls();
    sum.unfinished = reader.unfinished();
    sum.drops = st.enter_drop;
    sum.exit_drops = st.exit_drop;
    sum.signal_drops = st.signal_drop;
    sum.truncated = st.cap_trunc;
    sum.malformed = reader.malformed() + st.malformed;
    sum.seen = st.enter_seen;
    sum.attach = st.attach;
    sum.duration_ns = static_cast<uint64_t>(mono_ns() - start);
    if (tracer && o_.summary) output->counts(tracer->counts());
    if (cfg.mode == Mode::Count) {
      output->counts(rows);
      sum.events = 0;
      for (const auto& r : rows) sum.events += r.calls;
      sum.seen = sum.events;  // counted in the kernel: nothing streamed, nothing to lose
    }
    if (zapper)
      zapper->finish(st.zap_drop, st.zap_rate, st.zap_procs_full);
    else
      output->summary(sum);
    output->flush();
    write_failed = !out_->close();
  }
  if (write_failed) {
    // The command we launched goes on, untraced: its fate is not tied to our output.
    if (child_ && !child_done_) child_->disown();
    if (out_->reader_gone()) return 128 + SIGPIPE;  // quiet, as other tools are on SIGPIPE
    fmt::print(stderr, "sysgate: {} after {} events\n", out_->error_text(), reader.calls());
    return 1;
  }

  if (child_ && !child_done_) {
    // --duration or zap --count: the command is still running. After a duration
    // it is stopped (SIGTERM, then SIGKILL after the grace period); zap lets it finish.
    if (cfg.mode != Mode::Zap || signals_seen_) {
      kill(child_->pid(), SIGTERM);
      kill_at_ = mono_ns() + kGraceNs;
    }
    while (!child_reaped()) {
      if (g_signals != signals_seen_ || (kill_at_ && mono_ns() >= kill_at_)) {
        kill(child_->pid(), SIGKILL);
        signals_seen_ = g_signals;
        kill_at_ = 0;
      }
      usleep(10000);
    }
  }
  if (child_) {
    if (WIFEXITED(status_)) return WEXITSTATUS(status_);
    if (WIFSIGNALED(status_)) return 128 + WTERMSIG(status_);
  }
  return 0;
}

}  // namespace

int run(const RunOptions& o) {
  Session s(o, make_plan(o));
  return s.run();
}

}  // namespace sysgate
