// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include "sysgate/backend.hpp"
#include "sysgate/error.hpp"

namespace sysgate {

std::unique_ptr<Backend> make_ebpf_backend();
std::unique_ptr<Backend> make_kmod_backend(const std::string& module_path);

std::unique_ptr<Backend> make_backend(const std::string& name, const std::string& kmod_path) {
  if (name == "ebpf") return make_ebpf_backend();
  if (name == "kmod") return make_kmod_backend(kmod_path);
  if (name == "ptrace" || name == "seccomp")
    throw UsageError(fmt::format("--backend {}: not built yet in this version (available: ebpf, kmod)", name));
  throw UsageError(fmt::format("--backend {}: unknown backend (available: ebpf, kmod)", name));
}

}  // namespace sysgate
