// SPDX-License-Identifier: Apache-2.0
// The x86-64 syscall table: generated at build time from schema/syscall_64.tbl
// (numbers, names, kernel entry points: the project's copy of the kernel's own
// table, not the build machine's headers) and schema/syscalls.tsv (classes,
// argument kinds).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sysgate {

enum SyscallClass : uint32_t {
  kClassDesc = 1u << 0,     // %desc
  kClassFile = 1u << 1,     // %file
  kClassProcess = 1u << 2,  // %process
  kClassNetwork = 1u << 3,  // %network (alias %net)
  kClassMemory = 1u << 4,   // %memory
  kClassSignal = 1u << 5,   // %signal
  kClassIpc = 1u << 6,      // %ipc
  kClassCreds = 1u << 7,    // %creds
  kClassClock = 1u << 8,    // %clock
  kClassPure = 1u << 9,     // %pure
};

// One argument: its name in the kernel's prototype and its decoding kind.
// kind is the base word of the schema ("fd", "bufout", "in", ...); param is the
// numeric parameter ("bufout:2" -> 2, -1 when none); type names the struct for
// "in:"/"out:"/"inout:" kinds ("stat", "timespec", ...), empty otherwise.
struct ArgSpec {
  std::string_view name;
  std::string_view kind;
  std::string_view type;
  int param = -1;
};

struct SyscallInfo {
  int nr = -1;
  std::string_view name;
  uint32_t classes = 0;
  std::string_view ret_kind;  // "int", "fd", "hex", "noreturn"
  bool args_known = false;    // false: no prototype known, print 6 raw values
  uint8_t nargs = 0;
  ArgSpec args[6];
  // The kernel's entry point ("sys_newfstat"); empty for numbers mainline
  // x86-64 kernels do not implement (getpmsg, tuxcall, ...: always ENOSYS).
  std::string_view entry;
};

// Every syscall of the architecture, indexed by number (holes have nr == -1).
std::span<const SyscallInfo> syscall_table();
const SyscallInfo* syscall_by_nr(int nr);
const SyscallInfo* syscall_by_name(std::string_view name);
uint32_t class_by_name(std::string_view name);  // "file" or "%file"; 0 if unknown
std::vector<std::string_view> class_names();

// The name of a syscall's kernel function and tracepoints when it differs from the
// uapi name: "fstat" -> "newfstat" (__x64_sys_newfstat, syscalls/sys_enter_newfstat),
// from the entry point of the kernel's table; the uapi name for names it lacks.
std::string kernel_syscall_name(std::string_view uapi_name);

// Names closest to an unknown one (edit distance), best first.
std::vector<std::string_view> closest_syscalls(std::string_view name, size_t max = 3);

}  // namespace sysgate
