/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * The control interface of the sysgate kernel module (/dev/sysgate): ioctls
 * that configure one session. Events are read() from the same device as
 * records of the event ABI (sysgate_abi.h).
 */
#ifndef SYSGATE_KMOD_H
#define SYSGATE_KMOD_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* the records (struct sg_probe_hit, SG_EV_PROBE included) live in the event ABI */
#include "sysgate_abi.h"

#define SG_KMOD_DEVICE "/dev/sysgate"
#define SG_KMOD_MAX_PROBES 64
#define SG_KMOD_SYM_LEN 64
#define SG_KMOD_RING_MAX (256u << 20)

enum sg_kmod_mode {
	SG_KMOD_TRACE = 0,
	SG_KMOD_COUNT = 1,
	SG_KMOD_ZAP = 2,
};

/* SG_IOC_CONFIG: the session, before any probe is added */
struct sg_kmod_config {
	__u32 abi_version; /* SG_ABI_VERSION */
	__u32 size;        /* sizeof(struct sg_kmod_config) */
	__u32 mode;        /* enum sg_kmod_mode */
	__u32 self_tgid;   /* never traced */
	__u32 match_all;
	__u32 follow;
	__u32 launch_tgid; /* a target from its execve on */
	__u32 ncomm;
	char comms[SG_MAX_COMMS][SG_COMM_LEN];
	__u32 ring_bytes; /* 0: default (4 MiB); a power of two, at most SG_KMOD_RING_MAX */
	__u32 zap_nth;
	__s32 zap_signal;
	__u32 zap_force;
	__u32 zap_in_kernel;
	__u32 zap_max_total; /* --count: never more zaps than this (0: no limit) */
	__u32 zap_at;        /* enum sg_zap_at: SG_ZAP_AT_ENTRY or SG_ZAP_AT_EXIT */
	__u32 zap_user;      /* 1: user space decides (seccomp --before, --now); only timing here */
};

/* SG_IOC_SPEC: what to capture for one syscall (the same rows as the BPF side) */
struct sg_kmod_spec {
	__u32 nr;
	__u32 pad;
	struct sg_sys_spec spec;
};

/* SG_IOC_ADD_PROBE: a syscall (nr >= 0, symbol "__x64_sys_NAME") or any symbol+offset (nr < 0) */
struct sg_kmod_probe {
	__s32 nr;
	__u32 id; /* out: the probe id reported in SG_EV_PROBE records */
	__u64 offset;
	char symbol[SG_KMOD_SYM_LEN];
};

/* SG_IOC_TARGET: add (or remove) a process */
struct sg_kmod_target {
	__u32 tgid;
	__u32 remove;
};

/* SG_IOC_STATS */
struct sg_kmod_stats {
	__u64 counters[SG_CNT_MAX];
	__u64 ring_drops;    /* records lost because the ring was full (all kinds) */
	__u64 kprobe_missed; /* kprobe/kretprobe hits the kernel could not run */
	__u32 nprobes;
	__u32 pad;
};

/* SG_IOC_COUNTS: count mode, one row per syscall number */
struct sg_kmod_counts {
	__u64 user_ptr; /* struct sg_count[SG_MAX_SYSCALLS] */
	__u32 size;     /* bytes at user_ptr */
	__u32 pad;
};

#define SG_IOC_MAGIC 0xb7
#define SG_IOC_CONFIG _IOW(SG_IOC_MAGIC, 1, struct sg_kmod_config)
#define SG_IOC_SPEC _IOW(SG_IOC_MAGIC, 2, struct sg_kmod_spec)
#define SG_IOC_ADD_PROBE _IOWR(SG_IOC_MAGIC, 3, struct sg_kmod_probe)
#define SG_IOC_TARGET _IOW(SG_IOC_MAGIC, 4, struct sg_kmod_target)
#define SG_IOC_START _IO(SG_IOC_MAGIC, 5)
#define SG_IOC_STATS _IOR(SG_IOC_MAGIC, 6, struct sg_kmod_stats)
#define SG_IOC_COUNTS _IOW(SG_IOC_MAGIC, 7, struct sg_kmod_counts)
#define SG_IOC_ARG_MATCH _IOW(SG_IOC_MAGIC, 8, struct sg_arg_match)

#endif /* SYSGATE_KMOD_H */
