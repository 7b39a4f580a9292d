// SPDX-License-Identifier: Apache-2.0
// Parsers of option values that need the syscall table (unit-tested apart from the CLI).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/backend.hpp"

namespace sysgate {

// The items of a comma-separated list, empty ones kept: "a,,b" is {"a", "", "b"} and ""
// is {""} (each caller says what an empty item means).
std::vector<std::string_view> split_list(std::string_view list);
// "200ms", "1.5s", "500us", "2m", "100ns"; a bare number is seconds. Throws UsageError.
uint64_t parse_duration_ns(const std::string& text, const std::string& option);
// -e as strace refuses it: empty, "!" alone, or "trace=" with nothing after it.
void check_filter_text(const std::string& text, const std::string& option);
// --arg I=VALUE against the selected syscalls (I: 0-based index or argument name).
// VALUE: a number, &BITS, or for path/str arguments a prefix. Throws UsageError.
ArgMatch parse_arg_match(const std::string& text, const std::vector<bool>& selected);

}  // namespace sysgate
