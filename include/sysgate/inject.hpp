// SPDX-License-Identifier: Apache-2.0
// strace's syscall tampering: -e inject=SET:error=E|retval=N[:signal=S][:delay_enter=D]
// [:delay_exit=D][:when=EXPR] and -e fault=SET[:error=E][:when=EXPR] (error=ENOSYS by
// default). Parsed by parse_qualifier (qualify.hpp), carried in SessionConfig::inject,
// acted on by the ptrace backend.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sysgate {

struct InjectRule {
  std::string arg;             // the -e argument, for messages
  std::string set;             // SET, in -e trace= syntax
  std::vector<bool> syscalls;  // SET resolved, by number (filled by the session)
  int error = 0;               // error=E (1-4095): the call does not run and fails with E
  bool has_retval = false;     // retval=N: the call does not run and returns N
  int64_t retval = 0;
  int signal = 0;               // signal=S: delivered when the call returns (0: none)
  uint64_t delay_enter_ns = 0;  // the tracee is held this long at the call's entry
  uint64_t delay_exit_ns = 0;   // ... and at its exit
  // when=FIRST[..LAST][+[STEP]], as strace: the FIRST-th call of each syscall of SET in
  // each thread, then every STEP-th (0: FIRST only), up to the LAST-th (0: no end).
  // Default: every call (1, no end, 1).
  uint32_t first = 1;
  uint32_t last = 0;
  uint32_t step = 1;

  bool tampers() const { return error != 0 || has_retval; }  // the call is replaced
};

}  // namespace sysgate
