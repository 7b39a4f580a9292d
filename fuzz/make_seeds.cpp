// SPDX-License-Identifier: Apache-2.0
// Writes the seed corpora of the fuzz targets:
//   DIR/records/NAME  inputs of fuzz_records: realistic ABI records as the kernel side
//                     writes them (entry/exit pairs with captures, task exits, zap and
//                     probe records), plus a few broken ones
//   DIR/options/NAME  inputs of fuzz_options: option values as people type them
//
//   build-fuzz/fuzz/fuzz_make_seeds fuzz/corpus
//
// The input format of fuzz_records (fuzz/fuzz_records.cpp): one configuration byte,
// then per record a 2-byte little-endian length and the record.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/capture.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

using namespace std::literals;

namespace {

int nr(const char* name) {
  const sysgate::SyscallInfo* s = sysgate::syscall_by_name(name);
  if (!s) {
    fprintf(stderr, "make_seeds: unknown syscall %s\n", name);
    exit(1);
  }
  return s->nr;
}

template <class T>
std::string bytes_of(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

// One record: a fixed part (sg_enter, sg_exit ...) then captures, padded to 8.
class Rec {
 public:
  template <class T>
  explicit Rec(const T& fixed) : fixed_size_(sizeof(T)) {
    data_ = bytes_of(fixed);
  }
  Rec& cap(int arg, uint8_t kind, std::string_view data, uint64_t size, uint8_t flags = 0) {
    sg_cap h{};
    h.arg = static_cast<uint8_t>(arg);
    h.kind = kind;
    h.flags = flags;
    h.len = static_cast<uint32_t>(data.size());
    h.size = size;
    caps_ += bytes_of(h);
    caps_ += data;
    caps_.resize((caps_.size() + 7) & ~size_t{7}, '\0');
    ++ncap_;
    return *this;
  }
  Rec& str(int arg, std::string_view s, uint8_t flags = 0) {
    return cap(arg, SG_CK_STR, s, s.size(), flags);
  }
  Rec& buf(int arg, std::string_view b, uint64_t wanted, uint8_t flags = 0) {
    return cap(arg, SG_CK_BUF, b, wanted, flags);
  }
  // The record as the kernel side hands it over: size and ncap filled in.
  std::string bytes() const {
    std::string out = data_ + caps_;
    const uint16_t size = static_cast<uint16_t>(out.size());
    memcpy(&out[offsetof(sg_hdr, size)], &size, sizeof size);
    const uint16_t ncap = static_cast<uint16_t>(ncap_);
    if (fixed_size_ == sizeof(sg_enter))
      memcpy(&out[offsetof(sg_enter, ncap)], &ncap, sizeof ncap);
    else if (fixed_size_ == sizeof(sg_exit))
      memcpy(&out[offsetof(sg_exit, ncap)], &ncap, sizeof ncap);
    return out;
  }

 private:
  size_t fixed_size_;
  std::string data_, caps_;
  unsigned ncap_ = 0;
};
static_assert(sizeof(sg_enter) != sizeof(sg_exit), "Rec tells them apart by size");

struct Proc {
  uint32_t tgid = 4242, tid = 4242;
  const char* comm = "cat";
};

sg_hdr hdr(uint16_t type, const Proc& p, int nr, uint64_t ts) {
  sg_hdr h{};
  h.type = type;
  h.tgid = p.tgid;
  h.tid = p.tid;
  h.nr = nr;
  h.ts_ns = ts;
  strncpy(h.comm, p.comm, sizeof h.comm);
  return h;
}

Rec enter(const Proc& p, const char* name, uint64_t ts, std::initializer_list<uint64_t> args) {
  sg_enter e{};
  e.hdr = hdr(SG_EV_ENTER, p, nr(name), ts);
  int i = 0;
  for (uint64_t a : args) e.args[i++] = a;
  e.seq = static_cast<uint32_t>(ts / 1000);
  return Rec(e);
}

Rec exit_of(const Proc& p, const char* name, uint64_t ts, int64_t ret, uint64_t enter_ts) {
  sg_exit x{};
  x.hdr = hdr(SG_EV_EXIT, p, nr(name), ts);
  x.ret = ret;
  x.enter_ts_ns = enter_ts;
  return Rec(x);
}

Rec task_exit(const Proc& p, uint64_t ts, int code, bool group_dead, uint32_t matched = 0,
              uint32_t done = 0) {
  sg_task_exit t{};
  t.hdr = hdr(SG_EV_TASK_EXIT, p, -1, ts);
  t.exit_code = code;
  t.group_dead = group_dead;
  t.zap_matched = matched;
  t.zap_done = done;
  return Rec(t);
}

// A seed: the configuration byte and its records.
class Seed {
 public:
  explicit Seed(uint8_t cfg = 0) { data_ += static_cast<char>(cfg); }
  Seed& add(const Rec& r) { return raw(r.bytes()); }
  Seed& raw(std::string_view rec) {
    const uint16_t len = static_cast<uint16_t>(rec.size());
    data_ += static_cast<char>(len & 0xff);
    data_ += static_cast<char>(len >> 8);
    data_ += rec;
    return *this;
  }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

constexpr uint64_t T0 = 1000000000;  // 1 s after boot
constexpr uint64_t kAddr = 0x7ffd4a1c2000;
constexpr int kAtFdcwd = -100;

uint64_t neg(int64_t v) { return static_cast<uint64_t>(v); }

std::vector<std::pair<std::string, Seed>> record_seeds() {
  std::vector<std::pair<std::string, Seed>> out;
  auto add = [&](const char* name, Seed s) { out.emplace_back(name, std::move(s)); };
  Proc cat;
  const uint64_t t = T0;

  add("openat_ok", Seed()
                       .add(enter(cat, "openat", t, {neg(kAtFdcwd), kAddr, O_RDONLY | O_CLOEXEC, 0})
                                .str(1, "/etc/hostname"))
                       .add(exit_of(cat, "openat", t + 12000, 3, t)));
  add("openat_enoent",
      Seed()
          .add(enter(cat, "openat", t, {neg(kAtFdcwd), kAddr, O_RDONLY, 0}).str(1, "/nonexistent"))
          .add(exit_of(cat, "openat", t + 6000, -ENOENT, t)));
  add("openat_creat_utf8",
      Seed()
          .add(enter(cat, "openat", t, {3, kAddr, O_WRONLY | O_CREAT | O_TRUNC | 0x40000000, 0644})
                   .str(1, "caf\xc3\xa9/\xe2\x82\xac \xf0\x9f\x98\x80\n\t\x01"))
          .add(exit_of(cat, "openat", t + 9000, 4, t)));
  add("openat_invalid_utf8",
      Seed()
          .add(enter(cat, "openat", t, {neg(kAtFdcwd), kAddr, 0, 0})
                   .str(1, "\xff\xfe\xc3(\xe2\x82 \xed\xa0\x80\xf4\x90\x80\x80"))
          .add(exit_of(cat, "openat", t + 1000, -EACCES, t)));
  // path unreadable at entry (not paged in), read again at exit
  add("openat_retried_path",
      Seed()
          .add(enter(cat, "openat", t, {neg(kAtFdcwd), kAddr, O_RDONLY, 0}).str(1, "", SG_CF_FAULT))
          .add(exit_of(cat, "openat", t + 4000, 5, t)
                   .str(1, "/usr/lib/locale/locale-archive", SG_CF_EXIT)));
  add("openat_truncated_path", Seed()
                                   .add(enter(cat, "openat", t, {neg(kAtFdcwd), kAddr, O_RDONLY, 0})
                                            .str(1, std::string(200, 'a'), SG_CF_TRUNC))
                                   .add(exit_of(cat, "openat", t + 4000, -ENAMETOOLONG, t)));
  add("read_ok", Seed()
                     .add(enter(cat, "read", t, {3, kAddr, 131072}))
                     .add(exit_of(cat, "read", t + 3000, 6, t).buf(1, "myhost\n", 6, SG_CF_EXIT)));
  add("read_long",
      Seed(0x01)  // -s 0
          .add(enter(cat, "read", t, {3, kAddr, 4096}))
          .add(exit_of(cat, "read", t + 3000, 100, t)
                   .buf(1, std::string(32, 'x') + std::string("\x00\x01\x7f\x80\xff"sv), 100,
                        SG_CF_EXIT | SG_CF_TRUNC)));
  add("read_eagain", Seed()
                         .add(enter(cat, "read", t, {0, kAddr, 1024}))
                         .add(exit_of(cat, "read", t + 500, -EAGAIN, t)));
  add("write_ok", Seed()
                      .add(enter(cat, "write", t, {1, kAddr, 12}).buf(1, "hello world\n", 12))
                      .add(exit_of(cat, "write", t + 2000, 12, t)));
  add("write_binary",
      Seed(0x03)  // -s 4096
          .add(enter(cat, "write", t, {2, kAddr, 300})
                   .buf(1, "\x1b[31mred\x1b[0m \"q\" \\ \r\n\xc3\xa9\xff", 300, SG_CF_TRUNC))
          .add(exit_of(cat, "write", t + 2000, -EPIPE, t)));
  add("write_fault", Seed()
                         .add(enter(cat, "write", t, {1, 0xdead, 5}).buf(1, "", 5, SG_CF_FAULT))
                         .add(exit_of(cat, "write", t + 2000, -EFAULT, t)));
  {
    Proc sh{4300, 4300, "sh"};
    Rec e = enter(sh, "execve", t, {kAddr, kAddr + 0x100, kAddr + 0x200});
    e.str(0, "/usr/bin/ls")
        .cap(1, SG_CK_STRARR, "", 3)
        .str(1, "ls", SG_CF_ELEM)
        .str(1, "-l", SG_CF_ELEM)
        .str(1, "/tmp/dir with space", SG_CF_ELEM)
        .cap(2, SG_CK_PTRARR, "", 23);
    Proc ls{4300, 4300, "ls"};
    add("execve_ok", Seed().add(e).add(exit_of(ls, "execve", t + 400000, 0, t)));
  }
  {
    Proc sh{4301, 4301, "sh"};
    Rec e = enter(sh, "execve", t, {kAddr, kAddr + 0x100, 0});
    e.str(0, "/nonexistent/prog").cap(1, SG_CK_STRARR, "", 40, SG_CF_TRUNC);
    for (int i = 0; i < 4; ++i) e.str(1, "arg" + std::to_string(i), SG_CF_ELEM);
    e.str(1, "", SG_CF_ELEM | SG_CF_FAULT);
    add("execve_enoent_truncated_argv",
        Seed().add(e).add(exit_of(sh, "execve", t + 9000, -ENOENT, t)));
  }
  add("exit_group",
      Seed().add(enter(cat, "exit_group", t, {0})).add(task_exit(cat, t + 50000, 0, true)));
  add("exit_status_3", Seed(0x08)
                           .add(enter(cat, "exit_group", t, {3}))
                           .add(task_exit(cat, t + 50000, 3 << 8, true)));
  add("killed_sigkill", Seed().add(task_exit(cat, t, SIGKILL, true)));
  add("killed_sigsegv_core", Seed().add(task_exit(cat, t, SIGSEGV | 0x80, true)));
  add("killed_rt_signal", Seed().add(task_exit(cat, t, 40, true)));
  {
    Proc th{4242, 4243, "worker"};
    add("thread_exit_then_process",
        Seed()
            .add(enter(th, "futex", t, {kAddr, 0x80 /*FUTEX_PRIVATE_FLAG|WAIT*/, 1, 0, 0, 0}))
            .add(task_exit(th, t + 1000, 0, false))
            .add(task_exit(cat, t + 2000, 0, true)));
  }
  // zap: the Nth call, the signal sent in the kernel, delivered, exit, last thread gone
  {
    Proc db{100, 100, "mydb"};
    sg_zap z{};
    z.hdr = hdr(SG_EV_ZAP, db, nr("fsync"), t);
    z.args[0] = 7;
    z.signal_ts_ns = t + 2000;
    z.signal = SIGKILL;
    z.nth = 37;
    sg_sig_deliver d{};
    d.hdr = hdr(SG_EV_SIG_DELIVER, db, -1, t + 5000);
    d.signal = SIGKILL;
    sg_hdr xs = hdr(SG_EV_EXIT_START, db, -1, t + 6000);
    xs.size = sizeof xs;
    add("zap_kill_sequence", Seed()
                                 .add(enter(db, "fsync", t, {7}))
                                 .add(Rec(z))
                                 .add(Rec(d))
                                 .raw(bytes_of(xs))
                                 .add(task_exit(db, t + 90000, SIGKILL, true, 37, 1)));
    sg_zap z2 = z;
    z2.signal = SIGTERM;
    z2.send_ret = -ESRCH;
    z2.nth = 1;
    sg_sig_deliver d2 = d;
    d2.signal = SIGTERM;
    d2.handler = 0x55d0c0de1234;  // caught: the handler runs, then exit_group
    add("zap_term_handler", Seed(0x18)
                                .add(Rec(z2))
                                .add(Rec(d2))
                                .add(enter(db, "exit_group", t + 8000, {0}))
                                .raw(bytes_of(xs))
                                .add(task_exit(db, t + 9000, 0, true, 1, 1)));
    add("zap_unfinished", Seed(0x20).add(Rec(z)));
    add("zap_missed", Seed(0x40).add(task_exit(db, t, 0, true, 3, 0)));
    Proc other{4242, 4242, "watched"};
    add("zap_missed_watched", Seed().add(task_exit(other, t, 2 << 8, true, 0, 0)));
    sg_zap z3 = z;
    z3.signal = 64;
    z3.signal_ts_ns = 0;  // sent from user space
    z3.hdr.comm[0] = '\n';
    add("zap_rt_signal_odd_comm",
        Seed(0x08).add(Rec(z3)).add(task_exit(db, t + 1, SIGKILL, true, 1, 1)));
  }
  {
    sg_probe_hit p{};
    p.hdr = hdr(SG_EV_PROBE, cat, -1, t);
    p.probe_id = 2;
    p.ip = 0xffffffff81234560;
    for (int i = 0; i < 6; ++i) p.regs[i] = 0x1111111111111111ull * (i + 1);
    add("probe_hit", Seed().add(Rec(p)));
  }
  add("exit_without_entry", Seed().add(exit_of(cat, "read", t + 100, 7, t)));
  add("exit_mismatched",
      Seed().add(enter(cat, "read", t, {3, kAddr, 10})).add(exit_of(cat, "write", t + 100, 5, 0)));
  add("unfinished_blocked",
      Seed(0x04)
          .add(enter(cat, "read", t, {0, kAddr, 1024}))
          .add(enter(Proc{4242, 4244, "cat"}, "nanosleep", t + 900000000, {kAddr, 0})
                   .buf(0, bytes_of(timespec{1, 500}), 16))
          .add(exit_of(cat, "read", t + 1000000000, 4, t).buf(1, "abc\n", 4, SG_CF_EXIT)));
  add("in_flight_at_finish", Seed().add(enter(cat, "wait4", t, {neg(-1), kAddr, 0, 0})));
  {
    std::string iov;
    struct {
      uint64_t base, len;
    } v[3] = {{kAddr, 5}, {kAddr + 64, 1}, {kAddr + 128, 40}};
    iov.assign(reinterpret_cast<const char*>(v), sizeof v);
    add("writev", Seed()
                      .add(enter(cat, "writev", t, {1, kAddr + 512, 3})
                               .cap(1, SG_CK_IOV, iov, 3)
                               .buf(1, "hello", 5, SG_CF_ELEM)
                               .buf(1, "\n", 1, SG_CF_ELEM)
                               .buf(1, std::string(32, 'z'), 40, SG_CF_ELEM | SG_CF_TRUNC))
                      .add(exit_of(cat, "writev", t + 3000, 46, t)));
    add("readv", Seed()
                     .add(enter(cat, "readv", t, {0, kAddr + 512, 3}))
                     .add(exit_of(cat, "readv", t + 3000, 6, t)
                              .cap(1, SG_CK_IOV, iov, 3, SG_CF_EXIT)
                              .buf(1, "hello", 5, SG_CF_ELEM | SG_CF_EXIT)
                              .buf(1, "!", 1, SG_CF_ELEM | SG_CF_EXIT)));
  }
  {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(443);
    inet_pton(AF_INET, "93.184.216.34", &in.sin_addr);
    Proc curl{5000, 5000, "curl"};
    add("connect_inet",
        Seed()
            .add(enter(curl, "connect", t, {5, kAddr, sizeof in}).buf(1, bytes_of(in), sizeof in))
            .add(exit_of(curl, "connect", t + 3000, -EINPROGRESS, t)));
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(53);
    inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
    in6.sin6_scope_id = 2;
    add("connect_inet6",
        Seed()
            .add(
                enter(curl, "connect", t, {6, kAddr, sizeof in6}).buf(1, bytes_of(in6), sizeof in6))
            .add(exit_of(curl, "connect", t + 3000, 0, t)));
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    strcpy(un.sun_path, "/run/systemd/journal/socket");
    const size_t ulen = offsetof(sockaddr_un, sun_path) + strlen(un.sun_path) + 1;
    add("connect_unix", Seed()
                            .add(enter(curl, "connect", t, {7, kAddr, ulen})
                                     .buf(1, std::string(reinterpret_cast<char*>(&un), ulen), ulen))
                            .add(exit_of(curl, "connect", t + 3000, -ECONNREFUSED, t)));
    sockaddr_un abs{};
    abs.sun_family = AF_UNIX;
    memcpy(abs.sun_path, "\0@dbus\n\xff", 8);
    add("bind_unix_abstract",
        Seed()
            .add(enter(curl, "bind", t, {7, kAddr, 10})
                     .buf(1, std::string(reinterpret_cast<char*>(&abs), 10), 10))
            .add(exit_of(curl, "bind", t + 3000, 0, t)));
    // accept4: the address and its length at exit, the length also at entry
    const int32_t l0 = 128, l1 = sizeof in;
    add("accept4", Seed()
                       .add(enter(curl, "accept4", t, {3, kAddr, kAddr + 256, SOCK_CLOEXEC})
                                .cap(2, SG_CK_SOCKLEN, bytes_of(l0), 4))
                       .add(exit_of(curl, "accept4", t + 5000, 8, t)
                                .buf(1, bytes_of(in), l1, SG_CF_EXIT)
                                .cap(2, SG_CK_SOCKLEN, bytes_of(l1), 4, SG_CF_EXIT)));
    // sendmsg / recvmsg: msghdr, then name, the iovec array and each iovec's data
    struct {
      uint64_t name;
      int32_t namelen, pad;
      uint64_t iov, iovlen, control, controllen;
      uint32_t flags, pad2;
    } m{kAddr + 1024, sizeof in, 0, kAddr + 2048, 2, 0, 0, 0, 0};
    struct {
      uint64_t base, len;
    } v[2] = {{kAddr + 4096, 4}, {kAddr + 8192, 3}};
    const std::string iov(reinterpret_cast<const char*>(v), sizeof v);
    add("sendmsg", Seed()
                       .add(enter(curl, "sendmsg", t, {4, kAddr, MSG_NOSIGNAL})
                                .cap(1, SG_CK_MSGHDR, bytes_of(m), 2)
                                .buf(1, bytes_of(in), sizeof in, SG_CF_ELEM)
                                .cap(1, SG_CK_IOV, iov, 2, SG_CF_ELEM)
                                .buf(1, "ping", 4, SG_CF_ELEM)
                                .buf(1, "\x00\x01\x02"sv, 3, SG_CF_ELEM))
                       .add(exit_of(curl, "sendmsg", t + 5000, 7, t)));
    m.controllen = 24;
    m.control = kAddr + 77;
    m.flags = MSG_TRUNC;
    add("recvmsg", Seed()
                       .add(enter(curl, "recvmsg", t, {4, kAddr, 0}))
                       .add(exit_of(curl, "recvmsg", t + 5000, 5, t)
                                .cap(1, SG_CK_MSGHDR, bytes_of(m), 2, SG_CF_EXIT)
                                .buf(1, bytes_of(in6), sizeof in6, SG_CF_ELEM | SG_CF_EXIT)
                                .cap(1, SG_CK_IOV, iov, 2, SG_CF_ELEM | SG_CF_EXIT)
                                .buf(1, "pong", 4, SG_CF_ELEM | SG_CF_EXIT)
                                .buf(1, "!", 1, SG_CF_ELEM | SG_CF_EXIT)));
    add("sendto", Seed()
                      .add(enter(curl, "sendto", t, {4, kAddr, 5, 0, kAddr + 64, sizeof in})
                               .buf(1, "query", 5)
                               .buf(4, bytes_of(in), sizeof in))
                      .add(exit_of(curl, "sendto", t + 5000, 5, t)));
  }
  {
    struct stat st {};
    if (stat("/", &st) != 0) memset(&st, 0x5a, sizeof st);
    add("fstat",
        Seed()
            .add(enter(cat, "fstat", t, {3, kAddr}))
            .add(
                exit_of(cat, "fstat", t + 1000, 0, t).buf(1, bytes_of(st), sizeof st, SG_CF_EXIT)));
    add("newfstatat",
        Seed()
            .add(enter(cat, "newfstatat", t, {neg(kAtFdcwd), kAddr, kAddr + 256, 0x100})
                     .str(1, "/etc/passwd"))
            .add(exit_of(cat, "newfstatat", t + 1000, 0, t)
                     .buf(2, bytes_of(st), sizeof st, SG_CF_EXIT)));
  }
  {
    pollfd p[2] = {{0, POLLIN, 0}, {5, POLLOUT | POLLPRI, 0}};
    pollfd q[2] = {{0, POLLIN, POLLIN | POLLHUP}, {5, POLLOUT | POLLPRI, 0}};
    add("poll", Seed()
                    .add(enter(cat, "poll", t, {kAddr, 2, 1000})
                             .buf(0, std::string((char*)p, sizeof p), sizeof p))
                    .add(exit_of(cat, "poll", t + 1000, 1, t)
                             .buf(0, std::string((char*)q, sizeof q), sizeof q, SG_CF_EXIT)));
    uint64_t in_set = (1u << 0) | (1u << 5), out_set = 1u << 5;
    add("select", Seed()
                      .add(enter(cat, "select", t, {6, kAddr, kAddr + 8, 0, 0})
                               .buf(1, bytes_of(in_set), 8)
                               .buf(2, bytes_of(in_set), 8))
                      .add(exit_of(cat, "select", t + 1000, 1, t)
                               .buf(1, bytes_of(out_set), 8, SG_CF_EXIT)
                               .buf(2, bytes_of(out_set), 8, SG_CF_EXIT)));
  }
  {
    // linux_dirent64: ino, off, reclen, type, name
    std::string d;
    auto dirent = [&](uint64_t ino, const char* name, uint8_t type) {
      std::string e(19, '\0');
      memcpy(&e[0], &ino, 8);
      const uint64_t off = d.size() + 1;
      memcpy(&e[8], &off, 8);
      e += name;
      e += '\0';
      e.resize((e.size() + 7) & ~size_t{7}, '\0');
      const uint16_t reclen = static_cast<uint16_t>(e.size());
      memcpy(&e[16], &reclen, 2);
      e[18] = static_cast<char>(type);
      d += e;
    };
    dirent(2, ".", 4);
    dirent(1, "..", 4);
    dirent(131, "hostname", 8);
    dirent(132, "caf\xc3\xa9\n", 8);
    add("getdents64",
        Seed()
            .add(enter(cat, "getdents64", t, {3, kAddr, 32768}))
            .add(exit_of(cat, "getdents64", t + 1000, static_cast<int64_t>(d.size()), t)
                     .buf(1, d, d.size(), SG_CF_EXIT)));
  }
  {
    struct __attribute__((packed)) {
      uint32_t events;
      uint64_t data;
    } ev[2] = {{1 /*EPOLLIN*/, 7}, {4 | 0x10, 0xfeed}};
    add("epoll_wait",
        Seed()
            .add(enter(cat, "epoll_wait", t, {4, kAddr, 16, neg(-1)}))
            .add(exit_of(cat, "epoll_wait", t + 1000, 2, t)
                     .buf(1, std::string((char*)ev, sizeof ev), sizeof ev, SG_CF_EXIT)));
  }
  {
    struct {
      uint64_t handler, flags, restorer, mask;
    } act{0x55d0c0de0000, 0x04000000 | 0x10000000 /*SA_RESTORER|SA_RESTART*/, 0x7f0000001000,
          (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1))},
        old{0, 0, 0, 0};
    add("rt_sigaction", Seed()
                            .add(enter(cat, "rt_sigaction", t, {SIGINT, kAddr, kAddr + 64, 8})
                                     .buf(1, bytes_of(act), sizeof act))
                            .add(exit_of(cat, "rt_sigaction", t + 1000, 0, t)
                                     .buf(2, bytes_of(act), sizeof act, SG_CF_EXIT)
                                     .buf(1, bytes_of(old), sizeof old, SG_CF_EXIT)));
  }
  {
    Seed s;
    uint64_t ts = t;
    auto pair = [&](const char* name, std::initializer_list<uint64_t> args, int64_t ret) {
      s.add(enter(cat, name, ts, args)).add(exit_of(cat, name, ts + 700, ret, ts));
      ts += 1000;
    };
    pair("clone", {0x01200011, 0, 0, kAddr, 0}, 4243);
    pair("mmap", {0, 8192, 3, 0x22, neg(-1), 0}, static_cast<int64_t>(0x7f12a0000000));
    pair("mmap", {0, 8192, 1, 0x812, 3, 0x1000}, -ENOMEM);
    pair("kill", {4242, SIGUSR1}, 0);
    pair("prctl", {15 /*PR_SET_NAME*/, kAddr}, 0);
    pair("ioctl", {1, 0x5401, kAddr}, -ENOTTY);
    pair("close", {3}, 0);
    pair("close", {0xffffffff00000003ull}, -EBADF);  // junk in the high bits
    pair("lseek", {3, neg(-1), 2}, 4096);
    pair("getppid", {}, 1);
    add("mixed_calls", s);
  }
  {
    const int wstatus = 3 << 8;
    const int fds[2] = {3, 4};
    struct {
      uint64_t flags, mode, resolve;
    } how{O_RDONLY | O_CLOEXEC, 0, 0x08};
    Seed s;
    s.add(enter(cat, "wait4", t, {neg(-1), kAddr, 0, 0}))
        .add(exit_of(cat, "wait4", t + 10, 4243, t).buf(1, bytes_of(wstatus), 4, SG_CF_EXIT));
    s.add(enter(cat, "pipe2", t + 20, {kAddr, O_CLOEXEC}))
        .add(exit_of(cat, "pipe2", t + 30, 0, t + 20)
                 .buf(0, std::string((char*)fds, 8), 8, SG_CF_EXIT));
    s.add(enter(cat, "openat2", t + 40, {neg(kAtFdcwd), kAddr, kAddr + 64, 24})
              .str(1, "/proc/self/status")
              .buf(2, bytes_of(how), sizeof how))
        .add(exit_of(cat, "openat2", t + 50, 5, t + 40));
    s.add(enter(cat, "nanosleep", t + 60, {kAddr, 0}).buf(0, bytes_of(timespec{0, 200000000}), 16))
        .add(exit_of(cat, "nanosleep", t + 200000060, 0, t + 60));
    add("wait4_pipe2_openat2_nanosleep", s);
  }
  // syscalls outside the table, and numbers that are not syscalls at all
  {
    sg_enter e{};
    Proc p{4242, 4242, "new"};
    e.hdr = hdr(SG_EV_ENTER, p, 462, t);
    e.args[0] = 1;
    sg_exit x{};
    x.hdr = hdr(SG_EV_EXIT, p, 462, t + 100);
    x.ret = -ENOSYS;
    x.enter_ts_ns = t;
    add("syscall_beyond_headers", Seed().add(Rec(e)).add(Rec(x)));
    e.hdr.nr = -1;
    x.hdr.nr = 100000;
    add("syscall_bogus_numbers", Seed().add(Rec(e)).add(Rec(x)));
  }
  add("timestamps_extreme",
      Seed(0x08)
          .add(enter(cat, "read", UINT64_MAX - 5, {3, kAddr, 1}))
          .add(exit_of(cat, "read", 3, 1, UINT64_MAX - 5).buf(1, "x", 1, SG_CF_EXIT))
          .add(task_exit(cat, UINT64_MAX, 0, true)));
  add("comm_odd_bytes",
      Seed()
          .add(enter(Proc{7, 7, "a\"b\\c\n\x01\xff\xc3\xa9"}, "getpid", t, {}))
          .add(exit_of(Proc{7, 7, "0123456789abcdef"}, "getpid", t + 1, 7, t))
          .add(enter(Proc{7, 8, "\t\x1b[2J\xe2\x80\xae\xc0\xaf"}, "getpid", t + 2, {}))
          .add(task_exit(Proc{7, 7, "x\ny\\\"\x7f"}, t + 3, 0, true)));
  // broken records: the reader counts them, never trusts them
  {
    std::string e =
        enter(cat, "openat", t, {neg(kAtFdcwd), kAddr, 0, 0}).str(1, "/etc/hostname").bytes();
    add("broken_short_enter", Seed().raw(e.substr(0, 40)));
    add("broken_cut_capture",
        Seed().raw(e.substr(0, e.size() - 8)).add(exit_of(cat, "openat", t + 1, 3, t)));
    std::string lie = e;
    const uint32_t big = 0xfffffff0;
    memcpy(&lie[sizeof(sg_enter) + offsetof(sg_cap, len)], &big, 4);
    add("broken_capture_len", Seed().raw(lie).add(exit_of(cat, "openat", t + 1, 3, t)));
    std::string many = e;
    const uint16_t ncap = 60000;
    memcpy(&many[offsetof(sg_enter, ncap)], &ncap, 2);
    add("broken_ncap", Seed().raw(many));
    std::string type = e;
    const uint16_t t99 = 99;
    memcpy(&type[0], &t99, 2);
    add("broken_type", Seed().raw(type).raw("").raw("\x01"));
    sg_zap z{};
    z.hdr = hdr(SG_EV_ZAP, cat, nr("write"), t);
    add("broken_short_zap", Seed().raw(bytes_of(z).substr(0, sizeof z - 4)));
  }
  return out;
}

// Every syscall of the table, eight to a seed: an entry and an exit record with the
// captures capture_spec() asks the kernel side for (bytes from a fixed pseudo-random
// sequence for structures), so that every decoder starts with an input it accepts.
std::string fmt_name(size_t i, const std::string& first) {
  char n[16];
  snprintf(n, sizeof n, "table_%02zu_", i);
  return n + first;
}

std::vector<std::pair<std::string, Seed>> table_seeds() {
  uint64_t lcg = 0x5eed;
  auto rnd = [&] {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return lcg >> 33;
  };
  auto bytes = [&](size_t n) {
    std::string b(n, '\0');
    for (auto& c : b) c = static_cast<char>(rnd() % 5 == 0 ? rnd() : rnd() % 8);
    return b;
  };
  const sysgate::CaptureLimits lim;
  std::vector<std::pair<std::string, Seed>> out;
  Seed seed;
  std::string first;
  int in_seed = 0;
  uint64_t ts = T0;
  for (const auto& info : sysgate::syscall_table()) {
    if (info.nr < 0) continue;
    const sg_sys_spec spec = sysgate::capture_spec(info, lim);
    sg_enter e{};
    Proc p{4242, 4242, "prog"};
    e.hdr = hdr(SG_EV_ENTER, p, info.nr, ts);
    sg_exit x{};
    x.hdr = hdr(SG_EV_EXIT, p, info.nr, ts + 1500);
    x.enter_ts_ns = ts;
    x.ret = info.ret_kind == "fd" ? 3 : info.ret_kind == "hex" ? 0x7f0012340000 : 0;
    static const uint64_t kPlain[] = {3, 0, 1, 0x80000, 0x41, 0xffffffffull, 2, 0x1ff};
    for (int i = 0; i < SG_NARGS; ++i)
      e.args[i] =
          i < info.nargs ? (spec.cap[i].kind ? kAddr + 0x1000 * i : kPlain[(info.nr + i) % 8]) : 0;
    // lengths first: captures sized by another argument or by the return value
    for (int i = 0; i < info.nargs; ++i) {
      const sg_cap_spec& c = spec.cap[i];
      if (!c.kind) continue;
      const uint64_t n =
          c.len_src == SG_LEN_CONST ? c.size : std::min<uint64_t>(c.size ? c.size : 32, 24);
      if (c.len_src == SG_LEN_ARG && c.len_arg != i) e.args[c.len_arg] = c.elem ? 2 : n;
      if (c.len_src == SG_LEN_RET) {
        x.ret = static_cast<int64_t>(c.elem ? 2 : n);
        if (c.len_arg != i) e.args[c.len_arg] = 4096;
      }
      if (c.len_src == SG_LEN_FDSET) e.args[c.len_arg] = 64;
    }
    Rec en(e), ex(x);
    for (int i = 0; i < info.nargs; ++i) {
      const sg_cap_spec& c = spec.cap[i];
      if (!c.kind) continue;
      size_t n = c.len_src == SG_LEN_CONST ? c.size : c.elem ? 2u * c.elem : 24;
      if (c.len_src == SG_LEN_FDSET) n = 8;
      for (int when : {SG_AT_ENTER, SG_AT_EXIT}) {
        if (!(c.when & when)) continue;
        Rec& r = when == SG_AT_ENTER ? en : ex;
        const uint8_t fl = when == SG_AT_EXIT ? SG_CF_EXIT : 0;
        switch (c.kind) {
          case SG_CK_STR:
            r.str(i, i % 2 ? "/tmp/f\xc3\xa9" : "name", fl);
            break;
          case SG_CK_BUF:
            r.buf(i, bytes(std::min<size_t>(n, 256)), n, fl);
            break;
          case SG_CK_SOCKLEN: {
            const int32_t len = 16;
            r.cap(i, SG_CK_SOCKLEN, bytes_of(len), 4, fl);
            break;
          }
          case SG_CK_IOV: {
            struct {
              uint64_t base, len;
            } v[2] = {{kAddr, 3}, {kAddr + 64, 5}};
            r.cap(i, SG_CK_IOV, std::string(reinterpret_cast<char*>(v), sizeof v), 2, fl)
                .buf(i, "abc", 3, fl | SG_CF_ELEM)
                .buf(i, "de\nfg", 5, fl | SG_CF_ELEM);
            break;
          }
          case SG_CK_STRARR:
            r.cap(i, SG_CK_STRARR, "", 2, fl)
                .str(i, "prog", fl | SG_CF_ELEM)
                .str(i, "--x", fl | SG_CF_ELEM);
            break;
          case SG_CK_PTRARR:
            r.cap(i, SG_CK_PTRARR, "", 5, fl);
            break;
          case SG_CK_MSGHDR: {
            struct {
              uint64_t name;
              int32_t namelen, pad;
              uint64_t iov, iovlen, control, controllen;
              uint32_t flags, pad2;
            } m{kAddr, 4, 0, kAddr + 64, 1, 0, 0, 0, 0};
            struct {
              uint64_t base, len;
            } v{kAddr + 128, 2};
            r.cap(i, SG_CK_MSGHDR, bytes_of(m), 1, fl)
                .buf(i, "\x01\x00xy", 4, fl | SG_CF_ELEM)
                .cap(i, SG_CK_IOV, bytes_of(v), 1, fl | SG_CF_ELEM)
                .buf(i, "hi", 2, fl | SG_CF_ELEM);
            break;
          }
        }
      }
    }
    if (in_seed == 0) first = std::string(info.name);
    seed.add(en);
    if (info.ret_kind != "noreturn") seed.add(ex);
    ts += 2000;
    if (++in_seed == 8) {
      out.emplace_back(fmt_name(out.size(), first), seed);
      seed = Seed();
      in_seed = 0;
    }
  }
  if (in_seed) out.emplace_back(fmt_name(out.size(), first), seed);
  return out;
}

const char* const kOptions[][2] = {
    {"filter_names", "openat,close"},
    {"filter_class_file", "%file"},
    {"filter_class_net", "%net"},
    {"filter_negation", "!write"},
    {"filter_trace_prefix", "trace=%net"},
    {"filter_trace_mixed", "trace=%file,%process,!execve,close"},
    {"filter_all", "all"},
    {"filter_not_all", "!all,read"},
    {"filter_beyond_headers", "syscall_462"},
    {"filter_typo", "opnat"},
    {"filter_unknown_class", "%filez"},
    {"filter_empty_item", "read,,write"},
    {"filter_bang", "!"},
    {"filter_trace_empty", "trace="},
    {"duration_ms", "200ms"},
    {"duration_s", "1.5s"},
    {"duration_us", "500us"},
    {"duration_m", "2m"},
    {"duration_ns", "100ns"},
    {"duration_bare", "30"},
    {"duration_dot", ".5"},
    {"duration_absurd", "300000000000s"},
    {"duration_exp", "1e3"},
    {"arg_index", "0=1"},
    {"arg_fd_hex", "fd=0x3"},
    {"arg_path", "filename=/etc/shadow"},
    {"arg_bits", "flags=&0x40"},
    {"arg_negative", "2=-1"},
    {"arg_big", "count=18446744073709551615"},
    {"arg_bad_index", "9=1"},
    {"arg_no_value", "fd="},
    {"zap_on_openat_arg_path", "openat\nfilename=/etc/"},
    {"zap_on_write_arg_fd", "write\nfd=2"},
    {"zap_on_class_arg_flags", "%file\nflags=&0x40"},
    {"zap_on_fsync_index", "fsync,fdatasync\n0=7"},
    {"zap_on_signal", "kill\nsig=9\n200ms"},
    {"signal_name", "TERM"},
    {"signal_sig_name", "SIGUSR1"},
    {"signal_number", "9"},
    {"signal_rt", "RTMIN+3"},
    {"signal_rtmax", "RTMAX-2"},
    {"signal_rt_strace", "RT_5"},
    {"class_list", "%desc"},
    {"syscall_fstat", "fstat"},
    {"struct_stat", "stat"},
};

void write_file(const std::filesystem::path& p, std::string_view data) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!f) {
    fprintf(stderr, "make_seeds: cannot write %s\n", p.c_str());
    exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CORPUS_DIR (writes CORPUS_DIR/records and CORPUS_DIR/options)\n",
            argv[0]);
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir / "records");
  std::filesystem::create_directories(dir / "options");
  size_t n = 0;
  auto seeds = record_seeds();
  for (auto& t : table_seeds()) seeds.push_back(std::move(t));
  for (const auto& [name, seed] : seeds) {
    write_file(dir / "records" / name, seed.data());
    ++n;
  }
  for (const auto& [name, text] : kOptions) {
    write_file(dir / "options" / name, text);
    ++n;
  }
  printf("make_seeds: %zu files in %s\n", n, dir.c_str());
  return 0;
}
