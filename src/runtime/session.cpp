// SPDX-License-Identifier: Apache-2.0
#include "sysgate/session.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "sysgate/error.hpp"
#include "sysgate/filter.hpp"
#include "sysgate/parse.hpp"
#include "sysgate/output.hpp"
#include "sysgate/decode.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate/zap.hpp"
#include "sysgate_abi.h"
#include "sysgate_kmod.h"

namespace sysgate {

namespace {

volatile sig_atomic_t g_stop_signal = 0;

void on_stop_signal(int sig) { g_stop_signal = sig; }

int64_t clock_ns(clockid_t c) {
  timespec ts;
  clock_gettime(c, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The process a pid belongs to (a thread id resolves to its process), or -1.
pid_t tgid_of(pid_t pid) {
  std::ifstream f(fmt::format("/proc/{}/status", pid));
  std::string key;
  while (f >> key) {
    if (key == "Tgid:") {
      pid_t t = -1;
      f >> t;
      return t;
    }
    std::string rest;
    std::getline(f, rest);
  }
  return -1;
}

std::string read_comm(pid_t pid) {
  std::ifstream f(fmt::format("/proc/{}/comm", pid));
  std::string c;
  std::getline(f, c);
  return c;
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    long v = strtol(e->d_name, &end, 10);
    if (end && *end == 0 && v > 0) out.push_back(static_cast<pid_t>(v));
  }
  closedir(d);
  return out;
}

// Processes holding the other end of a pipe or socket we write to: tracing
// them would feed our own output back to us.
std::vector<pid_t> output_peers(int fd) {
  std::vector<pid_t> out;
  struct stat st;
  if (fstat(fd, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return out;
  std::string want = fmt::format("{}:[{}]", S_ISFIFO(st.st_mode) ? "pipe" : "socket", st.st_ino);
  const pid_t self = getpid();
  for (pid_t p : all_pids()) {
    if (p == self) continue;
    std::string dir = fmt::format("/proc/{}/fd", p);
    DIR* d = opendir(dir.c_str());
    if (!d) continue;
    while (dirent* e = readdir(d)) {
      char buf[64];
      ssize_t n = readlinkat(dirfd(d), e->d_name, buf, sizeof buf - 1);
      if (n > 0 && std::string_view(buf, static_cast<size_t>(n)) == want) {
        out.push_back(p);
        break;
      }
    }
    closedir(d);
  }
  return out;
}

// Launches argv stopped before execve; release() lets it exec.
// The program execve will run, searched in PATH as the shell would: resolving it
// here means one execve (no failed attempts in the trace) and a clear error.
std::string resolve_command(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = getenv("PATH");
  std::string p = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string cand = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(cand.c_str(), X_OK) == 0)
      return cand;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  throw Error(fmt::format("cannot run '{}': command not found in PATH", name), 127);
}

class Launcher {
 public:
  explicit Launcher(const std::vector<std::string>& argv) {
    const std::string file = resolve_command(argv[0]);
    int go[2], err[2];
    // the child must not inherit sysgate's handlers (set later) nor ignore SIGPIPE
    if (pipe2(go, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
      throw Error(fmt::format("pipe: {}", strerror(errno)));
    pid_ = fork();
    if (pid_ < 0) throw Error(fmt::format("fork: {}", strerror(errno)));
    if (pid_ == 0) {
      ::close(go[1]);
      ::close(err[0]);
      char c;
      if (read(go[0], &c, 1) != 1) _exit(127);  // sysgate went away before releasing us
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(file.c_str(), args.data());
      int e = errno;
      (void)!write(err[1], &e, sizeof e);
      _exit(127);
    }
    ::close(go[0]);
    ::close(err[1]);
    go_fd_ = go[1];
    err_fd_ = err[0];
    name_ = argv[0];
  }
  ~Launcher() {
    if (go_fd_ >= 0) ::close(go_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }

  void release() {
    (void)!write(go_fd_, "x", 1);
    ::close(go_fd_);
    go_fd_ = -1;
    int e = 0;
    ssize_t n = read(err_fd_, &e, sizeof e);  // EOF (0) once exec succeeded
    ::close(err_fd_);
    err_fd_ = -1;
    if (n == sizeof e) {
      waitpid(pid_, nullptr, 0);
      reaped_ = true;
      throw Error(fmt::format("cannot run '{}': {}", name_, strerror(e)), e == ENOENT ? 127 : 126);
    }
  }

  // Returns true once the child has exited; status in wait(2) form.
  bool reap(int* status) {
    if (reaped_) return true;
    pid_t r = waitpid(pid_, status, WNOHANG);
    if (r == pid_) reaped_ = true;
    return reaped_;
  }

 private:
  pid_t pid_ = -1;
  int go_fd_ = -1, err_fd_ = -1;
  bool reaped_ = false;
  std::string name_;
};

// Pairs entry and exit records per thread into calls.
class Pairer {
 public:
  Pairer(Output& out, RunSummary& sum) : out_(out), sum_(sum) {}
  std::function<std::string(uint32_t)> probe_name;

  void record(const void* data, size_t len) {
    if (len < sizeof(sg_hdr)) return;
    sg_hdr h;
    memcpy(&h, data, sizeof h);
    const auto* bytes = static_cast<const char*>(data);
    switch (h.type) {
      case SG_EV_ENTER: {
        if (len < sizeof(sg_enter)) return;
        sg_enter e;
        memcpy(&e, data, sizeof e);
        flush_tid(h.tid);
        SyscallEvent ev;
        fill(ev, h);
        memcpy(ev.args, e.args, sizeof ev.args);
        ev.has_enter = true;
        ev.add_captures(bytes + sizeof e, len - sizeof e, e.ncap, false);
        const SyscallInfo* info = syscall_by_nr(h.nr);
        if (info && info->ret_kind == "noreturn") {
          emit(ev);
          return;
        }
        pending_.insert_or_assign(h.tid, std::move(ev));
        return;
      }
      case SG_EV_EXIT: {
        if (len < sizeof(sg_exit)) return;
        sg_exit x;
        memcpy(&x, data, sizeof x);
        auto it = pending_.find(h.tid);
        SyscallEvent ev;
        if (it != pending_.end() && it->second.nr == h.nr) {
          ev = std::move(it->second);
          pending_.erase(it);
        } else {
          if (it != pending_.end()) flush_tid(h.tid);
          fill(ev, h);
          ev.ts_ns = x.enter_ts_ns ? x.enter_ts_ns : h.ts_ns;
        }
        ev.has_exit = true;
        ev.exit_ts_ns = h.ts_ns;
        ev.ret = x.ret;
        ev.comm.assign(h.comm, strnlen(h.comm, sizeof h.comm));  // execve changes it
        ev.add_captures(bytes + sizeof x, len - sizeof x, x.ncap, true);
        ev.merge_retried_strings();
        emit(ev);
        return;
      }
      case SG_EV_PROBE: {
        if (len < sizeof(sg_probe_hit)) return;
        sg_probe_hit p;
        memcpy(&p, data, sizeof p);
        SyscallEvent who;
        fill(who, h);
        uint64_t regs[6];
        for (int i = 0; i < 6; ++i) regs[i] = p.regs[i];
        out_.probe_hit(who, probe_name ? probe_name(p.probe_id) : std::to_string(p.probe_id), p.ip, regs);
        return;
      }
      case SG_EV_TASK_EXIT: {
        if (len < sizeof(sg_task_exit)) return;
        sg_task_exit t;
        memcpy(&t, data, sizeof t);
        flush_tid(h.tid);
        if (t.group_dead) {
          out_.process_exit(h.tgid, std::string(h.comm, strnlen(h.comm, sizeof h.comm)),
                            t.exit_code, h.ts_ns);
        }
        return;
      }
    }
  }

  // Calls blocked longer than `after_ns` are announced (text output) so a trace of
  // a process waiting in accept() or read() shows what it waits in.
  void announce_blocked(uint64_t now_ns, uint64_t after_ns) {
    for (auto& [tid, ev] : pending_) {
      if (ev.shown_unfinished || now_ns < ev.ts_ns + after_ns) continue;
      out_.unfinished(ev);
      ev.shown_unfinished = true;
    }
  }

  // Calls still in progress when tracing stops.
  void finish() {
    for (auto& [tid, ev] : pending_) {
      ++sum_.unfinished;
      emit(ev);
    }
    pending_.clear();
  }

 private:
  static void fill(SyscallEvent& ev, const sg_hdr& h) {
    ev.ts_ns = h.ts_ns;
    ev.tgid = h.tgid;
    ev.tid = h.tid;
    ev.nr = h.nr;
    ev.comm.assign(h.comm, strnlen(h.comm, sizeof h.comm));
  }

  void flush_tid(uint32_t tid) {
    auto it = pending_.find(tid);
    if (it == pending_.end()) return;
    emit(it->second);  // its exit never came (lost, or the thread died in it)
    pending_.erase(it);
  }

  void emit(const SyscallEvent& ev) {
    if (ev.has_enter) ++sum_.events;
    out_.call(ev);
  }

  Output& out_;
  RunSummary& sum_;
  std::unordered_map<uint32_t, SyscallEvent> pending_;
};

bool is_kernel_thread(pid_t pid) {
  std::ifstream f(fmt::format("/proc/{}/stat", pid));
  std::string line;
  std::getline(f, line);
  auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  unsigned long flags = 0;
  for (int i = 3; i <= 9 && rest >> field; ++i)
    if (i == 9) flags = std::stoul(field);
  return flags & 0x00200000;  // PF_KTHREAD
}

void check_comm(const std::string& c) {
  if (c.empty()) throw UsageError("-n/--comm: empty process name");
  if (c.size() > SG_COMM_LEN - 1)
    throw UsageError(fmt::format(
        "-n/--comm '{}' is {} characters long; the kernel keeps only the first 15 characters of a "
        "process name (TASK_COMM_LEN), so it can never match: give '{}'",
        c, c.size(), c.substr(0, SG_COMM_LEN - 1)));
}

}  // namespace

int run(const RunOptions& o) {
  RunOptions opts = o;
  const bool launching = !opts.command.empty();
  if (!launching && opts.targets.pids.empty() && opts.targets.comms.empty() &&
      opts.targets.cgroup.empty() && !opts.targets.all)
    throw UsageError("no target: give -p PID, -n NAME, --cgroup PATH, -a, or -- COMMAND");
  if (opts.format != "text" && opts.format != "json")
    throw UsageError(fmt::format("--format {}: use text or json", opts.format));
  for (const auto& c : opts.targets.comms) check_comm(c);
  if (opts.backend != "ebpf" && opts.backend != "kmod")
    (void)make_backend(opts.backend);  // throws the usage error before anything starts

  SessionConfig cfg;
  cfg.mode = opts.mode;
  cfg.syscalls = parse_syscall_filter(opts.syscalls);
  cfg.limits = opts.limits;
  cfg.ring_bytes = opts.ring_bytes;
  cfg.attach = opts.attach;
  cfg.probes = opts.probes;
  if (!opts.probes.empty() && opts.backend != "kmod")
    throw UsageError("--probe needs --backend kmod (the ebpf backend attaches to tracepoints only)");
  if (opts.attach != "auto" && opts.attach != "raw" && opts.attach != "syscall")
    throw UsageError(fmt::format("--attach {}: use auto, raw or syscall", opts.attach));
  cfg.targets = opts.targets;
  if (launching) cfg.targets.follow = true;
  if (opts.mode == Mode::Zap) {
    cfg.zap = opts.zap;
    for (const auto& a : opts.zap_args) cfg.zap.matches.push_back(parse_arg_match(a, cfg.syscalls));
  }

  // resolve pids before loading anything: a wrong pid leaves nothing behind
  std::vector<pid_t> initial;
  for (pid_t p : opts.targets.pids) {
    pid_t t = p > 0 ? tgid_of(p) : -1;
    if (t <= 0) throw UsageError(fmt::format("-p {}: no such process", p));
    if (t == getpid()) throw UsageError(fmt::format("-p {}: that is sysgate itself", p));
    if (opts.mode == Mode::Zap && t == 1 && !opts.zap.force)
      throw UsageError("-p 1: refusing to zap init (PID 1); add --force if you really mean it");
    if (opts.mode == Mode::Zap && is_kernel_thread(t) && !opts.zap.force)
      throw UsageError(fmt::format("-p {}: a kernel thread makes no system calls to zap", p));
    initial.push_back(t);
  }
  if (!opts.targets.comms.empty()) {
    for (pid_t p : all_pids()) {
      if (p == getpid()) continue;
      std::string c = read_comm(p);
      for (const auto& want : opts.targets.comms)
        if (c == want) initial.push_back(p);
    }
  }

  FILE* out = launching ? stderr : stdout;
  if (!opts.output.empty()) {
    out = fopen(opts.output.c_str(), "we");
    if (!out) throw UsageError(fmt::format("-o {}: {}", opts.output, strerror(errno)));
  }
  static char outbuf[1 << 16];
  setvbuf(out, outbuf, _IOFBF, sizeof outbuf);
  if (opts.targets.all || opts.mode == Mode::Zap) {
    for (pid_t p : output_peers(fileno(out))) cfg.targets.exclude.push_back(p);
    if (out != stderr)
      for (pid_t p : output_peers(STDERR_FILENO)) cfg.targets.exclude.push_back(p);
    if (opts.mode == Mode::Zap)
      for (pid_t p : initial)
        for (pid_t x : cfg.targets.exclude)
          if (p == x)
            throw UsageError(fmt::format(
                "-p {}: that process reads sysgate's output; zapping it would cut the report", p));
  }

  if (opts.clock != "realtime" && opts.clock != "monotonic")
    throw UsageError(fmt::format("--clock {}: use realtime or monotonic", opts.clock));
  // kernel timestamps are CLOCK_MONOTONIC; realtime adds the offset taken now
  const int64_t offset =
      opts.clock == "monotonic" ? 0 : clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
  auto output = opts.format == "json" ? make_json_output(out, offset) : make_text_output(out, offset);
  RunSummary sum;
  sum.backend = opts.backend;
  Pairer pairer(*output, sum);
  ZapOptions zopts = opts.zap_opts;
  zopts.json = opts.format == "json";
  zopts.via_userspace = !opts.zap.in_kernel;
  zopts.signal = opts.zap.signal;
  Zapper zapper(zopts, out, offset);

  std::unique_ptr<Launcher> child;
  if (launching) {
    child = std::make_unique<Launcher>(opts.command);
    cfg.launch = child->pid();
  }

  struct sigaction sa = {};
  sa.sa_handler = on_stop_signal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);


  const int64_t setup_start = clock_ns(CLOCK_MONOTONIC);
  auto backend = make_backend(opts.backend, opts.kmod_path);
  backend->open(cfg, [&](const void* d, size_t n) {
    if (opts.mode == Mode::Trace) pairer.record(d, n);
    else if (opts.mode == Mode::Zap) zapper.record(d, n);
  });
  pairer.probe_name = [&](uint32_t id) { return backend->probe_name(id); };
  for (pid_t p : initial) {
    backend->add_target(p);
    zapper.watch(p);
  }

  sum.setup_ns = static_cast<uint64_t>(clock_ns(CLOCK_MONOTONIC) - setup_start);
  int status = 0;
  bool child_done = false;
  const int64_t start = clock_ns(CLOCK_MONOTONIC);
  if (child) {
    zapper.watch(child->pid());
    child->release();
  }
  int64_t next_peer_scan = clock_ns(CLOCK_MONOTONIC) + 1000000000;
  std::vector<pid_t> peers = cfg.targets.exclude;
  while (!g_stop_signal) {
    int wait_ms = 50;  // the kernel side batches wake-ups: this bounds the delay of a line
    // -a: a reader of our output that started after us must not be traced either
    if (opts.targets.all && clock_ns(CLOCK_MONOTONIC) >= next_peer_scan) {
      next_peer_scan = clock_ns(CLOCK_MONOTONIC) + 1000000000;
      for (pid_t p : output_peers(fileno(out))) {
        if (std::find(peers.begin(), peers.end(), p) != peers.end()) continue;
        peers.push_back(p);
        backend->add_target(p);  // with -a a set bit means "excluded"
      }
    }
    if (opts.mode == Mode::Zap) {
      int next = zapper.tick();
      if (next >= 0) wait_ms = std::min(wait_ms, next);
    }
    backend->poll(wait_ms);
    if (opts.mode == Mode::Trace)
      pairer.announce_blocked(static_cast<uint64_t>(clock_ns(CLOCK_MONOTONIC)), 500000000);
    output->flush();
    fflush(out);
    if (opts.mode == Mode::Zap && zapper.done()) break;
    if (child && child->reap(&status)) {
      child_done = true;
      break;
    }
    if (opts.duration_s > 0 &&
        clock_ns(CLOCK_MONOTONIC) - start >= static_cast<int64_t>(opts.duration_s * 1e9))
      break;
  }
  // drain what the kernel already recorded, then detach
  while (backend->poll(0) > 0) {
  }
  BackendStats st = backend->stats();
  std::vector<CountRow> rows;
  if (opts.mode == Mode::Count) rows = backend->counts();
  backend->close();
  pairer.finish();

  sum.drops = st.enter_drop;
  sum.exit_drops = st.exit_drop;
  sum.truncated = st.cap_trunc;
  sum.seen = st.enter_seen;
  sum.attach = st.attach;
  sum.duration_ns = static_cast<uint64_t>(clock_ns(CLOCK_MONOTONIC) - start);
  if (opts.mode == Mode::Count) {
    output->counts(rows);
    sum.events = 0;
    for (const auto& r : rows) sum.events += r.calls;
    sum.seen = sum.events;  // counted in the kernel: nothing streamed, nothing to lose
  }
  if (opts.mode == Mode::Zap) {
    zapper.finish(st.zap_drop, st.zap_rate, st.zap_procs_full);
  } else {
    output->summary(sum);
  }
  output->flush();
  if (out != stdout && out != stderr) fclose(out);

  if (child && !child_done) {
    // stopped by a signal or --duration: pass the signal on; after zap --count: let it finish
    if (g_stop_signal || opts.mode != Mode::Zap) kill(child->pid(), g_stop_signal ? g_stop_signal : SIGTERM);
    while (!child->reap(&status)) usleep(10000);
  }
  if (child) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  }
  return 0;
}

}  // namespace sysgate
