// SPDX-License-Identifier: Apache-2.0
// Everything else with names: futex, prctl, arch_prctl, bpf, ptrace, seccomp,
// perf_event_open, memfd, inotify, eventfd/timerfd/signalfd, xattr, statx's
// mask, clocks, splice, getrandom, preadv2/pwritev2, rseq.
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/bpf.h>
#include <linux/futex.h>
#include <linux/memfd.h>
#include <linux/perf_event.h>
#include <linux/rseq.h>
#include <linux/seccomp.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <time.h>

#include <algorithm>

#include "decode/families.hpp"
#include "decode/util.hpp"

// Newer than Debian 12's headers (upstream values).
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef RWF_ATOMIC
#define RWF_ATOMIC 0x00000040
#endif
#ifndef RWF_DONTCACHE
#define RWF_DONTCACHE 0x00000080
#endif
#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

namespace sysgate::decode {

namespace {

constexpr FlagName kFutexOps[] = {
    {0, "FUTEX_WAIT"},
    {1, "FUTEX_WAKE"},
    {2, "FUTEX_FD"},
    {3, "FUTEX_REQUEUE"},
    {4, "FUTEX_CMP_REQUEUE"},
    {5, "FUTEX_WAKE_OP"},
    {6, "FUTEX_LOCK_PI"},
    {7, "FUTEX_UNLOCK_PI"},
    {8, "FUTEX_TRYLOCK_PI"},
    {9, "FUTEX_WAIT_BITSET"},
    {10, "FUTEX_WAKE_BITSET"},
    {11, "FUTEX_WAIT_REQUEUE_PI"},
    {12, "FUTEX_CMP_REQUEUE_PI"},
    {13, "FUTEX_LOCK_PI2"},
};

// FUTEX_WAIT_PRIVATE, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME
Value d_futex_op(const ArgCtx& c) {
  const uint32_t v = lo32(c.raw);
  // The kernel takes every bit but the two flags as the command, so stray bits
  // make an unknown command: the whole op in hex, as strace.
  const char* name = lookup(v & FUTEX_CMD_MASK, kFutexOps);
  if (!name) return Value::sym(hex(v));
  std::string s = name;
  if (v & FUTEX_PRIVATE_FLAG) s += "_PRIVATE";
  if (v & FUTEX_CLOCK_REALTIME) s += "|FUTEX_CLOCK_REALTIME";
  return Value::sym(std::move(s));
}

constexpr FlagName kPrctl[] = {
    {PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG"},
    {PR_GET_PDEATHSIG, "PR_GET_PDEATHSIG"},
    {PR_GET_DUMPABLE, "PR_GET_DUMPABLE"},
    {PR_SET_DUMPABLE, "PR_SET_DUMPABLE"},
    {PR_GET_UNALIGN, "PR_GET_UNALIGN"},
    {PR_SET_UNALIGN, "PR_SET_UNALIGN"},
    {PR_GET_KEEPCAPS, "PR_GET_KEEPCAPS"},
    {PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS"},
    {PR_GET_FPEMU, "PR_GET_FPEMU"},
    {PR_SET_FPEMU, "PR_SET_FPEMU"},
    {PR_GET_FPEXC, "PR_GET_FPEXC"},
    {PR_SET_FPEXC, "PR_SET_FPEXC"},
    {PR_GET_TIMING, "PR_GET_TIMING"},
    {PR_SET_TIMING, "PR_SET_TIMING"},
    {PR_SET_NAME, "PR_SET_NAME"},
    {PR_GET_NAME, "PR_GET_NAME"},
    {PR_GET_ENDIAN, "PR_GET_ENDIAN"},
    {PR_SET_ENDIAN, "PR_SET_ENDIAN"},
    {PR_GET_SECCOMP, "PR_GET_SECCOMP"},
    {PR_SET_SECCOMP, "PR_SET_SECCOMP"},
    {PR_CAPBSET_READ, "PR_CAPBSET_READ"},
    {PR_CAPBSET_DROP, "PR_CAPBSET_DROP"},
    {PR_GET_TSC, "PR_GET_TSC"},
    {PR_SET_TSC, "PR_SET_TSC"},
    {PR_GET_SECUREBITS, "PR_GET_SECUREBITS"},
    {PR_SET_SECUREBITS, "PR_SET_SECUREBITS"},
    {PR_SET_TIMERSLACK, "PR_SET_TIMERSLACK"},
    {PR_GET_TIMERSLACK, "PR_GET_TIMERSLACK"},
    {PR_TASK_PERF_EVENTS_DISABLE, "PR_TASK_PERF_EVENTS_DISABLE"},
    {PR_TASK_PERF_EVENTS_ENABLE, "PR_TASK_PERF_EVENTS_ENABLE"},
    {PR_MCE_KILL, "PR_MCE_KILL"},
    {PR_MCE_KILL_GET, "PR_MCE_KILL_GET"},
    {PR_SET_MM, "PR_SET_MM"},
    {PR_SET_PTRACER, "PR_SET_PTRACER"},
    {PR_SET_CHILD_SUBREAPER, "PR_SET_CHILD_SUBREAPER"},
    {PR_GET_CHILD_SUBREAPER, "PR_GET_CHILD_SUBREAPER"},
    {PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS"},
    {PR_GET_NO_NEW_PRIVS, "PR_GET_NO_NEW_PRIVS"},
    {PR_GET_TID_ADDRESS, "PR_GET_TID_ADDRESS"},
    {PR_SET_THP_DISABLE, "PR_SET_THP_DISABLE"},
    {PR_GET_THP_DISABLE, "PR_GET_THP_DISABLE"},
    {PR_MPX_ENABLE_MANAGEMENT, "PR_MPX_ENABLE_MANAGEMENT"},
    {PR_MPX_DISABLE_MANAGEMENT, "PR_MPX_DISABLE_MANAGEMENT"},
    {PR_SET_FP_MODE, "PR_SET_FP_MODE"},
    {PR_GET_FP_MODE, "PR_GET_FP_MODE"},
    {PR_CAP_AMBIENT, "PR_CAP_AMBIENT"},
    {PR_SVE_SET_VL, "PR_SVE_SET_VL"},
    {PR_SVE_GET_VL, "PR_SVE_GET_VL"},
    {PR_GET_SPECULATION_CTRL, "PR_GET_SPECULATION_CTRL"},
    {PR_SET_SPECULATION_CTRL, "PR_SET_SPECULATION_CTRL"},
    {PR_PAC_RESET_KEYS, "PR_PAC_RESET_KEYS"},
    {PR_SET_TAGGED_ADDR_CTRL, "PR_SET_TAGGED_ADDR_CTRL"},
    {PR_GET_TAGGED_ADDR_CTRL, "PR_GET_TAGGED_ADDR_CTRL"},
    {PR_SET_IO_FLUSHER, "PR_SET_IO_FLUSHER"},
    {PR_GET_IO_FLUSHER, "PR_GET_IO_FLUSHER"},
    {PR_SET_SYSCALL_USER_DISPATCH, "PR_SET_SYSCALL_USER_DISPATCH"},
    {PR_PAC_SET_ENABLED_KEYS, "PR_PAC_SET_ENABLED_KEYS"},
    {PR_PAC_GET_ENABLED_KEYS, "PR_PAC_GET_ENABLED_KEYS"},
    {PR_SCHED_CORE, "PR_SCHED_CORE"},
    {PR_SME_SET_VL, "PR_SME_SET_VL"},
    {PR_SME_GET_VL, "PR_SME_GET_VL"},
    {PR_SET_VMA, "PR_SET_VMA"},
    // newer than Debian 12's headers (upstream values)
    {65, "PR_SET_MDWE"},
    {66, "PR_GET_MDWE"},
    {67, "PR_SET_MEMORY_MERGE"},
    {68, "PR_GET_MEMORY_MERGE"},
    {69, "PR_RISCV_V_SET_CONTROL"},
    {70, "PR_RISCV_V_GET_CONTROL"},
    {71, "PR_RISCV_SET_ICACHE_FLUSH_CTX"},
    {72, "PR_PPC_GET_DEXCR"},
    {73, "PR_PPC_SET_DEXCR"},
    {74, "PR_GET_SHADOW_STACK_STATUS"},
    {75, "PR_SET_SHADOW_STACK_STATUS"},
    {76, "PR_LOCK_SHADOW_STACK_STATUS"},
    {77, "PR_TIMER_CREATE_RESTORE_IDS"},
    {78, "PR_FUTEX_HASH"},
    {0x41555856, "PR_GET_AUXV"},
};

Value d_prctl_op(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kPrctl)); }

constexpr FlagName kArchPrctl[] = {
    {0x1001, "ARCH_SET_GS"},
    {0x1002, "ARCH_SET_FS"},
    {0x1003, "ARCH_GET_FS"},
    {0x1004, "ARCH_GET_GS"},
    {0x1011, "ARCH_GET_CPUID"},
    {0x1012, "ARCH_SET_CPUID"},
    {0x1021, "ARCH_GET_XCOMP_SUPP"},
    {0x1022, "ARCH_GET_XCOMP_PERM"},
    {0x1023, "ARCH_REQ_XCOMP_PERM"},
    {0x1024, "ARCH_GET_XCOMP_GUEST_PERM"},
    {0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"},
    {0x2001, "ARCH_MAP_VDSO_X32"},
    {0x2002, "ARCH_MAP_VDSO_32"},
    {0x2003, "ARCH_MAP_VDSO_64"},
    {0x4001, "ARCH_GET_UNTAG_MASK"},
    {0x4002, "ARCH_ENABLE_TAGGED_ADDR"},
    {0x4003, "ARCH_GET_MAX_TAG_BITS"},
    {0x4004, "ARCH_FORCE_TAGGED_SVA"},
    {0x5001, "ARCH_SHSTK_ENABLE"},
    {0x5002, "ARCH_SHSTK_DISABLE"},
    {0x5003, "ARCH_SHSTK_LOCK"},
    {0x5004, "ARCH_SHSTK_UNLOCK"},
    {0x5005, "ARCH_SHSTK_STATUS"},
};

Value d_arch_prctl_op(const ArgCtx& c) {
  return Value::sym(enum_text(s32(c.raw), kArchPrctl, true));
}

constexpr FlagName kBpfCmds[] = {
    {BPF_MAP_CREATE, "BPF_MAP_CREATE"},
    {BPF_MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM"},
    {BPF_MAP_UPDATE_ELEM, "BPF_MAP_UPDATE_ELEM"},
    {BPF_MAP_DELETE_ELEM, "BPF_MAP_DELETE_ELEM"},
    {BPF_MAP_GET_NEXT_KEY, "BPF_MAP_GET_NEXT_KEY"},
    {BPF_PROG_LOAD, "BPF_PROG_LOAD"},
    {BPF_OBJ_PIN, "BPF_OBJ_PIN"},
    {BPF_OBJ_GET, "BPF_OBJ_GET"},
    {BPF_PROG_ATTACH, "BPF_PROG_ATTACH"},
    {BPF_PROG_DETACH, "BPF_PROG_DETACH"},
    {BPF_PROG_TEST_RUN, "BPF_PROG_TEST_RUN"},
    {BPF_PROG_GET_NEXT_ID, "BPF_PROG_GET_NEXT_ID"},
    {BPF_MAP_GET_NEXT_ID, "BPF_MAP_GET_NEXT_ID"},
    {BPF_PROG_GET_FD_BY_ID, "BPF_PROG_GET_FD_BY_ID"},
    {BPF_MAP_GET_FD_BY_ID, "BPF_MAP_GET_FD_BY_ID"},
    {BPF_OBJ_GET_INFO_BY_FD, "BPF_OBJ_GET_INFO_BY_FD"},
    {BPF_PROG_QUERY, "BPF_PROG_QUERY"},
    {BPF_RAW_TRACEPOINT_OPEN, "BPF_RAW_TRACEPOINT_OPEN"},
    {BPF_BTF_LOAD, "BPF_BTF_LOAD"},
    {BPF_BTF_GET_FD_BY_ID, "BPF_BTF_GET_FD_BY_ID"},
    {BPF_TASK_FD_QUERY, "BPF_TASK_FD_QUERY"},
    {BPF_MAP_LOOKUP_AND_DELETE_ELEM, "BPF_MAP_LOOKUP_AND_DELETE_ELEM"},
    {BPF_MAP_FREEZE, "BPF_MAP_FREEZE"},
    {BPF_BTF_GET_NEXT_ID, "BPF_BTF_GET_NEXT_ID"},
    {BPF_MAP_LOOKUP_BATCH, "BPF_MAP_LOOKUP_BATCH"},
    {BPF_MAP_LOOKUP_AND_DELETE_BATCH, "BPF_MAP_LOOKUP_AND_DELETE_BATCH"},
    {BPF_MAP_UPDATE_BATCH, "BPF_MAP_UPDATE_BATCH"},
    {BPF_MAP_DELETE_BATCH, "BPF_MAP_DELETE_BATCH"},
    {BPF_LINK_CREATE, "BPF_LINK_CREATE"},
    {BPF_LINK_UPDATE, "BPF_LINK_UPDATE"},
    {BPF_LINK_GET_FD_BY_ID, "BPF_LINK_GET_FD_BY_ID"},
    {BPF_LINK_GET_NEXT_ID, "BPF_LINK_GET_NEXT_ID"},
    {BPF_ENABLE_STATS, "BPF_ENABLE_STATS"},
    {BPF_ITER_CREATE, "BPF_ITER_CREATE"},
    {BPF_LINK_DETACH, "BPF_LINK_DETACH"},
    {BPF_PROG_BIND_MAP, "BPF_PROG_BIND_MAP"},
    {36, "BPF_TOKEN_CREATE"},
};

Value d_bpf_cmd(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kBpfCmds)); }

constexpr FlagName kPtrace[] = {
    {PTRACE_TRACEME, "PTRACE_TRACEME"},
    {PTRACE_PEEKTEXT, "PTRACE_PEEKTEXT"},
    {PTRACE_PEEKDATA, "PTRACE_PEEKDATA"},
    {PTRACE_PEEKUSER, "PTRACE_PEEKUSER"},
    {PTRACE_POKETEXT, "PTRACE_POKETEXT"},
    {PTRACE_POKEDATA, "PTRACE_POKEDATA"},
    {PTRACE_POKEUSER, "PTRACE_POKEUSER"},
    {PTRACE_CONT, "PTRACE_CONT"},
    {PTRACE_KILL, "PTRACE_KILL"},
    {PTRACE_SINGLESTEP, "PTRACE_SINGLESTEP"},
    {PTRACE_GETREGS, "PTRACE_GETREGS"},
    {PTRACE_SETREGS, "PTRACE_SETREGS"},
    {PTRACE_GETFPREGS, "PTRACE_GETFPREGS"},
    {PTRACE_SETFPREGS, "PTRACE_SETFPREGS"},
    {PTRACE_ATTACH, "PTRACE_ATTACH"},
    {PTRACE_DETACH, "PTRACE_DETACH"},
    {PTRACE_GETFPXREGS, "PTRACE_GETFPXREGS"},
    {PTRACE_SETFPXREGS, "PTRACE_SETFPXREGS"},
    {PTRACE_SYSCALL, "PTRACE_SYSCALL"},
    {PTRACE_ARCH_PRCTL, "PTRACE_ARCH_PRCTL"},
    {PTRACE_SYSEMU, "PTRACE_SYSEMU"},
    {PTRACE_SYSEMU_SINGLESTEP, "PTRACE_SYSEMU_SINGLESTEP"},
    {PTRACE_GET_THREAD_AREA, "PTRACE_GET_THREAD_AREA"},
    {PTRACE_SET_THREAD_AREA, "PTRACE_SET_THREAD_AREA"},
    {PTRACE_SINGLEBLOCK, "PTRACE_SINGLEBLOCK"},
    {0x4200, "PTRACE_SETOPTIONS"},
    {0x4201, "PTRACE_GETEVENTMSG"},
    {0x4202, "PTRACE_GETSIGINFO"},
    {0x4203, "PTRACE_SETSIGINFO"},
    {0x4204, "PTRACE_GETREGSET"},
    {0x4205, "PTRACE_SETREGSET"},
    {0x4206, "PTRACE_SEIZE"},
    {0x4207, "PTRACE_INTERRUPT"},
    {0x4208, "PTRACE_LISTEN"},
    {0x4209, "PTRACE_PEEKSIGINFO"},
    {0x420a, "PTRACE_GETSIGMASK"},
    {0x420b, "PTRACE_SETSIGMASK"},
    {0x420c, "PTRACE_SECCOMP_GET_FILTER"},
    {0x420d, "PTRACE_SECCOMP_GET_METADATA"},
    {0x420e, "PTRACE_GET_SYSCALL_INFO"},
    {0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"},
    {0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"},
    {0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"},
    {0x4212, "PTRACE_SET_SYSCALL_INFO"},
};

Value d_ptrace_req(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kPtrace, true)); }

constexpr FlagName kSeccompOps[] = {
    {SECCOMP_SET_MODE_STRICT, "SECCOMP_SET_MODE_STRICT"},
    {SECCOMP_SET_MODE_FILTER, "SECCOMP_SET_MODE_FILTER"},
    {SECCOMP_GET_ACTION_AVAIL, "SECCOMP_GET_ACTION_AVAIL"},
    {SECCOMP_GET_NOTIF_SIZES, "SECCOMP_GET_NOTIF_SIZES"},
};
constexpr FlagName kSeccompFlags[] = {
    {SECCOMP_FILTER_FLAG_TSYNC, "SECCOMP_FILTER_FLAG_TSYNC"},
    {SECCOMP_FILTER_FLAG_LOG, "SECCOMP_FILTER_FLAG_LOG"},
    {SECCOMP_FILTER_FLAG_SPEC_ALLOW, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
    {SECCOMP_FILTER_FLAG_NEW_LISTENER, "SECCOMP_FILTER_FLAG_NEW_LISTENER"},
    {SECCOMP_FILTER_FLAG_TSYNC_ESRCH, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"},
    {SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
};

Value d_seccomp_op(const ArgCtx& c) { return Value::sym(enum_text(lo32(c.raw), kSeccompOps)); }
Value d_seccomp_flags(const ArgCtx& c) {
  return Value::sym(flags_text(lo32(c.raw), kSeccompFlags));
}

constexpr FlagName kPerfFlags[] = {
    {PERF_FLAG_FD_NO_GROUP, "PERF_FLAG_FD_NO_GROUP"},
    {PERF_FLAG_FD_OUTPUT, "PERF_FLAG_FD_OUTPUT"},
    {PERF_FLAG_PID_CGROUP, "PERF_FLAG_PID_CGROUP"},
    {PERF_FLAG_FD_CLOEXEC, "PERF_FLAG_FD_CLOEXEC"},
};
Value d_perf_flags(const ArgCtx& c) { return Value::sym(flags_text(c.raw, kPerfFlags)); }

constexpr FlagName kPerfTypes[] = {
    {PERF_TYPE_HARDWARE, "PERF_TYPE_HARDWARE"},
    {PERF_TYPE_SOFTWARE, "PERF_TYPE_SOFTWARE"},
    {PERF_TYPE_TRACEPOINT, "PERF_TYPE_TRACEPOINT"},
    {PERF_TYPE_HW_CACHE, "PERF_TYPE_HW_CACHE"},
    {PERF_TYPE_RAW, "PERF_TYPE_RAW"},
    {PERF_TYPE_BREAKPOINT, "PERF_TYPE_BREAKPOINT"},
};
constexpr FlagName kPerfSizes[] = {
    {PERF_ATTR_SIZE_VER0, "PERF_ATTR_SIZE_VER0"},
    {PERF_ATTR_SIZE_VER1, "PERF_ATTR_SIZE_VER1"},
    {PERF_ATTR_SIZE_VER2, "PERF_ATTR_SIZE_VER2"},
    {PERF_ATTR_SIZE_VER3, "PERF_ATTR_SIZE_VER3"},
    {PERF_ATTR_SIZE_VER4, "PERF_ATTR_SIZE_VER4"},
    {PERF_ATTR_SIZE_VER5, "PERF_ATTR_SIZE_VER5"},
    {PERF_ATTR_SIZE_VER6, "PERF_ATTR_SIZE_VER6"},
    {PERF_ATTR_SIZE_VER7, "PERF_ATTR_SIZE_VER7"},
    {136, "PERF_ATTR_SIZE_VER8"},  // newer than Debian 12's headers
};
constexpr FlagName kPerfHw[] = {
    {PERF_COUNT_HW_CPU_CYCLES, "PERF_COUNT_HW_CPU_CYCLES"},
    {PERF_COUNT_HW_INSTRUCTIONS, "PERF_COUNT_HW_INSTRUCTIONS"},
    {PERF_COUNT_HW_CACHE_REFERENCES, "PERF_COUNT_HW_CACHE_REFERENCES"},
    {PERF_COUNT_HW_CACHE_MISSES, "PERF_COUNT_HW_CACHE_MISSES"},
    {PERF_COUNT_HW_BRANCH_INSTRUCTIONS, "PERF_COUNT_HW_BRANCH_INSTRUCTIONS"},
    {PERF_COUNT_HW_BRANCH_MISSES, "PERF_COUNT_HW_BRANCH_MISSES"},
    {PERF_COUNT_HW_BUS_CYCLES, "PERF_COUNT_HW_BUS_CYCLES"},
    {PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, "PERF_COUNT_HW_STALLED_CYCLES_FRONTEND"},
    {PERF_COUNT_HW_STALLED_CYCLES_BACKEND, "PERF_COUNT_HW_STALLED_CYCLES_BACKEND"},
    {PERF_COUNT_HW_REF_CPU_CYCLES, "PERF_COUNT_HW_REF_CPU_CYCLES"},
};
constexpr FlagName kPerfSw[] = {
    {PERF_COUNT_SW_CPU_CLOCK, "PERF_COUNT_SW_CPU_CLOCK"},
    {PERF_COUNT_SW_TASK_CLOCK, "PERF_COUNT_SW_TASK_CLOCK"},
    {PERF_COUNT_SW_PAGE_FAULTS, "PERF_COUNT_SW_PAGE_FAULTS"},
    {PERF_COUNT_SW_CONTEXT_SWITCHES, "PERF_COUNT_SW_CONTEXT_SWITCHES"},
    {PERF_COUNT_SW_CPU_MIGRATIONS, "PERF_COUNT_SW_CPU_MIGRATIONS"},
    {PERF_COUNT_SW_PAGE_FAULTS_MIN, "PERF_COUNT_SW_PAGE_FAULTS_MIN"},
    {PERF_COUNT_SW_PAGE_FAULTS_MAJ, "PERF_COUNT_SW_PAGE_FAULTS_MAJ"},
    {PERF_COUNT_SW_ALIGNMENT_FAULTS, "PERF_COUNT_SW_ALIGNMENT_FAULTS"},
    {PERF_COUNT_SW_EMULATION_FAULTS, "PERF_COUNT_SW_EMULATION_FAULTS"},
    {PERF_COUNT_SW_DUMMY, "PERF_COUNT_SW_DUMMY"},
    {PERF_COUNT_SW_BPF_OUTPUT, "PERF_COUNT_SW_BPF_OUTPUT"},
    {PERF_COUNT_SW_CGROUP_SWITCHES, "PERF_COUNT_SW_CGROUP_SWITCHES"},
};
constexpr FlagName kPerfCache[] = {
    {PERF_COUNT_HW_CACHE_L1D, "PERF_COUNT_HW_CACHE_L1D"},
    {PERF_COUNT_HW_CACHE_L1I, "PERF_COUNT_HW_CACHE_L1I"},
    {PERF_COUNT_HW_CACHE_LL, "PERF_COUNT_HW_CACHE_LL"},
    {PERF_COUNT_HW_CACHE_DTLB, "PERF_COUNT_HW_CACHE_DTLB"},
    {PERF_COUNT_HW_CACHE_ITLB, "PERF_COUNT_HW_CACHE_ITLB"},
    {PERF_COUNT_HW_CACHE_BPU, "PERF_COUNT_HW_CACHE_BPU"},
    {PERF_COUNT_HW_CACHE_NODE, "PERF_COUNT_HW_CACHE_NODE"},
};
constexpr FlagName kPerfCacheOp[] = {
    {PERF_COUNT_HW_CACHE_OP_READ, "PERF_COUNT_HW_CACHE_OP_READ"},
    {PERF_COUNT_HW_CACHE_OP_WRITE, "PERF_COUNT_HW_CACHE_OP_WRITE"},
    {PERF_COUNT_HW_CACHE_OP_PREFETCH, "PERF_COUNT_HW_CACHE_OP_PREFETCH"},
};
constexpr FlagName kPerfCacheResult[] = {
    {PERF_COUNT_HW_CACHE_RESULT_ACCESS, "PERF_COUNT_HW_CACHE_RESULT_ACCESS"},
    {PERF_COUNT_HW_CACHE_RESULT_MISS, "PERF_COUNT_HW_CACHE_RESULT_MISS"},
};
constexpr FlagName kPerfSample[] = {
    {PERF_SAMPLE_IP, "PERF_SAMPLE_IP"},
    {PERF_SAMPLE_TID, "PERF_SAMPLE_TID"},
    {PERF_SAMPLE_TIME, "PERF_SAMPLE_TIME"},
    {PERF_SAMPLE_ADDR, "PERF_SAMPLE_ADDR"},
    {PERF_SAMPLE_READ, "PERF_SAMPLE_READ"},
    {PERF_SAMPLE_CALLCHAIN, "PERF_SAMPLE_CALLCHAIN"},
    {PERF_SAMPLE_ID, "PERF_SAMPLE_ID"},
    {PERF_SAMPLE_CPU, "PERF_SAMPLE_CPU"},
    {PERF_SAMPLE_PERIOD, "PERF_SAMPLE_PERIOD"},
    {PERF_SAMPLE_STREAM_ID, "PERF_SAMPLE_STREAM_ID"},
    {PERF_SAMPLE_RAW, "PERF_SAMPLE_RAW"},
    {PERF_SAMPLE_BRANCH_STACK, "PERF_SAMPLE_BRANCH_STACK"},
    {PERF_SAMPLE_REGS_USER, "PERF_SAMPLE_REGS_USER"},
    {PERF_SAMPLE_STACK_USER, "PERF_SAMPLE_STACK_USER"},
    {PERF_SAMPLE_WEIGHT, "PERF_SAMPLE_WEIGHT"},
    {PERF_SAMPLE_DATA_SRC, "PERF_SAMPLE_DATA_SRC"},
    {PERF_SAMPLE_IDENTIFIER, "PERF_SAMPLE_IDENTIFIER"},
    {PERF_SAMPLE_TRANSACTION, "PERF_SAMPLE_TRANSACTION"},
    {PERF_SAMPLE_REGS_INTR, "PERF_SAMPLE_REGS_INTR"},
    {PERF_SAMPLE_PHYS_ADDR, "PERF_SAMPLE_PHYS_ADDR"},
    {PERF_SAMPLE_AUX, "PERF_SAMPLE_AUX"},
    {PERF_SAMPLE_CGROUP, "PERF_SAMPLE_CGROUP"},
    {PERF_SAMPLE_DATA_PAGE_SIZE, "PERF_SAMPLE_DATA_PAGE_SIZE"},
    {PERF_SAMPLE_CODE_PAGE_SIZE, "PERF_SAMPLE_CODE_PAGE_SIZE"},
    {PERF_SAMPLE_WEIGHT_STRUCT, "PERF_SAMPLE_WEIGHT_STRUCT"},
};
constexpr FlagName kPerfReadFormat[] = {
    {PERF_FORMAT_TOTAL_TIME_ENABLED, "PERF_FORMAT_TOTAL_TIME_ENABLED"},
    {PERF_FORMAT_TOTAL_TIME_RUNNING, "PERF_FORMAT_TOTAL_TIME_RUNNING"},
    {PERF_FORMAT_ID, "PERF_FORMAT_ID"},
    {PERF_FORMAT_GROUP, "PERF_FORMAT_GROUP"},
    {PERF_FORMAT_LOST, "PERF_FORMAT_LOST"},
};

// strace's form for a value outside its table: "0x24 /* PERF_TYPE_??? */"
std::string xval_commented(uint64_t v, std::span<const FlagName> table, const char* unknown) {
  if (const char* n = lookup(v, table)) return n;
  return fmt::format("{} /* {} */", hex(v), unknown);
}

std::string perf_config_text(const perf_event_attr& a) {
  switch (a.type) {
    case PERF_TYPE_HARDWARE: {
      // hybrid CPUs put the PMU type in the upper half: "0xa<<32|PERF_COUNT_HW_CPU_CYCLES"
      const uint64_t ext = a.config >> 32;
      std::string s = ext ? fmt::format("{:#x}<<32|", ext) : std::string();
      return s + xval_commented(a.config & 0xffffffffu, kPerfHw, "PERF_COUNT_HW_???");
    }
    case PERF_TYPE_SOFTWARE:
      return xval_commented(a.config, kPerfSw, "PERF_COUNT_SW_???");
    case PERF_TYPE_TRACEPOINT:
      return fmt::format("{}", a.config);  // a tracefs event id
    case PERF_TYPE_HW_CACHE: {
      std::string s = fmt::format(
          "{}|{}<<8|{}<<16", xval_commented(a.config & 0xff, kPerfCache, "PERF_COUNT_HW_CACHE_???"),
          xval_commented((a.config >> 8) & 0xff, kPerfCacheOp, "PERF_COUNT_HW_CACHE_OP_???"),
          xval_commented((a.config >> 16) & 0xff, kPerfCacheResult,
                         "PERF_COUNT_HW_CACHE_RESULT_???"));
      if (a.config >> 24)
        s += fmt::format("|{:#x}<<24 /* PERF_COUNT_HW_CACHE_??? */", a.config >> 24);
      return s;
    }
    default:
      return hex(a.config);
  }
}

// strace's abbreviated form:
// {type=PERF_TYPE_HARDWARE, size=PERF_ATTR_SIZE_VER7, config=PERF_COUNT_HW_CPU_CYCLES,
//  sample_period=0, sample_type=0, read_format=0, disabled=1, precise_ip=0 /* arbitrary skid */,
//  ...}
// Of the one-bit fields only those set are shown; precise_ip always is.
Value d_perf_event_attr(const ArgCtx& c) {
  perf_event_attr a{};
  const Capture* cap = struct_capture(c);
  if (!cap || cap->data.size() < PERF_ATTR_SIZE_VER0) return addr_value(c.raw);
  std::memcpy(&a, cap->data.data(), std::min(cap->data.size(), sizeof a));
  std::string s = fmt::format(
      "{{type={}, size={}, config={}", xval_commented(a.type, kPerfTypes, "PERF_TYPE_???"),
      xval_commented(a.size, kPerfSizes, "PERF_ATTR_SIZE_???"), perf_config_text(a));
  if (a.freq)
    s += fmt::format(", sample_freq={}", a.sample_freq);
  else
    s += fmt::format(", sample_period={}", a.sample_period);
  s += fmt::format(", sample_type={}, read_format={}", flags_text(a.sample_type, kPerfSample),
                   flags_text(a.read_format, kPerfReadFormat));
  const auto bit = [&s](uint64_t on, const char* name) {
    if (on) s += fmt::format(", {}=1", name);
  };
  bit(a.disabled, "disabled");
  bit(a.inherit, "inherit");
  bit(a.pinned, "pinned");
  bit(a.exclusive, "exclusive");
  bit(a.exclude_user, "exclude_user");
  bit(a.exclude_kernel, "exclude_kernel");
  bit(a.exclude_hv, "exclude_hv");
  bit(a.exclude_idle, "exclude_idle");
  bit(a.mmap, "mmap");
  bit(a.comm, "comm");
  bit(a.freq, "freq");
  bit(a.inherit_stat, "inherit_stat");
  bit(a.enable_on_exec, "enable_on_exec");
  bit(a.task, "task");
  bit(a.watermark, "watermark");
  static constexpr const char* kSkid[] = {"arbitrary skid", "constant skid",
                                          "requested to have 0 skid", "must have 0 skid"};
  s += fmt::format(", precise_ip={} /* {} */", static_cast<unsigned>(a.precise_ip),
                   kSkid[a.precise_ip & 3]);
  bit(a.mmap_data, "mmap_data");
  bit(a.sample_id_all, "sample_id_all");
  bit(a.exclude_host, "exclude_host");
  bit(a.exclude_guest, "exclude_guest");
  bit(a.exclude_callchain_kernel, "exclude_callchain_kernel");
  bit(a.exclude_callchain_user, "exclude_callchain_user");
  bit(a.mmap2, "mmap2");
  bit(a.comm_exec, "comm_exec");
  bit(a.use_clockid, "use_clockid");
  bit(a.context_switch, "context_switch");
  bit(a.write_backward, "write_backward");
  bit(a.namespaces, "namespaces");
  bit(a.ksymbol, "ksymbol");
  bit(a.bpf_event, "bpf_event");
  bit(a.aux_output, "aux_output");
  bit(a.cgroup, "cgroup");
  bit(a.text_poke, "text_poke");
  bit(a.build_id, "build_id");
  bit(a.inherit_thread, "inherit_thread");
  bit(a.remove_on_exec, "remove_on_exec");
  bit(a.sigtrap, "sigtrap");
  return Value::sym(s + ", ...}");
}

constexpr FlagName kMemfd[] = {
    {MFD_CLOEXEC, "MFD_CLOEXEC"}, {MFD_ALLOW_SEALING, "MFD_ALLOW_SEALING"},
    {MFD_HUGETLB, "MFD_HUGETLB"}, {MFD_NOEXEC_SEAL, "MFD_NOEXEC_SEAL"},
    {MFD_EXEC, "MFD_EXEC"},
};
// MFD_HUGETLB carries the page size in bits 26..31 (MFD_HUGE_2MB = 21 << 26)
Value d_memfd_flags(const ArgCtx& c) {
  const uint32_t v = lo32(c.raw);
  const uint32_t huge = v >> MFD_HUGE_SHIFT;
  if (!(v & MFD_HUGETLB) || !huge) return Value::sym(flags_text(v, kMemfd));
  std::string s = flags_text(v & ~(MFD_HUGE_MASK << MFD_HUGE_SHIFT), kMemfd);
  return Value::sym(s + fmt::format("|{}<<MFD_HUGE_SHIFT", huge));
}

constexpr FlagName kInotifyMask[] = {
    {IN_ACCESS, "IN_ACCESS"},
    {IN_MODIFY, "IN_MODIFY"},
    {IN_ATTRIB, "IN_ATTRIB"},
    {IN_CLOSE_WRITE, "IN_CLOSE_WRITE"},
    {IN_CLOSE_NOWRITE, "IN_CLOSE_NOWRITE"},
    {IN_OPEN, "IN_OPEN"},
    {IN_MOVED_FROM, "IN_MOVED_FROM"},
    {IN_MOVED_TO, "IN_MOVED_TO"},
    {IN_CREATE, "IN_CREATE"},
    {IN_DELETE, "IN_DELETE"},
    {IN_DELETE_SELF, "IN_DELETE_SELF"},
    {IN_MOVE_SELF, "IN_MOVE_SELF"},
    {IN_UNMOUNT, "IN_UNMOUNT"},
    {IN_Q_OVERFLOW, "IN_Q_OVERFLOW"},
    {IN_IGNORED, "IN_IGNORED"},
    {IN_ONLYDIR, "IN_ONLYDIR"},
    {IN_DONT_FOLLOW, "IN_DONT_FOLLOW"},
    {IN_EXCL_UNLINK, "IN_EXCL_UNLINK"},
    {IN_MASK_CREATE, "IN_MASK_CREATE"},
    {IN_MASK_ADD, "IN_MASK_ADD"},
    {IN_ISDIR, "IN_ISDIR"},
    {IN_ONESHOT, "IN_ONESHOT"},
};
Value d_inotify_mask(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kInotifyMask)); }

// The orders strace prints: inotify_init1(IN_NONBLOCK|IN_CLOEXEC) but
// eventfd2(0, EFD_CLOEXEC|EFD_NONBLOCK).
constexpr FlagName kInotifyInit[] = {{IN_NONBLOCK, "IN_NONBLOCK"}, {IN_CLOEXEC, "IN_CLOEXEC"}};
constexpr FlagName kEfd[] = {
    {EFD_SEMAPHORE, "EFD_SEMAPHORE"}, {EFD_CLOEXEC, "EFD_CLOEXEC"}, {EFD_NONBLOCK, "EFD_NONBLOCK"}};
constexpr FlagName kTfd[] = {{TFD_CLOEXEC, "TFD_CLOEXEC"}, {TFD_NONBLOCK, "TFD_NONBLOCK"}};
constexpr FlagName kSfd[] = {{SFD_CLOEXEC, "SFD_CLOEXEC"}, {SFD_NONBLOCK, "SFD_NONBLOCK"}};
Value d_inotify_init(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kInotifyInit)); }
Value d_efd(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kEfd)); }
Value d_tfd(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kTfd)); }
Value d_sfd(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kSfd)); }

