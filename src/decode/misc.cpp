// SPDX-License-Identifier: Apache-2.0
// Everything else with names: futex, prctl, arch_prctl, bpf, ptrace, seccomp,
// perf_event_open, memfd, inotify, eventfd/timerfd/signalfd, xattr, statx's
// mask, clocks, splice, getrandom, preadv2/pwritev2, rseq.
#include <linux/bpf.h>
#include <linux/futex.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>

#include <fmt/format.h>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

constexpr FlagName kFutexOps[] = {
    {0, "FUTEX_WAIT"},          {1, "FUTEX_WAKE"},          {2, "FUTEX_FD"},
    {3, "FUTEX_REQUEUE"},       {4, "FUTEX_CMP_REQUEUE"},   {5, "FUTEX_WAKE_OP"},
    {6, "FUTEX_LOCK_PI"},       {7, "FUTEX_UNLOCK_PI"},     {8, "FUTEX_TRYLOCK_PI"},
    {9, "FUTEX_WAIT_BITSET"},   {10, "FUTEX_WAKE_BITSET"},  {11, "FUTEX_WAIT_REQUEUE_PI"},
    {12, "FUTEX_CMP_REQUEUE_PI"}, {13, "FUTEX_LOCK_PI2"},
};

// FUTEX_WAIT_PRIVATE, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME
Value d_futex_op(const ArgCtx& c) {
  const uint32_t v = lo32(c.raw);
  const char* name = lookup(v & 127, kFutexOps);
  std::string s = name ? std::string(name) : fmt::format("{:#x}", v & 127);
  if (v & 128) s += "_PRIVATE";
  if (v & 256) s += "|FUTEX_CLOCK_REALTIME";
  if (v & ~0x1ffu) s += fmt::format("|{:#x}", v & ~0x1ffu);
  return Value::sym(std::move(s));
}

