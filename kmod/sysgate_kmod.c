// SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0)
/*
 * sysgate kernel-module backend: kretprobes on __x64_sys_NAME (entry handler
 * for arguments and the entry record, return handler for the result), plain
 * kprobes on any symbol+offset, a byte ring read through /dev/sysgate, and
 * in-kernel signalling on the Nth matching call.
 *
 * Probe context rules: handlers run with preemption disabled and may run with
 * interrupts disabled; they never sleep, copy user memory only with the
 * _nofault helpers, count what they drop, and defer wake-ups to irq_work.
 *
 * Standalone use (no sysgate): module parameters target_comm, syscall or
 * symbol(+offset), skip and signal; hits are logged, rate-limited.
 */
#define pr_fmt(fmt) "sysgate: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/miscdevice.h>
#include <linux/cgroup.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <linux/signal_types.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/threads.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "sysgate_abi.h"
#include "sysgate_kmod.h"
#include "sysgate_match.h"

/* the capture walker shared with the ptrace backend: user memory through the _nofault copy */
#define SG_CAP_READ(who, dst, src, len) \
	copy_from_user_nofault((dst), (const void __user *)(uintptr_t)(src), (len))
#include "sysgate_capture.h"

#define SG_RING_DEFAULT (4u << 20)
#define SG_RING_MAX SG_KMOD_RING_MAX
#define SG_ZAP_SLOTS 4096

/* ---------------------------------------------------------------------- */
/* module parameters: standalone use                                       */

static char *target_comm = "";
module_param(target_comm, charp, 0444);
MODULE_PARM_DESC(target_comm, "standalone: only processes with this name (empty: all)");
static char *syscall_name = "";
module_param_named(syscall, syscall_name, charp, 0444);
MODULE_PARM_DESC(syscall, "standalone: probe this syscall (e.g. write)");
static char *symbol = "";
module_param(symbol, charp, 0444);
MODULE_PARM_DESC(symbol, "standalone: probe this kernel symbol instead");
static ulong offset;
module_param(offset, ulong, 0444);
MODULE_PARM_DESC(offset, "standalone: offset into symbol");
static uint skip;
module_param(skip, uint, 0444);
MODULE_PARM_DESC(skip, "standalone: let this many hits pass, then act on the next");
static int signal_nr;
module_param_named(signal, signal_nr, int, 0444);
MODULE_PARM_DESC(signal, "standalone: signal to send to the caller on hit skip+1 (0: log only)");

/* ---------------------------------------------------------------------- */
/* the session (one client at a time)                                      */

struct sg_probe {
	struct kretprobe rp; /* syscall probes */
	struct kprobe kp;    /* symbol+offset probes */
	bool is_ret;
	int nr;
	u32 id;
	char name[SG_KMOD_SYM_LEN + 24];
};

struct sg_zap_slot {
	atomic_t tgid; /* 0: free */
	atomic_t matched;
	atomic_t zapped;
};

struct sg_session {
	struct sg_kmod_config cfg;
	struct sg_sys_spec *spec; /* [SG_MAX_SYSCALLS] */
	unsigned long *targets;   /* bitmap, PID_MAX_LIMIT bits */
	struct sg_arg_match match[SG_MAX_MATCH];
	u32 nmatch;

	/* the ring: whole records, written under lock, read by one reader */
	char *ring;
	u32 ring_size;
	u64 head; /* bytes written */
	u64 tail; /* bytes read */
	raw_spinlock_t lock;
	wait_queue_head_t wq;
	struct irq_work wake;

	struct sg_probe *probes[SG_KMOD_MAX_PROBES];
	u32 nprobes;
	struct kretprobe exec_rp;  /* comm matching after exec */
	struct kprobe fork_kp;     /* follow children */
	struct kprobe exit_kp;     /* task exits */
	struct tracepoint *sig_tp; /* signal/signal_deliver, trace mode (NULL: not registered) */
	struct tracepoint *gen_tp; /* signal/signal_generate, trace mode */
	bool helpers_on;
	bool started;

	struct sg_zap_slot *zap;          /* [SG_ZAP_SLOTS] */
	u64 __percpu *counters;           /* [SG_CNT_MAX] */
	struct sg_count __percpu *counts; /* [SG_MAX_SYSCALLS] */
	atomic64_t ring_drops;
	atomic64_t zap_total;
	struct mutex ctl; /* ioctls */
};

static struct sg_session *g_sess; /* the open session, or NULL */
static DEFINE_MUTEX(g_open_lock);
static char __percpu *g_scratch; /* one record under construction per CPU */

static inline void sg_count_inc(struct sg_session *s, int which)
{
	this_cpu_inc(s->counters[which]);
}

static inline bool sg_bit(struct sg_session *s, u32 tgid)
{
	return tgid < PID_MAX_LIMIT && test_bit(tgid, s->targets);
}

static bool sg_comm_matches(struct sg_session *s, const char *comm)
{
	u32 i;

	for (i = 0; i < s->cfg.ncomm && i < SG_MAX_COMMS; i++)
		if (!strncmp(comm, s->cfg.comms[i], SG_COMM_LEN))
			return true;
	return false;
}

static bool sg_is_target(struct sg_session *s, u32 tgid)
{
	if (tgid == s->cfg.self_tgid)
		return false;
	if (s->cfg.match_all)
		return !sg_bit(s, tgid);
	return sg_bit(s, tgid);
}

/* ---------------------------------------------------------------------- */
/* ring                                                                     */

