// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

namespace sysgate {

// An error that ends the run: main() prints what() as one line and exits with code().
// Usage errors (bad options, unknown names) exit with 2, everything else with 1.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, int code = 1) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(what, 2) {}
};

}  // namespace sysgate
