// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
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

struct Column {
  const char* header;
  int width;  // 0: the name column
};

Column column_of(CountColumn c) {
  switch (c) {
    case CountColumn::TimePercent:
      return {"% time", 6};
    case CountColumn::TotalTime:
      return {"seconds", 11};
    case CountColumn::MaxTime:
      return {"longest", 8};
    case CountColumn::AvgTime:
      return {"usecs/call", 11};
    case CountColumn::MaxUsecs:
      return {"max usecs", 11};
    case CountColumn::Calls:
      return {"calls", 9};
    case CountColumn::Errors:
      return {"errors", 9};
    case CountColumn::Name:
      break;
  }
  return {"syscall", 0};
}

class TextOutput final : public Output {
 public:
  TextOutput(FILE* out, int64_t off, TextOptions o) : out_(out), off_(off), o_(std::move(o)) {}
  ~TextOutput() override {
    for (auto& [tid, f] : files_) fclose(f.file);
  }

  void call(const SyscallEvent& ev) override {
    line_.clear();
    leader(ev.tid, ev.has_enter ? ev.ts_ns : ev.exit_ts_ns);
    if (!ev.has_enter) {
      fmt::format_to(std::back_inserter(line_), "<... {} resumed>) = {}", syscall_name(ev.nr),
                     decode::ret_text(ev, o_.fds));
    } else {
      if (ev.shown_unfinished) line_ += "<... resumed> ";
      line_ += syscall_name(ev.nr);
      line_ += '(';
      append_args(ev);
      line_ += ") = ";
      line_ += decode::ret_text(ev, o_.fds);
    }
    if (ev.injected) line_ += " (INJECTED)";  // where strace puts it: before -T's <...>
    if (o_.durations && ev.has_exit && ev.has_enter) {
      uint64_t d = ev.duration_ns();
      fmt::format_to(std::back_inserter(line_), " <{}.{:06}>", d / 1000000000, d / 1000 % 1000000);
    }
    line_ += '\n';
    put(ev.tid);
  }

  void unfinished(const SyscallEvent& ev) override {
    line_.clear();
    leader(ev.tid, ev.ts_ns);
    line_ += syscall_name(ev.nr);
    line_ += '(';
    append_args(ev);  // output arguments print as addresses: not filled yet
    line_ += " <unfinished ...>\n";
    put(ev.tid);
  }

  void probe_hit(const SyscallEvent& who, const std::string& where, uint64_t ip,
                 const uint64_t r[6]) override {
    line_.clear();
    leader(who.tid, who.ts_ns);
    fmt::format_to(std::back_inserter(line_),
                   "probe {} hit: ip={:#x} di={:#x} si={:#x} dx={:#x} cx={:#x} r8={:#x} r9={:#x}\n",
                   where, ip, r[0], r[1], r[2], r[3], r[4], r[5]);
    put(who.tid);
  }

  void process_exit(uint32_t tgid, const std::string&, int status, uint64_t ts) override {
    exit_line(tgid, status, ts);
  }

  void thread_exit(uint32_t, uint32_t tid, const std::string&, int status, uint64_t ts) override {
    exit_line(tid, status, ts);
  }

  void thread_gone(uint32_t tid) override {
    live_.erase(tid);
    auto it = files_.find(tid);
    if (it == files_.end()) return;
    check(it->second);
    fclose(it->second.file);
    files_.erase(it);
  }

  void signal(const SignalEvent& ev) override {
    line_.clear();
    leader(ev.tid, ev.ts_ns);
    line_ += "--- ";
    line_ += decode::signal_text(ev.signo);
    line_ += ' ';
    std::span<const uint8_t> info;
    if (ev.info_ok) info = ev.info;
    line_ += decode::siginfo_text(decode::siginfo_fields(ev.signo, info));
    line_ += " ---\n";
    put(ev.tid);
  }

