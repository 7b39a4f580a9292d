// SPDX-License-Identifier: Apache-2.0
// JSON lines, written directly (one object per line) rather than through a DOM:
// the decoders already produce JSON-ready values and this is the hot path.
#include <sys/wait.h>

#include <fmt/format.h>

#include "sysgate/decode.hpp"
#include "sysgate/output.hpp"
#include "sysgate/syscalls.hpp"

namespace sysgate {

namespace {

void json_string(std::string& out, std::string_view s) {
  decode::append_json(decode::Value::sym(std::string(s)), out);
}

class JsonOutput final : public Output {
 public:
  JsonOutput(FILE* out, int64_t off) : out_(out), off_(off) {}

  void call(const SyscallEvent& ev) override {
    line_.clear();
    const SyscallInfo* info = syscall_by_nr(ev.nr);
    auto it = std::back_inserter(line_);
    fmt::format_to(it, "{{\"ts_ns\":{},\"pid\":{},\"tid\":{},\"comm\":",
                   static_cast<int64_t>(ev.ts_ns) + off_, ev.tgid, ev.tid);
    json_string(line_, ev.comm);
    line_ += ",\"syscall\":";
    json_string(line_, info ? std::string(info->name) : fmt::format("syscall_{}", ev.nr));
    fmt::format_to(it, ",\"nr\":{},\"args\":[", ev.nr);
    if (ev.has_enter) {
      auto args = decode::decode_args(ev);
      for (size_t i = 0; i < args.size(); ++i) {
        if (i) line_ += ',';
        decode::append_json(args[i], line_);
      }
    }
    line_ += ']';
    if (ev.has_exit) {
      bool hexret = info && info->ret_kind == "hex" && !ev.failed();
      fmt::format_to(it, ",\"ret\":{}", hexret ? static_cast<int64_t>(ev.ret) : ev.ret);
      if (ev.failed()) {
        auto name = decode::errno_name(static_cast<int>(-ev.ret));
        line_ += ",\"errno\":";
        json_string(line_, name.empty() ? fmt::format("E{}", -ev.ret) : std::string(name));
      }
      if (ev.has_enter) fmt::format_to(it, ",\"dur_ns\":{}", ev.duration_ns());
    } else {
      line_ += ",\"ret\":null";
    }
    if (!ev.has_enter) line_ += ",\"entry_lost\":true";
    line_ += "}\n";
    fwrite(line_.data(), 1, line_.size(), out_);
  }

  void probe_hit(const SyscallEvent& who, const std::string& where, uint64_t ip,
                 const uint64_t r[6]) override {
    line_.clear();
    auto it = std::back_inserter(line_);
    fmt::format_to(it, "{{\"event\":\"probe\",\"ts_ns\":{},\"pid\":{},\"tid\":{},\"comm\":",
                   static_cast<int64_t>(who.ts_ns) + off_, who.tgid, who.tid);
    json_string(line_, who.comm);
    line_ += ",\"probe\":";
    json_string(line_, where);
    fmt::format_to(it, ",\"ip\":{},\"regs\":[{},{},{},{},{},{}]}}\n", ip, r[0], r[1], r[2], r[3], r[4], r[5]);
    fwrite(line_.data(), 1, line_.size(), out_);
  }

  void process_exit(uint32_t tgid, const std::string& comm, int status, uint64_t ts) override {
    line_.clear();
    auto it = std::back_inserter(line_);
    fmt::format_to(it, "{{\"event\":\"exit\",\"ts_ns\":{},\"pid\":{},\"comm\":",
                   static_cast<int64_t>(ts) + off_, tgid);
    json_string(line_, comm);
    if (WIFSIGNALED(status)) {
      auto name = decode::signal_name(WTERMSIG(status));
      line_ += ",\"exit_signal\":";
      json_string(line_, name.empty() ? fmt::format("{}", WTERMSIG(status)) : std::string(name));
    } else {
      fmt::format_to(it, ",\"exit_code\":{}", WEXITSTATUS(status));
    }
    line_ += "}\n";
    fwrite(line_.data(), 1, line_.size(), out_);
  }

  void counts(const std::vector<CountRow>& rows) override {
    for (const auto& r : rows) {
      const SyscallInfo* info = syscall_by_nr(r.nr);
      line_.clear();
      line_ += "{\"syscall\":";
      json_string(line_, info ? std::string(info->name) : fmt::format("syscall_{}", r.nr));
      fmt::format_to(std::back_inserter(line_),
                     ",\"nr\":{},\"calls\":{},\"errors\":{},\"total_ns\":{},\"avg_ns\":{},\"max_ns\":{}}}\n",
                     r.nr, r.calls, r.errors, r.total_ns, r.calls ? r.total_ns / r.calls : 0, r.max_ns);
      fwrite(line_.data(), 1, line_.size(), out_);
    }
  }

  void summary(const RunSummary& s) override {
    fmt::print(out_,
               "{{\"event\":\"summary\",\"events\":{},\"drops\":{},\"exit_drops\":{},\"truncated\":{},"
               "\"unfinished\":{},\"seen\":{},\"duration_ns\":{},\"setup_ns\":{},\"backend\":\"{}\","
               "\"attach\":\"{}\"}}\n",
               s.events, s.drops, s.exit_drops, s.truncated, s.unfinished, s.seen, s.duration_ns,
               s.setup_ns, s.backend, s.attach);
  }

  void flush() override { fflush(out_); }

 private:
  FILE* out_;
  int64_t off_;
  std::string line_;
};

}  // namespace

std::unique_ptr<Output> make_json_output(FILE* out, int64_t off) {
  return std::make_unique<JsonOutput>(out, off);
}

}  // namespace sysgate
