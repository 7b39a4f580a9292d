// SPDX-License-Identifier: Apache-2.0
// Values, escaping, flag/enum printing, errno and signal names: the pieces every
// decoder family shares.
#include <fmt/format.h>
#include <sys/sysmacros.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cstring>

#include "decode/util.hpp"
#include "sysgate_abi.h"

namespace sysgate::decode {

// ---------------------------------------------------------------- Value

Value Value::num(int64_t v) {
  Value r;
  r.type = Type::Int;
  r.i = v;
  return r;
}

Value Value::unum(uint64_t v) {
  Value r;
  r.type = Type::Uint;
  r.i = static_cast<int64_t>(v);
  return r;
}

Value Value::sym(std::string s) {
  Value r;
  r.type = Type::Sym;
  r.text = std::move(s);
  return r;
}

Value Value::str(std::string_view bytes, bool truncated) {
  Value r;
  r.type = Type::Str;
  r.text.assign(bytes.data(), bytes.size());
  r.truncated = truncated;
  return r;
}

namespace {
int g_hex_strings = 0;

// strace -x: hex when a byte is neither printable ASCII nor \t \n \v \f \r.
bool needs_hex(std::string_view bytes) {
  if (g_hex_strings > 1) return true;
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (c > 0x7e || (c < ' ' && (c < '\t' || c > '\r'))) return true;
  }
  return false;
}

// The text form of a string's bytes: strace's escapes, or \xNN with -x/-xx.
void append_text_escaped(std::string_view bytes, std::string& out) {
  if (!g_hex_strings || !needs_hex(bytes)) return append_escaped(bytes, out);
  for (char ch : bytes)
    fmt::format_to(std::back_inserter(out), "\\x{:02x}", static_cast<unsigned char>(ch));
}
}  // namespace

void append_text(const Value& v, std::string& out) {
  switch (v.type) {
    case Value::Type::Int:
      fmt::format_to(std::back_inserter(out), "{}", v.i);
      if (!v.fd_name.empty()) {
        out += '<';
        out += v.fd_name;
        out += '>';
      }
      return;
    case Value::Type::Uint:
      fmt::format_to(std::back_inserter(out), "{}", static_cast<uint64_t>(v.i));
      return;
    case Value::Type::Str:
      out += '"';
      append_text_escaped(v.text, out);
      out += '"';
      if (v.truncated) out += "...";
      return;
    case Value::Type::Sym:
      out += v.text;
      return;
  }
}

std::string to_text(const Value& v) {
  if (v.type == Value::Type::Sym) return v.text;
  std::string out;
  if (v.type == Value::Type::Str) out.reserve(v.text.size() + v.text.size() / 4 + 5);
  append_text(v, out);
  return out;
}

void append_json_str_text(const Value& v, std::string& out) {
  append_escaped(v.text, out, true);
  if (v.truncated) out += "...";
}

// ---------------------------------------------------------------- escaping

size_t utf8_seq_len(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = at(i);
  if (c < 0x80) return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0)
      lo = 0xa0;  // overlong
    else if (c == 0xed)
      hi = 0x9f;  // UTF-16 surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0)
      lo = 0x90;  // overlong
    else if (c == 0xf4)
      hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;  // a continuation byte, C0/C1 (overlong) or F5-FF
  }
  if (s.size() - i < n) return 0;
  if (at(i + 1) < lo || at(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if (at(i + k) < 0x80 || at(i + k) > 0xbf) return 0;
  return n;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = utf8_seq_len(s, i);
    if (!n) return false;
    i += n;
  }
  return true;
}

