// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * sysgate kernel side (eBPF): match the target, record the call, count what is
 * lost. Everything else (decoding, pairing entry and exit, output) happens in
 * user space.
 *
 * Target membership is a bitmap indexed by tgid, updated at fork, exec and
 * exit, so the per-syscall filter is one inlined array load and a bit test:
 * processes that are not targets pay as little as the kernel allows.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sysgate_abi.h"
#include "sysgate_match.h"

/* GPL-2.0-only OR Apache-2.0 (SPDX line above); the kernel knows it as "GPL" (LICENSE) */
char LICENSE[] SEC("license") = "GPL";

#define SCRATCH_SIZE (SG_EVENT_MAX + SG_MAX_CAP_BYTES + 64)
#define OFF_MASK (SG_EVENT_MAX - 1)
#define CAP_MASK (SG_MAX_CAP_BYTES - 1)
#define BPF_LOCAL_STORAGE_GET_F_CREATE 1

/* set by user space before load */
const volatile __u32 self_tgid = 0;
const volatile __u8 match_all = 0;   /* -a: every process whose bit is NOT set */
const volatile __u8 use_cgroup = 0;  /* --cgroup */
const volatile __u8 follow_fork = 0; /* -f or a launched command */
const volatile __u32 ncomm = 0;
const volatile __u32 launch_tgid = 0; /* a launched command: a target from its execve on */
const volatile char comms[SG_MAX_COMMS][SG_COMM_LEN] = {};

/* zap */
/* 0 off, 1 signal in the kernel, 2 user space signals, 3 user space decides (seccomp, --now) */
const volatile __u8 zap_mode = 0;
const volatile __u8 zap_at = 0;     /* enum sg_zap_at: SG_ZAP_AT_ENTRY or SG_ZAP_AT_EXIT */
const volatile __u8 zap_stream = 0; /* -y: calls flagged SG_SYS_STREAM are streamed too */
const volatile __u32 zap_nth = 1;
const volatile __s32 zap_signal = 15;
const volatile __u8 zap_force = 0; /* allow pid 1 */
const volatile __u32 zap_max_per_sec = 0;
const volatile __u32 zap_max_total = 0; /* --count: the kernel never zaps more than this */
const volatile __u32 zap_nmatch = 0;
const volatile struct sg_arg_match zap_match[SG_MAX_MATCH] = {};

/* bit (tgid & 63) of word (tgid >> 6): target (or, with match_all, excluded) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1); /* resized by user space from pid_max */
} targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
} cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct sg_sys_spec);
	__uint(max_entries, SG_MAX_SYSCALLS);
} sys_spec SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 24); /* resized by user space */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, SG_CNT_MAX);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct sg_count);
	__uint(max_entries, SG_MAX_SYSCALLS);
} counts SEC(".maps");

/* the entry a thread is in, kept for its exit */
struct inflight {
	__u64 ts;
	__s64 nr; /* -1: none */
	__u64 args[SG_NARGS];
	__u32 retry; /* strings unreadable at entry (not paged in yet): read again at exit */
	__u32 zap;   /* zap --at exit: this call is the one to signal when it returns (its nth) */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* zap: per target process, its matching calls so far */
struct zap_proc {
	__u32 matched;
	__u32 zapped;
	__u32 exit_started;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct zap_proc);
	__uint(max_entries, 65536);
} zap_procs SEC(".maps");

/* processes a zap never touches: sysgate's output readers */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u8);
	__uint(max_entries, 256);
} zap_never SEC(".maps");

/* zaps so far, for --count */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} zap_total SEC(".maps");

/* --max-rate: a token bucket of zap_max_per_sec tokens, refilled at that rate per second */
struct zap_rate {
	__u64 last_ns;
	__u64 tokens; /* in units of 1e-9 token */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct zap_rate);
	__uint(max_entries, 1);
} zap_rate SEC(".maps");

struct scratch {
	char buf[SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct scratch);
	__uint(max_entries, 1);
} scratch SEC(".maps");

/*
 * Trace records wake the reader only once wakeup_bytes are pending (user space
 * also polls with a short timeout): one wake-up per batch instead of one per
 * record, which at high rates costs the traced process more than the record.
 * Zap, exit and delivery records always wake it at once.
 */
const volatile __u64 wakeup_bytes = 0;

static __always_inline __u64 wakeup_flags(void)
{
	if (!wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP :
									       BPF_RB_NO_WAKEUP;
}

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		*c += 1;
}

static __always_inline bool bit_test(__u32 tgid)
{
	__u32 idx = tgid >> 6;
	__u64 *w = bpf_map_lookup_elem(&targets, &idx);

	return w && (*w & (1ULL << (tgid & 63)));
}

static __always_inline void bit_set(__u32 tgid)
{
	__u32 idx = tgid >> 6;
	__u64 *w = bpf_map_lookup_elem(&targets, &idx);

	if (w)
		__sync_fetch_and_or(w, 1ULL << (tgid & 63));
}

static __always_inline void bit_clear(__u32 tgid)
{
	__u32 idx = tgid >> 6;
	__u64 *w = bpf_map_lookup_elem(&targets, &idx);

	if (w)
		__sync_fetch_and_and(w, ~(1ULL << (tgid & 63)));
}

/* the target set, by tgid alone (-a: every process not marked; else the marked ones) */
static __always_inline bool tgid_selected(__u32 tgid)
{
	if (tgid == self_tgid)
		return false;
	return match_all ? !bit_test(tgid) : bit_test(tgid);
}

/* tgid is the current task's: its cgroup is checked too (--cgroup) */
static __always_inline bool is_target(__u32 tgid)
{
	if (tgid_selected(tgid))
		return true;
	if (use_cgroup && tgid != self_tgid && !match_all)
		return bpf_current_task_under_cgroup(&cgroups, 0) == 1;
	return false;
}

