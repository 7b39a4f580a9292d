#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A real crash test: SQLite (WAL, synchronous=FULL) killed by `sysgate zap` at its Nth call.

usage: test_crash.py SYSGATE

The target is tests/crash/sqlite_writer.py under /usr/bin/python3: one row per transaction,
"ack N" appended to a file after each COMMIT returned. For each case, sysgate kills it
(SIGKILL) at its Nth fdatasync (or pwrite64) with --before, --at exit or --at entry; the
test then reopens the database: PRAGMA integrity_check must be "ok", the rows must be
1..R with no gap, the acknowledgements 1..A, and R and A must be exactly what the mode
predicts.

The predictions come from the calls the writer makes, which the test first records with
strace on the same seed database (the call order is deterministic): per commit r, the WAL
frame pwrite64s, one fdatasync of the WAL, then the write of "ack r". A process kill does not
lose the page cache, so what decides whether row r survives is whether the last pwrite64 of
its frames ran, not whether its fdatasync did:

  killed at the call    the Nth call's effect in the page cache
  --before              none: the call never runs
  --at entry            fdatasync completes (it does not check for signals); a pwrite64 to a
                        regular file is stopped by the pending SIGKILL before it copies
                        (generic_perform_write), on the ptrace backend the call never runs
  --at exit             the call completed with its result

and no later call runs (in particular not the ack write). So a kill at a commit's fdatasync
leaves rows == acked + 1 in every mode (the frame was written before), a kill at the WAL
header's fdatasync rows == acked, and a kill at the pwrite64 that completes a commit's frame
rows == acked + 1 only with --at exit (rows == acked with --before and --at entry).

The zap report (--format json) must say where (at), which call (nth, the decoded call with
the WAL's path under -y), and for --at exit the call's return value (ret).
Env: SYSGATE_IT_BACKEND=ebpf|ptrace (unset: sysgate chooses).
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

SYSGATE = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
WRITER = os.path.join(HERE, "sqlite_writer.py")
PYTHON = "/usr/bin/python3"  # not a pyenv shim: one process, the same calls every run
ROWS = 20
BACKEND = os.environ.get("SYSGATE_IT_BACKEND", "")
BK = ["--backend", BACKEND] if BACKEND else []
FAILS = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)
        if detail:
            print("     " + str(detail).replace("\n", "\n     "), flush=True)
    return cond


def seed(path):
    """An empty table in a WAL-mode database, closed cleanly (no -wal file left)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    con.commit()
    con.close()


def fresh(work, seed_db, name):
    d = os.path.join(work, name)
    os.mkdir(d)
    db = os.path.join(d, "db")
    shutil.copyfile(seed_db, db)
    return db, os.path.join(d, "ack")


CALL_RE = re.compile(r'^(?:\d+ +)?(pwrite64|fdatasync|write)\((\d+)(.*)\) += (-?\d+)')
ACK_RE = re.compile(r'^, "ack (\d+)\\n", \d+$')


def calibrate(work, seed_db):
    """The writer's pwrite64 / fdatasync / ack-write sequence, recorded by strace."""
    db, ack = fresh(work, seed_db, "calibrate")
    trace = os.path.join(work, "calibrate.strace")
    p = subprocess.run(["strace", "-f", "-qq", "-e", "trace=write,pwrite64,fdatasync", "-o", trace, "--", PYTHON,
                        WRITER, db, ack, str(ROWS)], capture_output=True, text=True, timeout=60)
    if not check(p.returncode == 0, "calibration: the writer runs to the end under strace", p.stderr[-2000:]):
        sys.exit(1)
    events = []  # (kind, fd, row-or-None): kind pwrite64 | fdatasync | ack
    with open(trace) as f:
        for line in f:
            m = CALL_RE.match(line)
            if not m:
                continue
            kind, fd, rest = m.group(1), int(m.group(2)), m.group(3)
            if kind == "write":
                a = ACK_RE.match(rest)
                if a:
                    events.append(("ack", fd, int(a.group(1))))
            else:
                events.append((kind, fd, None))
    acks = [e[2] for e in events if e[0] == "ack"]
    check(acks == list(range(1, ROWS + 1)), f"calibration: acks 1..{ROWS} in order", acks)
    # per commit r: the index (in events) of the last pwrite64 before "ack r", which must be
    # followed by exactly one fdatasync of the same descriptor (the WAL) and then the ack
    last_pwrite = {}
    for i, e in enumerate(events):
        if e[0] != "ack":
            continue
        r = e[2]
        j = i - 1
        shape = j >= 1 and events[j][0] == "fdatasync" and events[j - 1][0] == "pwrite64" and \
            events[j][1] == events[j - 1][1]
        check(shape, f"calibration: commit {r} is pwrite64(WAL) ... fdatasync(WAL), then ack {r}", events[i - 3:i + 1])
        last_pwrite[r] = j - 1
    return events, last_pwrite