static void sg_wake(struct irq_work *w)
{
	struct sg_session *s = container_of(w, struct sg_session, wake);

	wake_up_interruptible(&s->wq);
}

/* Copies one record in; false (and counted) if it does not fit. */
static bool sg_ring_put(struct sg_session *s, const void *rec, u32 len)
{
	unsigned long flags;
	u32 off, first;
	bool ok = false;

	raw_spin_lock_irqsave(&s->lock, flags);
	if (s->head - s->tail + len <= s->ring_size) {
		off = s->head & (s->ring_size - 1);
		first = min(len, s->ring_size - off);
		memcpy(s->ring + off, rec, first);
		memcpy(s->ring, (const char *)rec + first, len - first);
		s->head += len;
		ok = true;
	}
	raw_spin_unlock_irqrestore(&s->lock, flags);
	if (ok)
		irq_work_queue(&s->wake);
	else
		atomic64_inc(&s->ring_drops);
	return ok;
}

static void sg_fill_hdr(struct sg_hdr *h, u16 type, u16 size, s32 nr, u64 ts)
{
	h->type = type;
	h->size = size;
	h->tgid = task_tgid_nr(current);
	h->tid = task_pid_nr(current);
	h->nr = nr;
	h->ts_ns = ts;
	get_task_comm(h->comm, current);
}

/* ---------------------------------------------------------------------- */
/* zap                                                                      */

static struct sg_zap_slot *sg_zap_slot(struct sg_session *s, u32 tgid)
{
	u32 h = (tgid * 2654435761u) % SG_ZAP_SLOTS, i;

	for (i = 0; i < 64; i++) {
		struct sg_zap_slot *z = &s->zap[(h + i) % SG_ZAP_SLOTS];
		int cur = atomic_read(&z->tgid);

		if (cur == tgid)
			return z;
		if (cur == 0 && atomic_cmpxchg(&z->tgid, 0, tgid) == 0)
			return z;
		if (atomic_read(&z->tgid) == tgid)
			return z;
	}
	sg_count_inc(s, SG_CNT_ZAP_PROCS_FULL);
	return NULL;
}

static bool sg_args_match(struct sg_session *s, const u64 *args)
{
	u32 i;

	for (i = 0; i < s->nmatch; i++) {
		const struct sg_arg_match *m = &s->match[i];
		u64 v = args[m->index % SG_NARGS];
		char buf[SG_PREFIX_BUF];
		long n;

		if (m->op != SG_MATCH_PREFIX) {
			if (!sg_match_value(m->op, v, m->value, m->mask))
				return false;
			continue;
		}
		/* the same bytes the BPF side reads: SG_PREFIX_MAX of the string */
		n = v ? sg_read_str(NULL, buf, v, SG_PREFIX_MAX) : -1;
		if (!sg_match_prefix(buf, n, m->prefix, m->len))
			return false;
	}
	return true;
}

struct sg_inflight {
	u64 ts;
	u64 args[SG_NARGS];
	bool traced;
	u8 retry;
	u32 zap; /* zap --at exit: the nth of the call to signal when it returns (0: none) */
};

/* One call's entry record with its captures (trace mode, and the call a zap acts on). */
static void sg_emit_enter(struct sg_session *s, u32 nr, struct sg_inflight *inf, u16 flags)
{
	char *buf = this_cpu_ptr(g_scratch);
	struct sg_enter *e = (struct sg_enter *)buf;
	struct sg_cap_ctx c = { .buf = buf, .off = sizeof(*e), .args = inf->args };

	sg_fill_hdr(&e->hdr, SG_EV_ENTER, 0, nr, inf->ts);
	memcpy(e->args, inf->args, sizeof(e->args));
	e->flags = flags;
	e->seq = 0;
	if (s->spec[nr].flags & SG_SYS_CAPTURE)
		sg_capture(&s->spec[nr], &c);
	if (c.trunc)
		sg_count_inc(s, SG_CNT_CAP_TRUNC);
	inf->retry = c.retry;
	e->ncap = c.ncap;
	e->hdr.size = c.off;
	if (!sg_ring_put(s, buf, c.off))
		sg_count_inc(s, SG_CNT_ENTER_DROP);
}

/* One call's exit record, with its exit captures. */
static void sg_emit_exit(struct sg_session *s, u32 nr, struct sg_inflight *inf, s64 ret, u64 now,
			 u16 flags)
{
	char *buf = this_cpu_ptr(g_scratch);
	struct sg_exit *e = (struct sg_exit *)buf;
	struct sg_cap_ctx c = { .buf = buf,
				.off = sizeof(*e),
				.args = inf->args,
				.at_exit = true,
				.retry = inf->retry,
				.ret = ret };

	sg_fill_hdr(&e->hdr, SG_EV_EXIT, 0, nr, now);
	e->ret = ret;
	e->enter_ts_ns = inf->ts;
	e->flags = flags;
	e->pad = 0;
	if ((s->spec[nr].flags & SG_SYS_EXIT_CAP) || inf->retry)
		sg_capture(&s->spec[nr], &c);
	if (c.trunc)
		sg_count_inc(s, SG_CNT_CAP_TRUNC);
	e->ncap = c.ncap;
	e->hdr.size = c.off;
	if (!sg_ring_put(s, buf, c.off))
		sg_count_inc(s, SG_CNT_EXIT_DROP);
}

