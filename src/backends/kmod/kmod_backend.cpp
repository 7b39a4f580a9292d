// SPDX-License-Identifier: Apache-2.0
// The kernel-module backend: drives kmod/sysgate_kmod.ko through /dev/sysgate.
// Same session config, same ABI records, same decoders and outputs as eBPF.
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "sysgate/backend.hpp"
#include "sysgate/error.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"
#include "sysgate_kmod.h"
#include "sysgate_match.h"

namespace sysgate {

namespace {

// A --probe SYMBOL[+OFFSET]: the symbol and offset, or a usage error.
std::pair<std::string, uint64_t> parse_probe(const std::string& spec) {
  auto plus = spec.find('+');
  std::string sym = spec.substr(0, plus);
  if (sym.empty() || sym.size() >= SG_KMOD_SYM_LEN)
    throw UsageError(fmt::format("--probe '{}': give SYMBOL or SYMBOL+OFFSET", spec));
  uint64_t off = 0;
  if (plus != std::string::npos) {
    char* end = nullptr;
    errno = 0;
    off = std::strtoull(spec.c_str() + plus + 1, &end, 0);
    if (errno || !end || *end || end == spec.c_str() + plus + 1 || spec[plus + 1] == '-')
      throw UsageError(fmt::format("--probe '{}': the offset must be a number (e.g. +0x10)", spec));
  }
  return {sym, off};
}

// Every option the kmod backend takes, checked before the module is loaded or
// the device opened: a bad value leaves nothing behind. The module refuses the
// same values (sysgate_match.h), so user space never sends what it would cut.
void validate(const SessionConfig& cfg) {
  if (cfg.attach != "auto")
    throw UsageError(
        fmt::format("--attach {}: an ebpf backend option (the kmod backend puts "
                    "kretprobes on the syscall functions)",
                    cfg.attach));
  if (cfg.targets.comms.size() > SG_MAX_COMMS)
    throw UsageError(fmt::format("at most {} -n/--comm names can be given", SG_MAX_COMMS));
  if (cfg.zap.max_per_sec)
    throw UsageError("--max-rate is not supported by the kmod backend yet; use --backend ebpf");
  if (!cfg.targets.cgroup.empty())
    throw UsageError("--cgroup is not supported by the kmod backend yet; use -p, -n or a command");
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
  size_t selected = 0;
  for (size_t nr = 0; nr < cfg.syscalls.size(); ++nr)
    selected += cfg.syscalls[nr] && syscall_by_nr(static_cast<int>(nr));
  if (selected + cfg.probes.size() > SG_KMOD_MAX_PROBES)
    throw UsageError(fmt::format(
        "the kmod backend puts one kretprobe per syscall and one kprobe per --probe, at most {} "
        "in all; {} are asked for: narrow them with -e",
        SG_KMOD_MAX_PROBES, selected + cfg.probes.size()));
  for (const auto& p : cfg.probes) (void)parse_probe(p);
}

class KmodBackend final : public Backend {
 public:
  explicit KmodBackend(std::string module_path) : module_path_(std::move(module_path)) {}
  ~KmodBackend() override { close(); }

