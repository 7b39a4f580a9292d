// SPDX-License-Identifier: Apache-2.0
// Files: open flags, *at flags, access modes, lseek, fcntl, stat/statx,
// open_how, directory entries, wait status, rlimits, small integer out-params.
#include <fmt/format.h>
#include <linux/stat.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

// strace's order (composites before their parts: O_SYNC ⊃ O_DSYNC, O_TMPFILE ⊃ O_DIRECTORY).
constexpr FlagName kOpenFlags[] = {
    {0100, "O_CREAT"},        {0200, "O_EXCL"},         {0400, "O_NOCTTY"},
    {01000, "O_TRUNC"},       {02000, "O_APPEND"},      {04000, "O_NONBLOCK"},
    {04010000, "O_SYNC"},     {010000, "O_DSYNC"},      {020000, "O_ASYNC"},
    {040000, "O_DIRECT"},     {0100000, "O_LARGEFILE"}, {0400000, "O_NOFOLLOW"},
    {01000000, "O_NOATIME"},  {02000000, "O_CLOEXEC"},  {010000000, "O_PATH"},
    {020200000, "O_TMPFILE"}, {0200000, "O_DIRECTORY"},
};

constexpr FlagName kAccModes[] = {
    {0, "O_RDONLY"}, {1, "O_WRONLY"}, {2, "O_RDWR"}, {3, "O_ACCMODE"}};

Value d_oflags(const ArgCtx& c) {
  const uint32_t v = lo32(c.raw);
  std::string s = lookup(v & 3, kAccModes);
  append_flag_names(s, v & ~3u, kOpenFlags);
  return Value::sym(std::move(s));
}

// pipe2, dup3: open flags without an access mode (strace prints "O_CLOEXEC", "0")
Value d_fd_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kOpenFlags)); }

constexpr FlagName kAtFlags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"}, {0x200, "AT_REMOVEDIR"},   {0x400, "AT_SYMLINK_FOLLOW"},
    {0x800, "AT_NO_AUTOMOUNT"},     {0x1000, "AT_EMPTY_PATH"}, {0x2000, "AT_STATX_FORCE_SYNC"},
    {0x4000, "AT_STATX_DONT_SYNC"}, {0x8000, "AT_RECURSIVE"},
};
// faccessat2 gives 0x200 another meaning
constexpr FlagName kAccessAtFlags[] = {
    {0x100, "AT_SYMLINK_NOFOLLOW"},
    {0x200, "AT_EACCESS"},
    {0x1000, "AT_EMPTY_PATH"},
};

Value d_atflags(const ArgCtx& c) {
  const uint32_t v = lo32(c.raw);
  if (c.info.name == "faccessat2") return Value::sym(flags_text(v, kAccessAtFlags));
  if (c.info.name == "statx") {
    // the sync mode is a 2-bit field whose zero value has a name
    std::string s = (v & 0x6000) == 0 ? "AT_STATX_SYNC_AS_STAT" : "";
    append_flag_names(s, v, kAtFlags);
    return Value::sym(std::move(s));
  }
  return Value::sym(flags_text(v, kAtFlags));
}

constexpr FlagName kAccessModes[] = {{4, "R_OK"}, {2, "W_OK"}, {1, "X_OK"}};

Value d_access_mode(const ArgCtx& c) {
  return Value::sym(flags_text(lo32(c.raw), kAccessModes, "F_OK"));
}

constexpr FlagName kWhence[] = {
    {0, "SEEK_SET"}, {1, "SEEK_CUR"}, {2, "SEEK_END"}, {3, "SEEK_DATA"}, {4, "SEEK_HOLE"}};

Value d_whence(const ArgCtx& c) { return Value::sym(enum_text(lo32(c.raw), kWhence)); }

constexpr FlagName kFcntlCmds[] = {
    {0, "F_DUPFD"},
    {1, "F_GETFD"},
    {2, "F_SETFD"},
    {3, "F_GETFL"},
    {4, "F_SETFL"},
    {5, "F_GETLK"},
    {6, "F_SETLK"},
    {7, "F_SETLKW"},
    {8, "F_SETOWN"},
    {9, "F_GETOWN"},
    {10, "F_SETSIG"},
    {11, "F_GETSIG"},
    {15, "F_SETOWN_EX"},
    {16, "F_GETOWN_EX"},
    {17, "F_GETOWNER_UIDS"},
    {36, "F_OFD_GETLK"},
    {37, "F_OFD_SETLK"},
    {38, "F_OFD_SETLKW"},
    {1024, "F_SETLEASE"},
    {1025, "F_GETLEASE"},
    {1026, "F_NOTIFY"},
    {1027, "F_DUPFD_QUERY"},
    {1028, "F_CREATED_QUERY"},
    {1030, "F_DUPFD_CLOEXEC"},
    {1031, "F_SETPIPE_SZ"},
    {1032, "F_GETPIPE_SZ"},
    {1033, "F_ADD_SEALS"},
    {1034, "F_GET_SEALS"},
    {1035, "F_GET_RW_HINT"},
    {1036, "F_SET_RW_HINT"},
    {1037, "F_GET_FILE_RW_HINT"},
    {1038, "F_SET_FILE_RW_HINT"},
};

