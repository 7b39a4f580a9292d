// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include "sysgate/backend.hpp"
#include "sysgate/error.hpp"

namespace sysgate {

std::unique_ptr<Backend> make_ebpf_backend();

std::unique_ptr<Backend> make_backend(const std::string& name) {
  if (name == "ebpf") return make_ebpf_backend();
  if (name == "kmod" || name == "ptrace" || name == "seccomp")
    throw UsageError(fmt::format("--backend {}: not built yet in this version (available: ebpf)", name));
  throw UsageError(fmt::format("--backend {}: unknown backend (available: ebpf)", name));
}

}  // namespace sysgate