constexpr FlagName kXattr[] = {{XATTR_CREATE, "XATTR_CREATE"}, {XATTR_REPLACE, "XATTR_REPLACE"}};
Value d_xattr_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kXattr)); }

Value d_statx_mask(const ArgCtx& c) { return Value::sym(statx_mask_text(lo32(c.raw))); }

constexpr FlagName kClocks[] = {
    {CLOCK_REALTIME, "CLOCK_REALTIME"},
    {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
    {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
    {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
    {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
    {CLOCK_REALTIME_ALARM, "CLOCK_REALTIME_ALARM"},
    {CLOCK_BOOTTIME_ALARM, "CLOCK_BOOTTIME_ALARM"},
    {10, "CLOCK_SGI_CYCLE"},  // removed from the headers, still in strace's table
    {CLOCK_TAI, "CLOCK_TAI"},
};
// Dynamic clocks (negative: a CPU-time clock of a pid, or a clock fd) stay numbers.
Value d_clockid(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kClocks)); }

constexpr FlagName kTimerFlags[] = {{TIMER_ABSTIME, "TIMER_ABSTIME"}};
Value d_timer_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kTimerFlags)); }

constexpr FlagName kSplice[] = {{SPLICE_F_MOVE, "SPLICE_F_MOVE"},
                                {SPLICE_F_NONBLOCK, "SPLICE_F_NONBLOCK"},
                                {SPLICE_F_MORE, "SPLICE_F_MORE"},
                                {SPLICE_F_GIFT, "SPLICE_F_GIFT"}};