static __always_inline bool comm_matches(const char *comm)
{
	char c[SG_COMM_LEN];

	if (!ncomm)
		return false;
	if (bpf_probe_read_kernel(c, sizeof(c), comm))
		return false;
	for (int i = 0; i < SG_MAX_COMMS; i++) {
		bool eq = true;

		if (i >= ncomm)
			break;
		for (int j = 0; j < SG_COMM_LEN; j++) {
			if (c[j] != comms[i][j]) {
				eq = false;
				break;
			}
			if (!c[j])
				break;
		}
		if (eq)
			return true;
	}
	return false;
}

/* the launched command becomes a target at its execve: its set-up before exec is not traced */
static __always_inline void launch_check(long nr, __u32 tgid)
{
	if (launch_tgid && tgid == launch_tgid && sg_is_exec(nr))
		bit_set(tgid);
}

static __always_inline void fill_hdr(struct sg_hdr *h, __u16 type, __u16 size, __u64 pid_tgid,
				     __s32 nr, __u64 ts)
{
	h->type = type;
	h->size = size;
	h->tgid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->nr = nr;
	h->ts_ns = ts;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* ------------------------------------------------------------------------ */
/* captures: written into the per-CPU scratch record at st->off              */

/*
 * The capture functions are global (not static) BPF functions: the verifier
 * checks each once, on its own, instead of once per call site and loop
 * iteration, which keeps the program far below its complexity limit. Their
 * state is plain data; each looks up the per-CPU scratch record itself.
 */
struct cap_state {
	__u64 args[SG_NARGS];
	__s64 ret;
	__u32 off;
	__u16 ncap;
	__u8 at_exit;
	__u8 full;
	/* the capture being made (BPF calls take at most five arguments) */
	__u8 c_arg;
	__u8 c_kind;
	__u8 c_flags;
	__u8 retry; /* entry: string arguments that faulted; exit: those to read again */
	__u32 c_max;
};

static __always_inline char *scratch_buf(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	return s ? s->buf : NULL;
}

/* args[i] without a variable-offset stack read (the verifier rejects those) */
static __always_inline __u64 arg_at(const __u64 *args, __u32 i)
{
	/* one constant index per case, for the verifier */
	/* clang-format off */
	switch (i) {
	case 0: return args[0];
	case 1: return args[1];
	case 2: return args[2];
	case 3: return args[3];
	case 4: return args[4];
	case 5: return args[5];
	}
	/* clang-format on */
	return 0;
}

/*
 * Reserve a capture header at st->off. Returns the header offset, or -1 if the
 * record is full (counted once per record).
 */
static __always_inline int cap_begin(struct cap_state *st)
{
	if (st->off > SG_EVENT_MAX - SG_MAX_CAP_BYTES - 2 * sizeof(struct sg_cap)) {
		if (!st->full)
			count(SG_CNT_CAP_TRUNC);
		st->full = 1;
		return -1;
	}
	return st->off;
}

static __always_inline void cap_end(struct cap_state *st, char *buf, __u32 hoff, __u8 kind,
				    __u8 flags, __u32 len, __u64 size)
{
	struct sg_cap *h = (void *)(buf + (hoff & OFF_MASK));

	h->arg = st->c_arg;
	h->kind = kind;
	h->flags = flags;
	h->pad = 0;
	h->len = len;
	h->size = size;
	st->off = hoff + sizeof(struct sg_cap) + ((len + 7) & ~7U);
	st->ncap++;
}

static __always_inline char *cap_data(char *buf, __u32 hoff)
{
	return buf + ((hoff + sizeof(struct sg_cap)) & OFF_MASK);
}

/* string at ptr, at most st->c_max bytes; flags from st->c_flags */
__noinline int cap_str(struct cap_state *st, __u64 ptr)
{
	char *buf = scratch_buf();
	__u32 max, len = 0;
	__u8 flags;
	long n;
	int hoff;

	if (!st || !buf)
		return -1;
	hoff = cap_begin(st);
	if (hoff < 0)
		return -1;
	max = st->c_max;
	flags = st->c_flags;
	if (max > SG_MAX_CAP_BYTES)
		max = SG_MAX_CAP_BYTES;
	if (max < 2)
		max = 2;
	n = bpf_probe_read_user_str(cap_data(buf, hoff), max, (const void *)ptr);
	if (n < 0) {
		flags |= SG_CF_FAULT;
		if (!(flags & SG_CF_ELEM) && !st->at_exit)
			st->retry |= 1 << (st->c_arg & 7);
	} else {
		len = n > 0 ? n - 1 : 0;
		if (n >= max)
			flags |= SG_CF_TRUNC;
	}
	cap_end(st, buf, hoff, SG_CK_STR, flags, len & (SG_MAX_CAP_BYTES * 2 - 1), 0);
	return 0;
}

/* want bytes at ptr, at most st->c_max of them, as a st->c_kind capture */
__noinline int cap_buf(struct cap_state *st, __u64 ptr, __u64 want)
{
	char *buf = scratch_buf();
	__u32 max, rd;
	__u8 flags;
	int hoff;

	if (!st || !buf)
		return -1;
	hoff = cap_begin(st);
	if (hoff < 0)
		return -1;
	max = st->c_max;
	flags = st->c_flags;
	if (max > SG_MAX_CAP_BYTES)
		max = SG_MAX_CAP_BYTES;
	rd = want < max ? (__u32)want : max;
	if (want > rd)
		flags |= SG_CF_TRUNC;
	if (rd > SG_MAX_CAP_BYTES)
		rd = SG_MAX_CAP_BYTES;
	if (rd && bpf_probe_read_user(cap_data(buf, hoff), rd, (const void *)ptr)) {
		flags |= SG_CF_FAULT;
		rd = 0;
	}
	cap_end(st, buf, hoff, st->c_kind, flags, rd, want);
	return 0;
}

/*
 * iovec array (cnt entries at ptr) then each element's data; budget (>= 0)
 * bounds the data in total (the return value at exit). st->c_flags is the base
 * flag set of the array capture (SG_CF_ELEM inside a msghdr).
 */
__noinline int cap_iov(struct cap_state *st, __u64 ptr, __u64 cnt, __s64 budget)
{
	char *buf = scratch_buf();
	__u32 n = cnt < SG_MAX_IOV ? (__u32)cnt : SG_MAX_IOV;
	__u8 base, f;
	__u32 arr, sz;
	int hoff;

	if (!st || !buf)
		return -1;
	base = st->c_flags;
	f = base;
	if (cnt > SG_MAX_IOV)
		f |= SG_CF_TRUNC;
	hoff = cap_begin(st);
	if (hoff < 0)
		return -1;
	sz = n * 16;
	barrier_var(sz); /* keep the bound check below: the verifier needs it */
	if (sz > SG_MAX_IOV * 16)
		sz = SG_MAX_IOV * 16;
	if (sz && bpf_probe_read_user(cap_data(buf, hoff), sz, (const void *)ptr)) {
		cap_end(st, buf, hoff, SG_CK_IOV, f | SG_CF_FAULT, 0, cnt);
		return 0;
	}
	arr = hoff + sizeof(struct sg_cap);
	cap_end(st, buf, hoff, SG_CK_IOV, f, n * 16, cnt);
	st->c_kind = SG_CK_BUF;
	st->c_flags = base | SG_CF_ELEM;
	for (__u32 i = 0; i < SG_MAX_IOV; i++) {
		__u64 base_ptr, want;

		if (i >= n)
			break;
		base_ptr = *(__u64 *)(buf + ((arr + i * 16) & OFF_MASK & ~7U));
		want = *(__u64 *)(buf + ((arr + i * 16 + 8) & OFF_MASK & ~7U));
		if (budget >= 0 && want > (__u64)budget)
			want = budget;
		if (cap_buf(st, base_ptr, want) < 0)
			return -1;
		if (budget >= 0)
			budget -= want;
	}
	return 0;
}

__noinline int cap_strarr(struct cap_state *st, __u64 ptr)
{
	char *buf = scratch_buf();
	__u32 n = 0;
	__u8 f = 0;
	int hoff;

	if (!st || !buf)
		return -1;
	hoff = cap_begin(st);
	if (hoff < 0)
		return -1;
	/* the array header first, patched with the count below */
	cap_end(st, buf, hoff, SG_CK_STRARR, 0, 0, 0);
	st->c_flags = SG_CF_ELEM;
	for (int i = 0; i < SG_MAX_STRARR; i++) {
		__u64 p = 0;

		if (bpf_probe_read_user(&p, sizeof(p), (const void *)(ptr + i * 8))) {
			f |= SG_CF_FAULT;
			break;
		}
		if (!p)
			break;
		if (cap_str(st, p) < 0) {
			f |= SG_CF_TRUNC;
			break;
		}
		n++;
	}
	if (n == SG_MAX_STRARR) {
		__u64 p = 0;

		bpf_probe_read_user(&p, sizeof(p), (const void *)(ptr + SG_MAX_STRARR * 8));
		if (p)
			f |= SG_CF_TRUNC;
	}
	{
		struct sg_cap *h = (void *)(buf + (hoff & OFF_MASK));

		h->flags = f;
		h->size = n;
	}
	return 0;
}

/* NULL-terminated pointer array: only its length */
__noinline int cap_ptrarr(struct cap_state *st, __u64 ptr)
{
	char *buf = scratch_buf();
	__u64 chunk[16];
	__u32 n = 0;
	__u8 f = 0;
	int hoff;

	if (!st || !buf)
		return -1;
	for (int c = 0; c < 16; c++) {
		bool end = false;

		if (bpf_probe_read_user(chunk, sizeof(chunk),
					(const void *)(ptr + c * sizeof(chunk)))) {
			f |= c == 0 ? SG_CF_FAULT : SG_CF_TRUNC;
			end = true;
		} else {
			for (int i = 0; i < 16; i++) {
				if (!chunk[i]) {
					end = true;
					break;
				}
				n++;
			}
		}
		if (end)
			goto done;
	}
	f |= SG_CF_TRUNC;
done:
	hoff = cap_begin(st);
	if (hoff < 0)
		return -1;
	cap_end(st, buf, hoff, SG_CK_PTRARR, f, 0, n);
	return 0;
}

__noinline int cap_msghdr(struct cap_state *st, __u64 ptr, __s64 budget)
{
	char *buf = scratch_buf();
	struct user_msghdr m;
	__u32 max;
	int hoff;

	if (!st || !buf)
		return -1;
	max = st->c_max;
	if (bpf_probe_read_user(&m, sizeof(m), (const void *)ptr)) {
		st->c_kind = SG_CK_MSGHDR;
		st->c_flags = 0;
		return cap_buf(st, ptr, sizeof(m));
	}
	hoff = cap_begin(st);
	if (hoff < 0)
		return -1;
	if (bpf_probe_read_user(cap_data(buf, hoff), sizeof(m), (const void *)ptr))
		return -1;
	cap_end(st, buf, hoff, SG_CK_MSGHDR, 0, sizeof(m), sizeof(m));
	/* the name, then the iovec array and its data */
	st->c_kind = SG_CK_BUF;
	st->c_flags = SG_CF_ELEM;
	st->c_max = 128;
	if (cap_buf(st, (__u64)m.msg_name, m.msg_name ? m.msg_namelen : 0) < 0)
		return -1;
	st->c_max = max;
	return cap_iov(st, (__u64)m.msg_iov, m.msg_iovlen, budget);
}

/* the length logic is shared with the module: sg_cap_want() in sysgate_match.h */
static __always_inline __u64 spec_len(const struct sg_cap_spec *cs, __u64 *args, __s64 ret,
				      bool at_exit, bool *skip)
{
	__u64 v = arg_at(args, cs->len_arg), want = 0;
	__s32 plen = 0;

	if (cs->len_src == SG_LEN_ARGPTR &&
	    (!v || bpf_probe_read_user(&plen, sizeof(plen), (const void *)v)))
		plen = -1;
	if (sg_cap_want(cs->len_src, cs->size, cs->elem, v, ret, plen, &want)) {
		*skip = true;
		return 0;
	}
	return want;
}

__noinline int capture_one(struct cap_state *st, __u32 nr, __u32 i)
{
	struct sg_sys_spec *spec = bpf_map_lookup_elem(&sys_spec, &nr);
	struct sg_cap_spec cs;
	bool skip = false;
	__u64 ptr, want;
	__u8 when;

	if (!st || !spec || i >= SG_NARGS)
		return 0;
	when = st->at_exit ? SG_AT_EXIT : SG_AT_ENTER;
	/* one constant index per case, for the verifier */
	/* clang-format off */
	switch (i) {
	case 0: cs = spec->cap[0]; break;
	case 1: cs = spec->cap[1]; break;
	case 2: cs = spec->cap[2]; break;
	case 3: cs = spec->cap[3]; break;
	case 4: cs = spec->cap[4]; break;
	default: cs = spec->cap[5]; break;
	}
	/* clang-format on */
	if (cs.kind == SG_CK_NONE)
		return 0;
	if (!(cs.when & when)) {
		/* a path the kernel has paged in by now, unreadable at entry */
		if (!(st->at_exit && cs.kind == SG_CK_STR && (st->retry & (1 << i))))
			return 0;
	}
	ptr = arg_at(st->args, i);
	if (!ptr)
		return 0;
	st->c_arg = i;
	st->c_kind = cs.kind;
	st->c_flags = 0;
	st->c_max = sg_cap_max(cs.size);
	switch (cs.kind) {
	case SG_CK_STR:
		return cap_str(st, ptr);
	case SG_CK_BUF:
		want = spec_len(&cs, st->args, st->ret, st->at_exit, &skip);
		if (skip)
			return 0;
		return cap_buf(st, ptr, want);
	case SG_CK_SOCKLEN:
		st->c_max = 4;
		return cap_buf(st, ptr, 4);
	case SG_CK_IOV:
		if (st->at_exit && st->ret < 0)
			return 0;
		return cap_iov(st, ptr, arg_at(st->args, cs.len_arg), st->at_exit ? st->ret : -1);
	case SG_CK_STRARR:
		return cap_strarr(st, ptr);
	case SG_CK_PTRARR:
		return cap_ptrarr(st, ptr);
	case SG_CK_MSGHDR:
		if (st->at_exit && st->ret < 0)
			return 0;
		return cap_msghdr(st, ptr, st->at_exit ? st->ret : -1);
	}
	return 0;
}

static __always_inline void capture_all(struct cap_state *st, __u32 nr)
{
	for (__u32 i = 0; i < SG_NARGS; i++) {
		if (capture_one(st, nr, i) < 0)
			break;
	}
}

/* ------------------------------------------------------------------------ */
/* trace mode                                                                */

/*
 * One call's entry record (with its captures), for trace mode and for the call a
 * zap acts on (flags SG_XF_ZAPPED). With keep, its arguments are kept in the
 * task's inflight slot for the exit record; zap_nth marks the call zap --at exit
 * signals when it returns.
 */
static __always_inline void emit_enter(__u64 pid_tgid, long nr, struct sg_sys_spec *spec,
				       const __u64 *args, __u64 ts, __u16 flags, __u32 zap_nth_mark)
{
	struct inflight *inf;
	__u32 n = nr;

	if (!(spec->flags & SG_SYS_NORETURN)) {
		inf = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
					   BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (inf) {
			inf->ts = ts;
			inf->nr = nr;
			inf->retry = 0;
			inf->zap = zap_nth_mark;
			__builtin_memcpy(inf->args, args, sizeof(inf->args));
		} else {
			count(SG_CNT_INFLIGHT_FULL);
		}
	}

	if (!(spec->flags & SG_SYS_CAPTURE)) {
		struct sg_enter *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

		if (!e) {
			count(SG_CNT_ENTER_DROP);
			return;
		}
		fill_hdr(&e->hdr, SG_EV_ENTER, sizeof(*e), pid_tgid, nr, ts);
		__builtin_memcpy(e->args, args, sizeof(e->args));
		e->ncap = 0;
		e->flags = flags;
		e->seq = 0;
		bpf_ringbuf_submit(e, wakeup_flags());
		return;
	}

	{
		__u32 zero = 0;
		struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
		struct sg_enter *e;
		struct cap_state st = {};

		if (!s)
			return;
		e = (void *)s->buf;
		fill_hdr(&e->hdr, SG_EV_ENTER, 0, pid_tgid, nr, ts);
		__builtin_memcpy(e->args, args, sizeof(e->args));
		e->flags = flags;
		e->seq = 0;
		st.off = sizeof(*e);
		__builtin_memcpy(st.args, args, sizeof(st.args));
		capture_all(&st, n);
		if (st.retry) {
			inf = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
			if (inf && inf->nr == nr)
				inf->retry = st.retry;
		}
		e->ncap = st.ncap;
		e->hdr.size = st.off;
		if (st.off > SG_EVENT_MAX)
			st.off = SG_EVENT_MAX;
		if (bpf_ringbuf_output(&events, s->buf, st.off, wakeup_flags()))
			count(SG_CNT_ENTER_DROP);
	}
}

static __always_inline int trace_enter(long nr, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4,
				       __u64 a5)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 args[SG_NARGS] = { a0, a1, a2, a3, a4, a5 };
	struct sg_sys_spec *spec;
	__u32 n = nr;

	launch_check(nr, pid_tgid >> 32);
	if (!is_target(pid_tgid >> 32))
		return 0;
	if ((__u64)nr >= SG_MAX_SYSCALLS)
		return 0;
	spec = bpf_map_lookup_elem(&sys_spec, &n);
	if (!spec || !(spec->flags & SG_SYS_TRACED))
		return 0;
	count(SG_CNT_ENTER_SEEN);
	emit_enter(pid_tgid, nr, spec, args, bpf_ktime_get_ns(), 0, 0);
	return 0;
}

