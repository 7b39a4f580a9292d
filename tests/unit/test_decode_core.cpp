// SPDX-License-Identifier: Apache-2.0
// Values, escaping, flags, errno/signal names, results and the generic kinds.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "decode_test_util.hpp"
#include "sysgate/decode.hpp"

namespace sysgate {
namespace {

using decode::Value;
using testing::EventBuilder;
using testing::line;

std::string esc(std::string_view s) { return decode::escape(s); }

TEST(DecodeEscape, StraceRules) {
  EXPECT_EQ(esc("hello"), "hello");
  EXPECT_EQ(esc("a\tb\nc\vd\fe\rf"), "a\\tb\\nc\\vd\\fe\\rf");
  EXPECT_EQ(esc("say \"hi\" \\o/"), "say \\\"hi\\\" \\\\o/");
  EXPECT_EQ(esc(std::string_view("\177ELF\2\1\1\0\0", 9)), "\\177ELF\\2\\1\\1\\0\\0");
  // an octal digit after an escape forces three digits
  EXPECT_EQ(esc(std::string_view("\0"
                                 "1",
                                 2)),
            "\\0001");
  EXPECT_EQ(esc(std::string_view("\x1b"
                                 "7",
                                 2)),
            "\\0337");
  EXPECT_EQ(esc(std::string_view("\x1b"
                                 "8",
                                 2)),
            "\\338");
  EXPECT_EQ(esc(std::string_view("\x1b"
                                 "9",
                                 2)),
            "\\339");
  EXPECT_EQ(esc("\xff"), "\\377");
  EXPECT_EQ(esc("\x08"), "\\10");
}

TEST(DecodeValue, TextForms) {
  EXPECT_EQ(decode::to_text(Value::num(-5)), "-5");
  EXPECT_EQ(decode::to_text(Value::unum(~uint64_t{0})), "18446744073709551615");
  EXPECT_EQ(decode::to_text(Value::str("ab\n", false)), "\"ab\\n\"");
  EXPECT_EQ(decode::to_text(Value::str("abc", true)), "\"abc\"...");
  EXPECT_EQ(decode::to_text(Value::sym("O_RDONLY")), "O_RDONLY");
}

constexpr decode::FlagName kTable[] = {{0x1, "A"}, {0x6, "BC"}, {0x2, "B"}, {0x4, "C"}};

TEST(DecodeFlags, NamesThenLeftoverHex) {
  EXPECT_EQ(decode::flags_text(0, kTable), "0");
  EXPECT_EQ(decode::flags_text(0, kTable, "NONE"), "NONE");
  EXPECT_EQ(decode::flags_text(0x7, kTable), "A|BC");
  EXPECT_EQ(decode::flags_text(0x3, kTable), "A|B");
  EXPECT_EQ(decode::flags_text(0x40000001, kTable), "A|0x40000000");
  EXPECT_EQ(decode::flags_text(0x80, kTable), "0x80");
  EXPECT_EQ(decode::enum_text(2, kTable), "B");
  EXPECT_EQ(decode::enum_text(9, kTable), "9");
  EXPECT_EQ(decode::enum_text(255, kTable, true), "0xff");
  EXPECT_EQ(decode::hex_addr(0), "NULL");
  EXPECT_EQ(decode::hex_addr(0x7ffd1234), "0x7ffd1234");
}

TEST(DecodeNames, Errno) {
  EXPECT_EQ(decode::errno_name(2), "ENOENT");
  EXPECT_EQ(decode::errno_name(1), "EPERM");
  EXPECT_EQ(decode::errno_name(11), "EAGAIN");
  EXPECT_EQ(decode::errno_name(133), "EHWPOISON");
  EXPECT_EQ(decode::errno_name(512), "ERESTARTSYS");
  EXPECT_EQ(decode::errno_name(516), "ERESTART_RESTARTBLOCK");
  EXPECT_EQ(decode::errno_name(0), "");
  EXPECT_EQ(decode::errno_name(1234), "");
  EXPECT_EQ(decode::errno_desc(2), "No such file or directory");
  EXPECT_EQ(decode::errno_desc(512), "To be restarted if SA_RESTART is set");
}

TEST(DecodeNames, ErrnoByName) {
  EXPECT_EQ(decode::errno_by_name("EIO"), 5);
  EXPECT_EQ(decode::errno_by_name("ENOSPC"), 28);
  EXPECT_EQ(decode::errno_by_name("28"), 28);
  EXPECT_EQ(decode::errno_by_name("4095"), 4095);
  EXPECT_EQ(decode::errno_by_name("ERESTARTSYS"), 512);  // the kernel's own
  EXPECT_EQ(decode::errno_by_name("0"), -1);
  EXPECT_EQ(decode::errno_by_name("4096"), -1);
  EXPECT_EQ(decode::errno_by_name("99999999999999999999"), -1);
  EXPECT_EQ(decode::errno_by_name("eio"), -1);  // strace's names are upper case
  EXPECT_EQ(decode::errno_by_name(""), -1);
  EXPECT_EQ(decode::errno_by_name("EBOGUS"), -1);
}

// zap's report: the whole call as trace prints it, with or without its result
TEST(DecodeCallText, EntryExitInjected) {
  EventBuilder b("write");
  b.arg(0, 1).arg(1, 0x1000).buf_cap(1, "3\n").arg(2, 2);
  SyscallEvent entry = b.build();
  EXPECT_EQ(decode::call_text(entry), "write(1, \"3\\n\", 2)");
  SyscallEvent done = b.ret(2).build();
  EXPECT_EQ(decode::call_text(done), "write(1, \"3\\n\", 2) = 2");
  SyscallEvent failed = b.ret(-5).build();
  failed.injected = true;
  EXPECT_EQ(decode::call_text(failed),
            "write(1, \"3\\n\", 2) = -1 EIO (Input/output error) (INJECTED)");
}

TEST(DecodeNames, Signals) {
  EXPECT_EQ(decode::signal_name(15), "SIGTERM");
  EXPECT_EQ(decode::signal_name(31), "SIGSYS");
  EXPECT_EQ(decode::signal_name(32), "SIGRTMIN");
  EXPECT_EQ(decode::signal_name(34), "SIGRT_2");
  EXPECT_EQ(decode::signal_name(0), "");
  EXPECT_EQ(decode::signal_name(65), "");
  EXPECT_EQ(decode::signal_by_name("TERM"), 15);
  EXPECT_EQ(decode::signal_by_name("SIGTERM"), 15);
  EXPECT_EQ(decode::signal_by_name("sigkill"), 9);
  EXPECT_EQ(decode::signal_by_name("usr1"), 10);
  EXPECT_EQ(decode::signal_by_name("15"), 15);
  EXPECT_EQ(decode::signal_by_name("RTMIN"), 32);
  EXPECT_EQ(decode::signal_by_name("SIGRTMIN+2"), 34);
  EXPECT_EQ(decode::signal_by_name("RT_2"), 34);
  EXPECT_EQ(decode::signal_by_name("NOPE"), -1);
  EXPECT_EQ(decode::signal_by_name("99"), -1);
  EXPECT_EQ(decode::signal_by_name(""), -1);
}

TEST(DecodeRet, Forms) {
  EXPECT_EQ(decode::ret_text(EventBuilder("close").arg(0, 3).ret(0).build()), "0");
  EXPECT_EQ(decode::ret_text(EventBuilder("openat").ret(-2).build()),
            "-1 ENOENT (No such file or directory)");
  EXPECT_EQ(decode::ret_text(EventBuilder("read").build()), "?");  // not returned
  EXPECT_EQ(decode::ret_text(EventBuilder("exit_group").ret(0).build()), "?");
  EXPECT_EQ(decode::ret_text(EventBuilder("mmap").ret(0x7f0000001000).build()), "0x7f0000001000");
  EXPECT_EQ(decode::ret_text(EventBuilder("brk").ret(0).build()), "0");
  EXPECT_EQ(decode::ret_text(EventBuilder("read").ret(-1234).build()), "-1 E??? (errno 1234)");
  EXPECT_EQ(decode::ret_text(EventBuilder("read").ret(-512).build()),
            "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
  EXPECT_EQ(decode::ret_text(EventBuilder("read").ret(-4096).build()), "-4096");
  EXPECT_EQ(decode::ret_text(EventBuilder("lseek").ret(5000000000).build()), "5000000000");
}

TEST(DecodeArgs, HighBitJunkIsIgnored) {
  EXPECT_EQ(line(EventBuilder("close").arg(0, 0xdeadbeef00000003ull).ret(0).build()),
            "close(3) = 0");
  EXPECT_EQ(line(EventBuilder("close").arg(0, 0xffffffffull).ret(-9).build()),
            "close(-1) = -1 EBADF (Bad file descriptor)");
  EXPECT_EQ(line(EventBuilder("kill")
                     .arg(0, 0xdead00000000ffffull | 0xffffffffull)
                     .arg(1, 0xab0000000full)
                     .ret(0)
                     .build()),
            "kill(-1, SIGTERM) = 0");
  EXPECT_EQ(line(EventBuilder("umask").arg(0, 0x1200000012ull).ret(022).build()),
            "umask(022) = 18");
}

TEST(DecodeArgs, UnknownPrototypePrintsSixRawValues) {
  EXPECT_EQ(line(EventBuilder("afs_syscall").arg(0, 1).arg(1, 0x7f00).ret(-38).build()),
            "afs_syscall(0x1, 0x7f00, 0, 0, 0, 0) = -1 ENOSYS (Function not implemented)");
}

TEST(DecodeArgs, OpenatAsStrace) {
  EventBuilder b("openat");
  b.arg(0, 0xffffff9cull)
      .arg(1, 0x1000)
      .str_cap(1, "/etc/hostname")
      .arg(2, O_RDONLY | O_CLOEXEC)
      .arg(3, 0)
      .ret(3);
  EXPECT_EQ(line(b.build()), "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY|O_CLOEXEC) = 3");
  EventBuilder c("openat");
  c.arg(0, 5)
      .arg(1, 0x1000)
      .str_cap(1, "x")
      .arg(2, O_WRONLY | O_CREAT | O_TRUNC)
      .arg(3, 0644)
      .ret(-13);
  EXPECT_EQ(line(c.build()),
            "openat(5, \"x\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = -1 EACCES (Permission denied)");
}

TEST(DecodeArgs, PathNullFaultMissingTruncated) {
  EXPECT_EQ(line(EventBuilder("unlink").arg(0, 0).ret(-14).build()),
            "unlink(NULL) = -1 EFAULT (Bad address)");
  EXPECT_EQ(line(EventBuilder("unlink").arg(0, 0x1234).fault_cap(0, SG_CK_STR).ret(-14).build()),
            "unlink(0x1234) = -1 EFAULT (Bad address)");
  EXPECT_EQ(line(EventBuilder("unlink").arg(0, 0x1234).ret(0).build()), "unlink(0x1234) = 0");
  EXPECT_EQ(
      line(EventBuilder("unlink").arg(0, 0x1234).str_cap(0, "/tmp/a\nb", true).ret(0).build()),
      "unlink(\"/tmp/a\\nb\"...) = 0");
}

TEST(DecodeArgs, NumbersAndModes) {
  EXPECT_EQ(
      line(EventBuilder("lseek").arg(0, 3).arg(1, 5000000000ull).arg(2, 1).ret(5000000000).build()),
      "lseek(3, 5000000000, SEEK_CUR) = 5000000000");
  EXPECT_EQ(line(EventBuilder("chmod").arg(0, 0x10).str_cap(0, "f").arg(1, 04755).ret(0).build()),
            "chmod(\"f\", 04755) = 0");
  EXPECT_EQ(line(EventBuilder("mkdir").arg(0, 0x10).str_cap(0, "d").arg(1, 0).ret(0).build()),
            "mkdir(\"d\", 000) = 0");
  EXPECT_EQ(line(EventBuilder("mknod")
                     .arg(0, 0x10)
                     .str_cap(0, "n")
                     .arg(1, S_IFCHR | 0666)
                     .arg(2, (1u << 8) | 3u)
                     .ret(0)
                     .build()),
            "mknod(\"n\", S_IFCHR|0666, makedev(0x1, 0x3)) = 0");
  EXPECT_EQ(
      line(EventBuilder("fchown").arg(0, 3).arg(1, 0xffffffffull).arg(2, 1000).ret(0).build()),
      "fchown(3, -1, 1000) = 0");
  EXPECT_EQ(line(EventBuilder("brk").arg(0, 0).ret(0x5555000).build()), "brk(NULL) = 0x5555000");
  EXPECT_EQ(line(EventBuilder("set_tid_address").arg(0, 0x7f00).ret(42).build()),
            "set_tid_address(0x7f00) = 42");
}

TEST(DecodeArgs, WriteBufferPreview) {
  EXPECT_EQ(
      line(
          EventBuilder("write").arg(0, 1).arg(1, 0x10).buf_cap(1, "hi\n").arg(2, 3).ret(3).build()),
      "write(1, \"hi\\n\", 3) = 3");
  // more was written than captured
  EXPECT_EQ(line(EventBuilder("write")
                     .arg(0, 1)
                     .arg(1, 0x10)
                     .buf_cap(1, "abc", false, 100, SG_CF_TRUNC)
                     .arg(2, 100)
                     .ret(100)
                     .build()),
            "write(1, \"abc\"..., 100) = 100");
  // capture larger than the string limit is cut at it
  decode::set_string_limit(4);
  EXPECT_EQ(line(EventBuilder("write")
                     .arg(0, 1)
                     .arg(1, 0x10)
                     .buf_cap(1, "abcdefgh")
                     .arg(2, 8)
                     .ret(8)
                     .build()),
            "write(1, \"abcd\"..., 8) = 8");
  decode::set_string_limit(32);
  EXPECT_EQ(decode::string_limit(), 32u);
  EXPECT_EQ(
      line(EventBuilder("write").arg(0, 1).arg(1, 0x10).fault_cap(1).arg(2, 8).ret(-14).build()),
      "write(1, 0x10, 8) = -1 EFAULT (Bad address)");
}

TEST(DecodeArgs, GetcwdDropsTheNul) {
  EXPECT_EQ(line(EventBuilder("getcwd")
                     .arg(0, 0x10)
                     .arg(1, 4096)
                     .buf_cap(0, std::string_view("/tmp\0", 5), true)
                     .ret(5)
                     .build()),
            "getcwd(\"/tmp\", 4096) = 5");
}

TEST(DecodeArgs, ReadBufferAtExit) {
  EXPECT_EQ(line(EventBuilder("read")
                     .arg(0, 3)
                     .arg(1, 0x10)
                     .arg(2, 4096)
                     .buf_cap(1, std::string_view("\177ELF\2", 5), true)
                     .ret(5)
                     .build()),
            "read(3, \"\\177ELF\\2\", 4096) = 5");
  EXPECT_EQ(line(EventBuilder("read")
                     .arg(0, 3)
                     .arg(1, 0x10)
                     .arg(2, 4096)
                     .buf_cap(1, "", true)
                     .ret(0)
                     .build()),
            "read(3, \"\", 4096) = 0");
  EXPECT_EQ(line(EventBuilder("read").arg(0, 3).arg(1, 0x10).arg(2, 4096).ret(-11).build()),
            "read(3, 0x10, 4096) = -1 EAGAIN (Resource temporarily unavailable)");
  EXPECT_EQ(line(EventBuilder("read").arg(0, 3).arg(1, 0x10).arg(2, 4096).build()),
            "read(3, 0x10, 4096) = ?");
  EXPECT_EQ(line(EventBuilder("read")
                     .arg(0, 3)
                     .arg(1, 0x10)
                     .arg(2, 4096)
                     .buf_cap(1, "0123456789", true, 10)
                     .ret(500)
                     .build()),
            "read(3, \"0123456789\"..., 4096) = 500");
}

std::string iov_array(std::initializer_list<std::pair<uint64_t, uint64_t>> v) {
  std::string s;
  for (auto [base, len] : v) {
    s.append(reinterpret_cast<const char*>(&base), 8);
    s.append(reinterpret_cast<const char*>(&len), 8);
  }
  return s;
}

TEST(DecodeArgs, Iovecs) {
  EventBuilder w("writev");
  w.arg(0, 1)
      .arg(1, 0x100)
      .arg(2, 2)
      .cap(1, SG_CK_IOV, iov_array({{0x1000, 3}, {0x2000, 1}}), 2)
      .elem_cap(1, SG_CK_BUF, "abc", 3)
      .elem_cap(1, SG_CK_BUF, "d", 1)
      .ret(4);
  EXPECT_EQ(line(w.build()),
            "writev(1, [{iov_base=\"abc\", iov_len=3}, {iov_base=\"d\", iov_len=1}], 2) = 4");

  // readv: data bounded by the return value, a faulted element prints its address
  EventBuilder r("readv");
  r.arg(0, 3)
      .arg(1, 0x100)
      .arg(2, 3)
      .cap(1, SG_CK_IOV, iov_array({{0x1000, 4}, {0x2000, 10}, {0x3000, 5}}), 3, 0, true)
      .elem_cap(1, SG_CK_BUF, "wxyz", 4, true)
      .elem_cap(1, SG_CK_BUF, "12", 10, true)
      .elem_cap(1, SG_CK_BUF, "", 5, true, SG_CF_FAULT)
      .ret(6);
  EXPECT_EQ(line(r.build()),
            "readv(3, [{iov_base=\"wxyz\", iov_len=4}, {iov_base=\"12\", iov_len=10}, "
            "{iov_base=0x3000, iov_len=5}], 3) = 6");

  // more entries than captured
  EventBuilder m("writev");
  m.arg(0, 1)
      .arg(1, 0x100)
      .arg(2, 20)
      .cap(1, SG_CK_IOV, iov_array({{0x1000, 1}}), 20)
      .elem_cap(1, SG_CK_BUF, "a", 1)
      .ret(20);
  EXPECT_EQ(line(m.build()), "writev(1, [{iov_base=\"a\", iov_len=1}, ...], 20) = 20");
  EXPECT_EQ(line(EventBuilder("readv").arg(0, 3).arg(1, 0x100).arg(2, 1).ret(-9).build()),
            "readv(3, 0x100, 1) = -1 EBADF (Bad file descriptor)");

  EventBuilder pv("process_vm_readv");
  pv.arg(0, 77)
      .arg(1, 0)
      .arg(2, 0)
      .arg(3, 0x500)
      .arg(4, 1)
      .arg(5, 0)
      .buf_cap(3, iov_array({{0x7f0000, 16}}))
      .ret(-14);
  EXPECT_EQ(line(pv.build()),
            "process_vm_readv(77, NULL, 0, [{iov_base=0x7f0000, iov_len=16}], 1, 0) = -1 EFAULT "
            "(Bad address)");
}

TEST(DecodeArgs, ExecveArgvEnvp) {
  EventBuilder b("execve");
  b.arg(0, 0x10)
      .str_cap(0, "/bin/ls")
      .arg(1, 0x20)
      .arg(2, 0x7ffc0000)
      .cap(1, SG_CK_STRARR, "", 2)
      .elem_cap(1, SG_CK_STR, "ls", 2)
      .elem_cap(1, SG_CK_STR, "-l", 2)
      .cap(2, SG_CK_PTRARR, "", 23)
      .ret(0);
  EXPECT_EQ(line(b.build()), "execve(\"/bin/ls\", [\"ls\", \"-l\"], 0x7ffc0000 /* 23 vars */) = 0");
  EventBuilder t("execve");
  t.arg(0, 0x10)
      .str_cap(0, "/bin/echo")
      .arg(1, 0x20)
      .arg(2, 0)
      .cap(1, SG_CK_STRARR, "", 1, SG_CF_TRUNC)
      .elem_cap(1, SG_CK_STR, "echo", 4);
  EXPECT_EQ(line(t.build()), "execve(\"/bin/echo\", [\"echo\", ...], NULL) = ?");
}

TEST(DecodeArgs, NoExceptionsForGarbage) {
  // every syscall with random args and no captures decodes without throwing
  for (const auto& s : syscall_table()) {
    if (s.nr < 0) continue;
    SyscallEvent ev;
    ev.nr = s.nr;
    ev.has_enter = ev.has_exit = true;
    for (int i = 0; i < 6; ++i) ev.args[i] = 0xdeadbeef12345678ull * (i + 1);
    ev.ret = 7;
    EXPECT_NO_THROW({
      auto args = decode::decode_args(ev);
      for (auto& a : args) (void)decode::to_text(a);
      (void)decode::ret_text(ev);
    }) << s.name;
  }
}

TEST(DecodeArgs, NoExceptionsForRandomCaptures) {
  // captures of every kind and size the decoders may not expect
  uint64_t seed = 42;
  auto rnd = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 33;
  };
  for (const auto& s : syscall_table()) {
    if (s.nr < 0) continue;
    for (int round = 0; round < 4; ++round) {
      EventBuilder b(s.name);
      for (int i = 0; i < 6; ++i) {
        b.arg(i, rnd() % 3 == 0 ? rnd() : rnd() << 20);
        for (bool at_exit : {false, true}) {
          std::string bytes(rnd() % 300, '\0');
          for (auto& ch : bytes) ch = static_cast<char>(rnd());
          const auto kind = static_cast<uint8_t>(1 + rnd() % 7);
          b.cap(i, kind, bytes, rnd() % 2 ? rnd() : bytes.size(), static_cast<uint8_t>(rnd() % 4),
                at_exit);
          if (rnd() % 2) b.elem_cap(i, SG_CK_BUF, bytes.substr(0, rnd() % 40), rnd(), at_exit);
        }
      }
      b.ret(round == 0 ? -1 * static_cast<int64_t>(rnd() % 600)
                       : static_cast<int64_t>(rnd() % 100000));
      SyscallEvent ev = b.build();
      EXPECT_NO_THROW({
        for (auto& a : decode::decode_args(ev)) (void)decode::to_text(a);
        (void)decode::ret_text(ev);
      }) << s.name;
    }
  }
}

TEST(DecodeRegistry, KnowsItsKinds) {
  for (const char* k : {"int",
                        "uint",
                        "hex",
                        "ptr",
                        "fd",
                        "dirfd",
                        "pid",
                        "path",
                        "str",
                        "mode",
                        "mode_type",
                        "dev",
                        "bufin",
                        "bufout",
                        "iovin",
                        "iovout",
                        "iovaddr",
                        "argv",
                        "envp",
                        "in",
                        "out",
                        "inout",
                        "oflags",
                        "atflags",
                        "access_mode",
                        "whence",
                        "fcntl_cmd",
                        "rename_flags",
                        "close_range_flags",
                        "dirents",
                        "mmap_prot",
                        "mmap_flags",
                        "mremap_flags",
                        "madvise",
                        "clone_flags",
                        "wait_options",
                        "idtype",
                        "rlimit_resource",
                        "signum",
                        "sighow",
                        "fdset",
                        "pollfds",
                        "epoll_op",
                        "epoll_create_flags",
                        "epoll_events_out"})
    EXPECT_NE(decode::decoder_for_kind(k), nullptr) << k;
  for (const char* t : {"stat", "statx", "open_how", "loff", "int", "int2", "wstatus", "rlimit",
                        "clone_args", "sigset", "sigaction", "epoll_event", "timespec", "timeval"})
    EXPECT_NE(decode::decoder_for_struct(t), nullptr) << t;
  EXPECT_EQ(decode::decoder_for_kind("nonsense"), nullptr);
  EXPECT_EQ(decode::decoder_for_struct("nonsense"), nullptr);
  EXPECT_GE(decode::known_kinds().size(), 45u);
  EXPECT_GE(decode::known_structs().size(), 14u);
}

}  // namespace
}  // namespace sysgate
