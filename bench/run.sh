#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# sysgate benchmarks B1-B4, B8 and B9 (see docs/BENCHMARKS.md and the project's BENCHMARKS brief).
#
# usage: bench/run.sh [BUILD_DIR]          (default: <repo>/build-bench)
# env:   PAIRS=5        A/B pairs per figure (median of the per-pair ratios is reported)
#        N_FAST=2000000 getppid calls for untraced / sysgate / bpftrace runs
#        N_SLOW=20000   getppid calls for strace / perf trace runs
#        N_TRACE=200000 getppid calls for B3 (sysgate writes every event to a file)
#        N_OC=50000     openat+close pairs for B3
#        N_PT=20000     getppid calls / openat+close pairs for B8's stopping runs (every call stops)
#        N_BY=2000000   getppid calls for B8's bystander runs that do not stop (seccomp filter)
#        N_SEL=20000    getppid calls for B9's runs where every call is a seccomp user notification
#        B9_RUNS=50     zaps for B9's --at exit latency (p50, p99)
#        OUT=DIR        where raw results go (default: a new /tmp/sysgate-bench.XXXXXX)
#        ONLY="B1 B2 B3 B4 B8 B9"   (e.g. ONLY=B8 bench/run.sh: only the ptrace backend against strace)
#
# Every figure is taken interleaved in one run: untraced (A), then traced (B), PAIRS
# times; ratios are per pair, then the median. Needs root (BPF, perf, tracefs).
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
BUILD=${1:-$REPO/build-bench}
PAIRS=${PAIRS:-5}
N_FAST=${N_FAST:-2000000}
N_SLOW=${N_SLOW:-20000}
N_TRACE=${N_TRACE:-200000}
N_OC=${N_OC:-50000}
N_PT=${N_PT:-20000}
N_BY=${N_BY:-2000000}
N_SEL=${N_SEL:-20000}
B9_RUNS=${B9_RUNS:-50}
ONLY=${ONLY:-"B1 B2 B3 B4 B8 B9"}
OUT=${OUT:-$(mktemp -d /tmp/sysgate-bench.XXXXXX)}
mkdir -p "$OUT"
RAW=$OUT/raw.tsv
: >"$RAW"

log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root"

# ---- tools -------------------------------------------------------------------------
need=()
command -v bpftrace >/dev/null || need+=(bpftrace)
command -v perf >/dev/null || need+=(linux-perf)
command -v strace >/dev/null || need+=(strace)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null ||
    die "apt-get install ${need[*]} failed"
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
mountpoint -q /sys/kernel/debug || mount -t debugfs nodev /sys/kernel/debug 2>/dev/null

# ---- build --------------------------------------------------------------------------
if [ ! -x "$BUILD/bench/getppid_loop" ] || [ ! -x "$BUILD/bench/seccomp_floor" ] || [ ! -x "$BUILD/bench/writer" ] ||
  [ ! -x "$BUILD/bench/notif_floor" ] ||
  [ ! -x "$BUILD/sysgate" ]; then
  cmake -S "$REPO" -B "$BUILD" -DSYSGATE_TESTS=OFF -DCMAKE_BUILD_TYPE=Release >/dev/null &&
    cmake --build "$BUILD" -j2 >/dev/null 2>&1 || log "build failed; sysgate rows will be missing"
fi
P=$BUILD/bench
SG=$BUILD/sysgate
[ -x "$P/getppid_loop" ] || die "no $P/getppid_loop"
HAVE_SG=0
[ -x "$SG" ] && HAVE_SG=1
[ $HAVE_SG = 1 ] || log "sysgate binary missing: sysgate rows are skipped"

{
  echo "# machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs," \
    "kernel $(uname -r), spectre_v2: $(cat /sys/devices/system/cpu/vulnerabilities/spectre_v2 2>/dev/null)"
  echo "# date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "# tools: $(strace -V | head -1); $(perf --version); $(bpftrace --version)"
  echo "# sysgate: $( [ $HAVE_SG = 1 ] && git -C "$REPO" log -1 --format='%h %s' 2>/dev/null)"
  echo "# PAIRS=$PAIRS N_FAST=$N_FAST N_SLOW=$N_SLOW N_TRACE=$N_TRACE N_OC=$N_OC N_PT=$N_PT N_BY=$N_BY N_SEL=$N_SEL B9_RUNS=$B9_RUNS ONLY=$ONLY"
} | tee "$OUT/header.txt" >&2