/* One call's exit record, with its exit captures when the entry was kept. */
static __always_inline void emit_exit(__u64 pid_tgid, long nr, struct sg_sys_spec *spec, __s64 ret,
				      __u64 now, struct inflight *inf, __u16 flags)
{
	__u64 enter_ts = 0;
	__u32 n = nr;
	bool have_args = false;
	__u32 retry = 0;
	__u64 args[SG_NARGS] = {};

	if (inf && inf->nr == nr) {
		enter_ts = inf->ts;
		__builtin_memcpy(args, inf->args, sizeof(args));
		have_args = true;
		retry = inf->retry;
		inf->nr = -1;
		inf->zap = 0;
	}

	if (!((spec->flags & SG_SYS_EXIT_CAP) || retry) || !have_args) {
		struct sg_exit *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

		if (!e) {
			count(SG_CNT_EXIT_DROP);
			return;
		}
		fill_hdr(&e->hdr, SG_EV_EXIT, sizeof(*e), pid_tgid, nr, now);
		e->ret = ret;
		e->enter_ts_ns = enter_ts;
		e->ncap = 0;
		e->flags = flags;
		e->pad = 0;
		bpf_ringbuf_submit(e, wakeup_flags());
		return;
	}

	{
		__u32 zero = 0;
		struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
		struct sg_exit *e;
		struct cap_state st = {};

		if (!s)
			return;
		e = (void *)s->buf;
		fill_hdr(&e->hdr, SG_EV_EXIT, 0, pid_tgid, nr, now);
		e->ret = ret;
		e->enter_ts_ns = enter_ts;
		e->flags = flags;
		e->pad = 0;
		st.off = sizeof(*e);
		st.at_exit = 1;
		st.retry = retry;
		st.ret = ret;
		__builtin_memcpy(st.args, args, sizeof(args));
		capture_all(&st, n);
		e->ncap = st.ncap;
		e->hdr.size = st.off;
		if (st.off > SG_EVENT_MAX)
			st.off = SG_EVENT_MAX;
		if (bpf_ringbuf_output(&events, s->buf, st.off, wakeup_flags()))
			count(SG_CNT_EXIT_DROP);
	}
}

