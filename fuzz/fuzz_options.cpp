// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the parsers of user text in src/core (and the signal names of
// src/decode) that option values go through before anything is loaded:
//   -e / --on         check_filter_text, parse_syscall_filter (and closest_syscalls)
//   --duration, --kill-after   parse_duration_ns
//   --arg             parse_arg_match, against the selection -e/--on made
//   --signal          decode::signal_by_name
//   list %class       class_by_name; syscall_by_name, kernel_syscall_name, struct_size
//
// Input: up to three '\n'-separated fields. Every field goes through every parser;
// with two or more fields, the second is also an --arg matched against the
// syscalls the first one selects (as "zap --on FIELD0 --arg FIELD1").
//
// Only sysgate::Error (UsageError) may be thrown: anything else escapes and
// libFuzzer reports it. Results are checked against what the headers promise
// (abort() on a violation).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "sysgate/capture.hpp"
#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
#include "sysgate/filter.hpp"
#include "sysgate/parse.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace {

[[noreturn]] void fail(const char* what, std::string_view input) {
  sysgate::fuzz::fail("fuzz_options", what, input);
}

const std::vector<bool>& all_selected() {
  static const std::vector<bool> all = sysgate::parse_syscall_filter("all");
  return all;
}

constexpr uint32_t kAllClasses = (sysgate::kClassPure << 1) - 1;

void check_usage_message(const sysgate::Error& e, std::string_view input) {
  if (std::string_view(e.what()).empty()) fail("an error without a message", input);
}

// The selection -e FIELD makes; empty when it is refused.
std::vector<bool> filter(const std::string& f) {
  bool text_ok = true;
  try {
    sysgate::check_filter_text(f, "-e");
  } catch (const sysgate::Error& e) {
    check_usage_message(e, f);
    text_ok = false;
  }
  std::string_view v(f);
  if (v.starts_with("trace=")) v.remove_prefix(6);
  if (text_ok != !(v.empty() || v == "!")) fail("check_filter_text: wrong verdict", f);

  try {
    std::vector<bool> sel = sysgate::parse_syscall_filter(f);
    if (sel.size() != SG_MAX_SYSCALLS) fail("parse_syscall_filter: wrong size", f);
    return sel;
  } catch (const sysgate::Error& e) {
    check_usage_message(e, f);
    if (e.code() != 2) fail("parse_syscall_filter: not a usage error", f);
  }
  return {};
}

void duration(const std::string& f) {
  try {
    uint64_t ns = sysgate::parse_duration_ns(f, "--duration");
    if (ns > 1000000000000000000ull) fail("parse_duration_ns: above the 1e18 ns it promises", f);
    // accepted: digits and dots, then nothing or a known unit
    size_t i = 0;
    while (i < f.size() && ((f[i] >= '0' && f[i] <= '9') || f[i] == '.')) ++i;
    std::string_view unit = std::string_view(f).substr(i);
    if (i == 0 || !(unit.empty() || unit == "s" || unit == "ms" || unit == "us" || unit == "ns" ||
                    unit == "m"))
      fail("parse_duration_ns accepted a malformed duration", f);
  } catch (const sysgate::Error& e) {
    check_usage_message(e, f);
  }
}

void arg_match(const std::string& f, const std::vector<bool>& sel) {
  try {
    sysgate::ArgMatch m = sysgate::parse_arg_match(f, sel);
    if (m.index < 0 || m.index > 5) fail("parse_arg_match: index out of 0..5", f);
    if (m.op == sysgate::ArgMatch::Op::Prefix) {
      if (m.prefix != f.substr(f.find('=') + 1))
        fail("parse_arg_match: prefix is not the value", f);
    } else {
      if (m.mask != ~uint64_t{0} && m.mask != 0xffffffffu) fail("parse_arg_match: odd mask", f);
      if (m.value & ~m.mask) fail("parse_arg_match: value outside its mask", f);
    }
  } catch (const sysgate::Error& e) {
    check_usage_message(e, f);
  }
}

void names(const std::string& f) {
  const int sig = sysgate::decode::signal_by_name(f);
  if (sig != -1 && (sig < 1 || sig > 64)) fail("signal_by_name: out of 1..64", f);
  if (sig > 0 && sysgate::decode::signal_name(sig).empty())
    fail("signal_by_name: a number signal_name does not know", f);

  const uint32_t cls = sysgate::class_by_name(f);
  if (cls & ~kAllClasses || (cls & (cls - 1))) fail("class_by_name: not one class bit", f);

  if (const sysgate::SyscallInfo* s = sysgate::syscall_by_name(f)) {
    if (s->name != f || sysgate::syscall_by_nr(s->nr) != s) fail("syscall_by_name: wrong entry", f);
    const std::string k = sysgate::kernel_syscall_name(f);
    if (k.empty()) fail("kernel_syscall_name: empty", f);
    // what the kernel side would be told to capture for it, at odd limits too
    sysgate::CaptureLimits lim;
    (void)sysgate::capture_spec(*s, lim);
    lim.path_max = lim.str_max = lim.buf_max = static_cast<uint32_t>(f.size() * 977);
    (void)sysgate::capture_spec(*s, lim);
  }
  (void)sysgate::struct_size(f);
  // closest_syscalls (an edit distance to every name: the slowest part by far) runs
  // inside parse_syscall_filter for each unknown name; checked here on short ones only
  if (f.size() <= 16 && !f.empty() && f.find(',') == std::string::npos)
    for (std::string_view n : sysgate::closest_syscalls(f))
      if (!sysgate::syscall_by_name(n)) fail("closest_syscalls: an unknown name", f);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)all_selected();  // builds the name index
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> fields;
  size_t start = 0;
  while (fields.size() < 2) {
    size_t nl = input.find('\n', start);
    if (nl == std::string::npos) break;
    fields.push_back(input.substr(start, nl - start));
    start = nl + 1;
  }
  fields.push_back(input.substr(start));

  std::vector<bool> first_sel;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string& f = fields[i];
    std::vector<bool> sel = filter(f);
    if (i == 0) first_sel = sel;
    duration(f);
    arg_match(f, all_selected());
    names(f);
  }
  if (fields.size() >= 2 && !first_sel.empty()) arg_match(fields[1], first_sel);
  return 0;
}