def nth_index(events, kind, nth):
    k = 0
    for i, e in enumerate(events):
        if e[0] == kind:
            k += 1
            if k == nth:
                return i
    raise ValueError(f"the writer makes fewer than {nth} {kind} calls")


def call_runs(kind, mode):
    """Whether the Nth call's effect reaches the page cache when the process is killed there."""
    if mode == "before":
        return False
    if mode == "exit":
        return True
    # --at entry: fdatasync completes (and changes nothing a process kill could reveal); a
    # pwrite64 to a regular file is cut by the pending SIGKILL before it copies a byte (on
    # the ptrace backend the call does not run at all): either way, nothing of it lands
    return kind == "fdatasync"


def predict(events, last_pwrite, kind, nth, mode):
    idx = nth_index(events, kind, nth)
    ran = idx + 1 if call_runs(kind, mode) else idx  # events[:ran] reached the page cache
    acked = sum(1 for e in events[:idx] if e[0] == "ack")
    rows = sum(1 for r, j in last_pwrite.items() if j < ran)
    return acked, rows


def read_acks(path):
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0] != "ready":
        return None
    return [int(l.split()[1]) for l in lines[1:]]


def reopen(db):
    con = sqlite3.connect(db)
    integrity = con.execute("PRAGMA integrity_check").fetchall()
    ids = [r[0] for r in con.execute("SELECT id FROM t ORDER BY id")]
    con.close()
    return integrity, ids


def expected_via(mode):
    if BACKEND == "ptrace":
        return {"ptrace"}
    # launched command: --before through the seccomp supervisor, entry/exit in the kernel
    return {"seccomp"} if mode == "before" else {"bpf"}


ERRNOS = {"EIO": 5}


