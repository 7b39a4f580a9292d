#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""End-to-end tests of the sysgate CLI on real processes and the real kernel.

usage: sysgate_it.py TEST SYSGATE PROGDIR [SOURCE_DIR]

TEST names one group of checks (see TESTS at the bottom). Exit status 0 when every
check passed, 1 when one failed, 77 when the test cannot run here (skipped).
No check depends on how fast anything runs: waits poll for a condition with a
generous deadline and only fail the test when the condition never comes.
"""
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
TEST, SYSGATE, PROGS = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
SOURCE = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(__file__), "..", "..")
FAILS = []
# The backend under test: SYSGATE_IT_BACKEND=ebpf|ptrace|kmod (CTest registers the
# backend-independent tests once per backend); unset, sysgate chooses.
BACKEND = os.environ.get("SYSGATE_IT_BACKEND", "")
BK = ["--backend", BACKEND] if BACKEND else []
TMP = tempfile.mkdtemp(prefix="sysgate-it-")
CHILDREN = []  # processes to kill at the end, whatever happens
OURS = set()   # pids of every process this test started

# The programs of bpf/sysgate.bpf.c (BPF keeps the first 15 characters of a name).
SYSGATE_PROGS = {
    "raw_trace_enter", "raw_trace_exit", "raw_count_enter", "raw_count_exit",
    "tp_trace_enter", "tp_trace_exit", "tp_count_enter", "tp_count_exit",
    "raw_zap_enter", "tp_zap_enter", "zap_exit_group", "zap_deliver", "trace_signal",
    "trace_signal_fa",
    "on_fork", "on_exec", "on_exit",
}

# The syscalls tests/progs/golden.c makes between its markers.
GOLDEN_SYSCALLS = ("close,openat,read,write,pread64,pwrite64,readv,writev,lseek,dup3,pipe2,"
                   "mmap,mprotect,munmap,kill,rt_sigprocmask,socket,connect,bind,memfd_create,"
                   "faccessat,access,newfstatat,fstat,unlinkat,getppid")


# ---------------------------------------------------------------- helpers

def prog(name):
    return os.path.join(PROGS, name)


def tmp(name):
    return os.path.join(TMP, name)


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)
        if detail:
            text = str(detail)
            if len(text) > 6000:
                text = text[:6000] + "\n... (cut)"
            print("     " + text.replace("\n", "\n     "), flush=True)
    return cond


def run(args, timeout=60, **kw):
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    with subprocess.Popen(args, text=True, **kw) as p:
        OURS.add(p.pid)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            raise
        return subprocess.CompletedProcess(args, p.returncode, out, err)


def spawn(args, **kw):
    p = subprocess.Popen(args, **kw)
    CHILDREN.append(p)
    OURS.add(p.pid)
    return p


def read_text(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def json_lines(path):
    """Parsed JSON lines of a file; a line that does not parse is a failure."""
    out = []
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except ValueError as e:
            check(False, f"{os.path.basename(path)} line {n} is JSON", f"{e}: {line[:300]}")
    return out


def json_lines_lenient(path):
    """JSON lines of a file still being written: the last line may be partial."""
    out = []
    for line in read_text(path).splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def wait_for(cond, timeout=20.0, step=0.05):
    """Polls cond() until it is true (returns True) or the deadline passes (False)."""
    end = time.monotonic() + timeout
    while True:
        if cond():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(step)


def start_sleeper(*args):
    """A tests/progs/sleeper, returned once it printed "ready" (all threads running)."""
    p = spawn([prog("sleeper")] + list(args), stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if line.strip() != "ready":
        raise RuntimeError(f"sleeper did not start: {line!r}")
    return p


def stop(p, sig=signal.SIGTERM, timeout=20):
    """Signals a process we started and reaps it; returns its exit status."""
    if p.poll() is None:
        try:
            p.send_signal(sig)
        except ProcessLookupError:
            pass
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        return None


def calls(lines):
    return [l for l in lines if "syscall" in l and "event" not in l]


def summary_of(lines):
    return lines[-1] if lines and lines[-1].get("event") == "summary" else None


def sysgate_bpf_progs():
    """{prog id: (name, [holder pids])} of loaded BPF programs with sysgate's names."""
    if BACKEND == "ptrace":
        return {}  # it loads none (and may run unprivileged): check_no_bpf_left checks tracers
    p = run(["bpftool", "-j", "prog", "show"], timeout=30)
    if p.returncode != 0:
        raise RuntimeError("bpftool prog show failed: " + p.stderr)
    out = {}
    for e in json.loads(p.stdout or "[]"):
        if e.get("name") in SYSGATE_PROGS:
            out[e["id"]] = (e["name"], [h.get("pid") for h in e.get("pids", [])])
    return out


def sysgate_bpf_links(prog_ids):
    p = run(["bpftool", "-j", "link", "show"], timeout=30)
    if p.returncode != 0:
        raise RuntimeError("bpftool link show failed: " + p.stderr)
    return [l for l in json.loads(p.stdout or "[]") if l.get("prog_id") in prog_ids]


def prog_holders(prog_ids):
    """{prog id: {pid: comm}} of the processes holding an fd of those programs
    (a program fd or a link fd shows "prog_id:" in /proc/PID/fdinfo)."""
    out = {i: {} for i in prog_ids}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fds = os.listdir(f"/proc/{pid}/fdinfo")
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        for fd in fds:
            try:
                with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                    m = re.search(r"^prog_id:\s*(\d+)", f.read(), re.M)
            except OSError:
                continue
            if m and int(m.group(1)) in out:
                out[int(m.group(1))][int(pid)] = comm
    return out


def check_no_bpf_left(what, before):
    """No sysgate program or link loaded since `before` survives the sysgate runs of
    this test (they have all exited). Programs are freed asynchronously after the
    last fd closes, so poll for a while. Programs held open by a live sysgate this
    test did not start (someone else's run on the same machine) are not ours."""
    left = {}

    def gone():
        nonlocal left
        now = {i: v for i, v in sysgate_bpf_progs().items() if i not in before}
        holders = prog_holders(set(now)) if now else {}
        left = {i: (v[0], holders.get(i)) for i, v in now.items()
                if not holders.get(i) or not all(c == "sysgate" and p not in OURS
                                                 for p, c in holders[i].items())}
        return not left

    if BACKEND == "ptrace":
        # the ptrace backend leaves nothing in the kernel but tracees: none may stay traced
        traced = {}
        for pid in OURS:
            try:
                with open(f"/proc/{pid}/status") as f:
                    m = re.search(r"^TracerPid:\s*(\d+)", f.read(), re.M)
            except OSError:
                continue
            if m and m.group(1) != "0":
                traced[pid] = int(m.group(1))
        check(not traced, f"{what}: no process of this test is still traced", traced)
        return
    ok = wait_for(gone, timeout=10, step=0.1)
    links = sysgate_bpf_links(set(left)) if left else []
    check(ok and not links, f"{what}: no sysgate BPF programs or links left",
          f"programs (id: name, holders): {left}\nlinks: {links}")


def strip_line(line):
    """A text-output line without its pid prefix ("[pid N] ", or "N " with -o and -f)
    and " <duration>" (-T): (pid or None, rest)."""
    m = re.match(r"^(?:\[pid\s+(\d+)\] |(\d+) +)?(.*?)(?: <\d+\.\d{6}>)?$", line)
    pid = m.group(1) or m.group(2)
    return (int(pid) if pid else None), m.group(3)


def golden_section(lines, expected):
    """The lines of the pid that made expected[0], from it through expected[-1]."""
    start = None
    for i, (pid, text) in enumerate(lines):
        if text == expected[0]:
            start = i
            break
    if start is None:
        return None
    pid = lines[start][0]
    out = []
    for p, text in lines[start:]:
        if p != pid:
            continue
        out.append(text)
        if text == expected[-1]:
            break
    return out


def compare_golden(what, got, expected):
    if got is None:
        check(False, what + ": the section's first call is in the trace", "looked for: " + expected[0])
        return
    same = got == expected
    diff = "\n".join(difflib.unified_diff(expected, got, "expected", "traced", lineterm="", n=1))
    check(same, what + ": every call printed as expected, in order", diff)


def syscall_names(cls=None):
    """Names printed by `sysgate list [CLASS]`."""
    p = run([SYSGATE, "list"] + ([cls] if cls else []))
    if p.returncode != 0:
        raise RuntimeError(f"sysgate list {cls or ''} failed: {p.stderr}")
    return [parse_list_line(l)[1] for l in p.stdout.splitlines() if l.strip()]


LIST_RE = re.compile(r"^\s*(\d+)\s+(\S+)\s+((?:%\S+)?)\s*\((.*)\)\s*$")


def parse_list_line(line):
    m = LIST_RE.match(line)
    if not m:
        raise RuntimeError(f"unexpected `sysgate list` line: {line!r}")
    args = [a.split(":")[0] for a in m.group(4).split(", ")] if m.group(4) else []
    return int(m.group(1)), m.group(2), m.group(3), args


def which_like_sysgate(name):
    """The file execve gets for a command name: the first PATH entry holding a
    regular executable file (what sysgate resolves, as the shell does)."""
    for d in (os.environ.get("PATH") or "/usr/local/bin:/usr/bin:/bin").split(":"):
        cand = os.path.join(d or ".", name)
        if os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


# ---------------------------------------------------------------- tests

def test_golden():
    exp, out = tmp("golden.expected"), tmp("golden.trace")
    p = run([SYSGATE, "trace", *BK, "-o", out, "-e", GOLDEN_SYSCALLS, "--", prog("golden"), exp])
    check(p.returncode == 0, "sysgate trace -- golden exits 0", p.stderr)
    expected = read_text(exp).splitlines()
    if not check(len(expected) > 40, "golden wrote its expectations"):
        return
    lines = [strip_line(l) for l in read_text(out).splitlines()]
    compare_golden("golden", golden_section(lines, expected), expected)


def test_golden_strace():
    """The expectations of golden.c are strace's own output (strace 6.1): this checks
    the test program, so that the golden test holds sysgate to strace's conventions."""
    if not shutil.which("strace"):
        return SKIP
    exp, out = tmp("golden.expected"), tmp("golden.strace")
    p = run(["strace", "-qq", "-o", out, "-e", "trace=" + GOLDEN_SYSCALLS, "--",
             prog("golden"), "--strace-compat", exp])
    check(p.returncode == 0, "strace -- golden exits 0", p.stderr)
    expected = read_text(exp).splitlines()
    lines = []
    for l in read_text(out).splitlines():
        m = re.match(r"^(.*\))\s+= (.*)$", l)  # strace pads the result to a column
        lines.append((0, f"{m.group(1)} = {m.group(2)}" if m else l))
    compare_golden("golden under strace", golden_section(lines, expected), expected)


