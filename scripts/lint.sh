#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# clang-tidy (.clang-tidy) over sysgate's C++ sources, or the files given.
# Needs build/compile_commands.json: cmake -S . -B build -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
set -eu
cd "$(dirname "$0")/.."
[ -f build/compile_commands.json ] || {
  echo "sysgate: no build/compile_commands.json; run cmake -S . -B build -DCMAKE_EXPORT_COMPILE_COMMANDS=ON" >&2
  exit 2
}
if [ $# -eq 0 ]; then
  set -- $(git ls-files 'src/*.cpp')
fi
exec clang-tidy -p build --quiet "$@"