  void counts(const std::vector<CountRow>& rows_in) override {
    auto rows = rows_in;
    sort_counts(rows, o_.sort);
    CountRow total{-1, 0, 0, 0, 0};
    for (const auto& r : rows) {
      total.total_ns += r.total_ns;
      total.calls += r.calls;
      total.errors += r.errors;
      total.max_ns = std::max(total.max_ns, r.max_ns);
    }
    std::string header, rule;
    for (size_t i = 0; i < o_.columns.size(); ++i) {
      Column c = column_of(o_.columns[i]);
      const bool last = i + 1 == o_.columns.size();
      if (i) header += ' ', rule += ' ';
      if (c.width)
        header += fmt::format("{:>{}}", c.header, c.width);
      else
        header += last ? std::string(c.header) : fmt::format("{:<16}", c.header);
      rule += std::string(c.width ? static_cast<size_t>(c.width) : 16, '-');
    }
    fmt::print(out_, "{}\n{}\n", header, rule);
    for (const auto& r : rows) row(r, total.total_ns);
    fmt::print(out_, "{}\n", rule);
    row(total, total.total_ns);
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

  void flush() override {
    fflush(out_);
    for (const auto& [tid, f] : files_) check(f);
  }

 private:
  struct File {
    FILE* file;
    std::string name;
  };

  void append_args(const SyscallEvent& ev) {
    auto args = decode::decode_args(ev, o_.fds);
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) line_ += ", ";
      decode::append_text(args[i], line_);
    }
  }

  // "+++ exited with N +++" (left out by -qq, as strace) or "+++ killed by SIGX +++"
  void exit_line(uint32_t tid, int status, uint64_t ts) {
    if (!WIFSIGNALED(status) && (o_.quiet & kQuietExit)) return;
    line_.clear();
    leader(tid, ts);
    line_ += exit_text(status);
    line_ += '\n';
    put(tid);
  }

  // strace's printleader: the pid prefix, then -t/-tt/-ttt, then -r.
  void leader(uint32_t tid, uint64_t ts_ns) {
    live_.insert(tid);
    if (o_.separate.empty()) {
      if (o_.to_file && (o_.follow || live_.size() > 1))
        fmt::format_to(std::back_inserter(line_), "{:<5} ", tid);
      else if (!o_.to_file && live_.size() > 1)
        fmt::format_to(std::back_inserter(line_), "[pid {:>5}] ", tid);
    }
    if (o_.timestamps) {
      const int64_t wall = static_cast<int64_t>(ts_ns) + off_;
      const time_t sec = static_cast<time_t>(wall / 1000000000);
      const long usec = static_cast<long>(wall % 1000000000 / 1000);
      if (o_.timestamps >= 3) {
        fmt::format_to(std::back_inserter(line_), "{}.{:06} ", static_cast<long long>(sec), usec);
      } else {
        struct tm tm;
        localtime_r(&sec, &tm);
        char buf[32];
        strftime(buf, sizeof buf, "%H:%M:%S", &tm);
        line_ += buf;
        if (o_.timestamps == 2) fmt::format_to(std::back_inserter(line_), ".{:06}", usec);
        line_ += ' ';
      }
    }
    if (o_.relative) {
      uint64_t d = prev_ts_ && ts_ns > prev_ts_ ? ts_ns - prev_ts_ : 0;
      fmt::format_to(std::back_inserter(line_), "{:>6}.{:06} ", d / 1000000000, d / 1000 % 1000000);
      prev_ts_ = std::max(prev_ts_, ts_ns);
    }
  }

  // line_ goes to the output, or with -ff to the thread's own file.
  void put(uint32_t tid) {
    FILE* f = out_;
    if (!o_.separate.empty()) {
      auto it = files_.find(tid);
      if (it == files_.end()) {
        std::string name = fmt::format("{}.{}", o_.separate, tid);
        FILE* nf = fopen(name.c_str(), "we");
        if (!nf) throw Error(fmt::format("cannot write to {}: {}", name, strerror(errno)));
        it = files_.emplace(tid, File{nf, name}).first;
      }
      f = it->second.file;
    }
    fwrite(line_.data(), 1, line_.size(), f);
  }

  static void check(const File& f) {
    if (fflush(f.file) != 0 || ferror(f.file))
      throw Error(fmt::format("cannot write to {}: {}", f.name, strerror(errno ? errno : EIO)));
  }

  void row(const CountRow& r, uint64_t all_ns) {
    std::string out;
    for (size_t i = 0; i < o_.columns.size(); ++i) {
      if (i) out += ' ';
      const uint64_t avg = r.calls ? r.total_ns / r.calls : 0;
      switch (o_.columns[i]) {
        case CountColumn::TimePercent:
          fmt::format_to(std::back_inserter(out), "{:>6.2f}",
                         all_ns
                             ? 100.0 * static_cast<double>(r.total_ns) / static_cast<double>(all_ns)
                         : r.nr < 0 ? 100.0
                                    : 0.0);
          break;
        case CountColumn::TotalTime:
          fmt::format_to(std::back_inserter(out), "{:>11.6f}",
                         static_cast<double>(r.total_ns) / 1e9);
          break;
        case CountColumn::MaxTime:
          fmt::format_to(std::back_inserter(out), "{:>8.6f}", static_cast<double>(r.max_ns) / 1e9);
          break;
        case CountColumn::AvgTime:
          fmt::format_to(std::back_inserter(out), "{:>11}", avg / 1000);
          break;
        case CountColumn::MaxUsecs:
          fmt::format_to(std::back_inserter(out), "{:>11}", r.max_ns / 1000);
          break;
        case CountColumn::Calls:
          fmt::format_to(std::back_inserter(out), "{:>9}", r.calls);
          break;
        case CountColumn::Errors:
          out += r.errors ? fmt::format("{:>9}", r.errors) : std::string(9, ' ');
          break;
        case CountColumn::Name: {
          std::string name = r.nr < 0 ? "total" : syscall_name(r.nr);
          out += i + 1 == o_.columns.size() ? name : fmt::format("{:<16}", name);
          break;
        }
      }
    }
    out += '\n';
    fputs(out.c_str(), out_);
  }

  FILE* out_;
  int64_t off_;
  TextOptions o_;
  std::string line_;
  std::unordered_set<uint32_t> live_;         // threads seen and not yet exited (strace's nprocs)
  uint64_t prev_ts_ = 0;                      // -r
  std::unordered_map<uint32_t, File> files_;  // -ff
};

}  // namespace

void sort_counts(std::vector<CountRow>& rows, CountSort by) {
  auto avg = [](const CountRow& r) { return r.calls ? r.total_ns / r.calls : 0; };
  auto cmp = [&](const CountRow& a, const CountRow& b) {
    switch (by) {
      case CountSort::Time:
        return a.total_ns != b.total_ns ? a.total_ns > b.total_ns : a.calls > b.calls;
      case CountSort::Calls:
        return a.calls > b.calls;
      case CountSort::Errors:
        return a.errors > b.errors;
      case CountSort::Name:
        return syscall_name(a.nr) < syscall_name(b.nr);
      case CountSort::MaxTime:
        return a.max_ns > b.max_ns;
      case CountSort::AvgTime:
        return avg(a) > avg(b);
      case CountSort::Nothing:
        break;
    }
    return false;
  };
  std::stable_sort(rows.begin(), rows.end(), cmp);
}

std::unique_ptr<Output> make_text_output(FILE* out, int64_t off, TextOptions opts) {
  return std::make_unique<TextOutput>(out, off, std::move(opts));
}

}  // namespace sysgate