def test_ls():
    out = tmp("ls.trace")
    p = run([SYSGATE, "trace", *BK, "-T", "-o", out, "--", "ls", "/"])
    check(p.returncode == 0, "sysgate trace -- ls / exits 0", p.stderr)
    plain = run(["ls", "/"])
    check(p.stdout == plain.stdout, "ls prints the same listing when traced", p.stdout[:500])
    text = read_text(out)
    lines = [strip_line(l) for l in text.splitlines()]
    path = which_like_sysgate("ls")
    execs = [t for _, t in lines if t.startswith(f'execve("{path}", ["ls", "/"], ')]
    check(len(execs) == 1 and execs[0].endswith(" = 0"),
          f'execve("{path}", ["ls", "/"], ...) = 0 is traced', text[:2000])
    if execs:
        check(re.search(r", 0x[0-9a-f]+ /\* \d+ vars \*/\) = 0$", execs[0]) is not None,
              "execve's environment is shown as an address and a count", execs[0])
    ls_pid = next((pid for pid, t in lines if t.startswith("execve(")), None)
    opens = [t for _, t in lines if t.startswith('openat(AT_FDCWD, "/", ')]
    check(any("O_DIRECTORY" in t and re.search(r"\) = \d+$", t) for t in opens),
          'openat(AT_FDCWD, "/", ...O_DIRECTORY...) = FD', "\n".join(opens) or text[:2000])
    check(any(re.match(r"getdents64\(\d+, 0x[0-9a-f]+ /\* \d+\+? entr(y|ies) \*/, \d+\) = \d+$", t)
              for _, t in lines), "getdents64(FD, 0x... /* N entries */, SIZE) = N")
    writes = [t for _, t in lines if t.startswith('write(1, "')]
    check(bool(writes), 'write(1, "...", N) = N is traced', text[-2000:])
    first = plain.stdout.split("\n")[0]
    check(any(t.startswith(f'write(1, "{first}\\n') for t in writes),
          "the write shows the start of the listing", "\n".join(writes))
    check(f"exit_group(0) = ?" in [t for _, t in lines], "exit_group(0) = ?")
    check((ls_pid, "+++ exited with 0 +++") in lines, "+++ exited with 0 +++ for ls", text[-500:])
    check(all(pid == ls_pid for pid, _ in lines if pid is not None), "only ls's pid appears")
    raw = text.splitlines()
    check(all(re.match(r"^[a-z_0-9]+\(|^\+\+\+ ", l) for l in raw),
          "one process without -f: no pid prefix, as strace prints it", raw[:3])
    timed = [l for l in raw if re.search(r" <\d+\.\d{6}>$", l)]
    untimed = [l for l in raw if l not in timed]
    check(len(timed) > 20 and all(l.endswith(("= ?", "+++", "---")) for l in untimed),
          "a <seconds> duration ends every call that returned, none on exit_group, +++ or ---",
          untimed[:5])


def test_json():
    out = tmp("json.jsonl")
    n_getppid, n_missing, n_write, n_ebadf = 3, 2, 4, 1
    p = run([SYSGATE, "trace", *BK, "--format", "json", "-o", out, "--", prog("count_prog"),
             str(n_getppid), str(n_missing), str(n_write), str(n_ebadf)])
    check(p.returncode == 0, "sysgate trace --format json -- count_prog exits 0", p.stderr)
    lines = json_lines(out)
    if not check(len(lines) > 10, "JSON lines were written"):
        return
    cs = calls(lines)
    fields = ("ts_ns", "pid", "tid", "comm", "syscall", "nr", "args", "ret")
    bad = [l for l in cs if any(f not in l for f in fields) or not isinstance(l["args"], list)]
    check(not bad, "every call has ts_ns pid tid comm syscall nr args ret", bad[:3])
    bad = []
    for l in cs:
        ret = l.get("ret")
        failed = isinstance(ret, int) and -4095 <= ret < 0
        if ("errno" in l) != failed:
            bad.append(l)
        if ret is not None and "dur_ns" not in l:
            bad.append(l)
    check(not bad, "errno exactly on failed calls, dur_ns on returned ones", bad[:3])
    names = {}
    for l in cs:
        names.setdefault(l["syscall"], []).append(l)
    check(len(names.get("getppid", [])) == n_getppid, f"{n_getppid} getppid calls",
          len(names.get("getppid", [])))
    missing = [l for l in names.get("openat", []) if l["args"][1:2] == ["/nonexistent/sysgate-count-prog"]]
    check(len(missing) == n_missing and all(l.get("errno") == "ENOENT" and l["ret"] == -2 for l in missing),
          f'{n_missing} openat of the missing file, ret -2, errno "ENOENT"', missing)
    check(missing and missing[0]["args"][0] == "AT_FDCWD" and missing[0]["args"][2] == "O_RDONLY",
          'openat args are ["AT_FDCWD", PATH, "O_RDONLY"]', missing[:1])
    writes = [l for l in names.get("write", []) if l["args"][1:] == ["x", 1]]
    check(len(writes) == n_write and all(l["ret"] == 1 and "errno" not in l for l in writes),
          f'{n_write} write(FD, "x", 1) = 1', names.get("write", [])[:3])
    ebadf = [l for l in names.get("close", []) if l.get("errno") == "EBADF"]
    check(len(ebadf) == n_ebadf and all(l["args"] == [-1] for l in ebadf), "close(-1) fails with EBADF", ebadf)
    eg = names.get("exit_group", [])
    check(len(eg) == 1 and eg[0]["ret"] is None and eg[0]["args"] == [0] and "dur_ns" not in eg[0],
          'exit_group: args [0], "ret":null, no dur_ns', eg)
    pid = eg[0]["pid"] if eg else None
    after_exec = cs[1:] if cs and cs[0]["syscall"] == "execve" else cs
    check(cs and cs[0]["syscall"] == "execve", "the first call is execve", cs[:1])
    check(all(l["comm"] == "count_prog" and l["pid"] == pid for l in after_exec),
          'every call after execve: comm "count_prog", the launched pid')
    check(all(l["tid"] == l["pid"] for l in cs), "tid == pid (one thread)")
    ts = [l["ts_ns"] for l in cs]
    check(ts == sorted(ts), "calls are in time order")
    exits = [l for l in lines if l.get("event") == "exit"]
    check(len(exits) == 1 and exits[0].get("pid") == pid and exits[0].get("exit_code") == 0,
          '{"event":"exit","pid":PID,...,"exit_code":0}', exits)
    s = summary_of(lines)
    if check(s is not None, "the last line is the summary", lines[-1]):
        check(s.get("drops") == 0, "summary drops == 0", s)
        check(s.get("malformed") == 0, "summary malformed == 0 (every record well formed)", s)
        check(s.get("events") == len(cs), "summary events == the number of call lines", (s, len(cs)))
    nrs = {}
    for line in run([SYSGATE, "list"]).stdout.splitlines():
        nr, name, _, _ = parse_list_line(line)
        nrs[name] = nr
    bad = [l for l in cs if nrs.get(l["syscall"]) != l["nr"]]
    check(not bad, "nr is the syscall's number", bad[:3])


def test_exit_status():
    p = run([SYSGATE, "trace", *BK, "-o", tmp("x7"), "--", "sh", "-c", "exit 7"])
    check(p.returncode == 7, "sysgate trace -- sh -c 'exit 7' exits 7", (p.returncode, p.stderr))
    check("+++ exited with 7 +++" in read_text(tmp("x7")), "+++ exited with 7 +++")
    p = run([SYSGATE, "trace", *BK, "-o", tmp("x0"), "--", "true"])
    check(p.returncode == 0, "sysgate trace -- true exits 0", (p.returncode, p.stderr))
    p = run([SYSGATE, "trace", *BK, "-o", tmp("xk"), "--", "sh", "-c", "kill -TERM $$"])
    check(p.returncode == 128 + signal.SIGTERM, "a command killed by SIGTERM: sysgate exits 143",
          (p.returncode, p.stderr))
    check("+++ killed by SIGTERM +++" in read_text(tmp("xk")), "+++ killed by SIGTERM +++",
          read_text(tmp("xk"))[-500:])
    # output goes to stderr with a launched command (no -o)
    p = run([SYSGATE, "trace", *BK, "-e", "exit_group", "--", "sh", "-c", "exit 3"])
    check(p.returncode == 3 and "exit_group(3) = ?" in p.stderr and "exit_group" not in p.stdout,
          "without -o the trace of a command goes to stderr", (p.stdout, p.stderr))
    p = run([SYSGATE, "trace", *BK, "--", "/nonexistent/sysgate-cmd"])
    check(p.returncode == 127 and p.stderr.startswith("sysgate: "),
          "a command that does not exist: exit 127 and one sysgate: line", (p.returncode, p.stderr))


def trace_bg(args, out, **kw):
    """sysgate trace ARGS --format json -o OUT, in the background."""
    kw.setdefault("stdout", subprocess.DEVNULL)
    kw.setdefault("stderr", open(out + ".stderr", "w"))
    return spawn([SYSGATE, "trace", *BK, "--format", "json", "-o", out] + args, **kw)


def wait_lines(out, cond, timeout=20):
    return wait_for(lambda: cond(calls(json_lines_lenient(out))), timeout=timeout)


def test_target_pid():
    target = start_sleeper("-t", "3", "-i", "10")
    decoy = start_sleeper("-t", "2", "-i", "10")
    tids = set(int(t) for t in os.listdir(f"/proc/{target.pid}/task"))
    out = tmp("pid.jsonl")
    before = sysgate_bpf_progs()
    sg = trace_bg(["-p", str(target.pid), "-e", "getppid"], out)
    seen = wait_lines(out, lambda cs: len({l["tid"] for l in cs}) >= 3)
    rc = stop(sg, signal.SIGINT)
    check(rc == 0, "sysgate -p stops on SIGINT with status 0", (rc, read_text(out + ".stderr")))
    lines = json_lines(out)
    cs = calls(lines)
    check(seen, "calls of all 3 threads of the target appear", {l["tid"] for l in cs})
    check(all(l["pid"] == target.pid for l in cs), "only the target's calls appear",
          [l for l in cs if l["pid"] != target.pid][:3])
    check({l["tid"] for l in cs} <= tids, "tids are the target's threads", ({l["tid"] for l in cs}, tids))
    check(all(l["syscall"] == "getppid" for l in cs), "-e getppid: only getppid")
    check(target.poll() is None, "the target still runs after sysgate stopped")
    check(summary_of(lines) is not None, "the summary ends the output")
    check_no_bpf_left("-p", before)
    # a thread id given to -p means its whole process
    other_tid = max(tids - {target.pid}) if len(tids) > 1 else target.pid
    out2 = tmp("tid.jsonl")
    sg = trace_bg(["-p", str(other_tid), "-e", "getppid"], out2)
    seen = wait_lines(out2, lambda cs: len({l["tid"] for l in cs}) >= 3)
    stop(sg, signal.SIGINT)
    check(seen and all(l["pid"] == target.pid for l in calls(json_lines(out2))),
          "-p THREAD_ID traces the thread's whole process")
    stop(target)
    stop(decoy)


def test_target_comm():
    tag = f"{os.getpid() % 100000:05d}"
    name, decoy_name = f"sgtgt{tag}", f"sgdcy{tag}"
    target = start_sleeper("-n", name, "-t", "2", "-i", "10")
    decoy = start_sleeper("-n", decoy_name, "-i", "10")
    out = tmp("comm.jsonl")
    sg = trace_bg(["-n", name, "-e", "getppid"], out)
    seen = wait_lines(out, lambda cs: len({l["tid"] for l in cs}) >= 2)
    rc = stop(sg, signal.SIGINT)
    check(rc == 0, "sysgate -n stops on SIGINT with status 0", (rc, read_text(out + ".stderr")))
    cs = calls(json_lines(out))
    check(seen, f"-n {name}: calls of both threads appear", cs[:3])
    check(all(l["pid"] == target.pid and l["comm"] == name for l in cs),
          f"-n {name}: only that process (comm {name})", [l for l in cs if l["pid"] != target.pid][:3])
    stop(target)
    stop(decoy)


def fork_case(follow):
    """A -p target forks a child on SIGUSR1. Returns (target pid, lines)."""
    target = start_sleeper("-i", "20")
    out = tmp(f"fork{int(follow)}.jsonl")
    sg = trace_bg((["-f"] if follow else []) + ["-p", str(target.pid), "-e", "getppid,openat"], out)
    # attached once the target's calls show up
    attached = wait_lines(out, lambda cs: any(l["pid"] == target.pid for l in cs))
    t0 = time.time_ns()
    os.kill(target.pid, signal.SIGUSR1)
    # The target forks at its next loop turn and waits for the child before its next
    # getppid: three of its getppid after the signal mean the child is gone.
    done = wait_lines(out, lambda cs: sum(1 for l in cs if l["pid"] == target.pid and l["ts_ns"] > t0) >= 3)
    if follow:
        wait_lines(out, lambda cs: any(l["pid"] != target.pid for l in cs), timeout=5)
    rc = stop(sg, signal.SIGINT)
    stop(target)
    lines = json_lines(out)
    check(attached and done, f"{'-f ' if follow else ''}-p: target traced, child made and reaped")
    check(rc == 0, "sysgate stops on SIGINT with status 0", (rc, read_text(out + ".stderr")))
    return target.pid, lines


