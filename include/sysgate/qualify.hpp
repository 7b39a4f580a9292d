// SPDX-License-Identifier: Apache-2.0
// strace's qualifier syntax (-e QUALIFIER=SET) and the value sets of its output
// options (-S, -U), parsed as strace parses them. Unit-tested apart from the CLI.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/inject.hpp"

namespace sysgate {

// -e status=SET, -z, -Z: which calls are printed, by how they ended.
enum StatusBits : uint8_t {
  kStatusSuccessful = 1,   // returned without an error
  kStatusFailed = 2,       // returned an error
  kStatusUnfinished = 4,   // never returned (exit_group, a thread killed in a call)
  kStatusUnavailable = 8,  // returned, result unknown (sysgate: never; see README)
  kStatusDetached = 16,    // still in progress when tracing stopped
  kStatusAll = 31,
};

// -y, -yy, -e decode-fds=SET: what a file descriptor is decorated with.
enum DecodeFdsBits : uint8_t {
  kFdPath = 1,    // the path (/proc/PID/fd): 3</etc/passwd>, 4<pipe:[123]>
  kFdSocket = 2,  // socket endpoints: 3<TCP:[127.0.0.1:40000->127.0.0.1:80]>
  kFdDev = 4,     // device numbers: 0</dev/null<char 1:3>>
  kFdAll = 7,
};

// -q, -qq, -e quiet=SET: messages left out. sysgate prints no attach, personality,
// path-resolution, thread-execve or superseded messages anyway; exit hides "+++ exited".
enum QuietBits : uint8_t {
  kQuietAttach = 1,
  kQuietExit = 2,
  kQuietPathResolution = 4,
  kQuietPersonality = 8,
  kQuietThreadExecve = 16,
  kQuietSuperseded = 32,
  kQuietAll = 63,
};

// Everything the -e arguments of one command line asked for.
struct Qualifiers {
  std::string trace;  // trace=SET and bare SETs, joined by ',' ("" = all)
  bool trace_given = false;
  uint8_t status = kStatusAll;
  std::bitset<65> signals = std::bitset<65>().set();  // bit N: signal N (bit 0 unused)
  uint8_t quiet = 0;
  uint8_t decode_fds = 0;
  std::vector<InjectRule> inject;  // inject=, fault=, in order (syscalls resolved)
};

// One -e argument: QUALIFIER=SET (trace, status, signal, quiet, decode-fds, inject,
// fault and their strace aliases) or a bare SET (trace=). Qualifiers sysgate cannot
// honour (abbrev, verbose, raw, read, write, kvm, secontext, decode-pids) are refused
// with a UsageError naming the supported ones.
void parse_qualifier(std::string_view arg, Qualifiers& q);

// The value of -e inject= (fault: -e fault=, error=ENOSYS by default), as strace
// takes it: SET:error=E|retval=N[:signal=S][:delay_enter=D][:delay_exit=D][:when=EXPR]
// (fault: SET[:error=E][:when=EXPR]). Throws UsageError, one line, for bad input.
InjectRule parse_inject(std::string_view value, bool fault);
// strace's delay: a decimal number with s, ms, us or ns (microseconds without one).
uint64_t parse_inject_delay_ns(std::string_view text);

uint8_t parse_status_set(std::string_view set);
std::bitset<65> parse_signal_set(std::string_view set);
uint8_t parse_quiet_set(std::string_view set);
uint8_t parse_decode_fds_set(std::string_view set);

// The summary table (count, trace -C): strace's -S keys and -U columns.
enum class CountSort { Time, Calls, Errors, Name, MaxTime, AvgTime, Nothing };
enum class CountColumn {
  TimePercent,  // "% time"
  TotalTime,    // "seconds"
  MaxTime,      // "longest" (seconds)
  AvgTime,      // "usecs/call"
  MaxUsecs,     // "max usecs": sysgate's default table only (no -U name)
  Calls,        // "calls"
  Errors,       // "errors"
  Name,         // "syscall"
};
CountSort parse_sort_key(std::string_view key);
std::vector<CountColumn> parse_count_columns(std::string_view list);
// sysgate's default table: % time, seconds, usecs/call, max usecs, calls, errors, syscall.
std::vector<CountColumn> default_count_columns();

}  // namespace sysgate
