#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Markdown tables of medians and ratios from bench/run.sh's raw.tsv.

Rows: B1/B2 bench tool pair base_ns tool_ns [n]
      B3    bench tool pair base_ns tool_ns n written expected drops
      B4    bench case rep calls lines entry_lost delivered drops exit_drops events seen ok
      B8    bench workload tool round base_ns tool_ns n written expected kind
            (kind: sg | strace | strace-seccomp | control; a round runs every tool of a workload once)
      B9    bench tool round base_ns tool_ns n kind (kind: untraced | selected | control)
      B9X   bench case run latency_ns lines via (zap --at exit: the call's return to the exit)
"""
import statistics
import sys
from collections import OrderedDict


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def f(x, spec=".1f"):
    return "n/a" if x is None else format(x, spec)


def main(path):
    groups = OrderedDict()
    b4 = []
    b8 = OrderedDict()
    b9 = OrderedDict()
    b9x = OrderedDict()
    with open(path) as fh:
        for line in fh:
            c = line.rstrip("\n").split("\t")
            if c[0] == "B4":
                b4.append(c)
            elif c[0] == "B8":
                b8.setdefault(c[1], OrderedDict()).setdefault(c[2], []).append(c)
            elif c[0] == "B9":
                b9.setdefault(c[1], []).append(c)
            elif c[0] == "B9X":
                b9x.setdefault(c[1], []).append(c)
            else:
                groups.setdefault((c[0], c[1]), []).append(c)

    titles = {
        "B1": "B1 bystander tax (getppid loop, comm `bystander`; the tool traces comm `other`)",
        "B2": "B2 traced-process tax, counting (getppid loop, targeted)",
        "B3": "B3 traced-process tax, every event decoded and written to a file",
    }
    for bench in ("B1", "B2", "B3"):
        rows = [(k[1], v) for k, v in groups.items() if k[0] == bench]
        if not rows:
            continue
        print(f"\n### {titles[bench]}\n")
        if bench == "B1":
            print("| tool | untraced ns/call | with tool ns/call | ratio (median of pairs) | ratio min-max | pairs |")
            print("| --- | ---: | ---: | ---: | --- | ---: |")
        elif bench == "B2":
            print("| tool | calls | untraced ns/call | traced ns/call | ratio (median of pairs) | ratio min-max | pairs |")
            print("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
        else:
            print("| tool, workload | calls/pairs | untraced ns/call | traced ns/call | ratio (median) | ratio min-max "
                  "| events written / calls (worst run) | drops (enter+exit) |")
            print("| --- | ---: | ---: | ---: | ---: | --- | --- | --- |")
        for tool, v in rows:
            a = [num(r[3]) for r in v]
            b = [num(r[4]) for r in v]
            ratios = [y / x for x, y in zip(a, b) if x and y]
            rr = f"{f(min(ratios), '.2f')}-{f(max(ratios), '.2f')}" if ratios else "n/a"
            if bench == "B1":
                print(f"| {tool} | {f(med(a))} | {f(med(b))} | **{f(med(ratios), '.2f')}x** | {rr} | {len(ratios)} |")
            elif bench == "B2":
                print(f"| {tool} | {v[0][5]} | {f(med(a))} | {f(med(b))} | **{f(med(ratios), '.1f')}x** | {rr} | {len(ratios)} |")
            else:
                worst = None
                for r in v:
                    w, e = num(r[6]), num(r[7])
                    if w is not None and e:
                        frac = w / e
                        if worst is None or frac < worst[0]:
                            worst = (frac, int(w), int(e))
                    wtxt = "n/a" if worst is None else f"{worst[1]}/{worst[2]} ({worst[0]:.4f})"
                drops = sorted(set(r[8] for r in v))
                print(f"| {tool} | {v[0][5]} | {f(med(a))} | {f(med(b))} | **{f(med(ratios), '.1f')}x** | {rr} "
                      f"| {wtxt} | {', '.join(drops)} |")
    if b4:
        print("\n### B4 loss under burst (`sysgate trace -e getppid --format json`)\n")
        print("delivered = getppid lines with their entry record; `entry_lost` lines (exit record only) are "
              "counted apart. Must hold: delivered + drops = calls.\n")
        print("| case | run | calls | lines | entry_lost lines | delivered | drops | exit_drops | summary events | seen | delivered + drops = calls? |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for r in b4:
            ok = r[11] if r[11] == "ok" else f"**{r[11]}**"
            print(f"| {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} | {r[7]} | {r[8]} | {r[9]} | {r[10]} | {ok} |")

    if b8:
        report_b8(b8)
    if b9 or b9x:
        report_b9(b9, b9x)


def pct(values, p):
    v = sorted(values)
    if not v:
        return None
    k = max(1, min(len(v), int(p / 100 * len(v) + 0.999999)))
    return v[k - 1]


def report_b9(b9, b9x):
    if b9:
        print("\n### B9 (a) `zap --before` through seccomp: untraced and selected calls (getppid loop)\n")
        print("Ratio = ns/call under the tool ÷ the untraced run just before it, in the same round (median "
              "over rounds). Added = tool ns/call − untraced ns/call (median): for selected calls, one "
              "user-notification round trip (sysgate) or one ptrace stop (strace).\n")
        print("| tool | kind | calls | untraced ns/call | with tool ns/call | ratio (median) | ratio min-max "
              "| added ns/call (median) | rounds |")
        print("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
        for tool, v in b9.items():
            a = [num(r[3]) for r in v]
            b = [num(r[4]) for r in v]
            ratios = [y / x for x, y in zip(a, b) if x and y]
            added = [y - x for x, y in zip(a, b) if x and y]
            rr = f"{f(min(ratios), '.3f')}-{f(max(ratios), '.3f')}" if ratios else "n/a"
            spec = ".3f" if v[0][6] != "selected" else ".1f"
            print(f"| {tool} | {v[0][6]} | {v[0][5]} | {f(med(a))} | {f(med(b))} | **{f(med(ratios), spec)}x** "
                  f"| {rr} | {f(med(added), '.0f')} | {len(ratios)} |")
    if b9x:
        print("\n### B9 (b) `zap --at exit` latency: the Nth call's return to the process's exit\n")
        print("bench/writer killed (SIGKILL) at its 5th write(2); --at exit: `exit_ts_ns` − `call_exit_ts_ns` (= `return_to_exit_ns`) of the "
              "report; --at entry (for scale): syscall entry to exit (`call_to_exit_ns`). Lines left must be 5 "
              "with --at exit (the call completed, nothing after it ran).\n")
        print("| case | runs | p50 us | p99 us | max us | lines left (all runs) | via |")
        print("| --- | ---: | ---: | ---: | ---: | --- | --- |")
        for case, v in b9x.items():
            lat = [num(r[3]) for r in v if num(r[3]) is not None]
            lines = sorted(set(r[4] for r in v))
            vias = sorted(set(r[5] for r in v if len(r) > 5))
            us = [x / 1000 for x in lat]
            print(f"| {case} | {len(lat)}/{len(v)} | {f(pct(us, 50))} | {f(pct(us, 99))} | "
                  f"{f(max(us) if us else None)} | {', '.join(lines)} | {', '.join(vias)} |")


B8_TITLES = {
    "getppid": "getppid loop, `-e getppid`, every call written to a file (text)",
    "openclose": "openat+close loop, `-e openat,close`, every call written to a file (text; ns per pair)",
    "count": "getppid loop, `-e getppid`, counting",
    "bystander": "bystander call: getppid loop while only `openat` is traced (target: <= 1.05x with a seccomp filter)",
}


def report_b8(b8):
    print("\n### B8 ptrace backend against strace (one run, interleaved by round)\n")
    print("Ratio = traced ns/call ÷ the untraced run just before it (median over rounds). "
          "÷ strace = sysgate ns/call ÷ that strace's ns/call in the same round (median over rounds; "
          "< 1 is faster than strace).\n")
    for w, tools in b8.items():
        print(f"\n#### B8 {w}: {B8_TITLES.get(w, w)}\n")
        # per round ns of each peer, for sysgate ÷ strace
        peers = OrderedDict()
        for tool, v in tools.items():
            kind = v[0][9] if len(v[0]) > 9 else ""
            if kind in ("strace", "strace-seccomp"):
                peers[kind] = {r[3]: num(r[5]) for r in v}
        print("| tool | calls | untraced ns/call | traced ns/call | ratio (median) | ratio min-max "
              "| ÷ strace | ÷ strace --seccomp-bpf | events written / calls (worst run) | rounds |")
        print("| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- | ---: |")
        for tool, v in tools.items():
            kind = v[0][9] if len(v[0]) > 9 else ""
            a = [num(r[4]) for r in v]
            b = [num(r[5]) for r in v]
            ratios = [y / x for x, y in zip(a, b) if x and y]
            rr = f"{f(min(ratios), '.2f')}-{f(max(ratios), '.2f')}" if ratios else "n/a"
            rspec = ".2f" if w == "bystander" else ".1f"
            vs = []
            for pk in ("strace", "strace-seccomp"):
                if kind != "sg" or pk not in peers:
                    vs.append("")
                    continue
                q = [num(r[5]) / peers[pk][r[3]] for r in v
                     if num(r[5]) and peers[pk].get(r[3])]
                vs.append(f"**{f(med(q), '.2f')}** ({f(min(q), '.2f')}-{f(max(q), '.2f')})" if q else "n/a")
            worst = None
            for r in v:
                wr, e = num(r[7]), num(r[8])
                if wr is not None and e:
                    frac = wr / e
                    if worst is None or frac < worst[0]:
                        worst = (frac, int(wr), int(e))
            wtxt = "" if worst is None else f"{worst[1]}/{worst[2]} ({worst[0]:.4f})"
            print(f"| {tool} | {v[0][6]} | {f(med(a))} | {f(med(b))} | **{f(med(ratios), rspec)}x** | {rr} "
                  f"| {vs[0]} | {vs[1]} | {wtxt} | {len(ratios)} |")


if __name__ == "__main__":
    main(sys.argv[1])
