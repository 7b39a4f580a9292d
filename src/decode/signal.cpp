// SPDX-License-Identifier: Apache-2.0
// Signals: numbers, sigprocmask's how, signal sets and kernel sigactions.
#include <fmt/format.h>

#include <bit>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

Value d_signum(const ArgCtx& c) {
  const int sig = s32(c.raw);
  if (sig == 0) return Value::num(0);
  return Value::sym(signal_text(sig));
}

constexpr FlagName kSighow[] = {{0, "SIG_BLOCK"}, {1, "SIG_UNBLOCK"}, {2, "SIG_SETMASK"}};

Value d_sighow(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kSighow)); }

// "[INT TERM]"; a set with most signals prints its complement as "~[...]".
std::string sigset_text(uint64_t mask) {
  std::string s;
  if (std::popcount(mask) > 32) {
    s = "~[";
    mask = ~mask;
  } else {
    s = "[";
  }
  bool first = true;
  for (int bit = 0; bit < 64; ++bit) {
    if (!(mask & (uint64_t{1} << bit))) continue;
    if (!first) s += ' ';
    first = false;
    const int sig = bit + 1;
    auto n = signal_name(sig);
    s += n.empty() ? fmt::format("{}", sig) : std::string(n.substr(3));
  }
  s += ']';
  return s;
}

Value s_sigset(const ArgCtx& c) {
  uint64_t mask = 0;
  if (!load_struct(c, mask)) return addr_value(c.raw);
  return Value::sym(sigset_text(mask));
}

constexpr uint64_t kSaRestorer = 0x04000000;

constexpr FlagName kSaFlags[] = {
    {0x04000000, "SA_RESTORER"},  {0x08000000, "SA_ONSTACK"},   {0x10000000, "SA_RESTART"},
    {0x20000000, "SA_INTERRUPT"}, {0x40000000, "SA_NODEFER"},   {0x80000000, "SA_RESETHAND"},
    {0x4, "SA_SIGINFO"},          {0x1, "SA_NOCLDSTOP"},        {0x2, "SA_NOCLDWAIT"},
    {0x400, "SA_UNSUPPORTED"},    {0x800, "SA_EXPOSE_TAGBITS"},
};

Value s_sigaction(const ArgCtx& c) {
  struct {
    uint64_t handler, flags, restorer, mask;
  } sa{};
  static_assert(sizeof sa == 32);
  if (!load_struct(c, sa)) return addr_value(c.raw);
  std::string h = sa.handler == 0 ? "SIG_DFL" : sa.handler == 1 ? "SIG_IGN" : hex_addr(sa.handler);
  std::string s = fmt::format("{{sa_handler={}, sa_mask={}, sa_flags={}", h, sigset_text(sa.mask),
                              flags_text(sa.flags, kSaFlags));
  if (sa.flags & kSaRestorer) s += ", sa_restorer=" + hex_addr(sa.restorer);
  s += '}';
  return Value::sym(std::move(s));
}

}  // namespace

void register_signal(Registry& r) {
  r.kind("signum", d_signum);
  r.kind("sighow", d_sighow);
  r.structure("sigset", s_sigset);
  r.structure("sigaction", s_sigaction);
}

}  // namespace sysgate::decode

// ---------------------------------------------------------------- siginfo
// strace's printsiginfo: which fields a siginfo shows depends on si_code (from
// user space: <= 0) and, for kernel-sent signals, on the signal.

