#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end tests of the kernel sides: syscall numbers, classes on every
kernel, the shared argument matching, backend-owned options, privileges.

usage: kernel_it.py TEST SYSGATE [SOURCE_DIR]

Runs as root with BPF (as CI does). Exit status 0 when every check passed, 1
when one failed. None of these tests skips itself: what they need (root, BPF,
setcap from libcap2-bin, useradd) is part of the project's machines.
"""
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time

TEST, SYSGATE = sys.argv[1], os.path.abspath(sys.argv[2])
PY = "/usr/bin/python3"  # not a pyenv shim: one process, deterministic
FAILS = []
TMP = tempfile.mkdtemp(prefix="sysgate-kit-")
CLEANUP = []  # callables run at the end, whatever happens

SYSGATE_PROGS = {
    "raw_trace_enter", "raw_trace_exit", "raw_count_enter", "raw_count_exit",
    "tp_trace_enter", "tp_trace_exit", "tp_count_enter", "tp_count_exit",
    "raw_zap_enter", "tp_zap_enter", "zap_exit_group", "zap_deliver", "trace_signal",
    "trace_signal_fa",
    "on_fork", "on_exec", "on_exit",
}


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)
        if detail:
            print("     " + str(detail)[:4000].replace("\n", "\n     "), flush=True)
    return cond


def run(args, timeout=60, **kw):
    return subprocess.run(args, text=True, capture_output=True, timeout=timeout, **kw)


def sysgate_bpf_progs():
    """{prog id: (name, holder pids)} of loaded BPF programs with sysgate's names."""
    p = run(["bpftool", "-j", "prog", "show"])
    if p.returncode != 0:
        raise RuntimeError("bpftool prog show failed: " + p.stderr)
    return {q["id"]: (q.get("name"), [h.get("pid") for h in q.get("pids", [])])
            for q in json.loads(p.stdout or "[]") if q.get("name") in SYSGATE_PROGS}


BEFORE = None


def check_no_bpf_left(what):
    """Every sysgate this test ran has exited: none of the programs loaded since the
    test began may survive. Programs are freed asynchronously after their last fd
    closes, so poll; programs a live process holds are another run's (the machine
    is shared), not ours."""
    left = {}
    deadline = time.time() + 10
    while True:
        left = {i: v for i, v in sysgate_bpf_progs().items() if i not in BEFORE and not v[1]}
        if not left or time.time() > deadline:
            break
        time.sleep(0.1)
    check(not left, f"{what}: no sysgate BPF program left loaded", left)


def notices(stderr):
    return [l for l in stderr.splitlines() if l.startswith("sysgate: ")]


def syscall_prog(nr, *args):
    """A python one-liner that makes syscall nr once (ctypes, no libc wrapper needed)."""
    a = ", ".join(str(x) for x in args)
    return [PY, "-c", f"import ctypes; ctypes.CDLL(None, use_errno=True).syscall({nr}{', ' if a else ''}{a})"]