constexpr FlagName kPrctl[] = {
    {PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG"}, {PR_GET_PDEATHSIG, "PR_GET_PDEATHSIG"},
    {PR_GET_DUMPABLE, "PR_GET_DUMPABLE"}, {PR_SET_DUMPABLE, "PR_SET_DUMPABLE"},
    {PR_GET_UNALIGN, "PR_GET_UNALIGN"}, {PR_SET_UNALIGN, "PR_SET_UNALIGN"},
    {PR_GET_KEEPCAPS, "PR_GET_KEEPCAPS"}, {PR_SET_KEEPCAPS, "PR_SET_KEEPCAPS"},
    {PR_GET_FPEMU, "PR_GET_FPEMU"}, {PR_SET_FPEMU, "PR_SET_FPEMU"},
    {PR_GET_FPEXC, "PR_GET_FPEXC"}, {PR_SET_FPEXC, "PR_SET_FPEXC"},
    {PR_GET_TIMING, "PR_GET_TIMING"}, {PR_SET_TIMING, "PR_SET_TIMING"},
    {PR_SET_NAME, "PR_SET_NAME"}, {PR_GET_NAME, "PR_GET_NAME"},
    {PR_GET_ENDIAN, "PR_GET_ENDIAN"}, {PR_SET_ENDIAN, "PR_SET_ENDIAN"},
    {PR_GET_SECCOMP, "PR_GET_SECCOMP"}, {PR_SET_SECCOMP, "PR_SET_SECCOMP"},
    {PR_CAPBSET_READ, "PR_CAPBSET_READ"}, {PR_CAPBSET_DROP, "PR_CAPBSET_DROP"},
    {PR_GET_TSC, "PR_GET_TSC"}, {PR_SET_TSC, "PR_SET_TSC"},
    {PR_GET_SECUREBITS, "PR_GET_SECUREBITS"}, {PR_SET_SECUREBITS, "PR_SET_SECUREBITS"},
    {PR_SET_TIMERSLACK, "PR_SET_TIMERSLACK"}, {PR_GET_TIMERSLACK, "PR_GET_TIMERSLACK"},
    {PR_TASK_PERF_EVENTS_DISABLE, "PR_TASK_PERF_EVENTS_DISABLE"},
    {PR_TASK_PERF_EVENTS_ENABLE, "PR_TASK_PERF_EVENTS_ENABLE"},
    {PR_MCE_KILL, "PR_MCE_KILL"}, {PR_MCE_KILL_GET, "PR_MCE_KILL_GET"},
    {PR_SET_MM, "PR_SET_MM"}, {PR_SET_PTRACER, "PR_SET_PTRACER"},
    {PR_SET_CHILD_SUBREAPER, "PR_SET_CHILD_SUBREAPER"},
    {PR_GET_CHILD_SUBREAPER, "PR_GET_CHILD_SUBREAPER"},
    {PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS"}, {PR_GET_NO_NEW_PRIVS, "PR_GET_NO_NEW_PRIVS"},
    {PR_GET_TID_ADDRESS, "PR_GET_TID_ADDRESS"}, {PR_SET_THP_DISABLE, "PR_SET_THP_DISABLE"},
    {PR_GET_THP_DISABLE, "PR_GET_THP_DISABLE"}, {PR_MPX_ENABLE_MANAGEMENT, "PR_MPX_ENABLE_MANAGEMENT"},
    {PR_MPX_DISABLE_MANAGEMENT, "PR_MPX_DISABLE_MANAGEMENT"},
    {PR_SET_FP_MODE, "PR_SET_FP_MODE"}, {PR_GET_FP_MODE, "PR_GET_FP_MODE"},
    {PR_CAP_AMBIENT, "PR_CAP_AMBIENT"}, {PR_SVE_SET_VL, "PR_SVE_SET_VL"},
    {PR_SVE_GET_VL, "PR_SVE_GET_VL"}, {PR_GET_SPECULATION_CTRL, "PR_GET_SPECULATION_CTRL"},
    {PR_SET_SPECULATION_CTRL, "PR_SET_SPECULATION_CTRL"},
    {PR_PAC_RESET_KEYS, "PR_PAC_RESET_KEYS"},
    {PR_SET_TAGGED_ADDR_CTRL, "PR_SET_TAGGED_ADDR_CTRL"},
    {PR_GET_TAGGED_ADDR_CTRL, "PR_GET_TAGGED_ADDR_CTRL"},
    {PR_SET_IO_FLUSHER, "PR_SET_IO_FLUSHER"}, {PR_GET_IO_FLUSHER, "PR_GET_IO_FLUSHER"},
    {PR_SET_SYSCALL_USER_DISPATCH, "PR_SET_SYSCALL_USER_DISPATCH"},
    {PR_PAC_SET_ENABLED_KEYS, "PR_PAC_SET_ENABLED_KEYS"},
    {PR_PAC_GET_ENABLED_KEYS, "PR_PAC_GET_ENABLED_KEYS"}, {PR_SCHED_CORE, "PR_SCHED_CORE"},
    {PR_SET_VMA, "PR_SET_VMA"}, {65, "PR_SET_MDWE"}, {66, "PR_GET_MDWE"},
    {74, "PR_GET_SHADOW_STACK_STATUS"}, {75, "PR_SET_SHADOW_STACK_STATUS"},
};

Value d_prctl_op(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kPrctl)); }

constexpr FlagName kArchPrctl[] = {
    {0x1001, "ARCH_SET_GS"},      {0x1002, "ARCH_SET_FS"},       {0x1003, "ARCH_GET_FS"},
    {0x1004, "ARCH_GET_GS"},      {0x1011, "ARCH_GET_CPUID"},    {0x1012, "ARCH_SET_CPUID"},
    {0x1021, "ARCH_GET_XCOMP_SUPP"}, {0x1022, "ARCH_GET_XCOMP_PERM"},
    {0x1023, "ARCH_REQ_XCOMP_PERM"}, {0x1024, "ARCH_GET_XCOMP_GUEST_PERM"},
    {0x1025, "ARCH_REQ_XCOMP_GUEST_PERM"}, {0x1026, "ARCH_XCOMP_TILECFG"},
    {0x1027, "ARCH_XCOMP_TILEDATA"}, {0x2001, "ARCH_MAP_VDSO_X32"},
    {0x2002, "ARCH_MAP_VDSO_32"}, {0x2003, "ARCH_MAP_VDSO_64"},
    {0x4001, "ARCH_GET_UNTAG_MASK"}, {0x4002, "ARCH_ENABLE_TAGGED_ADDR"},
    {0x4003, "ARCH_GET_MAX_TAG_BITS"}, {0x4004, "ARCH_FORCE_TAGGED_SVA"},
    {0x5001, "ARCH_SHSTK_ENABLE"}, {0x5002, "ARCH_SHSTK_DISABLE"}, {0x5003, "ARCH_SHSTK_LOCK"},
    {0x5004, "ARCH_SHSTK_UNLOCK"}, {0x5005, "ARCH_SHSTK_STATUS"},
};

