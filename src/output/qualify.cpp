// SPDX-License-Identifier: Apache-2.0
// strace's -e QUALIFIER=SET, -S and -U, with strace's names and aliases.
#include "sysgate/qualify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <utility>

#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
#include "sysgate/parse.hpp"

namespace sysgate {

namespace {

struct Name {
  std::string_view name;
  uint64_t bits;
};

std::string names_of(std::span<const Name> names) {
  std::string out;
  for (const auto& n : names) out += fmt::format("{}{}", out.empty() ? "" : ", ", n.name);
  return out;
}

using Bits = std::bitset<65>;

// A strace set: "a,b", "!a,b" (everything but), "all", "none". lookup(token)
// returns the token's bits, none when it is unknown.
template <class Lookup>
Bits parse_set(std::string_view set, std::string_view what, Bits all, Lookup lookup,
               std::string_view known) {
  const std::string_view text = set;
  bool neg = set.starts_with('!');
  if (neg) set.remove_prefix(1);
  if (set.empty())
    throw UsageError(fmt::format("-e {}='{}': give a set such as {}", what, text, known));
  Bits bits;
  for (std::string_view tok : split_list(set)) {
    Bits b = tok == "all" ? all : tok.empty() || tok == "none" ? Bits() : lookup(tok);
    if (b.none() && tok != "none")
      throw UsageError(fmt::format("-e {}='{}': unknown {} '{}' (known: {}, all, none)", what, text,
                                   what, tok, known));
    bits |= b;
  }
  return neg ? all & ~bits : bits;
}

uint8_t parse_mask(std::string_view set, std::string_view what, uint8_t all,
                   std::span<const Name> names) {
  auto lookup = [&](std::string_view t) {
    for (const auto& n : names)
      if (n.name == t) return Bits(n.bits);
    return Bits();
  };
  return static_cast<uint8_t>(parse_set(set, what, Bits(all), lookup, names_of(names)).to_ulong());
}

constexpr Name kStatusNames[] = {
    {"successful", kStatusSuccessful}, {"failed", kStatusFailed},
    {"unfinished", kStatusUnfinished}, {"unavailable", kStatusUnavailable},
    {"detached", kStatusDetached},
};
constexpr Name kQuietNames[] = {
    {"attach", kQuietAttach},
    {"exit", kQuietExit},
    {"exits", kQuietExit},
    {"path-resolution", kQuietPathResolution},
    {"personality", kQuietPersonality},
    {"thread-execve", kQuietThreadExecve},
    {"superseded", kQuietSuperseded},
};
constexpr Name kDecodeFdsNames[] = {{"path", kFdPath}, {"socket", kFdSocket}, {"dev", kFdDev}};

// Qualifier names and their strace aliases (strace's filter_qualify.c).
enum class Q { Trace, Status, Signal, Quiet, DecodeFds, Refused };
struct QualifierName {
  std::string_view name;
  Q q;
};
constexpr QualifierName kQualifiers[] = {
    {"trace", Q::Trace},
    {"t", Q::Trace},
    {"status", Q::Status},
    {"signal", Q::Signal},
    {"signals", Q::Signal},
    {"s", Q::Signal},
    {"quiet", Q::Quiet},
    {"silent", Q::Quiet},
    {"silence", Q::Quiet},
    {"q", Q::Quiet},
    {"decode-fds", Q::DecodeFds},
    {"decode-fd", Q::DecodeFds},
    {"abbrev", Q::Refused},
    {"a", Q::Refused},
    {"verbose", Q::Refused},
    {"v", Q::Refused},
    {"raw", Q::Refused},
    {"x", Q::Refused},
    {"read", Q::Refused},
    {"reads", Q::Refused},
    {"r", Q::Refused},
    {"write", Q::Refused},
    {"writes", Q::Refused},
    {"w", Q::Refused},
    {"fault", Q::Refused},
    {"inject", Q::Refused},
    {"kvm", Q::Refused},
    {"secontext", Q::Refused},
    {"decode-pids", Q::Refused},
    {"decode-pid", Q::Refused},
};

}  // namespace

uint8_t parse_status_set(std::string_view set) {
  return parse_mask(set, "status", kStatusAll, kStatusNames);
}

uint8_t parse_quiet_set(std::string_view set) {
  return parse_mask(set, "quiet", kQuietAll, kQuietNames);
}

uint8_t parse_decode_fds_set(std::string_view set) {
  return parse_mask(set, "decode-fds", kFdAll, kDecodeFdsNames);
}

std::bitset<65> parse_signal_set(std::string_view set) {
  Bits all = Bits().set();
  all.reset(0);
  Bits out = parse_set(
      set, "signal", all,
      [](std::string_view t) {
        int sig = decode::signal_by_name(t);
        Bits b;
        if (sig > 0 && sig <= 64) b.set(static_cast<size_t>(sig));
        return b;
      },
      "SIGTERM, TERM or 15");
  out.set(0);  // unused: kept set so that the default (all) is every bit
  return out;
}

void parse_qualifier(std::string_view arg, Qualifiers& q) {
  size_t eq = arg.find('=');
  std::string_view name = eq == arg.npos ? std::string_view("trace") : arg.substr(0, eq);
  std::string_view set = eq == arg.npos ? arg : arg.substr(eq + 1);
  const QualifierName* found = nullptr;
  for (const auto& k : kQualifiers)
    if (k.name == name) found = &k;
  if (!found || found->q == Q::Refused) {
    // "-e open=..."? strace would take an '=' only after a qualifier name.
    throw UsageError(fmt::format(
        "-e {}=: {}; sysgate supports -e trace=, status=, signal=, quiet= and decode-fds=", name,
        found ? "not supported by sysgate" : "unknown qualifier"));
  }
  switch (found->q) {
    case Q::Trace: {
      std::string_view v = set;
      if (v.empty() || v == "!")
        throw UsageError(fmt::format(
            "-e '{}': give syscall names or %classes, e.g. -e openat,close, -e %file or -e "
            "'!write'",
            arg));
      if (!q.trace.empty()) q.trace += ',';
      q.trace += v;
      q.trace_given = true;
      return;
    }
    case Q::Status:
      q.status = parse_status_set(set);
      return;
    case Q::Signal:
      q.signals = parse_signal_set(set);
      return;
    case Q::Quiet:
      q.quiet = parse_quiet_set(set);
      return;
    case Q::DecodeFds:
      q.decode_fds = parse_decode_fds_set(set);
      return;
    case Q::Refused:
      break;
  }
}

CountSort parse_sort_key(std::string_view key) {
  static constexpr std::pair<std::string_view, CountSort> kKeys[] = {
      {"time", CountSort::Time},        {"time_total", CountSort::Time},
      {"total_time", CountSort::Time},  {"calls", CountSort::Calls},
      {"count", CountSort::Calls},      {"errors", CountSort::Errors},
      {"error", CountSort::Errors},     {"name", CountSort::Name},
      {"syscall", CountSort::Name},     {"syscall_name", CountSort::Name},
      {"max-time", CountSort::MaxTime}, {"max_time", CountSort::MaxTime},
      {"time_max", CountSort::MaxTime}, {"avg-time", CountSort::AvgTime},
      {"avg_time", CountSort::AvgTime}, {"time_avg", CountSort::AvgTime},
      {"nothing", CountSort::Nothing},  {"none", CountSort::Nothing},
  };
  for (const auto& [k, v] : kKeys)
    if (k == key) return v;
  if (key == "min-time" || key == "min_time" || key == "time_min")
    throw UsageError(
        "-S min-time: sysgate records no per-call minimum; sort by time, calls, errors, name, "
        "max-time, avg-time or nothing");
  throw UsageError(fmt::format(
      "-S '{}': sort by time, calls, errors, name, max-time, avg-time or nothing", key));
}

std::vector<CountColumn> parse_count_columns(std::string_view list) {
  static constexpr std::pair<std::string_view, CountColumn> kCols[] = {
      {"time-percent", CountColumn::TimePercent},
      {"time_percent", CountColumn::TimePercent},
      {"percent", CountColumn::TimePercent},
      {"%time", CountColumn::TimePercent},
      {"total-time", CountColumn::TotalTime},
      {"total_time", CountColumn::TotalTime},
      {"time_total", CountColumn::TotalTime},
      {"time", CountColumn::TotalTime},
      {"seconds", CountColumn::TotalTime},
      {"max-time", CountColumn::MaxTime},
      {"max_time", CountColumn::MaxTime},
      {"time_max", CountColumn::MaxTime},
      {"longest", CountColumn::MaxTime},
      {"avg-time", CountColumn::AvgTime},
      {"avg_time", CountColumn::AvgTime},
      {"time_avg", CountColumn::AvgTime},
      {"usecs/call", CountColumn::AvgTime},
      {"calls", CountColumn::Calls},
      {"count", CountColumn::Calls},
      {"errors", CountColumn::Errors},
      {"error", CountColumn::Errors},
      {"name", CountColumn::Name},
      {"syscall", CountColumn::Name},
      {"syscall_name", CountColumn::Name},
  };
  std::vector<CountColumn> out;
  for (std::string_view tok : split_list(list)) {
    auto it = std::find_if(std::begin(kCols), std::end(kCols),
                           [&](const auto& c) { return c.first == tok; });
    if (it == std::end(kCols)) {
      if (tok == "min-time" || tok == "min_time" || tok == "time_min" || tok == "shortest")
        throw UsageError(
            "-U min-time: sysgate records no per-call minimum; columns: time-percent, "
            "total-time, max-time, avg-time, calls, errors, name");
      throw UsageError(fmt::format(
          "-U '{}': unknown column '{}' (columns: time-percent, total-time, max-time, avg-time, "
          "calls, errors, name)",
          list, tok));
    }
    if (std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
  }
  return out;
}

std::vector<CountColumn> default_count_columns() {
  return {CountColumn::TimePercent, CountColumn::TotalTime, CountColumn::AvgTime,
          CountColumn::MaxUsecs,    CountColumn::Calls,     CountColumn::Errors,
          CountColumn::Name};
}

}  // namespace sysgate