# ---- helpers ------------------------------------------------------------------------
# ns/call printed by the bench program ("ns_per_call=X") in a command's output
nsof() { grep -o 'ns_per_call=[0-9.]*' | head -1 | cut -d= -f2; }
row() { local IFS=$'\t'; echo "$*" >>"$RAW"; }

BG=
BG_LOG=$OUT/bg.log
# start a tool in the background and wait until it is attached
bg_start() {  # kind cmd...
  local kind=$1; shift
  : >"$BG_LOG"
  "$@" >"$BG_LOG" 2>&1 &
  BG=$!
  case $kind in
    bpftrace)  # prints "Attaching N probes..." then attaches
      for _ in $(seq 100); do grep -q Attaching "$BG_LOG" && break; sleep 0.1; done
      sleep 1 ;;
    *) sleep 1.5 ;;
  esac
  kill -0 "$BG" 2>/dev/null || { log "background tool died: $*"; cat "$BG_LOG" >&2; BG=; return 1; }
}
bg_stop() {
  [ -n "$BG" ] || return 0
  kill -INT "$BG" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$BG" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$BG" 2>/dev/null && kill -KILL "$BG" 2>/dev/null
  wait "$BG" 2>/dev/null
  BG=
}
trap 'bg_stop' EXIT

untraced() { "$P/getppid_loop" "$N_FAST" "$@" | nsof; }

# ---- B1: bystander tax ----------------------------------------------------------------
b1_tool() {  # name kind cmd...   (tool traces comm "other"; the loop runs as "bystander")
  local name=$1 kind=$2; shift 2
  log "B1 $name"
  for i in $(seq "$PAIRS"); do
    local a b
    a=$(untraced bystander)
    if bg_start "$kind" "$@"; then
      b=$("$P/getppid_loop" "$N_FAST" bystander | nsof)
      bg_stop
    else
      b=NA
    fi
    row B1 "$name" "$i" "$a" "$b"
  done
}
if [[ " $ONLY " == *" B1 "* ]]; then
  log "B1 none (A/A control: noise floor)"
  for i in $(seq "$PAIRS"); do row B1 "none (A/A control)" "$i" "$(untraced bystander)" "$(untraced bystander)"; done
  if [ $HAVE_SG = 1 ]; then
    b1_tool "sysgate trace -n other -e write" sg "$SG" trace -n other -e write -o /dev/null
    b1_tool "sysgate trace -n other (all syscalls)" sg "$SG" trace -n other -o /dev/null
    b1_tool "sysgate count -n other -e write" sg "$SG" count -n other -e write -o /dev/null
    b1_tool "sysgate count -n other (all syscalls)" sg "$SG" count -n other -o /dev/null
  fi
  b1_tool "bpftrace syscalls:sys_enter_write /comm==other/" bpftrace \
    bpftrace -e 'tracepoint:syscalls:sys_enter_write /comm == "other"/ { @[probe] = count(); }'
  b1_tool "bpftrace raw_syscalls:sys_enter /comm==other/" bpftrace \
    bpftrace -e 'tracepoint:raw_syscalls:sys_enter /comm == "other"/ { @[probe] = count(); }'
  # floors: what merely enabling a syscall tracepoint costs everyone, with a near-empty program
  b1_tool "floor: bpftrace syscalls:sys_enter_write /pid==1/ (empty)" bpftrace \
    bpftrace -e 'tracepoint:syscalls:sys_enter_write /pid == 1/ { }'
  b1_tool "floor: bpftrace syscalls:sys_enter_write+sys_exit_write /pid==1/ (empty)" bpftrace \
    bpftrace -e 'tracepoint:syscalls:sys_enter_write /pid == 1/ { } tracepoint:syscalls:sys_exit_write /pid == 1/ { }'
  b1_tool "floor: bpftrace raw_syscalls:sys_enter /pid==1/ (empty)" bpftrace \
    bpftrace -e 'tracepoint:raw_syscalls:sys_enter /pid == 1/ { }'
  b1_tool "floor: bpftrace raw_syscalls:sys_enter+sys_exit /pid==1/ (empty)" bpftrace \
    bpftrace -e 'tracepoint:raw_syscalls:sys_enter /pid == 1/ { } tracepoint:raw_syscalls:sys_exit /pid == 1/ { }'
  # perf trace is not measured here: it has no comm filter. Its --comm only prints the
  # name; --filter 'comm == "other"' is refused by perf ("comm" not found in the event's
  # format) and --filter 'common_comm == "other"' by the kernel (EINVAL). Without a
  # filter, perf trace -a -e write would trace every process's writes: a different job.