namespace sysgate::decode {

namespace {

struct CodeName {
  int code;
  const char* name;
};

// si_code values for every signal (asm-generic/siginfo.h, x86-64)
constexpr CodeName kSiCodes[] = {
    {0, "SI_USER"},      {0x80, "SI_KERNEL"}, {-1, "SI_QUEUE"}, {-2, "SI_TIMER"},
    {-3, "SI_MESGQ"},    {-4, "SI_ASYNCIO"},  {-5, "SI_SIGIO"}, {-6, "SI_TKILL"},
    {-7, "SI_DETHREAD"}, {-60, "SI_ASYNCNL"},
};
constexpr CodeName kIllCodes[] = {
    {1, "ILL_ILLOPC"}, {2, "ILL_ILLOPN"}, {3, "ILL_ILLADR"}, {4, "ILL_ILLTRP"},
    {5, "ILL_PRVOPC"}, {6, "ILL_PRVREG"}, {7, "ILL_COPROC"}, {8, "ILL_BADSTK"},
};
constexpr CodeName kFpeCodes[] = {
    {1, "FPE_INTDIV"},  {2, "FPE_INTOVF"},    {3, "FPE_FLTDIV"}, {4, "FPE_FLTOVF"},
    {5, "FPE_FLTUND"},  {6, "FPE_FLTRES"},    {7, "FPE_FLTINV"}, {8, "FPE_FLTSUB"},
    {14, "FPE_FLTUNK"}, {15, "FPE_CONDTRAP"},
};
constexpr CodeName kSegvCodes[] = {
    {1, "SEGV_MAPERR"},  {2, "SEGV_ACCERR"},  {3, "SEGV_BNDERR"},  {4, "SEGV_PKUERR"},
    {5, "SEGV_ACCADI"},  {6, "SEGV_ADIDERR"}, {7, "SEGV_ADIPERR"}, {8, "SEGV_MTEAERR"},
    {9, "SEGV_MTESERR"}, {10, "SEGV_CPERR"},
};
constexpr CodeName kBusCodes[] = {
    {1, "BUS_ADRALN"},    {2, "BUS_ADRERR"},    {3, "BUS_OBJERR"},
    {4, "BUS_MCEERR_AR"}, {5, "BUS_MCEERR_AO"},
};
constexpr CodeName kTrapCodes[] = {
    {1, "TRAP_BRKPT"},  {2, "TRAP_TRACE"}, {3, "TRAP_BRANCH"},
    {4, "TRAP_HWBKPT"}, {5, "TRAP_UNK"},   {6, "TRAP_PERF"},
};
constexpr CodeName kChldCodes[] = {
    {1, "CLD_EXITED"},  {2, "CLD_KILLED"},  {3, "CLD_DUMPED"},
    {4, "CLD_TRAPPED"}, {5, "CLD_STOPPED"}, {6, "CLD_CONTINUED"},
};
constexpr CodeName kPollCodes[] = {
    {1, "POLL_IN"},  {2, "POLL_OUT"}, {3, "POLL_MSG"},
    {4, "POLL_ERR"}, {5, "POLL_PRI"}, {6, "POLL_HUP"},
};
constexpr CodeName kProfCodes[] = {{1, "PROF_SIG"}};
constexpr CodeName kSysCodes[] = {{1, "SYS_SECCOMP"}, {2, "SYS_USER_DISPATCH"}};

constexpr int kSigIll = 4, kSigTrap = 5, kSigBus = 7, kSigFpe = 8, kSigSegv = 11, kSigChld = 17,
              kSigProf = 27, kSigIo = 29, kSigSys = 31;
constexpr int kSiUser = 0, kSiTimer = -2, kSiSigio = -5, kSiTkill = -6;
constexpr int kCldExited = 1, kBusMceerrAr = 4, kBusMceerrAo = 5, kSegvBnderr = 3, kSegvPkuerr = 4;
constexpr uint32_t kAuditArchX8664 = 0xc000003e, kAuditArchI386 = 0x40000003;

template <size_t N>
const char* find_code(const CodeName (&t)[N], int code) {
  for (const auto& c : t)
    if (c.code == code) return c.name;
  return nullptr;
}

const char* signal_codes(int signo, int code) {
  switch (signo) {
    case kSigIll:
      return find_code(kIllCodes, code);
    case kSigTrap:
      return find_code(kTrapCodes, code);
    case kSigBus:
      return find_code(kBusCodes, code);
    case kSigFpe:
      return find_code(kFpeCodes, code);
    case kSigSegv:
      return find_code(kSegvCodes, code);
    case kSigChld:
      return find_code(kChldCodes, code);
    case kSigProf:
      return find_code(kProfCodes, code);
    case kSigIo:
      return find_code(kPollCodes, code);
    case kSigSys:
      return find_code(kSysCodes, code);
    default:
      return nullptr;
  }
}

// The x86-64 siginfo, read field by field (missing bytes read as 0).
class SigInfoBytes {
 public:
  explicit SigInfoBytes(std::span<const uint8_t> b) : b_(b) {}
  template <class T>
  T at(size_t off) const {
    T v{};
    if (off <= b_.size() && b_.size() - off >= sizeof v) std::memcpy(&v, b_.data() + off, sizeof v);
    return v;
  }
  int32_t signo() const { return at<int32_t>(0); }
  int32_t err() const { return at<int32_t>(4); }
  int32_t code() const { return at<int32_t>(8); }
  // the union, from offset 16
  int32_t pid() const { return at<int32_t>(16); }
  uint32_t uid() const { return at<uint32_t>(20); }
  int32_t timerid() const { return at<int32_t>(16); }
  int32_t overrun() const { return at<int32_t>(20); }
  int32_t sival_int() const { return at<int32_t>(24); }
  uint64_t sival_ptr() const { return at<uint64_t>(24); }
  int32_t status() const { return at<int32_t>(24); }
  int64_t utime() const { return at<int64_t>(32); }
  int64_t stime() const { return at<int64_t>(40); }
  uint64_t addr() const { return at<uint64_t>(16); }
  int16_t addr_lsb() const { return at<int16_t>(24); }
  uint64_t lower() const { return at<uint64_t>(32); }
  uint64_t upper() const { return at<uint64_t>(40); }
  uint32_t pkey() const { return at<uint32_t>(32); }
  int64_t band() const { return at<int64_t>(16); }
  int32_t fd() const { return at<int32_t>(24); }
  uint64_t call_addr() const { return at<uint64_t>(16); }
  int32_t syscall() const { return at<int32_t>(24); }
  uint32_t arch() const { return at<uint32_t>(28); }

