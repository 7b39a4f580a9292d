// SPDX-License-Identifier: Apache-2.0
// One system call as user space sees it: entry and exit records of the event
// ABI (schema/sysgate_abi.h) merged, with the captured memory they carried.
// Independent of the backend that produced it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sysgate {

struct Capture {
  uint8_t arg = 0;    // argument index
  uint8_t kind = 0;   // enum sg_cap_kind
  uint8_t flags = 0;  // enum sg_cap_flags (SG_CF_EXIT set for exit-time captures)
  uint64_t size = 0;  // kind-specific (see sg_cap)
  std::string_view data;
  bool fault() const;
  bool truncated() const;
  bool elem() const;
  bool at_exit() const;
};

struct SyscallEvent {
  uint64_t ts_ns = 0;       // entry time, CLOCK_MONOTONIC
  uint64_t exit_ts_ns = 0;  // 0 until the call returned
  uint32_t tgid = 0;
  uint32_t tid = 0;
  int nr = -1;
  std::string comm;
  uint64_t args[6] = {};
  bool has_enter = false;
  bool has_exit = false;
  int64_t ret = 0;
  std::vector<Capture> caps;      // entry captures, then exit captures
  bool shown_unfinished = false;  // text output already printed "<unfinished ...>" for it
  bool injected = false;          // SG_XF_INJECTED: the result was injected ("(INJECTED)")
  bool zapped = false;            // SG_XF_ZAPPED: the call a zap acted on

  // Owns the bytes the captures point into (cap_off[i] = offset of caps[i]).
  std::vector<char> storage;
  std::vector<size_t> cap_off;
  std::vector<uint32_t> cap_len;  // caps[i].data.size(), kept across rebuilds

  // The capture of argument arg that is not an element (entry or exit as asked).
  const Capture* find(int arg, bool at_exit) const;
  // The capture of argument arg, preferring the exit one when the call returned.
  const Capture* find_best(int arg) const;
  // Element captures (SG_CF_ELEM) that follow the capture `parent` in caps.
  std::vector<const Capture*> elements(const Capture* parent) const;

  // Parses the captures of an ABI record (enter or exit) into caps/storage.
  // Returns false if the record is malformed (sizes do not add up).
  bool add_captures(const void* data, size_t len, unsigned ncap, bool at_exit);
  // A string unreadable at entry (not yet paged in) that the kernel read again at
  // exit replaces the faulted entry capture.
  void merge_retried_strings();
  uint64_t duration_ns() const { return has_exit && has_enter ? exit_ts_ns - ts_ns : 0; }
  bool failed() const { return has_exit && ret < 0 && ret >= -4095; }
};

}  // namespace sysgate