def run_case(work, seed_db, events, last_pwrite, kind, nth, mode, errno=None):
    name = f"{kind} #{nth} {'--before' if mode == 'before' else '--at ' + mode}{' --errno ' + errno if errno else ''}"
    tag = f"{kind}-{nth}-{mode}{'-' + errno if errno else ''}"
    db, ack = fresh(work, seed_db, tag)
    report = os.path.join(work, f"{tag}.jsonl")
    where = ["--before"] if mode == "before" else ["--at", mode]
    act = ["--errno", errno] if errno else ["--signal", "KILL"]
    cmd = [SYSGATE, "zap", *BK, "--format", "json", "-y", "-o", report, "--on", kind, "--nth", str(nth),
           *act, *where, "--", PYTHON, WRITER, db, ack, str(ROWS)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    dt = time.monotonic() - t0
    lines = []
    if os.path.exists(report):
        with open(report) as f:
            for l in f:
                if l.strip():
                    try:
                        lines.append(json.loads(l))
                    except json.JSONDecodeError:
                        lines.append({"unparsed": l})
    detail = f"$ {' '.join(cmd)}\nstatus {p.returncode} ({dt:.2f} s)\nstderr: {p.stderr[-1500:]}\nreport: {lines}"
    if errno:
        # the COMMIT fails: the writer stops with a Python traceback and exit status 1
        check(p.returncode == 1 and "disk I/O error" in p.stderr,
              f"{name}: the COMMIT fails with 'disk I/O error', the writer exits 1", detail)
    else:
        check(p.returncode == 128 + 9, f"{name}: the writer is killed by SIGKILL (sysgate exits 137)", detail)

    # the report
    zaps = [l for l in lines if l.get("event") == "zap"]
    if check(len(zaps) == 1, f"{name}: one zap in the report", detail):
        z = zaps[0]
        check(z.get("at") == mode, f"{name}: report at={mode}", z)
        check(z.get("nth") == nth and z.get("syscall") == kind, f"{name}: report nth={nth}, syscall={kind}", z)
        check(z.get("via") in expected_via(mode), f"{name}: report via in {sorted(expected_via(mode))}", z)
        if errno:
            check(z.get("exit_code") == 1, f"{name}: report exit_code=1", z)
        else:
            check(z.get("exit_signal") == "SIGKILL", f"{name}: report exit_signal=SIGKILL", z)
        check(isinstance(z.get("tid"), int) and z.get("tid") == z.get("pid"),
              f"{name}: report tid is the writer's (single) thread", z)
        fd = events[nth_index(events, kind, nth)][1]
        call = z.get("call") or ""
        # -y names the WAL in every mode: seccomp decodes while it holds the call, and the
        # kernel side (bpf, ptrace) reports the openat that made the descriptor
        check(call.startswith(f"{kind}({fd}<") and "/db-wal>" in call,
              f"{name}: report call decoded as {kind}({fd}</.../db-wal>...)", z)
        if mode == "exit":
            want = 0 if kind == "fdatasync" else None
            ret = z.get("ret")
            check(isinstance(ret, int) and (ret == want if want is not None else ret > 0),
                  f"{name}: report ret={'0' if want == 0 else 'bytes written'} (the call completed)", z)
            check(call.endswith(f") = {ret}"), f"{name}: the decoded call ends with its result", z)
        if errno:
            check(z.get("errno") == errno and z.get("ret") == -ERRNOS[errno] and z.get("signal") is None,
                  f"{name}: report errno={errno}, ret=-{ERRNOS[errno]}, no signal", z)
            check(call.endswith("(INJECTED)"), f"{name}: the decoded call says (INJECTED)", z)

    # the database and the acknowledgements
    acks = read_acks(ack)
    want_acked, want_rows = predict(events, last_pwrite, kind, nth, mode)
    if errno:
        # not a kill: the failed COMMIT is not published in the WAL index, and the writer's
        # exit closes the connection, whose checkpoint copies only the committed rows into
        # the database and removes the WAL (strace shows it): the frame written before the
        # failed fdatasync is gone
        want_rows = want_acked
    rel = "acked + 1" if want_rows == want_acked + 1 else "acked"
    if not check(acks is not None, f"{name}: the writer got to its first transaction", detail):
        return
    check(acks == list(range(1, len(acks) + 1)), f"{name}: acks 1..{len(acks)} in order", acks)
    check(len(acks) == want_acked, f"{name}: acked {len(acks)} == predicted {want_acked}", detail)
    integrity, ids = reopen(db)
    check(integrity == [("ok",)], f"{name}: PRAGMA integrity_check is ok", integrity)
    check(ids == list(range(1, len(ids) + 1)), f"{name}: rows 1..{len(ids)}, no gap", ids)
    check(len(ids) == want_rows,
          f"{name}: rows {len(ids)} == {rel} = {want_rows} (acked {len(acks)})", detail)


def main():
    if shutil.which("strace") is None:
        check(False, "strace is installed (the test records the writer's calls with it)")
        sys.exit(1)
    t0 = time.monotonic()
    work = tempfile.mkdtemp(prefix="sysgate-crash.")
    seed_db = os.path.join(work, "seed.db")
    seed(seed_db)
    events, last_pwrite = calibrate(work, seed_db)
    n_sync = sum(1 for e in events if e[0] == "fdatasync")
    print(f"     the writer makes {n_sync} fdatasync calls for {ROWS} rows; commit r syncs at "
          f"fdatasync #{[sum(1 for e in events[:last_pwrite[r] + 2] if e[0] == 'fdatasync') for r in (1, 2, ROWS)]}"
          f" for r = 1, 2, {ROWS}", flush=True)
    cases = []
    # the WAL header's fdatasync (#1: nothing committed yet), then commits' fdatasyncs
    for nth in (1, 3, 7, 12):
        for mode in ("before", "exit", "entry"):
            cases.append(("fdatasync", nth, mode))
    # the pwrite64 that completes commit 5's frame (its page), and the frame header before it
    page = sum(1 for e in events[:last_pwrite[5] + 1] if e[0] == "pwrite64")
    for mode in ("before", "exit", "entry"):
        cases.append(("pwrite64", page, mode))
    cases.append(("pwrite64", page - 1, "exit"))
    for kind, nth, mode in cases:
        run_case(work, seed_db, events, last_pwrite, kind, nth, mode)
    # --before --errno EIO: row 5's commit fails instead of the writer being killed
    run_case(work, seed_db, events, last_pwrite, "fdatasync", 7, "before", errno="EIO")
    cases.append(("fdatasync", 7, "before"))
    print(f"     {len(cases)} zaps in {time.monotonic() - t0:.1f} s", flush=True)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed; work directory kept: {work}")
        sys.exit(1)
    shutil.rmtree(work)
    print("all crash checks passed")


if __name__ == "__main__":
    main()
