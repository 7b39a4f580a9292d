// SPDX-License-Identifier: Apache-2.0
#include "sysgate/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "sysgate/error.hpp"
#include "sysgate/syscalls.hpp"

namespace sysgate {

std::vector<std::string_view> split_list(std::string_view list) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    out.push_back(list.substr(pos, comma == list.npos ? list.npos : comma - pos));
    pos = comma == list.npos ? list.size() + 1 : comma + 1;
  }
  return out;
}

uint64_t parse_duration_ns(const std::string& text, const std::string& option) {
  size_t i = 0;
  while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  std::string num = text.substr(0, i), unit = text.substr(i);
  double v = -1;
  if (!num.empty()) {
    auto [p, ec] =
        std::from_chars(num.data(), num.data() + num.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || p != num.data() + num.size()) v = -1;
  }
  double mult = unit.empty() || unit == "s" ? 1e9
                : unit == "ms"              ? 1e6
                : unit == "us"              ? 1e3
                : unit == "ns"              ? 1
                : unit == "m"               ? 60e9
                                            : -1;
  if (v < 0 || mult < 0 || !std::isfinite(v * mult) || v * mult > 1e18)
    throw UsageError(
        fmt::format("{} '{}': give a duration such as 200ms, 1.5s, 500us or 2m", option, text));
  return static_cast<uint64_t>(v * mult);
}

void check_filter_text(const std::string& text, const std::string& option) {
  std::string_view v(text);
  if (v.starts_with("trace=")) v.remove_prefix(6);
  if (v.empty() || v == "!")
    throw UsageError(
        fmt::format("{} '{}': give syscall names or %classes, e.g. {} openat,close, "
                    "{} %file or {} '!write'",
                    option, text, option, option, option));
}

ArgMatch parse_arg_match(const std::string& text, const std::vector<bool>& selected) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw UsageError(
        fmt::format("--arg '{}': use I=VALUE, e.g. --arg 0=1 (fd 1) or --arg "
                    "filename=/etc/shadow",
                    text));
  std::string key = text.substr(0, eq), val = text.substr(eq + 1);
  ArgMatch m;
  const ArgSpec* spec = nullptr;
  bool numeric_key = std::all_of(key.begin(), key.end(),
                                 [](char c) { return isdigit(static_cast<unsigned char>(c)); });
  if (numeric_key) {
    auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), m.index);
    if (ec != std::errc() || p != key.data() + key.size() || m.index > 5)
      throw UsageError(fmt::format("--arg '{}': argument index is 0 to 5", text));
  } else {
    m.index = -1;
  }
  for (size_t nr = 0; nr < selected.size(); ++nr) {
    if (!selected[nr]) continue;
    const SyscallInfo* s = syscall_by_nr(static_cast<int>(nr));
    if (!s || !s->args_known) continue;
    for (int i = 0; i < s->nargs; ++i) {
      if ((numeric_key && i == m.index) || (!numeric_key && s->args[i].name == key)) {
        if (!spec) {
          spec = &s->args[i];
          m.index = i;
        }
      }
    }
  }
  if (m.index < 0)
    throw UsageError(
        fmt::format("--arg '{}': no selected syscall has an argument named '{}'", text, key));
  const std::string_view kind = spec ? spec->kind : std::string_view("uint");
  if (kind == "path" || kind == "str") {
    m.op = ArgMatch::Op::Prefix;
    m.prefix = val;
    return m;
  }
  bool bits = val[0] == '&';
  std::string num = bits ? val.substr(1) : val;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(num.c_str(), &end, 0);
  if (errno || end == num.c_str() || *end) {
    errno = 0;
    unsigned long long u = std::strtoull(num.c_str(), &end, 0);
    if (errno || end == num.c_str() || *end)
      throw UsageError(fmt::format(
          "--arg '{}': '{}' is not a number (use 0x40 or &0x40 for flag bits)", text, num));
    v = static_cast<long long>(u);
  }
  static const std::string_view k64[] = {"uint", "hex", "ptr", "clone_flags", "mmap_flags"};
  bool wide = std::find(std::begin(k64), std::end(k64), kind) != std::end(k64);
  m.mask = wide ? ~uint64_t{0} : 0xffffffffu;
  m.value = static_cast<uint64_t>(v) & m.mask;
  m.op = bits ? ArgMatch::Op::Bits : ArgMatch::Op::Eq;
  return m;
}

}  // namespace sysgate
