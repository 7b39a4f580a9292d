// SPDX-License-Identifier: Apache-2.0
// Processes: clone flags and clone3 arguments, wait options, id types, rlimits.
#include <fmt/format.h>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

constexpr FlagName kCloneFlags[] = {
    {0x00000100, "CLONE_VM"},
    {0x00000200, "CLONE_FS"},
    {0x00000400, "CLONE_FILES"},
    {0x00000800, "CLONE_SIGHAND"},
    {0x00001000, "CLONE_PIDFD"},
    {0x00002000, "CLONE_PTRACE"},
    {0x00004000, "CLONE_VFORK"},
    {0x00008000, "CLONE_PARENT"},
    {0x00010000, "CLONE_THREAD"},
    {0x00020000, "CLONE_NEWNS"},
    {0x00040000, "CLONE_SYSVSEM"},
    {0x00080000, "CLONE_SETTLS"},
    {0x00100000, "CLONE_PARENT_SETTID"},
    {0x00200000, "CLONE_CHILD_CLEARTID"},
    {0x00400000, "CLONE_DETACHED"},
    {0x00800000, "CLONE_UNTRACED"},
    {0x01000000, "CLONE_CHILD_SETTID"},
    {0x02000000, "CLONE_NEWCGROUP"},
    {0x04000000, "CLONE_NEWUTS"},
    {0x08000000, "CLONE_NEWIPC"},
    {0x10000000, "CLONE_NEWUSER"},
    {0x20000000, "CLONE_NEWPID"},
    {0x40000000, "CLONE_NEWNET"},
    {0x80000000, "CLONE_IO"},
    {0x100000000, "CLONE_CLEAR_SIGHAND"},
    {0x200000000, "CLONE_INTO_CGROUP"},
    {0x400000000, "CLONE_NEWTIME"},
};

constexpr uint64_t kCsignal = 0xff;

// The low byte of clone()'s flags is the signal sent to the parent at exit.
std::string clone_flags_text(uint64_t v, bool with_signal) {
  std::string s;
  append_flag_names(s, with_signal ? v & ~kCsignal : v, kCloneFlags);
  if (with_signal && (v & kCsignal)) {
    if (!s.empty()) s += '|';
    s += signal_text(static_cast<int>(v & kCsignal));
  }
  return s.empty() ? "0" : s;
}

// clone() takes unsigned long but the kernel keeps only the low 32 bits.
Value d_clone_flags(const ArgCtx& c) { return Value::sym(clone_flags_text(lo32(c.raw), true)); }

Value s_clone_args(const ArgCtx& c) {
  struct {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
  } a{};
  static_assert(sizeof a == 88);
  if (!load_struct(c, a)) return addr_value(c.raw);
  std::string s = "{flags=" + clone_flags_text(a.flags, false);
  if (a.pidfd) s += ", pidfd=" + hex_addr(a.pidfd);
  if (a.child_tid) s += ", child_tid=" + hex_addr(a.child_tid);
  if (a.parent_tid) s += ", parent_tid=" + hex_addr(a.parent_tid);
  // strace always shows the exit signal: 0 for threads is meaningful
  s += ", exit_signal=" + (a.exit_signal ? signal_text(static_cast<int>(a.exit_signal)) : "0");
  if (a.stack) s += ", stack=" + hex_addr(a.stack);
  if (a.stack_size) s += ", stack_size=" + hex(a.stack_size);
  if (a.tls) s += ", tls=" + hex_addr(a.tls);
  if (a.set_tid) s += ", set_tid=" + hex_addr(a.set_tid);
  if (a.set_tid_size) s += fmt::format(", set_tid_size={}", a.set_tid_size);
  if (a.cgroup) s += fmt::format(", cgroup={}", a.cgroup);
  s += '}';
  return Value::sym(std::move(s));
}

constexpr FlagName kWaitOptions[] = {
    {0x1, "WNOHANG"},       {0x2, "WUNTRACED"},       {0x4, "WEXITED"},
    {0x8, "WCONTINUED"},    {0x1000000, "WNOWAIT"},   {0x20000000, "__WNOTHREAD"},
    {0x40000000, "__WALL"}, {0x80000000, "__WCLONE"},
};
// waitid has no "untraced": bit 2 is WSTOPPED there
constexpr FlagName kWaitidOptions[] = {
    {0x1, "WNOHANG"},       {0x2, "WSTOPPED"},        {0x4, "WEXITED"},
    {0x8, "WCONTINUED"},    {0x1000000, "WNOWAIT"},   {0x20000000, "__WNOTHREAD"},
    {0x40000000, "__WALL"}, {0x80000000, "__WCLONE"},
};

Value d_wait_options(const ArgCtx& c) {
  return Value::sym(flags_text(lo32(c.raw), c.info.name == "waitid"
                                                ? std::span<const FlagName>(kWaitidOptions)
                                                : std::span<const FlagName>(kWaitOptions)));
}

constexpr FlagName kIdtypes[] = {{0, "P_ALL"}, {1, "P_PID"}, {2, "P_PGID"}, {3, "P_PIDFD"}};

Value d_idtype(const ArgCtx& c) { return Value::sym(enum_text(lo32(c.raw), kIdtypes)); }

constexpr FlagName kRlimits[] = {
    {0, "RLIMIT_CPU"},       {1, "RLIMIT_FSIZE"}, {2, "RLIMIT_DATA"},    {3, "RLIMIT_STACK"},
    {4, "RLIMIT_CORE"},      {5, "RLIMIT_RSS"},   {6, "RLIMIT_NPROC"},   {7, "RLIMIT_NOFILE"},
    {8, "RLIMIT_MEMLOCK"},   {9, "RLIMIT_AS"},    {10, "RLIMIT_LOCKS"},  {11, "RLIMIT_SIGPENDING"},
    {12, "RLIMIT_MSGQUEUE"}, {13, "RLIMIT_NICE"}, {14, "RLIMIT_RTPRIO"}, {15, "RLIMIT_RTTIME"},
};

Value d_rlimit_resource(const ArgCtx& c) { return Value::sym(enum_text(lo32(c.raw), kRlimits)); }

}  // namespace

void register_process(Registry& r) {
  r.kind("clone_flags", d_clone_flags);
  r.kind("wait_options", d_wait_options);
  r.kind("idtype", d_idtype);
  r.kind("rlimit_resource", d_rlimit_resource);
  r.structure("clone_args", s_clone_args);
}

}  // namespace sysgate::decode
