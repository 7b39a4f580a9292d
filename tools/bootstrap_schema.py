#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""One-off bootstrap of schema/syscalls.tsv (kept for provenance, not run by the build).

Argument names and C types were read from a 6.18 kernel's tracefs
(events/syscalls/sys_enter_*/format), syscall classes from strace's x86_64
syscall flags (TD/TF/TN/TP/TS/TM/TI). The result is edited by hand afterwards:
schema/syscalls.tsv is the source of truth, numbers come from the uapi header
at build time (tools/gen_syscall_table.py).

usage: bootstrap_schema.py TRACEFS_ARGS_TSV STRACE_SYSCALLENT... > schema/syscalls.tsv
"""
import re
import sys

CLASS = {"TD": "desc", "TF": "file", "TN": "network", "TP": "process",
         "TS": "signal", "TM": "memory", "TI": "ipc", "TC": "creds",
         "TCL": "clock", "PU": "pure"}

PATH_NAMES = {"filename", "pathname", "path", "oldname", "newname", "specialfile",
              "library", "dev_name", "dir_name", "new_root", "put_old", "name"}


def kind_of(ctype, aname):
    t = ctype.replace("const ", "").strip()
    if aname in ("fd", "oldfd", "newfd", "fd_in", "fd_out", "epfd", "out_fd", "in_fd",
                 "ufd", "pidfd", "mqdes", "fs_fd", "from_dfd", "to_dfd"):
        return "fd"
    if aname in ("dfd", "olddfd", "newdfd", "dirfd"):
        return "dirfd"
    if t == "char *" and ctype.startswith("const"):
        return "path" if aname in PATH_NAMES else "str"
    if t.endswith("*"):
        return "ptr"
    if t in ("size_t", "loff_t", "off_t", "u64", "__u64", "unsigned long"):
        return "uint" if t != "unsigned long" else "hex" if aname in ("addr", "start", "brk") else "uint"
    if t in ("umode_t",):
        return "mode"
    if t in ("unsigned int", "unsigned", "u32", "__u32", "uid_t", "gid_t", "qid_t", "rwf_t",
             "key_serial_t", "aio_context_t"):
        return "uint"
    return "int"


def main():
    args = {}
    for line in open(sys.argv[1]):
        name, _, rest = line.rstrip("\n").partition("\t")
        fields = [f for f in rest.split("|") if f]
        out = []
        for f in fields:
            m = re.match(r"(.*?)\s*\b(\w+)$", f)
            out.append((m.group(1), m.group(2)))
        args[name] = out
    classes = {}
    for path in sys.argv[2:]:
        for line in open(path):
            m = re.match(r"\[.*?\]\s*=\s*\{\s*(\d+),\s*([A-Z|0-9]+),.*\"(\w+)\"", line)
            if m:
                fl = [CLASS[f] for f in m.group(2).split("|") if f in CLASS]
                classes[m.group(3)] = fl
    for name in sorted(set(args) | set(classes)):
        cl = ",".join(classes.get(name, [])) or "-"
        a = args.get(name)
        cols = [f"{an}:{kind_of(ct, an)}" for ct, an in a] if a is not None else ["?"]
        print("\t".join([name, cl, "int"] + cols))


if __name__ == "__main__":
    main()

# Hand-written argument kinds for the syscalls sysgate decodes in depth.
# Vocabulary: docs/SCHEMA.md. N in bufin:N etc. is the 0-based index of the length argument.
RENAME = {"newstat": "stat", "newfstat": "fstat", "newlstat": "lstat", "sendfile64": "sendfile",
          "umount": "umount2", "newuname": "uname"}
RET = {  # return kinds other than plain int
    "hex": "mmap mremap brk shmat",
    "fd": "open openat openat2 creat dup dup2 dup3 socket accept accept4 epoll_create epoll_create1 "
          "eventfd eventfd2 signalfd signalfd4 timerfd_create inotify_init inotify_init1 memfd_create "
          "mq_open perf_event_open io_uring_setup pidfd_open pidfd_getfd fanotify_init userfaultfd "
          "memfd_secret open_by_handle_at fsopen fsmount fspick open_tree",
    "noreturn": "exit exit_group",
}
OVERRIDE = {
    "read": "fd:fd buf:bufout:2 count:uint",
    "write": "fd:fd buf:bufin:2 count:uint",
    "pread64": "fd:fd buf:bufout:2 count:uint pos:int",
    "pwrite64": "fd:fd buf:bufin:2 count:uint pos:int",
    "readv": "fd:fd vec:iovout:2 vlen:uint",
    "writev": "fd:fd vec:iovin:2 vlen:uint",
    "preadv": "fd:fd vec:iovout:2 vlen:uint pos_l:int pos_h:int",
    "pwritev": "fd:fd vec:iovin:2 vlen:uint pos_l:int pos_h:int",
    "preadv2": "fd:fd vec:iovout:2 vlen:uint pos_l:int pos_h:int flags:rwf_flags",
    "pwritev2": "fd:fd vec:iovin:2 vlen:uint pos_l:int pos_h:int flags:rwf_flags",
    "open": "filename:path flags:oflags mode:mode",
    "openat": "dfd:dirfd filename:path flags:oflags mode:mode",
    "openat2": "dfd:dirfd filename:path how:in:open_how size:uint",
    "creat": "pathname:path mode:mode",
    "close": "fd:fd",
    "stat": "filename:path statbuf:out:stat",
    "lstat": "filename:path statbuf:out:stat",
    "fstat": "fd:fd statbuf:out:stat",
    "newfstatat": "dfd:dirfd filename:path statbuf:out:stat flag:atflags",
    "statx": "dfd:dirfd filename:path flags:atflags mask:statx_mask buffer:out:statx",
    "getdents64": "fd:fd dirent:dirents count:uint",
    "getdents": "fd:fd dirent:ptr count:uint",
    "mmap": "addr:hex len:uint prot:mmap_prot flags:mmap_flags fd:fd off:hex",
    "mprotect": "start:hex len:uint prot:mmap_prot",
    "munmap": "addr:hex len:uint",
    "brk": "brk:hex",
    "mremap": "addr:hex old_len:uint new_len:uint flags:mremap_flags new_addr:hex",
    "madvise": "start:hex len_in:uint behavior:madvise",
    "clone": "clone_flags:clone_flags newsp:hex parent_tidptr:ptr child_tidptr:ptr tls:hex",
    "clone3": "uargs:in:clone_args size:uint",
    "execve": "filename:path argv:argv envp:envp",
    "execveat": "fd:dirfd filename:path argv:argv envp:envp flags:atflags",
    "exit": "error_code:int",
    "exit_group": "error_code:int",
    "wait4": "upid:pid stat_addr:out:wstatus options:wait_options ru:ptr",
    "waitid": "which:idtype upid:pid infop:ptr options:wait_options ru:ptr",
    "kill": "pid:pid sig:signum",
    "tkill": "pid:pid sig:signum",
    "tgkill": "tgid:pid pid:pid sig:signum",
    "rt_sigaction": "sig:signum act:in:sigaction oact:out:sigaction sigsetsize:uint",
    "rt_sigprocmask": "how:sighow nset:in:sigset oset:out:sigset sigsetsize:uint",
    "futex": "uaddr:ptr op:futex_op val:uint utime:in:timespec uaddr2:ptr val3:uint",
    "inotify_init1": "flags:inotify_init_flags",
    "inotify_add_watch": "fd:fd pathname:path mask:inotify_mask",
    "inotify_rm_watch": "fd:fd wd:int",
    "epoll_create1": "flags:epoll_create_flags",
    "epoll_ctl": "epfd:fd op:epoll_op fd:fd event:in:epoll_event",
    "epoll_wait": "epfd:fd events:epoll_events_out maxevents:int timeout:int",
    "epoll_pwait": "epfd:fd events:epoll_events_out maxevents:int timeout:int sigmask:in:sigset sigsetsize:uint",
    "epoll_pwait2": "epfd:fd events:epoll_events_out maxevents:int timeout:in:timespec sigmask:in:sigset sigsetsize:uint",
    "select": "n:int inp:fdset:0 outp:fdset:0 exp:fdset:0 tvp:in:timeval",
    "pselect6": "n:int inp:fdset:0 outp:fdset:0 exp:fdset:0 tsp:in:timespec sig:ptr",
    "poll": "ufds:pollfds:1 nfds:uint timeout_msecs:int",
    "ppoll": "ufds:pollfds:1 nfds:uint tsp:in:timespec sigmask:in:sigset sigsetsize:uint",
    "splice": "fd_in:fd off_in:in:loff fd_out:fd off_out:in:loff len:uint flags:splice_flags",
    "tee": "fdin:fd fdout:fd len:uint flags:splice_flags",
    "vmsplice": "fd:fd uiov:iovin:2 nr_segs:uint flags:splice_flags",
    "sendfile": "out_fd:fd in_fd:fd offset:in:loff count:uint",
    "memfd_create": "uname:str flags:memfd_flags",
    "mknod": "filename:path mode:mode_type dev:dev",
    "mknodat": "dfd:dirfd filename:path mode:mode_type dev:dev",
    "signalfd": "ufd:fd user_mask:in:sigset sizemask:uint",
    "signalfd4": "ufd:fd user_mask:in:sigset sizemask:uint flags:sfd_flags",
    "mq_open": "u_name:str oflag:oflags mode:mode u_attr:in:mq_attr",
    "mq_unlink": "u_name:str",
    "mq_timedsend": "mqdes:fd u_msg_ptr:bufin:2 msg_len:uint msg_prio:uint u_abs_timeout:in:timespec",
    "mq_timedreceive": "mqdes:fd u_msg_ptr:bufout:2 msg_len:uint u_msg_prio:ptr u_abs_timeout:in:timespec",
    "mq_notify": "mqdes:fd u_notification:ptr",
    "mq_getsetattr": "mqdes:fd u_mqstat:in:mq_attr u_omqstat:out:mq_attr",
    "getxattr": "pathname:path name:str value:bufout:3 size:uint",
    "lgetxattr": "pathname:path name:str value:bufout:3 size:uint",
    "fgetxattr": "fd:fd name:str value:bufout:3 size:uint",
    "setxattr": "pathname:path name:str value:bufin:3 size:uint flags:xattr_flags",
    "lsetxattr": "pathname:path name:str value:bufin:3 size:uint flags:xattr_flags",
    "fsetxattr": "fd:fd name:str value:bufin:3 size:uint flags:xattr_flags",
    "socket": "family:af type:socktype protocol:int",
    "socketpair": "family:af type:socktype protocol:int usockvec:out:int2",
    "connect": "fd:fd uservaddr:sockaddr:2 addrlen:int",
    "bind": "fd:fd umyaddr:sockaddr:2 addrlen:int",
    "accept": "fd:fd upeer_sockaddr:sockaddr_out:2 upeer_addrlen:socklen",
    "accept4": "fd:fd upeer_sockaddr:sockaddr_out:2 upeer_addrlen:socklen flags:sock_flags",
    "getsockname": "fd:fd usockaddr:sockaddr_out:2 usockaddr_len:socklen",
    "getpeername": "fd:fd usockaddr:sockaddr_out:2 usockaddr_len:socklen",
    "sendto": "fd:fd buff:bufin:2 len:uint flags:msg_flags addr:sockaddr:5 addr_len:int",
    "recvfrom": "fd:fd ubuf:bufout:2 size:uint flags:msg_flags addr:sockaddr_out:5 addr_len:socklen",
    "sendmsg": "fd:fd msg:msghdr_in flags:msg_flags",
    "recvmsg": "fd:fd msg:msghdr_out flags:msg_flags",
    "shutdown": "fd:fd how:shutdown_how",
    "listen": "fd:fd backlog:int",
    "io_uring_setup": "entries:uint p:in:io_uring_params",
    "io_uring_enter": "fd:fd to_submit:uint min_complete:uint flags:io_uring_enter_flags argp:ptr argsz:uint",
    "io_uring_register": "fd:fd opcode:io_uring_register_op arg:ptr nr_args:uint",
    "seccomp": "op:seccomp_op flags:seccomp_flags uargs:ptr",
    "ptrace": "request:ptrace_req pid:pid addr:hex data:hex",
    "perf_event_open": "attr_uptr:in:perf_event_attr pid:pid cpu:int group_fd:fd flags:perf_flags",
    "process_vm_readv": "pid:pid lvec:iovout:2 liovcnt:uint rvec:iovaddr:4 riovcnt:uint flags:uint",
    "process_vm_writev": "pid:pid lvec:iovin:2 liovcnt:uint rvec:iovaddr:4 riovcnt:uint flags:uint",
    "rseq": "rseq:ptr rseq_len:uint flags:rseq_flags sig:hex",
    "prctl": "option:prctl_op arg2:hex arg3:hex arg4:hex arg5:hex",
    "arch_prctl": "option:arch_prctl_op arg2:hex",
    "bpf": "cmd:bpf_cmd uattr:ptr size:uint",
    "pipe": "fildes:out:int2",
    "pipe2": "fildes:out:int2 flags:oflags",
    "dup3": "oldfd:fd newfd:fd flags:oflags",
    "fcntl": "fd:fd cmd:fcntl_cmd arg:hex",
    "lseek": "fd:fd offset:int whence:whence",
    "access": "filename:path mode:access_mode",
    "faccessat": "dfd:dirfd filename:path mode:access_mode",
    "faccessat2": "dfd:dirfd filename:path mode:access_mode flags:atflags",
    "unlinkat": "dfd:dirfd pathname:path flag:atflags",
    "readlink": "path:path buf:bufout:2 bufsiz:int",
    "readlinkat": "dfd:dirfd pathname:path buf:bufout:3 bufsiz:int",
    "getcwd": "buf:bufout:1 size:uint",
    "set_robust_list": "head:ptr len:uint",
    "set_tid_address": "tidptr:ptr",
    "clock_gettime": "which_clock:clockid tp:out:timespec",
    "clock_nanosleep": "which_clock:clockid flags:timer_flags rqtp:in:timespec rmtp:ptr",
    "nanosleep": "rqtp:in:timespec rmtp:ptr",
    "uname": "name:ptr",
    "getrandom": "ubuf:ptr len:uint flags:getrandom_flags",
    "prlimit64": "pid:pid resource:rlimit_resource new_rlim:in:rlimit old_rlim:out:rlimit",
    "getrlimit": "resource:rlimit_resource rlim:out:rlimit",
    "setrlimit": "resource:rlimit_resource rlim:in:rlimit",
    "ioctl": "fd:fd cmd:hex arg:hex",
    "eventfd2": "count:uint flags:efd_flags",
    "timerfd_create": "clockid:clockid flags:tfd_flags",
    "close_range": "fd:fd max_fd:fd flags:close_range_flags",
    "pidfd_open": "pid:pid flags:uint",
    "pidfd_send_signal": "pidfd:fd sig:signum info:ptr flags:uint",
    "rt_sigreturn": "",
    "getppid": "", "getpid": "", "gettid": "",
    "umask": "mask:mode",
    "chmod": "filename:path mode:mode",
    "fchmod": "fd:fd mode:mode",
    "fchmodat": "dfd:dirfd filename:path mode:mode",
    "mkdir": "pathname:path mode:mode",
    "mkdirat": "dfd:dirfd pathname:path mode:mode",
    "renameat2": "olddfd:dirfd oldname:path newdfd:dirfd newname:path flags:rename_flags",
}


def apply_overrides(rows):
    for r in rows:
        name = RENAME.get(r[0], r[0])
        r[0] = name
        for kind, names in RET.items():
            if name in names.split():
                r[2] = kind
        if name in OVERRIDE:
            r[3:] = OVERRIDE[name].split() if OVERRIDE[name] else []
    return rows