fi

# ---- B2: targeted loop, counting ---------------------------------------------------------
b2_tool() {  # name n cmd-prefix...   (the loop is appended)
  local name=$1 n=$2; shift 2
  log "B2 $name"
  for i in $(seq "$PAIRS"); do
    local a b
    a=$(untraced)
    b=$("$@" "$P/getppid_loop" "$n" 2>"$OUT/b2.err" | nsof)
    [ -n "$b" ] || { b=NA; tail -3 "$OUT/b2.err" >&2; }
    row B2 "$name" "$i" "$a" "$b" "$n"
  done
}
if [[ " $ONLY " == *" B2 "* ]]; then
  if [ $HAVE_SG = 1 ]; then
    b2_tool "sysgate count (all syscalls)" "$N_FAST" "$SG" count -o "$OUT/b2.count" --
    b2_tool "sysgate count -e getppid" "$N_FAST" "$SG" count -e getppid -o "$OUT/b2.count" --
  fi
  b2_tool "bpftrace raw_syscalls:sys_enter /pid==cpid/ count by id" "$N_FAST" \
    bash -c 'exec bpftrace -e "tracepoint:raw_syscalls:sys_enter /pid == cpid/ { @[args->id] = count(); }" -c "$*"' _
  b2_tool "strace -f -c" "$N_SLOW" strace -f -c -o "$OUT/b2.strace" --
  b2_tool "strace -f -c --seccomp-bpf -e trace=getppid" "$N_SLOW" \
    strace -f -c --seccomp-bpf -e trace=getppid -o "$OUT/b2.strace" --
  b2_tool "perf trace -s" "$N_SLOW" perf trace -s -o "$OUT/b2.perf" --
fi

# ---- B3: every event decoded and written to a file ------------------------------------------
# counts of loop events in a trace file: getppid calls, or openat("/dev/null") calls
count_events() {  # file kind(getppid|openat) format(json|text|strace|perf)
  local f=$1 k=$2 fmt=$3
  case $fmt/$k in
    json/getppid) grep '"syscall":"getppid"' "$f" | grep -vc '"entry_lost":true' ;;
    json/openat) grep '"syscall":"openat"' "$f" | grep '/dev/null' | grep -vc '"entry_lost":true' ;;
    text/getppid | strace/getppid) grep -c 'getppid()' "$f" ;;
    text/openat | strace/openat) grep -c 'openat(AT_FDCWD, "/dev/null"' "$f" ;;
    perf/getppid) grep -c 'getppid()' "$f" ;;
    # perf trace prints the path as a pointer here: the loop's openat calls are those
    # with the most frequent filename pointer (the loop's constant string)
    perf/openat) grep -o 'openat(dfd: CWD, filename: 0x[0-9a-f]*' "$f" | sort | uniq -c | sort -rn |
      awk 'NR == 1 {print $1} END {if (NR == 0) print 0}' ;;
  esac
}
summary_field() {  # file field  (sysgate JSON summary line)
  grep '"event":"summary"' "$1" | tail -1 | grep -o "\"$2\":[0-9]*" | cut -d: -f2
}
b3_tool() {  # name prog n kind fmt cmd-prefix... (the output file is $OUT/b3.out)
  local name=$1 prog=$2 n=$3 k=$4 fmt=$5; shift 5
  log "B3 $name"
  local expect=$n
  [ "$prog" = getppid_loop ] && expect=$((n + 1000))  # the loop warms up with 1000 calls
  for i in $(seq "$PAIRS"); do
    local a b w drops=NA
    a=$("$P/$prog" "$n" | nsof)
    rm -f "$OUT/b3.out"
    b=$("$@" "$P/$prog" "$n" 2>"$OUT/b3.err" | nsof)
    [ -n "$b" ] || { b=NA; tail -3 "$OUT/b3.err" >&2; }
    w=$(count_events "$OUT/b3.out" "$k" "$fmt")
    [ "$fmt" = json ] && drops=$(summary_field "$OUT/b3.out" drops)+$(summary_field "$OUT/b3.out" exit_drops)
    [ "$fmt" = text ] && drops=$(grep -o 'sysgate: [0-9]* calls lost and [0-9]* results' "$OUT/b3.out" | awk '{print $2"+"$6}')
    [ "$fmt" = perf ] && drops=$(grep -o 'LOST [0-9]* events' "$OUT/b3.out" | awk '{s+=$2} END {print s+0}')
    row B3 "$name" "$i" "$a" "$b" "$n" "$w" "$expect" "${drops:-0}"
    rm -f "$OUT/b3.out"
  done
}
if [[ " $ONLY " == *" B3 "* ]]; then
  if [ $HAVE_SG = 1 ]; then
    b3_tool "sysgate trace --format json, getppid" getppid_loop "$N_TRACE" getppid json \
      "$SG" trace --format json -o "$OUT/b3.out" --
    b3_tool "sysgate trace (text), getppid" getppid_loop "$N_TRACE" getppid text \
      "$SG" trace -o "$OUT/b3.out" --
    b3_tool "sysgate trace --format json, openat+close" openclose_loop "$N_OC" openat json \
      "$SG" trace --format json -o "$OUT/b3.out" --
    b3_tool "sysgate trace (text), openat+close" openclose_loop "$N_OC" openat text \
      "$SG" trace -o "$OUT/b3.out" --
  fi
  b3_tool "strace -f -o FILE, getppid" getppid_loop "$N_SLOW" getppid strace strace -f -o "$OUT/b3.out" --
  b3_tool "strace -f -o FILE, openat+close" openclose_loop "$N_SLOW" openat strace strace -f -o "$OUT/b3.out" --
  b3_tool "perf trace -o FILE, getppid" getppid_loop "$N_SLOW" getppid perf perf trace -o "$OUT/b3.out" --
  b3_tool "perf trace -o FILE, openat+close" openclose_loop "$N_SLOW" openat perf perf trace -o "$OUT/b3.out" --