Value d_fcntl_cmd(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kFcntlCmds)); }

constexpr FlagName kRenameFlags[] = {
    {1, "RENAME_NOREPLACE"}, {2, "RENAME_EXCHANGE"}, {4, "RENAME_WHITEOUT"}};

Value d_rename_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kRenameFlags)); }

constexpr FlagName kCloseRangeFlags[] = {{2, "CLOSE_RANGE_UNSHARE"}, {4, "CLOSE_RANGE_CLOEXEC"}};

Value d_close_range_flags(const ArgCtx& c) {
  return Value::sym(flags_text(lo32(c.raw), kCloseRangeFlags));
}

// ---- structs

Value s_stat(const ArgCtx& c) {
  struct stat st {};
  static_assert(sizeof st == 144);
  if (!load_struct(c, st)) return addr_value(c.raw);
  std::string s = "{st_mode=" + mode_type_text(st.st_mode);
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    s += ", st_rdev=" + dev_text(st.st_rdev);
  else
    s += fmt::format(", st_size={}", static_cast<int64_t>(st.st_size));
  s += ", ...}";
  return Value::sym(std::move(s));
}

constexpr FlagName kStatxAttrs[] = {
    {0x4, "STATX_ATTR_COMPRESSED"},    {0x10, "STATX_ATTR_IMMUTABLE"},
    {0x20, "STATX_ATTR_APPEND"},       {0x40, "STATX_ATTR_NODUMP"},
    {0x800, "STATX_ATTR_ENCRYPTED"},   {0x1000, "STATX_ATTR_AUTOMOUNT"},
    {0x2000, "STATX_ATTR_MOUNT_ROOT"}, {0x100000, "STATX_ATTR_VERITY"},
    {0x200000, "STATX_ATTR_DAX"},      {0x400000, "STATX_ATTR_WRITE_ATOMIC"},
};

Value s_statx(const ArgCtx& c) {
  struct statx sx {};
  static_assert(sizeof sx == 256);
  if (!load_struct(c, sx)) return addr_value(c.raw);
  std::string s = "{stx_mask=" + statx_mask_text(sx.stx_mask);
  s += ", stx_attributes=" + flags_text(sx.stx_attributes, kStatxAttrs);
  s += ", stx_mode=" + mode_type_text(sx.stx_mode);
  if (S_ISCHR(sx.stx_mode) || S_ISBLK(sx.stx_mode))
    s +=
        fmt::format(", stx_rdev_major={}, stx_rdev_minor={}", sx.stx_rdev_major, sx.stx_rdev_minor);
  else
    s += fmt::format(", stx_size={}", sx.stx_size);
  s += ", ...}";
  return Value::sym(std::move(s));
}

constexpr FlagName kResolveFlags[] = {
    {0x01, "RESOLVE_NO_XDEV"}, {0x02, "RESOLVE_NO_MAGICLINKS"}, {0x04, "RESOLVE_NO_SYMLINKS"},
    {0x08, "RESOLVE_BENEATH"}, {0x10, "RESOLVE_IN_ROOT"},       {0x20, "RESOLVE_CACHED"},
};

Value s_open_how(const ArgCtx& c) {
  struct {
    uint64_t flags, mode, resolve;
  } how{};
  if (!load_struct(c, how)) return addr_value(c.raw);
  // the kernel rejects flags above 32 bits, so show them rather than truncate
  std::string flags = lookup(how.flags & 3, kAccModes);
  append_flag_names(flags, how.flags & ~uint64_t{3}, kOpenFlags);
  std::string mode = how.mode ? octal_mode(static_cast<uint32_t>(how.mode)) : "0";
  if (how.mode >> 32) mode = hex(how.mode);
  return Value::sym(fmt::format("{{flags={}, mode={}, resolve={}}}", flags, mode,
                                flags_text(how.resolve, kResolveFlags)));
}

Value s_loff(const ArgCtx& c) {
  int64_t v = 0;
  if (!load_struct(c, v)) return addr_value(c.raw);
  return Value::sym(fmt::format("[{}]", v));
}

