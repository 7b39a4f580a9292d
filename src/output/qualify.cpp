// SPDX-License-Identifier: Apache-2.0
// strace's -e QUALIFIER=SET, -S and -U, with strace's names and aliases.
#include "sysgate/qualify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <span>
#include <utility>

#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
#include "sysgate/filter.hpp"
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
enum class Q { Trace, Status, Signal, Quiet, DecodeFds, Inject, Fault, Refused };
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
    {"fault", Q::Fault},
    {"inject", Q::Inject},
    {"kvm", Q::Refused},
    {"secontext", Q::Refused},
    {"decode-pids", Q::Refused},
    {"decode-pid", Q::Refused},
};

}  // namespace

namespace {

// A whole decimal (or 0x hexadecimal) number, nothing around it.
bool to_u64(std::string_view s, uint64_t* v) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v, base);
  return ec == std::errc() && p == s.data() + s.size();
}

// when=FIRST[..LAST][+[STEP]] (strace: FIRST and STEP 1-65535, LAST FIRST-65534)
bool parse_when(std::string_view w, InjectRule& r) {
  auto number = [&](std::string_view s, uint64_t max, uint32_t* out) {
    uint64_t v = 0;
    if (s.empty() || !isdigit(static_cast<unsigned char>(s[0])) || !to_u64(s, &v) || v < 1 ||
        v > max)
      return false;
    *out = static_cast<uint32_t>(v);
    return true;
  };
  size_t plus = w.find('+');
  std::string_view range = w.substr(0, plus);
  size_t dots = range.find("..");
  if (!number(range.substr(0, dots), 65535, &r.first)) return false;
  r.last = 0;
  if (dots != range.npos && (!number(range.substr(dots + 2), 65534, &r.last) || r.last < r.first))
    return false;
  if (plus == w.npos) {
    r.step = r.last ? 1 : 0;  // FIRST: that call only; FIRST..LAST: each of them
    return true;
  }
  std::string_view step = w.substr(plus + 1);
  if (step.empty()) {
    r.step = 1;
    return true;
  }
  return number(step, 65535, &r.step);
}

}  // namespace

uint64_t parse_inject_delay_ns(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  std::string_view num = text.substr(0, i), unit = text.substr(i);
  double v = -1;
  if (!num.empty()) {
    auto [p, ec] =
        std::from_chars(num.data(), num.data() + num.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || p != num.data() + num.size()) v = -1;
  }
  double mult = unit.empty() || unit == "us" ? 1e3
                : unit == "s"                ? 1e9
                : unit == "ms"               ? 1e6
                : unit == "ns"               ? 1
                                             : -1;
  if (v < 0 || mult < 0 || !std::isfinite(v * mult) || v * mult > 1e15)
    throw UsageError(fmt::format(
        "delay '{}': give a time such as 500 (microseconds), 500us, 20ms, 1.5s or 100ns (at most "
        "1000000s)",
        text));
  return static_cast<uint64_t>(v * mult);
}

InjectRule parse_inject(std::string_view value, bool fault) {
  const char* q = fault ? "fault" : "inject";
  InjectRule r;
  r.arg = fmt::format("{}={}", q, value);
  auto bad = [&](std::string_view why) { return UsageError(fmt::format("-e {}: {}", r.arg, why)); };
  size_t colon = value.find(':');
  r.set = std::string(value.substr(0, colon));
  if (r.set.empty() || r.set == "!")
    throw bad(fmt::format("give the syscalls first, e.g. -e {}=openat:error=ENOENT", q));
  r.syscalls = parse_syscall_filter(r.set);
  bool has_signal = false, has_delay = false;
  std::string_view rest = colon == value.npos ? std::string_view() : value.substr(colon + 1);
  if (colon != value.npos && rest.empty()) throw bad("nothing after ':'");
  while (!rest.empty()) {
    size_t c = rest.find(':');
    std::string_view tok = rest.substr(0, c);
    rest = c == rest.npos ? std::string_view() : rest.substr(c + 1);
    if (c != std::string_view::npos && rest.empty()) throw bad("nothing after ':'");
    size_t eq = tok.find('=');
    std::string_view key = tok.substr(0, eq);
    std::string_view val = eq == tok.npos ? std::string_view() : tok.substr(eq + 1);
    if (eq == tok.npos || val.empty())
      throw bad(fmt::format("'{}': give {}=VALUE", tok, key.empty() ? "KEY" : key));
    const bool allowed = key == "error" || key == "when" ||
                         (!fault && (key == "retval" || key == "signal" || key == "delay_enter" ||
                                     key == "delay_exit"));
    if (!allowed) {
      if (key == "syscall" || key == "poke_enter" || key == "poke_exit")
        throw bad(
            fmt::format("{}= is not supported by sysgate (error=, retval=, signal=, "
                        "delay_enter=, delay_exit=, when= are)",
                        key));
      throw bad(fmt::format("unknown '{}' ({} takes {})", key, q,
                            fault ? "error= and when="
                                  : "error=, retval=, signal=, delay_enter=, delay_exit=, when="));
    }
    if (key == "error") {
      if (r.error || r.has_retval) throw bad("give one error= or retval=, not both or twice");
      r.error = decode::errno_by_name(val);
      if (r.error <= 0 || r.error > 4095)
        throw bad(fmt::format(
            "unknown errno '{}' (give a name such as ENOENT or EIO, or a number 1-4095)", val));
    } else if (key == "retval") {
      if (r.error || r.has_retval) throw bad("give one error= or retval=, not both or twice");
      uint64_t v = 0;
      if (!isdigit(static_cast<unsigned char>(val[0])) || !to_u64(val, &v) ||
          v > static_cast<uint64_t>(INT64_MAX))
        throw bad(fmt::format("retval={}: give a number from 0 to {} (a failure is error=ERRNO)",
                              val, INT64_MAX));
      r.has_retval = true;
      r.retval = static_cast<int64_t>(v);
    } else if (key == "signal") {
      if (has_signal) throw bad("give signal= once");
      has_signal = true;
      r.signal = decode::signal_by_name(val);
      if (r.signal <= 0 || r.signal > 64)
        throw bad(fmt::format(
            "unknown signal '{}' (give a name such as SIGUSR1 or USR1, or a number 1-64)", val));
    } else if (key == "delay_enter" || key == "delay_exit") {
      uint64_t ns = 0;
      try {
        ns = parse_inject_delay_ns(val);
      } catch (const UsageError& e) {
        throw bad(fmt::format("{}={}", key, e.what()));
      }
      (key == "delay_enter" ? r.delay_enter_ns : r.delay_exit_ns) = ns;
      has_delay = true;
    } else {  // when: the last one counts, as in strace
      if (!parse_when(val, r))
        throw bad(fmt::format(
            "when={}: give N, N+, N+STEP, N..M or N..M+STEP (N and STEP 1-65535, M N-65534)", val));
    }
  }
  if (fault && !r.error) r.error = ENOSYS;  // strace's fault default
  if (!r.tampers() && !has_signal && !has_delay)
    throw bad("say what to inject: error=ERRNO, retval=N, signal=SIG, delay_enter= or delay_exit=");
  return r;
}

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
        "-e {}=: {}; sysgate supports -e trace=, status=, signal=, quiet=, decode-fds=, inject= "
        "and fault=",
        name, found ? "not supported by sysgate" : "unknown qualifier"));
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
    case Q::Inject:
    case Q::Fault:
      q.inject.push_back(parse_inject(set, found->q == Q::Fault));
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