fi

# ---- B4: loss under burst --------------------------------------------------------------------
# calls = T*M (burst's own count); delivered = getppid lines with their entry record;
# exit-only lines ("entry_lost":true) are counted apart. Must hold: delivered + drops == calls.
B4_FAIL=0
if [[ " $ONLY " == *" B4 "* ]] && [ $HAVE_SG = 1 ]; then
  for spec in "1 1000000 16" "2 500000 16" "4 250000 16" "8 125000 16" "2 500000 1" "4 250000 1" "8 125000 1"; do
    set -- $spec
    t=$1 m=$2 mb=$3
    log "B4 T=$t M=$m buffer=${mb}MiB"
    for i in 1 2 3; do
      rm -f "$OUT/b4.json"
      calls=$("$SG" trace -e getppid --format json --buffer-size "$mb" -o "$OUT/b4.json" -- \
        "$P/burst" "$t" "$m" 2>"$OUT/b4.err" | awk '/^calls/ {print $2}')
      lines=$(grep -c '"syscall":"getppid"' "$OUT/b4.json")
      lost=$(grep '"syscall":"getppid"' "$OUT/b4.json" | grep -c '"entry_lost":true')
      drops=$(summary_field "$OUT/b4.json" drops)
      xdrops=$(summary_field "$OUT/b4.json" exit_drops)
      events=$(summary_field "$OUT/b4.json" events)
      seen=$(summary_field "$OUT/b4.json" seen)
      delivered=$((lines - lost))
      ok=ok
      if [ -z "$calls" ] || [ $((delivered + ${drops:-0})) -ne "${calls:-0}" ]; then
        ok=MISMATCH
        B4_FAIL=1
        log "!!! B4 MISMATCH T=$t M=$m buffer=${mb}MiB: calls=$calls delivered=$delivered drops=$drops (lines=$lines entry_lost=$lost)"
      fi
      row B4 "T=$t M=$m buf=${mb}MiB" "$i" "$calls" "$lines" "$lost" "$delivered" "$drops" "$xdrops" "$events" "$seen" "$ok"
    done
  done
  rm -f "$OUT/b4.json"
fi

