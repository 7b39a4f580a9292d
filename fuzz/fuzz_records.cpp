// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a sequence of ABI records (schema/sysgate_abi.h), as a backend
// would deliver them, through the one RecordReader into the trace outputs (text and
// JSON, as src/runtime/session.cpp's TraceConsumer connects them) and the zap
// reporter (Zapper, JSON and text), then finish() and the end-of-run lines.
//
// Input: one configuration byte, then chunks, each a 2-byte little-endian length and
// that many bytes; a chunk is one record, handed over with exactly that length (its
// own sg_hdr.size may say anything). A length past the end of the input takes what
// is left, a single trailing byte is a 1-byte record.
//   config bits 0-1: string limit (-s) 32, 0, 5, 4096
//          bit 2:    announce blocked calls after every record (text "<unfinished ...>")
//          bit 3:    realtime offset 0 or a large one (timestamps saturate in JSON)
//          bits 4-7: the zap --nth shown in "zap_missed" lines (1-16)
//
// Checked (abort() on failure, so libFuzzer reports it):
//   * every event the text output prints is exactly one line: one '\n', at the end,
//     and nothing but printable ASCII before it;
//   * every JSON line (trace, exit, probe, summary, zap) parses with
//     nlohmann::json::parse, is an object, is valid UTF-8 (checked here, independently
//     of sysgate's own checker), and a call's line names the right pid, tid and nr;
//   * the zap reporter's JSON lines likewise, and its text lines are one line each of
//     printable ASCII (the process name escaped as strace escapes strings);
//   * nothing throws.
// Set SYSGATE_FUZZ_VERBOSE=1 to print every output line to stderr (for reproducing).
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.hpp"
#include "sysgate/decode.hpp"
#include "sysgate/output.hpp"
#include "sysgate/records.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate/zap.hpp"
#include "sysgate_abi.h"

namespace {

bool g_verbose = false;

[[noreturn]] void fail(const char* what, std::string_view bytes) {
  sysgate::fuzz::fail("fuzz_records", what, bytes);
}

// RFC 3629 UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), written
// here rather than taken from sysgate so that a bug there cannot hide itself.
bool is_utf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += len;
  }
  return true;
}

// An output stream in memory; take() returns what was written since the last take().
class MemOut {
 public:
  MemOut() {
    f_ = open_memstream(&buf_, &size_);
    if (!f_) abort();
  }
  ~MemOut() {
    fclose(f_);
    free(buf_);
  }
  MemOut(const MemOut&) = delete;
  MemOut& operator=(const MemOut&) = delete;
  FILE* file() { return f_; }
  std::string_view take() {
    if (fflush(f_) != 0) abort();
    std::string_view out(buf_ + seen_, size_ - seen_);
    seen_ = size_;
    return out;
  }

 private:
  FILE* f_ = nullptr;
  char* buf_ = nullptr;
  size_t size_ = 0;
  size_t seen_ = 0;
};

// Splits complete lines; aborts if the bytes do not end with '\n' (when any) or if
// the number of lines is outside [min, max].
std::vector<std::string_view> lines_of(std::string_view bytes, size_t min, size_t max,
                                       const char* who) {
  std::vector<std::string_view> out;
  if (!bytes.empty() && bytes.back() != '\n') fail(who, bytes);
  size_t start = 0;
  while (start < bytes.size()) {
    size_t nl = bytes.find('\n', start);
    out.push_back(bytes.substr(start, nl - start));
    start = nl + 1;
  }
  if (out.size() < min || out.size() > max) {
    fprintf(stderr, "fuzz_records: %s: %zu lines, expected %zu to %zu\n", who, out.size(), min,
            max);
    fail(who, bytes);
  }
  if (g_verbose)
    for (auto l : out) fprintf(stderr, "%s| %.*s\n", who, static_cast<int>(l.size()), l.data());
  return out;
}

// The trace's text lines are printable ASCII: strace escapes every other byte of
// the strings it shows (decode::escape), and nothing else comes from the traced process.
void check_text(std::string_view bytes, size_t min, size_t max, const char* who) {
  for (auto l : lines_of(bytes, min, max, who)) {
    if (l.empty()) fail("empty text line", bytes);
    for (unsigned char c : l)
      if (c < 0x20 || c > 0x7e) fail("text line with a byte that is not printable ASCII", l);
  }
}

