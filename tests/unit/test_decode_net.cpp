// SPDX-License-Identifier: Apache-2.0
// Socket decoders: families, types, flags, socket addresses, socket lengths, msghdr.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <string>

#include "decode_test_util.hpp"

namespace sysgate {
namespace {

using testing::arg_text;
using testing::EventBuilder;
using testing::line;

template <class T>
std::string bytes_of(const T& v, size_t n = sizeof(T)) {
  return std::string(reinterpret_cast<const char*>(&v), n);
}

std::string inet(const char* ip, uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip, &a.sin_addr);
  return bytes_of(a);
}

std::string inet6(const char* ip, uint16_t port, uint32_t scope = 0) {
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_port = htons(port);
  a.sin6_scope_id = scope;
  inet_pton(AF_INET6, ip, &a.sin6_addr);
  return bytes_of(a);
}

// a sockaddr_un of exactly the length the program would pass
std::string unix_addr(std::string_view path) {
  std::string b(2, '\0');
  const uint16_t fam = AF_UNIX;
  std::memcpy(b.data(), &fam, 2);
  return b.append(path);
}

std::string socklen_bytes(int32_t v) { return bytes_of(v); }

TEST(DecodeNet, SocketFamilyTypeAndFlags) {
  EventBuilder b("socket");
  b.arg(0, AF_INET6).arg(1, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC).arg(2, 0).ret(3);
  EXPECT_EQ(line(b.build()), "socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 3");

  EventBuilder u("socket");
  u.arg(0, 0xdead00000000ull | AF_NETLINK)
      .arg(1, 0xffff000000000000ull | SOCK_RAW)
      .arg(2, 0)
      .ret(4);
  EXPECT_EQ(arg_text(u.build(), 0), "AF_NETLINK");
  EXPECT_EQ(arg_text(u.build(), 1), "SOCK_RAW");

  EventBuilder x("socket");
  x.arg(0, 200).arg(1, 0xb | SOCK_CLOEXEC).arg(2, 0);
  EXPECT_EQ(arg_text(x.build(), 0), "200");
  EXPECT_EQ(arg_text(x.build(), 1), "SOCK_CLOEXEC|0xb");

  EventBuilder p("socket");
  p.arg(0, AF_PACKET).arg(1, int{SOCK_STREAM} | 0x100).arg(2, 0);
  EXPECT_EQ(arg_text(p.build(), 0), "AF_PACKET");
  EXPECT_EQ(arg_text(p.build(), 1), "SOCK_STREAM|0x100");
}

TEST(DecodeNet, Accept4FlagsAndShutdown) {
  EventBuilder a("accept4");
  a.arg(0, 3).arg(1, 0).arg(2, 0).arg(3, int{SOCK_CLOEXEC}).ret(5);
  EXPECT_EQ(line(a.build()), "accept4(3, NULL, NULL, SOCK_CLOEXEC) = 5");

  EventBuilder s("shutdown");
  s.arg(0, 3).arg(1, 0x100000000ull | SHUT_RDWR).ret(0);
  EXPECT_EQ(line(s.build()), "shutdown(3, SHUT_RDWR) = 0");
  EventBuilder t("shutdown");
  t.arg(0, 3).arg(1, 7).ret(-22);
  EXPECT_EQ(arg_text(t.build(), 1), "7");
}

TEST(DecodeNet, MsgFlags) {
  EventBuilder b("sendto");
  b.arg(0, 3)
      .arg(1, 0x1000)
      .buf_cap(1, "hi")
      .arg(2, 2)
      .arg(3, MSG_NOSIGNAL | MSG_DONTWAIT)
      .arg(4, 0)
      .arg(5, 0)
      .ret(2);
  EXPECT_EQ(line(b.build()), "sendto(3, \"hi\", 2, MSG_DONTWAIT|MSG_NOSIGNAL, NULL, 0) = 2");

  EventBuilder z("sendto");
  z.arg(3, MSG_ZEROCOPY | MSG_BATCH | MSG_MORE | 0x80000);
  EXPECT_EQ(arg_text(z.build(), 3), "MSG_MORE|MSG_BATCH|MSG_ZEROCOPY|0x80000");
  EventBuilder n("sendto");
  n.arg(3, 0);
  EXPECT_EQ(arg_text(n.build(), 3), "0");
}

TEST(DecodeNet, ConnectInet) {
  EventBuilder b("connect");
  b.arg(0, 3).arg(1, 0x7ffd1000).buf_cap(1, inet("127.0.0.1", 80)).arg(2, 16).ret(0);
  EXPECT_EQ(line(b.build()),
            "connect(3, {sa_family=AF_INET, sin_port=htons(80), "
            "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0");
}

TEST(DecodeNet, ConnectInet6) {
  EventBuilder b("connect");
  b.arg(0, 3).arg(1, 0x7ffd1000).buf_cap(1, inet6("::1", 443)).arg(2, 28).ret(-111);
  EXPECT_EQ(arg_text(b.build(), 1),
            "{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
            "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}");

  // the 24-byte form has no scope id
  EventBuilder s("connect");
  s.arg(0, 3).arg(1, 0x7ffd1000).buf_cap(1, inet6("fe80::1", 22, 2).substr(0, 24)).arg(2, 24);
  EXPECT_EQ(arg_text(s.build(), 1),
            "{sa_family=AF_INET6, sin6_port=htons(22), sin6_flowinfo=htonl(0), "
            "inet_pton(AF_INET6, \"fe80::1\", &sin6_addr)}");
}

TEST(DecodeNet, BindUnixPathAndAbstract) {
  EventBuilder b("bind");
  std::string a = unix_addr(std::string("/run/x.sock\0", 12));
  b.arg(0, 3).arg(1, 0x1000).buf_cap(1, a).arg(2, static_cast<int>(a.size())).ret(0);
  EXPECT_EQ(line(b.build()), "bind(3, {sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}, 14) = 0");

  // abstract: every byte up to the length is the name, embedded NULs included
  std::string abs = unix_addr(std::string("\0name\0x", 7));
  EventBuilder c("bind");
  c.arg(0, 3).arg(1, 0x1000).buf_cap(1, abs).arg(2, static_cast<int>(abs.size()));
  EXPECT_EQ(arg_text(c.build(), 1), "{sa_family=AF_UNIX, sun_path=@\"name\\0x\"}");

  // a length of 2 (an unnamed socket) has only the family
  EventBuilder d("bind");
  d.arg(0, 3).arg(1, 0x1000).buf_cap(1, unix_addr("")).arg(2, 2);
  EXPECT_EQ(arg_text(d.build(), 1), "{sa_family=AF_UNIX}");
}

TEST(DecodeNet, NetlinkAndPacketAndOthers) {
  sockaddr_nl nl{};
  nl.nl_family = AF_NETLINK;
  nl.nl_groups = 0x11;
  EventBuilder b("bind");
  b.arg(0, 3).arg(1, 0x1000).buf_cap(1, bytes_of(nl)).arg(2, 12);
  EXPECT_EQ(arg_text(b.build(), 1), "{sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000011}");

  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_protocol = htons(0x0003);
  ll.sll_ifindex = 2;
  ll.sll_hatype = 1;
  ll.sll_halen = 6;
  const unsigned char mac[] = {0x00, 0x11, 0x22, 0xaa, 0xbb, 0xcc};
  std::memcpy(ll.sll_addr, mac, 6);
  EventBuilder p("bind");
  p.arg(0, 3).arg(1, 0x1000).buf_cap(1, bytes_of(ll)).arg(2, 20);
  EXPECT_EQ(arg_text(p.build(), 1),
            "{sa_family=AF_PACKET, sll_protocol=htons(ETH_P_ALL), sll_ifindex=2, "
            "sll_hatype=ARPHRD_ETHER, "
            "sll_pkttype=PACKET_HOST, sll_halen=6, sll_addr=00:11:22:aa:bb:cc}");

  std::string vs(16, '\0');
  vs[0] = AF_VSOCK;
  vs[4] = 'A';
  EventBuilder v("connect");
  v.arg(0, 3).arg(1, 0x1000).buf_cap(1, vs).arg(2, 6);
  EXPECT_EQ(arg_text(v.build(), 1), "{sa_family=AF_VSOCK, sa_data=\"\\0\\0A\\0\"}");
}

TEST(DecodeNet, SockaddrShortFaultedMissing) {
  // shorter than a sockaddr_in: raw bytes, as strace
  EventBuilder s("connect");
  s.arg(0, 3).arg(1, 0x1000).buf_cap(1, inet("10.0.0.1", 1).substr(0, 8)).arg(2, 8);
  EXPECT_EQ(arg_text(s.build(), 1), "{sa_family=AF_INET, sa_data=\"\\0\\1\\n\\0\\0\\1\"}");

  EventBuilder f("connect");
  f.arg(0, 3).arg(1, 0x7ffd0010).fault_cap(1).arg(2, 16).ret(-14);
  EXPECT_EQ(line(f.build()), "connect(3, 0x7ffd0010, 16) = -1 EFAULT (Bad address)");

  EventBuilder m("connect");
  m.arg(0, 3).arg(1, 0x7ffd0010).arg(2, 16);
  EXPECT_EQ(arg_text(m.build(), 1), "0x7ffd0010");

  EventBuilder z("connect");
  z.arg(0, 3).arg(1, 0).arg(2, 0);
  EXPECT_EQ(arg_text(z.build(), 1), "NULL");

  // addrlen below 2 or negative: the pointer
  EventBuilder n("connect");
  n.arg(0, 3).arg(1, 0x1000).buf_cap(1, inet("10.0.0.1", 1)).arg(2, -1);
  EXPECT_EQ(arg_text(n.build(), 1), "0x1000");

  // the capture holds more than addrlen: only addrlen counts
  EventBuilder l("connect");
  l.arg(0, 3).arg(1, 0x1000).buf_cap(1, inet("10.0.0.1", 1)).arg(2, 0xffffffff00000004ull);
  EXPECT_EQ(arg_text(l.build(), 1), "{sa_family=AF_INET, sa_data=\"\\0\\1\"}");
}

TEST(DecodeNet, AcceptAddressAndLength) {
  EventBuilder b("accept");
  b.arg(0, 3).arg(1, 0x1000).arg(2, 0x2000);
  b.cap(2, SG_CK_SOCKLEN, socklen_bytes(128), 4);
  b.buf_cap(1, inet("192.168.1.2", 5555), true, 16);
  b.cap(2, SG_CK_SOCKLEN, socklen_bytes(16), 4, 0, true);
  b.ret(4);
  EXPECT_EQ(
      line(b.build()),
      "accept(3, {sa_family=AF_INET, sin_port=htons(5555), sin_addr=inet_addr(\"192.168.1.2\")}, "
      "[128 => 16]) = 4");

  // unchanged length: [16]
  EventBuilder g("getsockname");
  g.arg(0, 3).arg(1, 0x1000).arg(2, 0x2000);
  g.cap(2, SG_CK_SOCKLEN, socklen_bytes(16), 4);
  g.buf_cap(1, inet("0.0.0.0", 8080), true, 16);
  g.cap(2, SG_CK_SOCKLEN, socklen_bytes(16), 4, 0, true);
  g.ret(0);
  EXPECT_EQ(arg_text(g.build(), 2), "[16]");

  // failed: the address is not printed, the length as it went in
  EventBuilder f("accept");
  f.arg(0, 3).arg(1, 0x1000).arg(2, 0x2000);
  f.cap(2, SG_CK_SOCKLEN, socklen_bytes(16), 4);
  f.ret(-11);
  EXPECT_EQ(line(f.build()),
            "accept(3, 0x1000, [16]) = -1 EAGAIN (Resource temporarily unavailable)");

  // not returned yet
  EventBuilder u("accept");
  u.arg(0, 3).arg(1, 0x1000).arg(2, 0x2000).cap(2, SG_CK_SOCKLEN, socklen_bytes(16), 4);
  EXPECT_EQ(arg_text(u.build(), 1), "0x1000");
  EXPECT_EQ(arg_text(u.build(), 2), "[16]");

  // the buffer was smaller than the address: the shorter length is decoded
  EventBuilder s("accept");
  s.arg(0, 3).arg(1, 0x1000).arg(2, 0x2000);
  s.cap(2, SG_CK_SOCKLEN, socklen_bytes(8), 4);
  s.buf_cap(1, inet("192.168.1.2", 5555), true, 16);
  s.cap(2, SG_CK_SOCKLEN, socklen_bytes(16), 4, 0, true);
  s.ret(4);
  EXPECT_EQ(arg_text(s.build(), 1), "{sa_family=AF_INET, sa_data=\"\\25\\263\\300\\250\\1\\2\"}");
  EXPECT_EQ(arg_text(s.build(), 2), "[8 => 16]");

  // a faulted length pointer
  EventBuilder l("accept");
  l.arg(0, 3).arg(1, 0x1000).arg(2, 0x2000).fault_cap(2, SG_CK_SOCKLEN).ret(-14);
  EXPECT_EQ(arg_text(l.build(), 2), "0x2000");
}

TEST(DecodeNet, RecvfromUnixPeer) {
  EventBuilder b("recvfrom");
  std::string peer = unix_addr(std::string("/tmp/s\0", 7));
  b.arg(0, 3).arg(1, 0x1000).arg(2, 64).arg(3, 0).arg(4, 0x2000).arg(5, 0x3000);
  b.cap(5, SG_CK_SOCKLEN, socklen_bytes(110), 4);
  b.buf_cap(1, "pong", true, 4);
  b.buf_cap(4, peer, true, peer.size());
  b.cap(5, SG_CK_SOCKLEN, socklen_bytes(static_cast<int32_t>(peer.size())), 4, 0, true);
  b.ret(4);
  EXPECT_EQ(
      line(b.build()),
      "recvfrom(3, \"pong\", 64, 0, {sa_family=AF_UNIX, sun_path=\"/tmp/s\"}, [110 => 9]) = 4");
}

struct Msghdr {
  uint64_t name;
  int32_t namelen;
  int32_t pad;
  uint64_t iov;
  uint64_t iovlen;
  uint64_t control;
  uint64_t controllen;
  uint32_t flags;
  uint32_t pad2;
};
static_assert(sizeof(Msghdr) == 56);

std::string iovecs(std::initializer_list<std::pair<uint64_t, uint64_t>> v) {
  std::string out;
  for (const auto& [base, len] : v) out += bytes_of(base) + bytes_of(len);
  return out;
}

TEST(DecodeNet, SendmsgWithName) {
  Msghdr m{0x5000, 16, 0, 0x6000, 2, 0, 0, 0, 0};
  const std::string name = inet("127.0.0.1", 53);
  EventBuilder b("sendmsg");
  b.arg(0, 3).arg(1, 0x4000).arg(2, int{MSG_NOSIGNAL}).ret(8);
  b.cap(1, SG_CK_MSGHDR, bytes_of(m), 56);
  b.elem_cap(1, SG_CK_BUF, name, 16);
  b.elem_cap(1, SG_CK_IOV, iovecs({{0x7000, 5}, {0x8000, 3}}), 2);
  b.elem_cap(1, SG_CK_BUF, "hello", 5);
  b.elem_cap(1, SG_CK_BUF, "abc", 3);
  EXPECT_EQ(
      line(b.build()),
      "sendmsg(3, {msg_name={sa_family=AF_INET, sin_port=htons(53), "
      "sin_addr=inet_addr(\"127.0.0.1\")}, "
      "msg_namelen=16, msg_iov=[{iov_base=\"hello\", iov_len=5}, {iov_base=\"abc\", iov_len=3}], "
      "msg_iovlen=2, msg_controllen=0, msg_flags=0}, MSG_NOSIGNAL) = 8");
}

TEST(DecodeNet, SendmsgWithoutNameWithControl) {
  Msghdr m{0, 0, 0, 0x6000, 1, 0x9000, 24, 0, 0};
  EventBuilder b("sendmsg");
  b.arg(0, 3).arg(1, 0x4000).arg(2, 0).ret(1);
  b.cap(1, SG_CK_MSGHDR, bytes_of(m), 56);
  b.elem_cap(1, SG_CK_BUF, "", 0);
  b.elem_cap(1, SG_CK_IOV, iovecs({{0x7000, 1}}), 1);
  b.elem_cap(1, SG_CK_BUF, "x", 1);
  EXPECT_EQ(arg_text(b.build(), 1),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"x\", iov_len=1}], msg_iovlen=1, "
            "msg_control=0x9000, msg_controllen=24, msg_flags=0}");
}

TEST(DecodeNet, RecvmsgBoundedByReturn) {
  Msghdr m{0, 0, 0, 0x6000, 2, 0, 0, MSG_TRUNC, 0};
  EventBuilder b("recvmsg");
  b.arg(0, 3).arg(1, 0x4000).arg(2, 0).ret(6);
  b.cap(1, SG_CK_MSGHDR, bytes_of(m), 56, 0, true);
  b.elem_cap(1, SG_CK_BUF, "", 0, true);
  b.elem_cap(1, SG_CK_IOV, iovecs({{0x7000, 4}, {0x8000, 100}}), 2, true);
  b.elem_cap(1, SG_CK_BUF, "abcd", 4, true);
  b.elem_cap(1, SG_CK_BUF, "ef", 2, true);
  EXPECT_EQ(line(b.build()),
            "recvmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"abcd\", iov_len=4}, "
            "{iov_base=\"ef\", iov_len=100}], msg_iovlen=2, msg_controllen=0, "
            "msg_flags=MSG_TRUNC}, 0) = 6");

  // failed: nothing was filled in
  EventBuilder f("recvmsg");
  f.arg(0, 3).arg(1, 0x4000).arg(2, int{MSG_DONTWAIT}).ret(-11);
  EXPECT_EQ(line(f.build()),
            "recvmsg(3, 0x4000, MSG_DONTWAIT) = -1 EAGAIN (Resource temporarily unavailable)");
}

TEST(DecodeNet, MsghdrFaultsAndTruncation) {
  // unreadable header
  EventBuilder h("sendmsg");
  h.arg(0, 3).arg(1, 0x4000).arg(2, 0).fault_cap(1, SG_CK_MSGHDR);
  EXPECT_EQ(arg_text(h.build(), 1), "0x4000");

  // unreadable name and iovec array: their addresses
  Msghdr m{0x5000, 16, 0, 0x6000, 1, 0, 0, 0, 0};
  EventBuilder e("sendmsg");
  e.arg(0, 3).arg(1, 0x4000).arg(2, 0);
  e.cap(1, SG_CK_MSGHDR, bytes_of(m), 56);
  e.elem_cap(1, SG_CK_BUF, "", 16, false, SG_CF_FAULT);
  e.elem_cap(1, SG_CK_IOV, "", 1, false, SG_CF_FAULT);
  EXPECT_EQ(arg_text(e.build(), 1),
            "{msg_name=0x5000, msg_namelen=16, msg_iov=0x6000, msg_iovlen=1, msg_controllen=0, "
            "msg_flags=0}");

  // more than 8 iovecs and data longer than the string limit
  Msghdr t{0, 0, 0, 0x6000, 9, 0, 0, 0, 0};
  EventBuilder tb("sendmsg");
  tb.arg(0, 3).arg(1, 0x4000).arg(2, 0);
  tb.cap(1, SG_CK_MSGHDR, bytes_of(t), 56);
  tb.elem_cap(1, SG_CK_BUF, "", 0);
  tb.elem_cap(1, SG_CK_IOV, iovecs({{0x7000, 40}}), 9, false, SG_CF_TRUNC);
  tb.elem_cap(1, SG_CK_BUF, std::string(32, 'a'), 40, false, SG_CF_TRUNC);
  EXPECT_EQ(arg_text(tb.build(), 1),
            "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=\"" + std::string(32, 'a') +
                "\"..., iov_len=40}, ...], msg_iovlen=9, msg_controllen=0, msg_flags=0}");

  // NULL iovec array
  Msghdr z{0, 0, 0, 0, 0, 0, 0, 0, 0};
  EventBuilder zb("sendmsg");
  zb.arg(0, 3).arg(1, 0x4000).arg(2, 0);
  zb.cap(1, SG_CK_MSGHDR, bytes_of(z), 56);
  zb.elem_cap(1, SG_CK_BUF, "", 0);
  zb.elem_cap(1, SG_CK_IOV, "", 0);
  EXPECT_EQ(
      arg_text(zb.build(), 1),
      "{msg_name=NULL, msg_namelen=0, msg_iov=NULL, msg_iovlen=0, msg_controllen=0, msg_flags=0}");

  // header only (the event ran out of room for the elements)
  EventBuilder o("sendmsg");
  o.arg(0, 3).arg(1, 0x4000).arg(2, 0);
  o.cap(1, SG_CK_MSGHDR, bytes_of(m), 56);
  EXPECT_EQ(arg_text(o.build(), 1),
            "{msg_name=0x5000, msg_namelen=16, msg_iov=0x6000, msg_iovlen=1, msg_controllen=0, "
            "msg_flags=0}");

  // short header
  EventBuilder s("sendmsg");
  s.arg(0, 3).arg(1, 0x4000).arg(2, 0).cap(1, SG_CK_MSGHDR, "abc", 56);
  EXPECT_EQ(arg_text(s.build(), 1), "0x4000");
}

}  // namespace
}  // namespace sysgate