def kernel_has_tracepoint(name):
    base = "/sys/kernel/tracing/events/syscalls"
    if not os.path.isdir(base):
        run(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"])
    return os.path.isdir(os.path.join(base, f"sys_enter_{name}"))


# ---------------------------------------------------------------- tests

def test_classes():
    """Every class can be selected on every kernel, by each attachment and mode."""
    for cls in ("%network", "%file", "%desc", "%process", "%memory", "%signal", "%ipc",
                "%creds", "%clock", "%pure"):
        p = run([SYSGATE, "trace", "-e", cls, "--", "true"])
        check(p.returncode == 0, f"trace -e {cls} -- true exits 0", p.stderr)
    p = run([SYSGATE, "trace", "-e", "%network", "--", "true"])
    lines = notices(p.stderr)
    # getpmsg and putpmsg have no tracepoint on any mainline kernel
    check(len(lines) == 1 and "getpmsg" in lines[0] and "putpmsg" in lines[0] and
          "not traced" in lines[0],
          "trace -e %network: one notice naming getpmsg, putpmsg", p.stderr)
    for attach in ("raw", "syscall", "auto"):
        p = run([SYSGATE, "trace", "--attach", attach, "-e", "%network", "--", PY, "-c",
                 "import socket; socket.socket().close()"])
        check(p.returncode == 0 and "socket(" in p.stderr,
              f"trace --attach {attach} -e %network: exit 0 and the socket call is shown", p.stderr)
    p = run([SYSGATE, "count", "-e", "%network", "--", "true"])
    check(p.returncode == 0, "count -e %network -- true exits 0", p.stderr)
    p = run([SYSGATE, "zap", "--on", "%network", "--", "true"])
    check(p.returncode == 0, "zap --on %network -- true exits 0", p.stderr)
    check_no_bpf_left("classes")


def test_new_syscalls():
    """Syscalls newer than the build host's headers are selectable and printed by name."""
    if not check(kernel_has_tracepoint("cachestat"),
                 "the running kernel has cachestat (6.5+; this test expects the project's 6.18)"):
        return
    # cachestat(fd, NULL range, NULL stat, 0) on an open file: EFAULT, but a real call
    prog = [PY, "-c", "import ctypes, os; fd = os.open('/etc/hostname', os.O_RDONLY); "
            "ctypes.CDLL(None).syscall(451, fd, 0, 0, 0)"]
    for sel in ("cachestat", "syscall_451"):
        for attach in ("auto", "syscall", "raw"):
            p = run([SYSGATE, "trace", "--attach", attach, "-e", sel, "--"] + prog)
            lines = [l for l in p.stderr.splitlines() if "cachestat(" in l]
            check(p.returncode == 0 and len(lines) == 1 and "= -1 EFAULT" in lines[0],
                  f"trace --attach {attach} -e {sel}: one cachestat(...) line", p.stderr)
    p = run([SYSGATE, "list"])
    check(any(l.split()[:2] == ["451", "cachestat"] for l in p.stdout.splitlines()),
          "sysgate list shows 451 cachestat", p.stdout[-2000:])
    for name, nr in (("mseal", 462), ("futex_wake", 454), ("listmount", 458)):
        check(any(l.split()[:2] == [str(nr), name] for l in p.stdout.splitlines()),
              f"sysgate list shows {nr} {name}")
    # a number the table does not name: raw attachment, printed by number
    unnamed = 500
    p = run([SYSGATE, "trace", "-e", f"syscall_{unnamed}", "--"] + syscall_prog(unnamed, 0))
    lines = [l for l in p.stderr.splitlines() if f"syscall_{unnamed}(" in l]
    check(p.returncode == 0 and len(lines) == 1 and "ENOSYS" in lines[0] and
          any("raw_syscalls" in l for l in notices(p.stderr)),
          f"trace -e syscall_{unnamed}: falls back to raw with a notice, the call is shown",
          p.stderr)
    # a syscall the running kernel lacks: a notice, not a failure
    p = run([SYSGATE, "trace", "-e", "getpmsg,getppid", "--", "true"])
    check(p.returncode == 0 and any(l.startswith("sysgate: getpmsg: the running kernel has no such "
                                                 "syscall") for l in notices(p.stderr)),
          "trace -e getpmsg: 'getpmsg: the running kernel has no such syscall' notice, exit 0",
          p.stderr)
    check_no_bpf_left("new_syscalls")


def usage_error(args, what, expect_in=()):
    p = run([SYSGATE] + args, timeout=30)
    lines = p.stderr.splitlines()
    ok = p.returncode == 2 and len(lines) == 1 and lines[0].startswith("sysgate: ")
    ok = ok and all(s in p.stderr for s in expect_in)
    check(ok, f"{what}: exit 2 and one 'sysgate: ' line" + (f" naming {list(expect_in)}" if expect_in else ""),
          f"status {p.returncode}\nstderr: {p.stderr}")
    check_no_bpf_left(what)


def test_prefix():
    """A --arg prefix of SG_PREFIX_MAX (64) bytes matches on both its bytes; 65 is refused."""
    # the 64th byte of the path is the first of the file name
    d = os.path.join(TMP, "p" * (63 - len(TMP) - 2))
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "f" * 60)
    with open(path, "w") as f:
        f.write("x\n")
    prefix = path[:64]
    other = os.path.join(d, "g" * 60)
    with open(other, "w") as f:
        f.write("x\n")
    check(len(prefix) == 64 and not other.startswith(prefix), "a 64-byte prefix of one path only")
    p = run([SYSGATE, "zap", "--on", "openat", "--arg", f"1={prefix}", "--", "cat", other])
    check(p.returncode == 0, "zap --arg 1=<64 bytes>: a path that differs in byte 64 is not zapped",
          p.stderr)
    p = run([SYSGATE, "zap", "--on", "openat", "--arg", f"1={prefix}", "--", "cat", path])
    check(p.returncode == 128 + 15, "zap --arg 1=<64 bytes>: the path that starts with it is zapped",
          f"status {p.returncode}\n{p.stderr}")
    long = path[:65]
    usage_error(["zap", "--on", "openat", "--arg", f"1={long}", "--", "cat", path],
                "zap --arg 1=<65 bytes> (ebpf)", ("at most 64 bytes",))
    usage_error(["zap", "--backend", "kmod", "--on", "openat", "--arg", f"1={long}", "--", "cat", path],
                "zap --backend kmod --arg 1=<65 bytes>", ("at most 64 bytes",))


