#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets in build-fuzz (clang, ASan, UBSan) and runs each for
# SECONDS seconds on a copy of its seed corpus (fuzz/corpus/NAME is never modified).
# Exits non-zero if a target crashes, hangs, leaks or runs out of memory, and prints
# the reproducer. One summary line per target from libFuzzer's final statistics.
#
#   fuzz/run.sh 60                  # CI: about a minute per target, build included
#   JOBS=1 fuzz/run.sh 600          # the targets one after the other
#   KEEP=1 fuzz/run.sh 60           # keep the work directory (grown corpora, logs)
#   TARGETS=fuzz_options fuzz/run.sh 30
#
# The targets run at the same time (one core each) unless JOBS=1.
set -eu

usage() {
  echo "usage: $0 SECONDS  (environment: JOBS=1 sequential, KEEP=1 keep work dir, TARGETS=...)" >&2
  exit 2
}
[ $# -eq 1 ] || usage
SECONDS_PER_TARGET=$1
case $SECONDS_PER_TARGET in '' | *[!0-9]*) usage ;; esac
[ "$SECONDS_PER_TARGET" -gt 0 ] || usage

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$ROOT/build-fuzz
TARGETS=${TARGETS:-"fuzz_records fuzz_options"}
JOBS=${JOBS:-2}

# ---- build ----
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DSYSGATE_FUZZ=ON -DSYSGATE_BACKEND_EBPF=OFF \
    -DSYSGATE_TESTS=OFF -DSYSGATE_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# shellcheck disable=SC2086  # TARGETS is a list
cmake --build "$BUILD" -j"$(nproc)" --target $TARGETS >/dev/null

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sysgate-fuzz.XXXXXX")
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$WORK"' EXIT
else
  echo "work directory: $WORK"
fi

corpus_of() {  # target -> seed directory name
  case $1 in
    fuzz_records) echo records ;;
    fuzz_options) echo options ;;
    *) echo "$1" ;;
  esac
}

max_len_of() {
  case $1 in
    fuzz_records) echo 16384 ;;  # a few records with captures
    *) echo 1024 ;;              # option values
  esac
}

run_target() {  # target: runs it, writes WORK/target.log and WORK/target.rc
  t=$1
  dir=$WORK/$t
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$ROOT/fuzz/corpus/$(corpus_of "$t")"/* "$dir/corpus/"
  dict=$ROOT/fuzz/$(corpus_of "$t").dict
  rc=0
  # shellcheck disable=SC2046  # -dict=FILE only when the target has a dictionary
  "$BUILD/fuzz/$t" "$dir/corpus" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
    -rss_limit_mb=2048 -max_len="$(max_len_of "$t")" -print_final_stats=1 \
    $([ -f "$dict" ] && echo "-dict=$dict") \
    -artifact_prefix="$dir/artifacts/" >"$WORK/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$WORK/$t.rc"
}

pids=""
n=0
for t in $TARGETS; do
  if [ "$JOBS" -le 1 ]; then
    run_target "$t"
  else
    run_target "$t" &
    pids="$pids $!"
    n=$((n + 1))
  fi
done
for p in $pids; do wait "$p" || true; done

failed=0
for t in $TARGETS; do
  log=$WORK/$t.log
  rc=$(cat "$WORK/$t.rc" 2>/dev/null || echo 1)
  # the last status line: "#12345 DONE cov: 2819 ft: 6853 corp: 59/14248b ..." (or a pulse)
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  execs=$(grep -E '^stat::number_of_executed_units:' "$log" | awk '{print $2}' | tail -n 1)
  rate=$(grep -E '^stat::average_exec_per_sec:' "$log" | awk '{print $2}' | tail -n 1)
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[bkKMG]*\).*/\1/p')
  rss=$(grep -E '^stat::peak_rss_mb:' "$log" | awk '{print $2}' | tail -n 1)
  status=ok
  [ "$rc" -eq 0 ] || status="FAILED (exit $rc)"
  printf '%s: %s; execs %s (%s/s), cov: %s ft: %s corpus: %s, peak rss %s MB, %s s\n' \
    "$t" "$status" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" \
    "$SECONDS_PER_TARGET"
  if [ "$rc" -ne 0 ]; then
    failed=1
    # libFuzzer names what it found and where it wrote the input
    grep -E '^==[0-9]+==ERROR|^SUMMARY:|^fuzz_[a-z]+: |ERROR: libFuzzer' "$log" | head -n 8 | sed 's/^/  /'
    for a in "$WORK/$t/artifacts"/*; do
      [ -e "$a" ] || continue
      keep=$ROOT/build-fuzz/artifacts
      mkdir -p "$keep"
      cp "$a" "$keep/"
      echo "  reproducer: $keep/$(basename "$a")"
      echo "  reproduce:  $BUILD/fuzz/$t $keep/$(basename "$a")"
    done
    echo "  full log: (last 40 lines)"
    tail -n 40 "$log" | sed 's/^/  | /'
  fi
done
exit "$failed"
