#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The ptrace backend's tests as a user without any privilege, created for the run.

usage: unprivileged.py SYSGATE PROGDIR SYSGATE_IT_PY TEST[,TEST...]

Runs as root: creates a user, copies sysgate, the test programs and the test
runner where that user can read them, and runs each test of sysgate_it.py as
that user with SYSGATE_IT_BACKEND=ptrace. Then checks the automatic choice: with
no --backend and no BPF privileges, sysgate prints one notice and traces with
ptrace, and the calls it prints are the ones root's eBPF trace prints.
"""
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile

SYSGATE, PROGS, RUNNER, TESTS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
FAILS = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)
        if detail:
            print("     " + str(detail)[:6000].replace("\n", "\n     "), flush=True)
    return cond


def calls_of(path):
    """Call lines without the pid prefix and the duration."""
    out = []
    with open(path) as f:
        for line in f:
            m = re.match(r"^(?:\[pid\s+\d+\] )?(.*?)(?: <\d+\.\d{6}>)?$", line.rstrip("\n"))
            if m and not m.group(1).startswith("+++"):
                out.append(m.group(1))
    return out


def main():
    if os.geteuid() != 0:
        print("integration_unprivileged creates a user: it must run as root (CI does)")
        return 1
    user = f"sgpt{os.getpid() % 100000}"
    r = subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", user],
                       capture_output=True, text=True)
    if not check(r.returncode == 0, f"useradd {user}", r.stderr):
        return 1
    d = tempfile.mkdtemp(prefix="sysgate-unpriv-")
    try:
        os.chmod(d, 0o755)
        sg = os.path.join(d, "sysgate")
        shutil.copy2(SYSGATE, sg)
        progs = os.path.join(d, "progs")
        shutil.copytree(PROGS, progs)
        runner = os.path.join(d, "sysgate_it.py")
        shutil.copy2(RUNNER, runner)
        for root, dirs, files in os.walk(d):
            for n in dirs + files:
                p = os.path.join(root, n)
                os.chmod(p, 0o755 if os.path.isdir(p) or os.access(p, os.X_OK) else 0o644)
        pw = pwd.getpwnam(user)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": d, "LANG": "C.UTF-8"}

        def as_user(args, extra=None, timeout=600):
            e = dict(env, **(extra or {}))
            return subprocess.run(args, user=pw.pw_uid, group=pw.pw_gid, extra_groups=[], env=e,
                                  capture_output=True, text=True, timeout=timeout, cwd=d)

        who = as_user(["id", "-u"])
        check(who.stdout.strip() == str(pw.pw_uid), "the tests run as the new user", who.stdout)
        for t in TESTS:
            r = as_user(["/usr/bin/python3", runner, t, sg, progs, d], {"SYSGATE_IT_BACKEND": "ptrace"})
            check(r.returncode == 0, f"{t} as {user} (ptrace)", r.stdout + r.stderr)

        # the automatic choice, against root's eBPF trace of the same command
        cmd = ["-e", "openat,read,close", "--", "cat", "/etc/hostname"]
        work = os.path.join(d, "work")
        os.mkdir(work)
        os.chown(work, pw.pw_uid, pw.pw_gid)
        mine = os.path.join(work, "user.trace")
        r = as_user(["/bin/sh", "-c", f"exec {sg} trace -o {mine} " + " ".join(cmd)])
        notice = [l for l in r.stderr.splitlines() if "ptrace" in l]
        check(r.returncode == 0 and len(notice) == 1 and "no BPF privileges" in notice[0],
              "without --backend or BPF privileges: one notice, ptrace is used", r.stderr)
        root_out = os.path.join(d, "root.trace")
        rr = subprocess.run([SYSGATE, "trace", "--backend", "ebpf", "-o", root_out] + cmd,
                            capture_output=True, text=True, env=env, timeout=60)
        check(rr.returncode == 0, "root's eBPF trace of the same command", rr.stderr)
        a, b = calls_of(mine), calls_of(root_out)
        check(len(a) > 5 and a == b, "the unprivileged user's lines are root's eBPF lines",
              "\n".join(f"{x!r} | {y!r}" for x, y in zip(a, b) if x != y) or (a, b))
    finally:
        shutil.rmtree(d, ignore_errors=True)
        subprocess.run(["userdel", user], capture_output=True)
    print(f"{len(FAILS)} failure(s)")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
