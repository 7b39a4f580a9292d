// SPDX-License-Identifier: Apache-2.0
// CLOCK_MONOTONIC in nanoseconds: the clock of bpf_ktime_get_ns() and of the module's
// ktime_get_ns(), so user-space times compare with the kernel side's.
#pragma once

#include <time.h>

#include <cstdint>

namespace sysgate {

inline int64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace sysgate