nlohmann::json check_json_line(std::string_view line, const char* who) {
  if (!is_utf8(line)) fail("JSON line is not valid UTF-8", line);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& e) {
    fprintf(stderr, "fuzz_records: %s: %s\n", who, e.what());
    fail("JSON line does not parse", line);
  }
  if (!j.is_object()) fail("JSON line is not an object", line);
  return j;
}

std::vector<nlohmann::json> check_json(std::string_view bytes, size_t min, size_t max,
                                       const char* who) {
  std::vector<nlohmann::json> out;
  for (auto l : lines_of(bytes, min, max, who)) out.push_back(check_json_line(l, who));
  return out;
}

// session.cpp's TraceConsumer, to both outputs at once, plus the zap reporter in
// both of its forms, each event checked as soon as it is written.
class Harness final : public sysgate::RecordConsumer {
 public:
  Harness(int64_t offset, uint32_t nth)
      : text_(sysgate::make_text_output(text_out_.file(), offset)),
        json_(sysgate::make_json_output(json_out_.file(), offset)),
        zap_json_(zap_opts(true, nth), zap_json_out_.file(), offset),
        zap_text_(zap_opts(false, nth), zap_text_out_.file(), offset) {
    for (pid_t p : {100, 4242}) {
      zap_json_.watch(p);
      zap_text_.watch(p);
    }
  }

  void call(const sysgate::SyscallEvent& ev) override {
    text_->call(ev);
    json_->call(ev);
    check_text(text_out_.take(), 1, 1, "text call");
    auto j = check_json(json_out_.take(), 1, 1, "json call");
    const auto& o = j[0];
    if (o.value("pid", -1LL) != static_cast<long long>(ev.tgid) ||
        o.value("tid", -1LL) != static_cast<long long>(ev.tid) ||
        o.value("nr", -1LL - 0x7fffffffLL) != ev.nr || !o.contains("syscall") ||
        !o["args"].is_array())
      fail("JSON call line does not match its event", o.dump());
    ++rows_[ev.nr].calls;
    if (ev.failed()) ++rows_[ev.nr].errors;
    rows_[ev.nr].total_ns += ev.duration_ns();
  }

  void unfinished(const sysgate::SyscallEvent& ev) override {
    text_->unfinished(ev);
    json_->unfinished(ev);
    check_text(text_out_.take(), 1, 1, "text unfinished");
    check_json(json_out_.take(), 0, 0, "json unfinished");  // JSON prints each call once
  }

  void task_exit(const sysgate::TaskExit& t) override {
    if (t.group_dead) {
      text_->process_exit(t.tgid, t.comm, t.status, t.ts_ns);
      json_->process_exit(t.tgid, t.comm, t.status, t.ts_ns);
    }
    const size_t n = t.group_dead ? 1 : 0;
    check_text(text_out_.take(), n, n, "text exit");
    check_json(json_out_.take(), n, n, "json exit");
    zap_json_.task_exit(t);
    zap_text_.task_exit(t);
    check_zap(n);
  }

  void signal(const sysgate::SignalEvent& ev) override {
    text_->signal(ev);
    json_->signal(ev);
    check_text(text_out_.take(), 1, 1, "text signal");
    check_json(json_out_.take(), 1, 1, "json signal");
  }

  void probe_hit(const sysgate::SyscallEvent& who, uint32_t id, uint64_t ip,
                 const uint64_t regs[6]) override {
    const std::string where =
        id & 1 ? std::to_string(id) : "do_sys_openat2+0x" + std::to_string(id);
    text_->probe_hit(who, where, ip, regs);
    json_->probe_hit(who, where, ip, regs);
    check_text(text_out_.take(), 1, 1, "text probe");
    check_json(json_out_.take(), 1, 1, "json probe");
  }

  void zap(const sysgate::ZapRecord& r) override {
    zap_json_.zap(r);
    zap_text_.zap(r);
    check_zap(0);
  }

  void signal_delivered(const sysgate::SignalDelivery& d) override {
    zap_json_.signal_delivered(d);
    zap_text_.signal_delivered(d);
    check_zap(0);
  }

  void exit_started(uint32_t tgid, uint64_t ts) override {
    zap_json_.exit_started(tgid, ts);
    zap_text_.exit_started(tgid, ts);
    check_zap(0);
  }

