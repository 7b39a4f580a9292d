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
