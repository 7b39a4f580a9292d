/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * sysgate event ABI: the records every backend (eBPF, kernel module) hands to
 * user space, and the per-syscall capture specification user space hands to
 * the kernel side. Plain C, fixed-width types, no pointers, 8-byte aligned
 * records. Shared by bpf/, kmod/ and src/; bump SG_ABI_VERSION on any change.
 */
#ifndef SYSGATE_ABI_H
#define SYSGATE_ABI_H

#if defined(__KERNEL__) || defined(__bpf__)
/* the including file provides __u8 .. __s64 (vmlinux.h or linux/types.h) */
#else
#include <linux/types.h>
#endif

#define SG_ABI_VERSION 4
#define SG_NARGS 6
#define SG_COMM_LEN 16
#define SG_MAX_SYSCALLS 512   /* x86-64 numbers are < 512 */
#define SG_EVENT_MAX 16384    /* largest record, captures included */
#define SG_MAX_CAP_BYTES 4096 /* largest single capture (string or buffer) */
#define SG_MAX_STRARR 32      /* argv entries captured */
#define SG_MAX_IOV 8          /* iovec entries whose data is captured */
#define SG_MAX_COMMS 8        /* -n/--comm names of one session */

enum sg_event_type {
	SG_EV_ENTER = 1,       /* struct sg_enter + captures */
	SG_EV_EXIT = 2,        /* struct sg_exit + captures */
	SG_EV_TASK_EXIT = 3,   /* struct sg_task_exit: a traced thread ended */
	SG_EV_ZAP = 4,         /* struct sg_zap: the Nth matching call, signalled */
	SG_EV_SIG_DELIVER = 5, /* struct sg_sig_deliver: a zapped process took its signal */
	SG_EV_EXIT_START = 6,  /* struct sg_hdr: a zapped process called exit_group */
	SG_EV_PROBE = 7,       /* struct sg_probe_hit: a symbol probe fired (kmod --probe) */
	SG_EV_SIGNAL = 8,      /* struct sg_signal: a target thread takes a signal (trace) */
};

struct sg_hdr {
	__u16 type;  /* enum sg_event_type */
	__u16 size;  /* whole record in bytes, captures included, multiple of 8 */
	__u32 tgid;  /* process id */
	__u32 tid;   /* thread id */
	__s32 nr;    /* syscall number */
	__u64 ts_ns; /* CLOCK_MONOTONIC (bpf_ktime_get_ns / ktime_get_ns) */
	char comm[SG_COMM_LEN];
};

struct sg_enter {
	struct sg_hdr hdr;
	__u64 args[SG_NARGS];
	__u16 ncap;  /* capture records that follow */
	__u16 flags; /* enum sg_call_flags */
	__u32 seq;   /* per-CPU sequence, for drop diagnostics */
};

/* sg_enter.flags and sg_exit.flags */
enum sg_call_flags {
	SG_XF_INJECTED =
		1, /* the result was injected (-e inject=, -e fault=): the call did not run */
	SG_XF_ZAPPED = 2, /* the call a zap acted on (its decoded form goes into the zap report) */
};

struct sg_exit {
	struct sg_hdr hdr;
	__s64 ret;
	__u64 enter_ts_ns; /* 0 when the entry was not seen */
	__u16 ncap;
	__u16 flags; /* enum sg_call_flags */
	__u32 pad;
};

struct sg_task_exit {
	struct sg_hdr hdr; /* nr = -1 */
	__s32 exit_code;   /* task->exit_code: (status << 8) | signal */
	__u32 group_dead;  /* 1 when this was the last thread of its process */
	__u32 zap_matched; /* zap mode: matching calls this process made */
	__u32 zap_done;    /* zap mode: 1 if it was signalled */
};

/* zap: where the Nth call was acted on (zap --at entry|exit, --before) */
enum sg_zap_at {
	SG_ZAP_AT_ENTRY = 0, /* signalled at the call's entry: the call goes on into the kernel */
	SG_ZAP_AT_EXIT = 1,  /* signalled when the call returned, before the next instruction */
	SG_ZAP_BEFORE = 2,   /* the call never ran: killed, or failed with an errno, instead */
};

