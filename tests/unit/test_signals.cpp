// SPDX-License-Identifier: Apache-2.0
// Signal lines: strace's siginfo formatting (decode), the text and JSON lines of a
// SignalEvent and of thread exits (output), and the -e signal=SET selection.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <span>
#include <string>

#include "sysgate/decode.hpp"
#include "sysgate/output.hpp"
#include "sysgate_abi.h"

namespace sysgate {
namespace {

// The first SG_SIGINFO_LEN bytes of a glibc siginfo_t: the layout check is that
// the fields glibc names land where the decoder reads them.
struct Si {
  siginfo_t si;
  Si(int signo, int code) {
    memset(&si, 0, sizeof si);
    si.si_signo = signo;
    si.si_code = code;
  }
  std::span<const uint8_t> bytes() const {
    return {reinterpret_cast<const uint8_t*>(&si), SG_SIGINFO_LEN};
  }
  std::string text() const {
    return decode::siginfo_text(decode::siginfo_fields(si.si_signo, bytes()));
  }
};

TEST(SigInfo, ChildExitedAndKilled) {
  Si s(SIGCHLD, CLD_EXITED);
  s.si.si_pid = 123;
  s.si.si_uid = 0;
  s.si.si_status = 0;
  EXPECT_EQ(s.text(),
            "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=123, si_uid=0, si_status=0, "
            "si_utime=0, si_stime=0}");
  Si k(SIGCHLD, CLD_KILLED);
  k.si.si_pid = 7;
  k.si.si_uid = 1000;
  k.si.si_status = SIGKILL;
  k.si.si_utime = 3;
  k.si.si_stime = 4;
  EXPECT_EQ(k.text(),
            "{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=7, si_uid=1000, si_status=SIGKILL, "
            "si_utime=3, si_stime=4}");
}

TEST(SigInfo, FaultsPrintTheAddress) {
  Si s(SIGSEGV, SEGV_MAPERR);
  EXPECT_EQ(s.text(), "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}");
  Si a(SIGSEGV, SEGV_ACCERR);
  a.si.si_addr = reinterpret_cast<void*>(0x7f0012345678);
  EXPECT_EQ(a.text(), "{si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7f0012345678}");
  Si k(SIGSEGV, SI_KERNEL);  // a general protection fault
  EXPECT_EQ(k.text(), "{si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL}");
  Si p(SIGSEGV, SEGV_PKUERR);
  p.si.si_addr = reinterpret_cast<void*>(0x1000);
  memcpy(reinterpret_cast<char*>(&p.si) + 32, "\x05\0\0\0", 4);  // si_pkey
  EXPECT_EQ(p.text(), "{si_signo=SIGSEGV, si_code=SEGV_PKUERR, si_addr=0x1000, si_pkey=5}");
  Si b(SIGBUS, BUS_ADRERR);
  b.si.si_addr = reinterpret_cast<void*>(0x2000);
  EXPECT_EQ(b.text(), "{si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x2000}");
  Si m(SIGBUS, BUS_MCEERR_AR);
  m.si.si_addr_lsb = 12;
  EXPECT_EQ(m.text(), "{si_signo=SIGBUS, si_code=BUS_MCEERR_AR, si_addr=NULL, si_addr_lsb=0xc}");
  Si i(SIGILL, ILL_ILLOPN);
  i.si.si_addr = reinterpret_cast<void*>(0x401000);
  EXPECT_EQ(i.text(), "{si_signo=SIGILL, si_code=ILL_ILLOPN, si_addr=0x401000}");
  Si f(SIGFPE, FPE_INTDIV);
  f.si.si_addr = reinterpret_cast<void*>(0x401002);
  EXPECT_EQ(f.text(), "{si_signo=SIGFPE, si_code=FPE_INTDIV, si_addr=0x401002}");
  Si t(SIGTRAP, TRAP_BRKPT);
  EXPECT_EQ(t.text(), "{si_signo=SIGTRAP, si_code=TRAP_BRKPT, si_addr=NULL}");
}

TEST(SigInfo, SentFromUserSpace) {
  Si u(SIGUSR1, SI_USER);
  u.si.si_pid = 42;
  EXPECT_EQ(u.text(), "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=42, si_uid=0}");
  Si t(SIGUSR2, SI_TKILL);
  t.si.si_pid = 43;
  t.si.si_uid = 1001;
  EXPECT_EQ(t.text(), "{si_signo=SIGUSR2, si_code=SI_TKILL, si_pid=43, si_uid=1001}");
  Si q(SIGRTMIN + 1, SI_QUEUE);  // glibc's SIGRTMIN is the kernel's 32 + 2
  q.si.si_pid = 44;
  q.si.si_value.sival_int = 42;
  EXPECT_EQ(q.text(),
            "{si_signo=SIGRT_3, si_code=SI_QUEUE, si_pid=44, si_uid=0, si_int=42, si_ptr=0x2a}");
  Si q0(SIGUSR1, SI_QUEUE);  // no value: no si_int/si_ptr
  q0.si.si_pid = 45;
  EXPECT_EQ(q0.text(), "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=45, si_uid=0}");
  Si n(SIGTERM, SI_USER);
  n.si.si_uid = static_cast<uid_t>(-1);
  EXPECT_EQ(n.text(), "{si_signo=SIGTERM, si_code=SI_USER, si_pid=0, si_uid=-1}");
  Si k(SIGTERM, SI_KERNEL);  // kernel-sent, no source: nothing more
  EXPECT_EQ(k.text(), "{si_signo=SIGTERM, si_code=SI_KERNEL}");
  Si e(SIGUSR1, SI_USER);
  e.si.si_errno = ENOENT;
  EXPECT_EQ(e.text(), "{si_signo=SIGUSR1, si_code=SI_USER, si_errno=ENOENT, si_pid=0, si_uid=0}");
}

TEST(SigInfo, TimersAndIo) {
  Si t(SIGALRM, SI_TIMER);
  t.si.si_timerid = 0;
  t.si.si_overrun = 0;
  t.si.si_value.sival_int = 7;
  EXPECT_EQ(t.text(),
            "{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0, si_overrun=0, si_int=7, "
            "si_ptr=0x7}");
  Si t2(SIGRTMIN, SI_TIMER);
  t2.si.si_timerid = 0x12;
  t2.si.si_overrun = 3;
  EXPECT_EQ(t2.text(),
            "{si_signo=SIGRT_2, si_code=SI_TIMER, si_timerid=0x12, si_overrun=3, si_int=0, "
            "si_ptr=NULL}");
  Si p(SIGIO, POLL_IN);
  p.si.si_band = 65;
  p.si.si_fd = 5;
  EXPECT_EQ(p.text(), "{si_signo=SIGIO, si_code=POLL_IN, si_band=65, si_fd=5}");
  Si h(SIGIO, POLL_HUP);  // strace shows band and fd for IN, OUT and MSG only
  EXPECT_EQ(h.text(), "{si_signo=SIGIO, si_code=POLL_HUP}");
  Si s(SIGIO, SI_SIGIO);
  s.si.si_band = 1;
  s.si.si_fd = 3;
  EXPECT_EQ(s.text(), "{si_signo=SIGIO, si_code=SI_SIGIO, si_band=1, si_fd=3}");
}

TEST(SigInfo, Seccomp) {
  Si s(SIGSYS, 1);  // SYS_SECCOMP
  s.si.si_call_addr = reinterpret_cast<void*>(0x7f00000010);
  s.si.si_syscall = SYS_getpid;
  s.si.si_arch = 0xc000003e;
  EXPECT_EQ(s.text(),
            "{si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=0x7f00000010, "
            "si_syscall=__NR_getpid, si_arch=AUDIT_ARCH_X86_64}");
  Si i(SIGSYS, 1);
  i.si.si_syscall = 20;
  i.si.si_arch = 0x40000003;
  EXPECT_EQ(i.text(),
            "{si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=NULL, si_syscall=20, "
            "si_arch=AUDIT_ARCH_I386}");
}

TEST(SigInfo, UnknownCodesAndMissingInfo) {
  Si u(SIGUSR1, 99);
  EXPECT_EQ(u.text(), "{si_signo=SIGUSR1, si_code=0x63}");
  Si n(SIGUSR1, -99);
  EXPECT_EQ(n.text(), "{si_signo=SIGUSR1, si_code=0xffffff9d, si_pid=0, si_uid=0}");
  EXPECT_EQ(decode::si_code_text(SIGCHLD, CLD_CONTINUED), "CLD_CONTINUED");
  EXPECT_EQ(decode::si_code_text(SIGSEGV, 0), "SI_USER");  // the common codes come first
  // only the number known (the kernel passed no siginfo)
  EXPECT_EQ(decode::siginfo_text(decode::siginfo_fields(SIGTERM, {})), "{si_signo=SIGTERM}");
  // si_signo 0: strace prints {}
  Si z(0, 0);
  EXPECT_EQ(decode::siginfo_text(decode::siginfo_fields(SIGUSR1, z.bytes())), "{}");
  // a short buffer reads as zeros, never past its end
  Si c(SIGCHLD, CLD_EXITED);
  c.si.si_pid = 9;
  auto fields = decode::siginfo_fields(SIGCHLD, c.bytes().first(20));
  EXPECT_EQ(decode::siginfo_text(fields),
            "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=9, si_uid=0, si_status=0, "
            "si_utime=0, si_stime=0}");
}

TEST(SigInfo, SelectionBySet) {
  std::bitset<65> all;
  all.set();
  EXPECT_TRUE(decode::signal_line_shown(all, SIGCHLD));
  EXPECT_TRUE(decode::signal_line_shown(all, 64));
  EXPECT_FALSE(decode::signal_line_shown(all, SIGKILL));  // never intercepted
  EXPECT_TRUE(decode::signal_line_shown(all, 99));        // beyond the set: any selected
  std::bitset<65> some;
  some.set(SIGSEGV);
  EXPECT_TRUE(decode::signal_line_shown(some, SIGSEGV));
  EXPECT_FALSE(decode::signal_line_shown(some, SIGCHLD));
  EXPECT_TRUE(decode::signal_line_shown(some, -1));
  std::bitset<65> none;
  EXPECT_FALSE(decode::signal_line_shown(none, SIGSEGV));
  EXPECT_FALSE(decode::signal_line_shown(none, 99));
}

// ---- the lines

std::string capture(bool json, void (*f)(Output&)) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* mem = open_memstream(&buf, &len);
  {
    auto out = json ? make_json_output(mem, 0) : make_text_output(mem, 0);
    f(*out);
    out->flush();
  }
  fclose(mem);
  std::string s(buf, len);
  free(buf);
  return s;
}

SignalEvent chld() {
  SignalEvent ev;
  ev.tgid = 100;
  ev.tid = 101;
  ev.comm = "sh";
  ev.ts_ns = 5;
  ev.signo = SIGCHLD;
  ev.info_ok = true;
  Si s(SIGCHLD, CLD_EXITED);
  s.si.si_pid = 123;
  memcpy(ev.info.data(), &s.si, ev.info.size());
  return ev;
}

TEST(SignalLines, Text) {
  EXPECT_EQ(capture(false, [](Output& o) { o.signal(chld()); }),
            "--- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=123, si_uid=0, "
            "si_status=0, si_utime=0, si_stime=0} ---\n");
  EXPECT_EQ(capture(false,
                    [](Output& o) {
                      SignalEvent ev = chld();
                      ev.signo = SIGTERM;
                      ev.info_ok = false;
                      o.signal(ev);
                    }),
            "--- SIGTERM {si_signo=SIGTERM} ---\n");
  // with several threads seen, strace's "[pid N] " prefix
  EXPECT_EQ(capture(false,
                    [](Output& o) {
                      o.process_exit(200, "sh", 0, 1);
                      o.signal(chld());
                    }),
            "+++ exited with 0 +++\n"
            "[pid   101] --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=123, si_uid=0, "
            "si_status=0, si_utime=0, si_stime=0} ---\n");
}

TEST(SignalLines, Json) {
  auto j = nlohmann::json::parse(capture(true, [](Output& o) { o.signal(chld()); }));
  EXPECT_EQ(j["event"], "signal");
  EXPECT_EQ(j["ts_ns"], 5);
  EXPECT_EQ(j["pid"], 100);
  EXPECT_EQ(j["tid"], 101);
  EXPECT_EQ(j["comm"], "sh");
  EXPECT_EQ(j["signal"], "SIGCHLD");
  EXPECT_EQ(j["code"], "CLD_EXITED");
  EXPECT_EQ(j["info"]["si_pid"], 123);
  EXPECT_EQ(j["info"]["si_status"], 0);
  EXPECT_FALSE(j["info"].contains("si_signo"));
  auto k = nlohmann::json::parse(capture(true, [](Output& o) {
    SignalEvent ev = chld();
    ev.info_ok = false;
    o.signal(ev);
  }));
  EXPECT_TRUE(k["code"].is_null());
  EXPECT_TRUE(k["info"].empty());
}

TEST(SignalLines, ThreadAndProcessExits) {
  EXPECT_EQ(capture(false,
                    [](Output& o) {
                      o.thread_exit(100, 102, "t", 0, 1);
                      o.thread_exit(100, 103, "t", SIGSEGV | 0x80, 2);
                      o.process_exit(100, "t", 3 << 8, 3);
                      o.thread_gone(102);
                      o.thread_gone(103);
                      o.thread_gone(100);
                      o.process_exit(104, "t", 0, 4);  // alone again: no prefix, as strace
                    }),
            "+++ exited with 0 +++\n"  // the only thread seen so far
            "[pid   103] +++ killed by SIGSEGV (core dumped) +++\n"
            "[pid   100] +++ exited with 3 +++\n"
            "+++ exited with 0 +++\n");
  auto j = nlohmann::json::parse(
      capture(true, [](Output& o) { o.thread_exit(100, 102, "t", SIGTERM, 1); }));
  EXPECT_EQ(j["event"], "thread_exit");
  EXPECT_EQ(j["pid"], 100);
  EXPECT_EQ(j["tid"], 102);
  EXPECT_EQ(j["exit_signal"], "SIGTERM");
}

}  // namespace
}  // namespace sysgate
