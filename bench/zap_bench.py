#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""B5 (zap latency and leakage) and B6 (time-to-exit accuracy), ../shared/BENCHMARKS.md.

usage: bench/zap_bench.py SYSGATE ZAP_PROGS_DIR [RUNS]

B5: a target writes numbered lines to a file (one write(2) per line, 200 us apart);
    the tool must kill it with SIGKILL at its Nth write. Reported: lines written after
    the Nth (ideal 0), and for sysgate the syscall-entry-to-group-exit latency p50/p99.
    Tools, interleaved run by run: sysgate (signal sent in the kernel), sysgate
    --via-userspace, strace -e inject=write:signal=KILL:when=N, and the classic shell
    approach (strace -e write -p PID, read the Nth line, kill -9).
B6: a target traps SIGTERM, sleeps D ms in the handler, exits; it records its own
    handler-start and exit times (CLOCK_MONOTONIC). Reported: sysgate's
    delivery-to-exit time minus the target's own handler-to-exit time, p50 and max.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

SYSGATE, PROGS = sys.argv[1], sys.argv[2]
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 10
N = 50
LINES = 400
DELAY_US = 20


def lines_in(path):
    with open(path) as f:
        return len(f.read().split())


def pct(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = max(1, min(len(v), int(p / 100 * len(v) + 0.999999)))
    return v[k - 1]


def run_sysgate(extra):
    out = tempfile.mktemp()
    rep = tempfile.mktemp()
    subprocess.run([SYSGATE, "zap", "--format", "json", "-o", rep, "--on", "write", "--nth", str(N),
                    "--signal", "KILL"] + extra + ["--", f"{PROGS}/writer", out, str(LINES), str(DELAY_US)],
                   capture_output=True, timeout=60)
    with open(rep) as f:
        z = [json.loads(l) for l in f if '"event":"zap"' in l]
    leaked = lines_in(out) - N
    os.unlink(out)
    os.unlink(rep)
    lat = z[0]["call_to_exit_ns"] if z else None
    return leaked, lat


def run_strace_inject():
    out = tempfile.mktemp()
    subprocess.run(["strace", "-f", "-o", "/dev/null", "-e", "trace=write",
                    "-e", f"inject=write:signal=KILL:when={N}", f"{PROGS}/writer", out, str(LINES), str(DELAY_US)],
                   capture_output=True, timeout=60)
    leaked = lines_in(out) - N
    os.unlink(out)
    return leaked, None


def run_shell_classic():
    out = tempfile.mktemp()
    w = subprocess.Popen([f"{PROGS}/writer", out, str(LINES * 10), str(DELAY_US)])
    time.sleep(0.02)
    st = subprocess.Popen(["strace", "-e", "trace=write", "-p", str(w.pid)], stderr=subprocess.PIPE, text=True)
    seen = 0
    target_line = None
    for line in st.stderr:
        if line.startswith("write("):
            seen += 1
            if seen == N:
                # the line number this write carries: write(3, "123\n", 4)
                target_line = int(line.split('"')[1].rstrip("\\n"))
                os.kill(w.pid, signal.SIGKILL)
                break
    w.wait()
    st.wait()
    leaked = lines_in(out) - target_line if target_line else float("nan")
    os.unlink(out)
    return leaked, None


def b5():
    tools = {
        "sysgate (in-kernel signal)": lambda: run_sysgate([]),
        "sysgate --via-userspace": lambda: run_sysgate(["--via-userspace"]),
        "strace inject=write:signal=KILL:when=N": run_strace_inject,
        "strace -p | read; kill -9 (classic)": run_shell_classic,
    }
    res = {k: ([], []) for k in tools}
    for _ in range(RUNS):
        for name, fn in tools.items():
            leaked, lat = fn()
            res[name][0].append(leaked)
            if lat is not None:
                res[name][1].append(lat)
    print(f"B5: zap on write #{N} with SIGKILL, {RUNS} runs each, interleaved; lines after the Nth")
    print(f"{'tool':42} {'median':>7} {'max':>5} {'min':>5}   entry->exit p50 / p99")
    for name, (leak, lat) in res.items():
        l = f"{pct(lat, 50) / 1e3:8.1f} us / {pct(lat, 99) / 1e3:8.1f} us" if lat else "   n/a"
        print(f"{name:42} {statistics.median(leak):>7} {max(leak):>5} {min(leak):>5}   {l}")


def b6():
    print(f"B6: time-to-exit accuracy, target traps SIGTERM and sleeps D ms; {RUNS} runs per D")
    print("    truth = the target's own handler start to its last instruction before _exit;")
    print("    'gone' = sysgate's delivery to last-thread exit; 'start' = delivery to exit_group entry")
    print(f"{'D ms':>5} {'gone p50 us':>12} {'gone max us':>12} {'start p50 us':>13} {'start max us':>13}")
    for d in (0, 1, 10, 50, 100):
        errs, serrs = [], []
        for _ in range(RUNS):
            times = tempfile.mktemp()
            rep = tempfile.mktemp()
            subprocess.run([SYSGATE, "zap", "--format", "json", "-o", rep, "--on", "write", "--",
                            f"{PROGS}/trapper", "trap", str(d), times], capture_output=True, timeout=60)
            with open(rep) as f:
                z = [json.loads(l) for l in f if '"event":"zap"' in l]
            with open(times) as f:
                own = [int(x) for x in f.read().replace("\0", "").split()]
            os.unlink(times)
            os.unlink(rep)
            if not z or len(own) != 2 or z[0]["deliver_ts_ns"] is None:
                continue
            truth = own[1] - own[0]
            errs.append(z[0]["exit_ts_ns"] - z[0]["deliver_ts_ns"] - truth)
            if z[0].get("exit_start_ts_ns"):
                serrs.append(z[0]["exit_start_ts_ns"] - z[0]["deliver_ts_ns"] - truth)
        print(f"{d:>5} {statistics.median(errs) / 1e3:>12.1f} {max(abs(e) for e in errs) / 1e3:>12.1f}"
              f" {statistics.median(serrs) / 1e3:>13.1f} {max(abs(e) for e in serrs) / 1e3:>13.1f}")


if __name__ == "__main__":
    b5()
    b6()
