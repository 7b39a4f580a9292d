// SPDX-License-Identifier: Apache-2.0
// sysgate command line: option parsing only; the work is in the libraries.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sysgate/decode.hpp"
#include "sysgate/error.hpp"
#include "sysgate/parse.hpp"
#include "sysgate/qualify.hpp"
#include "sysgate/session.hpp"
#include "sysgate/syscalls.hpp"

namespace {

using sysgate::RunOptions;

// A message as one line a terminal shows as it is: control characters, DEL and
// bytes that are not UTF-8 (user text such as a syscall name given to -e) as \xNN.
std::string one_line(std::string_view msg) {
  std::string out;
  out.reserve(msg.size());
  for (size_t i = 0; i < msg.size();) {
    auto c = static_cast<unsigned char>(msg[i]);
    size_t n = c >= 0x20 && c < 0x7f ? 1 : c >= 0x80 ? sysgate::decode::utf8_seq_len(msg, i) : 0;
    if (n) {
      out.append(msg.data() + i, n);
      i += n;
    } else {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    }
  }
  return out;
}

struct CommonText {
  std::string duration;
  std::vector<std::string> qualifiers;  // -e, in order
  CLI::Option* duration_opt = nullptr;
  // strace's output options (add_strace_output)
  int follow = 0;  // -f (1), -ff (2)
  int quiet = 0, timestamps = 0, decode_fds = 0, hex = 0;
  bool successful = false, failed = false, wall = false;
  std::string sort, columns;
};

void add_common(CLI::App* sub, RunOptions& o, size_t& ring_mb, CommonText& text) {
  sub->add_option("-p,--pid", o.targets.pids, "Trace this process, all its threads (repeatable)")
      ->take_all();
  sub->add_option("-n,--comm", o.targets.comms,
                  "Trace processes with this name, at most 15 characters (repeatable)");
  sub->add_option("--cgroup", o.targets.cgroup, "Trace the processes of this cgroup v2 directory");
  sub->add_flag("-a,--all", o.targets.all,
                "Trace every process but sysgate and its output's reader");
  sub->add_flag("-f,--follow", text.follow,
                "Also trace new children of the targets (-ff -o PREFIX: one file per thread)");
  sub->add_option("-e,--syscalls", text.qualifiers,
                  "Syscalls: names, %classes (%file %desc %process %network %memory %signal "
                  "%ipc), !negation; default all. Also strace's trace=, status=, signal=, quiet=, "
                  "decode-fds= (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--format", o.format, "Output format: text or json")->default_str("text");
  sub->add_option("-o,--output", o.output,
                  "Write to FILE (default: standard output, or standard error with a command)");
  sub->add_option("--clock", o.clock, "JSON timestamps: realtime (default) or monotonic")
      ->default_str("realtime");
  sub->add_option("--backend", o.backend,
                  "ebpf, kmod or ptrace (default: ebpf with BPF privileges, else ptrace)");
  sub->add_option("--attach", o.attach,
                  "eBPF attachment: auto, raw (cheapest for the target) or syscall (cheapest for "
                  "other processes)")
      ->default_str("auto");
  sub->add_option("--probe", o.probes,
                  "With --backend kmod: also probe this kernel symbol, SYMBOL or SYMBOL+OFFSET "
                  "(repeatable)");
  sub->add_option("--kmod-path", o.kmod_path,
                  "With --backend kmod: the module to load if /dev/sysgate is absent");
  sub->add_option("-s,--string-limit", o.limits.buf_max, "Bytes of buffers shown (strace -s)")
      ->default_val(32)
      ->check(CLI::Range(1, 4096));
  sub->add_option("--buffer-size", ring_mb, "Ring buffer size in MiB")
      ->default_val(16)
      ->check(CLI::Range(1, 1024));
  text.duration_opt =
      sub->add_option("--duration", text.duration,
                      "Stop after this long: 1.5s, 200ms, 2m (a bare number is seconds)");
  sub->add_option("command", o.command, "Command to launch and trace (after --)");
}

// strace's output options, same letters, same meaning (README: Output options).
void add_strace_output(CLI::App* sub, RunOptions& o, CommonText& text, bool tracing) {
  sub->add_flag("-q", text.quiet, "Quiet (-qq: no '+++ exited' lines), as strace -q/-qq");
  sub->add_option("-S", text.sort,
                  "Sort the summary: time (default), calls, errors, name, max-time, avg-time, "
                  "nothing");
  sub->add_option("-U", text.columns,
                  "Summary columns: time-percent, total-time, max-time, avg-time, calls, errors, "
                  "name");
  sub->add_flag("-w", text.wall,
                "Summary of latency from entry to exit (what sysgate always measures)");
  if (!tracing) return;
  sub->add_flag("-t", text.timestamps,
                "Time of day on every line (-tt: with microseconds, -ttt: epoch seconds)");
  sub->add_flag("-r", o.text.relative, "Time since the previous line on every line");
  sub->add_flag("-T", o.text.durations, "Time spent in each call, <seconds> after the result");
  sub->add_flag("-y", text.decode_fds,
                "Print the paths of file descriptors (-yy: socket endpoints, devices)");
  sub->add_option("-P", o.paths, "Only calls that touch this path, by name or through an fd")
      ->take_all();
  sub->add_flag("-z", text.successful, "Only calls that succeeded (-e status=successful)");
  sub->add_flag("-Z", text.failed, "Only calls that failed (-e status=failed)");
  sub->add_flag("-x", text.hex, "Strings with non-ASCII bytes in hex (-xx: every string)");
  sub->add_flag("-C", o.summary, "Also print the count summary at the end");
}

// The strace options of one subcommand into o (after parsing).
void apply_strace_output(RunOptions& o, const CommonText& text) {
  sysgate::Qualifiers q;
  for (const auto& e : text.qualifiers) sysgate::parse_qualifier(e, q);
  if (q.trace_given) o.syscalls = q.trace;
  o.status = q.status;
  if (text.successful || text.failed)
    o.status = static_cast<uint8_t>((text.successful ? sysgate::kStatusSuccessful : 0) |
                                    (text.failed ? sysgate::kStatusFailed : 0));
  o.signals = q.signals;
  o.inject = q.inject;
  o.text.quiet = q.quiet;
  if (text.quiet >= 1) o.text.quiet |= sysgate::kQuietAttach | sysgate::kQuietPersonality;
  if (text.quiet >= 2) o.text.quiet |= sysgate::kQuietExit;
  o.decode_fds = q.decode_fds;
  if (text.decode_fds == 1) o.decode_fds |= sysgate::kFdPath;
  if (text.decode_fds >= 2) o.decode_fds |= sysgate::kFdAll;
  if (text.timestamps > 3) throw sysgate::UsageError("-t: give -t, -tt or -ttt");
  o.text.timestamps = text.timestamps;
  if (text.hex > 2) throw sysgate::UsageError("-x: give -x or -xx");
  sysgate::decode::set_hex_strings(text.hex);
  o.targets.follow = text.follow > 0;
  o.separate = text.follow > 1 && !o.output.empty();  // strace: -ff without -o is -f
  if (!text.sort.empty()) o.text.sort = sysgate::parse_sort_key(text.sort);
  if (!text.columns.empty()) o.text.columns = sysgate::parse_count_columns(text.columns);
  for (size_t i = 0, n = o.paths.size(); i < n; ++i) {
    // as strace: the path given, and what it resolves to
    char* real = realpath(o.paths[i].c_str(), nullptr);
    if (real && o.paths[i] != real) o.paths.emplace_back(real);
    free(real);
  }
}

int list_syscalls(const std::string& cls) {
  uint32_t mask = 0;
  if (!cls.empty()) {
    mask = sysgate::class_by_name(cls);
    if (!mask) throw sysgate::UsageError(fmt::format("list: unknown class '{}'", cls));
  }
  for (const auto& s : sysgate::syscall_table()) {
    if (s.nr < 0 || (mask && !(s.classes & mask))) continue;
    std::string classes;
    for (auto c : sysgate::class_names())
      if (c != "net" && (s.classes & sysgate::class_by_name(c)))
        classes += fmt::format("{}%{}", classes.empty() ? "" : ",", c);
    std::string args;
    for (int i = 0; s.args_known && i < s.nargs; ++i)
      args += fmt::format("{}{}:{}", i ? ", " : "", s.args[i].name, s.args[i].kind);
    fmt::print("{:>3} {:<24} {:<28} ({})\n", s.nr, s.name, classes, args);
  }
  return 0;
}

}  // namespace