Value d_arch_prctl_op(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kArchPrctl, true)); }

constexpr FlagName kBpfCmds[] = {
    {BPF_MAP_CREATE, "BPF_MAP_CREATE"}, {BPF_MAP_LOOKUP_ELEM, "BPF_MAP_LOOKUP_ELEM"},
    {BPF_MAP_UPDATE_ELEM, "BPF_MAP_UPDATE_ELEM"}, {BPF_MAP_DELETE_ELEM, "BPF_MAP_DELETE_ELEM"},
    {BPF_MAP_GET_NEXT_KEY, "BPF_MAP_GET_NEXT_KEY"}, {BPF_PROG_LOAD, "BPF_PROG_LOAD"},
    {BPF_OBJ_PIN, "BPF_OBJ_PIN"}, {BPF_OBJ_GET, "BPF_OBJ_GET"},
    {BPF_PROG_ATTACH, "BPF_PROG_ATTACH"}, {BPF_PROG_DETACH, "BPF_PROG_DETACH"},
    {BPF_PROG_TEST_RUN, "BPF_PROG_TEST_RUN"}, {BPF_PROG_GET_NEXT_ID, "BPF_PROG_GET_NEXT_ID"},
    {BPF_MAP_GET_NEXT_ID, "BPF_MAP_GET_NEXT_ID"}, {BPF_PROG_GET_FD_BY_ID, "BPF_PROG_GET_FD_BY_ID"},
    {BPF_MAP_GET_FD_BY_ID, "BPF_MAP_GET_FD_BY_ID"}, {BPF_OBJ_GET_INFO_BY_FD, "BPF_OBJ_GET_INFO_BY_FD"},
    {BPF_PROG_QUERY, "BPF_PROG_QUERY"}, {BPF_RAW_TRACEPOINT_OPEN, "BPF_RAW_TRACEPOINT_OPEN"},
    {BPF_BTF_LOAD, "BPF_BTF_LOAD"}, {BPF_BTF_GET_FD_BY_ID, "BPF_BTF_GET_FD_BY_ID"},
    {BPF_TASK_FD_QUERY, "BPF_TASK_FD_QUERY"},
    {BPF_MAP_LOOKUP_AND_DELETE_ELEM, "BPF_MAP_LOOKUP_AND_DELETE_ELEM"},
    {BPF_MAP_FREEZE, "BPF_MAP_FREEZE"}, {BPF_BTF_GET_NEXT_ID, "BPF_BTF_GET_NEXT_ID"},
    {BPF_MAP_LOOKUP_BATCH, "BPF_MAP_LOOKUP_BATCH"},
    {BPF_MAP_LOOKUP_AND_DELETE_BATCH, "BPF_MAP_LOOKUP_AND_DELETE_BATCH"},
    {BPF_MAP_UPDATE_BATCH, "BPF_MAP_UPDATE_BATCH"}, {BPF_MAP_DELETE_BATCH, "BPF_MAP_DELETE_BATCH"},
    {BPF_LINK_CREATE, "BPF_LINK_CREATE"}, {BPF_LINK_UPDATE, "BPF_LINK_UPDATE"},
    {BPF_LINK_GET_FD_BY_ID, "BPF_LINK_GET_FD_BY_ID"}, {BPF_LINK_GET_NEXT_ID, "BPF_LINK_GET_NEXT_ID"},
    {BPF_ENABLE_STATS, "BPF_ENABLE_STATS"}, {BPF_ITER_CREATE, "BPF_ITER_CREATE"},
    {BPF_LINK_DETACH, "BPF_LINK_DETACH"}, {BPF_PROG_BIND_MAP, "BPF_PROG_BIND_MAP"},
    {36, "BPF_TOKEN_CREATE"},
};

Value d_bpf_cmd(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kBpfCmds)); }

