// SPDX-License-Identifier: Apache-2.0
// What the kernel side captures for each argument kind of the schema. One
// function, shared by every backend, turns the syscall table into the
// sg_sys_spec rows the kernel reads.
#pragma once

#include <cstddef>
#include <string_view>

#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace sysgate {

struct CaptureLimits {
  uint32_t path_max = 4096;  // path strings
  uint32_t str_max = 256;    // other strings (names, argv elements)
  uint32_t buf_max = 32;     // buffer previews (strace -s)
};

// sizeof the struct an in:/out:/inout: argument points to (x86-64), 0 if unknown.
size_t struct_size(std::string_view type);

// The capture spec of one syscall (flags without SG_SYS_TRACED).
sg_sys_spec capture_spec(const SyscallInfo& info, const CaptureLimits& limits);

}  // namespace sysgate