void append_escaped(std::string_view bytes, std::string& out, bool keep_utf8) {
  out.reserve(out.size() + bytes.size() + bytes.size() / 4);
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto c = static_cast<unsigned char>(bytes[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\v':
        out += "\\v";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\r':
        out += "\\r";
        continue;
      default:
        break;
    }
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      continue;
    }
    if (c >= 0x80 && keep_utf8) {
      if (size_t n = utf8_seq_len(bytes, i)) {
        out.append(bytes.data() + i, n);
        i += n - 1;
        continue;
      }
    }
    // Fewest octal digits, except before an octal digit where "\1" "7" would
    // read back as "\17".
    bool next_octal = i + 1 < bytes.size() && bytes[i + 1] >= '0' && bytes[i + 1] <= '7';
    out += '\\';
    if (next_octal || c >= 0100) {
      out += static_cast<char>('0' + (c >> 6));
      out += static_cast<char>('0' + ((c >> 3) & 7));
    } else if (c >= 010) {
      out += static_cast<char>('0' + ((c >> 3) & 7));
    }
    out += static_cast<char>('0' + (c & 7));
  }
}

void set_hex_strings(int level) { g_hex_strings = level; }
int hex_strings() { return g_hex_strings; }

std::string escape(std::string_view bytes) {
  std::string out;
  append_escaped(bytes, out);
  return out;
}

// ---------------------------------------------------------------- numbers, flags

std::string hex_addr(uint64_t v) { return v ? fmt::format("{:#x}", v) : std::string("NULL"); }

std::string hex(uint64_t v) { return v ? fmt::format("{:#x}", v) : std::string("0"); }

const char* lookup(uint64_t v, std::span<const FlagName> table) {
  for (const auto& e : table)
    if (e.value == v) return e.name;
  return nullptr;
}

void append_flag_names(std::string& out, uint64_t v, std::span<const FlagName> table) {
  uint64_t rest = v;
  for (const auto& e : table) {
    if (e.value == 0 || (rest & e.value) != e.value) continue;
    if (!out.empty()) out += '|';
    out += e.name;
    rest &= ~e.value;
  }
  if (rest) {
    if (!out.empty()) out += '|';
    out += fmt::format("{:#x}", rest);
  }
}

std::string flags_text(uint64_t v, std::span<const FlagName> table, const char* zero) {
  if (v == 0) return zero ? std::string(zero) : std::string("0");
  std::string out;
  append_flag_names(out, v, table);
  return out;
}

std::string enum_text(int64_t v, std::span<const FlagName> table, bool hex_fallback) {
  if (const char* n = lookup(static_cast<uint64_t>(v), table)) return n;
  return hex_fallback ? hex(static_cast<uint64_t>(v)) : fmt::format("{}", v);
}

std::string quoted(std::string_view bytes, bool truncated) {
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4 + 5);
  out += '"';
  append_text_escaped(bytes, out);
  out += '"';
  if (truncated) out += "...";
  return out;
}

std::string octal_mode(uint32_t mode) {
  if (mode == 0) return "000";
  return fmt::format("0{:02o}", mode);
}

std::string mode_type_text(uint32_t mode) {
  static constexpr FlagName kTypes[] = {
      {0140000, "S_IFSOCK"}, {0120000, "S_IFLNK"}, {0100000, "S_IFREG"}, {0060000, "S_IFBLK"},
      {0040000, "S_IFDIR"},  {0020000, "S_IFCHR"}, {0010000, "S_IFIFO"},
  };
  std::string out;
  uint32_t type = mode & 0170000;
  if (type) {
    const char* n = lookup(type, kTypes);
    out = n ? n : fmt::format("{:#o}", type);
    out += '|';
  }
  if (mode & 04000) out += "S_ISUID|";
  if (mode & 02000) out += "S_ISGID|";
  if (mode & 01000) out += "S_ISVTX|";
  out += octal_mode(mode & 0777);
  return out;
}

std::string dev_text(uint64_t dev) {
  return fmt::format("makedev({:#x}, {:#x})", gnu_dev_major(dev), gnu_dev_minor(dev));
}

