#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Boot Debian's 6.1 kernel under QEMU (TCG) and run sysgate's kernel-module and
eBPF scenarios in it; read the results from the serial console.

usage: vm.py SYSGATE KMOD_SRC SCHEMA_DIR PROGS_DIRS(:-separated) ZAP_PROGS_DIR WORKDIR [--bench]

Builds kmod/ against /lib/modules/<6.1 version>/build (Debian linux-headers),
packs an initramfs (busybox-static, the module, sysgate and the shared libraries
it needs, test programs, tests/vm/init.sh), boots it and checks every
"SGVM RESULT <name> PASS|FAIL" line. A kernel warning, oops or BUG on the
console fails the run.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = re.compile(r"WARNING:|BUG:|Oops|Call Trace:|general protection fault|kernel BUG|RIP: 0010")


def find_kernel():
    for vmlinuz in sorted(glob.glob("/boot/vmlinuz-6.1*"), reverse=True):
        ver = vmlinuz[len("/boot/vmlinuz-"):]
        if os.path.isdir(f"/lib/modules/{ver}/build"):
            return ver, vmlinuz
    sys.exit("no Debian 6.1 kernel with headers: apt-get install linux-image-amd64 linux-headers-amd64")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode:
        sys.exit(f"{' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}")
    return r.stdout


def build_module(ver, kmod_src, schema, work):
    d = os.path.join(work, "kmod")
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(kmod_src, d, ignore=shutil.ignore_patterns("*.o", "*.ko", "*.mod*", ".*"))
    shutil.rmtree(os.path.join(work, "schema"), ignore_errors=True)
    shutil.copytree(schema, os.path.join(work, "schema"))
    t = time.time()
    out = subprocess.run(["make", "-C", f"/lib/modules/{ver}/build", f"M={d}", "modules"],
                         capture_output=True, text=True)
    if out.returncode or "warning:" in out.stderr + out.stdout:
        sys.exit("module build failed or warned:\n" + out.stdout + out.stderr)
    print(f"module built against {ver} in {time.time() - t:.1f} s")
    return os.path.join(d, "sysgate_kmod.ko")


def copy_with_libs(binary, root, dest="bin"):
    target = os.path.join(root, dest, os.path.basename(binary))
    shutil.copy2(binary, target)
    subprocess.run(["strip", "--strip-debug", target], capture_output=True)
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    for m in re.finditer(r"(/[^\s]+\.so[^\s]*)", ldd):
        lib = m.group(1)
        real = os.path.realpath(lib)
        dst = os.path.join(root, lib.lstrip("/"))
        if not os.path.exists(dst):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(real, dst)


def build_initramfs(work, sysgate, ko, progs, zap_progs):
    root = os.path.join(work, "root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "etc", "lib", "lib64", "usr/bin", "progs"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy2("/bin/busybox", os.path.join(root, "bin/busybox"))
    copy_with_libs(sysgate, root)
    found = []
    for d in progs.split(":") + [zap_progs]:
        found += glob.glob(os.path.join(d, "*"))
    for p in found:
        if os.path.isfile(p) and os.access(p, os.X_OK) and not p.endswith((".py", ".cmake")):
            copy_with_libs(p, root, "progs")
    shutil.copy2(ko, os.path.join(root, "sysgate_kmod.ko"))
    shutil.copy2(os.path.join(HERE, "init.sh"), os.path.join(root, "init"))
    os.chmod(os.path.join(root, "init"), 0o755)
    with open(os.path.join(root, "etc/hostname"), "w") as f:
        f.write("sgvm\n")
    cpio = os.path.join(work, "initramfs.cpio.gz")
    subprocess.run(f"cd {root} && find . | cpio -o -H newc --quiet | gzip -1 > {cpio}", shell=True, check=True)
    return cpio


def boot(vmlinuz, initrd, extra, timeout):
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "1024", "-smp", "2",
           "-nographic", "-no-reboot", "-kernel", vmlinuz, "-initrd", initrd,
           "-append", f"console=ttyS0 panic=-1 oops=panic loglevel=4 quiet {extra}"]
    t = time.time()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
        out = r.stdout
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        out += "\nSGVM TIMEOUT\n"
    return out, time.time() - t


def main():
    sysgate, kmod_src, schema, progs, zap_progs, work = sys.argv[1:7]
    mode = "bench" if "--bench" in sys.argv else "test"
    os.makedirs(work, exist_ok=True)
    ver, vmlinuz = find_kernel()
    ko = build_module(ver, kmod_src, schema, work)
    initrd = build_initramfs(work, sysgate, ko, progs, zap_progs)
    out, secs = boot(vmlinuz, initrd, f"sgvm.mode={mode}", 600)
    with open(os.path.join(work, "console.log"), "w") as f:
        f.write(out)
    print(f"booted {ver} under TCG, ran the scenarios in {secs:.1f} s (console: {work}/console.log)")
    results = re.findall(r"SGVM RESULT (\S+) (PASS|FAIL)(.*)", out)
    bad = [l for l in out.splitlines() if BAD.search(l)]
    fails = 0
    for name, status, detail in results:
        print(f"{status:4} {name}{detail}")
        fails += status != "PASS"
    for line in out.splitlines():
        if "SGVM BENCH" in line:
            print(line[line.index("SGVM BENCH"):])
    if bad:
        print("kernel warnings/oopses on the console:\n  " + "\n  ".join(bad[:20]))
    if "SGVM DONE" not in out:
        print("the VM did not finish its scenarios; console tail:\n" + "\n".join(out.splitlines()[-40:]))
    if fails or bad or "SGVM DONE" not in out or not results:
        if fails:
            print("console tail:\n" + "\n".join(out.splitlines()[-60:]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
