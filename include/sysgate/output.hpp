// SPDX-License-Identifier: Apache-2.0
// Outputs: strace-like text and JSON lines, for calls, process exits, counts
// and the end-of-run summary.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "sysgate/backend.hpp"
#include "sysgate/decode.hpp"
#include "sysgate/event.hpp"
#include "sysgate/qualify.hpp"
#include "sysgate/records.hpp"

namespace sysgate {

struct RunSummary {
  uint64_t events = 0;        // calls reported
  uint64_t drops = 0;         // calls lost (entry records dropped)
  uint64_t exit_drops = 0;    // results lost (the call is printed with "= ?")
  uint64_t signal_drops = 0;  // signal records lost (their "--- SIGX" lines are missing)
  uint64_t truncated = 0;     // records whose captures were cut short
  uint64_t unfinished = 0;    // calls still in progress when tracing stopped
  uint64_t malformed = 0;     // records skipped: cut short, of no known type, or unframeable
  uint64_t seen = 0;          // target calls the kernel side saw
  uint64_t duration_ns = 0;
  uint64_t setup_ns = 0;  // backend open: load (module or BPF), configure, attach
  std::string backend;
  std::string attach;
};

class Output {
 public:
  virtual ~Output() = default;
  virtual void call(const SyscallEvent& ev) = 0;
  // A call still blocked in the kernel (entry seen long ago): text prints it now,
  // strace-style, and marks its line "<... resumed>" when it returns.
  virtual void unfinished(const SyscallEvent& ev) { (void)ev; }
  // The last thread of a process ended (exit_code as in wait(2) status).
  virtual void process_exit(uint32_t tgid, const std::string& comm, int status, uint64_t ts_ns) = 0;
  // A thread that was not the last of its process ended (strace -f prints each).
  virtual void thread_exit(uint32_t tgid, uint32_t tid, const std::string& comm, int status,
                           uint64_t ts_ns) = 0;
  // A thread is gone (every thread, the last one after process_exit): -ff closes its file.
  virtual void thread_gone(uint32_t tid) { (void)tid; }
  // A signal a target thread took: strace's "--- SIGCHLD {si_signo=SIGCHLD, ...} ---".
  virtual void signal(const SignalEvent& ev) = 0;
  virtual void counts(const std::vector<CountRow>& rows) = 0;
  // A hit of a kernel symbol probe (--probe, kmod backend): ip and di si dx cx r8 r9.
  virtual void probe_hit(const SyscallEvent& who, const std::string& where, uint64_t ip,
                         const uint64_t regs[6]) = 0;
  virtual void summary(const RunSummary& s) = 0;
  virtual void flush() = 0;
};

// strace's output options for the text form (README: Output options).
struct TextOptions {
  int timestamps = 0;      // -t 1 (HH:MM:SS), -tt 2 (and microseconds), -ttt 3 (epoch seconds)
  bool relative = false;   // -r: time since the previous line
  bool durations = false;  // -T: " <seconds>" after the result
  // Pid prefixes as strace prints them: "[pid N] " while several threads are traced;
  // with -o FILE "PID " instead, from the start with -f; none with -ff.
  bool to_file = false;
  bool follow = false;
  std::string separate;            // -ff -o PREFIX: each thread's lines in PREFIX.TID
  uint8_t quiet = 0;               // QuietBits: kQuietExit leaves out "+++ exited with N +++"
  decode::FdNames* fds = nullptr;  // -y/-yy: descriptors decorated
  std::vector<CountColumn> columns = default_count_columns();  // -U
  CountSort sort = CountSort::Time;                            // -S
};

// The rows of a summary in -S order.
void sort_counts(std::vector<CountRow>& rows, CountSort by);

// realtime_offset_ns: add to CLOCK_MONOTONIC timestamps to get wall-clock ns.
std::unique_ptr<Output> make_text_output(FILE* out, int64_t realtime_offset_ns,
                                         TextOptions opts = {});
std::unique_ptr<Output> make_json_output(FILE* out, int64_t realtime_offset_ns);

}  // namespace sysgate
