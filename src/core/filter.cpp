// SPDX-License-Identifier: Apache-2.0
#include "sysgate/filter.hpp"

#include <fmt/format.h>

#include <charconv>
#include <string>

#include "sysgate/error.hpp"
#include "sysgate/parse.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace sysgate {

std::vector<bool> parse_syscall_filter(std::string_view expr) {
  std::vector<bool> sel(SG_MAX_SYSCALLS, false);
  if (expr.starts_with("trace=")) expr.remove_prefix(6);
  if (expr.empty() || expr == "all") {
    for (const auto& s : syscall_table())
      if (s.nr >= 0) sel[s.nr] = true;
    return sel;
  }
  bool first = true;
  for (std::string_view tok : split_list(expr)) {
    if (tok.empty()) throw UsageError(fmt::format("-e '{}': empty syscall name", expr));
    bool neg = tok.starts_with('!');
    if (neg) tok.remove_prefix(1);
    if (first && neg)  // "!write": everything but write
      for (const auto& s : syscall_table())
        if (s.nr >= 0) sel[s.nr] = true;
    first = false;
    if (tok.starts_with('%')) {
      uint32_t cls = class_by_name(tok);
      if (!cls) {
        std::string known;
        for (auto c : class_names()) known += fmt::format("{}%{}", known.empty() ? "" : ", ", c);
        throw UsageError(fmt::format("-e: unknown syscall class '{}' (known: {})", tok, known));
      }
      for (const auto& s : syscall_table())
        if (s.nr >= 0 && (s.classes & cls)) sel[s.nr] = !neg;
      continue;
    }
    if (tok == "all") {
      for (const auto& s : syscall_table())
        if (s.nr >= 0) sel[s.nr] = !neg;
      continue;
    }
    const SyscallInfo* info = syscall_by_name(tok);
    int nr = -1;
    if (info) {
      nr = info->nr;
    } else if (tok.starts_with("syscall_")) {  // numbers newer than the build's headers
      auto digits = tok.substr(8);
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), nr);
      if (ec != std::errc() || p != digits.data() + digits.size() || nr < 0 ||
          nr >= SG_MAX_SYSCALLS)
        nr = -1;
    }
    if (nr < 0) {
      auto near = closest_syscalls(tok);
      std::string hint;
      for (auto n : near) hint += fmt::format("{}{}", hint.empty() ? "" : ", ", n);
      throw UsageError(fmt::format("-e: unknown syscall '{}'{}", tok,
                                   hint.empty() ? std::string(" (see 'sysgate list')")
                                                : fmt::format(" (did you mean {}?)", hint)));
    }
    sel[nr] = !neg;
  }
  return sel;
}

}  // namespace sysgate
