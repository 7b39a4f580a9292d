// SPDX-License-Identifier: Apache-2.0
// What the fuzz targets share: failing with the input shown.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace sysgate::fuzz {

// Prints "TARGET: WHAT" and the input (printable ASCII as is, other bytes as
// \xNN), then aborts so that libFuzzer records the input as a crash.
[[noreturn]] inline void fail(const char* target, const char* what, std::string_view input) {
  fprintf(stderr, "%s: %s\n  input (%zu): ", target, what, input.size());
  for (unsigned char c : input) {
    if (c >= 0x20 && c < 0x7f && c != '\\')
      fputc(c, stderr);
    else
      fprintf(stderr, "\\x%02x", c);
  }
  fputc('\n', stderr);
  abort();
}

}  // namespace sysgate::fuzz