def test_follow():
    pid, lines = fork_case(True)
    cs = calls(lines)
    child = [l for l in cs if l["pid"] != pid]
    opens = [l for l in child if l["syscall"] == "openat"]
    check(len(opens) == 1 and opens[0]["args"][1] == "/nonexistent/sleeper-child-1"
          and opens[0].get("errno") == "ENOENT",
          "-f: the child's openat of /nonexistent/sleeper-child-1 appears", child)
    cpid = opens[0]["pid"] if opens else None
    check(sum(1 for l in child if l["syscall"] == "getppid" and l["pid"] == cpid) == 3,
          "-f: the child's 3 getppid calls appear", child)
    check(all(l["pid"] == cpid for l in child), "-f: no process but the target and its child", child)
    exits = [l for l in lines if l.get("event") == "exit" and l.get("pid") == cpid]
    check(len(exits) == 1 and exits[0].get("exit_code") == 0, "-f: the child's exit with 0 appears", exits)
    # without -f the child is not traced
    pid, lines = fork_case(False)
    others = [l for l in lines if l.get("pid") not in (None, pid)]
    check(not others, "without -f: the child of a -p target is not traced", others[:3])


def cgroup2_root():
    with open("/proc/mounts") as f:
        for line in f:
            parts = line.split()
            if len(parts) > 2 and parts[2] == "cgroup2":
                return parts[1]
    return None


def test_cgroup():
    root = cgroup2_root()
    if not root or not os.access(root, os.W_OK):
        print("skip: no writable cgroup v2 mount")
        return SKIP
    cg = os.path.join(root, f"sysgate-it-{os.getpid()}")
    os.mkdir(cg)
    target = decoy = None
    try:
        target = start_sleeper("-t", "2", "-i", "10")
        decoy = start_sleeper("-i", "10")
        try:
            with open(os.path.join(cg, "cgroup.procs"), "w") as f:
                f.write(str(target.pid))
        except OSError as e:
            print(f"skip: cannot move a process into {cg}: {e}")
            return SKIP
        out = tmp("cgroup.jsonl")
        before = sysgate_bpf_progs()
        sg = trace_bg(["--cgroup", cg, "-e", "getppid"], out)
        seen = wait_lines(out, lambda cs: len({l["tid"] for l in cs}) >= 2)
        rc = stop(sg, signal.SIGINT)
        check(rc == 0, "sysgate --cgroup stops on SIGINT with status 0", (rc, read_text(out + ".stderr")))
        cs = calls(json_lines(out))
        check(seen, "--cgroup: both threads of the process in the cgroup appear", cs[:3])
        check(all(l["pid"] == target.pid for l in cs), "--cgroup: only processes of the cgroup",
              [l for l in cs if l["pid"] != target.pid][:3])
        check_no_bpf_left("--cgroup", before)
    finally:
        for p in (target, decoy):
            if p:
                stop(p)
        wait_for(lambda: not read_text(os.path.join(cg, "cgroup.procs")).strip(), timeout=10)
        try:
            os.rmdir(cg)
        except OSError as e:
            print(f"note: could not remove {cg}: {e}")


def all_writes_case(to_pipe):
    """sysgate trace -a -e write, output to a file or through `cat > file`: while
    count_prog writes, no write of sysgate itself (nor of cat) is traced."""
    out = tmp(f"all{int(to_pipe)}.jsonl")
    err = open(out + ".stderr", "w")
    if to_pipe:
        # The reader runs before sysgate starts (sysgate looks for the processes
        # reading its output when it starts).
        r, w = os.pipe()
        cat = spawn(["sh", "-c", f"exec cat > {out}"], stdin=r)
        os.close(r)
        wait_for(lambda: read_text(f"/proc/{cat.pid}/comm").strip() == "cat", timeout=10)
        sg = spawn([SYSGATE, "trace", *BK, "-a", "-e", "write", "--format", "json"], stdout=w, stderr=err)
        os.close(w)
        readers = {cat.pid}
    else:
        sg = spawn([SYSGATE, "trace", *BK, "-a", "-e", "write", "--format", "json", "-o", out], stderr=err)
        cat, readers = None, set()
    writers = set()

    def writer_seen():
        w = spawn([prog("count_prog"), "0", "0", "20"])
        w.wait()
        writers.add(w.pid)
        return any(l["pid"] in writers and l["comm"] == "count_prog"
                   for l in calls(json_lines_lenient(out)))

    seen = wait_for(writer_seen, timeout=30, step=0.2)
    rc = stop(sg, signal.SIGINT)
    if cat:
        cat.wait(timeout=30)
    how = "through a pipe to cat" if to_pipe else "to a file"
    check(rc == 0, f"-a {how}: sysgate stops on SIGINT with status 0", (rc, read_text(out + ".stderr")))
    lines = json_lines(out)
    cs = calls(lines)
    check(seen, f"-a -e write {how}: the writes of count_prog are traced", len(cs))
    own = [l for l in cs if l["pid"] == sg.pid]
    check(not own, f"-a -e write {how}: none of sysgate's own writes", own[:3])
    fed = [l for l in cs if l["pid"] in readers]
    check(not fed, f"-a -e write {how}: none of the output reader's writes", fed[:3])
    check(all(l["syscall"] == "write" for l in cs), f"-a -e write {how}: only write")
    s = summary_of(lines)
    check(s is not None, f"-a {how}: the summary ends the output", lines[-1:] if lines else "")


def test_all_self():
    before = sysgate_bpf_progs()
    all_writes_case(False)
    all_writes_case(True)
    check_no_bpf_left("-a", before)


def test_filters():
    file_class = set(syscall_names("%file"))
    check({"openat", "execve", "newfstatat"} <= file_class and "write" not in file_class
          and "getdents64" not in file_class, "sysgate list %file: openat execve newfstatat, not write",
          sorted(file_class))
    out = tmp("file.jsonl")
    p = run([SYSGATE, "trace", *BK, "-e", "%file", "--format", "json", "-o", out, "--", "ls", "/"])
    check(p.returncode == 0, "-e %file -- ls / exits 0", p.stderr)
    cs = calls(json_lines(out))
    names = {l["syscall"] for l in cs}
    check(names and names <= file_class, "-e %file: only %file syscalls", sorted(names - file_class))
    check({"execve", "openat"} <= names, "-e %file: execve and openat are traced", sorted(names))

    out = tmp("notwrite.jsonl")
    p = run([SYSGATE, "trace", *BK, "-e", "!write", "--format", "json", "-o", out, "--",
             prog("count_prog"), "2", "2", "5"])
    check(p.returncode == 0, "-e '!write' exits 0", p.stderr)
    cs = calls(json_lines(out))
    names = [l["syscall"] for l in cs]
    check("write" not in names, "-e '!write': no write", [l for l in cs if l["syscall"] == "write"][:2])
    check(names.count("getppid") == 2 and "execve" in names and "exit_group" in names,
          "-e '!write': every other syscall still traced", sorted(set(names)))

    out = tmp("list.jsonl")
    p = run([SYSGATE, "trace", *BK, "-e", "getppid,close", "--format", "json", "-o", out, "--",
             prog("count_prog"), "3", "0", "0", "2"])
    cs = calls(json_lines(out))
    check(p.returncode == 0 and {l["syscall"] for l in cs} == {"getppid", "close"}
          and sum(1 for l in cs if l["syscall"] == "getppid") == 3,
          "-e getppid,close: exactly those", [l["syscall"] for l in cs])


def test_attach():
    """The three eBPF attachments give the same calls; the summary says which was used."""
    seen = {}
    for mode, desc in (("raw", "raw_syscalls"), ("syscall", "2 syscall tracepoints"), ("auto", "2 syscall tracepoints")):
        out = tmp(f"attach-{mode}.jsonl")
        p = run([SYSGATE, "trace", *BK, "--attach", mode, "-e", "getppid,close", "--format", "json", "-o", out,
                 "--", prog("count_prog"), "3", "0", "0", "2"])
        lines = json_lines(out)
        summary = [l for l in lines if l.get("event") == "summary"]
        # getppid's result is this run's parent: compare the call sequence and close's results
        seen[mode] = [(l["syscall"], l.get("ret") if l["syscall"] == "close" else None) for l in calls(lines)]
        check(p.returncode == 0 and summary and summary[-1].get("attach") == desc,
              f"--attach {mode}: summary says {desc}", summary)
    check(seen["raw"] == seen["syscall"] == seen["auto"] and
          sum(1 for n, _ in seen["raw"] if n == "getppid") == 3 and ("close", -9) in seen["raw"],
          "--attach raw/syscall/auto: the same calls", seen)
    usage_error(["trace", "--attach", "fentry", "--", "true"], "--attach fentry (unknown)")


def test_blocked():
    """A call blocked for a while is shown at once as <unfinished ...>, then resumed."""
    out = tmp("blocked.txt")
    p = run([SYSGATE, "trace", *BK, "-T", "-e", "clock_nanosleep,nanosleep", "-o", out, "--",
             "sleep", "1"])
    with open(out) as f:
        text = f.read()
    lines = [l for l in text.splitlines() if "sleep(" in l]
    check(p.returncode == 0 and len(lines) == 2 and lines[0].endswith("<unfinished ...>")
          and "<... resumed> " in lines[1] and lines[1].split("<... resumed> ")[1].startswith(
              strip_line(lines[0])[1].split("(")[0] + "(") and " = 0 <1." in lines[1],
          "sleep 1: the sleep call printed unfinished, then resumed with its result", text)


def usage_error(args, what, expect_in=()):
    before = sysgate_bpf_progs()
    p = run([SYSGATE] + args, timeout=30)
    lines = p.stderr.splitlines()
    ok = p.returncode == 2 and len(lines) == 1 and lines[0].startswith("sysgate: ")
    ok = ok and all(s in p.stderr for s in expect_in)
    check(ok, f"{what}: exit 2 and one 'sysgate: ' line" + (f" naming {list(expect_in)}" if expect_in else ""),
          f"status {p.returncode}\nstderr: {p.stderr}\nstdout: {p.stdout[:300]}")
    check_no_bpf_left(what, before)
    return p


def test_usage_errors():
    usage_error(["trace", "-e", "opnat", "--", "true"], "-e opnat (unknown)", ("did you mean", "openat"))
    usage_error(["trace", "-e", "%bogus", "--", "true"], "-e %bogus (unknown class)")
    usage_error(["trace", "-n", "abcdefghijklmnop", "-e", "getppid"], "-n with 16 characters",
                ("abcdefghijklmno",))
    pid = 999999
    while os.path.exists(f"/proc/{pid}"):
        pid += 1
    usage_error(["trace", "-p", str(pid)], f"-p {pid} (no such process)")
    usage_error(["trace", "--format", "xml", "--", "true"], "--format xml")
    usage_error(["count", "--format", "xml", "--", "true"], "count --format xml")
    usage_error(["trace", "-e", "getppid"], "no target")
    usage_error(["trace", "-o", "/nonexistent/dir/out", "--", "true"], "-o in a missing directory")
    if BACKEND != "ptrace":  # --cgroup needs a kernel side (and may run unprivileged here)
        usage_error(["trace", "--cgroup", "/nonexistent/cgroup"], "--cgroup of a missing directory")
        usage_error(["trace", "--cgroup", TMP], "--cgroup of a directory that is no cgroup")
    else:
        usage_error(["trace", *BK, "--cgroup", TMP], "--cgroup with ptrace", ("ebpf or kmod",))
        usage_error(["trace", *BK, "-a"], "-a with ptrace", ("ebpf or kmod",))
        usage_error(["trace", *BK, "-n", "sleep"], "-n with ptrace", ("ebpf or kmod",))
    usage_error(["trace", "--bogus-option"], "an unknown option")
    usage_error(["list", "%bogus"], "list %bogus")