# ---- B8: the ptrace backend against strace (issue 8) ------------------------------------------
# One run, interleaved by round: in each round every variant of a workload runs once, the
# untraced program first (A) and then each tool (B), so a round gives each tool's ratio to
# its own untraced run and sysgate's ratio to strace's in the same round. Workloads:
#   getppid   getppid loop, -e getppid, every call written to a file (text)
#   openclose openat+close loop, -e openat,close, every call written to a file (text)
#   count     getppid loop, -e getppid, counting (sysgate count / strace -c)
#   bystander getppid loop while tracing only -e openat: getppid is never selected; with a
#             seccomp filter (sysgate ptrace, strace --seccomp-bpf) it should run at full
#             speed, without one (plain strace) every getppid stops twice anyway.
# raw rows: B8 workload tool round base_ns tool_ns n written expected kind
#           kind: sg | strace | strace-seccomp | control (A/A: the untraced program twice;
#                 floor: bench/progs/seccomp_floor, an allow-all filter without a tracer)
b8_run() {  # workload tool kind prog n fmt cmd-prefix...   (the program and n are appended)
  local w=$1 name=$2 kind=$3 prog=$4 n=$5 fmt=$6; shift 6
  local a b wr=NA expect=NA k=getppid base_n=$N_BY
  # the untraced getppid run is long (N_BY calls: ns/call does not depend on n), the
  # untraced openat+close run has the traced run's n
  [ "$prog" = openclose_loop ] && { k=openat; base_n=$n; }
  a=$("$P/$prog" "$base_n" | nsof)
  rm -f "$OUT/b8.out"
  b=$("$@" "$P/$prog" "$n" 2>"$OUT/b8.err" | nsof)
  [ -n "$b" ] || { b=NA; tail -3 "$OUT/b8.err" >&2; }
  if [ "$fmt" != none ]; then
    wr=$(count_events "$OUT/b8.out" "$k" "$fmt")
    expect=$n
    [ "$prog" = getppid_loop ] && expect=$((n + 1000))
  fi
  row B8 "$w" "$name" "$B8_ROUND" "$a" "$b" "$n" "$wr" "$expect" "$kind"
  rm -f "$OUT/b8.out"
}
if [[ " $ONLY " == *" B8 "* ]]; then
  if [ $HAVE_SG = 1 ] && "$SG" trace --backend ptrace -e getppid -o /dev/null -- "$P/getppid_loop" 10 >/dev/null 2>&1; then
    HAVE_PT=1
  else
    HAVE_PT=0
    log "B8: sysgate --backend ptrace does not run here: sysgate rows are skipped"
  fi
  O=$OUT/b8.out
  for B8_ROUND in $(seq "$PAIRS"); do
    log "B8 round $B8_ROUND/$PAIRS"
    # traced calls, every event written to a file
    [ $HAVE_PT = 1 ] && b8_run getppid "sysgate trace --backend ptrace -e getppid -o FILE" sg getppid_loop "$N_PT" text \
      "$SG" trace --backend ptrace -e getppid -o "$O" --
    b8_run getppid "strace -f -e trace=getppid -o FILE" strace getppid_loop "$N_PT" strace \
      strace -f -e trace=getppid -o "$O" --
    b8_run getppid "strace -f --seccomp-bpf -e trace=getppid -o FILE" strace-seccomp getppid_loop "$N_PT" strace \
      strace -f --seccomp-bpf -e trace=getppid -o "$O" --
    [ $HAVE_PT = 1 ] && b8_run openclose "sysgate trace --backend ptrace -e openat,close -o FILE" sg openclose_loop "$N_PT" text \
      "$SG" trace --backend ptrace -e openat,close -o "$O" --
    b8_run openclose "strace -f -e trace=openat,close -o FILE" strace openclose_loop "$N_PT" strace \
      strace -f -e trace=openat,close -o "$O" --
    b8_run openclose "strace -f --seccomp-bpf -e trace=openat,close -o FILE" strace-seccomp openclose_loop "$N_PT" strace \
      strace -f --seccomp-bpf -e trace=openat,close -o "$O" --
    # traced calls, counting
    [ $HAVE_PT = 1 ] && b8_run count "sysgate count --backend ptrace -e getppid" sg getppid_loop "$N_PT" none \
      "$SG" count --backend ptrace -e getppid -o "$O" --
    b8_run count "strace -f -c -e trace=getppid" strace getppid_loop "$N_PT" none \
      strace -f -c -e trace=getppid -o "$O" --
    b8_run count "strace -f -c --seccomp-bpf -e trace=getppid" strace-seccomp getppid_loop "$N_PT" none \
      strace -f -c --seccomp-bpf -e trace=getppid -o "$O" --
    # bystander call (getppid) of the traced process; only openat is selected
    b8_run bystander "none (A/A control)" control getppid_loop "$N_BY" none env
    # floor: a seccomp filter that allows everything, no tracer (what any filter costs a call)
    b8_run bystander "floor: seccomp filter (allow all), no tracer" control getppid_loop "$N_BY" none \
      "$P/seccomp_floor"
    [ $HAVE_PT = 1 ] && b8_run bystander "sysgate trace --backend ptrace -e openat (seccomp filter)" sg getppid_loop "$N_BY" none \
      "$SG" trace --backend ptrace -e openat -o "$O" --
    [ $HAVE_PT = 1 ] && b8_run bystander "sysgate count --backend ptrace -e openat (seccomp filter)" sg getppid_loop "$N_BY" none \
      "$SG" count --backend ptrace -e openat -o "$O" --
    b8_run bystander "strace -f --seccomp-bpf -e trace=openat -o FILE" strace-seccomp getppid_loop "$N_BY" none \
      strace -f --seccomp-bpf -e trace=openat -o "$O" --
    b8_run bystander "strace -f -e trace=openat -o FILE (no filter)" strace getppid_loop "$N_PT" none \
      strace -f -e trace=openat -o "$O" --
  done