/*
 * zap: one per signalled process; hdr.ts_ns is the syscall entry, hdr.tid the
 * thread that made the call. The call's decoded form comes from the SG_EV_ENTER
 * (and, at exit, SG_EV_EXIT) record flagged SG_XF_ZAPPED that the kernel side
 * writes for the same thread just before this record.
 */
struct sg_zap {
	struct sg_hdr hdr;
	__u64 args[SG_NARGS];
	__u64 signal_ts_ns; /* right after the signal was sent (0: user space sends it) */
	__s32 signal;
	__s32 send_ret; /* bpf_send_signal() result, 0 = sent */
	__u32 nth;
	__u32 at;         /* enum sg_zap_at */
	__s64 ret;        /* SG_ZAP_AT_EXIT: the call's result; SG_ZAP_BEFORE: the injected one */
	__u64 exit_ts_ns; /* SG_ZAP_AT_EXIT: when the call returned */
	__u32 ppid;       /* the caller's parent process (--scope tree finds its tree by it) */
	__u32 pad;
	__u64 cgroup_id; /* the caller's cgroup v2 id (--scope cgroup; the process may be gone) */
};

struct sg_sig_deliver {
	struct sg_hdr hdr; /* the thread that dequeued the signal */
	__s32 signal;
	__u32 pad;
	__u64 handler; /* 0 SIG_DFL, 1 SIG_IGN, else the handler's address */
};

/*
 * trace: a signal delivered to a target thread (strace's "--- SIGX {...} ---"),
 * recorded where the thread dequeues it (eBPF/kmod: signal_deliver; ptrace:
 * the signal-delivery stop). info holds the first SG_SIGINFO_LEN bytes of the
 * siginfo: si_signo, si_errno, si_code, then the union (x86-64 layout, as
 * struct kernel_siginfo and the start of the user siginfo_t).
 */
#define SG_SIGINFO_LEN 48

struct sg_signal {
	struct sg_hdr hdr; /* nr = -1 */
	__s32 signo;
	__u32 info_ok; /* 1 when info was read, 0 when only signo is known */
	__u64 handler; /* 0 SIG_DFL, 1 SIG_IGN, else the handler's address */
	__u8 info[SG_SIGINFO_LEN];
};

/* a symbol+offset probe hit (kernel module backend, --probe) */
struct sg_probe_hit {
	struct sg_hdr hdr; /* type SG_EV_PROBE, nr = -1 */
	__u32 probe_id;
	__u32 pad;
	__u64 ip;
	__u64 regs[6]; /* di si dx cx r8 r9 */
};

/* zap: argument conditions, all of which must hold (logic: sysgate_match.h) */
enum sg_match_op {
	SG_MATCH_EQ = 1,     /* (arg & mask) == value */
	SG_MATCH_BITS = 2,   /* (arg & value) == value: these flag bits are set */
	SG_MATCH_PREFIX = 3, /* the string at arg starts with prefix */
};

#define SG_MAX_MATCH 4
#define SG_PREFIX_MAX 64 /* bytes of a prefix; longer ones are refused, never cut */

struct sg_arg_match {
	__u8 index;
	__u8 op;   /* enum sg_match_op */
	__u16 len; /* prefix length */
	__u32 pad;
	__u64 value;
	__u64 mask; /* 0xffffffff for 32-bit arguments */
	char prefix[SG_PREFIX_MAX];
};

/* one capture: header then len bytes, padded to a multiple of 8 */
enum sg_cap_kind {
	SG_CK_NONE = 0,
	SG_CK_STR = 1,    /* NUL-terminated string (len excludes the NUL) */
	SG_CK_BUF = 2,    /* raw bytes */
	SG_CK_IOV = 3,    /* iovec array; its element data follow as SG_CK_BUF with SG_CF_ELEM */
	SG_CK_STRARR = 4, /* string array (argv); elements follow as SG_CK_STR with SG_CF_ELEM */
	SG_CK_PTRARR = 5, /* NULL-terminated pointer array, counted only (envp) */
	SG_CK_MSGHDR = 6, /* struct user_msghdr; then name (BUF|ELEM) and iov data */
	SG_CK_SOCKLEN = 7 /* 4 bytes read through an int * */
};

