// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <span>

#include "sysgate/decode.hpp"
#include "sysgate/output.hpp"
#include "sysgate/syscalls.hpp"

namespace sysgate {

namespace {

std::string syscall_name(int nr) {
  if (const SyscallInfo* s = syscall_by_nr(nr)) return std::string(s->name);
  return fmt::format("syscall_{}", nr);
}

// "+++ exited with 0 +++", "+++ killed by SIGSEGV (core dumped) +++"
std::string exit_text(int status) {
  if (WIFSIGNALED(status)) {
    auto name = decode::signal_name(WTERMSIG(status));
    return fmt::format(
        "+++ killed by {}{} +++",
        name.empty() ? fmt::format("signal {}", WTERMSIG(status)) : std::string(name),
        WCOREDUMP(status) ? " (core dumped)" : "");
  }
  return fmt::format("+++ exited with {} +++", WEXITSTATUS(status));
}

class TextOutput final : public Output {
 public:
  TextOutput(FILE* out, int64_t) : out_(out) {}

  void call(const SyscallEvent& ev) override {
    line_.clear();
    fmt::format_to(std::back_inserter(line_), "[pid {:>5}] ", ev.tid);
    if (!ev.has_enter) {
      fmt::format_to(std::back_inserter(line_), "<... {} resumed>) = {}", syscall_name(ev.nr),
                     decode::ret_text(ev));
    } else {
      if (ev.shown_unfinished) line_ += "<... resumed> ";
      line_ += syscall_name(ev.nr);
      line_ += '(';
      auto args = decode::decode_args(ev);
      for (size_t i = 0; i < args.size(); ++i) {
        if (i) line_ += ", ";
        decode::append_text(args[i], line_);
      }
      line_ += ") = ";
      line_ += decode::ret_text(ev);
    }
    if (ev.has_exit && ev.has_enter) {
      uint64_t d = ev.duration_ns();
      fmt::format_to(std::back_inserter(line_), " <{}.{:06}>", d / 1000000000, d / 1000 % 1000000);
    }
    line_ += '\n';
    fwrite(line_.data(), 1, line_.size(), out_);
  }

  void unfinished(const SyscallEvent& ev) override {
    line_.clear();
    fmt::format_to(std::back_inserter(line_), "[pid {:>5}] {}(", ev.tid, syscall_name(ev.nr));
    auto args = decode::decode_args(ev);  // output arguments print as addresses: not filled yet
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) line_ += ", ";
      decode::append_text(args[i], line_);
    }
    line_ += " <unfinished ...>\n";
    fwrite(line_.data(), 1, line_.size(), out_);
  }

  void probe_hit(const SyscallEvent& who, const std::string& where, uint64_t ip,
                 const uint64_t r[6]) override {
    fmt::print(out_,
               "[pid {:>5}] probe {} hit: ip={:#x} di={:#x} si={:#x} dx={:#x} cx={:#x} r8={:#x} "
               "r9={:#x}\n",
               who.tid, where, ip, r[0], r[1], r[2], r[3], r[4], r[5]);
  }

  void process_exit(uint32_t tgid, const std::string&, int status, uint64_t) override {
    fmt::print(out_, "[pid {:>5}] {}\n", tgid, exit_text(status));
  }

  void thread_exit(uint32_t, uint32_t tid, const std::string&, int status, uint64_t) override {
    fmt::print(out_, "[pid {:>5}] {}\n", tid, exit_text(status));
  }

  void signal(const SignalEvent& ev) override {
    line_.clear();
    auto name = decode::signal_name(ev.signo);
    fmt::format_to(std::back_inserter(line_), "[pid {:>5}] --- ", ev.tid);
    if (name.empty())
      fmt::format_to(std::back_inserter(line_), "{} ", ev.signo);
    else
      fmt::format_to(std::back_inserter(line_), "{} ", name);
    std::span<const uint8_t> info;
    if (ev.info_ok) info = ev.info;
    line_ += decode::siginfo_text(decode::siginfo_fields(ev.signo, info));
    line_ += " ---\n";
    fwrite(line_.data(), 1, line_.size(), out_);
  }

  void counts(const std::vector<CountRow>& rows_in) override {
    auto rows = rows_in;
    std::sort(rows.begin(), rows.end(), [](const CountRow& a, const CountRow& b) {
      return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.calls > b.calls;
    });
    uint64_t total_ns = 0, calls = 0, errors = 0, max_ns = 0;
    for (const auto& r : rows) {
      total_ns += r.total_ns;
      calls += r.calls;
      errors += r.errors;
      max_ns = std::max(max_ns, r.max_ns);
    }
    const char* rule =
        "------ ----------- ----------- ----------- --------- --------- ----------------\n";
    fmt::print(out_, "% time     seconds  usecs/call   max usecs     calls    errors syscall\n");
    fputs(rule, out_);
    for (const auto& r : rows) {
      double pct =
          total_ns ? 100.0 * static_cast<double>(r.total_ns) / static_cast<double>(total_ns) : 0;
      uint64_t avg = r.calls ? r.total_ns / r.calls : 0;
      std::string err = r.errors ? fmt::format("{:>9}", r.errors) : std::string(9, ' ');
      fmt::print(out_, "{:>6.2f} {:>11.6f} {:>11} {:>11} {:>9} {} {}\n", pct,
                 static_cast<double>(r.total_ns) / 1e9, avg / 1000, r.max_ns / 1000, r.calls, err,
                 syscall_name(r.nr));
    }
    fputs(rule, out_);
    std::string err = errors ? fmt::format("{:>9}", errors) : std::string(9, ' ');
    fmt::print(out_, "{:>6.2f} {:>11.6f} {:>11} {:>11} {:>9} {} total\n", 100.0,
               static_cast<double>(total_ns) / 1e9, calls ? total_ns / calls / 1000 : 0,
               max_ns / 1000, calls, err);
  }

  void summary(const RunSummary& s) override {
    // text mode stays quiet unless something was lost or cut
    if (s.drops || s.exit_drops)
      fmt::print(out_,
                 "sysgate: {} calls lost and {} results lost (ring buffer full); raise "
                 "--buffer-size or trace fewer syscalls\n",
                 s.drops, s.exit_drops);
    if (s.signal_drops)
      fmt::print(out_, "sysgate: {} signal records lost (ring buffer full)\n", s.signal_drops);
    if (s.truncated)
      fmt::print(out_, "sysgate: {} records had their captured memory cut short\n", s.truncated);
    if (s.malformed)
      fmt::print(out_, "sysgate: {} malformed records from the kernel side were skipped\n",
                 s.malformed);
  }

  void flush() override { fflush(out_); }

 private:
  FILE* out_;
  std::string line_;
};

}  // namespace

std::unique_ptr<Output> make_text_output(FILE* out, int64_t off) {
  return std::make_unique<TextOutput>(out, off);
}

}  // namespace sysgate