def test_backend_options():
    """Each backend validates its own options and refuses the others' before loading anything."""
    usage_error(["trace", "--probe", "vfs_read", "-e", "getppid", "--", "true"],
                "--probe with the ebpf backend", ("--backend kmod",))
    usage_error(["trace", "--backend", "kmod", "--attach", "raw", "-e", "getppid", "--", "true"],
                "--attach raw with the kmod backend", ("--attach raw",))
    usage_error(["trace", "--backend", "kmod", "--probe", "+0x10", "-e", "getppid", "--", "true"],
                "--probe +0x10 (no symbol) with the kmod backend", ("--probe",))
    usage_error(["trace", "--backend", "kmod", "--probe", "vfs_read+zz", "-e", "getppid", "--", "true"],
                "--probe vfs_read+zz with the kmod backend", ("offset",))
    usage_error(["trace", "--backend", "kmod", "--", "true"],
                "--backend kmod with every syscall selected", ("at most 64",))
    usage_error(["zap", "--backend", "kmod", "--max-rate", "5", "--on", "getppid", "--", "true"],
                "--max-rate with the kmod backend", ("--max-rate",))


def test_caps():
    """With only CAP_BPF + CAP_PERFMON (no root): trace, count and zap work; the
    default attachment falls back to raw_syscalls with one notice (tracefs is 0700)."""
    setcap = shutil.which("setcap") or "/usr/sbin/setcap"
    if not check(os.path.exists(setcap), "setcap is installed (libcap2-bin: scripts/install-deps.sh)"):
        return
    user = f"sgcap{os.getpid() % 100000}"
    r = run(["useradd", "--no-create-home", "--shell", "/bin/sh", user])
    if not check(r.returncode == 0, f"useradd {user}", r.stderr):
        return
    CLEANUP.append(lambda: run(["userdel", user]))
    d = tempfile.mkdtemp(prefix="sysgate-caps-")
    CLEANUP.append(lambda: shutil.rmtree(d, ignore_errors=True))
    os.chmod(d, 0o755)
    binary = os.path.join(d, "sysgate")
    shutil.copy2(SYSGATE, binary)
    os.chmod(binary, 0o755)
    r = run([setcap, "cap_bpf,cap_perfmon+ep", binary])
    if not check(r.returncode == 0, "setcap cap_bpf,cap_perfmon+ep on a copy of sysgate", r.stderr):
        return
    uid = pwd.getpwnam(user).pw_uid

    def as_user(args):
        return run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                    "--inh-caps=-all", "--"] + args, cwd=d, timeout=60)

    who = as_user(["id", "-u"])
    check(who.stdout.strip() == str(uid), "the test user is not root", who.stdout)
    tracefs_closed = not os.access("/sys/kernel/tracing/events", os.R_OK) or \
        (os.stat("/sys/kernel/tracing").st_mode & 0o007) == 0
    prog = [PY, "-c", "import os; os.getppid(); os.getppid()"]
    p = as_user([binary, "trace", "-e", "getppid", "--"] + prog)
    lines = [l for l in p.stderr.splitlines() if "getppid()" in l]
    ok = p.returncode == 0 and len(lines) == 2
    if tracefs_closed:
        ok = ok and any("raw_syscalls" in l for l in notices(p.stderr))
    check(ok, "trace -e getppid as the user with CAP_BPF+CAP_PERFMON: 2 calls"
          + (", a notice about raw_syscalls" if tracefs_closed else ""), p.stderr)
    p = as_user([binary, "trace", "--attach", "raw", "-e", "getppid", "--"] + prog)
    lines = [l for l in p.stderr.splitlines() if "getppid()" in l]
    check(p.returncode == 0 and len(lines) == 2 and not notices(p.stderr),
          "trace --attach raw as the user: 2 calls, no notice", p.stderr)
    p = as_user([binary, "count", "-e", "getppid", "--"] + prog)
    check(p.returncode == 0 and "getppid" in p.stderr + p.stdout, "count as the user", p.stderr)
    p = as_user([binary, "zap", "--on", "getppid", "--"] + prog)
    check(p.returncode == 128 + 15 and "zap " in p.stderr, "zap --on getppid as the user: SIGTERM",
          f"status {p.returncode}\n{p.stderr}")
    p = as_user([binary, "zap", "--on", "openat", "--arg", "1=/etc/host", "--", "cat", "/etc/hostname"])
    check(p.returncode == 128 + 15, "zap --on openat --arg 1=/etc/host as the user: SIGTERM",
          f"status {p.returncode}\n{p.stderr}")
    # CAP_DAC_READ_SEARCH reads tracefs: per-syscall tracepoints, no notice
    dac = os.path.join(d, "sysgate-dac")
    shutil.copy2(SYSGATE, dac)
    os.chmod(dac, 0o755)
    r = run([setcap, "cap_bpf,cap_perfmon,cap_dac_read_search+ep", dac])
    outdir = os.path.join(d, "out")
    os.mkdir(outdir)
    os.chown(outdir, uid, uid)
    out = os.path.join(outdir, "dac.jsonl")
    p = as_user([dac, "trace", "-e", "getppid,getpmsg", "--format", "json", "-o", out, "--"] + prog)
    text = open(out).read() if os.path.exists(out) else ""
    summary = [json.loads(l) for l in text.splitlines() if '"summary"' in l]
    gp = [l for l in text.splitlines() if '"getppid"' in l]
    check(r.returncode == 0 and p.returncode == 0 and len(gp) == 2 and summary and
          summary[-1].get("attach") == "1 syscall tracepoint" and
          [l for l in notices(p.stderr) if "getpmsg: the running kernel has no such syscall" in l],
          "with CAP_DAC_READ_SEARCH too: per-syscall tracepoints, getppid traced, getpmsg noticed",
          f"{text[-1500:]}\n{p.stderr}")
    plain = os.path.join(d, "sysgate-nocaps")
    shutil.copy2(SYSGATE, plain)
    os.chmod(plain, 0o755)
    p = as_user([plain, "trace", "--backend", "ebpf", "-e", "getppid", "--", "true"])
    check(p.returncode != 0 and len(notices(p.stderr)) == 1 and "CAP_BPF" in p.stderr,
          "without the capabilities, --backend ebpf: one line naming CAP_BPF", p.stderr)
    # without --backend: one notice, and the ptrace backend traces the command
    p = as_user([plain, "trace", "-e", "getppid", "--", "true"])
    check(p.returncode == 0 and len(notices(p.stderr)) == 1 and "ptrace" in p.stderr,
          "without the capabilities: one notice, traced with ptrace", p.stderr)
    p = as_user([plain, "trace", "-a", "-e", "getppid", "--duration", "0.1"])
    check(p.returncode != 0 and len(notices(p.stderr)) == 1 and "CAP_BPF" in p.stderr,
          "without the capabilities, -a: one line naming CAP_BPF (ptrace cannot do -a)", p.stderr)
    check_no_bpf_left("caps")


TESTS = {
    "classes": test_classes,
    "new_syscalls": test_new_syscalls,
    "prefix": test_prefix,
    "backend_options": test_backend_options,
    "caps": test_caps,
}


def main():
    if TEST not in TESTS:
        print(f"unknown test {TEST}; known: {' '.join(TESTS)}")
        return 2
    global BEFORE
    BEFORE = set(sysgate_bpf_progs())
    try:
        TESTS[TEST]()
    except Exception as e:  # a crash is a failure, with its traceback
        import traceback
        traceback.print_exc()
        FAILS.append(f"{TEST} raised {e!r}")
    finally:
        for f in reversed(CLEANUP):
            try:
                f()
            except Exception:  # cleanup is best effort
                pass
        shutil.rmtree(TMP, ignore_errors=True)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed in {TEST}:")
        for f in FAILS:
            print("  - " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