std::string statx_mask_text(uint32_t mask) {
  static constexpr FlagName kMask[] = {
      {0xfff, "STATX_ALL"},
      {0x7ff, "STATX_BASIC_STATS"},
      {0x1, "STATX_TYPE"},
      {0x2, "STATX_MODE"},
      {0x4, "STATX_NLINK"},
      {0x8, "STATX_UID"},
      {0x10, "STATX_GID"},
      {0x20, "STATX_ATIME"},
      {0x40, "STATX_MTIME"},
      {0x80, "STATX_CTIME"},
      {0x100, "STATX_INO"},
      {0x200, "STATX_SIZE"},
      {0x400, "STATX_BLOCKS"},
      {0x800, "STATX_BTIME"},
      {0x1000, "STATX_MNT_ID"},
      {0x2000, "STATX_DIOALIGN"},
      {0x4000, "STATX_MNT_ID_UNIQUE"},
      {0x8000, "STATX_SUBVOL"},
      {0x10000, "STATX_WRITE_ATOMIC"},
      {0x20000, "STATX_DIO_READ_ALIGN"},
  };
  return flags_text(mask, kMask, "0");
}

// ---------------------------------------------------------------- struct captures

const Capture* struct_capture(const ArgCtx& c) {
  const Capture* cap = nullptr;
  if (c.spec.kind == "out") {
    cap = c.ev.find(c.index, true);
  } else if (c.spec.kind == "inout") {
    cap = c.ev.failed() ? c.ev.find(c.index, false) : c.ev.find_best(c.index);
  } else {
    cap = c.ev.find(c.index, false);
    // Decoders of other kinds that point at a struct: take whatever exists.
    if (!cap && c.spec.kind != "in") cap = c.ev.find_best(c.index);
  }
  if (!cap || cap->fault()) return nullptr;
  return cap;
}

bool load_struct(const ArgCtx& c, void* dst, size_t n) {
  if (c.raw == 0) return false;
  const Capture* cap = struct_capture(c);
  if (!cap || cap->data.size() < n) return false;
  std::memcpy(dst, cap->data.data(), n);
  return true;
}

// ---------------------------------------------------------------- string limit

namespace {
std::atomic<size_t> g_string_limit{32};
}  // namespace

void set_string_limit(size_t n) { g_string_limit.store(n, std::memory_order_relaxed); }
size_t string_limit() { return g_string_limit.load(std::memory_order_relaxed); }

// ---------------------------------------------------------------- errno