enum sg_cap_flags {
	SG_CF_FAULT = 1, /* memory could not be read: print the address */
	SG_CF_TRUNC = 2, /* more data existed than was captured */
	SG_CF_ELEM = 4,  /* element of the preceding IOV/STRARR/MSGHDR capture */
	SG_CF_EXIT = 8,  /* captured at syscall exit */
};

struct sg_cap {
	__u8 arg;   /* argument index 0..5 */
	__u8 kind;  /* enum sg_cap_kind */
	__u8 flags; /* enum sg_cap_flags */
	__u8 pad;
	__u32 len;  /* bytes of data that follow this header */
	__u64 size; /* kind-specific: wanted length, element count, or array count */
};

/* ----- what the kernel side captures, per syscall and argument ----- */
enum sg_len_src {
	SG_LEN_CONST = 0,  /* fixed: spec.size */
	SG_LEN_ARG = 1,    /* args[len_arg] * elem (bytes) */
	SG_LEN_RET = 2,    /* return value (exit only), at most args[len_arg] */
	SG_LEN_ARGPTR = 3, /* *(int *)args[len_arg] (exit: after the call) */
	SG_LEN_FDSET = 4,  /* (args[len_arg] + 63) / 64 * 8 */
};

enum sg_when {
	SG_AT_ENTER = 1,
	SG_AT_EXIT = 2,
	SG_AT_BOTH = 3,
};

struct sg_cap_spec {
	__u8 kind;    /* enum sg_cap_kind, SG_CK_NONE = nothing to capture */
	__u8 when;    /* enum sg_when */
	__u8 len_src; /* enum sg_len_src */
	__u8 len_arg; /* argument index for SG_LEN_ARG/RET/ARGPTR/FDSET */
	__u16 elem;   /* multiplier for SG_LEN_ARG (struct size), 0 = 1 */
	__u16 size;   /* SG_LEN_CONST size; for others an upper bound (0 = default) */
};

enum sg_sys_flags {
	SG_SYS_TRACED = 1,   /* selected by the user's -e filter */
	SG_SYS_NORETURN = 2, /* exit, exit_group: no exit record will come */
	SG_SYS_CAPTURE = 4,  /* at least one argument has a capture */
	SG_SYS_EXIT_CAP = 8, /* at least one capture at exit: keep args at entry */
	SG_SYS_STREAM = 16,  /* zap: also streamed as trace streams it (the fd table of zap -y) */
};

struct sg_sys_spec {
	__u32 flags; /* enum sg_sys_flags */
	__u32 pad;
	struct sg_cap_spec cap[SG_NARGS];
};

/* ----- counters, one slot per CPU ----- */
enum sg_counter {
	SG_CNT_ENTER_SEEN = 0, /* target syscall entries seen */
	SG_CNT_ENTER_DROP,     /* entry records lost (ring buffer full) */
	SG_CNT_EXIT_DROP,      /* exit records lost */
	SG_CNT_TASK_DROP,      /* task-exit records lost */
	SG_CNT_CAP_TRUNC,      /* records cut short because the event was full */
	SG_CNT_INFLIGHT_FULL,  /* entries whose arguments could not be kept for the exit */
	SG_CNT_ZAP_DROP,       /* zap records lost (the signal was still sent) */
	SG_CNT_ZAP_RATE,       /* zaps skipped by --max-rate */
	SG_CNT_ZAP_PROCS_FULL, /* target processes the zap table had no room for */
	SG_CNT_SIGNAL_DROP,    /* trace: signal records lost (struct sg_signal) */
	SG_CNT_MAX
};

/* ----- count mode: per syscall, per CPU ----- */
struct sg_count {
	__u64 calls;
	__u64 errors;
	__u64 total_ns;
	__u64 max_ns;
};

#endif /* SYSGATE_ABI_H */