constexpr FlagName kPtrace[] = {
    {PTRACE_TRACEME, "PTRACE_TRACEME"},     {PTRACE_PEEKTEXT, "PTRACE_PEEKTEXT"},
    {PTRACE_PEEKDATA, "PTRACE_PEEKDATA"},   {PTRACE_PEEKUSER, "PTRACE_PEEKUSER"},
    {PTRACE_POKETEXT, "PTRACE_POKETEXT"},   {PTRACE_POKEDATA, "PTRACE_POKEDATA"},
    {PTRACE_POKEUSER, "PTRACE_POKEUSER"},   {PTRACE_CONT, "PTRACE_CONT"},
    {PTRACE_KILL, "PTRACE_KILL"},           {PTRACE_SINGLESTEP, "PTRACE_SINGLESTEP"},
    {PTRACE_GETREGS, "PTRACE_GETREGS"},     {PTRACE_SETREGS, "PTRACE_SETREGS"},
    {PTRACE_GETFPREGS, "PTRACE_GETFPREGS"}, {PTRACE_SETFPREGS, "PTRACE_SETFPREGS"},
    {PTRACE_ATTACH, "PTRACE_ATTACH"},       {PTRACE_DETACH, "PTRACE_DETACH"},
    {PTRACE_GETFPXREGS, "PTRACE_GETFPXREGS"}, {PTRACE_SETFPXREGS, "PTRACE_SETFPXREGS"},
    {PTRACE_SYSCALL, "PTRACE_SYSCALL"},     {PTRACE_ARCH_PRCTL, "PTRACE_ARCH_PRCTL"},
    {PTRACE_SYSEMU, "PTRACE_SYSEMU"},       {PTRACE_SYSEMU_SINGLESTEP, "PTRACE_SYSEMU_SINGLESTEP"},
    {PTRACE_SINGLEBLOCK, "PTRACE_SINGLEBLOCK"}, {0x4200, "PTRACE_SETOPTIONS"},
    {0x4201, "PTRACE_GETEVENTMSG"},         {0x4202, "PTRACE_GETSIGINFO"},
    {0x4203, "PTRACE_SETSIGINFO"},          {0x4204, "PTRACE_GETREGSET"},
    {0x4205, "PTRACE_SETREGSET"},           {0x4206, "PTRACE_SEIZE"},
    {0x4207, "PTRACE_INTERRUPT"},           {0x4208, "PTRACE_LISTEN"},
    {0x4209, "PTRACE_PEEKSIGINFO"},         {0x420a, "PTRACE_GETSIGMASK"},
    {0x420b, "PTRACE_SETSIGMASK"},          {0x420c, "PTRACE_SECCOMP_GET_FILTER"},
    {0x420d, "PTRACE_SECCOMP_GET_METADATA"}, {0x420e, "PTRACE_GET_SYSCALL_INFO"},
    {0x420f, "PTRACE_GET_RSEQ_CONFIGURATION"}, {0x4210, "PTRACE_SET_SYSCALL_USER_DISPATCH_CONFIG"},
    {0x4211, "PTRACE_GET_SYSCALL_USER_DISPATCH_CONFIG"},
};

Value d_ptrace_req(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kPtrace, true)); }

constexpr FlagName kSeccompOps[] = {
    {SECCOMP_SET_MODE_STRICT, "SECCOMP_SET_MODE_STRICT"},
    {SECCOMP_SET_MODE_FILTER, "SECCOMP_SET_MODE_FILTER"},
    {SECCOMP_GET_ACTION_AVAIL, "SECCOMP_GET_ACTION_AVAIL"},
    {SECCOMP_GET_NOTIF_SIZES, "SECCOMP_GET_NOTIF_SIZES"},
};
constexpr FlagName kSeccompFlags[] = {
    {1, "SECCOMP_FILTER_FLAG_TSYNC"},        {2, "SECCOMP_FILTER_FLAG_LOG"},
    {4, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},   {8, "SECCOMP_FILTER_FLAG_NEW_LISTENER"},
    {16, "SECCOMP_FILTER_FLAG_TSYNC_ESRCH"}, {32, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"},
};

Value d_seccomp_op(const ArgCtx& c) { return Value::sym(enum_text(lo32(c.raw), kSeccompOps)); }
Value d_seccomp_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kSeccompFlags)); }

constexpr FlagName kPerfFlags[] = {
    {1, "PERF_FLAG_FD_NO_GROUP"}, {2, "PERF_FLAG_FD_OUTPUT"}, {4, "PERF_FLAG_PID_CGROUP"},
    {8, "PERF_FLAG_FD_CLOEXEC"},
};
Value d_perf_flags(const ArgCtx& c) { return Value::sym(flags_text(c.raw, kPerfFlags)); }