static void sg_zap_record(struct sg_session *s, int nr, struct sg_inflight *inf, u32 nth,
			  int send_ret, u64 sig_ts, u32 at, s64 ret, u64 exit_ts)
{
	struct sg_zap z = {};

	sg_fill_hdr(&z.hdr, SG_EV_ZAP, sizeof(z), nr, inf->ts);
	memcpy(z.args, inf->args, sizeof(z.args));
	z.signal = s->cfg.zap_signal;
	z.send_ret = send_ret;
	z.signal_ts_ns = sig_ts;
	z.nth = nth;
	z.at = at;
	z.ret = ret;
	z.exit_ts_ns = exit_ts;
	rcu_read_lock();
	z.ppid = task_tgid_nr(rcu_dereference(current->real_parent));
#ifdef CONFIG_CGROUPS
	z.cgroup_id = cgroup_id(task_dfl_cgroup(current));
#endif
	rcu_read_unlock();
	if (!sg_ring_put(s, &z, sizeof(z)))
		sg_count_inc(s, SG_CNT_ZAP_DROP);
}

/*
 * The Nth matching call of a process. Returns its nth when it is to be
 * signalled at its exit (zap --at exit: the return probe does it), else 0.
 */
static u32 sg_zap(struct sg_session *s, int nr, struct sg_inflight *inf)
{
	struct sg_zap_slot *slot;
	u32 tgid = task_tgid_nr(current);
	int n, sent = 0;
	u64 sig_ts = 0;

	if (s->cfg.zap_user) /* user space decides (seccomp --before, --now) */
		return 0;
	if ((tgid == 1 && !s->cfg.zap_force) || !sg_args_match(s, inf->args))
		return 0;
	slot = sg_zap_slot(s, tgid);
	if (!slot)
		return 0;
	n = atomic_inc_return(&slot->matched);
	if (n < s->cfg.zap_nth || atomic_cmpxchg(&slot->zapped, 0, 1) != 0)
		return 0;
	if (s->cfg.zap_max_total && atomic64_inc_return(&s->zap_total) > s->cfg.zap_max_total) {
		atomic_set(&slot->zapped, 0); /* --count is used up: not zapped after all */
		return 0;
	}
	if (s->cfg.zap_at == SG_ZAP_AT_EXIT && !(s->spec[nr].flags & SG_SYS_NORETURN)) {
		sg_emit_enter(s, nr, inf, SG_XF_ZAPPED);
		return n;
	}
	if (s->cfg.zap_in_kernel) {
		/* the whole process, before this call runs any further */
		sent = kill_pid(task_tgid(current), s->cfg.zap_signal, 1);
		sig_ts = ktime_get_ns();
	}
	sg_emit_enter(s, nr, inf, SG_XF_ZAPPED);
	sg_zap_record(s, nr, inf, n, sent, sig_ts, SG_ZAP_AT_ENTRY, 0, 0);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* syscall probes                                                           */

/*
 * __x64_sys_NAME(const struct pt_regs *regs): the syscall's own arguments are
 * in the pt_regs that the wrapper's first argument points to (the probe's own
 * regs->di is that pointer, not the first argument). It must be the task's
 * user register frame; anything else is not a syscall entry we understand.
 */
static const struct pt_regs *sg_user_regs(struct pt_regs *regs)
{
	const struct pt_regs *u = (const struct pt_regs *)regs->di;

	if (!u || u != task_pt_regs(current))
		return NULL;
	return u;
}

static int sg_sys_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sg_probe *p = container_of(get_kretprobe(ri), struct sg_probe, rp);
	struct sg_inflight *inf = (struct sg_inflight *)ri->data;
	struct sg_session *s = READ_ONCE(g_sess);
	const struct pt_regs *u;
	u32 tgid = task_tgid_nr(current);
	u32 nr = p->nr;

	inf->traced = false;
	inf->retry = 0;
	inf->zap = 0;
	if (!s || !s->started)
		return 1;
	if (s->cfg.launch_tgid && tgid == s->cfg.launch_tgid && sg_is_exec(nr))
		set_bit(tgid, s->targets);
	if (!sg_is_target(s, tgid) && !(s->cfg.ncomm && sg_comm_matches(s, current->comm)))
		return 1;
	u = sg_user_regs(regs);
	if (!u || nr >= SG_MAX_SYSCALLS)
		return 1;
	inf->ts = ktime_get_ns();
	inf->args[0] = u->di;
	inf->args[1] = u->si;
	inf->args[2] = u->dx;
	inf->args[3] = u->r10;
	inf->args[4] = u->r8;
	inf->args[5] = u->r9;
	inf->traced = true;

	if (s->cfg.mode == SG_KMOD_ZAP) {
		inf->zap = sg_zap(s, nr, inf);
		return inf->zap ? 0 : 1; /* the return probe signals at exit */
	}
	if (s->cfg.mode == SG_KMOD_COUNT) {
		this_cpu_inc(s->counts[nr].calls);
		return 0;
	}
	sg_count_inc(s, SG_CNT_ENTER_SEEN);
	sg_emit_enter(s, nr, inf, 0);
	/* exit and exit_group never return */
	return (s->spec[nr].flags & SG_SYS_NORETURN) ? 1 : 0;
}

