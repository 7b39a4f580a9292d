/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * The capture walker, written once for the kernel module (kmod/sysgate_kmod.c)
 * and the ptrace backend (src/backends/ptrace): given a syscall's capture spec
 * and its arguments, it appends sg_cap records (docs/SCHEMA.md) to a record
 * under construction. The BPF program has its own copy of these layouts, in
 * the shape the verifier accepts (bpf/sysgate.bpf.c).
 *
 * The includer defines, before including this file:
 *
 *   SG_CAP_READ(who, dst, src, len)  copies len bytes of the traced task's
 *       memory at user address src into dst; 0 on success, non-zero when any
 *       of it cannot be read. who is the context's opaque pointer (the module
 *       passes NULL: the current task; ptrace passes its tracee).
 *
 * and provides memcpy and memchr. Plain C, no allocation, bounded loops.
 */
#ifndef SYSGATE_CAPTURE_H
#define SYSGATE_CAPTURE_H

#include "sysgate_match.h"

#ifndef SG_CAP_READ
#error "define SG_CAP_READ(who, dst, src, len) before including sysgate_capture.h"
#endif

#define SG_CAP_PAGE 4096u
#define SG_CAP_ALIGN8(x) (((x) + 7u) & ~7u)

/* struct user_msghdr on x86-64, as the syscalls take it */
struct sg_user_msghdr {
	__u64 name;
	__s32 namelen;
	__u32 pad0;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
	__u32 pad1;
};

struct sg_cap_ctx {
	char *buf;  /* the record: SG_EVENT_MAX bytes */
	__u32 off;  /* where the next capture goes */
	__u16 ncap; /* captures appended */
	__u8 at_exit;
	__u8 retry; /* entry: strings that faulted; exit: those to read again */
	__s64 ret;
	const __u64 *args;
	void *who;   /* handed to SG_CAP_READ */
	__u32 trunc; /* captures left out because the record was full */
};

SG_INLINE __u64 sg_cap_min(__u64 a, __u64 b)
{
	return a < b ? a : b;
}

SG_INLINE int sg_cap_room(const struct sg_cap_ctx *c)
{
	return c->off <= SG_EVENT_MAX - SG_MAX_CAP_BYTES - 2 * sizeof(struct sg_cap);
}

SG_INLINE void sg_cap_end(struct sg_cap_ctx *c, __u32 hoff, __u8 arg, __u8 kind, __u8 flags,
			  __u32 len, __u64 size)
{
	struct sg_cap *h = (struct sg_cap *)(c->buf + hoff);

	h->arg = arg;
	h->kind = kind;
	h->flags = flags;
	h->pad = 0;
	h->len = len;
	h->size = size;
	c->off = hoff + sizeof(*h) + SG_CAP_ALIGN8(len);
	c->ncap++;
}

/*
 * A string of at most max bytes, read in pieces that never cross a page (it
 * may end just before an unmapped page). Returns its length without the NUL
 * (max when no NUL was found within max bytes), or -1 when nothing could be read.
 */