constexpr FlagName kPerfTypes[] = {
    {PERF_TYPE_HARDWARE, "PERF_TYPE_HARDWARE"}, {PERF_TYPE_SOFTWARE, "PERF_TYPE_SOFTWARE"},
    {PERF_TYPE_TRACEPOINT, "PERF_TYPE_TRACEPOINT"}, {PERF_TYPE_HW_CACHE, "PERF_TYPE_HW_CACHE"},
    {PERF_TYPE_RAW, "PERF_TYPE_RAW"}, {PERF_TYPE_BREAKPOINT, "PERF_TYPE_BREAKPOINT"},
};
constexpr FlagName kPerfHw[] = {
    {0, "PERF_COUNT_HW_CPU_CYCLES"}, {1, "PERF_COUNT_HW_INSTRUCTIONS"},
    {2, "PERF_COUNT_HW_CACHE_REFERENCES"}, {3, "PERF_COUNT_HW_CACHE_MISSES"},
    {4, "PERF_COUNT_HW_BRANCH_INSTRUCTIONS"}, {5, "PERF_COUNT_HW_BRANCH_MISSES"},
    {6, "PERF_COUNT_HW_BUS_CYCLES"}, {7, "PERF_COUNT_HW_STALLED_CYCLES_FRONTEND"},
    {8, "PERF_COUNT_HW_STALLED_CYCLES_BACKEND"}, {9, "PERF_COUNT_HW_REF_CPU_CYCLES"},
};
constexpr FlagName kPerfSw[] = {
    {0, "PERF_COUNT_SW_CPU_CLOCK"}, {1, "PERF_COUNT_SW_TASK_CLOCK"},
    {2, "PERF_COUNT_SW_PAGE_FAULTS"}, {3, "PERF_COUNT_SW_CONTEXT_SWITCHES"},
    {4, "PERF_COUNT_SW_CPU_MIGRATIONS"}, {5, "PERF_COUNT_SW_PAGE_FAULTS_MIN"},
    {6, "PERF_COUNT_SW_PAGE_FAULTS_MAJ"}, {7, "PERF_COUNT_SW_ALIGNMENT_FAULTS"},
    {8, "PERF_COUNT_SW_EMULATION_FAULTS"}, {9, "PERF_COUNT_SW_DUMMY"},
    {10, "PERF_COUNT_SW_BPF_OUTPUT"}, {11, "PERF_COUNT_SW_CGROUP_SWITCHES"},
};

// {type=PERF_TYPE_HARDWARE, size=128, config=PERF_COUNT_HW_CPU_CYCLES, sample_period=0, ...}
Value d_perf_event_attr(const ArgCtx& c) {
  perf_event_attr a{};
  const Capture* cap = struct_capture(c);
  if (!cap || cap->data.size() < 48) return addr_value(c.raw);
  std::memcpy(&a, cap->data.data(), std::min(cap->data.size(), sizeof a));
  std::string config;
  if (a.type == PERF_TYPE_HARDWARE) config = enum_text(static_cast<int64_t>(a.config), kPerfHw, true);
  else if (a.type == PERF_TYPE_SOFTWARE) config = enum_text(static_cast<int64_t>(a.config), kPerfSw, true);
  else config = fmt::format("{:#x}", a.config);
  std::string s = fmt::format("{{type={}, size={}, config={}, sample_period={}, sample_type={:#x}, read_format={:#x}",
                              enum_text(a.type, kPerfTypes), a.size, config, a.sample_period,
                              a.sample_type, a.read_format);
  const std::pair<bool, const char*> bits[] = {
      {a.disabled != 0, "disabled"},           {a.inherit != 0, "inherit"},
      {a.pinned != 0, "pinned"},               {a.exclusive != 0, "exclusive"},
      {a.exclude_user != 0, "exclude_user"},   {a.exclude_kernel != 0, "exclude_kernel"},
      {a.exclude_hv != 0, "exclude_hv"},       {a.exclude_idle != 0, "exclude_idle"},
      {a.enable_on_exec != 0, "enable_on_exec"},
  };
  for (const auto& [on, name] : bits) s += fmt::format(", {}={}", name, on ? 1 : 0);
  return Value::sym(s + ", ...}");
}

constexpr FlagName kMemfd[] = {
    {1, "MFD_CLOEXEC"}, {2, "MFD_ALLOW_SEALING"}, {4, "MFD_HUGETLB"},
    {8, "MFD_NOEXEC_SEAL"}, {16, "MFD_EXEC"},
};
Value d_memfd_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kMemfd)); }

