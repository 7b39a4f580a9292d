// SPDX-License-Identifier: Apache-2.0
// The eBPF backend: loads bpf/sysgate.bpf.c in steps (open, configure, choose
// programs, load, fill maps, attach) and reads its ring buffer.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "sysgate/backend.hpp"
#include "sysgate/error.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate/unique_fd.hpp"
#include "sysgate_abi.h"
#include "sysgate_bpf.skel.h"
#include "sysgate_match.h"

namespace sysgate {

bool ebpf_privileged();
bool ebpf_override_available();

namespace {

constexpr const char* kTracefs = "/sys/kernel/tracing";
// With at most this many syscalls selected, attach one tracepoint per syscall:
// other syscalls then skip BPF entirely.
constexpr size_t kPerSyscallAttachMax = 32;

std::string g_libbpf_log;

int libbpf_log(enum libbpf_print_level level, const char* fmt, va_list ap) {
  char buf[1024];
  va_list copy;
  va_copy(copy, ap);
  if (getenv("SYSGATE_DEBUG")) vfprintf(stderr, fmt, copy);
  va_end(copy);
  vsnprintf(buf, sizeof buf, fmt, ap);
  if (level != LIBBPF_DEBUG && g_libbpf_log.size() < 65536) g_libbpf_log += buf;
  return 0;
}

// Only per-syscall tracepoints (and zap's exit_group tracepoint under that
// attachment) need tracefs: libbpf reads their ids from it. The raw attachment
// (tp_btf) and the sched/signal programs need none. tracefs is often mounted
// with mode 0700: with CAP_BPF and CAP_PERFMON but not root, it cannot be read,
// and sysgate attaches raw instead (with a notice), never fails for it.
enum class Tracefs { Ready, Unreadable, Absent };

bool syscall_events_readable() {
  return faccessat(AT_FDCWD, "/sys/kernel/tracing/events/syscalls", R_OK | X_OK, AT_EACCESS) == 0;
}

Tracefs tracefs_state(std::string* why) {
  if (syscall_events_readable()) return Tracefs::Ready;
  if (errno == EACCES) {
    *why = fmt::format("{} is not readable by this user (mode 0700: root only)", kTracefs);
    return Tracefs::Unreadable;
  }
  // not mounted: mount it when we may (root), as the tracing tools do
  if (mount("nodev", kTracefs, "tracefs", 0, nullptr) != 0) {
    int e = errno;
    if (syscall_events_readable()) return Tracefs::Ready;
    *why = fmt::format("tracefs is not mounted at {} and mounting it failed ({})", kTracefs,
                       strerror(e));
    return Tracefs::Absent;
  }
  if (syscall_events_readable()) return Tracefs::Ready;
  *why = "the running kernel has no syscall tracepoints (CONFIG_FTRACE_SYSCALLS is off)";
  return errno == EACCES ? Tracefs::Unreadable : Tracefs::Absent;
}

void notice(const std::string& msg) { fprintf(stderr, "sysgate: %s\n", msg.c_str()); }

std::string join_names(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& n : v) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Options that belong to the ebpf backend, checked before anything is loaded;
// options of other backends are refused, never ignored.
void validate(const SessionConfig& cfg) {
  if (!cfg.probes.empty())
    throw UsageError(
        "--probe needs --backend kmod (the ebpf backend attaches to tracepoints only)");
  if (cfg.attach != "auto" && cfg.attach != "raw" && cfg.attach != "syscall")
    throw UsageError(fmt::format("--attach {}: use auto, raw or syscall", cfg.attach));
  if (cfg.targets.comms.size() > SG_MAX_COMMS)
    throw UsageError(fmt::format("at most {} -n/--comm names can be given", SG_MAX_COMMS));
  if (cfg.mode == Mode::Zap) {
    if (cfg.zap.matches.size() > SG_MAX_MATCH)
      throw UsageError(fmt::format("at most {} --arg conditions can be given", SG_MAX_MATCH));
    for (const auto& m : cfg.zap.matches) {
      if (m.op == ArgMatch::Op::Prefix && m.prefix.size() > SG_PREFIX_MAX)
        throw UsageError(fmt::format("--arg: a path prefix is at most {} bytes ({} given)",
                                     SG_PREFIX_MAX, m.prefix.size()));
      if (m.prefix.find('\0') != std::string::npos)
        throw UsageError("--arg: a path prefix cannot contain a NUL byte");
      if (m.index < 0 || m.index >= SG_NARGS)
        throw UsageError(fmt::format("--arg: argument index {} is out of range (0-5)", m.index));
    }
  }
}

long pid_max() {
  std::ifstream f("/proc/sys/kernel/pid_max");
  long v = 0;
  if (!(f >> v) || v <= 0) v = 4194304;  // PID_MAX_LIMIT on 64-bit
  return v;
}

size_t round_ring(size_t bytes) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t v = page;
  while (v < bytes && v < (size_t{1} << 30)) v <<= 1;
  return v;
}

[[noreturn]] void load_failed(int err) {
  std::string detail = g_libbpf_log;
  if (err == -EPERM || (err == -EACCES && geteuid() != 0)) {
    if (geteuid() != 0)
      throw Error(
          "loading BPF programs was refused: run sysgate as root (or with CAP_BPF and "
          "CAP_PERFMON), or use a backend that needs no privileges");
    throw Error(
        "loading BPF programs was refused (EPERM) although running as root: the kernel "
        "may forbid BPF here (lockdown, a seccomp policy or unprivileged_bpf settings)");
  }
  auto nl = detail.find("\n-- END PROG LOAD LOG --");
  std::string last;
  if (!detail.empty()) {
    auto end = detail.find_last_not_of('\n');
    auto start = detail.rfind('\n', end);
    last = detail.substr(start == std::string::npos ? 0 : start + 1,
                         end - (start == std::string::npos ? 0 : start + 1) + 1);
  }
  (void)nl;
  throw Error(
      fmt::format("the kernel refused sysgate's BPF programs ({}){}{}: set SYSGATE_DEBUG=1 "
                  "for the verifier log",
                  strerror(-err), last.empty() ? "" : ": ", last));
}

bool has_cap(int cap) {
  __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return false;
  return data[cap / 32].effective & (1u << (cap % 32));
}

// What the programs need, probed on the running kernel (never from its version).
void check_kernel() {
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
    throw Error(
        "the running kernel has no BTF (/sys/kernel/btf/vmlinux; CONFIG_DEBUG_INFO_BTF): "
        "the ebpf backend needs it");
  // probing without privileges fails for the wrong reason: say the real one first
  if (!ebpf_privileged())
    throw Error("the ebpf backend needs root (or CAP_BPF and CAP_PERFMON): run sysgate with sudo");
  struct Need {
    bpf_map_type type;
    const char* what;
  } needs[] = {
      {BPF_MAP_TYPE_RINGBUF, "BPF ring buffers (Linux 5.8)"},
      {BPF_MAP_TYPE_TASK_STORAGE, "BPF task storage (Linux 5.11)"},
  };
  for (const auto& n : needs)
    if (libbpf_probe_bpf_map_type(n.type, nullptr) != 1)
      throw Error(fmt::format("the running kernel lacks {}, which the ebpf backend needs", n.what));
}

class EbpfBackend final : public Backend {
 public:
  ~EbpfBackend() override { close(); }