namespace {

constexpr std::array<const char*, 134> kErrnoNames = {
    nullptr,
    "EPERM",
    "ENOENT",
    "ESRCH",
    "EINTR",
    "EIO",
    "ENXIO",
    "E2BIG",
    "ENOEXEC",
    "EBADF",
    "ECHILD",
    "EAGAIN",
    "ENOMEM",
    "EACCES",
    "EFAULT",
    "ENOTBLK",
    "EBUSY",
    "EEXIST",
    "EXDEV",
    "ENODEV",
    "ENOTDIR",
    "EISDIR",
    "EINVAL",
    "ENFILE",
    "EMFILE",
    "ENOTTY",
    "ETXTBSY",
    "EFBIG",
    "ENOSPC",
    "ESPIPE",
    "EROFS",
    "EMLINK",
    "EPIPE",
    "EDOM",
    "ERANGE",
    "EDEADLK",
    "ENAMETOOLONG",
    "ENOLCK",
    "ENOSYS",
    "ENOTEMPTY",
    "ELOOP",
    nullptr,
    "ENOMSG",
    "EIDRM",
    "ECHRNG",
    "EL2NSYNC",
    "EL3HLT",
    "EL3RST",
    "ELNRNG",
    "EUNATCH",
    "ENOCSI",
    "EL2HLT",
    "EBADE",
    "EBADR",
    "EXFULL",
    "ENOANO",
    "EBADRQC",
    "EBADSLT",
    nullptr,
    "EBFONT",
    "ENOSTR",
    "ENODATA",
    "ETIME",
    "ENOSR",
    "ENONET",
    "ENOPKG",
    "EREMOTE",
    "ENOLINK",
    "EADV",
    "ESRMNT",
    "ECOMM",
    "EPROTO",
    "EMULTIHOP",
    "EDOTDOT",
    "EBADMSG",
    "EOVERFLOW",
    "ENOTUNIQ",
    "EBADFD",
    "EREMCHG",
    "ELIBACC",
    "ELIBBAD",
    "ELIBSCN",
    "ELIBMAX",
    "ELIBEXEC",
    "EILSEQ",
    "ERESTART",
    "ESTRPIPE",
    "EUSERS",
    "ENOTSOCK",
    "EDESTADDRREQ",
    "EMSGSIZE",
    "EPROTOTYPE",
    "ENOPROTOOPT",
    "EPROTONOSUPPORT",
    "ESOCKTNOSUPPORT",
    "EOPNOTSUPP",
    "EPFNOSUPPORT",
    "EAFNOSUPPORT",
    "EADDRINUSE",
    "EADDRNOTAVAIL",
    "ENETDOWN",
    "ENETUNREACH",
    "ENETRESET",
    "ECONNABORTED",
    "ECONNRESET",
    "ENOBUFS",
    "EISCONN",
    "ENOTCONN",
    "ESHUTDOWN",
    "ETOOMANYREFS",
    "ETIMEDOUT",
    "ECONNREFUSED",
    "EHOSTDOWN",
    "EHOSTUNREACH",
    "EALREADY",
    "EINPROGRESS",
    "ESTALE",
    "EUCLEAN",
    "ENOTNAM",
    "ENAVAIL",
    "EISNAM",
    "EREMOTEIO",
    "EDQUOT",
    "ENOMEDIUM",
    "EMEDIUMTYPE",
    "ECANCELED",
    "ENOKEY",
    "EKEYEXPIRED",
    "EKEYREVOKED",
    "EKEYREJECTED",
    "EOWNERDEAD",
    "ENOTRECOVERABLE",
    "ERFKILL",
    "EHWPOISON",
};

// Kernel-internal codes (include/linux/errno.h) that leak to tracers.
struct KernelErrno {
  int err;
  const char* name;
  const char* desc;  // strace's text; nullptr: strerror's
};
constexpr KernelErrno kKernelErrnos[] = {
    {512, "ERESTARTSYS", "To be restarted if SA_RESTART is set"},
    {513, "ERESTARTNOINTR", "To be restarted"},
    {514, "ERESTARTNOHAND", "To be restarted if no handler"},
    {515, "ENOIOCTLCMD", nullptr},
    {516, "ERESTART_RESTARTBLOCK", "Interrupted by signal"},
    {517, "EPROBE_DEFER", nullptr},
    {518, "EOPENSTALE", nullptr},
    {519, "ENOPARAM", nullptr},
    {521, "EBADHANDLE", nullptr},
    {522, "ENOTSYNC", nullptr},
    {523, "EBADCOOKIE", nullptr},
    {524, "ENOTSUPP", nullptr},
    {525, "ETOOSMALL", nullptr},
    {526, "ESERVERFAULT", nullptr},
    {527, "EBADTYPE", nullptr},
    {528, "EJUKEBOX", nullptr},
    {529, "EIOCBQUEUED", nullptr},
    {530, "ERECALLCONFLICT", nullptr},
    {531, "ENOGRACE", nullptr},
};

}  // namespace

std::string_view errno_name(int err) {
  if (err > 0 && err < static_cast<int>(kErrnoNames.size()) && kErrnoNames[err])
    return kErrnoNames[err];
  for (const auto& k : kKernelErrnos)
    if (k.err == err) return k.name;
  return {};
}