static int sg_sys_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sg_probe *p = container_of(get_kretprobe(ri), struct sg_probe, rp);
	struct sg_inflight *inf = (struct sg_inflight *)ri->data;
	struct sg_session *s = READ_ONCE(g_sess);
	s64 ret = regs_return_value(regs);
	u64 now = ktime_get_ns();
	u32 nr = p->nr;

	if (!s || !inf->traced || nr >= SG_MAX_SYSCALLS)
		return 0;
	if (s->cfg.mode == SG_KMOD_COUNT) {
		struct sg_count *c = this_cpu_ptr(&s->counts[nr]);
		u64 d = now - inf->ts;

		if (ret < 0 && ret >= -4095)
			c->errors++;
		c->total_ns += d;
		if (d > c->max_ns)
			c->max_ns = d;
		return 0;
	}
	if (s->cfg.mode == SG_KMOD_ZAP) {
		int sent = 0;
		u64 sig_ts = 0;
		u32 nth = inf->zap;

		if (!nth)
			return 0;
		inf->zap = 0;
		if (s->cfg.zap_in_kernel) {
			/* still in the kernel: taken before the next user instruction */
			sent = kill_pid(task_tgid(current), s->cfg.zap_signal, 1);
			sig_ts = ktime_get_ns();
		}
		sg_emit_exit(s, nr, inf, ret, now, SG_XF_ZAPPED);
		sg_zap_record(s, nr, inf, nth, sent, sig_ts, SG_ZAP_AT_EXIT, ret, now);
		return 0;
	}
	sg_emit_exit(s, nr, inf, ret, now, 0);
	return 0;
}

static int sg_sym_hit(struct kprobe *kp, struct pt_regs *regs)
{
	struct sg_probe *p = container_of(kp, struct sg_probe, kp);
	struct sg_session *s = READ_ONCE(g_sess);
	struct sg_probe_hit h = {};
	u32 tgid = task_tgid_nr(current);

	if (!s || !s->started)
		return 0;
	if (!sg_is_target(s, tgid) && !(s->cfg.ncomm && sg_comm_matches(s, current->comm)))
		return 0;
	sg_fill_hdr(&h.hdr, SG_EV_PROBE, sizeof(h), -1, ktime_get_ns());
	h.probe_id = p->id;
	h.ip = instruction_pointer(regs);
	h.regs[0] = regs->di;
	h.regs[1] = regs->si;
	h.regs[2] = regs->dx;
	h.regs[3] = regs->cx;
	h.regs[4] = regs->r8;
	h.regs[5] = regs->r9;
	sg_ring_put(s, &h, sizeof(h));
	return 0;
}

/* ---------------------------------------------------------------------- */
/* target set maintenance: fork, exec, exit                                */

/* wake_up_new_task(struct task_struct *p): a new task, before it first runs */
static int sg_on_fork(struct kprobe *kp, struct pt_regs *regs)
{
	struct sg_session *s = READ_ONCE(g_sess);
	struct task_struct *child = (struct task_struct *)regs->di;
	u32 ptgid = task_tgid_nr(current), ctgid;

	if (!s || !child || s->cfg.match_all)
		return 0;
	ctgid = task_tgid_nr(child);
	if (ctgid == ptgid || ctgid >= PID_MAX_LIMIT)
		return 0;
	if (s->cfg.follow && sg_bit(s, ptgid))
		set_bit(ctgid, s->targets);
	return 0;
}

/* begin_new_exec() returned: the new name is set */
static int sg_on_exec(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sg_session *s = READ_ONCE(g_sess);
	u32 tgid = task_tgid_nr(current);

	if (!s || s->cfg.match_all || regs_return_value(regs) != 0)
		return 0;
	if ((s->cfg.ncomm && sg_comm_matches(s, current->comm)) ||
	    (s->cfg.launch_tgid && tgid == s->cfg.launch_tgid))
		set_bit(tgid, s->targets);
	return 0;
}

/* taskstats_exit(struct task_struct *tsk, int group_dead), called from do_exit */
static int sg_on_exit(struct kprobe *kp, struct pt_regs *regs)
{
	struct sg_session *s = READ_ONCE(g_sess);
	struct task_struct *t = (struct task_struct *)regs->di;
	int group_dead = (int)regs->si;
	struct sg_task_exit e = {};
	u32 tgid;

	if (!s || t != current)
		return 0;
	tgid = task_tgid_nr(current);
	if (!sg_is_target(s, tgid) && !(s->cfg.ncomm && sg_comm_matches(s, current->comm)))
		return 0;
	sg_fill_hdr(&e.hdr, SG_EV_TASK_EXIT, sizeof(e), -1, ktime_get_ns());
	e.exit_code = t->exit_code;
	e.group_dead = group_dead;
	if (s->cfg.mode == SG_KMOD_ZAP) {
		struct sg_zap_slot *z = sg_zap_slot(s, tgid);

		if (z) {
			e.zap_matched = atomic_read(&z->matched);
			e.zap_done = atomic_read(&z->zapped);
			if (group_dead) {
				atomic_set(&z->matched, 0);
				atomic_set(&z->zapped, 0);
				atomic_set(&z->tgid, 0);
			}
		}
	}
	if (!sg_ring_put(s, &e, sizeof(e)))
		sg_count_inc(s, SG_CNT_TASK_DROP);
	if (group_dead && !s->cfg.match_all && tgid < PID_MAX_LIMIT)
		clear_bit(tgid, s->targets);
	return 0;
}

/*
 * The header of a signal record for task t (current, or the target of signal_generate).
 * Both signal tracepoints run under the siglock with interrupts off: the name is
 * copied without get_task_comm's task_lock.
 */
static void sg_signal_hdr(struct sg_signal *e, struct task_struct *t)
{
	e->hdr.type = SG_EV_SIGNAL;
	e->hdr.size = sizeof(*e);
	e->hdr.tgid = task_tgid_nr(t);
	e->hdr.tid = task_pid_nr(t);
	e->hdr.nr = -1;
	e->hdr.ts_ns = ktime_get_ns();
	strscpy_pad(e->hdr.comm, t->comm, sizeof(e->hdr.comm));
}