Value s_int(const ArgCtx& c) {
  int32_t v = 0;
  if (!load_struct(c, v)) return addr_value(c.raw);
  return Value::sym(fmt::format("[{}]", v));
}

Value s_int2(const ArgCtx& c) {
  int32_t v[2] = {};
  if (!load_struct(c, v)) return addr_value(c.raw);
  // pipe, pipe2, socketpair: two new descriptors, decorated with -y
  if (c.fds && c.ev.has_exit && !c.ev.failed()) {
    std::string s = "[";
    for (int i = 0; i < 2; ++i) {
      Value fd = Value::num(v[i]);
      if (v[i] >= 0) fd.fd_name = c.fds->new_fd_name(c.ev.tgid, v[i]);
      s += (i ? ", " : "") + to_text(fd);
    }
    return Value::sym(s + "]");
  }
  return Value::sym(fmt::format("[{}, {}]", v[0], v[1]));
}

// getdents64: strace (non-verbose) prints only the entry count.
Value d_dirents(const ArgCtx& c) {
  if (!c.ev.has_exit || c.ev.failed()) return addr_value(c.raw);
  const Capture* cap = c.ev.find(c.index, true);
  if (!cap || cap->fault()) return addr_value(c.raw);
  size_t n = 0, off = 0;
  const std::string_view d = cap->data;
  // struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name[]
  while (off + 19 <= d.size()) {
    uint16_t reclen = 0;
    read_at(d, off + 16, reclen);
    if (reclen < 19 || off + reclen > d.size()) break;
    ++n;
    off += reclen;
  }
  const bool more = cap->truncated() || off < d.size() ||
                    (c.ev.ret > 0 && static_cast<uint64_t>(c.ev.ret) > d.size());
  return Value::sym(fmt::format("{} /* {}{} entr{} */", hex_addr(c.raw), n, more ? "+" : "",
                                n == 1 && !more ? "y" : "ies"));
}

Value s_wstatus(const ArgCtx& c) {
  // WNOHANG with no child ready: nothing was stored
  if (c.ev.has_exit && c.ev.ret == 0 && c.spec.kind == "out") return addr_value(c.raw);
  int32_t st = 0;
  if (!load_struct(c, st)) return addr_value(c.raw);
  const int s = st;
  std::string t;
  if (WIFEXITED(s)) {
    t = fmt::format("WIFEXITED(s) && WEXITSTATUS(s) == {}", WEXITSTATUS(s));
  } else if (WIFSIGNALED(s)) {
    t = fmt::format("WIFSIGNALED(s) && WTERMSIG(s) == {}{}", signal_text(WTERMSIG(s)),
                    WCOREDUMP(s) ? " && WCOREDUMP(s)" : "");
  } else if (WIFSTOPPED(s)) {
    t = fmt::format("WIFSTOPPED(s) && WSTOPSIG(s) == {}", signal_text(WSTOPSIG(s) & 0x7f));
    if (s >> 16) t += fmt::format(" && s >> 16 == {}", s >> 16);  // ptrace event
  } else if (WIFCONTINUED(s)) {
    t = "WIFCONTINUED(s)";
  } else {
    return Value::sym(fmt::format("[{:#x}]", static_cast<uint32_t>(s)));
  }
  return Value::sym("[{" + t + "}]");
}

std::string rlim_text(uint64_t v) {
  if (v == ~uint64_t{0}) return "RLIM64_INFINITY";
  if (v > 1024 && v % 1024 == 0) return fmt::format("{}*1024", v / 1024);
  return fmt::format("{}", v);
}

Value s_rlimit(const ArgCtx& c) {
  uint64_t r[2] = {};
  if (!load_struct(c, r)) return addr_value(c.raw);
  return Value::sym(fmt::format("{{rlim_cur={}, rlim_max={}}}", rlim_text(r[0]), rlim_text(r[1])));
}

}  // namespace

void register_file(Registry& r) {
  r.kind("oflags", d_oflags);
  r.kind("fd_flags", d_fd_flags);
  r.kind("atflags", d_atflags);
  r.kind("access_mode", d_access_mode);
  r.kind("whence", d_whence);
  r.kind("fcntl_cmd", d_fcntl_cmd);
  r.kind("rename_flags", d_rename_flags);
  r.kind("close_range_flags", d_close_range_flags);
  r.kind("dirents", d_dirents);
  r.structure("stat", s_stat);
  r.structure("statx", s_statx);
  r.structure("open_how", s_open_how);
  r.structure("loff", s_loff);
  r.structure("int", s_int);
  r.structure("int2", s_int2);
  r.structure("wstatus", s_wstatus);
  r.structure("rlimit", s_rlimit);
}

}  // namespace sysgate::decode
