// SPDX-License-Identifier: Apache-2.0
// The user-space hot path per call, without the kernel: decode one event and
// format it as a text line or a JSON line into a discarding stream. Events: a
// getppid (no arguments), an openat with a path, a read with a 32-byte buffer.
//   cmake --build build --target output_bench && ./build/bench/output_bench
#include <benchmark/benchmark.h>
#include <fcntl.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "sysgate/output.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace {

using sysgate::SyscallEvent;

SyscallEvent event(const char* name, std::initializer_list<uint64_t> args, int64_t ret) {
  SyscallEvent ev;
  ev.nr = sysgate::syscall_by_name(name)->nr;
  ev.tgid = ev.tid = 4242;
  ev.comm = "bench";
  ev.ts_ns = 1000;
  ev.exit_ts_ns = 1500;
  ev.has_enter = ev.has_exit = true;
  ev.ret = ret;
  int i = 0;
  for (uint64_t a : args) ev.args[i++] = a;
  return ev;
}

void add_cap(SyscallEvent& ev, int arg, uint8_t kind, std::string_view data, bool at_exit) {
  std::string rec;
  sg_cap h{};
  h.arg = static_cast<uint8_t>(arg);
  h.kind = kind;
  h.len = static_cast<uint32_t>(data.size());
  h.size = data.size();
  rec.append(reinterpret_cast<const char*>(&h), sizeof h);
  rec.append(data);
  rec.resize((rec.size() + 7) & ~size_t{7}, '\0');
  ev.add_captures(rec.data(), rec.size(), 1, at_exit);
}

SyscallEvent make(int which) {
  switch (which) {
    case 0:
      return event("getppid", {}, 1);
    case 1: {
      auto ev = event("openat", {static_cast<uint64_t>(-100), 0x1000, O_RDONLY | O_CLOEXEC}, 3);
      add_cap(ev, 1, SG_CK_STR, "/usr/lib/x86_64-linux-gnu/libc.so.6", false);
      return ev;
    }
    default: {
      auto ev = event("read", {3, 0x2000, 832}, 832);
      add_cap(
          ev, 1, SG_CK_BUF,
          std::string_view("\177ELF\2\1\1\3\0\0\0\0\0\0\0\0\3\0>\0\1\0\0\0P\237\2\0\0\0\0\0", 32),
          true);
      return ev;
    }
  }
}

FILE* sink() {
  static FILE* f = fopen("/dev/null", "w");
  return f;
}

void run(benchmark::State& state, bool json) {
  auto ev = make(static_cast<int>(state.range(0)));
  auto out = json ? sysgate::make_json_output(sink(), 0) : sysgate::make_text_output(sink(), 0);
  for (auto _ : state) out->call(ev);
  state.SetItemsProcessed(state.iterations());
}

void BM_Text(benchmark::State& s) { run(s, false); }
void BM_Json(benchmark::State& s) { run(s, true); }

}  // namespace

// 0 getppid, 1 openat with a path, 2 read with a 32-byte buffer
BENCHMARK(BM_Text)->DenseRange(0, 2);
BENCHMARK(BM_Json)->DenseRange(0, 2);
BENCHMARK_MAIN();
