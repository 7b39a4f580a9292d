// SPDX-License-Identifier: Apache-2.0
// The capture walker the kernel module uses (schema/sysgate_capture.h), over the memory
// of another process read with process_vm_readv: the ptrace backend's tracees and the
// calls the seccomp supervisor holds. who is the thread id.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

namespace sysgate {

inline int read_user_memory(void* who, void* dst, uint64_t src, size_t len) {
  pid_t tid = static_cast<pid_t>(reinterpret_cast<intptr_t>(who));
  iovec local{dst, len};
  iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(src)), len};
  return process_vm_readv(tid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len) ? 0 : -1;
}

}  // namespace sysgate

#define SG_CAP_READ(who, dst, src, len) sysgate::read_user_memory((who), (dst), (src), (len))
#include "sysgate_capture.h"
