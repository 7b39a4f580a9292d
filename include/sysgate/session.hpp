// SPDX-License-Identifier: Apache-2.0
// A run of sysgate: targets resolved, backend opened, records paired into
// calls and written out until Ctrl-C, SIGTERM or the end of the launched command.
#pragma once

#include <bitset>
#include <string>
#include <vector>

#include "sysgate/backend.hpp"
#include "sysgate/output.hpp"
#include "sysgate/parse.hpp"
#include "sysgate/qualify.hpp"
#include "sysgate/zap.hpp"

namespace sysgate {

struct RunOptions {
  Mode mode = Mode::Trace;
  std::string backend;    // "" = chosen: ebpf with BPF privileges, else ptrace
  std::string kmod_path;  // --kmod-path: module to load for --backend kmod
  TargetSpec targets;
  std::vector<std::string> command;  // launched and traced from its first instruction
  std::string syscalls;              // -e expression ("" = all)
  std::string format = "text";       // text | json
  std::string output;                // -o FILE ("" = stdout, or stderr with a command)
  std::string clock = "realtime";    // JSON timestamps: realtime | monotonic
  std::string attach = "auto";       // eBPF attachment: auto | raw | syscall
  std::vector<std::string> probes;   // --probe SYMBOL[+OFFSET] (kmod backend)
  CaptureLimits limits;
  size_t ring_bytes = 16u << 20;
  uint64_t duration_ns = 0;  // stop after this long (0 = no limit)
  // strace's output options (trace; -S/-U also count)
  TextOptions text;                // -t -tt -ttt -r -T -q -qq -ff -S -U (fds set by the run)
  bool separate = false;           // -ff: one file per thread, -o PREFIX.TID
  uint8_t status = kStatusAll;     // -e status=SET, -z, -Z
  uint8_t decode_fds = 0;          // -y, -yy, -e decode-fds=SET (DecodeFdsBits)
  std::vector<std::string> paths;  // -P PATH: only calls that touch PATH
  bool summary = false;            // -C: the count table after the trace
  std::bitset<65> signals = std::bitset<65>().set();  // -e signal=SET (bit N: signal N)
  std::vector<InjectRule> inject;                     // -e inject=, -e fault= (trace, count)
  // zap
  ZapConfig zap;                      // what the kernel does
  ZapOptions zap_opts;                // what user space does
  std::vector<std::string> zap_args;  // --arg I=VALUE, resolved against the selected syscalls
};

// Runs and returns the process exit status (the command's when one was launched).
int run(const RunOptions& opts);

}  // namespace sysgate
