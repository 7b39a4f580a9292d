// SPDX-License-Identifier: Apache-2.0
// A classic-BPF seccomp filter over the x86-64 system-call numbers: the selected ones
// (in ranges) get `selected`, the others SECCOMP_RET_ALLOW, calls of other ABIs (i386,
// x32) `other_abi`.
#pragma once

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sysgate_abi.h"

namespace sysgate {

inline std::vector<sock_filter> seccomp_filter(const std::vector<bool>& syscalls, uint32_t selected,
                                               uint32_t other_abi) {
  std::vector<sock_filter> f;
  auto stmt = [&](uint16_t code, uint32_t k) { f.push_back(BPF_STMT(code, k)); };
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
  f.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  stmt(BPF_RET | BPF_K, other_abi);
  stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
  const int n = static_cast<int>(std::min<size_t>(syscalls.size(), SG_MAX_SYSCALLS));
  // ranges of selected numbers: [a, b] -> selected
  for (int a = 0; a < n; ++a) {
    if (!syscalls[a]) continue;
    int b = a;
    while (b + 1 < n && syscalls[b + 1]) ++b;
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, static_cast<uint32_t>(a), 0, 2));
    f.push_back(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(b), 1, 0));
    stmt(BPF_RET | BPF_K, selected);
    a = b;
  }
  stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  return f;
}

}  // namespace sysgate