  void open(const SessionConfig& cfg, RecordSink sink) override {
    cfg_ = cfg;
    sink_ = std::move(sink);
    validate(cfg);
    if (geteuid() != 0) throw Error("the kmod backend needs root: run sysgate with sudo");
    if (access(SG_KMOD_DEVICE, F_OK) != 0) load_module();
    fd_ = ::open(SG_KMOD_DEVICE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd_ < 0) {
      int e = errno;
      if (e == EBUSY)
        throw Error(
            fmt::format("{} is in use by another sysgate session (one at a time)", SG_KMOD_DEVICE));
      throw Error(fmt::format("cannot open {}: {}", SG_KMOD_DEVICE, strerror(e)));
    }

    sg_kmod_config c{};
    c.abi_version = SG_ABI_VERSION;
    c.size = sizeof c;
    c.mode = cfg.mode == Mode::Trace   ? SG_KMOD_TRACE
             : cfg.mode == Mode::Count ? SG_KMOD_COUNT
                                       : SG_KMOD_ZAP;
    c.self_tgid = static_cast<__u32>(getpid());
    c.match_all = cfg.targets.all;
    c.follow = cfg.targets.follow;
    c.launch_tgid = static_cast<__u32>(cfg.launch);
    c.ncomm = static_cast<__u32>(cfg.targets.comms.size());
    for (size_t i = 0; i < cfg.targets.comms.size(); ++i)
      strncpy(c.comms[i], cfg.targets.comms[i].c_str(), SG_COMM_LEN - 1);
    size_t ring = 4096;
    while (ring < cfg.ring_bytes && ring < (256u << 20)) ring <<= 1;
    c.ring_bytes = static_cast<__u32>(ring);
    c.zap_nth = cfg.zap.nth;
    c.zap_signal = cfg.zap.signal;
    c.zap_force = cfg.zap.force;
    c.zap_in_kernel = cfg.zap.in_kernel;
    c.zap_at = cfg.zap.at == ZapAt::Exit ? SG_ZAP_AT_EXIT : SG_ZAP_AT_ENTRY;
    c.zap_user = cfg.zap.user_decides;
    c.zap_max_total = static_cast<__u32>(std::min<uint64_t>(cfg.zap.max_total, UINT32_MAX));
    ctl(SG_IOC_CONFIG, &c, "configure the session");

    for (const auto& info : syscall_table()) {
      if (info.nr < 0 || info.nr >= SG_MAX_SYSCALLS) continue;
      sg_kmod_spec sp{};
      sp.nr = static_cast<__u32>(info.nr);
      sp.spec = capture_spec(info, cfg.limits);
      ctl(SG_IOC_SPEC, &sp, "set a capture spec");
    }
    for (const auto& m : cfg.zap.matches) {
      sg_arg_match am{};
      am.index = static_cast<__u8>(m.index);
      am.op = m.op == ArgMatch::Op::Eq     ? SG_MATCH_EQ
              : m.op == ArgMatch::Op::Bits ? SG_MATCH_BITS
                                           : SG_MATCH_PREFIX;
      am.value = m.value;
      am.mask = m.mask;
      am.len = static_cast<__u16>(m.prefix.size());  // <= SG_PREFIX_MAX: validate()
      memcpy(am.prefix, m.prefix.data(), am.len);
      ctl(SG_IOC_ARG_MATCH, &am, "set an argument condition");
    }
    std::vector<int> selected;
    for (size_t nr = 0; nr < cfg.syscalls.size(); ++nr)
      if (cfg.syscalls[nr] && syscall_by_nr(static_cast<int>(nr)))
        selected.push_back(static_cast<int>(nr));
    for (int nr : selected) {
      const SyscallInfo* info = syscall_by_nr(nr);
      sg_kmod_probe p{};
      p.nr = nr;
      strncpy(p.symbol, kernel_syscall_name(info->name).c_str(), sizeof p.symbol - 1);
      if (ioctl(fd_, SG_IOC_ADD_PROBE, &p) != 0) {
        int e = errno;
        fail(fmt::format("cannot probe __x64_sys_{}: {}", kernel_syscall_name(info->name),
                         e == ENOENT ? "no such kernel function" : strerror(e)));
      }
    }
    probe_names_.assign(selected.size(), std::string());
    for (const auto& spec : cfg.probes) {
      sg_kmod_probe p{};
      p.nr = -1;
      auto [sym, off] = parse_probe(spec);  // valid: validate()
      p.offset = off;
      strncpy(p.symbol, sym.c_str(), sizeof p.symbol - 1);
      if (ioctl(fd_, SG_IOC_ADD_PROBE, &p) != 0) {
        int e = errno;
        fail(fmt::format("--probe '{}': {}", spec,
                         e == ENOENT   ? "no such kernel symbol"
                         : e == EINVAL ? "the kernel cannot probe there (not an instruction "
                                         "boundary, or a blacklisted function)"
                                       : strerror(e)),
             e == ENOENT || e == EINVAL);
      }
      if (p.id >= probe_names_.size()) probe_names_.resize(p.id + 1);
      probe_names_[p.id] = fmt::format("{}+{:#x}", sym, p.offset);
    }
    attach_desc_ = fmt::format("{} kretprobe{}{}", selected.size(), selected.size() == 1 ? "" : "s",
                               cfg.probes.empty() ? ""
                                                  : fmt::format(", {} kprobe{}", cfg.probes.size(),
                                                                cfg.probes.size() == 1 ? "" : "s"));
    buf_.resize(1 << 20);
    // the fork/exec/exit helpers go live now: a command launched next is followed from its execve
    ctl(SG_IOC_START, nullptr, "start");
  }

  void add_target(pid_t tgid) override {
    sg_kmod_target t{static_cast<__u32>(tgid), 0};
    if (fd_ >= 0) ioctl(fd_, SG_IOC_TARGET, &t);
  }