  // The end of a run: summary lines, a count table of what was seen, zap's last lines.
  void end(const sysgate::RecordReader& reader, uint8_t cfg) {
    sysgate::RunSummary s;
    s.events = reader.calls();
    s.unfinished = reader.unfinished();
    s.drops = cfg & 1 ? reader.malformed() : 0;
    s.exit_drops = cfg & 2 ? 1 : 0;
    s.truncated = reader.malformed();
    s.malformed = reader.malformed();
    s.backend = "ebpf";
    s.attach = "raw_syscalls";
    text_->summary(s);
    json_->summary(s);
    check_text(text_out_.take(), 0, 3, "text summary");
    check_json(json_out_.take(), 1, 1, "json summary");

    std::vector<sysgate::CountRow> rows;
    for (const auto& [nr, r] : rows_)
      rows.push_back({nr, r.calls, r.errors, r.total_ns, r.total_ns});
    text_->counts(rows);
    json_->counts(rows);
    check_text(text_out_.take(), rows.size() + 4, rows.size() + 4, "text counts");
    check_json(json_out_.take(), rows.size(), rows.size(), "json counts");

    const uint64_t lost = cfg & 1, held = cfg & 2, untracked = cfg & 4;
    const uint64_t zj = zap_json_.finish(lost, held, untracked);
    const uint64_t zt = zap_text_.finish(lost, held, untracked);
    if (zj != zt) fail("the two zap reporters counted different zaps", {});
    auto j = check_json(zap_json_out_.take(), 1, 1000000, "zap json finish");
    if (j.back().value("event", "") != "zap_summary")
      fail("zap JSON: no summary last", j.back().dump());
    lines_of(zap_text_out_.take(), 1, SIZE_MAX, "zap text finish");
    text_->flush();
    json_->flush();
  }

 private:
  static sysgate::ZapOptions zap_opts(bool json, uint32_t nth) {
    sysgate::ZapOptions o;
    o.json = json;
    o.nth = nth;
    // Never a signal: via_userspace would send one to the record's pid, and tick()
    // (never called here) escalates. The Zapper still opens pidfds on the record's
    // tgid (harmless: closed when it is done with them).
    o.via_userspace = false;
    o.kill_after_ns = 0;
    o.syslog = false;
    return o;
  }

  void check_zap(size_t max) {
    check_json(zap_json_out_.take(), 0, max, "zap json");
    check_text(zap_text_out_.take(), 0, max, "zap text");
  }

  struct Row {
    uint64_t calls = 0, errors = 0, total_ns = 0;
  };

  MemOut text_out_, json_out_, zap_json_out_, zap_text_out_;
  std::unique_ptr<sysgate::Output> text_, json_;
  sysgate::Zapper zap_json_, zap_text_;
  std::map<int, Row> rows_;
};

constexpr size_t kStringLimits[4] = {32, 0, 5, 4096};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_verbose = getenv("SYSGATE_FUZZ_VERBOSE") != nullptr;
  // What main() sets before a run: the -s buffer preview limit (default 32).
  sysgate::decode::set_string_limit(32);
  // Build the lazily made tables now, so the first input is not special.
  (void)sysgate::syscall_by_name("openat");
  (void)sysgate::decode::signal_name(40);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t cfg = data[0];
  sysgate::decode::set_string_limit(kStringLimits[cfg & 3]);
  const bool announce = cfg & 4;
  const int64_t offset = cfg & 8 ? INT64_C(1700000000000000000) : 0;
  const uint32_t nth = 1u + (cfg >> 4);

  Harness h(offset, nth);
  sysgate::RecordReader reader(h);
  size_t pos = 1;
  while (pos < size) {
    size_t len;
    if (size - pos < 2) {
      len = size - pos;
    } else {
      len = static_cast<size_t>(data[pos]) | static_cast<size_t>(data[pos + 1]) << 8;
      pos += 2;
      if (len > size - pos) len = size - pos;
    }
    // an allocation of exactly the record's length: ASan sees any read past it
    std::unique_ptr<char[]> rec(new char[len ? len : 1]);
    if (len) memcpy(rec.get(), data + pos, len);
    pos += len;
    reader.record(rec.get(), len);
    if (announce && len >= sizeof(sg_hdr)) {
      sg_hdr hdr;
      memcpy(&hdr, rec.get(), sizeof hdr);
      reader.announce_blocked(hdr.ts_ns, 500000000);  // session.cpp's 500 ms
    }
  }
  reader.finish();
  h.end(reader, cfg);
  return 0;
}