static int run_cli(int argc, char** argv) {
  // Everything after "--" is the command; CLI11 sees only what comes before.
  std::vector<std::string> command;
  int cli_argc = argc;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") {
      for (int j = i + 1; j < argc; ++j) command.emplace_back(argv[j]);
      cli_argc = i;
      break;
    }
  }

  CLI::App app{"sysgate: trace, count and act on system calls"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "sysgate 0.1.0");
  RunOptions trace_opts, count_opts;
  size_t trace_ring = 16, count_ring = 16;
  CommonText trace_text, count_text, zap_text;
  auto* trace = app.add_subcommand("trace", "Print every matching call with decoded arguments");
  add_common(trace, trace_opts, trace_ring, trace_text);
  add_strace_output(trace, trace_opts, trace_text, true);
  auto* count =
      app.add_subcommand("count", "Count calls, errors and time per syscall, in the kernel");
  add_common(count, count_opts, count_ring, count_text);
  add_strace_output(count, count_opts, count_text, false);
  RunOptions zap_opts;
  size_t zap_ring = 16;
  auto* zap =
      app.add_subcommand("zap", "Signal a process on its Nth matching call and time its exit");
  add_common(zap, zap_opts, zap_ring, zap_text);
  std::string zap_signal = "TERM", kill_after, zap_on, zap_at = "entry", zap_errno, zap_scope;
  int64_t zap_nth = 1, zap_count = 1;
  bool via_user = false, zap_before = false;
  zap->add_option("--on", zap_on,
                  "Syscalls that count (names, %classes, as -e); required unless --now");
  zap->add_option("--nth", zap_nth, "Act on the Nth matching call of each process (default 1)");
  zap->add_option("--arg", zap_opts.zap_args,
                  "Match an argument: I=VALUE (I: 0-based index or name; a number, &BITS, or a "
                  "path prefix)");
  auto* zap_signal_opt =
      zap->add_option("--signal", zap_signal, "Signal to send: name or number (default TERM)");
  zap->add_option("--kill-after", kill_after, "SIGKILL if still alive this long after the signal");
  zap->add_option("--count", zap_count, "Stop after this many zaps (default 1; 0: no limit)");
  zap->add_option("--at", zap_at,
                  "Where the Nth call is acted on: entry (the signal is raised as the call "
                  "starts) or exit (the call completes, the signal comes before the next "
                  "instruction)");
  zap->add_flag("--before", zap_before,
                "The Nth call never runs: the process is killed (or the call fails with "
                "--errno) instead");
  zap->add_option("--errno", zap_errno,
                  "With --before: the call fails with this errno (name or number) instead of "
                  "running; no signal unless --signal is given too");
  zap->add_option("--scope", zap_scope,
                  "Who is signalled: process (default), tree (the process and all its "
                  "descendants), cgroup (every process of its cgroup)");
  zap->add_flag("-y", zap_text.decode_fds,
                "The report names the call's file descriptors (-yy: sockets too), as trace -y");
  zap->add_flag("--now", zap_opts.zap_opts.now,
                "Signal the running targets (-p, -n) at once, without waiting for a call");
  zap->add_flag("--syslog", zap_opts.zap_opts.syslog, "Log every zap through syslog(3)");
  zap->add_flag("--via-userspace", via_user,
                "The kernel reports, sysgate sends the signal (classic design)");
  zap->add_option("--max-rate", zap_opts.zap.max_per_sec, "At most this many zaps per second");
  zap->add_flag("--force", zap_opts.zap.force, "Allow zapping PID 1");
  std::string list_class;
  auto* list = app.add_subcommand(
      "list", "List the syscalls sysgate knows, with classes and argument kinds");
  list->add_option("class", list_class, "Only this class (e.g. %file)");

  // An unknown first word is named (CLI11 would only say a subcommand is required).
  if (cli_argc > 1 && argv[1][0] != '-') {
    std::string_view w(argv[1]);
    if (w != "trace" && w != "count" && w != "zap" && w != "list") {
      fmt::print(
          stderr,
          "sysgate: unknown command '{}': use trace, count, zap or list (see 'sysgate --help')\n",
          one_line(w));
      return 2;
    }
  }
  try {
    app.parse(cli_argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "sysgate: {} (see 'sysgate --help')\n", one_line(e.what()));
    return 2;
  }

  try {
    if (list->parsed()) return list_syscalls(list_class);
    RunOptions& o = trace->parsed() ? trace_opts : count->parsed() ? count_opts : zap_opts;
    size_t ring = trace->parsed() ? trace_ring : count->parsed() ? count_ring : zap_ring;
    CommonText& text = trace->parsed() ? trace_text : count->parsed() ? count_text : zap_text;
    if (zap->parsed()) {
      if (!text.qualifiers.empty())
        throw sysgate::UsageError("zap: give the syscalls with --on, not -e");
      o.targets.follow = text.follow > 0;
      o.zap_opts.decode_fds = text.decode_fds >= 2   ? sysgate::kFdAll
                              : text.decode_fds == 1 ? sysgate::kFdPath
                                                     : 0;
    } else {
      apply_strace_output(o, text);
    }
    if (text.duration_opt->count() > 0) {
      o.duration_ns = sysgate::parse_duration_ns(text.duration, "--duration");
      if (o.duration_ns == 0)
        throw sysgate::UsageError(
            "--duration 0: give a positive duration, or leave it out to run until the end");
    }
    o.mode = trace->parsed()   ? sysgate::Mode::Trace
             : count->parsed() ? sysgate::Mode::Count
                               : sysgate::Mode::Zap;
    if (zap->parsed()) {
      if (zap->count("--on") == 0 && !o.zap_opts.now)
        throw sysgate::UsageError(
            "zap: give the calls to act on with --on SYSCALLS (or --now to signal at once)");
      if (zap->count("--on") > 0 && o.zap_opts.now)
        throw sysgate::UsageError("--now signals at once: leave out --on");
      if (!o.zap_opts.now) sysgate::check_filter_text(zap_on, "--on");
      o.syscalls = zap_on;
      if (zap_nth <= 0)
        throw sysgate::UsageError(
            fmt::format("--nth {}: the count starts at 1 (the first matching call)", zap_nth));
      if (zap_nth > UINT32_MAX)
        throw sysgate::UsageError(fmt::format("--nth {}: too large", zap_nth));
      o.zap.nth = static_cast<uint32_t>(zap_nth);
      if (zap_count < 0)
        throw sysgate::UsageError(
            fmt::format("--count {}: give 1 or more, or 0 for no limit", zap_count));
      o.zap_opts.count = static_cast<uint64_t>(zap_count);
      o.zap.max_total = o.zap_opts.count;
      o.zap.signal = sysgate::decode::signal_by_name(zap_signal);
      if (o.zap.signal <= 0 || o.zap.signal > 64)
        throw sysgate::UsageError(fmt::format(
            "--signal {}: unknown signal (use a name such as TERM, KILL, USR1, or a number 1-64)",
            zap_signal));
      o.zap.in_kernel = !via_user;
      if (zap_at != "entry" && zap_at != "exit")
        throw sysgate::UsageError(fmt::format(
            "--at {}: use entry or exit (or --before: the call never runs)", one_line(zap_at)));
      if (zap_before && zap->count("--at") > 0)
        throw sysgate::UsageError(
            "--before and --at are exclusive: --before stops the call before it runs, --at "
            "entry/exit signals as it starts or ends");
      o.zap.at = zap_before         ? sysgate::ZapAt::Before
                 : zap_at == "exit" ? sysgate::ZapAt::Exit
                                    : sysgate::ZapAt::Entry;
      if (!zap_errno.empty()) {
        if (!zap_before)
          throw sysgate::UsageError(
              "--errno needs --before: only a call that has not run can be made to fail");
        o.zap.error = sysgate::decode::errno_by_name(zap_errno);
        if (o.zap.error <= 0)
          throw sysgate::UsageError(fmt::format(
              "--errno {}: unknown errno (use a name such as EIO, ENOSPC, or a number 1-4095)",
              one_line(zap_errno)));
        o.zap.send_signal = zap_signal_opt->count() > 0;
      }
      if (via_user && o.zap.at != sysgate::ZapAt::Entry)
        throw sysgate::UsageError(
            "--via-userspace signals from user space after the call was reported: it cannot be "
            "exact; leave out --at/--before");
      if (!zap_scope.empty()) {
        if (zap_scope == "process")
          o.zap_opts.scope = sysgate::ZapScope::Process;
        else if (zap_scope == "tree")
          o.zap_opts.scope = sysgate::ZapScope::Tree;
        else if (zap_scope == "cgroup")
          o.zap_opts.scope = sysgate::ZapScope::Cgroup;
        else
          throw sysgate::UsageError(
              fmt::format("--scope {}: use process, tree or cgroup", one_line(zap_scope)));
      }
      if (o.zap_opts.now) {
        if (!command.empty() || (o.targets.pids.empty() && o.targets.comms.empty()))
          throw sysgate::UsageError(
              "--now signals running processes: give them with -p PID or -n NAME (a launched "
              "command has not done anything yet)");
        if (zap->count("--before") + zap->count("--at") + zap->count("--nth") +
                zap->count("--arg") >
            0)
          throw sysgate::UsageError(
              "--now signals at once, without waiting for a call: leave out --at, --before, "
              "--nth and --arg");
      }
      if (!kill_after.empty()) {
        o.zap_opts.kill_after_ns = sysgate::parse_duration_ns(kill_after, "--kill-after");
        if (o.zap_opts.kill_after_ns == 0)
          throw sysgate::UsageError(
              "--kill-after 0: give a positive delay such as 200ms or 5s (SIGKILL that long after "
              "the signal), or use --signal KILL");
      }
    }
    o.ring_bytes = ring << 20;
    if (!command.empty()) {
      if (!o.command.empty())
        throw sysgate::UsageError("give the command either after -- or without it, not both");
      o.command = command;
    }
    sysgate::decode::set_string_limit(o.limits.buf_max);
    return sysgate::run(o);
  } catch (const sysgate::Error& e) {
    fmt::print(stderr, "sysgate: {}\n", one_line(e.what()));
    return e.code();
  } catch (const std::exception& e) {
    // a bug, not a user error: still one line and a non-zero exit, nothing left loaded
    fmt::print(stderr, "sysgate: internal error: {}\n", one_line(e.what()));
    return 1;
  }
}

int main(int argc, char** argv) {
  // run_cli catches what a run can throw; this is the last resort for the set-up
  // around it (CLI11's option tables, allocation): one line, never an abort.
  try {
    return run_cli(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sysgate: internal error: {}\n", one_line(e.what()));
  } catch (...) {
    fmt::print(stderr, "sysgate: internal error\n");
  }
  return 1;
}
