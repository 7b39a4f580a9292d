#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end tests of `sysgate zap` on real processes and real kernel events.

usage: test_zap.py SYSGATE PROGDIR
"""
import json
import os
import socket
import subprocess
import sys
import tempfile

SYSGATE, PROGS = sys.argv[1], sys.argv[2]
# The backend under test (SYSGATE_IT_BACKEND, as in tests/integration); unset, sysgate chooses.
BACKEND = os.environ.get("SYSGATE_IT_BACKEND", "")
BK = ["--backend", BACKEND] if BACKEND else []
FAILS = []


def prog(name):
    return os.path.join(PROGS, name)


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        FAILS.append(what)
        if detail:
            print("     " + str(detail).replace("\n", "\n     "))


def zap(args, timeout=60):
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as out:
        path = out.name
    p = subprocess.run([SYSGATE, "zap", *BK, "--format", "json", "-o", path] + args,
                       capture_output=True, text=True, timeout=timeout)
    with open(path) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    os.unlink(path)
    return p, lines


def events(lines, kind):
    return [l for l in lines if l.get("event") == kind]


def tmpfile():
    fd, path = tempfile.mkstemp()
    os.close(fd)
    return path


def test_nth_kill_leaves_exactly_n_lines():
    # Into a pipe: the 5th write, signalled at its entry, still completes; nothing after it.
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as out:
        path = out.name
    p = subprocess.run([SYSGATE, "zap", *BK, "--format", "json", "-o", path, "--on", "write", "--nth", "5",
                        "--signal", "KILL", "--", prog("writer"), "-", "100", "2000"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    with open(path) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    os.unlink(path)
    written = p.stdout.split()
    z = events(lines, "zap")
    check(p.returncode == 128 + 9, "nth 5 KILL: sysgate exits with the command's status (137)", p.returncode)
    check(len(z) == 1 and z[0]["nth"] == 5 and z[0]["signal"] == "SIGKILL" and z[0]["syscall"] == "write",
          "nth 5 KILL: one zap on the 5th write", z)
    if BACKEND == "ptrace":
        # the SIGKILL is pending when the tracee leaves its entry stop: the call never runs
        check(written == [str(i) for i in range(1, 5)],
              "nth 5 KILL (pipe, ptrace): lines 1-4, the 5th write never runs", written)
    else:
        check(written == [str(i) for i in range(1, 6)], "nth 5 KILL (pipe): exactly lines 1-5", written)
    check(z and z[0].get("exit_signal") == "SIGKILL" and z[0]["escalated"] is False,
          "nth 5 KILL: reported as killed by SIGKILL, not escalated", z)
    for key in ("pid", "comm", "syscall_ts_ns", "signal_ts_ns", "exit_ts_ns", "time_to_exit_ns"):
        check(z and key in z[0], f"nth 5 KILL: field {key}", z)
    if z:
        check(z[0]["syscall_ts_ns"] <= z[0]["signal_ts_ns"] <= z[0]["exit_ts_ns"],
              "nth 5 KILL: syscall <= signal <= exit timestamps", z[0])
    s = events(lines, "zap_summary")
    check(len(s) == 1 and s[0]["zaps"] == 1 and s[0]["exited"] == 1, "nth 5 KILL: summary", s)

    # Into a regular file: the write path checks for a fatal signal before it copies,
    # so the SIGKILL raised at the 5th write's entry stops that write too (docs/ZAP.md).
    out = tmpfile()
    p, lines = zap(["--on", "write", "--nth", "5", "--signal", "KILL", "--", prog("writer"), out, "100", "2000"])
    with open(out) as f:
        written = f.read().split()
    check(len(events(lines, "zap")) == 1 and written == [str(i) for i in range(1, 5)],
          "nth 5 KILL (regular file): lines 1-4, the zapped write cut by the pending SIGKILL", written)
    os.unlink(out)


def test_trapped_term_time_to_exit(delay_ms):
    times = tmpfile()
    p, lines = zap(["--on", "write", "--", prog("trapper"), "trap", str(delay_ms), times])
    z = events(lines, "zap")
    check(p.returncode == 0, f"trap {delay_ms}ms: command exit status 0", p.returncode)
    check(len(z) == 1 and z[0]["signal"] == "SIGTERM" and z[0].get("exit_code") == 0,
          f"trap {delay_ms}ms: one SIGTERM zap, exit code 0", z)
    if z:
        tte = z[0]["time_to_exit_ns"]
        check(delay_ms * 1e6 <= tte <= delay_ms * 1e6 + 20e6,
              f"trap {delay_ms}ms: time to exit {tte / 1e6:.3f} ms within [D, D+20ms]", z[0])
        check(z[0]["deliver_ts_ns"] is not None and z[0]["signal_ts_ns"] <= z[0]["deliver_ts_ns"] <= z[0]["exit_ts_ns"],
              f"trap {delay_ms}ms: delivery observed between signal and exit", z[0])
    with open(times) as f:
        own = f.read().replace("\0", "").split()
    if len(own) == 2:
        handled = (int(own[1]) - int(own[0])) / 1e6
        check(handled >= delay_ms, f"trap {delay_ms}ms: the target's own handler time {handled:.3f} ms", own)
    os.unlink(times)


def test_ignored_term_escalates():
    times = tmpfile()
    p, lines = zap(["--on", "write", "--kill-after", "200ms", "--", prog("trapper"), "ignore", "0", times])
    z = events(lines, "zap")
    check(len(z) == 1 and z[0]["escalated"] is True and z[0].get("exit_signal") == "SIGKILL",
          "ignored TERM: escalated to SIGKILL", z)
    if z:
        check(z[0]["time_to_exit_ns"] >= 200e6, "ignored TERM: exit not before 200 ms", z[0])
        check("escalate_ts_ns" in z[0] and z[0]["escalate_ts_ns"] <= z[0]["exit_ts_ns"],
              "ignored TERM: escalation timestamp before exit", z[0])
    check(p.returncode == 137, "ignored TERM: command status 137", p.returncode)
    os.unlink(times)


def test_multithreaded_until_last_thread():
    times = tmpfile()
    linger = 150
    p, lines = zap(["--on", "write", "--", prog("mt"), str(linger), times])
    z = events(lines, "zap")
    check(len(z) == 1, "multi-threaded: one zap", z)
    if z:
        # the main thread leaves at once (pthread_exit); the workers linger
        check(z[0]["time_to_exit_ns"] >= linger * 1e6,
              f"multi-threaded: measured until the last thread ({z[0]['time_to_exit_ns'] / 1e6:.1f} ms >= {linger} ms)",
              z[0])
    with open(times) as f:
        check(f.read().strip() != "", "multi-threaded: the last worker ran to its end")
    os.unlink(times)


def test_exit_before_nth():
    out = tmpfile()
    p, lines = zap(["--on", "write", "--nth", "1000", "--", prog("writer"), out, "10"])
    m = events(lines, "zap_missed")
    check(p.returncode == 0, "exits before Nth: command status 0", p.returncode)
    check(len(events(lines, "zap")) == 0 and len(m) == 1 and m[0]["matched"] == 10 and m[0].get("exit_code") == 0,
          "exits before Nth: reported with its 10 matching calls", lines)
    check(m and m[0].get("due") == 1000, 'zap_missed JSON: "due":1000 (the call it was due on)', m)
    os.unlink(out)


def test_arg_match():
    out = tmpfile()
    # writer writes to fd 3; a condition on fd 1 never matches
    p, lines = zap(["--on", "write", "--arg", "fd=1", "--", prog("writer"), out, "5"])
    m = events(lines, "zap_missed")
    check(len(events(lines, "zap")) == 0 and len(m) == 1 and m[0]["matched"] == 0,
          "--arg fd=1: writes to fd 3 never match", lines)
    p, lines = zap(["--on", "write", "--arg", "0=3", "--nth", "3", "--signal", "KILL", "--",
                    prog("writer"), out, "10"])
    with open(out) as f:
        written = f.read().split()
    # a regular file: the zapped third write is cut by the pending SIGKILL
    check(len(events(lines, "zap")) == 1 and written == ["1", "2"],
          "--arg 0=3 --nth 3: third write to fd 3 zapped", (lines, written))
    p, lines = zap(["--on", "openat", "--arg", "filename=/etc/host", "--signal", "KILL", "--",
                    "cat", "/etc/hostname"])
    z = events(lines, "zap")
    check(len(z) == 1 and p.stdout == "" and p.returncode == 137,
          "--arg filename=/etc/host: cat killed at the openat of /etc/hostname", (lines, p.stdout))
    os.unlink(out)


def test_via_userspace():
    out = tmpfile()
    p, lines = zap(["--via-userspace", "--on", "write", "--nth", "3", "--signal", "KILL", "--",
                    prog("writer"), out, "200", "2000"])
    z = events(lines, "zap")
    check(len(z) == 1 and z[0]["via"] == ("ptrace" if BACKEND == "ptrace" else "userspace") and z[0].get("exit_signal") == "SIGKILL",
          "--via-userspace: sysgate sends the signal", z)
    with open(out) as f:
        n = len(f.read().split())
    if BACKEND == "ptrace":
        # sysgate sends it while the tracee is still stopped at the 3rd write's entry
        check(n == 2, f"--via-userspace (ptrace): 2 lines, the 3rd write never runs ({n})", n)
    else:
        # Writes 1-2 completed before the 3rd call's entry was even recorded. The signal is
        # sent once sysgate has read that record, so the 3rd write itself may complete or be
        # cut by the pending SIGKILL (a regular file), and a few later ones may slip through.
        check(2 <= n < 200, f"--via-userspace: lines 1-2 at least, stopped early ({n} of 200)", n)
    os.unlink(out)


def test_syslog():
    # without a syslog daemon, listen on /dev/log ourselves
    if os.path.exists("/dev/log"):
        p, lines = zap(["--syslog", "--on", "write", "--signal", "KILL", "--", prog("writer"), "/dev/null", "3"])
        j = subprocess.run(["journalctl", "-t", "sysgate", "-n", "5", "--no-pager"], capture_output=True, text=True)
        check(j.returncode != 0 or "zap" in j.stdout, "--syslog: line in the journal", j.stdout)
        return
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("/dev/log")
    try:
        s.settimeout(5)
        p, lines = zap(["--syslog", "--on", "write", "--signal", "KILL", "--", prog("writer"), "/dev/null", "3"])
        msg = s.recv(4096).decode()
        check("sysgate" in msg and "zap" in msg and "SIGKILL" in msg, "--syslog: one line per zap", msg)
    finally:
        s.close()
        os.unlink("/dev/log")


def test_count_and_rate():
    # three running writers, targeted by name: --count 2 zaps two and stops
    outs = [tmpfile() for _ in range(3)]
    procs = [subprocess.Popen([prog("writer"), o, "100000", "20000"]) for o in outs]
    try:
        pids = [a for pr in procs for a in ("-p", str(pr.pid))]
        p, lines = zap(pids + ["--on", "write", "--signal", "KILL", "--count", "2"])
        z = events(lines, "zap")
        alive = [pr for pr in procs if pr.poll() is None]
        check(p.returncode == 0 and len(z) == 2 and len(alive) == 1,
              "--count 2: two of three writers zapped, sysgate stops", (p.returncode, z, len(alive)))
        # --max-rate 1: the remaining writer plus two new ones, at most one zap in the first second
        more = [subprocess.Popen([prog("writer"), tmpfile(), "100000", "20000"]) for _ in range(2)]
        procs += more
        pids = [a for pr in procs if pr.poll() is None for a in ("-p", str(pr.pid))]
        p, lines = zap(pids + ["--on", "write", "--signal", "KILL", "--max-rate", "1",
                               "--duration", "0.5"])
        z = events(lines, "zap")
        check(len(z) == 1, "--max-rate 1: one zap in half a second, the others held back", z)
    finally:
        for pr in procs:
            if pr.poll() is None:
                pr.kill()
            pr.wait()
        for o in outs:
            os.unlink(o)


def run_writer_zap(mode, target, n=3, extra=()):
    """zap the nth write of a writer into a regular file or a pipe; returns (proc, zaps, lines)."""
    path = tmpfile() if target == "file" else "-"
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as out:
        rep = out.name
    p = subprocess.run([SYSGATE, "zap", *BK, "--format", "json", "-o", rep, "--on", "write",
                        "--nth", str(n), *mode, *extra, "--", prog("writer"), path, "8", "2000"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    with open(rep) as f:
        lines = [json.loads(l) for l in f if l.strip()]
    os.unlink(rep)
    if target == "file":
        with open(path) as f:
            written = f.read().split()
        os.unlink(path)
    else:
        written = p.stdout.split()
    return p, events(lines, "zap"), written


def test_at_exit_and_before_are_exact():
    # --at exit: the Nth write completes, nothing after it; --before: the Nth never runs.
    # The same for a regular file (whose write stops for a pending SIGKILL) and a pipe
    # (whose write does not).
    via_exit = "ptrace" if BACKEND == "ptrace" else "bpf"
    via_before = "ptrace" if BACKEND == "ptrace" else "seccomp"
    for target in ("file", "pipe"):
        for mode, want, at, via in ((["--at", "exit"], 3, "exit", via_exit),
                                    (["--before"], 2, "before", via_before)):
            p, z, written = run_writer_zap(mode + ["--signal", "KILL"], target,
                                           extra=["-y"] if target == "file" else [])
            what = f"{' '.join(mode)} ({target})"
            check(written == [str(i) for i in range(1, want + 1)],
                  f"{what}: exactly {want} lines", (written, p.stderr))
            check(p.returncode == 137, f"{what}: the writer was killed", (p.returncode, p.stderr))
            check(len(z) == 1 and z[0]["at"] == at and z[0]["via"] == via and z[0]["nth"] == 3
                  and z[0]["syscall"] == "write", f"{what}: one zap, at {at}, via {via}, nth 3", z)
            if z:
                call = z[0].get("call") or ""
                check(call.startswith('write(') and '"3\\n", 2)' in call,
                      f"{what}: the report shows the call decoded", call)
                check(z[0]["tid"] == z[0]["pid"], f"{what}: the calling thread", z)
                if target == "file":
                    # -y, even when the process is gone before its report is read: the
                    # kernel side reported the open that made the descriptor
                    check(call.startswith("write(3</tmp/"), f"{what} -y: the descriptor's path", call)
                if at == "exit":
                    check(z[0]["ret"] == 2 and call.endswith(") = 2"),
                          f"{what}: the call's result (2)", z)
                    check(z[0]["call_exit_ts_ns"] <= z[0]["signal_ts_ns"] <= z[0]["exit_ts_ns"],
                          f"{what}: call return, signal, exit in order", z)
                else:
                    check(z[0]["ret"] is None and z[0].get("exit_signal") == "SIGKILL",
                          f"{what}: no result, killed", z)


def test_before_errno():
    # --before --errno EIO: the 3rd write fails instead of running; no signal unless asked
    p, z, written = run_writer_zap(["--before", "--errno", "EIO"], "file", extra=["-y"])
    check(written == ["1", "2"], "--before --errno EIO: lines 1-2, the 3rd write failed", written)
    check(p.returncode == 1, "--before --errno EIO: the writer saw the error and exited 1",
          (p.returncode, p.stderr))
    check(len(z) == 1 and z[0]["ret"] == -5 and z[0]["errno"] == "EIO" and z[0]["signal"] is None
          and z[0].get("exit_code") == 1, "--before --errno EIO: reported as failed with EIO", z)
    if z:
        call = z[0]["call"] or ""
        check(call.startswith("write(3</tmp/") and call.endswith("= -1 EIO (Input/output error) (INJECTED)"),
              "--before --errno -y: the call with its descriptor's path, and the injected result", call)


def test_one_zap_by_default():
    # two writers one after the other: by default only the first is zapped, --count 0 both
    script = f"{prog('writer')} - 4; {prog('writer')} - 4"
    for count, zaps, lines in ((None, 1, 2 + 4), ("0", 2, 2 + 2)):
        extra = ["--count", count] if count else []
        with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as out:
            rep = out.name
        p = subprocess.run([SYSGATE, "zap", *BK, "--format", "json", "-o", rep, "--on", "write",
                            "--nth", "3", "--before", "--signal", "KILL", *extra, "-f", "--", "/bin/sh", "-c",
                            script],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        with open(rep) as f:
            z = events([json.loads(l) for l in f if l.strip()], "zap")
        os.unlink(rep)
        n = len(p.stdout.split())
        what = f"--count {count}" if count else "default --count"
        check(len(z) == zaps, f"{what}: {zaps} zap(s)", z)
        check(n == lines, f"{what}: {lines} lines written", (n, p.stdout))


def test_now():
    times = tmpfile()
    w = subprocess.Popen([prog("trapper"), "trap", "20", times], stdout=subprocess.PIPE)
    try:
        w.stdout.read(1)  # set up: its handler is installed
        p, lines = zap(["-p", str(w.pid), "--now", "--signal", "TERM"])
        z = events(lines, "zap")
        check(p.returncode == 0 and len(z) == 1 and z[0]["at"] == "now" and z[0]["nth"] is None
              and z[0]["signal"] == "SIGTERM" and z[0]["time_to_exit_ns"] > 0,
              "--now: the running process is signalled at once and its exit timed", (p.stderr, z))
        check(z and z[0].get("exit_code") == 0 and z[0]["time_to_exit_ns"] >= 20_000_000,
              "--now: its handler's 20 ms are in the time to exit", z)
    finally:
        if w.poll() is None:
            w.kill()
        w.wait()
        os.unlink(times)


def alive_marked(marker):
    out = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def test_scope_tree():
    # the launched shell's whole tree goes when its child writer is zapped
    marker = "31.4159"
    script = f"sleep {marker} & sleep {marker} & {prog('writer')} - 8 2000; wait"
    p, lines = zap(["--on", "write", "--nth", "3", "--signal", "KILL", "--scope", "tree", "-f",
                    "--", "/bin/sh", "-c", script])
    z = events(lines, "zap")
    left = alive_marked(marker)
    for pid in left:
        os.kill(pid, 9)
    check(not left, "--scope tree: the sleeping siblings are gone too", left)
    check(len(z) == 1 and z[0]["scope"] == "tree" and z[0]["scope_pids"] >= 3
          and z[0]["time_to_scope_exit_ns"] >= z[0]["time_to_exit_ns"],
          "--scope tree: the report counts the tree and times its last exit", z)


def test_scope_escalates():
    # the whole tree ignores SIGTERM: --kill-after escalates every process of it
    marker = "33.1416"
    script = f"trap '' TERM; sleep {marker} & {prog('writer')} - 1000 2000; wait"
    p, lines = zap(["--on", "write", "--nth", "3", "--signal", "TERM", "--kill-after", "300ms",
                    "--scope", "tree", "-f", "--", "/bin/sh", "-c", script])
    z = events(lines, "zap")
    left = alive_marked(marker)
    for pid in left:
        os.kill(pid, 9)
    check(not left, "--scope tree --kill-after: the ignoring sleeper is killed too", left)
    check(len(z) == 1 and z[0]["escalated"] is True and z[0].get("exit_signal") == "SIGKILL"
          and z[0]["scope_pids"] >= 3 and z[0]["time_to_scope_exit_ns"] >= 300_000_000,
          "--scope tree --kill-after: escalated over the scope, timed to its last exit", z)


def test_scope_cgroup():
    with open("/proc/self/mounts") as f:
        roots = [l.split()[1] for l in f if l.split()[2] == "cgroup2"]
    if not roots:
        check(False, "--scope cgroup: needs cgroup v2 mounted")
        return
    cg = f"{roots[0]}/sysgate-test-{os.getpid()}"
    os.mkdir(cg)
    marker = "32.7182"
    procs = []
    try:
        def enter():
            with open(cg + "/cgroup.procs", "w") as f:
                f.write("0")
        procs.append(subprocess.Popen(["sleep", marker], preexec_fn=enter))
        w = subprocess.Popen([prog("writer"), "/dev/null", "100000", "2000"], preexec_fn=enter)
        procs.append(w)
        p, lines = zap(["-p", str(w.pid), "--on", "write", "--nth", "3", "--signal", "KILL",
                        "--scope", "cgroup"])
        z = events(lines, "zap")
        for pr in procs:
            try:
                pr.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        with open(cg + "/cgroup.procs") as f:
            left = f.read().split()
        check(not left and all(pr.poll() is not None for pr in procs),
              "--scope cgroup: every process of the cgroup is gone", (left, p.stderr))
        check(len(z) == 1 and z[0]["scope"] == "cgroup" and z[0]["scope_pids"] == 2,
              "--scope cgroup: the report counts the cgroup's processes", z)
    finally:
        for pr in procs:
            if pr.poll() is None:
                pr.kill()
            pr.wait()
        os.rmdir(cg)


def test_bad_input():
    cases = [
        (["--on", "write", "--signal", "NOPE", "--", "true"], "unknown signal"),
        (["--on", "write", "--nth", "0", "--", "true"], "--nth 0"),
        (["--on", "write", "--nth", "-3", "--", "true"], "--nth -3"),
        (["--on", "write", "--kill-after", "5parsecs", "--", "true"], "bad duration"),
        (["--on", "wrte", "--", "true"], "unknown syscall"),
        (["--on", "write", "--arg", "fd", "--", "true"], "malformed --arg"),
        (["--on", "write", "-p", "1"], "pid 1 without --force"),
        (["--", "true"], "missing --on"),
        (["--on", "write", "--at", "middle", "--", "true"], "--at middle"),
        (["--on", "write", "--errno", "EIO", "--", "true"], "--errno without --before"),
        (["--on", "write", "--before", "--errno", "EBOGUS", "--", "true"], "unknown errno"),
        (["--on", "write", "--before", "--at", "exit", "--", "true"], "--before with --at"),
        (["--on", "write", "--scope", "galaxy", "--", "true"], "unknown scope"),
        (["--on", "write", "--scope", "cgroup", "--", "true"], "cgroup scope of a launched command"),
        (["--now", "--", "true"], "--now with a launched command"),
        (["--now", "--on", "write", "-p", str(os.getpid())], "--now with --on"),
        (["--on", "write", "--count", "-1", "--", "true"], "--count -1"),
    ]
    for args, what in cases:
        p = subprocess.run([SYSGATE, "zap", *BK] + args, capture_output=True, text=True, timeout=30)
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        check(p.returncode == 2 and len(lines) == 1 and lines[0].startswith("sysgate: "),
              f"bad input ({what}): one line, exit 2", (p.returncode, p.stderr))
    progs = subprocess.run(["bpftool", "prog", "show"], capture_output=True, text=True).stdout
    check("zap_enter" not in progs and "on_exit" not in progs, "bad input: nothing left in the kernel", progs)


def main():
    test_nth_kill_leaves_exactly_n_lines()
    for d in (0, 50):
        test_trapped_term_time_to_exit(d)
    test_ignored_term_escalates()
    test_multithreaded_until_last_thread()
    test_exit_before_nth()
    test_arg_match()
    test_via_userspace()
    test_syslog()
    test_count_and_rate()
    test_at_exit_and_before_are_exact()
    test_before_errno()
    test_one_zap_by_default()
    test_now()
    test_scope_tree()
    test_scope_escalates()
    test_scope_cgroup()
    test_bad_input()
    print(f"{len(FAILS)} failure(s)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