def test_loss():
    threads, per = 4, 200000
    total = threads * per
    out = tmp("loss.jsonl")
    p = run([SYSGATE, "trace", *BK, "-e", "getppid", "--format", "json", "-o", out, "--",
             prog("threads"), str(threads), str(per)], timeout=240)
    check(p.returncode == 0, "trace -- threads 4 200000 exits 0", p.stderr)
    # A call is printed with its arguments when its entry record arrived; when only
    # its result arrived (the entry was dropped), it is printed without them,
    # "entry_lost":true, and counted in drops like a call lost entirely.
    got, exit_only, summary, pid, bad = 0, 0, None, None, 0
    with open(out, errors="replace") as f:
        for line in f:
            if '"syscall":"getppid"' in line:
                if '"entry_lost":true' in line:
                    exit_only += 1
                else:
                    got += 1
                if pid is None:
                    pid = json.loads(line)["pid"]
                elif f'"pid":{pid},' not in line:
                    bad += 1
            elif line.startswith('{"event":"summary"'):
                summary = json.loads(line)
            elif line.strip() and not line.startswith('{"event":'):
                bad += 1
    check(bad == 0, "only the getppid calls of the threads program", bad)
    if not check(summary is not None, "the summary is written"):
        return
    drops = summary.get("drops", -1)
    print(f"     {got} getppid lines with arguments, {exit_only} with the result only, summary {summary}")
    check(got + drops == total, f"getppid lines with arguments + drops == {total}",
          f"{got} + {drops} = {got + drops}")
    check(exit_only <= drops, "calls printed from their result only are among the drops", (exit_only, drops))
    check(summary.get("seen") == total, f"summary seen == {total}", summary)
    check(summary.get("events") == got, "summary events == the lines with arguments", (summary, got))