/*
 * The signal/signal_deliver tracepoint (trace mode): a target thread dequeues a
 * signal. Called from get_signal() with the siglock held and interrupts off:
 * nothing here sleeps or takes a lock but the ring's raw spinlock. info is
 * SEND_SIG_NOINFO (NULL) for the SIGKILL of a group exit: the record then says only
 * the signal number (info_ok 0).
 */
static void sg_on_signal(void *data, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct sg_session *s = data;
	struct sg_signal e = {};
	u32 tgid = task_tgid_nr(current);

	if (!READ_ONCE(s->started) || !sg_is_target(s, tgid))
		return;
	sg_signal_hdr(&e, current);
	e.signo = sig;
	if ((unsigned long)info >= PAGE_SIZE &&
	    !copy_from_kernel_nofault(e.info, info, sizeof(e.info)))
		e.info_ok = 1;
	else
		memset(e.info, 0, sizeof(e.info));
	e.handler = ka ? (u64)(unsigned long)ka->sa.sa_handler : 0;
	if (!sg_ring_put(s, &e, sizeof(e)))
		sg_count_inc(s, SG_CNT_SIGNAL_DROP);
}

/* enum trace_signal_result (include/trace/events/signal.h) */
#define SG_TRACE_SIGNAL_DELIVERED 0
#define SG_TRACE_SIGNAL_IGNORED 1
#define SG_TRACE_SIGNAL_LOSE_INFO 4

/*
 * signal/signal_generate (trace mode), for fatal signals that are never dequeued: a
 * signal whose default action ends the process without a core dump makes the
 * sender set SIGNAL_GROUP_EXIT and SIGKILL every thread (complete_signal), so
 * signal_deliver sees only SIGKILL; a ptraced process is spared that shortcut, and
 * strace shows the signal. Signals ignored when sent (SIG_IGN, SIG_DFL of SIGCHLD
 * ...) are dropped at once, where a ptraced thread would queue them: recorded here
 * too. Called with the target's siglock held: same rules.
 */
static void sg_on_signal_generate(void *data, int sig, struct kernel_siginfo *info,
				  struct task_struct *task, int group, int result)
{
	struct sg_session *s = data;
	struct sg_signal e = {};
	bool exiting, fatal;
	u32 tgid;

	if (!READ_ONCE(s->started) || sig == SIGKILL || sig < 1 || sig > _NSIG)
		return;
	tgid = task_tgid_nr(task);
	if (!sg_is_target(s, tgid))
		return;
	exiting = READ_ONCE(task->signal->flags) & SIGNAL_GROUP_EXIT;
	fatal = (result == SG_TRACE_SIGNAL_DELIVERED || result == SG_TRACE_SIGNAL_LOSE_INFO) &&
		exiting && READ_ONCE(task->signal->group_exit_code) == sig;
	if (!fatal && !(result == SG_TRACE_SIGNAL_IGNORED && !exiting))
		return;
	sg_signal_hdr(&e, task);
	e.signo = sig;
	e.info_ok = 1;
	if (info == SEND_SIG_NOINFO || info == SEND_SIG_PRIV ||
	    copy_from_kernel_nofault(e.info, info, sizeof(e.info))) {
		/* what __send_signal_locked makes of the special values */
		s32 *w = (s32 *)e.info;

		memset(e.info, 0, sizeof(e.info));
		w[0] = sig;
		if (info == SEND_SIG_PRIV) {
			w[2] = SI_KERNEL;
		} else {
			w[2] = SI_USER;
			w[4] = task_tgid_nr(current);
			w[5] = from_kuid_munged(&init_user_ns, current_uid());
		}
	}
	/* fatal: SIG_DFL, which made it so */
	e.handler = fatal ? 0 : (u64)(unsigned long)task->sighand->action[sig - 1].sa.sa_handler;
	if (!sg_ring_put(s, &e, sizeof(e)))
		sg_count_inc(s, SG_CNT_SIGNAL_DROP);
}

struct sg_tp_find {
	struct tracepoint *deliver, *generate;
};

/* the signal tracepoints are not exported to modules (no __tracepoint_signal_*): by name */
static void sg_find_signal_tp(struct tracepoint *tp, void *priv)
{
	struct sg_tp_find *f = priv;

	if (!strcmp(tp->name, "signal_deliver"))
		f->deliver = tp;
	else if (!strcmp(tp->name, "signal_generate"))
		f->generate = tp;
}

static int sg_signal_register(struct sg_session *s)
{
	struct sg_tp_find f = {};
	int err;

	for_each_kernel_tracepoint(sg_find_signal_tp, &f);
	if (!f.deliver || !f.generate)
		return -ENOENT;
	err = tracepoint_probe_register(f.deliver, sg_on_signal, s);
	if (err)
		return err;
	s->sig_tp = f.deliver;
	err = tracepoint_probe_register(f.generate, sg_on_signal_generate, s);
	if (err)
		return err; /* sig_tp is unregistered with the session */
	s->gen_tp = f.generate;
	return 0;
}

static void sg_signal_unregister(struct sg_session *s)
{
	if (!s->sig_tp && !s->gen_tp)
		return;
	if (s->sig_tp)
		tracepoint_probe_unregister(s->sig_tp, sg_on_signal, s);
	if (s->gen_tp)
		tracepoint_probe_unregister(s->gen_tp, sg_on_signal_generate, s);
	/* no CPU may still run a probe with this session once we return */
	tracepoint_synchronize_unregister();
	s->sig_tp = NULL;
	s->gen_tp = NULL;
}