  int poll(int timeout_ms) override {
    if (fd_ < 0) return 0;
    pollfd p{fd_, POLLIN, 0};
    if (timeout_ms && ::poll(&p, 1, timeout_ms) <= 0) return 0;
    int n = 0;
    for (;;) {
      ssize_t got = read(fd_, buf_.data(), buf_.size());
      if (got <= 0) break;
      size_t off = 0;
      while (off + sizeof(sg_hdr) <= static_cast<size_t>(got)) {
        sg_hdr h;
        memcpy(&h, buf_.data() + off, sizeof h);
        if (h.size < sizeof h || off + h.size > static_cast<size_t>(got)) {
          ++malformed_;  // the rest of this read cannot be framed: counted, not trusted
          break;
        }
        sink_(buf_.data() + off, h.size);
        off += h.size;
        ++n;
      }
    }
    return n;
  }

  BackendStats stats() override {
    BackendStats s;
    s.attach = attach_desc_;
    s.malformed = malformed_;
    sg_kmod_stats st{};
    if (fd_ < 0 || ioctl(fd_, SG_IOC_STATS, &st) != 0) return s;
    s.enter_seen = st.counters[SG_CNT_ENTER_SEEN];
    s.enter_drop = st.counters[SG_CNT_ENTER_DROP];
    s.exit_drop = st.counters[SG_CNT_EXIT_DROP];
    s.task_drop = st.counters[SG_CNT_TASK_DROP];
    s.cap_trunc = st.counters[SG_CNT_CAP_TRUNC];
    s.zap_drop = st.counters[SG_CNT_ZAP_DROP];
    s.zap_procs_full = st.counters[SG_CNT_ZAP_PROCS_FULL];
    s.signal_drop = st.counters[SG_CNT_SIGNAL_DROP];
    // kprobe hits the kernel could not run (nmissed) are losses too
    s.enter_drop += st.kprobe_missed;
    return s;
  }

  std::vector<CountRow> counts() override {
    std::vector<CountRow> out;
    std::vector<sg_count> rows(SG_MAX_SYSCALLS);
    sg_kmod_counts req{reinterpret_cast<uintptr_t>(rows.data()),
                       static_cast<__u32>(rows.size() * sizeof(sg_count)), 0};
    if (fd_ < 0 || ioctl(fd_, SG_IOC_COUNTS, &req) != 0) return out;
    for (int nr = 0; nr < SG_MAX_SYSCALLS; ++nr) {
      const sg_count& c = rows[static_cast<size_t>(nr)];
      if (c.calls || c.errors) out.push_back({nr, c.calls, c.errors, c.total_ns, c.max_ns});
    }
    return out;
  }

  void close() override {
    if (fd_ >= 0) ::close(fd_);  // the module unregisters every probe on release
    fd_ = -1;
  }

 private:
  void load_module() {
    if (module_path_.empty())
      throw Error(
          fmt::format("{} does not exist: load the module (insmod sysgate_kmod.ko) or give "
                      "--kmod-path PATH/sysgate_kmod.ko",
                      SG_KMOD_DEVICE));
    int mfd = ::open(module_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (mfd < 0) throw UsageError(fmt::format("--kmod-path {}: {}", module_path_, strerror(errno)));
    long r = syscall(SYS_finit_module, mfd, "", 0);
    int e = errno;
    ::close(mfd);
    if (r != 0 && e != EEXIST) {
      if (e == ENOSYS)
        throw Error(
            "the running kernel cannot load modules (CONFIG_MODULES is off): use --backend ebpf");
      throw Error(fmt::format("cannot load {}: {}{}", module_path_, strerror(e),
                              e == ENOEXEC ? " (built for another kernel?)" : ""));
    }
    // devtmpfs creates the node asynchronously
    for (int i = 0; i < 100 && access(SG_KMOD_DEVICE, F_OK) != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  void ctl(unsigned long req, void* arg, const char* what) {
    if (ioctl(fd_, req, arg) != 0)
      fail(fmt::format("the sysgate module refused to {}: {}", what, strerror(errno)));
  }

  [[noreturn]] void fail(const std::string& msg, bool usage = false) {
    close();
    if (usage) throw UsageError(msg);
    throw Error(msg);
  }

  std::string module_path_;
  SessionConfig cfg_;
  RecordSink sink_;
  int fd_ = -1;
  std::string attach_desc_;
  std::vector<char> buf_;
  uint64_t malformed_ = 0;
  std::vector<std::string> probe_names_;

 public:
  std::string probe_name(uint32_t id) const override {
    return id < probe_names_.size() && !probe_names_[id].empty() ? probe_names_[id]
                                                                 : std::to_string(id);
  }
};

}  // namespace

std::unique_ptr<Backend> make_kmod_backend(const std::string& module_path) {
  return std::make_unique<KmodBackend>(module_path);
}

}  // namespace sysgate
