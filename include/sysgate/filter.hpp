// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

namespace sysgate {

// Parses an -e/--syscalls list as strace does: "open,close", "%file,%net",
// "!write" (everything but), "all", an optional "trace=" prefix. Returns a
// selection indexed by syscall number. Throws UsageError naming the closest
// known names for an unknown one.
std::vector<bool> parse_syscall_filter(std::string_view expr);

}  // namespace sysgate