constexpr FlagName kInotifyMask[] = {
    {0x1, "IN_ACCESS"},         {0x2, "IN_MODIFY"},         {0x4, "IN_ATTRIB"},
    {0x8, "IN_CLOSE_WRITE"},    {0x10, "IN_CLOSE_NOWRITE"}, {0x20, "IN_OPEN"},
    {0x40, "IN_MOVED_FROM"},    {0x80, "IN_MOVED_TO"},      {0x100, "IN_CREATE"},
    {0x200, "IN_DELETE"},       {0x400, "IN_DELETE_SELF"},  {0x800, "IN_MOVE_SELF"},
    {0x2000, "IN_UNMOUNT"},     {0x4000, "IN_Q_OVERFLOW"},  {0x8000, "IN_IGNORED"},
    {0x1000000, "IN_ONLYDIR"},  {0x2000000, "IN_DONT_FOLLOW"}, {0x4000000, "IN_EXCL_UNLINK"},
    {0x10000000, "IN_MASK_CREATE"}, {0x20000000, "IN_MASK_ADD"}, {0x40000000, "IN_ISDIR"},
    {0x80000000, "IN_ONESHOT"},
};
Value d_inotify_mask(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kInotifyMask)); }

constexpr FlagName kNonblockCloexec[] = {{04000, "NONBLOCK"}, {02000000, "CLOEXEC"}};
// IN_NONBLOCK|IN_CLOEXEC, EFD_..., TFD_..., SFD_...: the same two bits under a prefix
std::string prefixed(uint32_t v, const char* prefix, uint32_t extra_bit = 0, const char* extra = nullptr) {
  std::string s;
  if (extra && (v & extra_bit)) s = std::string(prefix) + extra;
  for (const auto& f : kNonblockCloexec)
    if (v & f.value) s += (s.empty() ? "" : "|") + std::string(prefix) + f.name;
  uint32_t rest = v & ~(04000u | 02000000u | extra_bit);
  if (rest) s += (s.empty() ? "" : "|") + fmt::format("{:#x}", rest);
  return s.empty() ? "0" : s;
}
Value d_inotify_init(const ArgCtx& c) { return Value::sym(prefixed(lo32(c.raw), "IN_")); }
Value d_efd(const ArgCtx& c) { return Value::sym(prefixed(lo32(c.raw), "EFD_", 1, "SEMAPHORE")); }
Value d_tfd(const ArgCtx& c) { return Value::sym(prefixed(lo32(c.raw), "TFD_")); }
Value d_sfd(const ArgCtx& c) { return Value::sym(prefixed(lo32(c.raw), "SFD_")); }

constexpr FlagName kXattr[] = {{1, "XATTR_CREATE"}, {2, "XATTR_REPLACE"}};
Value d_xattr_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kXattr)); }

Value d_statx_mask(const ArgCtx& c) { return Value::sym(statx_mask_text(lo32(c.raw))); }

constexpr FlagName kClocks[] = {
    {0, "CLOCK_REALTIME"},  {1, "CLOCK_MONOTONIC"},        {2, "CLOCK_PROCESS_CPUTIME_ID"},
    {3, "CLOCK_THREAD_CPUTIME_ID"}, {4, "CLOCK_MONOTONIC_RAW"}, {5, "CLOCK_REALTIME_COARSE"},
    {6, "CLOCK_MONOTONIC_COARSE"}, {7, "CLOCK_BOOTTIME"},   {8, "CLOCK_REALTIME_ALARM"},
    {9, "CLOCK_BOOTTIME_ALARM"}, {11, "CLOCK_TAI"},
};
Value d_clockid(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kClocks)); }

constexpr FlagName kTimerFlags[] = {{1, "TIMER_ABSTIME"}};
Value d_timer_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kTimerFlags)); }

constexpr FlagName kSplice[] = {
    {1, "SPLICE_F_MOVE"}, {2, "SPLICE_F_NONBLOCK"}, {4, "SPLICE_F_MORE"}, {8, "SPLICE_F_GIFT"}};
Value d_splice_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kSplice)); }

constexpr FlagName kGrnd[] = {{1, "GRND_NONBLOCK"}, {2, "GRND_RANDOM"}, {4, "GRND_INSECURE"}};
Value d_getrandom_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kGrnd)); }

constexpr FlagName kRwf[] = {
    {1, "RWF_HIPRI"}, {2, "RWF_DSYNC"}, {4, "RWF_SYNC"}, {8, "RWF_NOWAIT"}, {16, "RWF_APPEND"},
    {32, "RWF_NOAPPEND"}, {64, "RWF_ATOMIC"}, {128, "RWF_DONTCACHE"}};
Value d_rwf_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kRwf)); }

constexpr FlagName kRseq[] = {{1, "RSEQ_FLAG_UNREGISTER"}};
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
