// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include "sysgate/backend.hpp"
#include "sysgate/error.hpp"

namespace sysgate {

std::unique_ptr<Backend> make_ebpf_backend();
std::unique_ptr<Backend> make_kmod_backend(const std::string& module_path);
std::unique_ptr<Backend> make_ptrace_backend(const SessionConfig& cfg);

bool ebpf_privileged();

std::string choose_backend(const std::string& asked, const SessionConfig& cfg, bool* fallback) {
  *fallback = false;
  if (!cfg.inject.empty()) {
    // changing a call's result from BPF needs bpf_override_return, which neither kernel
    // sysgate is built and tested on allows; the kernel module has no such hook either
    if (asked == "ebpf" || asked == "kmod")
      throw UsageError(fmt::format(
          "--backend {}: -e inject=/fault= needs the ptrace backend (--backend ptrace, or leave "
          "out --backend): the kernels here have no bpf_override_return "
          "(CONFIG_BPF_KPROBE_OVERRIDE, CONFIG_FUNCTION_ERROR_INJECTION)",
          asked));
    const TargetSpec& t = cfg.targets;
    if (t.all || !t.comms.empty() || !t.cgroup.empty())
      throw UsageError(fmt::format(
          "-e inject=/fault= needs the ptrace backend, which traces a launched command or -p PID "
          "only: leave out {}",
          t.all              ? "-a"
          : !t.comms.empty() ? "-n"
                             : "--cgroup"));
    if (asked.empty()) {
      *fallback = true;
      return "ptrace";
    }
  }
  if (!asked.empty()) return asked;
  if (ebpf_privileged()) return "ebpf";
  const TargetSpec& t = cfg.targets;
  if (t.all || !t.comms.empty() || !t.cgroup.empty()) return "ebpf";  // its error says why
  *fallback = true;
  return "ptrace";
}

std::unique_ptr<Backend> make_backend(const std::string& name, const SessionConfig& cfg) {
  // Each backend checks the rest of its own options when it opens; the ones that
  // only one backend takes are refused here for the others.
  if (name == "ebpf") {
    if (!cfg.kmod_path.empty())
      throw UsageError("--kmod-path is for --backend kmod; the ebpf backend loads no module");
    if (!cfg.probes.empty())
      throw UsageError(
          "--probe needs --backend kmod (the ebpf backend attaches to tracepoints only)");
    return make_ebpf_backend();
  }
  if (name == "kmod") return make_kmod_backend(cfg.kmod_path);
  if (name == "ptrace") return make_ptrace_backend(cfg);
  if (name == "seccomp")
    throw UsageError(
        "--backend seccomp: not built yet in this version (available: ebpf, kmod, ptrace)");
  throw UsageError(
      fmt::format("--backend '{}': unknown backend (available: ebpf, kmod, ptrace)", name));
}

}  // namespace sysgate
