#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""B9 (b): `zap --at exit` latency from the Nth call's return to the process's exit.

usage: bench/zap_exit_latency.py SYSGATE WRITER [RUNS]

RUNS times each (interleaved), bench/writer writes numbered lines (one write(2) each,
200 us apart) into a regular file, or into a pipe, and sysgate kills it at its 5th write:
`zap --on write --nth 5 --at exit --signal KILL --format json`. The latency is the report's
process exit (`exit_ts_ns`: its last thread gone) minus the call's return (`call_exit_ts_ns`; the report's
`return_to_exit_ns` is the same difference);
the writer must leave exactly 5 lines (the call completed, nothing after it ran).
For scale, the same with `--at entry`: syscall entry to exit (`call_to_exit_ns`).
Prints raw rows for bench/report.py: B9X case run latency_ns lines via
"""
import json
import os
import subprocess
import sys
import tempfile

SYSGATE, WRITER = sys.argv[1], sys.argv[2]
RUNS = int(sys.argv[3]) if len(sys.argv) > 3 else 50
N = 5


def one(at, into):
    fd, rep = tempfile.mkstemp(suffix=".jsonl")
    os.close(fd)
    fd, out = tempfile.mkstemp()
    os.close(fd)
    cmd = [SYSGATE, "zap", "--format", "json", "-o", rep, "--on", "write", "--nth", str(N), "--at", at,
           "--signal", "KILL", "--", WRITER, out if into == "file" else "-", "100", "200"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if into == "file":
        with open(out) as f:
            lines = len(f.read().split())
    else:
        lines = len(p.stdout.split())
    with open(rep) as f:
        z = [json.loads(l) for l in f if '"event":"zap"' in l]
    os.unlink(rep)
    os.unlink(out)
    if len(z) != 1:
        print(f"B9: {' '.join(cmd)}: {len(z)} zaps, status {p.returncode}: {p.stderr.decode()[-500:]}",
              file=sys.stderr)
        return None, lines, ""
    z = z[0]
    if at == "exit":
        lat = z["exit_ts_ns"] - z["call_exit_ts_ns"] if z.get("call_exit_ts_ns") and z.get("exit_ts_ns") else None
        if lat is not None and z.get("return_to_exit_ns") not in (None, lat):
            print(f"B9: return_to_exit_ns {z.get('return_to_exit_ns')} != exit_ts_ns - call_exit_ts_ns {lat}",
                  file=sys.stderr)
    else:
        lat = z.get("call_to_exit_ns")
    return lat, lines, z.get("via", "")


def main():
    for i in range(1, RUNS + 1):
        for at in ("exit", "entry"):
            for into in ("file", "pipe"):
                lat, lines, via = one(at, into)
                print(f"B9X\t--at {at}, write #{N} into a {into}\t{i}\t{'NA' if lat is None else lat}\t{lines}\t{via}",
                      flush=True)


if __name__ == "__main__":
    main()