  void open(const SessionConfig& cfg, RecordSink sink) override {
    cfg_ = cfg;
    sink_ = std::move(sink);
    tracepoints_.clear();
    libbpf_set_print(libbpf_log);
    // Not needed on kernels that charge BPF memory to the cgroup, and refused
    // without CAP_SYS_RESOURCE: try, never fail.
    struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
    (void)setrlimit(RLIMIT_MEMLOCK, &r);

    validate(cfg);
    check_kernel();
    // zap -y: the streamed calls are attached too; SG_SYS_TRACED stays the --on set
    zap_set_ = cfg.syscalls;
    stream_ = cfg.mode == Mode::Zap && !cfg.zap.user_decides && !cfg.streamed.empty();
    if (stream_)
      for (size_t i = 0; i < cfg_.syscalls.size() && i < cfg.streamed.size(); ++i)
        cfg_.syscalls[i] = cfg_.syscalls[i] || cfg.streamed[i];
    size_t nsel = 0;
    for (bool b : cfg_.syscalls) nsel += b;
    if (cfg.attach == "raw")
      per_syscall_ = false;
    else if (cfg.attach == "syscall")
      per_syscall_ = true;
    else
      per_syscall_ = nsel <= kPerSyscallAttachMax;
    if (per_syscall_) plan_per_syscall();

    skel_ = sysgate_bpf__open();
    if (!skel_) load_failed(-errno);
    auto* ro = skel_->rodata;
    ro->self_tgid = static_cast<__u32>(getpid());
    ro->match_all = cfg.targets.all;
    ro->use_cgroup = !cfg.targets.cgroup.empty();
    ro->follow_fork = cfg.targets.follow;
    ro->launch_tgid = static_cast<__u32>(cfg.launch);
    // batch wake-ups: an eighth of the ring (user space polls every 50 ms regardless)
    ro->wakeup_bytes = round_ring(cfg.ring_bytes) / 8;
    ro->ncomm = static_cast<__u32>(cfg.targets.comms.size());
    for (size_t i = 0; i < cfg.targets.comms.size(); ++i)
      strncpy(const_cast<char*>(ro->comms[i]), cfg.targets.comms[i].c_str(), SG_COMM_LEN - 1);

    bpf_map__set_max_entries(skel_->maps.targets, static_cast<__u32>((pid_max() + 63) / 64));
    bpf_map__set_max_entries(skel_->maps.events, static_cast<__u32>(round_ring(cfg.ring_bytes)));

    const bool trace = cfg.mode == Mode::Trace;
    const bool zap = cfg.mode == Mode::Zap;
    const bool cnt = cfg.mode == Mode::Count;
    const bool zap_exit = zap && ((cfg.zap.at == ZapAt::Exit && cfg.zap.in_kernel) || stream_);
    if (zap) configure_zap(cfg.zap);
    skel_->rodata->zap_stream = stream_;
    struct Prog {
      bpf_program* p;
      bool use;
    } progs[] = {
        {skel_->progs.raw_trace_enter, trace && !per_syscall_},
        {skel_->progs.raw_trace_exit, trace && !per_syscall_},
        {skel_->progs.raw_count_enter, cnt && !per_syscall_},
        {skel_->progs.raw_count_exit, cnt && !per_syscall_},
        {skel_->progs.tp_trace_enter, trace && per_syscall_},
        {skel_->progs.tp_trace_exit, trace && per_syscall_},
        {skel_->progs.tp_count_enter, cnt && per_syscall_},
        {skel_->progs.tp_count_exit, cnt && per_syscall_},
        {skel_->progs.raw_zap_enter, zap && !per_syscall_},
        {skel_->progs.tp_zap_enter, zap && per_syscall_},
        {skel_->progs.zap_deliver, zap},
        {skel_->progs.trace_signal, trace},
        {skel_->progs.trace_signal_fatal, trace},
        {skel_->progs.zap_exit_group, zap && per_syscall_},
        {skel_->progs.raw_zap_exit, zap_exit && !per_syscall_},
        {skel_->progs.tp_zap_exit, zap_exit && per_syscall_},
    };
    for (auto& p : progs) bpf_program__set_autoload(p.p, p.use);

    int err = sysgate_bpf__load(skel_);
    if (err) {
      close();
      load_failed(err);
    }

    fill_specs();
    if (!cfg.targets.cgroup.empty()) set_cgroup(cfg.targets.cgroup);
    if (cfg.targets.all)
      for (pid_t p : cfg.targets.exclude) set_bit(p);
    if (zap) {
      __u8 one = 1;
      for (pid_t p : cfg.targets.exclude) {
        __u32 key = static_cast<__u32>(p);
        bpf_map_update_elem(bpf_map__fd(skel_->maps.zap_never), &key, &one, BPF_ANY);
      }
    }

    ring_ =
        ring_buffer__new(bpf_map__fd(skel_->maps.events), &EbpfBackend::on_record, this, nullptr);
    if (!ring_) {
      int e = errno;
      close();
      throw Error(fmt::format("cannot map the BPF ring buffer: {}", strerror(e)));
    }
    attach();
  }

