// SPDX-License-Identifier: Apache-2.0
// The one reader of ABI records (schema/sysgate_abi.h): it checks each record's
// length, pairs entry and exit records per thread into calls, and hands typed
// events to a consumer (trace output, zap). Independent of the backend.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sysgate/event.hpp"

namespace sysgate {

struct TaskExit {
  uint32_t tgid = 0, tid = 0;
  std::string comm;
  int status = 0;  // wait(2) form
  uint64_t ts_ns = 0;
  bool group_dead = false;  // the last thread of its process
  uint32_t zap_matched = 0;
  bool zap_done = false;
};

struct ZapRecord {
  uint32_t tgid = 0, tid = 0;  // the process, and the thread that made the call
  std::string comm;
  int nr = -1;
  uint64_t args[6] = {};
  uint64_t syscall_ts_ns = 0, signal_ts_ns = 0;
  uint64_t exit_ts_ns = 0;  // at exit: when the call returned
  int signal = 0, send_ret = 0;
  uint32_t nth = 0;
  uint8_t at = 0;          // enum sg_zap_at
  int64_t ret = 0;         // at exit: the call's result; before: the result it was given
  uint32_t ppid = 0;       // the caller's parent (0: unknown)
  uint64_t cgroup_id = 0;  // its cgroup v2 id (0: unknown)
  const char* via =
      nullptr;  // who acted: "bpf", "kmod", "seccomp", "ptrace" (nullptr: the backend's)
};

struct SignalDelivery {
  uint32_t tgid = 0, tid = 0;
  int signal = 0;
  uint64_t handler = 0;  // 0 SIG_DFL, 1 SIG_IGN, else the handler's address
  uint64_t ts_ns = 0;
};

// Trace: a signal a target thread dequeued (SG_EV_SIGNAL; strace's "--- SIGX {...} ---").
struct SignalEvent {
  uint32_t tgid = 0, tid = 0;
  std::string comm;
  uint64_t ts_ns = 0;
  int signo = 0;
  bool info_ok = false;  // info holds the siginfo's first bytes; false: only signo is known
  uint64_t handler = 0;  // 0 SIG_DFL, 1 SIG_IGN, else the handler's address
  std::array<uint8_t, 48> info{};  // SG_SIGINFO_LEN bytes (x86-64 siginfo layout)
};

class RecordConsumer {
 public:
  virtual ~RecordConsumer() = default;
  virtual void call(const SyscallEvent&) {}
  // A call still blocked in the kernel long after its entry.
  virtual void unfinished(const SyscallEvent&) {}
  virtual void task_exit(const TaskExit&) {}
  // A hit of a kernel symbol probe: ip and di si dx cx r8 r9.
  virtual void probe_hit(const SyscallEvent& who, uint32_t probe_id, uint64_t ip,
                         const uint64_t regs[6]) {
    (void)who, (void)probe_id, (void)ip, (void)regs;
  }
  virtual void zap(const ZapRecord&) {}
  virtual void signal_delivered(const SignalDelivery&) {}
  // Trace mode: a signal taken by a target thread.
  virtual void signal(const SignalEvent&) {}
  virtual void exit_started(uint32_t tgid, uint64_t ts_ns) { (void)tgid, (void)ts_ns; }
};

class RecordReader {
 public:
  explicit RecordReader(RecordConsumer& c) : c_(c) {}
  // One record as the backend delivered it; malformed records are counted, never trusted.
  void record(const void* data, size_t len);
  // Announces calls blocked longer than after_ns (once each).
  void announce_blocked(uint64_t now_ns, uint64_t after_ns);
  // Calls still in progress when tracing stops are delivered as they are.
  void finish();

  uint64_t calls() const { return calls_; }            // calls whose entry was seen
  uint64_t unfinished() const { return unfinished_; }  // in progress at finish()
  uint64_t malformed() const { return malformed_; }
  // processes (tgids) a record came from, minus those whose last thread exited
  const std::unordered_map<uint32_t, bool>& live() const { return live_; }

 private:
  void flush_tid(uint32_t tid);
  void emit(const SyscallEvent& ev);

  RecordConsumer& c_;
  std::unordered_map<uint32_t, SyscallEvent> pending_;
  // signals recorded while their thread was in a call (a fatal signal is recorded
  // when sent): taken on the way back to user space, so delivered after that call
  std::unordered_map<uint32_t, std::vector<SignalEvent>> deferred_;
  std::unordered_map<uint32_t, bool> live_;
  uint64_t calls_ = 0, unfinished_ = 0, malformed_ = 0;
};

}  // namespace sysgate