/* ---------------------------------------------------------------------- */
/* session set-up and tear-down                                             */

static void sg_unregister_all(struct sg_session *s)
{
	u32 i;

	for (i = 0; i < s->nprobes; i++) {
		struct sg_probe *p = s->probes[i];

		if (p->is_ret)
			unregister_kretprobe(&p->rp);
		else
			unregister_kprobe(&p->kp);
		kfree(p);
		s->probes[i] = NULL;
	}
	s->nprobes = 0;
	sg_signal_unregister(s);
	if (s->helpers_on) {
		unregister_kretprobe(&s->exec_rp);
		unregister_kprobe(&s->fork_kp);
		unregister_kprobe(&s->exit_kp);
		s->helpers_on = false;
	}
}

static void sg_session_free(struct sg_session *s)
{
	if (!s)
		return;
	sg_unregister_all(s);
	irq_work_sync(&s->wake);
	free_percpu(s->counters);
	free_percpu(s->counts);
	vfree(s->ring);
	vfree(s->targets);
	vfree(s->spec);
	vfree(s->zap);
	kfree(s);
}

static struct sg_session *sg_session_alloc(void)
{
	struct sg_session *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	raw_spin_lock_init(&s->lock);
	init_waitqueue_head(&s->wq);
	init_irq_work(&s->wake, sg_wake);
	mutex_init(&s->ctl);
	s->spec = vzalloc(sizeof(*s->spec) * SG_MAX_SYSCALLS);
	s->targets = vzalloc(BITS_TO_LONGS(PID_MAX_LIMIT) * sizeof(long));
	s->zap = vzalloc(sizeof(*s->zap) * SG_ZAP_SLOTS);
	s->counters = __alloc_percpu(sizeof(u64) * SG_CNT_MAX, sizeof(u64));
	s->counts = __alloc_percpu(sizeof(struct sg_count) * SG_MAX_SYSCALLS, sizeof(u64));
	if (!s->spec || !s->targets || !s->zap || !s->counters || !s->counts) {
		sg_session_free(s);
		return NULL;
	}
	return s;
}

static int sg_helpers_register(struct sg_session *s)
{
	int err;

	s->fork_kp.symbol_name = "wake_up_new_task";
	s->fork_kp.pre_handler = sg_on_fork;
	s->exit_kp.symbol_name = "taskstats_exit";
	s->exit_kp.pre_handler = sg_on_exit;
	s->exec_rp.kp.symbol_name = "begin_new_exec";
	s->exec_rp.handler = sg_on_exec;
	s->exec_rp.maxactive = 4 * num_possible_cpus();
	err = register_kprobe(&s->fork_kp);
	if (err)
		return err;
	err = register_kprobe(&s->exit_kp);
	if (err) {
		unregister_kprobe(&s->fork_kp);
		return err;
	}
	err = register_kretprobe(&s->exec_rp);
	if (err) {
		unregister_kprobe(&s->exit_kp);
		unregister_kprobe(&s->fork_kp);
		return err;
	}
	s->helpers_on = true;
	return 0;
}

static long sg_add_probe(struct sg_session *s, struct sg_kmod_probe *req)
{
	struct sg_probe *p;
	int err;

	if (s->nprobes >= SG_KMOD_MAX_PROBES)
		return -ENOSPC;
	req->symbol[SG_KMOD_SYM_LEN - 1] = 0;
	if (req->nr >= SG_MAX_SYSCALLS || !req->symbol[0])
		return -EINVAL;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->nr = req->nr;
	p->id = s->nprobes;
	if (req->nr >= 0) {
		if (req->offset)
			goto inval;
		snprintf(p->name, sizeof(p->name), "__x64_sys_%s", req->symbol);
		p->is_ret = true;
		p->rp.kp.symbol_name = p->name;
		p->rp.entry_handler = sg_sys_entry;
		p->rp.handler = sg_sys_return;
		p->rp.data_size = sizeof(struct sg_inflight);
		p->rp.maxactive = 64 * num_possible_cpus();
		err = register_kretprobe(&p->rp);
	} else {
		strscpy(p->name, req->symbol, sizeof(p->name));
		p->kp.symbol_name = p->name;
		p->kp.offset = req->offset;
		p->kp.pre_handler = sg_sym_hit;
		err = register_kprobe(&p->kp);
	}
	if (err) {
		kfree(p);
		return err;
	}
	req->id = p->id;
	s->probes[s->nprobes++] = p;
	return 0;
inval:
	kfree(p);
	return -EINVAL;
}

/* ---------------------------------------------------------------------- */
/* the device                                                               */

static int sg_open(struct inode *inode, struct file *f)
{
	struct sg_session *s;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&g_open_lock);
	if (g_sess) {
		/* one session at a time: a second client would see the first's events */
		mutex_unlock(&g_open_lock);
		return -EBUSY;
	}
	s = sg_session_alloc();
	if (!s) {
		mutex_unlock(&g_open_lock);
		return -ENOMEM;
	}
	f->private_data = s;
	WRITE_ONCE(g_sess, s);
	mutex_unlock(&g_open_lock);
	return 0;
}

static int sg_release(struct inode *inode, struct file *f)
{
	struct sg_session *s = f->private_data;

	mutex_lock(&g_open_lock);
	s->started = false;
	sg_unregister_all(s); /* waits for running handlers */
	WRITE_ONCE(g_sess, NULL);
	mutex_unlock(&g_open_lock);
	sg_session_free(s);
	return 0;
}