fi

# ---- B9: zap --before through seccomp, and --at exit (issue 9) ---------------------------------
# (a) what `zap --before` costs a launched command: it runs under a seccomp filter whose
#     selected calls go to sysgate as user notifications (SECCOMP_RET_USER_NOTIF).
#     untraced: getppid loop under `zap --on fdatasync --before` (getppid is never selected,
#               the zap never fires) vs the loop alone; target <= 1.02x. Controls in the same
#               round: A/A (the loop twice) and the floor (an allow-all filter, no supervisor).
#     selected: getppid loop under `zap --on getppid --nth 1000000000 --before` (every call
#               is a user-notification round trip, never the Nth) vs the loop alone; the figure
#               is the ns added per call. Floor: bench/progs/notif_floor, a minimal supervisor that
#               answers each notification at once (CONTINUE). Peer: strace --seccomp-bpf, a ptrace stop.
# (b) --at exit: time from the Nth call's return (the report's return timestamp) to the
#     process's exit, p50/p99 over B9_RUNS zaps of bench/writer at its 5th write, SIGKILL,
#     into a regular file and into a pipe (bench/zap_exit_latency.py); lines left must be 5.
# raw rows: B9 tool round base_ns tool_ns n kind   (kind: untraced | selected | control)
#           B9X case run latency_ns lines via      (latency from the call's return to exit)
b9_run() {  # name kind n cmd-prefix...   (the loop and n are appended; the base run has N_FAST calls)
  local name=$1 kind=$2 n=$3; shift 3
  local a b
  a=$(untraced)
  b=$("$@" "$P/getppid_loop" "$n" 2>"$OUT/b9.err" | nsof)
  [ -n "$b" ] || { b=NA; tail -3 "$OUT/b9.err" >&2; }
  row B9 "$name" "$B9_ROUND" "$a" "$b" "$n" "$kind"
}
if [[ " $ONLY " == *" B9 "* ]] && [ $HAVE_SG = 1 ]; then
  for B9_ROUND in $(seq "$PAIRS"); do
    log "B9 round $B9_ROUND/$PAIRS"
    b9_run "none (A/A control)" control "$N_FAST" env
    b9_run "floor: seccomp filter (allow all), no supervisor" control "$N_FAST" "$P/seccomp_floor"
    b9_run "sysgate zap --on fdatasync --before (getppid not selected)" untraced "$N_FAST" \
      "$SG" zap --on fdatasync --before --signal KILL -o "$OUT/b9.out" --
    b9_run "sysgate zap --on getppid --nth 1000000000 --before (every getppid selected)" selected "$N_SEL" \
      "$SG" zap --on getppid --nth 1000000000 --before --signal KILL -o "$OUT/b9.out" --
    b9_run "floor: minimal user-notification supervisor, every getppid (bench/progs/notif_floor)" selected "$N_SEL" \
      "$P/notif_floor"
    b9_run "strace -f --seccomp-bpf -e trace=getppid -o /dev/null (peer: a ptrace stop per call)" selected "$N_SEL" \
      strace -f --seccomp-bpf -e trace=getppid -o /dev/null --
  done
  log "B9 --at exit latency ($B9_RUNS zaps each)"
  python3 "$HERE/zap_exit_latency.py" "$SG" "$P/writer" "$B9_RUNS" >>"$RAW" || log "B9: zap_exit_latency.py failed"
fi

python3 "$HERE/report.py" "$RAW" | tee "$OUT/report.md"
log "raw results: $RAW"
[ $B4_FAIL = 0 ] || log "!!! B4: delivered + drops != calls in at least one run (see MISMATCH rows above)"
exit 0