  void add_target(pid_t tgid) override { set_bit(tgid); }

  // User space zapped it (seccomp --before, --now): its signal delivery and the
  // start of its exit are timed in the kernel as for a kernel-side zap.
  void zap_marked(pid_t tgid) override {
    if (!skel_) return;
    struct {
      __u32 matched, zapped, exit_started, pad;
    } v = {0, 1, 0, 0};
    __u32 key = static_cast<__u32>(tgid);
    bpf_map_update_elem(bpf_map__fd(skel_->maps.zap_procs), &key, &v, BPF_ANY);
  }

  int poll(int timeout_ms) override {
    if (!ring_) return 0;
    int n = ring_buffer__poll(ring_, timeout_ms);
    if (n < 0 && n != -EINTR) throw Error(fmt::format("reading the ring buffer: {}", strerror(-n)));
    // records submitted without a wake-up (batched) are there all the same
    int more = ring_buffer__consume(ring_);
    return (n < 0 ? 0 : n) + (more < 0 ? 0 : more);
  }

  BackendStats stats() override {
    BackendStats s;
    s.attach = attach_desc_;
    if (!skel_) return s;
    int ncpu = libbpf_num_possible_cpus();
    std::vector<uint64_t> v(static_cast<size_t>(ncpu));
    auto sum = [&](uint32_t key) {
      uint64_t t = 0;
      if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.counters), &key, v.data()) == 0)
        for (auto x : v) t += x;
      return t;
    };
    s.enter_seen = sum(SG_CNT_ENTER_SEEN);
    s.enter_drop = sum(SG_CNT_ENTER_DROP);
    s.exit_drop = sum(SG_CNT_EXIT_DROP);
    s.task_drop = sum(SG_CNT_TASK_DROP);
    s.cap_trunc = sum(SG_CNT_CAP_TRUNC);
    s.inflight_full = sum(SG_CNT_INFLIGHT_FULL);
    s.zap_drop = sum(SG_CNT_ZAP_DROP);
    s.zap_rate = sum(SG_CNT_ZAP_RATE);
    s.zap_procs_full = sum(SG_CNT_ZAP_PROCS_FULL);
    s.signal_drop = sum(SG_CNT_SIGNAL_DROP);
    return s;
  }

  std::vector<CountRow> counts() override {
    std::vector<CountRow> out;
    if (!skel_) return out;
    int ncpu = libbpf_num_possible_cpus();
    std::vector<sg_count> v(static_cast<size_t>(ncpu));
    int fd = bpf_map__fd(skel_->maps.counts);
    for (uint32_t nr = 0; nr < SG_MAX_SYSCALLS; ++nr) {
      if (bpf_map_lookup_elem(fd, &nr, v.data()) != 0) continue;
      CountRow r{static_cast<int>(nr), 0, 0, 0, 0};
      for (const auto& c : v) {
        r.calls += c.calls;
        r.errors += c.errors;
        r.total_ns += c.total_ns;
        r.max_ns = std::max<uint64_t>(r.max_ns, c.max_ns);
      }
      if (r.calls || r.errors) out.push_back(r);
    }
    return out;
  }

  void close() override {
    for (auto* l : links_) bpf_link__destroy(l);
    links_.clear();
    if (ring_) ring_buffer__free(ring_);
    ring_ = nullptr;
    cgroup_fd_.reset();
    if (skel_) sysgate_bpf__destroy(skel_);
    skel_ = nullptr;
  }

 private:
  static int on_record(void* ctx, void* data, size_t len) {
    static_cast<EbpfBackend*>(ctx)->sink_(data, len);
    return 0;
  }

  void configure_zap(const ZapConfig& z) {
    auto* ro = skel_->rodata;
    // seccomp --before, --now: user space decides; the kernel side only times
    ro->zap_mode = z.user_decides ? 3 : z.in_kernel ? 1 : 2;
    ro->zap_at = z.at == ZapAt::Exit ? SG_ZAP_AT_EXIT : SG_ZAP_AT_ENTRY;
    ro->zap_nth = z.nth;
    ro->zap_signal = z.signal;
    ro->zap_force = z.force;
    ro->zap_max_per_sec = z.max_per_sec;
    ro->zap_max_total = static_cast<__u32>(std::min<uint64_t>(z.max_total, UINT32_MAX));
    ro->zap_nmatch = static_cast<__u32>(z.matches.size());
    for (size_t i = 0; i < z.matches.size(); ++i) {
      const ArgMatch& m = z.matches[i];
      auto* d = const_cast<sg_arg_match*>(&ro->zap_match[i]);
      d->index = static_cast<__u8>(m.index);
      d->op = m.op == ArgMatch::Op::Eq     ? SG_MATCH_EQ
              : m.op == ArgMatch::Op::Bits ? SG_MATCH_BITS
                                           : SG_MATCH_PREFIX;
      d->value = m.value;
      d->mask = m.mask;
      d->len = static_cast<__u16>(m.prefix.size());  // <= SG_PREFIX_MAX: validate()
      memcpy(d->prefix, m.prefix.data(), m.prefix.size());
    }
  }

  void set_bit(pid_t tgid) {
    if (!skel_ || tgid <= 0) return;
    uint32_t idx = static_cast<uint32_t>(tgid) >> 6;
    int fd = bpf_map__fd(skel_->maps.targets);
    uint64_t w = 0;
    // user space only adds targets before and while the kernel side also sets
    // bits; a lost race only delays a bit the kernel sets atomically itself.
    bpf_map_lookup_elem(fd, &idx, &w);
    w |= 1ULL << (static_cast<uint32_t>(tgid) & 63);
    bpf_map_update_elem(fd, &idx, &w, BPF_ANY);
  }

  void fill_specs() {
    int fd = bpf_map__fd(skel_->maps.sys_spec);
    for (const auto& info : syscall_table()) {
      if (info.nr < 0 || info.nr >= SG_MAX_SYSCALLS) continue;
      sg_sys_spec s = capture_spec(info, cfg_.limits);
      const size_t nr = static_cast<size_t>(info.nr);
      if (nr < zap_set_.size() && zap_set_[nr]) s.flags |= SG_SYS_TRACED;
      if (stream_ && nr < cfg_.streamed.size() && cfg_.streamed[nr]) s.flags |= SG_SYS_STREAM;
      uint32_t key = static_cast<uint32_t>(info.nr);
      bpf_map_update_elem(fd, &key, &s, BPF_ANY);
    }
    // numbers the build's uapi header does not know (newer kernels): raw values
    for (uint32_t nr = 0; nr < SG_MAX_SYSCALLS; ++nr) {
      if (syscall_by_nr(static_cast<int>(nr))) continue;
      if (nr >= zap_set_.size() || !zap_set_[nr]) continue;
      sg_sys_spec s{};
      s.flags = SG_SYS_TRACED;
      bpf_map_update_elem(fd, &nr, &s, BPF_ANY);
    }
  }

  void set_cgroup(const std::string& path) {
    cgroup_fd_.reset(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!cgroup_fd_)
      throw UsageError(
          fmt::format("--cgroup {}: {} (give a cgroup v2 directory such as "
                      "/sys/fs/cgroup/system.slice/foo.service)",
                      path, strerror(errno)));
    uint32_t key = 0;
    int cgfd = cgroup_fd_.get();
    if (bpf_map_update_elem(bpf_map__fd(skel_->maps.cgroups), &key, &cgfd, BPF_ANY) != 0)
      throw UsageError(
          fmt::format("--cgroup {}: not a cgroup v2 directory ({})", path, strerror(errno)));
  }

  void attach_prog(bpf_program* p) {
    bpf_link* l = bpf_program__attach(p);
    if (!l) fail_attach(bpf_program__name(p), errno);
    links_.push_back(l);
  }

  [[noreturn]] void fail_attach(const std::string& what, int e) {
    close();
    throw Error(fmt::format("cannot attach {}: {}", what, strerror(e)));
  }

  void attach() {
    attach_prog(skel_->progs.on_fork);
    attach_prog(skel_->progs.on_exec);
    attach_prog(skel_->progs.on_exit);
    const bool trace = cfg_.mode == Mode::Trace;
    const bool zap = cfg_.mode == Mode::Zap;
    if (trace) {
      attach_prog(skel_->progs.trace_signal);
      attach_prog(skel_->progs.trace_signal_fatal);
    }
    if (zap) {
      attach_prog(skel_->progs.zap_deliver);
      // raw attach: raw_zap_enter sees exit_group itself
      if (per_syscall_) attach_prog(skel_->progs.zap_exit_group);
    }
    const bool zap_exit = zap && ((cfg_.zap.at == ZapAt::Exit && cfg_.zap.in_kernel) || stream_);
    if (zap && cfg_.zap.user_decides) {
      // seccomp --before, --now: sysgate acts; only the exit timing runs in the kernel,
      // so the selected calls cost nothing more than the filter (raw: exit_group's own
      // check in raw_zap_enter, for every call)
      if (!per_syscall_) attach_prog(skel_->progs.raw_zap_enter);
      attach_desc_ = per_syscall_ ? "1 syscall tracepoint" : "raw_syscalls";
      return;
    }
    if (!per_syscall_) {
      if (zap) {
        attach_prog(skel_->progs.raw_zap_enter);
        if (zap_exit) attach_prog(skel_->progs.raw_zap_exit);
      } else {
        attach_prog(trace ? skel_->progs.raw_trace_enter : skel_->progs.raw_count_enter);
        attach_prog(trace ? skel_->progs.raw_trace_exit : skel_->progs.raw_count_exit);
      }
      attach_desc_ = "raw_syscalls";
      return;
    }
    size_t n = 0;
    for (const auto& [nr, name] : tracepoints_) {
      const SyscallInfo* info = syscall_by_nr(nr);
      std::string ent = "sys_enter_" + name;
      std::string ext = "sys_exit_" + name;
      bpf_program* enter = zap     ? skel_->progs.tp_zap_enter
                           : trace ? skel_->progs.tp_trace_enter
                                   : skel_->progs.tp_count_enter;
      bpf_link* l = bpf_program__attach_tracepoint(enter, "syscalls", ent.c_str());
      if (!l) fail_attach("syscalls/" + ent, errno);
      links_.push_back(l);
      // exit_group and exit never return; zap needs the exit only for --at exit
      if ((!zap || zap_exit) && (!info || info->ret_kind != "noreturn")) {
        l = bpf_program__attach_tracepoint(zap     ? skel_->progs.tp_zap_exit
                                           : trace ? skel_->progs.tp_trace_exit
                                                   : skel_->progs.tp_count_exit,
                                           "syscalls", ext.c_str());
        if (!l) fail_attach("syscalls/" + ext, errno);
        links_.push_back(l);
      }
      ++n;
    }
    attach_desc_ = fmt::format("{} syscall tracepoint{}", n, n == 1 ? "" : "s");
  }

  // Per-syscall attachment: one syscalls/sys_{enter,exit}_NAME pair per
  // selected syscall. A selected syscall without such a tracepoint:
  //  - named in sysgate's table: the running kernel does not implement it (every
  //    implemented syscall has its SYSCALL_DEFINE tracepoints when the kernel has
  //    any; getpmsg, putpmsg, the module calls without CONFIG_MODULES ...), so a
  //    call to it only fails with ENOSYS. It is left out with one notice line
  //    and the other syscalls keep the cheap per-syscall attachment: selecting a
  //    class (%network holds getpmsg and putpmsg) never fails.
  //  - a bare number the table does not name (-e syscall_470 on a kernel newer
  //    than the table): no tracepoint name is known, so the whole session falls
  //    back to the raw attachment, whose programs filter by SG_SYS_TRACED.
  // Without readable tracefs (CAP_BPF + CAP_PERFMON, not root) no tracepoint id
  // can be read: raw attachment, with a notice.
  void plan_per_syscall() {
    std::string why;
    if (tracefs_state(&why) != Tracefs::Ready) {
      notice(
          fmt::format("{}: attaching to raw_syscalls (every syscall) instead of per-syscall "
                      "tracepoints",
                      why));
      per_syscall_ = false;
      return;
    }
    std::vector<std::string> absent, unnamed;
    for (size_t nr = 0; nr < cfg_.syscalls.size(); ++nr) {
      if (!cfg_.syscalls[nr]) continue;
      const SyscallInfo* info = syscall_by_nr(static_cast<int>(nr));
      if (!info) {
        unnamed.push_back(fmt::format("syscall_{}", nr));
        continue;
      }
      std::string name = kernel_syscall_name(info->name);
      // AT_EACCESS: with this process's capabilities (plain access() drops them)
      std::string dir = fmt::format("{}/events/syscalls/sys_enter_{}", kTracefs, name);
      if (faccessat(AT_FDCWD, dir.c_str(), F_OK, AT_EACCESS) != 0) {
        if (errno != ENOENT) {  // unreadable after all: claim nothing about the kernel
          notice(
              fmt::format("{}: {}: attaching to raw_syscalls (every syscall) instead of "
                          "per-syscall tracepoints",
                          dir, strerror(errno)));
          per_syscall_ = false;
          tracepoints_.clear();
          return;
        }
        absent.push_back(std::string(info->name));
        continue;
      }
      tracepoints_.emplace_back(static_cast<int>(nr), name);
    }
    if (!unnamed.empty()) {
      notice(
          fmt::format("{}: no name in sysgate's syscall table, so no tracepoint to attach: "
                      "attaching to raw_syscalls (every syscall) instead",
                      join_names(unnamed)));
      per_syscall_ = false;
      tracepoints_.clear();
      return;
    }
    if (!absent.empty())
      notice(
          fmt::format("{}: the running kernel has no such syscall (no tracepoint "
                      "syscalls/sys_enter_*), not traced",
                      join_names(absent)));
  }

  SessionConfig cfg_;
  RecordSink sink_;
  std::vector<std::pair<int, std::string>> tracepoints_;  // per-syscall: nr, kernel name
  std::vector<bool> zap_set_;  // the --on calls (cfg_.syscalls: with zap -y's streamed ones)
  bool stream_ = false;        // zap -y: the streamed calls are reported
  sysgate_bpf* skel_ = nullptr;
  ring_buffer* ring_ = nullptr;
  std::vector<bpf_link*> links_;
  UniqueFd cgroup_fd_;
  bool per_syscall_ = false;
  std::string attach_desc_;
};

}  // namespace

// What loading sysgate's programs takes: CAP_SYS_ADMIN (root), or CAP_BPF with CAP_PERFMON.
bool ebpf_privileged() {
  return has_cap(CAP_SYS_ADMIN) || (has_cap(CAP_BPF) && has_cap(CAP_PERFMON));
}

// Whether the running kernel lets a BPF program make a call fail without running it
// (bpf_override_return: CONFIG_BPF_KPROBE_OVERRIDE), probed by loading a tiny program.
bool ebpf_override_available() {
  // the helper is of use only on a kprobe (this host has no kprobes at all), and libbpf's
  // probe answers yes for a program type the kernel cannot load
  if (access("/sys/bus/event_source/devices/kprobe", F_OK) != 0) return false;
  libbpf_set_print(nullptr);
  int r = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_override_return, nullptr);
  libbpf_set_print(libbpf_log);
  return r == 1;
}

std::unique_ptr<Backend> make_ebpf_backend() { return std::make_unique<EbpfBackend>(); }

}  // namespace sysgate