 private:
  std::span<const uint8_t> b_;
};

class Fields {
 public:
  void add(std::string_view name, Value v) { out.push_back({name, std::move(v)}); }
  void source(const SigInfoBytes& si) {
    add("si_pid", Value::num(si.pid()));
    // strace prints ids as unsigned, (uid_t)-1 as -1
    add("si_uid", si.uid() == UINT32_MAX ? Value::num(-1) : Value::unum(si.uid()));
  }
  void sigval(const SigInfoBytes& si) {
    add("si_int", Value::num(si.sival_int()));
    add("si_ptr", addr_value(si.sival_ptr()));
  }
  void addr(std::string_view name, uint64_t a) { add(name, addr_value(a)); }
  std::vector<SigInfoField> out;
};

std::string syscall_text(int nr, uint32_t arch) {
  if (arch == kAuditArchX8664)
    if (const SyscallInfo* s = syscall_by_nr(nr)) return fmt::format("__NR_{}", s->name);
  return fmt::format("{}", nr);
}

std::string arch_text(uint32_t arch) {
  if (arch == kAuditArchX8664) return "AUDIT_ARCH_X86_64";
  if (arch == kAuditArchI386) return "AUDIT_ARCH_I386";
  return fmt::format("{:#x} /* AUDIT_ARCH_??? */", arch);
}

void kernel_fields(Fields& f, const SigInfoBytes& si) {
  const int code = si.code();
  switch (si.signo()) {
    case kSigChld:
      f.source(si);
      f.add("si_status",
            code == kCldExited ? Value::num(si.status()) : Value::sym(signal_text(si.status())));
      f.add("si_utime", Value::num(si.utime()));
      f.add("si_stime", Value::num(si.stime()));
      break;
    case kSigIll:
    case kSigFpe:
    case kSigTrap:
      f.addr("si_addr", si.addr());
      break;
    case kSigBus:
      f.addr("si_addr", si.addr());
      if (code == kBusMceerrAr || code == kBusMceerrAo)
        f.add("si_addr_lsb", Value::sym(hex(static_cast<uint16_t>(si.addr_lsb()))));
      break;
    case kSigSegv:
      f.addr("si_addr", si.addr());
      if (code == kSegvBnderr) {
        f.addr("si_lower", si.lower());
        f.addr("si_upper", si.upper());
      } else if (code == kSegvPkuerr) {
        f.add("si_pkey", Value::unum(si.pkey()));
      }
      break;
    case kSigIo:
      if (code >= 1 && code <= 3) {  // POLL_IN, POLL_OUT, POLL_MSG
        f.add("si_band", Value::num(si.band()));
        f.add("si_fd", Value::num(si.fd()));
      }
      break;
    case kSigSys:
      f.addr("si_call_addr", si.call_addr());
      f.add("si_syscall", Value::sym(syscall_text(si.syscall(), si.arch())));
      f.add("si_arch", Value::sym(arch_text(si.arch())));
      break;
    default:
      if (si.pid() || si.uid()) f.source(si);
      if (si.sival_ptr()) f.sigval(si);
      break;
  }
}

void user_fields(Fields& f, const SigInfoBytes& si) {
  switch (si.code()) {
    case kSiUser:
    case kSiTkill:
      f.source(si);
      break;
    case kSiTimer:
      f.add("si_timerid", Value::sym(hex(static_cast<uint32_t>(si.timerid()))));
      f.add("si_overrun", Value::num(si.overrun()));
      f.sigval(si);
      break;
    case kSiSigio:
      f.add("si_band", Value::num(si.band()));
      f.add("si_fd", Value::num(si.fd()));
      break;
    default:  // SI_QUEUE, SI_MESGQ, SI_ASYNCIO ...
      f.source(si);
      if (si.sival_ptr()) f.sigval(si);
      break;
  }
}

}  // namespace

std::string si_code_text(int signo, int code) {
  const char* n = find_code(kSiCodes, code);
  if (!n) n = signal_codes(signo, code);
  return n ? std::string(n) : hex(static_cast<uint32_t>(code));
}

std::vector<SigInfoField> siginfo_fields(int signo, std::span<const uint8_t> info) {
  Fields f;
  if (info.empty()) {
    if (signo) f.add("si_signo", Value::sym(signal_text(signo)));
    return std::move(f.out);
  }
  const SigInfoBytes si(info);
  if (!si.signo()) return {};
  f.add("si_signo", Value::sym(signal_text(si.signo())));
  f.add("si_code", Value::sym(si_code_text(si.signo(), si.code())));
  if (si.err()) {
    auto name = errno_name(si.err());
    f.add("si_errno", name.empty() ? Value::num(si.err()) : Value::sym(std::string(name)));
  }
  if (si.code() <= 0)
    user_fields(f, si);
  else
    kernel_fields(f, si);
  return std::move(f.out);
}

bool signal_line_shown(const std::bitset<65>& selected, int signo) {
  constexpr int kSigKill = 9;
  if (signo == kSigKill) return false;
  if (signo < 0 || static_cast<size_t>(signo) >= selected.size()) return selected.any();
  return selected.test(static_cast<size_t>(signo));
}

std::string siginfo_text(const std::vector<SigInfoField>& fields) {
  std::string s = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) s += ", ";
    s += fields[i].name;
    s += '=';
    append_text(fields[i].value, s);
  }
  s += '}';
  return s;
}

}  // namespace sysgate::decode