static __always_inline int trace_exit(long nr, __s64 ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct sg_sys_spec *spec;
	__u32 n = nr;

	if (!is_target(pid_tgid >> 32))
		return 0;
	if ((__u64)nr >= SG_MAX_SYSCALLS)
		return 0;
	spec = bpf_map_lookup_elem(&sys_spec, &n);
	if (!spec || !(spec->flags & SG_SYS_TRACED))
		return 0;
	emit_exit(pid_tgid, nr, spec, ret, bpf_ktime_get_ns(),
		  bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0), 0);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* count mode: aggregated per CPU, nothing streamed                          */

static __always_inline int count_enter(long nr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct sg_sys_spec *spec;
	struct inflight *inf;
	struct sg_count *c;
	__u32 n = nr;

	launch_check(nr, pid_tgid >> 32);
	if (!is_target(pid_tgid >> 32))
		return 0;
	if ((__u64)nr >= SG_MAX_SYSCALLS)
		return 0;
	spec = bpf_map_lookup_elem(&sys_spec, &n);
	if (!spec || !(spec->flags & SG_SYS_TRACED))
		return 0;
	c = bpf_map_lookup_elem(&counts, &n);
	if (c)
		c->calls++;
	inf = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
				   BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (inf) {
		inf->ts = bpf_ktime_get_ns();
		inf->nr = nr;
	} else {
		count(SG_CNT_INFLIGHT_FULL);
	}
	return 0;
}