Value d_splice_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kSplice)); }

constexpr FlagName kGrnd[] = {{GRND_NONBLOCK, "GRND_NONBLOCK"},
                              {GRND_RANDOM, "GRND_RANDOM"},
                              {GRND_INSECURE, "GRND_INSECURE"}};
Value d_getrandom_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kGrnd)); }

constexpr FlagName kRwf[] = {
    {RWF_HIPRI, "RWF_HIPRI"},   {RWF_DSYNC, "RWF_DSYNC"},         {RWF_SYNC, "RWF_SYNC"},
    {RWF_NOWAIT, "RWF_NOWAIT"}, {RWF_APPEND, "RWF_APPEND"},       {RWF_NOAPPEND, "RWF_NOAPPEND"},
    {RWF_ATOMIC, "RWF_ATOMIC"}, {RWF_DONTCACHE, "RWF_DONTCACHE"},
};
Value d_rwf_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kRwf)); }

constexpr FlagName kRseq[] = {{RSEQ_FLAG_UNREGISTER, "RSEQ_FLAG_UNREGISTER"}};
Value d_rseq_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kRseq)); }

}  // namespace

void register_misc(Registry& r) {
  r.kind("futex_op", d_futex_op);
  r.kind("prctl_op", d_prctl_op);
  r.kind("arch_prctl_op", d_arch_prctl_op);
  r.kind("bpf_cmd", d_bpf_cmd);
  r.kind("ptrace_req", d_ptrace_req);
  r.kind("seccomp_op", d_seccomp_op);
  r.kind("seccomp_flags", d_seccomp_flags);
  r.kind("perf_flags", d_perf_flags);
  r.structure("perf_event_attr", d_perf_event_attr);
  r.kind("memfd_flags", d_memfd_flags);
  r.kind("inotify_mask", d_inotify_mask);
  r.kind("inotify_init_flags", d_inotify_init);
  r.kind("efd_flags", d_efd);
  r.kind("tfd_flags", d_tfd);
  r.kind("sfd_flags", d_sfd);
  r.kind("xattr_flags", d_xattr_flags);
  r.kind("statx_mask", d_statx_mask);
  r.kind("clockid", d_clockid);
  r.kind("timer_flags", d_timer_flags);
  r.kind("splice_flags", d_splice_flags);
  r.kind("getrandom_flags", d_getrandom_flags);
  r.kind("rwf_flags", d_rwf_flags);
  r.kind("rseq_flags", d_rseq_flags);
}

}  // namespace sysgate::decode