int errno_by_name(std::string_view name) {
  if (name.empty()) return -1;
  if (name.find_first_not_of("0123456789") == std::string_view::npos) {
    if (name.size() > 4) return -1;
    int v = 0;
    for (char c : name) v = v * 10 + (c - '0');
    return v >= 1 && v <= 4095 ? v : -1;
  }
  for (int e = 1; e < static_cast<int>(kErrnoNames.size()); ++e)
    if (kErrnoNames[e] && name == kErrnoNames[e]) return e;
  for (const auto& k : kKernelErrnos)
    if (name == k.name) return k.err;
  return -1;
}

std::string errno_desc(int err) {
  for (const auto& k : kKernelErrnos)
    if (k.err == err && k.desc) return k.desc;
  // strerrordesc_np is untranslated and thread-safe, unlike strerror.
  if (const char* d = strerrordesc_np(err)) return d;
  return fmt::format("Unknown error {}", err);
}

// ---------------------------------------------------------------- signals

namespace {

constexpr std::array<const char*, 33> kSignalNames = {
    nullptr,    "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP",   "SIGABRT",
    "SIGBUS",   "SIGFPE",  "SIGKILL",   "SIGUSR1", "SIGSEGV",  "SIGUSR2",   "SIGPIPE",
    "SIGALRM",  "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",  "SIGSTOP",   "SIGTSTP",
    "SIGTTIN",  "SIGTTOU", "SIGURG",    "SIGXCPU", "SIGXFSZ",  "SIGVTALRM", "SIGPROF",
    "SIGWINCH", "SIGIO",   "SIGPWR",    "SIGSYS",  "SIGRTMIN",
};

// strace names signals above SIGRTMIN by their offset from the kernel's SIGRTMIN (32).
constexpr int kSigRtMin = 32;
constexpr int kSigRtMax = 64;

// Holds the "SIGRT_n" names so signal_name can hand out views.
const std::array<std::string, kSigRtMax + 1>& rt_names() {
  static const auto names = [] {
    std::array<std::string, kSigRtMax + 1> a;
    for (int s = kSigRtMin + 1; s <= kSigRtMax; ++s) a[s] = fmt::format("SIGRT_{}", s - kSigRtMin);
    return a;
  }();
  return names;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 9) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::string_view signal_name(int sig) {
  if (sig > 0 && sig < static_cast<int>(kSignalNames.size())) return kSignalNames[sig];
  if (sig > kSigRtMin && sig <= kSigRtMax) return rt_names()[sig];
  return {};
}

std::string signal_text(int sig) {
  auto n = signal_name(sig);
  return n.empty() ? fmt::format("{}", sig) : std::string(n);
}

int signal_by_name(std::string_view name) {
  int n = 0;
  if (parse_int(name, n)) return n >= 1 && n <= kSigRtMax ? n : -1;
  if (name.size() > 3 && iequals(name.substr(0, 3), "SIG")) name.remove_prefix(3);
  for (int s = 1; s < static_cast<int>(kSignalNames.size()); ++s)
    if (iequals(name, std::string_view(kSignalNames[s]).substr(3))) return s;
  // aliases people use
  if (iequals(name, "IOT")) return 6;
  if (iequals(name, "POLL")) return 29;
  if (iequals(name, "CLD")) return 17;
  if (iequals(name, "RTMAX")) return kSigRtMax;
  // RT_n (strace), RTMIN+n and RTMAX-n (kill -l)
  if (name.size() > 3 && iequals(name.substr(0, 3), "RT_") && parse_int(name.substr(3), n))
    return n >= 0 && kSigRtMin + n <= kSigRtMax ? kSigRtMin + n : -1;
  if (name.size() > 6 && iequals(name.substr(0, 6), "RTMIN+") && parse_int(name.substr(6), n))
    return kSigRtMin + n <= kSigRtMax ? kSigRtMin + n : -1;
  if (name.size() > 6 && iequals(name.substr(0, 6), "RTMAX-") && parse_int(name.substr(6), n))
    return kSigRtMax - n > kSigRtMin ? kSigRtMax - n : -1;
  return -1;
}

}  // namespace sysgate::decode