def detach_case(sig):
    target = start_sleeper("-t", "2", "-i", "10")
    out = tmp(f"detach{int(sig)}.txt")
    before = sysgate_bpf_progs()
    sg = spawn([SYSGATE, "trace", *BK, "-p", str(target.pid), "-o", out],
               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    attached = wait_for(lambda: f"getppid() = {os.getpid()}" in read_text(out), timeout=20)
    check(attached, f"{sig.name}: sysgate -p traces the target before the signal", read_text(out)[-500:])
    sg.send_signal(sig)
    try:
        rc = sg.wait(timeout=20)
    except subprocess.TimeoutExpired:
        rc = None
        sg.kill()
        sg.wait()
    err = sg.stderr.read()
    check(rc == 0, f"{sig.name}: sysgate exits 0 (within 20 s)", (rc, err))
    check(target.poll() is None, f"{sig.name}: the target keeps running")
    check_no_bpf_left(f"after {sig.name}", before)
    stop(target)


def test_detach():
    detach_case(signal.SIGTERM)
    detach_case(signal.SIGINT)


# --- oracle: sysgate count against strace -c

def strace_counts(path):
    """{syscall: (calls, errors)} from `strace -c -U name,calls,errors`."""
    rows, started = {}, False
    for line in read_text(path).splitlines():
        if line.startswith("----"):
            started = True
            continue
        if not started or not line.strip():
            continue
        parts = line.split()
        if parts[0] == "total":
            break
        name, calls_ = parts[0], int(parts[1])
        errors = int(parts[2]) if len(parts) > 2 else 0
        rows[name] = (calls_, errors)
    return rows


def sysgate_counts(path):
    lines = json_lines(path)
    rows = {l["syscall"]: (l["calls"], l["errors"]) for l in lines if "calls" in l and "event" not in l}
    return rows, summary_of(lines)


def test_oracle():
    if not shutil.which("strace"):
        return SKIP
    for params in (["0", "0", "0"], ["5", "3", "7", "2"], ["100", "10", "50", "5"]):
        cmd = [prog("count_prog")] + params
        so, go = tmp("strace-c.txt"), tmp("count.jsonl")
        sp = run(["strace", "-f", "-c", "-U", "name,calls,errors", "-o", so, "--"] + cmd)
        gp = run([SYSGATE, "count", *BK, "--format", "json", "-o", go, "--"] + cmd)
        label = "count_prog " + " ".join(params)
        check(sp.returncode == 0 and gp.returncode == 0, f"{label}: strace -c and sysgate count exit 0",
              (sp.returncode, sp.stderr, gp.returncode, gp.stderr))
        want = strace_counts(so)
        got, summary = sysgate_counts(go)
        check(bool(want) and want.get("getppid", (0, 0))[0] == int(params[0]),
              f"{label}: strace's table parsed", read_text(so))
        # Both tools see the program from its execve on (strace -c counts that execve,
        # 1 call, as sysgate does). One systematic difference: strace -c accounts a
        # call when it returns, so exit_group, which never returns, is missing from
        # its table; sysgate counts it at entry. count_prog is one process that ends
        # with exit_group, so sysgate must show exactly 1 call and 0 errors for it,
        # and strace none; every other syscall is compared as is.
        check(got.get("exit_group") == (1, 0), f"{label}: sysgate counts the one exit_group",
              got.get("exit_group"))
        check("exit_group" not in want, f"{label}: strace -c leaves out exit_group (never returns)",
              want.get("exit_group"))
        want["exit_group"] = got.get("exit_group")
        diff = []
        for name in sorted(set(want) | set(got)):
            if want.get(name, (0, 0)) != got.get(name, (0, 0)):
                diff.append(f"{name}: strace calls,errors={want.get(name)} sysgate={got.get(name)}")
        check(not diff, f"{label}: every syscall has the same calls and errors as strace -c", "\n".join(diff))
        check(summary is not None and summary.get("drops") == 0, f"{label}: count summary, drops == 0", summary)
        total = sum(c for c, _ in got.values())
        check(summary is not None and summary.get("events") == total,
              f"{label}: summary events == the sum of calls", (summary, total))


def test_list():
    p = run([SYSGATE, "list"])
    check(p.returncode == 0, "sysgate list exits 0", p.stderr)
    rows = [parse_list_line(l) for l in p.stdout.splitlines() if l.strip()]
    names = {r[1]: r[0] for r in rows}
    # every syscall of the build's uapi header
    header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"
    want = {}
    for line in read_text(header).splitlines():
        m = re.match(r"#define __NR_(\w+)\s+(\d+)", line)
        if m:
            want[m.group(1)] = int(m.group(2))
    check(len(want) > 300, f"{header} read", len(want))
    missing = {n: nr for n, nr in want.items() if names.get(n) != nr}
    check(not missing, "sysgate list prints every syscall of the uapi header with its number",
          sorted(missing.items())[:20])
    check(len(rows) == len(names), "no syscall listed twice")
    nrs = [r[0] for r in rows]
    check(nrs == sorted(nrs), "listed in number order")
    for n in ("openat", "getppid", "exit_group", "socket"):
        check(n in names, f"{n} listed")
    net = run([SYSGATE, "list", "%network"])
    check(net.returncode == 0, "sysgate list %network exits 0", net.stderr)
    netrows = [parse_list_line(l) for l in net.stdout.splitlines() if l.strip()]
    netnames = {r[1] for r in netrows}
    check({"socket", "connect", "bind", "accept4", "sendto", "recvmsg"} <= netnames,
          "%network: socket connect bind accept4 sendto recvmsg", sorted(netnames))
    check(not ({"openat", "read", "write", "getppid", "mmap"} & netnames),
          "%network: not openat read write getppid mmap", sorted(netnames))
    bad = [r for r in netrows if "%network" not in r[2].split(",")]
    check(not bad, "every %network row carries %network", bad[:3])
    full_net = {r[1] for r in rows if "%network" in r[2].split(",")}
    check(full_net == netnames, "%network lists exactly the rows of the full list marked %network",
          sorted(full_net ^ netnames))
    alias = run([SYSGATE, "list", "%net"])
    check(alias.returncode == 0 and alias.stdout == net.stdout, "%net is %network")


TRACEFS_RENAMES = {"newstat": "stat", "newfstat": "fstat", "newlstat": "lstat",
                   "sendfile64": "sendfile", "umount": "umount2", "newuname": "uname"}


def test_tracefs():
    base = "/sys/kernel/tracing"
    if not os.path.isdir(os.path.join(base, "events")):
        subprocess.run(["mount", "-t", "tracefs", "nodev", base], stderr=subprocess.DEVNULL)
    events = os.path.join(base, "events", "syscalls")
    if not os.path.isdir(events):
        print("skip: no syscall tracepoints in tracefs")
        return SKIP
    p = run([SYSGATE, "list"])
    listed = {}
    for line in p.stdout.splitlines():
        nr, name, _, args = parse_list_line(line)
        listed[name] = args
    header = read_text("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
    in_header = set(re.findall(r"#define __NR_(\w+)\s+\d+", header))
    checked, not_in_build, mismatch, missing = 0, [], [], []
    for d in sorted(os.listdir(events)):
        if not d.startswith("sys_enter_"):
            continue
        kname = d[len("sys_enter_"):]
        name = TRACEFS_RENAMES.get(kname, kname)
        fmt = read_text(os.path.join(events, d, "format"))
        args, after_nr = [], False
        for m in re.finditer(r"field:([^;]*);", fmt):
            decl = m.group(1).strip()
            if decl.endswith("__syscall_nr"):
                after_nr = True
                continue
            if after_nr:
                args.append(re.split(r"[\s*]+", decl)[-1])
        if name not in listed:
            (missing if name in in_header else not_in_build).append(name)
            continue
        checked += 1
        if listed[name] != args:
            mismatch.append(f"{name}: kernel ({', '.join(args)}) sysgate ({', '.join(listed[name])})")
    print(f"     {checked} tracefs syscalls compared")
    if not_in_build:
        print("note: the running kernel has syscalls the build's uapi header lacks (not a failure): "
              + " ".join(not_in_build))
    check(checked > 300, "most tracefs syscalls found in `sysgate list`", checked)
    check(not missing, "every tracefs syscall of the uapi header is listed", missing)
    check(not mismatch, "argument counts and names match the kernel's", "\n".join(mismatch))



def test_hostile():
    """Bad values give one line and exit 2, nothing loaded, no file emptied or created."""
    usage_error(["zap", "--on", "write", "--arg", "99999999999=1", "--", "true"],
                "--arg with an index beyond int", ("argument index",))
    for d in ("1e99", "nan", "inf", "abc", "-1", "0", ""):
        usage_error(["trace", "--duration", d, "--", "true"], f"--duration {d!r}")
    usage_error(["trace", "--duration", "abc", "--", "true"], "--duration abc says what is allowed",
                ("200ms",))
    usage_error(["zap", "--on", "write", "--kill-after", "0", "--", "true"], "--kill-after 0")
    for args in (["-p", "1"], ["-n", "bash"], ["--cgroup", "/sys/fs/cgroup"], ["--", "true"]):
        usage_error(["trace", "-a"] + args, f"-a with {args[0]}", ("-a",))
    usage_error(["trace", "-p", "2"], "trace -p 2 (a kernel thread)", ("kernel thread",))
    usage_error(["count", "-p", "2"], "count -p 2 (a kernel thread)", ("kernel thread",))
    for e in ("", "!", "trace="):
        usage_error(["trace", "-e", e, "--", "true"], f"-e {e!r}")
    usage_error(["bogus"], "an unknown command is named", ("bogus",))
    p = usage_error(["trace", "-e", "op\x1b[31mnat\n", "--", "true"],
                    "control characters in an unknown syscall name are escaped", ("op\\x1b[31mnat\\x0a",))
    check("\x1b" not in p.stderr, "no raw ESC reaches the terminal", repr(p.stderr))
    p = usage_error(["trace", "-n", "abcdefghijklmné", "--", "true"], "-n over 15 bytes",
                    ("bytes", "'abcdefghijklmn'"))
    usage_error(["trace", "--kmod-path", "/x.ko", "--", "true"], "--kmod-path with ebpf")
    # -o FILE: a usage error or a failure before tracing starts leaves it as it was
    keep = tmp("keep.txt")
    for args, what in ((["--clock", "bogus", "--", "true"], "--clock bogus"),
                       (["--", "/nonexistent/cmd"], "a missing command"),
                       (["-p", "999999999"], "no such process"),
                       (["-e", "opnat", "--", "true"], "an unknown syscall")):
        with open(keep, "w") as f:
            f.write("precious\n")
        p = run([SYSGATE, "trace", *BK, "-o", keep] + args, timeout=30)
        check(p.returncode != 0 and read_text(keep) == "precious\n",
              f"-o FILE with {what}: non-zero exit, the file is not emptied", p.stderr)
        fresh = tmp("fresh-" + what.replace(" ", "_"))
        p = run([SYSGATE, "trace", *BK, "-o", fresh] + args, timeout=30)
        check(p.returncode != 0 and not os.path.exists(fresh),
              f"-o NEWFILE with {what}: no file left behind", p.stderr)
    with open(keep, "w") as f:
        f.write("old content that must go\n")
    p = run([SYSGATE, "trace", *BK, "-e", "getppid", "-o", keep, "--", "true"], timeout=60)
    check(p.returncode == 0 and "old content" not in read_text(keep),
          "-o FILE of a session that ran is rewritten", read_text(keep))


def test_json_utf8():
    """Valid UTF-8 passes through JSON, bytes that are not UTF-8 come out as \\u00XX, every line parses;
    text keeps strace's octal escapes."""
    d = os.fsencode(tmp("utf8"))
    os.makedirs(d, exist_ok=True)
    exe = os.path.join(d, b"sg\xc3\xa9\xff")  # comm "sg" + U+00E9 + an invalid byte
    shutil.copy("/bin/true", exe)
    os.chmod(exe, 0o755)
    out = tmp("utf8.jsonl")
    p = run([SYSGATE, "trace", *BK, "--format", "json", "-e", "execve,exit_group", "-o", out, "--", exe])
    check(p.returncode == 0, "trace --format json of a command with a non-ASCII name", p.stderr)
    raw = open(out, "rb").read()
    lines = []
    for l in raw.splitlines():
        try:
            lines.append(json.loads(l.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            check(False, "every JSON line is valid UTF-8 and parses", (l, e))
    eg = [l for l in lines if l.get("syscall") == "exit_group"]
    check(len(eg) == 1 and eg[0]["comm"] == "sg\u00e9\u00ff", 'comm is "sg\u00e9\\u00ff" once parsed', eg)
    check(b'"comm":"sg\xc3\xa9\\u00ff"' in raw, "the UTF-8 e-acute is written as is, the invalid byte as \\u00ff",
          raw[:400])
    ex = [l for l in lines if l.get("syscall") == "execve"]
    check(len(ex) == 1 and ex[0]["args"][0].endswith("sg\u00e9\\377"),
          "execve's path: UTF-8 kept, the invalid byte as strace's \\377", ex)
    p = run([SYSGATE, "trace", *BK, "-e", "execve", "--", exe])
    check('sg\\303\\251\\377"' in p.stderr, 'text: "sg\\303\\251\\377" as strace prints it', p.stderr)


def test_write_errors():
    """A write that fails ends the session with one line naming the file and the error."""
    for fmt_ in ("text", "json"):
        before = sysgate_bpf_progs()
        p = run([SYSGATE, "trace", *BK, "--format", fmt_, "-o", "/dev/full", "--", "ls", "/"], timeout=60)
        last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
        check(p.returncode == 1 and re.match(r"sysgate: cannot write to /dev/full: No space left on "
                                             r"device after \d+ events$", last),
              f"-o /dev/full ({fmt_}): exit 1 and 'cannot write to /dev/full: ... after N events'",
              f"status {p.returncode}\n{p.stderr}")
        check_no_bpf_left(f"-o /dev/full ({fmt_})", before)
    # a real full filesystem: a tiny tmpfs
    mnt = tmp("full")
    os.mkdir(mnt)
    if check(subprocess.call(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]) == 0,
             "mount a 64 KiB tmpfs"):
        try:
            out = os.path.join(mnt, "out.txt")
            p = run([SYSGATE, "trace", *BK, "-o", out, "--", prog("count_prog"), "20000", "0", "0"], timeout=120)
            check(p.returncode == 1 and f"cannot write to {out}: No space left on device" in p.stderr,
                  "a full filesystem: exit 1 and the error named", p.stderr)
        finally:
            subprocess.call(["umount", "-l", mnt])
    # standard output that is /dev/full
    with open("/dev/full", "w") as full:
        p = run([SYSGATE, "trace", *BK, "-p", str(os.getpid()), "-e", "getppid", "--duration", "1"],
                stdout=full, timeout=30)
    check(p.returncode in (0, 1), "stdout on /dev/full with nothing written: no crash", p.stderr)


def test_reader_gone():
    """`sysgate trace -a | head -1`: sysgate notices at once, detaches, exits quietly."""
    before = sysgate_bpf_progs()
    # an idle machine (CI) may make no system call for a long time: keep one busy
    busy = spawn(["sh", "-c", "while :; do sleep 0.05; done"])
    t0 = time.monotonic()
    p = subprocess.Popen(f"'{SYSGATE}' trace -a | head -1; echo \"status=${{PIPESTATUS[0]}}\"",
                         shell=True, executable="/bin/bash", stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
        subprocess.call(["pkill", "-f", f"{SYSGATE} trace -a"])
    took = time.monotonic() - t0
    check("status=141" in out and "terminate" not in err and "Broken pipe" not in err,
          "trace -a | head -1: sysgate exits as on SIGPIPE (141), nothing on stderr",
          f"took {took:.1f}s\nstdout {out!r}\nstderr {err!r}")
    check(took < 10, "trace -a | head -1 ends (well within 10 s)", f"{took:.1f}s")
    check_no_bpf_left("trace -a | head -1", before)
    # a reader that goes away before sysgate wrote anything (no exits to print either):
    # seen by poll, same ending
    busy.kill()
    busy.wait()
    t0 = time.monotonic()
    p = subprocess.run(f"'{SYSGATE}' trace -a -e pivot_root | true; echo \"status=${{PIPESTATUS[0]}}\"",
                       shell=True, executable="/bin/bash", capture_output=True, text=True,
                       timeout=30)
    took = time.monotonic() - t0
    check("status=141" in p.stdout and p.stderr == "",
          "trace -a | true (nothing written yet): exits as on SIGPIPE, nothing on stderr",
          f"took {took:.1f}s\nstdout {p.stdout!r}\nstderr {p.stderr!r}")
    check(took < 10, "trace -a | true ends (well within 10 s)", f"{took:.1f}s")


def test_signals():
    """A launched command that ignores the forwarded signal: the grace period or a
    second signal kills it; sysgate never hangs."""
    cmd = ["sh", "-c", "trap '' TERM INT HUP; echo ready; while :; do sleep 0.1; done"]
    for second in (False, True):
        before = sysgate_bpf_progs()
        p = spawn([SYSGATE, "trace", *BK, "-e", "wait4", "-o", tmp("sig.txt"), "--"] + cmd,
                  stdout=subprocess.PIPE, text=True)
        p.stdout.readline()
        time.sleep(0.3)
        p.send_signal(signal.SIGTERM)
        if second:
            time.sleep(0.3)
            check(p.poll() is None, "after one SIGTERM sysgate still traces the command")
            p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = None
        what = "a second SIGTERM" if second else "the grace period"
        check(rc == 128 + signal.SIGKILL,
              f"command ignoring SIGTERM: {what} kills it, sysgate exits 137", f"status {rc}")
        check("+++ killed by SIGKILL +++" in read_text(tmp("sig.txt")),
              f"{what}: the command's death is traced", read_text(tmp("sig.txt"))[-500:])
        check_no_bpf_left(f"signals ({what})", before)


# ---------------------------------------------------------------- signal lines

# Programs whose signal and exit lines sysgate must print as strace does.
SIGNAL_CASES = (
    ["signals"],                          # SI_USER, SI_TKILL, SI_QUEUE, CLD_EXITED, SEGV_MAPERR,
                                          # SI_TIMER, a thread's exit (tests/progs/signals.c)
    ["sh", "-c", "kill -USR1 $$"],        # killed by SIGUSR1
    ["sh", "-c", "kill -SEGV $$"],        # killed by SIGSEGV, from user space
    ["sh", "-c", "kill -TERM $$"],        # fatal without a core: never dequeued (signal_generate)
    ["sh", "-c", "sleep 0.1 & wait"],     # SIGCHLD as dash sees it
    ["sh", "-c", "/bin/true; exit 0"],    # SIGCHLD ignored (SIG_DFL): dropped when sent
)


def signal_case_cmd(case):
    return [prog(case[0])] if case[0] == "signals" else list(case)


def signal_lines(text):
    """The '--- SIGX {...} ---' and '+++ ... +++' lines of a trace, without their pid
    prefix (sysgate's "[pid N] ", strace -f -o's "N "), pids and times normalised."""
    out = []
    for l in text.splitlines():
        l = re.sub(r"^(\[pid +\d+\] |\d+ +)", "", l)
        if not l.startswith(("--- ", "+++ ")):
            continue
        l = re.sub(r"si_pid=\d+", "si_pid=N", l)
        l = re.sub(r"si_(u|s)time=\d+", r"si_\1time=N", l)
        out.append(l)
    return out


def test_signal_lines():
    """Signal lines and every thread's exit line, compared with strace's own output for
    the same programs."""
    if not shutil.which("strace"):
        return SKIP
    for case in SIGNAL_CASES:
        cmd = signal_case_cmd(case)
        what = " ".join(case)
        sg, st = tmp("sig.sysgate"), tmp("sig.strace")
        p = run([SYSGATE, "trace", *BK, "-e", "kill", "-o", sg, "--"] + cmd)
        q = run(["strace", "-f", "-e", "trace=none", "-o", st, "--"] + cmd)
        # strace re-raises a fatal signal (Popen: -N); sysgate exits with 128 + N
        want_rc = 128 - q.returncode if q.returncode < 0 else q.returncode
        check(p.returncode == want_rc, f"{what}: sysgate exits as under strace",
              f"sysgate {p.returncode}, strace {q.returncode}: {p.stderr}")
        got, want = signal_lines(read_text(sg)), signal_lines(read_text(st))
        check(got == want and len(want) >= 2, f"{what}: signal and exit lines are strace's",
              "\n".join(difflib.unified_diff(want, got, "strace", "sysgate", lineterm="")) +
              "\nsysgate:\n" + read_text(sg)[-3000:])
    # the lines carry the prefix of the thread that took the signal, as call lines do
    # (-f -o FILE: strace's "PID " on every line)
    sg = tmp("sig.pfx")
    run([SYSGATE, "trace", *BK, "-f", "-e", "kill", "-o", sg, "--", prog("signals")])
    text = read_text(sg)
    kills = re.findall(r"^(\d+) +kill\(", text, re.M)
    usr1 = re.findall(r"^(\d+) +--- SIGUSR1 ", text, re.M)
    check(kills and usr1 == kills[:1], "a signal line has its thread's PID prefix", text[:1000])
    thread = re.findall(r"^(\d+) +\+\+\+ exited with 0 \+\+\+$", text, re.M)
    check(len(thread) == 2 and len(set(thread)) == 2,
          "the thread and the process each have their own exit line", text[-600:])


def test_signal_json():
    """{"event":"signal",...} for every signal line, {"event":"thread_exit",...} for a
    thread that ends before its process."""
    out = tmp("sig.json")
    p = run([SYSGATE, "trace", *BK, "--format", "json", "-e", "kill", "-o", out, "--",
             prog("signals")])
    check(p.returncode == 0, "trace --format json -- signals exits 0", p.stderr)
    lines = json_lines(out)
    sigs = [l for l in lines if l.get("event") == "signal"]
    got = [(l.get("signal"), l.get("code")) for l in sigs]
    want = [("SIGUSR1", "SI_USER"), ("SIGUSR2", "SI_TKILL"), ("SIGRT_3", "SI_QUEUE"),
            ("SIGCHLD", "CLD_EXITED"), ("SIGSEGV", "SEGV_MAPERR"), ("SIGALRM", "SI_TIMER")]
    check(got == want, "the signals in order, with their si_code names", got)
    pid = sigs[0].get("pid") if sigs else None
    check(all(l.get("pid") == pid and l.get("tid") == pid and l.get("comm") == "signals"
              and isinstance(l.get("ts_ns"), int) for l in sigs),
          "signal events carry ts_ns, pid, tid and comm", sigs[:2])
    by = dict((l.get("signal"), l.get("info", {})) for l in sigs)
    check(by.get("SIGUSR1") == {"si_pid": pid, "si_uid": os.getuid()},
          "SIGUSR1's info: si_pid and si_uid as numbers", by.get("SIGUSR1"))
    check(by.get("SIGRT_3", {}).get("si_int") == 42 and by.get("SIGRT_3", {}).get("si_ptr") == "0x2a",
          "SI_QUEUE's value: si_int 42, si_ptr 0x2a", by.get("SIGRT_3"))
    check(by.get("SIGCHLD", {}).get("si_status") == 3, "SIGCHLD's si_status is 3", by.get("SIGCHLD"))
    check(by.get("SIGSEGV") == {"si_addr": "NULL"}, "SIGSEGV's si_addr is NULL", by.get("SIGSEGV"))
    threads = [l for l in lines if l.get("event") == "thread_exit"]
    check(len(threads) == 1 and threads[0].get("pid") == pid and threads[0].get("tid") != pid
          and threads[0].get("exit_code") == 0, "one thread_exit event for the thread", threads)
    exits = [l for l in lines if l.get("event") == "exit"]
    check([e.get("exit_code") for e in exits if e.get("pid") == pid] == [0],
          "one exit event for the process", exits)
    summ = summary_of(lines)
    check(summ.get("signal_drops") == 0, "the summary counts signal records lost (none)", summ)


def test_pid_end():
    """-p sessions end when every target has exited, as strace's do."""
    t = spawn(["sleep", "1"])
    p = run([SYSGATE, "trace", *BK, "-p", str(t.pid), "-e", "clock_nanosleep,nanosleep"], timeout=30)
    check(p.returncode == 0, "trace -p: ends by itself when the target exits", p.stderr)
    t = spawn(["sleep", "1"])
    p = run([SYSGATE, "count", *BK, "-p", str(t.pid)], timeout=30)
    check(p.returncode == 0 and "total" in p.stdout, "count -p: ends with the target", p.stderr)
    # --duration keeps a session open for its whole length even when targets are gone
    t = spawn(["sleep", "0.2"])
    t0 = time.monotonic()
    p = run([SYSGATE, "trace", *BK, "-p", str(t.pid), "--duration", "2", "-e", "getppid"], timeout=30)
    check(p.returncode == 0 and time.monotonic() - t0 >= 2, "--duration keeps -p sessions open",
          p.stderr)


def test_zap_readers():
    """A target that only shares sysgate's stderr pipe is zapped; a reader is not."""
    script = (f"sleep 30 & '{SYSGATE}' zap -p $! --on clock_nanosleep,nanosleep,wait4 "
              f"--signal KILL --duration 1; echo status=$?; kill $! 2>/dev/null")
    p = subprocess.run(f"( {script} ) 2>&1 | cat", shell=True, executable="/bin/bash",
                       capture_output=True, text=True, timeout=60)
    check("status=0" in p.stdout and "reads sysgate's output" not in p.stdout,
          "zap -p of a process sharing sysgate's stderr pipe is accepted", p.stdout)
    # a real reader of the output is refused
    r = spawn(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    p = run([SYSGATE, "zap", *BK, "-p", str(r.pid), "--on", "read"], stdout=r.stdin, timeout=30)
    check(p.returncode == 2 and "reads sysgate's output" in p.stderr,
          "zap -p of the process reading sysgate's output is refused", p.stderr)
    r.kill()
    # zap_missed names the call the zap was due on
    p = run([SYSGATE, "zap", *BK, "--on", "getppid", "--nth", "5", "--", "true"], timeout=30)
    check("due on call #5" in p.stderr, "zap_missed: 'due on call #5'", p.stderr)


# ---------------------------------------------------------------- strace's output options

def strace_text(path):
    """strace's lines without the padding before " = " (sysgate prints one space)."""
    out = []
    for l in read_text(path).splitlines():
        m = re.match(r"^(.*\))\s+= (.*)$", l)
        out.append(f"{m.group(1)} = {m.group(2)}" if m else l)
    return out


def test_pid_prefix():
    """[pid N] only while several processes are traced; "PID " with -o and -f; none with -ff."""
    cmd = ["sh", "-c", "/bin/true; /bin/true"]
    p = run([SYSGATE, "trace", *BK, "-e", "execve,exit_group", "--", "true"])
    lines = p.stderr.splitlines()
    check(p.returncode == 0 and lines and not any(l.startswith("[pid") for l in lines),
          "one process, no -f: no pid prefix", p.stderr)
    p = run([SYSGATE, "trace", *BK, "-f", "-e", "execve,exit_group,wait4", "--"] + cmd)
    lines = p.stderr.splitlines()
    first = lines[0] if lines else ""
    kids = [l for l in lines if 'execve("/bin/true"' in l]
    check(p.returncode == 0 and first.startswith("execve(") and
          kids and all(re.match(r"^\[pid +\d+\] execve", l) for l in kids),
          "-f to stderr: sh's first line bare, the children's lines [pid N] (strace's nprocs > 1)",
          p.stderr)
    check(bool(lines) and not lines[-1].startswith("[pid"),
          "-f: after the children exited, sh's last line is bare again", p.stderr)
    out = tmp("prefix.txt")
    p = run([SYSGATE, "trace", *BK, "-f", "-o", out, "-e", "signal=none", "-e", "execve,exit_group",
             "--"] + cmd)
    lines = read_text(out).splitlines()
    check(p.returncode == 0 and len(lines) >= 6 and
          all(re.match(r"^\d+ +(execve|exit_group|\+\+\+)", l) for l in lines),
          '-f -o FILE: every line starts with "PID " (strace: %-5d)', lines)
    so = tmp("prefix.strace")
    run(["strace", "-f", "-o", so, "-e", "signal=none", "-e", "trace=execve,exit_group", "--"] + cmd)
    shape = lambda ls: sorted(re.sub(r"^\d+ +", "", strip_line(l)[1]) for l in ls if "execve" not in l)
    check(shape(lines) == shape(strace_text(so)), "-f -o FILE: the same exit lines as strace's",
          (lines, strace_text(so)))
    prefix = tmp("ff")
    p = run([SYSGATE, "trace", *BK, "-ff", "-o", prefix, "-e", "execve,exit_group", "--"] + cmd)
    files = sorted(f for f in os.listdir(TMP) if f.startswith("ff."))
    texts = [read_text(os.path.join(TMP, f)) for f in files]
    check(p.returncode == 0 and len(files) == 3 and not os.path.exists(prefix),
          "-ff -o PREFIX: one file per process, PREFIX.PID, no PREFIX itself", files)
    check(all("+++ exited with 0 +++" in t and not re.search(r"^(\[pid|\d+ )", t, re.M) for t in texts),
          "-ff: each file ends with its exit, no pid prefix", texts)


def test_timestamps():
    args = ["-e", "getppid", "--", prog("count_prog"), "3", "0", "0"]
    t0 = time.time()
    p = run([SYSGATE, "trace", *BK, "-ttt"] + args)
    t1 = time.time()
    stamps = [float(l.split()[0]) for l in p.stderr.splitlines() if "getppid" in l]
    check(len(stamps) == 3 and all(t0 - 1 <= t <= t1 + 1 for t in stamps) and stamps == sorted(stamps),
          "-ttt: epoch seconds.microseconds, in the run's time", p.stderr)
    check(all(re.match(r"^\d+\.\d{6} ", l) for l in p.stderr.splitlines()), "-ttt: format %d.%06d",
          p.stderr)
    p = run([SYSGATE, "trace", *BK, "-tt"] + args)
    check(all(re.match(r"^\d\d:\d\d:\d\d\.\d{6} [a-z+]", l) for l in p.stderr.splitlines()),
          "-tt: HH:MM:SS.uuuuuu", p.stderr)
    hh = time.strftime("%H:")
    check(any(l.startswith(hh) for l in p.stderr.splitlines()) or time.strftime("%M") == "00",
          "-tt: local time of day", p.stderr)
    p = run([SYSGATE, "trace", *BK, "-t"] + args)
    check(all(re.match(r"^\d\d:\d\d:\d\d [a-z+]", l) for l in p.stderr.splitlines()), "-t: HH:MM:SS",
          p.stderr)
    p = run([SYSGATE, "trace", *BK, "-r"] + args)
    rel = [l for l in p.stderr.splitlines()]
    check(rel and rel[0].startswith("     0.000000 ") and
          all(re.match(r"^ *\d+\.\d{6} [a-z+]", l) for l in rel),
          "-r: %6d.%06d since the previous line, the first 0.000000", p.stderr)
    p = run([SYSGATE, "trace", *BK] + args)
    check(not re.search(r"<\d+\.\d{6}>", p.stderr), "without -T: no durations", p.stderr)
    p = run([SYSGATE, "trace", *BK, "-T"] + args)
    timed = [l for l in p.stderr.splitlines() if "getppid" in l]
    check(len(timed) == 3 and all(re.search(r" <\d+\.\d{6}>$", l) for l in timed),
          "-T: <seconds> after every result", p.stderr)
    out = tmp("ts.jsonl")
    run([SYSGATE, "trace", *BK, "--format", "json", "-o", out] + args)
    cs = [l for l in calls(json_lines(out)) if l["syscall"] == "getppid"]
    check(len(cs) == 3 and all("dur_ns" in l for l in cs), "JSON keeps dur_ns without -T", cs)


FD_SCRIPT = r"""
import os, socket, time
f = os.open("/etc/hostname", os.O_RDONLY)
os.read(f, 1)
d = os.dup(f)
os.dup2(f, 20)
os.close(d)
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen()
c = socket.socket(); c.connect(l.getsockname())
os.write(c.fileno(), b"x")
r, w = os.pipe()
os.write(w, b"y")
n = os.open("/dev/null", os.O_WRONLY)
os.write(n, b"z")
time.sleep(0.5)
os.close(20)
"""


def test_decode_fds():
    script = tmp("fds.py")
    with open(script, "w") as f:
        f.write(FD_SCRIPT)
    sel = "read,write,dup,dup2,close,connect,pipe2"
    out, so = tmp("fds.txt"), tmp("fds.strace")
    p = run([SYSGATE, "trace", *BK, "-y", "-o", out, "-e", sel, "--", "python3", script])
    check(p.returncode == 0, "trace -y exits 0", p.stderr)
    got = [strip_line(l)[1] for l in read_text(out).splitlines()]
    run(["strace", "-y", "-o", so, "-e", "trace=" + sel, "--", "python3", script])
    want = strace_text(so)
    keys = [l for l in want if "/etc/hostname" in l or "/dev/null" in l]
    check(len(keys) >= 4 and all(k in got for k in keys),
          "-y: the lines of fds on files are strace's own", "\n".join(k for k in keys if k not in got)
          + "\n--- sysgate:\n" + "\n".join(got))
    pipes = lambda ls: [re.sub(r"pipe:\[\d+\]", "pipe:[N]", l) for l in ls if "pipe:[" in l and "write(1" not in l]
    check(pipes(want) and pipes(got) == pipes(want), "-y: pipes as strace prints them",
          (pipes(got), pipes(want)))
    p = run([SYSGATE, "trace", *BK, "-yy", "-o", out, "-e", sel, "--", "python3", script])
    text = read_text(out)
    check(re.search(r"write\(\d+<TCP:\[127\.0\.0\.1:\d+->127\.0\.0\.1:\d+\]>, \"x\", 1\) = 1", text)
          is not None, "-yy: a TCP socket with its endpoints", text)
    check('</dev/null<char 1:3>>, "z", 1) = 1' in text, "-yy: a device with its numbers", text)
    p = run([SYSGATE, "trace", *BK, "-e", "decode-fds=path", "-o", out, "-e", sel, "--", "python3", script])
    check("read(3</etc/hostname>, " in read_text(out), "-e decode-fds=path is -y", read_text(out))
    p = run([SYSGATE, "trace", *BK, "-o", out, "-e", sel, "--", "python3", script])
    check("<" not in "".join(l for l in read_text(out).splitlines() if l.startswith("read(3")),
          "without -y: descriptors are plain numbers", read_text(out))


def test_paths():
    """-P PATH: the calls on the path and on its descriptors, as strace -P shows them."""
    cmd = ["cat", "/etc/hostname"]
    out, so = tmp("P.txt"), tmp("P.strace")
    p = run([SYSGATE, "trace", *BK, "-P", "/etc/hostname", "-o", out, "--"] + cmd)
    got = [strip_line(l)[1] for l in read_text(out).splitlines() if not l.startswith("+++")]
    run(["strace", "-qq", "-P", "/etc/hostname", "-o", so, "--"] + cmd)
    want = [l for l in strace_text(so) if not l.startswith("+++")]
    name = lambda ls: [l.split("(")[0] for l in ls]
    check(p.returncode == 0 and got and name(got) == name(want),
          "-P /etc/hostname: the same calls as strace -P", (got, want))
    check(got and got[0].startswith('openat(AT_FDCWD, "/etc/hostname"'), "-P: the openat first", got)
    p = run([SYSGATE, "trace", *BK, "-P", "/etc/hostname", "-e", "read", "-o", out, "--"] + cmd)
    got = [strip_line(l)[1] for l in read_text(out).splitlines() if not l.startswith("+++")]
    check(got and all(l.startswith("read(3, ") for l in got),
          "-P with -e read: only the reads through the path's fd", got)


def test_status():
    args = ["--", prog("count_prog"), "2", "2", "2", "1"]
    for opt, sopt in ((["-Z"], ["-Z"]), (["-z"], ["-z"]),
                      (["-e", "status=failed"], ["-e", "status=failed"]),
                      (["-e", "status=!successful"], ["-e", "status=!successful"])):
        out, so = tmp("st.txt"), tmp("st.strace")
        p = run([SYSGATE, "trace", *BK, "-qq", "-o", out] + opt + args)
        run(["strace", "-qq", "-o", so] + sopt + args)
        got = [strip_line(l)[1] for l in read_text(out).splitlines()]
        want = strace_text(so)
        def res(l):
            r = l.rsplit(" = ", 1)[-1]
            return r.split(" (")[0] if r.startswith(("-1", "?")) else "ok"
        key = lambda ls: [(l.split("(")[0], res(l)) for l in ls]
        check(p.returncode == 0 and got and key(got) == key(want),
              f"{' '.join(opt)}: the same calls and results as strace", (got, want))
    out = tmp("st2.txt")
    run([SYSGATE, "trace", *BK, "-o", out, "-e", "status=unfinished"] + args)
    check([strip_line(l)[1] for l in read_text(out).splitlines()] ==
          ["exit_group(0) = ?", "+++ exited with 0 +++"], "-e status=unfinished: exit_group only",
          read_text(out))


def test_qualifiers():
    for q in ("abbrev=none", "verbose=none", "raw=all", "read=3", "write=1", "kvm=vcpu"):
        usage_error(["trace", "-e", q, "--", "true"], f"-e {q} is refused",
                    ("trace=", "status=", "signal="))
    for args, what in ((["-e", "status=bogus"], "status"), (["-e", "signal=SIGBOGUS"], "signal"),
                       (["-e", "quiet=bogus"], "quiet"), (["-e", "decode-fds=bogus"], "decode-fds"),
                       (["-S", "bogus"], "-S"), (["-U", "bogus"], "-U"), (["-S", "min-time"], "min-time"),
                       (["-tttt"], "-t"), (["-xxx"], "-x")):
        usage_error(["trace"] + args + ["--", "true"], f"{' '.join(args)} is refused", (what,))
    usage_error(["trace", "-k", "--", "true"], "an strace option sysgate lacks (-k) is refused")
    a = run([SYSGATE, "trace", *BK, "-e", "trace=getppid", "--", prog("count_prog"), "2", "0", "0"])
    b = run([SYSGATE, "trace", *BK, "-e", "getppid", "--", prog("count_prog"), "2", "0", "0"])
    same = lambda t: re.sub(r"\d+", "N", t)
    check(a.returncode == 0 and same(a.stderr) == same(b.stderr) and a.stderr.count("getppid()") == 2,
          "-e trace=SET is -e SET", (a.stderr, b.stderr))
    c = run([SYSGATE, "trace", *BK, "-e", "trace=getppid", "-e", "trace=close", "--",
             prog("count_prog"), "2", "0", "0", "1"])
    check(c.stderr.count("getppid()") == 2 and "close(-1)" in c.stderr,
          "-e trace= twice: both sets", c.stderr)
    for opt in (["-qq"], ["-e", "quiet=exit"]):
        p = run([SYSGATE, "trace", *BK, *opt, "-e", "exit_group", "--", "true"])
        check(p.returncode == 0 and "exit_group(0) = ?" in p.stderr and "+++" not in p.stderr,
              f"{' '.join(opt)}: no '+++ exited' line", p.stderr)
    p = run([SYSGATE, "trace", *BK, "-qq", "-e", "exit_group", "--", "sh", "-c", "kill -9 $$"])
    check("+++ killed by SIGKILL +++" in p.stderr, "-qq keeps '+++ killed by' (as strace)", p.stderr)
    p = run([SYSGATE, "trace", *BK, "-q", "-e", "exit_group", "--", "true"])
    check(p.returncode == 0 and "+++ exited with 0 +++" in p.stderr, "-q keeps '+++ exited'", p.stderr)
    p = run([SYSGATE, "trace", *BK, "-e", "signal=none", "-e", "signal=!SIGCHLD", "-e", "exit_group",
             "--", "true"])
    check(p.returncode == 0, "-e signal=SET is accepted", p.stderr)


def test_hex_strings():
    data = "a\\001b\\351\\n"
    for opt in ("-x", "-xx"):
        out, so = tmp("x.txt"), tmp("x.strace")
        cmd = ["--", "printf", data]
        run([SYSGATE, "trace", *BK, opt, "-e", "write", "-o", out] + cmd, stdout=subprocess.DEVNULL)
        run(["strace", opt, "-e", "trace=write", "-o", so] + cmd, stdout=subprocess.DEVNULL)
        got = [strip_line(l)[1] for l in read_text(out).splitlines() if l.startswith("write")]
        want = [l for l in strace_text(so) if l.startswith("write")]
        check(got and got == want, f"{opt}: strings as strace prints them", (got, want))
    p = run([SYSGATE, "trace", *BK, "-x", "-e", "write", "--", prog("count_prog"), "0", "0", "1"])
    check('write(3, "x", 1) = 1' in p.stderr, "-x: a printable string stays as it is", p.stderr)


def test_summary():
    args = ["--", prog("count_prog"), "5", "3", "7", "2"]
    out = tmp("C.txt")
    p = run([SYSGATE, "trace", *BK, "-C", "-o", out] + args)
    text = read_text(out)
    head = text.find("% time")
    check(p.returncode == 0 and head > 0 and "getppid()" in text[:head] and
          re.search(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+\d+\s+5\s+getppid$", text[head:], re.M),
          "-C: the trace, then the summary (getppid: 5 calls)", text[-1500:])
    p = run([SYSGATE, "trace", *BK, "-C", "-w", "-S", "calls", "-U", "name,calls,errors",
             "-e", "getppid,openat,close", "-o", out] + args)
    table = read_text(out)[read_text(out).find("syscall "):].splitlines()
    check(table and table[0].split() == ["syscall", "calls", "errors"], "-U name,calls,errors: those columns",
          table[:3])
    rows = [l.split() for l in table[2:] if l.strip() and not l.startswith("-")]
    names = [r[0] for r in rows]
    calls_ = [int(r[1]) for r in rows if r[0] != "total"]
    check(calls_ == sorted(calls_, reverse=True) and "getppid" in names and names[-1] == "total",
          "-S calls: rows by calls, most first", rows)
    so, go = tmp("c.strace"), tmp("c.txt")
    run(["strace", "-f", "-c", "-U", "name,calls,errors", "-S", "name", "-o", so] + args)
    p = run([SYSGATE, "count", *BK, "-U", "name,calls,errors", "-S", "name", "-o", go] + args)
    want = {k: v for k, v in strace_counts(so).items() if k != "exit_group"}
    got = {k: v for k, v in strace_counts(go).items() if k != "exit_group"}
    check(p.returncode == 0 and got == want, "count -U name,calls,errors -S name: strace -c's table",
          (got, want))
    names = [l.split()[0] for l in read_text(go).splitlines()[2:] if l.strip() and not l.startswith("-")]
    check(names[:-1] == sorted(names[:-1]), "count -S name: rows by name", names)

# ---------------------------------------------------------------- fault injection

INJECT_SET = "getppid,openat,close"


def inject_lines(text):
    """Trace lines of tests/progs/inject as strace prints them: no padding before " = ",
    the real getppid result (the parent differs between the two tools) as PPID."""
    out = []
    for l in text.splitlines():
        m = re.match(r"^(.*\))\s+= (.*)$", l)
        if m:
            l = f"{m.group(1)} = {m.group(2)}"
        l = re.sub(r"^getppid\(\) = \d+$", "getppid() = PPID", l)
        out.append(l)
    return out


def inject_vs_strace(what, qualifiers, extra=()):
    """sysgate and strace on tests/progs/inject with the same -e arguments: the same
    lines, and the program sees the same results. Returns sysgate's lines."""
    sg, st = tmp("inject.sysgate"), tmp("inject.strace")
    args = [a for q in qualifiers for a in ("-e", q)] + list(extra)
    p = run([SYSGATE, "trace", *BK, "-qq", "-o", sg] + args + ["--", prog("inject")])
    q = run(["strace", "-qq", "-o", st] + args + ["--", prog("inject")])
    check(p.returncode == q.returncode, f"{what}: sysgate exits as the program does under strace",
          f"sysgate {p.returncode}, strace {q.returncode}: {p.stderr}")
    got, want = inject_lines(read_text(sg)), inject_lines(read_text(st))
    check(got == want and any("(INJECTED)" in l for l in want), f"{what}: the lines are strace's",
          "\n".join(difflib.unified_diff(want, got, "strace", "sysgate", lineterm="")))
    norm = lambda out: re.sub(r"getppid \d+\n", "getppid PPID\n", out) if out else out
    check(norm(p.stdout) == norm(q.stdout), f"{what}: the program saw what it saw under strace",
          f"sysgate:\n{p.stdout}\nstrace:\n{q.stdout}")
    return got, p


def test_inject():
    """-e inject= and -e fault= on a launched command and on a running process (-p),
    compared with strace 6.1 where the two can be compared."""
    have_strace = shutil.which("strace") is not None
    if have_strace:
        # error=, retval=, when=N..M, N+STEP, the last rule naming a syscall wins, fault=
        got, _ = inject_vs_strace(
            "error/retval/fault, when ranges and steps",
            ["trace=" + INJECT_SET, "inject=getppid:error=EPERM",
             "inject=getppid:retval=42:when=2+2", "inject=openat:error=ENOENT:when=3..4",
             "fault=close:when=1"])
        check(got.count("getppid() = 42 (INJECTED)") == 2 and
              'openat(AT_FDCWD, "/etc/hostname", O_RDONLY) = -1 ENOENT (No such file or directory) (INJECTED)' in got
              and "close(3) = -1 ENOSYS (Function not implemented) (INJECTED)" in got,
              "strace's (INJECTED) forms: a value, an errno, fault's ENOSYS", got)
        # signal= with an injected result: the signal is taken as the call returns
        got, p = inject_vs_strace("signal=", ["trace=" + INJECT_SET,
                                              "inject=getppid:retval=7:signal=USR1:when=3"])
        check("--- SIGUSR1 {si_signo=SIGUSR1, si_code=SI_KERNEL} ---" in got and "usr1 1" in p.stdout,
              "signal=USR1: strace's signal line, the handler ran once", got)
        # an exit_group made to fail returns (glibc then calls exit)
        sg, st = tmp("inject.eg"), tmp("inject.eg.strace")
        run([SYSGATE, "trace", *BK, "-qq", "-o", sg, "-e", "exit_group,exit", "-e",
             "inject=exit_group:error=EPERM", "--", "/bin/true"])
        run(["strace", "-qq", "-o", st, "-e", "exit_group,exit", "-e", "inject=exit_group:error=EPERM",
             "--", "/bin/true"])
        check(inject_lines(read_text(sg)) == inject_lines(read_text(st)) ==
              ["exit_group(0) = -1 EPERM (Operation not permitted) (INJECTED)", "exit(0) = ?"],
              "inject=exit_group:error=EPERM: it returns, then exit(0) = ?, as strace",
              (read_text(sg), read_text(st)))
        # -T: (INJECTED) before the duration
        sg = tmp("inject.T")
        run([SYSGATE, "trace", *BK, "-T", "-o", sg, "-e", "getppid", "-e",
             "inject=getppid:retval=1:when=1", "--", prog("inject")])
        check(re.search(r"^getppid\(\) = 1 \(INJECTED\) <\d+\.\d{6}>$", read_text(sg), re.M),
              "-T: ' <seconds>' after (INJECTED), as strace", read_text(sg))
    # injected into calls that are not shown (sysgate, unlike strace 6.1, does not tie
    # injection to -e trace=), on the seccomp-filtered path (a launched command)
    sg = tmp("inject.hidden")
    p = run([SYSGATE, "trace", *BK, "-o", sg, "-e", "trace=openat", "-e",
             "inject=getppid:retval=42", "--", prog("inject")])
    text = read_text(sg)
    check(p.stdout.count("getppid 42\n") == 4 and "getppid" not in text and "openat(" in text,
          "a call injected into but not selected runs injected and is not shown",
          p.stdout + p.stderr + text)
    # JSON: "injected":true on the injected calls only
    out = tmp("inject.jsonl")
    run([SYSGATE, "trace", *BK, "--format", "json", "-o", out, "-e", "getppid", "-e",
         "inject=getppid:error=EACCES:when=2..3", "--", prog("inject")])
    cs = calls(json_lines(out))
    check([c.get("injected", False) for c in cs] == [False, True, True, False] and
          cs[1].get("errno") == "EACCES" and cs[1].get("ret") == -13 and "injected" not in cs[0],
          'JSON: "injected":true on the 2nd and 3rd call only, errno EACCES', cs)
    # delays hold the caller (delay_enter counts in -T's duration, delay_exit does not)
    out = tmp("inject.delay.jsonl")
    t0 = time.monotonic()
    run([SYSGATE, "trace", *BK, "--format", "json", "-o", out, "-e", "getppid", "-e",
         "inject=getppid:delay_enter=150ms:delay_exit=100000:when=2", "--", prog("inject")])
    took = time.monotonic() - t0
    cs = calls(json_lines(out))
    durs = [c.get("dur_ns", 0) for c in cs]
    check(len(durs) == 4 and durs[1] >= 150_000_000 and took >= 0.25 and
          not any(c.get("injected") for c in cs),
          "delay_enter=150ms, delay_exit=100000 (us): the 2nd call waited, nothing injected",
          (durs, took))
    # count: the injected errors are counted
    out = tmp("inject.count")
    p = run([SYSGATE, "count", *BK, "-U", "name,calls,errors", "-o", out, "-e", "openat", "-e",
             "fault=openat:error=EIO:when=3+", "--", prog("inject")])
    rows = strace_counts(out)
    check(p.returncode == 0 and rows.get("openat") == (5, 3),
          "count -e fault=openat:when=3+: 5 calls, 3 errors", read_text(out) + p.stderr)
    # a running process (-p): counted from the attach, per thread, as strace -p
    sl = start_sleeper("-i", "5")
    sg = tmp("inject.pid")
    p = run([SYSGATE, "trace", *BK, "-o", sg, "-p", str(sl.pid), "-e", "getppid", "-e",
             "inject=getppid:retval=42:when=2..3", "--duration", "0.5s"])
    got = inject_lines(read_text(sg))[:5]
    check(p.returncode == 0 and got == ["getppid() = PPID", "getppid() = 42 (INJECTED)",
                                        "getppid() = 42 (INJECTED)", "getppid() = PPID",
                                        "getppid() = PPID"],
          "-p: the 2nd and 3rd getppid after the attach are injected", read_text(sg)[:600] + p.stderr)
    check(sl.poll() is None, "-p: the process runs on after the session")
    if have_strace:
        st = tmp("inject.pid.strace")
        q = spawn(["strace", "-qq", "-o", st, "-p", str(sl.pid), "-e", "trace=getppid", "-e",
                   "inject=getppid:retval=42:when=2..3"])
        wait_for(lambda: len(read_text(st).splitlines()) >= 5, timeout=20)
        stop(q, signal.SIGINT)
        want = inject_lines(read_text(st))[:5]
        check(got == want, "-p: the lines strace -p prints", (got, want))
    stop(sl)
    # a held thread does not hold the tracer: two threads' delayed calls overlap
    sl = start_sleeper("-t", "2", "-i", "5")
    out = tmp("inject.hold.jsonl")
    run([SYSGATE, "trace", *BK, "--format", "json", "-o", out, "-p", str(sl.pid), "-e", "getppid",
         "-e", "inject=getppid:delay_enter=300ms:when=3", "--duration", "1.5s"])
    held = sorted((c["ts_ns"], c["ts_ns"] + c["dur_ns"]) for c in calls(json_lines(out))
                  if c.get("dur_ns", 0) >= 300_000_000)
    check(len(held) == 2 and held[1][0] < held[0][1],
          "delay_enter: each thread's 3rd call held 300 ms, the two holds overlap", held)
    stop(sl)
    check_no_bpf_left("inject", {})
    # bad input: one line, exit 2
    for bad, want in [
        ("inject=openat", "say what to inject"),
        ("inject=openat:error=EBOGUS", "unknown errno"),
        ("inject=openat:error=5000", "unknown errno"),
        ("inject=openat:retval=-1", "retval=-1"),
        ("inject=openat:retval=99999999999999999999", "retval="),
        ("inject=openat:error=EIO:retval=1", "not both"),
        ("inject=openat:error=EIO:when=0", "when=0"),
        ("inject=openat:error=EIO:when=3..2", "when=3..2"),
        ("inject=openat:error=EIO:when=1+0", "when=1+0"),
        ("inject=openat:error=EIO:when=65536", "when=65536"),
        ("inject=openat:signal=SIGBOGUS", "unknown signal"),
        ("inject=openat:delay_enter=5parsecs", "delay_enter="),
        ("inject=openat:error=EIO:poke_enter=@arg1=00", "not supported"),
        ("inject=openat:error=EIO:syscall=getpid", "not supported"),
        ("inject=:error=EIO", "give the syscalls"),
        ("inject=opnat:error=EIO", "opnat"),
        ("fault=openat:retval=1", "fault takes"),
        ("inject=openat:error=EIO:", "nothing after"),
    ]:
        usage_error(["trace", *BK, "-e", bad, "--", "true"], f"-e {bad}", (want,))
    usage_error(["trace", "-n", "sleep", "-e", "inject=openat:error=EIO"], "-e inject= with -n",
                ("ptrace backend", "-n"))


def test_inject_backends():
    """Injection needs the ptrace backend: without --backend sysgate takes it and says so
    once; --backend ebpf or kmod is refused before anything is loaded."""
    for b in ("ebpf", "kmod"):
        usage_error(["trace", "--backend", b, "-e", "inject=getppid:retval=1", "--", "true"],
                    f"--backend {b} -e inject=", ("needs the ptrace backend", "bpf_override_return"))
        usage_error(["count", "--backend", b, "-e", "fault=getppid", "--", "true"],
                    f"count --backend {b} -e fault=", ("needs the ptrace backend",))
    p = run([SYSGATE, "trace", "-e", "getppid", "-e", "inject=getppid:retval=42:when=1", "--",
             prog("inject")])
    notes = [l for l in p.stderr.splitlines() if l.startswith("sysgate:")]
    check(p.returncode == 0 and len(notes) == 1 and "--backend ptrace" in notes[0] and
          "getppid() = 42 (INJECTED)" in p.stderr and "getppid 42" in p.stdout,
          "without --backend: ptrace, with one notice line", p.stderr)


TESTS = {
    "golden": test_golden,
    "golden_strace": test_golden_strace,
    "ls": test_ls,
    "json": test_json,
    "exit_status": test_exit_status,
    "target_pid": test_target_pid,
    "target_comm": test_target_comm,
    "follow": test_follow,
    "cgroup": test_cgroup,
    "all_self": test_all_self,
    "filters": test_filters,
    "attach": test_attach,
    "blocked": test_blocked,
    "usage_errors": test_usage_errors,
    "loss": test_loss,
    "detach": test_detach,
    "oracle": test_oracle,
    "list": test_list,
    "tracefs": test_tracefs,
    "hostile": test_hostile,
    "json_utf8": test_json_utf8,
    "write_errors": test_write_errors,
    "reader_gone": test_reader_gone,
    "signals": test_signals,
    "signal_lines": test_signal_lines,
    "signal_json": test_signal_json,
    "pid_end": test_pid_end,
    "zap_readers": test_zap_readers,
    "pid_prefix": test_pid_prefix,
    "timestamps": test_timestamps,
    "decode_fds": test_decode_fds,
    "paths": test_paths,
    "status": test_status,
    "qualifiers": test_qualifiers,
    "hex_strings": test_hex_strings,
    "summary": test_summary,
    "inject": test_inject,
    "inject_backends": test_inject_backends,
}


def main():
    if TEST not in TESTS:
        print(f"unknown test {TEST}; known: {' '.join(TESTS)}")
        return 2
    try:
        r = TESTS[TEST]()
    except Exception as e:  # a crash is a failure, with its traceback
        import traceback
        traceback.print_exc()
        FAILS.append(f"{TEST} raised {e!r}")
        r = None
    finally:
        for p in CHILDREN:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(TMP, ignore_errors=True)
    if r == SKIP and not FAILS:
        return SKIP
    if FAILS:
        print(f"{len(FAILS)} check(s) failed in {TEST}:")
        for f in FAILS:
            print("  - " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