SG_INLINE long sg_read_str(void *who, char *dst, __u64 src, __u32 max)
{
	__u32 done = 0;

	while (done < max) {
		__u32 chunk = (__u32)sg_cap_min(max - done,
						SG_CAP_PAGE - ((src + done) & (SG_CAP_PAGE - 1)));
		const char *nul;

		chunk = (__u32)sg_cap_min(chunk, 256);
		if (SG_CAP_READ(who, dst + done, src + done, chunk))
			return done ? (long)done : -1;
		nul = (const char *)memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return max;
}

SG_INLINE void sg_cap_str(struct sg_cap_ctx *c, __u8 arg, __u8 flags, __u64 ptr, __u32 max)
{
	__u32 hoff = c->off;
	__u32 len = 0;
	long n;

	if (max < 2)
		max = 2;
	if (max > SG_MAX_CAP_BYTES)
		max = SG_MAX_CAP_BYTES;
	n = sg_read_str(c->who, c->buf + hoff + sizeof(struct sg_cap), ptr, max);
	if (n < 0) {
		/* not paged in yet: the syscall will fault it in, read it again at exit */
		flags |= SG_CF_FAULT;
		if (!c->at_exit && !(flags & SG_CF_ELEM))
			c->retry |= 1 << arg;
	} else {
		/* n is the length without the NUL; max means it was cut */
		len = n >= max ? max - 1 : (__u32)n;
		if (n >= max)
			flags |= SG_CF_TRUNC;
	}
	sg_cap_end(c, hoff, arg, SG_CK_STR, flags, len, 0);
}

SG_INLINE void sg_cap_buf(struct sg_cap_ctx *c, __u8 arg, __u8 kind, __u8 flags, __u64 ptr,
			  __u64 want, __u32 max)
{
	__u32 hoff = c->off;
	__u32 rd = (__u32)sg_cap_min(want, sg_cap_min(max, SG_MAX_CAP_BYTES));

	if (want > rd)
		flags |= SG_CF_TRUNC;
	if (rd && SG_CAP_READ(c->who, c->buf + hoff + sizeof(struct sg_cap), ptr, rd)) {
		flags |= SG_CF_FAULT;
		rd = 0;
	}
	sg_cap_end(c, hoff, arg, kind, flags, rd, want);
}

SG_INLINE void sg_cap_iov(struct sg_cap_ctx *c, __u8 arg, __u8 base, __u64 ptr, __u64 cnt,
			  __u32 max, __s64 budget)
{
	__u64 iov[SG_MAX_IOV * 2];
	__u32 n = (__u32)sg_cap_min(cnt, SG_MAX_IOV), hoff = c->off, i;
	__u8 f = base | (cnt > SG_MAX_IOV ? SG_CF_TRUNC : 0);

	if (n && SG_CAP_READ(c->who, iov, ptr, n * 16)) {
		sg_cap_end(c, hoff, arg, SG_CK_IOV, f | SG_CF_FAULT, 0, cnt);
		return;
	}
	memcpy(c->buf + hoff + sizeof(struct sg_cap), iov, n * 16);
	sg_cap_end(c, hoff, arg, SG_CK_IOV, f, n * 16, cnt);
	for (i = 0; i < n && sg_cap_room(c); i++) {
		__u64 want = iov[2 * i + 1];

		if (budget >= 0 && want > (__u64)budget)
			want = (__u64)budget;
		sg_cap_buf(c, arg, SG_CK_BUF, base | SG_CF_ELEM, iov[2 * i], want, max);
		if (budget >= 0)
			budget -= (__s64)want;
	}
}

SG_INLINE void sg_cap_strarr(struct sg_cap_ctx *c, __u8 arg, __u64 ptr, __u32 max)
{
	__u32 hoff = c->off, n = 0;
	struct sg_cap *h;
	__u8 f = 0;

	sg_cap_end(c, hoff, arg, SG_CK_STRARR, 0, 0, 0);
	for (; n < SG_MAX_STRARR; n++) {
		__u64 p;

		if (SG_CAP_READ(c->who, &p, ptr + n * 8, 8)) {
			f |= SG_CF_FAULT;
			break;
		}
		if (!p)
			break;
		if (!sg_cap_room(c)) {
			f |= SG_CF_TRUNC;
			break;
		}
		sg_cap_str(c, arg, SG_CF_ELEM, p, max);
	}
	if (n == SG_MAX_STRARR) {
		__u64 p = 0;

		if (!SG_CAP_READ(c->who, &p, ptr + n * 8, 8) && p)
			f |= SG_CF_TRUNC;
	}
	h = (struct sg_cap *)(c->buf + hoff);
	h->flags = f;
	h->size = n;
}

SG_INLINE void sg_cap_ptrarr(struct sg_cap_ctx *c, __u8 arg, __u64 ptr)
{
	__u32 n = 0, hoff = c->off;
	__u8 f = SG_CF_TRUNC;
	__u64 p;

	for (; n < 256; n++) {
		if (SG_CAP_READ(c->who, &p, ptr + n * 8, 8)) {
			f = n ? SG_CF_TRUNC : SG_CF_FAULT;
			break;
		}
		if (!p) {
			f = 0;
			break;
		}
	}
	sg_cap_end(c, hoff, arg, SG_CK_PTRARR, f, 0, n);
}

SG_INLINE void sg_cap_msghdr(struct sg_cap_ctx *c, __u8 arg, __u64 ptr, __u32 max, __s64 budget)
{
	struct sg_user_msghdr m;
	__u32 hoff = c->off;

	if (SG_CAP_READ(c->who, &m, ptr, sizeof(m))) {
		sg_cap_end(c, hoff, arg, SG_CK_MSGHDR, SG_CF_FAULT, 0, sizeof(m));
		return;
	}
	memcpy(c->buf + hoff + sizeof(struct sg_cap), &m, sizeof(m));
	sg_cap_end(c, hoff, arg, SG_CK_MSGHDR, 0, sizeof(m), sizeof(m));
	sg_cap_buf(c, arg, SG_CK_BUF, SG_CF_ELEM, m.name, m.name ? (__u32)m.namelen : 0, 128);
	if (sg_cap_room(c))
		sg_cap_iov(c, arg, SG_CF_ELEM, m.iov, m.iovlen, max, budget);
}

/*
 * Appends the captures spec asks for at this point of the call (entry, or exit
 * with c->ret set), and at exit the strings that faulted at entry (c->retry).
 */
SG_INLINE void sg_capture(const struct sg_sys_spec *spec, struct sg_cap_ctx *c)
{
	__u8 when = c->at_exit ? SG_AT_EXIT : SG_AT_ENTER;
	int i;

	for (i = 0; i < SG_NARGS; i++) {
		const struct sg_cap_spec *cs = &spec->cap[i];
		__u64 ptr = c->args[i], want = 0, v;
		__s32 plen = 0;
		__u32 max = sg_cap_max(cs->size);

		if (cs->kind == SG_CK_NONE || !ptr)
			continue;
		if (!(cs->when & when) &&
		    !(c->at_exit && cs->kind == SG_CK_STR && (c->retry & (1 << i))))
			continue;
		if (!sg_cap_room(c)) {
			c->trunc++;
			return;
		}
		v = c->args[cs->len_arg % SG_NARGS];
		switch (cs->kind) {
		case SG_CK_STR:
			sg_cap_str(c, i, 0, ptr, max);
			break;
		case SG_CK_SOCKLEN:
			sg_cap_buf(c, i, SG_CK_SOCKLEN, 0, ptr, 4, 4);
			break;
		case SG_CK_IOV:
			if (c->at_exit && c->ret < 0)
				continue;
			sg_cap_iov(c, i, 0, ptr, v, max, c->at_exit ? c->ret : -1);
			break;
		case SG_CK_STRARR:
			sg_cap_strarr(c, i, ptr, max);
			break;
		case SG_CK_PTRARR:
			sg_cap_ptrarr(c, i, ptr);
			break;
		case SG_CK_MSGHDR:
			if (c->at_exit && c->ret < 0)
				continue;
			sg_cap_msghdr(c, i, ptr, max, c->at_exit ? c->ret : -1);
			break;
		case SG_CK_BUF:
			if (cs->len_src == SG_LEN_ARGPTR &&
			    (!v || SG_CAP_READ(c->who, &plen, v, 4)))
				plen = -1;
			if (sg_cap_want(cs->len_src, cs->size, cs->elem, v, c->ret, plen, &want))
				continue;
			sg_cap_buf(c, i, SG_CK_BUF, 0, ptr, want, max);
			break;
		}
	}
}

#endif /* SYSGATE_CAPTURE_H */
