// SPDX-License-Identifier: Apache-2.0
// JSON lines (one object per line), written with the JsonLine of sysgate/json.hpp:
// nlohmann-json's serializer without a DOM per line, buffers reused (hot path).
#include "sysgate/json.hpp"

#include <fmt/format.h>
#include <sys/wait.h>

#include <span>

#include "sysgate/decode.hpp"
#include "sysgate/output.hpp"
#include "sysgate/syscalls.hpp"

namespace sysgate {

namespace {

class JsonOutput final : public Output {
 public:
  JsonOutput(FILE* out, int64_t off) : out_(out), off_(off) {}

  void call(const SyscallEvent& ev) override {
    const SyscallInfo* info = syscall_by_nr(ev.nr);
    line_.begin()
        .field("ts_ns", json_ts(ev.ts_ns, off_))
        .field("pid", ev.tgid)
        .field("tid", ev.tid)
        .field("comm", ev.comm);
    if (info) {
      line_.field("syscall", info->name);
    } else {
      name_.clear();
      fmt::format_to(std::back_inserter(name_), "syscall_{}", ev.nr);
      line_.field("syscall", name_);
    }
    line_.field("nr", ev.nr).begin_array("args");
    if (ev.has_enter) {
      for (const auto& a : decode::decode_args(ev)) line_.item(a);
    }
    line_.end_array();
    if (ev.has_exit) {
      line_.field("ret", ev.ret);
      if (ev.failed()) {
        int err = static_cast<int>(-ev.ret);
        auto name = decode::errno_name(err);
        if (name.empty()) {
          name_.clear();
          fmt::format_to(std::back_inserter(name_), "E{}", err);
          line_.field("errno", name_);
        } else {
          line_.field("errno", name);
        }
      }
      if (ev.has_enter) line_.field("dur_ns", ev.duration_ns());
      if (ev.injected) line_.field("injected", true);  // -e inject=/fault=: the call did not run
    } else {
      line_.field("ret", nullptr);
    }
    if (!ev.has_enter) line_.field("entry_lost", true);
    line_.write(out_);
  }

  void probe_hit(const SyscallEvent& who, const std::string& where, uint64_t ip,
                 const uint64_t r[6]) override {
    line_.begin()
        .field("event", "probe")
        .field("ts_ns", json_ts(who.ts_ns, off_))
        .field("pid", who.tgid)
        .field("tid", who.tid)
        .field("comm", who.comm)
        .field("probe", where)
        .field("ip", ip)
        .begin_array("regs");
    for (int i = 0; i < 6; ++i) line_.item(r[i]);
    line_.end_array().write(out_);
  }

  void process_exit(uint32_t tgid, const std::string& comm, int status, uint64_t ts) override {
    line_.begin()
        .field("event", "exit")
        .field("ts_ns", json_ts(ts, off_))
        .field("pid", tgid)
        .field("comm", comm);
    exit_fields(status);
    line_.write(out_);
  }

  void thread_exit(uint32_t tgid, uint32_t tid, const std::string& comm, int status,
                   uint64_t ts) override {
    line_.begin()
        .field("event", "thread_exit")
        .field("ts_ns", json_ts(ts, off_))
        .field("pid", tgid)
        .field("tid", tid)
        .field("comm", comm);
    exit_fields(status);
    line_.write(out_);
  }

  void signal(const SignalEvent& ev) override {
    std::span<const uint8_t> info;
    if (ev.info_ok) info = ev.info;
    auto fields = decode::siginfo_fields(ev.signo, info);
    line_.begin()
        .field("event", "signal")
        .field("ts_ns", json_ts(ev.ts_ns, off_))
        .field("pid", ev.tgid)
        .field("tid", ev.tid)
        .field("comm", ev.comm);
    line_.field("signal", decode::signal_text(ev.signo));
    bool have_code = false;
    for (const auto& f : fields)
      if (f.name == "si_code") {
        line_.field("code", f.value.text);
        have_code = true;
      }
    if (!have_code) line_.field("code", nullptr);
    line_.begin_object("info");
    for (const auto& f : fields)
      if (f.name != "si_signo" && f.name != "si_code") line_.field(f.name, f.value);
    line_.end_object().write(out_);
  }

  void counts(const std::vector<CountRow>& rows) override {
    for (const auto& r : rows) {
      const SyscallInfo* info = syscall_by_nr(r.nr);
      line_.begin();
      if (info)
        line_.field("syscall", info->name);
      else
        line_.field("syscall", fmt::format("syscall_{}", r.nr));
      line_.field("nr", r.nr)
          .field("calls", r.calls)
          .field("errors", r.errors)
          .field("total_ns", r.total_ns)
          .field("avg_ns", r.calls ? r.total_ns / r.calls : 0)
          .field("max_ns", r.max_ns)
          .write(out_);
    }
  }

  void summary(const RunSummary& s) override {
    line_.begin()
        .field("event", "summary")
        .field("events", s.events)
        .field("drops", s.drops)
        .field("exit_drops", s.exit_drops)
        .field("signal_drops", s.signal_drops)
        .field("truncated", s.truncated)
        .field("unfinished", s.unfinished)
        .field("malformed", s.malformed)
        .field("seen", s.seen)
        .field("duration_ns", s.duration_ns)
        .field("setup_ns", s.setup_ns)
        .field("backend", s.backend)
        .field("attach", s.attach)
        .write(out_);
  }

  void flush() override { fflush(out_); }

 private:
  void exit_fields(int status) {
    if (WIFSIGNALED(status)) {
      line_.field("exit_signal", decode::signal_text(WTERMSIG(status)));
    } else {
      line_.field("exit_code", WEXITSTATUS(status));
    }
  }

  FILE* out_;
  int64_t off_;
  JsonLine line_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Output> make_json_output(FILE* out, int64_t off) {
  return std::make_unique<JsonOutput>(out, off);
}

}  // namespace sysgate