static ssize_t sg_read(struct file *f, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct sg_session *s = f->private_data;
	size_t done = 0;
	char *tmp;
	int err;

	if (!s->ring)
		return -EINVAL;
	if (!(f->f_flags & O_NONBLOCK)) {
		err = wait_event_interruptible(s->wq, READ_ONCE(s->head) != READ_ONCE(s->tail));
		if (err)
			return err;
	}
	tmp = kmalloc(SG_EVENT_MAX, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	/* whole records only; the one reader is the only one moving tail */
	while (done < count) {
		unsigned long flags;
		struct sg_hdr h;
		u32 off, first, len;
		u64 avail;

		raw_spin_lock_irqsave(&s->lock, flags);
		avail = s->head - s->tail;
		if (avail < sizeof(h)) {
			raw_spin_unlock_irqrestore(&s->lock, flags);
			break;
		}
		off = s->tail & (s->ring_size - 1);
		first = min_t(u32, sizeof(h), s->ring_size - off);
		memcpy(&h, s->ring + off, first);
		memcpy((char *)&h + first, s->ring, sizeof(h) - first);
		len = h.size;
		if (len < sizeof(h) || len > SG_EVENT_MAX || len > avail) {
			/* cannot happen with whole records; never loop on garbage */
			s->tail = s->head;
			raw_spin_unlock_irqrestore(&s->lock, flags);
			break;
		}
		if (done + len > count) {
			raw_spin_unlock_irqrestore(&s->lock, flags);
			break;
		}
		first = min_t(u32, len, s->ring_size - off);
		memcpy(tmp, s->ring + off, first);
		memcpy(tmp + first, s->ring, len - first);
		s->tail += len;
		raw_spin_unlock_irqrestore(&s->lock, flags);
		if (copy_to_user(ubuf + done, tmp, len)) {
			kfree(tmp);
			return done ? done : -EFAULT;
		}
		done += len;
	}
	kfree(tmp);
	if (!done && count < SG_EVENT_MAX && READ_ONCE(s->head) != READ_ONCE(s->tail))
		return -EINVAL; /* the buffer cannot hold the next record */
	return done ? done : -EAGAIN;
}

static __poll_t sg_poll(struct file *f, poll_table *wait)
{
	struct sg_session *s = f->private_data;

	poll_wait(f, &s->wq, wait);
	return READ_ONCE(s->head) != READ_ONCE(s->tail) ? EPOLLIN | EPOLLRDNORM : 0;
}

static long sg_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct sg_session *s = f->private_data;
	void __user *uarg = (void __user *)arg;
	long err = 0;

	mutex_lock(&s->ctl);
	switch (cmd) {
	case SG_IOC_CONFIG: {
		struct sg_kmod_config c;
		u32 ring;

		if (s->ring || s->started) {
			err = -EBUSY;
			break;
		}
		if (copy_from_user(&c, uarg, sizeof(c))) {
			err = -EFAULT;
			break;
		}
		if (c.abi_version != SG_ABI_VERSION || c.size != sizeof(c) ||
		    c.mode > SG_KMOD_ZAP || c.ncomm > SG_MAX_COMMS || c.zap_signal < 0 ||
		    c.zap_signal > 64) {
			err = -EINVAL;
			break;
		}
		ring = c.ring_bytes ? c.ring_bytes : SG_RING_DEFAULT;
		if (!is_power_of_2(ring) || ring < PAGE_SIZE || ring > SG_RING_MAX) {
			err = -EINVAL;
			break;
		}
		s->ring = vmalloc(ring);
		if (!s->ring) {
			err = -ENOMEM;
			break;
		}
		s->ring_size = ring;
		s->cfg = c;
		break;
	}
	case SG_IOC_SPEC: {
		struct sg_kmod_spec sp;

		if (copy_from_user(&sp, uarg, sizeof(sp))) {
			err = -EFAULT;
			break;
		}
		if (sp.nr >= SG_MAX_SYSCALLS) {
			err = -EINVAL;
			break;
		}
		s->spec[sp.nr] = sp.spec;
		break;
	}
	case SG_IOC_ADD_PROBE: {
		struct sg_kmod_probe p;

		if (!s->ring) {
			err = -ENOTCONN; /* configure first */
			break;
		}
		if (copy_from_user(&p, uarg, sizeof(p))) {
			err = -EFAULT;
			break;
		}
		err = sg_add_probe(s, &p);
		if (!err && copy_to_user(uarg, &p, sizeof(p)))
			err = -EFAULT;
		break;
	}
	case SG_IOC_TARGET: {
		struct sg_kmod_target t;

		if (copy_from_user(&t, uarg, sizeof(t))) {
			err = -EFAULT;
			break;
		}
		if (t.tgid == 0 || t.tgid >= PID_MAX_LIMIT) {
			err = -EINVAL;
			break;
		}
		if (t.remove)
			clear_bit(t.tgid, s->targets);
		else
			set_bit(t.tgid, s->targets);
		break;
	}
	case SG_IOC_ARG_MATCH: {
		struct sg_arg_match m;

		if (copy_from_user(&m, uarg, sizeof(m))) {
			err = -EFAULT;
			break;
		}
		/* refused, never cut to fit (sysgate_match.h) */
		if (s->nmatch >= SG_MAX_MATCH || !sg_match_valid(&m)) {
			err = -EINVAL;
			break;
		}
		s->match[s->nmatch++] = m;
		break;
	}
	case SG_IOC_START:
		if (!s->ring) {
			err = -ENOTCONN;
			break;
		}
		if (!s->helpers_on) {
			err = sg_helpers_register(s);
			if (err)
				break;
		}
		if (s->cfg.mode == SG_KMOD_TRACE && !s->sig_tp) {
			err = sg_signal_register(s);
			if (err)
				break;
		}
		WRITE_ONCE(s->started, true);
		break;
	case SG_IOC_STATS: {
		struct sg_kmod_stats st = {};
		int cpu, i;
		u32 k;

		for_each_possible_cpu(cpu)
			for (i = 0; i < SG_CNT_MAX; i++)
				st.counters[i] += per_cpu_ptr(s->counters, cpu)[i];
		st.ring_drops = atomic64_read(&s->ring_drops);
		for (k = 0; k < s->nprobes; k++) {
			struct sg_probe *p = s->probes[k];

			if (p->is_ret)
				st.kprobe_missed += p->rp.nmissed + p->rp.kp.nmissed;
			else
				st.kprobe_missed += p->kp.nmissed;
		}
		st.nprobes = s->nprobes;
		if (copy_to_user(uarg, &st, sizeof(st)))
			err = -EFAULT;
		break;
	}
	case SG_IOC_COUNTS: {
		struct sg_kmod_counts req;
		struct sg_count *rows;
		int cpu;
		u32 nr;

		if (copy_from_user(&req, uarg, sizeof(req))) {
			err = -EFAULT;
			break;
		}
		if (req.size != sizeof(struct sg_count) * SG_MAX_SYSCALLS) {
			err = -EINVAL;
			break;
		}
		rows = vzalloc(req.size);
		if (!rows) {
			err = -ENOMEM;
			break;
		}
		for_each_possible_cpu(cpu) {
			struct sg_count *c = per_cpu_ptr(s->counts, cpu);

			for (nr = 0; nr < SG_MAX_SYSCALLS; nr++) {
				rows[nr].calls += c[nr].calls;
				rows[nr].errors += c[nr].errors;
				rows[nr].total_ns += c[nr].total_ns;
				rows[nr].max_ns = max(rows[nr].max_ns, c[nr].max_ns);
			}
		}
		if (copy_to_user((void __user *)(unsigned long)req.user_ptr, rows, req.size))
			err = -EFAULT;
		vfree(rows);
		break;
	}
	default:
		err = -ENOTTY;
	}
	mutex_unlock(&s->ctl);
	return err;
}

