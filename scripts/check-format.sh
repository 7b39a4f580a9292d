#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fails when a tracked source file differs from what clang-format 14 makes of it:
# C++ with the repository's .clang-format (Google style, 100 columns), the
# kernel-side C of schema/, bpf/ and kmod/ with their kernel style
# (schema/.clang-format). --fix rewrites the files instead.
set -eu
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-clang-format}
files=$(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')
[ -n "$files" ] || exit 0
if [ "${1:-}" = "--fix" ]; then
  # shellcheck disable=SC2086
  $CF -i $files
  exit 0
fi
# shellcheck disable=SC2086
if ! $CF --dry-run --Werror $files 2>/tmp/sysgate-format.$$; then
  grep -E '^[^ ].*: (warning|error):' /tmp/sysgate-format.$$ | cut -d: -f1 | sort | uniq -c |
    awk '{printf "  %s (%d places)\n", $2, $1}'
  rm -f /tmp/sysgate-format.$$
  echo "sysgate: these files are not clang-formatted; run scripts/check-format.sh --fix" >&2
  exit 1
fi
rm -f /tmp/sysgate-format.$$
echo "format: $(echo "$files" | wc -l) files clean"