static __always_inline int count_exit(long nr, __s64 ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct inflight *inf;
	struct sg_count *c;
	__u32 n = nr;
	__u64 d;

	if (!is_target(pid_tgid >> 32))
		return 0;
	if ((__u64)nr >= SG_MAX_SYSCALLS)
		return 0;
	inf = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (!inf || inf->nr != nr)
		return 0;
	inf->nr = -1;
	d = bpf_ktime_get_ns() - inf->ts;
	c = bpf_map_lookup_elem(&counts, &n);
	if (!c)
		return 0;
	if (ret < 0 && ret >= -4095)
		c->errors++;
	c->total_ns += d;
	if (d > c->max_ns)
		c->max_ns = d;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* attachment: raw syscall tracepoints (all syscalls) ...                    */

SEC("tp_btf/sys_enter")
int BPF_PROG(raw_trace_enter, struct pt_regs *regs, long id)
{
	return trace_enter(id, regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_trace_exit, struct pt_regs *regs, long ret)
{
	return trace_exit(regs->orig_ax, ret);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(raw_count_enter, struct pt_regs *regs, long id)
{
	return count_enter(id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_count_exit, struct pt_regs *regs, long ret)
{
	return count_exit(regs->orig_ax, ret);
}

/*
 * ... or one syscalls/sys_{enter,exit}_NAME tracepoint per selected syscall.
 * Their records: 8 bytes of common fields, the syscall number (int), then the
 * syscall's own arguments (entry) or the return value (exit). The kernel refuses
 * to attach a program whose direct context reads go past a record, and a
 * record holds only its syscall's arguments (getppid: none): read the number
 * as an int, copy the argument slots with a probe read.
 */
struct sg_tp_enter {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__u64 args[SG_NARGS];
};

struct sg_tp_exit {
	__u64 common;
	__s32 nr;
	__u32 pad;
	__s64 ret;
};

static __always_inline void tp_args(struct sg_tp_enter *ctx, __u64 *a)
{
	bpf_probe_read_kernel(a, SG_NARGS * sizeof(__u64), (void *)((unsigned long)ctx + 16));
}

SEC("tracepoint")
int tp_trace_enter(struct sg_tp_enter *ctx)
{
	__u64 a[SG_NARGS] = {};

	tp_args(ctx, a);
	return trace_enter(ctx->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

SEC("tracepoint")
int tp_trace_exit(struct sg_tp_exit *ctx)
{
	return trace_exit(ctx->nr, ctx->ret);
}

SEC("tracepoint")
int tp_count_enter(struct sg_tp_enter *ctx)
{
	return count_enter(ctx->nr);
}

SEC("tracepoint")
int tp_count_exit(struct sg_tp_exit *ctx)
{
	return count_exit(ctx->nr, ctx->ret);
}

/* ------------------------------------------------------------------------ */
/* zap: signal the caller on its Nth matching call, at syscall entry         */

/* the matching logic is shared with the module: sysgate_match.h */
static __always_inline bool prefix_matches(__u64 ptr, const volatile struct sg_arg_match *m)
{
	char buf[SG_PREFIX_BUF];
	long n;

	if (!ptr)
		return false;
	/* SG_PREFIX_MAX bytes of the string and its NUL, as the module reads */
	n = bpf_probe_read_user_str(buf, sizeof(buf), (const void *)ptr);
	return sg_match_prefix(buf, n - 1, m->prefix, m->len);
}

static __always_inline bool args_match(const __u64 *args)
{
	for (int i = 0; i < SG_MAX_MATCH; i++) {
		const volatile struct sg_arg_match *m = &zap_match[i];
		__u64 v;

		if (i >= zap_nmatch)
			break;
		v = arg_at(args, m->index);
		if (m->op == SG_MATCH_PREFIX) {
			if (!prefix_matches(v, m))
				return false;
		} else if (!sg_match_value(m->op, v, m->value, m->mask)) {
			return false;
		}
	}
	return true;
}

/*
 * At most zap_max_per_sec zaps in any one-second span. Tracing programs cannot
 * take a bpf_spin_lock: two CPUs racing here can both see the last token, so a
 * burst may exceed the rate by one.
 */
static __always_inline bool zap_rate_ok(__u64 now)
{
	const __u64 one = 1000000000ULL;
	__u32 zero = 0;
	struct zap_rate *r;
	__u64 cap, tokens;

	if (!zap_max_per_sec)
		return true;
	r = bpf_map_lookup_elem(&zap_rate, &zero);
	if (!r)
		return false;
	cap = (__u64)zap_max_per_sec * one;
	if (!r->last_ns) {
		tokens = cap; /* starts full */
	} else {
		tokens = r->tokens + (now - r->last_ns) * zap_max_per_sec;
		if (tokens > cap)
			tokens = cap;
	}
	r->last_ns = now;
	if (tokens < one) {
		r->tokens = tokens;
		return false;
	}
	r->tokens = tokens - one;
	return true;
}

/* The zap record: the call (hdr.ts_ns: its entry), how it was signalled, its caller's
 * parent and cgroup (user space may find the process gone). */
static __always_inline void emit_zap(__u64 pid_tgid, long nr, __u64 enter_ts, const __u64 *args,
				     __u64 sig_ts, long sent, __u32 nth, __u32 at, __s64 ret,
				     __u64 exit_ts)
{
	struct sg_zap *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count(SG_CNT_ZAP_DROP);
		return;
	}
	fill_hdr(&e->hdr, SG_EV_ZAP, sizeof(*e), pid_tgid, nr, enter_ts);
	__builtin_memcpy(e->args, args, sizeof(e->args));
	e->signal_ts_ns = sig_ts;
	e->signal = zap_signal;
	e->send_ret = sent;
	e->nth = nth;
	e->at = at;
	e->ret = ret;
	e->exit_ts_ns = exit_ts;
	e->ppid = BPF_CORE_READ(bpf_get_current_task_btf(), real_parent, tgid);
	e->pad = 0;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_ringbuf_submit(e, 0);
}

/* A target's call: whether it is the one to zap (and then zapped, or marked for its exit). */
static __always_inline int zap_decide(__u64 pid_tgid, long nr, struct sg_sys_spec *spec,
				      const __u64 *args)
{
	__u32 tgid = pid_tgid >> 32;
	struct zap_proc *zp, init = {};
	__u32 count_now;
	__u64 ts, sig_ts = 0;
	long sent = 0;

	if (zap_mode == 3) /* user space decides (seccomp --before, --now): only timing here */
		return 0;
	if ((tgid == 1 && !zap_force) || !(spec->flags & SG_SYS_TRACED))
		return 0;
	if (bpf_map_lookup_elem(&zap_never, &tgid))
		return 0;
	if (!args_match(args))
		return 0;
	ts = bpf_ktime_get_ns();
	zp = bpf_map_lookup_elem(&zap_procs, &tgid);
	if (!zp) {
		/* EEXIST from a racing thread is fine: look up what it inserted */
		bpf_map_update_elem(&zap_procs, &tgid, &init, BPF_NOEXIST);
		zp = bpf_map_lookup_elem(&zap_procs, &tgid);
		if (!zp) {
			count(SG_CNT_ZAP_PROCS_FULL);
			return 0;
		}
	}
	count_now = __sync_fetch_and_add(&zp->matched, 1) + 1;
	/* the Nth call, or a later one if --max-rate held the Nth back */
	if (count_now < zap_nth || zp->zapped)
		return 0;
	if (!zap_rate_ok(ts)) {
		count(SG_CNT_ZAP_RATE);
		return 0;
	}
	/* once per process, even when its threads race here */
	if (__sync_val_compare_and_swap(&zp->zapped, 0, 1) != 0)
		return 0;
	if (zap_max_total) {
		__u32 zero = 0;
		__u64 *total = bpf_map_lookup_elem(&zap_total, &zero);

		if (!total || __sync_fetch_and_add(total, 1) >= zap_max_total) {
			zp->zapped = 0; /* not zapped after all: --count is used up */
			return 0;
		}
	}
	if (zap_at == SG_ZAP_AT_EXIT && !(spec->flags & SG_SYS_NORETURN)) {
		/* signalled by zap_exit when this call returns */
		emit_enter(pid_tgid, nr, spec, args, ts, SG_XF_ZAPPED, count_now);
		return 1;
	}
	if (zap_mode == 1) {
		/* the whole process, before this call runs any further */
		sent = bpf_send_signal(zap_signal);
		sig_ts = bpf_ktime_get_ns();
	}
	/* the call as trace shows it, for the report */
	emit_enter(pid_tgid, nr, spec, args, ts, SG_XF_ZAPPED, 0);
	emit_zap(pid_tgid, nr, ts, args, sig_ts, sent, count_now, SG_ZAP_AT_ENTRY, 0, 0);
	return 1;
}

static __always_inline int zap_enter(long nr, __u64 a0, __u64 a1, __u64 a2, __u64 a3, __u64 a4,
				     __u64 a5)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 args[SG_NARGS] = { a0, a1, a2, a3, a4, a5 };
	struct sg_sys_spec *spec;
	__u32 n = nr;

	launch_check(nr, pid_tgid >> 32);
	if (!is_target(pid_tgid >> 32) || (__u64)nr >= SG_MAX_SYSCALLS)
		return 0;
	spec = bpf_map_lookup_elem(&sys_spec, &n);
	if (!spec || zap_decide(pid_tgid, nr, spec, args))
		return 0;
	/* zap -y: the calls that open and close descriptors, streamed for the fd table */
	if (zap_stream && (spec->flags & SG_SYS_STREAM))
		emit_enter(pid_tgid, nr, spec, args, bpf_ktime_get_ns(), 0, 0);
	return 0;
}

/*
 * zap --at exit: the call marked at its entry has returned. The signal is sent
 * here, in the kernel, before the return to user space: the process takes it
 * (or dies) before its next instruction.
 */
static __always_inline int zap_exit(long nr, __s64 ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct inflight *inf;
	struct sg_sys_spec *spec;
	__u64 args[SG_NARGS];
	__u64 now, enter_ts, sig_ts = 0;
	__u32 n = nr, nth;
	long sent = 0;

	inf = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (!inf || inf->nr != nr)
		return 0;
	if (!inf->zap) {
		/* zap -y: a streamed call returns */
		if (!zap_stream)
			return 0;
		spec = bpf_map_lookup_elem(&sys_spec, &n);
		if (spec && (spec->flags & SG_SYS_STREAM))
			emit_exit(pid_tgid, nr, spec, ret, bpf_ktime_get_ns(), inf, 0);
		return 0;
	}
	now = bpf_ktime_get_ns();
	if (zap_mode == 1) {
		sent = bpf_send_signal(zap_signal);
		sig_ts = bpf_ktime_get_ns();
	}
	nth = inf->zap;
	enter_ts = inf->ts;
	__builtin_memcpy(args, inf->args, sizeof(args));
	spec = bpf_map_lookup_elem(&sys_spec, &n);
	if (spec)
		emit_exit(pid_tgid, nr, spec, ret, now, inf, SG_XF_ZAPPED);
	inf->zap = 0;
	inf->nr = -1;
	emit_zap(pid_tgid, nr, enter_ts, args, sig_ts, sent, nth, SG_ZAP_AT_EXIT, ret, now);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(raw_zap_exit, struct pt_regs *regs, long ret)
{
	return zap_exit(regs->orig_ax, ret);
}

SEC("tracepoint")
int tp_zap_exit(struct sg_tp_exit *ctx)
{
	return zap_exit(ctx->nr, ctx->ret);
}

/* a zapped process starts to exit by itself (a handler that ends in exit) */
static __always_inline int zap_exit_start(void)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct zap_proc *zp = bpf_map_lookup_elem(&zap_procs, &tgid);
	struct sg_hdr *e;

	if (!zp || !zp->zapped || zp->exit_started)
		return 0;
	zp->exit_started = 1;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SG_CNT_ZAP_DROP);
		return 0;
	}
	fill_hdr(e, SG_EV_EXIT_START, sizeof(*e), pid_tgid, SG_NR_exit_group, bpf_ktime_get_ns());
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(raw_zap_enter, struct pt_regs *regs, long id)
{
	/* raw attach sees exit_group itself: no tracepoint (nor tracefs) needed */
	if (id == SG_NR_exit_group)
		zap_exit_start();
	return zap_enter(id, regs->di, regs->si, regs->dx, regs->r10, regs->r8, regs->r9);
}

SEC("tracepoint")
int tp_zap_enter(struct sg_tp_enter *ctx)
{
	__u64 a[SG_NARGS] = {};

	tp_args(ctx, a);
	return zap_enter(ctx->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* per-syscall attach: exit_group through its own tracepoint */
SEC("tracepoint/syscalls/sys_enter_exit_group")
int zap_exit_group(struct sg_tp_enter *ctx)
{
	return zap_exit_start();
}

/* when a zapped process dequeues its signal (fatal SIGKILL skips this step) */
SEC("tp_btf/signal_deliver")
int BPF_PROG(zap_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct zap_proc *zp;
	struct sg_sig_deliver *e;

	if (sig != zap_signal)
		return 0;
	zp = bpf_map_lookup_elem(&zap_procs, &tgid);
	if (!zp || !zp->zapped)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SG_CNT_ZAP_DROP);
		return 0;
	}
	fill_hdr(&e->hdr, SG_EV_SIG_DELIVER, sizeof(*e), pid_tgid, -1, bpf_ktime_get_ns());
	e->signal = sig;
	e->pad = 0;
	e->handler = (__u64)BPF_CORE_READ(ka, sa.sa_handler);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * trace: every signal a target thread dequeues (strace's "--- SIGX {...} ---").
 * info is NULL (SEND_SIG_NOINFO) for the SIGKILL of a group exit: the read fails, info_ok 0.
 */
SEC("tp_btf/signal_deliver")
int BPF_PROG(trace_signal, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct sg_signal *e;

	if (!is_target(pid_tgid >> 32))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SG_CNT_SIGNAL_DROP);
		return 0;
	}
	fill_hdr(&e->hdr, SG_EV_SIGNAL, sizeof(*e), pid_tgid, -1, bpf_ktime_get_ns());
	e->signo = sig;
	e->info_ok = 0;
	if (bpf_probe_read_kernel(e->info, sizeof(e->info), info) == 0)
		e->info_ok = 1;
	else
		__builtin_memset(e->info, 0, sizeof(e->info));
	e->handler = (__u64)BPF_CORE_READ(ka, sa.sa_handler);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

#define SG_SIGKILL 9
#define SG_SIGNAL_GROUP_EXIT 0x00000004 /* include/linux/sched/signal.h */
#define SG_TRACE_SIGNAL_DELIVERED 0     /* enum trace_signal_result */
#define SG_TRACE_SIGNAL_IGNORED 1
#define SG_TRACE_SIGNAL_LOSE_INFO 4

/*
 * trace: a fatal signal that is never dequeued. A signal whose default action ends
 * the process without a core dump (SIGTERM, SIGUSR1, SIGPIPE ...) makes the sender
 * set SIGNAL_GROUP_EXIT and SIGKILL every thread at once (complete_signal), so
 * signal_deliver sees only that SIGKILL; a traced (ptraced) process is spared the
 * shortcut, which is why strace still shows the signal. And a signal ignored
 * when sent (SIG_IGN, or SIG_DFL of SIGCHLD, SIGWINCH ...) is dropped at once,
 * where a ptraced thread would have queued it. Both are recorded here, at
 * generation, for the target thread, as the line strace prints.
 */
SEC("tp_btf/signal_generate")
int BPF_PROG(trace_signal_fatal, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct signal_struct *sigs;
	struct sighand_struct *sh;
	struct sg_signal *e;
	bool exiting, fatal;
	__u64 handler = 0;
	__u32 tgid;

	if (sig == SG_SIGKILL || sig < 1 || sig > 64)
		return 0;
	tgid = BPF_CORE_READ(task, tgid);
	if (!tgid_selected(tgid)) /* task is not current: no cgroup test */
		return 0;
	sigs = BPF_CORE_READ(task, signal);
	exiting = BPF_CORE_READ(sigs, flags) & SG_SIGNAL_GROUP_EXIT;
	fatal = (result == SG_TRACE_SIGNAL_DELIVERED || result == SG_TRACE_SIGNAL_LOSE_INFO) &&
		exiting && BPF_CORE_READ(sigs, group_exit_code) == sig;
	if (!fatal && !(result == SG_TRACE_SIGNAL_IGNORED && !exiting))
		return 0;
	if (!fatal) {
		sh = BPF_CORE_READ(task, sighand);
		bpf_probe_read_kernel(&handler, sizeof(handler),
				      &sh->action[(sig - 1) & 63].sa.sa_handler);
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SG_CNT_SIGNAL_DROP);
		return 0;
	}
	e->hdr.type = SG_EV_SIGNAL;
	e->hdr.size = sizeof(*e);
	e->hdr.tgid = tgid;
	e->hdr.tid = BPF_CORE_READ(task, pid);
	e->hdr.nr = -1;
	e->hdr.ts_ns = bpf_ktime_get_ns();
	if (bpf_probe_read_kernel_str(e->hdr.comm, sizeof(e->hdr.comm), task->comm) < 0)
		__builtin_memset(e->hdr.comm, 0, sizeof(e->hdr.comm));
	e->signo = sig;
	e->info_ok = 1;
	__builtin_memset(e->info, 0, sizeof(e->info));
	if (bpf_probe_read_kernel(e->info, sizeof(e->info), info) != 0) {
		/* SEND_SIG_NOINFO (0) or SEND_SIG_PRIV (1): what __send_signal_locked makes of them */
		__s32 *w = (__s32 *)e->info;

		w[0] = sig;
		if ((unsigned long)info == 1) {
			w[2] = 0x80; /* SI_KERNEL */
		} else {
			w[2] = 0; /* SI_USER, from the sender */
			w[4] = bpf_get_current_pid_tgid() >> 32;
			w[5] = (__u32)bpf_get_current_uid_gid();
		}
	}
	e->handler = handler; /* fatal: SIG_DFL, which made it so */
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* target set maintenance: decided at fork, exec and exit                    */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid;
	__u32 ctgid = child->tgid;

	if (match_all || ptgid == ctgid)
		return 0;
	if (follow_fork && bit_test(ptgid))
		bit_set(ctgid);
	else if (comm_matches(child->comm))
		bit_set(ctgid);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (!match_all && (comm_matches(p->comm) || (launch_tgid && p->tgid == launch_tgid)))
		bit_set(p->tgid);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = p->tgid;
	bool group_dead = BPF_CORE_READ(p, signal, live.counter) == 0;
	struct sg_task_exit *e;
	bool target = tgid != self_tgid && (match_all ? !bit_test(tgid) : bit_test(tgid));

	if (!target) {
		if (match_all && group_dead)
			bit_clear(tgid); /* a dead excluded process: its pid may be reused */
		return 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		struct zap_proc *zp = zap_mode ? bpf_map_lookup_elem(&zap_procs, &tgid) : NULL;

		fill_hdr(&e->hdr, SG_EV_TASK_EXIT, sizeof(*e), pid_tgid, -1, bpf_ktime_get_ns());
		e->exit_code = p->exit_code;
		e->group_dead = group_dead;
		e->zap_matched = zp ? zp->matched : 0;
		e->zap_done = zp ? zp->zapped : 0;
		bpf_ringbuf_submit(e, 0);
	} else {
		count(SG_CNT_TASK_DROP);
	}
	if (zap_mode && group_dead)
		bpf_map_delete_elem(&zap_procs, &tgid);
	if (group_dead && !match_all)
		bit_clear(tgid);
	return 0;
}