static const struct file_operations sg_fops = {
	.owner = THIS_MODULE,
	.open = sg_open,
	.release = sg_release,
	.read = sg_read,
	.poll = sg_poll,
	.unlocked_ioctl = sg_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice sg_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sysgate",
	.fops = &sg_fops,
	.mode = 0600,
};

/* ---------------------------------------------------------------------- */
/* standalone mode                                                          */

static struct kprobe sa_kp;
static bool sa_on;
static atomic_t sa_hits = ATOMIC_INIT(0);
static char sa_name[SG_KMOD_SYM_LEN + 24];

static int sa_hit(struct kprobe *kp, struct pt_regs *regs)
{
	const struct pt_regs *u = syscall_name[0] ? sg_user_regs(regs) : NULL;
	char comm[TASK_COMM_LEN];
	int n;

	get_task_comm(comm, current);
	if (target_comm[0] && strncmp(comm, target_comm, TASK_COMM_LEN))
		return 0;
	n = atomic_inc_return(&sa_hits);
	if (u)
		pr_info_ratelimited("%s[%d] %s(%#lx, %#lx, %#lx) hit %d\n", comm,
				    task_pid_nr(current), syscall_name, u->di, u->si, u->dx, n);
	else
		pr_info_ratelimited("%s[%d] %s+%#lx hit %d\n", comm, task_pid_nr(current), sa_name,
				    (unsigned long)offset, n);
	if (signal_nr > 0 && n == skip + 1) {
		kill_pid(task_tgid(current), signal_nr, 1);
		pr_info_ratelimited("%s[%d]: sent signal %d on hit %d\n", comm,
				    task_pid_nr(current), signal_nr, n);
	}
	return 0;
}

static int __init sg_init(void)
{
	int err;

	g_scratch = __alloc_percpu(SG_EVENT_MAX, 8);
	if (!g_scratch)
		return -ENOMEM;
	err = misc_register(&sg_misc);
	if (err) {
		free_percpu(g_scratch);
		return err;
	}
	if (syscall_name[0] || symbol[0]) {
		if (syscall_name[0])
			snprintf(sa_name, sizeof(sa_name), "__x64_sys_%s", syscall_name);
		else
			strscpy(sa_name, symbol, sizeof(sa_name));
		sa_kp.symbol_name = sa_name;
		sa_kp.offset = syscall_name[0] ? 0 : offset;
		sa_kp.pre_handler = sa_hit;
		err = register_kprobe(&sa_kp);
		if (err) {
			pr_err("cannot probe %s+%#lx: %d\n", sa_name, offset, err);
			misc_deregister(&sg_misc);
			free_percpu(g_scratch);
			return err;
		}
		sa_on = true;
		pr_info("standalone probe on %s+%#x (comm '%s', act on hit %u, signal %d)\n",
			sa_name, sa_kp.offset, target_comm, skip + 1, signal_nr);
	}
	return 0;
}

static void __exit sg_exit(void)
{
	if (sa_on)
		unregister_kprobe(&sa_kp);
	misc_deregister(&sg_misc); /* no session can be open: the device holds a module ref */
	free_percpu(g_scratch);
}

module_init(sg_init);
module_exit(sg_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("sysgate");
MODULE_DESCRIPTION("sysgate: kprobe syscall interception with a character device");
