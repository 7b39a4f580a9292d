/* SPDX-License-Identifier: (GPL-2.0-only OR Apache-2.0) */
/*
 * The pure logic both kernel sides run, written once: bpf/sysgate.bpf.c
 * (clang -target bpf) and kmod/sysgate_kmod.c (kernel C) include it, and so do
 * the unit tests (user space C++). No helpers, no allocation, bounded loops:
 * the caller reads user memory its own way and hands the bytes in.
 *
 *   - zap --arg conditions: which ones the kernel side accepts, how they match;
 *   - the length a buffer capture wants (enum sg_len_src);
 *   - the syscall numbers the kernel sides test (schema/sysgate_nr.h).
 */
#ifndef SYSGATE_MATCH_H
#define SYSGATE_MATCH_H

#include "sysgate_abi.h"
#include "sysgate_nr.h"

#if defined(__bpf__)
#define SG_INLINE static __always_inline
/* the BPF program keeps the session in .rodata, seen as const volatile */
#define SG_RO const volatile
#else
#define SG_INLINE static inline
#define SG_RO const
#endif

/* what a kernel side reads of a string to test a prefix: SG_PREFIX_MAX bytes and a NUL */
#define SG_PREFIX_BUF (SG_PREFIX_MAX + 1)

/* the default and largest length of one capture */
#define SG_CAP_DEFAULT 32

/*
 * A condition a kernel side accepts. Anything else is refused (EINVAL from
 * the module, a usage error from user space), never cut to fit: a shortened
 * prefix would match more calls than the user asked for.
 */
SG_INLINE int sg_match_valid(SG_RO struct sg_arg_match *m)
{
	if (m->index >= SG_NARGS)
		return 0;
	switch (m->op) {
	case SG_MATCH_EQ:
	case SG_MATCH_BITS:
		return 1;
	case SG_MATCH_PREFIX:
		return m->len <= SG_PREFIX_MAX;
	}
	return 0;
}

/* SG_MATCH_EQ and SG_MATCH_BITS on an argument's value */
SG_INLINE int sg_match_value(__u8 op, __u64 v, __u64 value, __u64 mask)
{
	switch (op) {
	case SG_MATCH_EQ:
		return (v & mask) == value;
	case SG_MATCH_BITS:
		return (v & value) == value;
	}
	return 0;
}

/*
 * SG_MATCH_PREFIX: s holds the first slen bytes of the string at the argument
 * (without its NUL; the caller reads at most SG_PREFIX_MAX bytes into a buffer
 * of SG_PREFIX_BUF); slen < 0 when it could not be read.
 */
SG_INLINE int sg_match_prefix(const char *s, long slen, SG_RO char *prefix, __u32 len)
{
	int i;

	if (slen < 0 || len > SG_PREFIX_MAX || slen < (long)len)
		return 0;
	for (i = 0; i < SG_PREFIX_MAX; i++) {
		if (i >= (int)len)
			break;
		if (s[i] != prefix[i])
			return 0;
	}
	return 1;
}

/* the upper bound of one capture */
SG_INLINE __u32 sg_cap_max(__u16 size)
{
	__u32 max = size ? size : SG_CAP_DEFAULT;

	return max > SG_MAX_CAP_BYTES ? SG_MAX_CAP_BYTES : max;
}

/*
 * The bytes an SG_CK_BUF capture wants, from its spec: v is args[len_arg],
 * ret the return value (at exit), plen the int read through args[len_arg] for
 * SG_LEN_ARGPTR (negative when unreadable). Returns 0 with *want set, or -1:
 * capture nothing (a failed call, an unreadable length).
 */
SG_INLINE int sg_cap_want(__u8 len_src, __u16 size, __u16 elem, __u64 v, __s64 ret, __s32 plen,
			  __u64 *want)
{
	__u64 e = elem ? elem : 1;

	switch (len_src) {
	case SG_LEN_CONST:
		*want = size;
		return 0;
	case SG_LEN_ARG:
		*want = v * e;
		return 0;
	case SG_LEN_RET:
		/* nothing filled on failure; an empty result ("" for read at EOF) is shown */
		if (ret < 0)
			return -1;
		*want = ((__u64)ret > v ? v : (__u64)ret) * e;
		return 0;
	case SG_LEN_ARGPTR:
		if (plen < 0)
			return -1;
		*want = (__u64)plen;
		return 0;
	case SG_LEN_FDSET:
		*want = ((v & 0xffffffff) + 63) / 64 * 8;
		return 0;
	}
	*want = 0;
	return 0;
}

/* execve and execveat: a launched command becomes a target at its exec */
SG_INLINE int sg_is_exec(long nr)
{
	return nr == SG_NR_execve || nr == SG_NR_execveat;
}

#endif /* SYSGATE_MATCH_H */
