// SPDX-License-Identifier: Apache-2.0
// Sockets: families, types, message flags, socket addresses (inet, inet6, unix,
// netlink, packet), socket lengths and msghdr.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>

#include "decode/families.hpp"
#include "decode/util.hpp"
#include "sysgate_abi.h"

// Newer than Debian 12's headers (upstream values).
#ifndef AF_MCTP
#define AF_MCTP 45
#endif
#ifndef MSG_SOCK_DEVMEM
#define MSG_SOCK_DEVMEM 0x2000000
#endif

namespace sysgate::decode {

namespace {

constexpr FlagName kFamilies[] = {
    {AF_UNSPEC, "AF_UNSPEC"},
    {AF_UNIX, "AF_UNIX"},
    {AF_INET, "AF_INET"},
    {AF_AX25, "AF_AX25"},
    {AF_IPX, "AF_IPX"},
    {AF_APPLETALK, "AF_APPLETALK"},
    {AF_NETROM, "AF_NETROM"},
    {AF_BRIDGE, "AF_BRIDGE"},
    {AF_ATMPVC, "AF_ATMPVC"},
    {AF_X25, "AF_X25"},
    {AF_INET6, "AF_INET6"},
    {AF_ROSE, "AF_ROSE"},
    {AF_DECnet, "AF_DECnet"},
    {AF_NETBEUI, "AF_NETBEUI"},
    {AF_SECURITY, "AF_SECURITY"},
    {AF_KEY, "AF_KEY"},
    {AF_NETLINK, "AF_NETLINK"},
    {AF_PACKET, "AF_PACKET"},
    {AF_ASH, "AF_ASH"},
    {AF_ECONET, "AF_ECONET"},
    {AF_ATMSVC, "AF_ATMSVC"},
    {AF_RDS, "AF_RDS"},
    {AF_SNA, "AF_SNA"},
    {AF_IRDA, "AF_IRDA"},
    {AF_PPPOX, "AF_PPPOX"},
    {AF_WANPIPE, "AF_WANPIPE"},
    {AF_LLC, "AF_LLC"},
    {AF_IB, "AF_IB"},
    {AF_MPLS, "AF_MPLS"},
    {AF_CAN, "AF_CAN"},
    {AF_TIPC, "AF_TIPC"},
    {AF_BLUETOOTH, "AF_BLUETOOTH"},
    {AF_IUCV, "AF_IUCV"},
    {AF_RXRPC, "AF_RXRPC"},
    {AF_ISDN, "AF_ISDN"},
    {AF_PHONET, "AF_PHONET"},
    {AF_IEEE802154, "AF_IEEE802154"},
    {AF_CAIF, "AF_CAIF"},
    {AF_ALG, "AF_ALG"},
    {AF_NFC, "AF_NFC"},
    {AF_VSOCK, "AF_VSOCK"},
    {AF_KCM, "AF_KCM"},
    {AF_QIPCRTR, "AF_QIPCRTR"},
    {AF_SMC, "AF_SMC"},
    {AF_XDP, "AF_XDP"},
    {AF_MCTP, "AF_MCTP"},
};

constexpr FlagName kSockTypes[] = {
    {SOCK_STREAM, "SOCK_STREAM"}, {SOCK_DGRAM, "SOCK_DGRAM"},         {SOCK_RAW, "SOCK_RAW"},
    {SOCK_RDM, "SOCK_RDM"},       {SOCK_SEQPACKET, "SOCK_SEQPACKET"}, {SOCK_DCCP, "SOCK_DCCP"},
    {SOCK_PACKET, "SOCK_PACKET"},
};

// strace's order: SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK
constexpr FlagName kSockFlags[] = {{SOCK_CLOEXEC, "SOCK_CLOEXEC"},
                                   {SOCK_NONBLOCK, "SOCK_NONBLOCK"}};

constexpr FlagName kMsgFlags[] = {
    {MSG_OOB, "MSG_OOB"},
    {MSG_PEEK, "MSG_PEEK"},
    {MSG_DONTROUTE, "MSG_DONTROUTE"},
    {MSG_CTRUNC, "MSG_CTRUNC"},
    {MSG_PROXY, "MSG_PROXY"},
    {MSG_TRUNC, "MSG_TRUNC"},
    {MSG_DONTWAIT, "MSG_DONTWAIT"},
    {MSG_EOR, "MSG_EOR"},
    {MSG_WAITALL, "MSG_WAITALL"},
    {MSG_FIN, "MSG_FIN"},
    {MSG_SYN, "MSG_SYN"},
    {MSG_CONFIRM, "MSG_CONFIRM"},
    {MSG_RST, "MSG_RST"},
    {MSG_ERRQUEUE, "MSG_ERRQUEUE"},
    {MSG_NOSIGNAL, "MSG_NOSIGNAL"},
    {MSG_MORE, "MSG_MORE"},
    {MSG_WAITFORONE, "MSG_WAITFORONE"},
    {MSG_BATCH, "MSG_BATCH"},
    {MSG_SOCK_DEVMEM, "MSG_SOCK_DEVMEM"},
    {MSG_ZEROCOPY, "MSG_ZEROCOPY"},
    {MSG_FASTOPEN, "MSG_FASTOPEN"},
    {MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"},
};

constexpr FlagName kShutdown[] = {
    {SHUT_RD, "SHUT_RD"}, {SHUT_WR, "SHUT_WR"}, {SHUT_RDWR, "SHUT_RDWR"}};

constexpr FlagName kEthProtocols[] = {
    {ETH_P_LOOP, "ETH_P_LOOP"},       {ETH_P_ALL, "ETH_P_ALL"},
    {ETH_P_IP, "ETH_P_IP"},           {ETH_P_ARP, "ETH_P_ARP"},
    {ETH_P_RARP, "ETH_P_RARP"},       {ETH_P_8021Q, "ETH_P_8021Q"},
    {ETH_P_IPV6, "ETH_P_IPV6"},       {ETH_P_PPP_DISC, "ETH_P_PPP_DISC"},
    {ETH_P_PPP_SES, "ETH_P_PPP_SES"}, {ETH_P_MPLS_UC, "ETH_P_MPLS_UC"},
    {ETH_P_PAE, "ETH_P_PAE"},         {ETH_P_8021AD, "ETH_P_8021AD"},
    {ETH_P_LLDP, "ETH_P_LLDP"},       {ETH_P_802_3, "ETH_P_802_3"},
    {ETH_P_802_2, "ETH_P_802_2"},
};

constexpr FlagName kArpHardware[] = {
    {ARPHRD_NETROM, "ARPHRD_NETROM"},
    {ARPHRD_ETHER, "ARPHRD_ETHER"},
    {ARPHRD_IEEE802, "ARPHRD_IEEE802"},
    {ARPHRD_INFINIBAND, "ARPHRD_INFINIBAND"},
    {ARPHRD_PPP, "ARPHRD_PPP"},
    {ARPHRD_TUNNEL, "ARPHRD_TUNNEL"},
    {ARPHRD_TUNNEL6, "ARPHRD_TUNNEL6"},
    {ARPHRD_LOOPBACK, "ARPHRD_LOOPBACK"},
    {ARPHRD_SIT, "ARPHRD_SIT"},
    {ARPHRD_IPGRE, "ARPHRD_IPGRE"},
    {ARPHRD_IEEE80211, "ARPHRD_IEEE80211"},
    {ARPHRD_IEEE80211_RADIOTAP, "ARPHRD_IEEE80211_RADIOTAP"},
    {ARPHRD_CAN, "ARPHRD_CAN"},
    {ARPHRD_IP6GRE, "ARPHRD_IP6GRE"},
    {ARPHRD_NETLINK, "ARPHRD_NETLINK"},
    {ARPHRD_RAWIP, "ARPHRD_RAWIP"},
    {ARPHRD_VOID, "ARPHRD_VOID"},
    {ARPHRD_NONE, "ARPHRD_NONE"},
};

constexpr FlagName kPacketTypes[] = {
    {PACKET_HOST, "PACKET_HOST"},           {PACKET_BROADCAST, "PACKET_BROADCAST"},
    {PACKET_MULTICAST, "PACKET_MULTICAST"}, {PACKET_OTHERHOST, "PACKET_OTHERHOST"},
    {PACKET_OUTGOING, "PACKET_OUTGOING"},   {PACKET_LOOPBACK, "PACKET_LOOPBACK"},
    {PACKET_USER, "PACKET_USER"},           {PACKET_KERNEL, "PACKET_KERNEL"},
};

// strace writes unknown values of these structs' enums in hex
std::string xval(uint64_t v, std::span<const FlagName> table) {
  return enum_text(static_cast<int64_t>(v), table, true);
}

Value d_af(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kFamilies)); }

std::string socktype_text(uint32_t v) {
  const char* type = lookup(v & 0xf, kSockTypes);
  // Like strace: an unknown type stays inside the leftover hex of the flags.
  if (!type) return flags_text(v, kSockFlags);
  std::string s = type;
  append_flag_names(s, v & ~0xfu, kSockFlags);
  return s;
}

Value d_socktype(const ArgCtx& c) { return Value::sym(socktype_text(lo32(c.raw))); }
Value d_sock_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kSockFlags)); }
Value d_msg_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kMsgFlags)); }
Value d_shutdown(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kShutdown)); }

// The bytes of a struct of type T at the start of b, zero-filled past the
// address length as the kernel (and strace) treat it.
template <class T>
T load_zero_filled(std::string_view b) {
  T v{};
  std::memcpy(&v, b.data(), std::min(b.size(), sizeof v));
  return v;
}

void append_unix(std::string& s, std::string_view b) {
  std::string_view path = b.substr(2);
  if (path.size() > sizeof(sockaddr_un::sun_path))
    path = path.substr(0, sizeof(sockaddr_un::sun_path));
  if (!path.empty() && path[0] == '\0') {
    // abstract: every byte of the length is part of the name, NULs included
    s += ", sun_path=@" + quoted(path.substr(1), false);
    return;
  }
  if (auto nul = path.find('\0'); nul != std::string_view::npos) path = path.substr(0, nul);
  s += ", sun_path=" + quoted(path, false);
}

void append_inet(std::string& s, std::string_view b) {
  const auto in = load_zero_filled<sockaddr_in>(b);
  char ip[INET_ADDRSTRLEN] = "";
  inet_ntop(AF_INET, &in.sin_addr, ip, sizeof ip);
  s += fmt::format(", sin_port=htons({}), sin_addr=inet_addr(\"{}\")", ntohs(in.sin_port), ip);
}

void append_inet6(std::string& s, std::string_view b) {
  const auto in6 = load_zero_filled<sockaddr_in6>(b);
  char ip[INET6_ADDRSTRLEN] = "";
  inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof ip);
  s += fmt::format(
      ", sin6_port=htons({}), sin6_flowinfo=htonl({}), inet_pton(AF_INET6, \"{}\", &sin6_addr)",
      ntohs(in6.sin6_port), ntohl(in6.sin6_flowinfo), ip);
  // the RFC 2133 form without the scope id is still a valid address length
  if (b.size() >= sizeof(sockaddr_in6)) s += fmt::format(", sin6_scope_id={}", in6.sin6_scope_id);
}

void append_netlink(std::string& s, std::string_view b) {
  const auto nl = load_zero_filled<sockaddr_nl>(b);
  s += fmt::format(", nl_pid={}, nl_groups={:08x}", nl.nl_pid, nl.nl_groups);
}

void append_packet(std::string& s, std::string_view b) {
  const auto ll = load_zero_filled<sockaddr_ll>(b);
  s += fmt::format(
      ", sll_protocol=htons({}), sll_ifindex={}, sll_hatype={}, sll_pkttype={}, sll_halen={}",
      xval(ntohs(ll.sll_protocol), kEthProtocols), ll.sll_ifindex,
      xval(ll.sll_hatype, kArpHardware), xval(ll.sll_pkttype, kPacketTypes), ll.sll_halen);
  if (ll.sll_halen) {
    s += ", sll_addr=";
    const size_t n = std::min<size_t>(ll.sll_halen, sizeof ll.sll_addr);
    for (size_t i = 0; i < n; ++i) s += fmt::format("{}{:02x}", i ? ":" : "", ll.sll_addr[i]);
  }
}

// strace's rendering of a socket address; b holds exactly the address length's
// bytes (the caller cut it to what was both captured and meant).
std::string sockaddr_text(std::string_view b) {
  uint16_t fam = 0;
  read_at(b, 0, fam);
  std::string s = fmt::format("{{sa_family={}", enum_text(fam, kFamilies));
  if (b.size() > 2) {
    if (fam == AF_UNIX)
      append_unix(s, b);
    else if (fam == AF_INET && b.size() >= sizeof(sockaddr_in))
      append_inet(s, b);
    // the shortest inet6 address strace accepts lacks sin6_scope_id
    else if (fam == AF_INET6 && b.size() >= offsetof(sockaddr_in6, sin6_scope_id))
      append_inet6(s, b);
    else if (fam == AF_NETLINK && b.size() >= sizeof(sockaddr_nl))
      append_netlink(s, b);
    else if (fam == AF_PACKET && b.size() >= sizeof(sockaddr_ll))
      append_packet(s, b);
    else
      s += ", sa_data=" + quoted(b.substr(2), false);
  }
  return s + "}";
}

// The first len bytes of the address in cap; false when strace would print the
// pointer instead (no capture, unreadable, or too short to hold a family).
bool sockaddr_bytes(const Capture* cap, int64_t len, std::string_view& out) {
  if (!cap || cap->fault() || len < 2) return false;
  std::string_view b = cap->data;
  if (static_cast<uint64_t>(len) < b.size()) b = b.substr(0, static_cast<size_t>(len));
  if (b.size() < 2) return false;
  out = b;
  return true;
}

Value d_sockaddr(const ArgCtx& c) {
  if (c.raw == 0) return addr_value(0);
  const Capture* cap = c.ev.find(c.index, false);
  const int64_t len = c.spec.param >= 0 && c.spec.param < 6
                          ? s32(c.ev.args[c.spec.param])
                          : static_cast<int64_t>(cap ? cap->data.size() : 0);
  std::string_view b;
  if (!sockaddr_bytes(cap, len, b)) return addr_value(c.raw);
  return Value::sym(sockaddr_text(b));
}

// The int an SG_CK_SOCKLEN capture of argument arg holds.
bool socklen_value(const SyscallEvent& ev, int arg, bool at_exit, int32_t& v) {
  if (arg < 0 || arg >= 6) return false;
  const Capture* cap = ev.find(arg, at_exit);
  return cap && !cap->fault() && read_at(cap->data, 0, v);
}

// Filled by the call: only meaningful once it succeeded. As strace, the length
// shown is the smaller of the buffer's (entry) and the address's (exit).
Value d_sockaddr_out(const ArgCtx& c) {
  if (c.raw == 0) return addr_value(0);
  if (!c.ev.has_exit || c.ev.failed()) return addr_value(c.raw);
  const Capture* cap = c.ev.find(c.index, true);
  if (!cap) return addr_value(c.raw);
  int64_t len = static_cast<int64_t>(cap->size);
  int32_t ulen = 0;
  if (socklen_value(c.ev, c.spec.param, false, ulen)) len = std::min<int64_t>(len, ulen);
  std::string_view b;
  if (!sockaddr_bytes(cap, len, b)) return addr_value(c.raw);
  return Value::sym(sockaddr_text(b));
}

// int *: [16], or [128 => 16] when the call changed it
Value d_socklen(const ArgCtx& c) {
  if (c.raw == 0) return addr_value(0);
  int32_t a = 0, b = 0;
  const bool ha = socklen_value(c.ev, c.index, false, a);
  const bool hb = c.ev.has_exit && !c.ev.failed() && socklen_value(c.ev, c.index, true, b);
  if (!ha && !hb) return addr_value(c.raw);
  if (ha && hb && a != b) return Value::sym(fmt::format("[{} => {}]", a, b));
  return Value::sym(fmt::format("[{}]", ha ? a : b));
}

struct UserMsghdr {
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
static_assert(sizeof(UserMsghdr) == 56);

// msg_iov=[{iov_base="hello", iov_len=5}, ...]; budget bounds the data shown in
// total (the return value of a receive).
void append_msg_iov(std::string& s, const UserMsghdr& m, const Capture* iovs,
                    std::span<const Capture* const> data, uint64_t budget) {
  if (!m.iov) {
    s += "NULL";
    return;
  }
  if (!iovs || iovs->fault()) {
    s += hex_addr(m.iov);
    return;
  }
  s += '[';
  const size_t n = iovs->data.size() / 16;
  for (size_t i = 0; i < n; ++i) {
    uint64_t base = 0, len = 0;
    read_at(iovs->data, i * 16, base);
    read_at(iovs->data, i * 16 + 8, len);
    if (i) s += ", ";
    const Capture* d = i < data.size() ? data[i] : nullptr;
    s += "{iov_base=";
    const uint64_t shown = std::min(len, budget);
    budget -= shown;
    if (d && !d->fault() && base) {
      std::string_view bytes = d->data;
      const size_t limit = std::min<uint64_t>(shown, string_limit());
      if (bytes.size() > limit) bytes = bytes.substr(0, limit);
      s += quoted(bytes, shown > bytes.size());
    } else {
      s += hex_addr(base);
    }
    s += fmt::format(", iov_len={}}}", len);
  }
  if (iovs->truncated() || m.iovlen > n) s += n ? ", ..." : "...";
  s += ']';
}

Value d_msghdr(const ArgCtx& c, bool out) {
  if (c.raw == 0) return addr_value(0);
  if (out && (!c.ev.has_exit || c.ev.failed())) return addr_value(c.raw);
  const Capture* hdr = c.ev.find(c.index, out);
  UserMsghdr m{};
  if (!hdr || hdr->fault() || hdr->kind != SG_CK_MSGHDR || !read_at(hdr->data, 0, m))
    return addr_value(c.raw);
  const auto elems = c.ev.elements(hdr);
  // elements: the name, the iovec array, then one per iovec's data
  const Capture* name = !elems.empty() && elems[0]->kind == SG_CK_BUF ? elems[0] : nullptr;
  const Capture* iovs = elems.size() > 1 && elems[1]->kind == SG_CK_IOV ? elems[1] : nullptr;
  std::span<const Capture* const> data;
  if (iovs) data = std::span<const Capture* const>(elems).subspan(2);

  std::string s = "{msg_name=";
  std::string_view nb;
  if (!m.name)
    s += "NULL";
  else if (sockaddr_bytes(name, m.namelen, nb))
    s += sockaddr_text(nb);
  else
    s += hex_addr(m.name);
  s += fmt::format(", msg_namelen={}, msg_iov=", m.namelen);
  const uint64_t budget = out && c.ev.ret >= 0 ? static_cast<uint64_t>(c.ev.ret) : ~uint64_t{0};
  append_msg_iov(s, m, iovs, data, budget);
  s += fmt::format(", msg_iovlen={}", m.iovlen);
  // the control data is not captured: its address stands for it, as strace does when unreadable
  if (m.controllen) s += fmt::format(", msg_control={}", hex_addr(m.control));
  s += fmt::format(", msg_controllen={}, msg_flags={}}}", m.controllen,
                   flags_text(m.flags, kMsgFlags));
  return Value::sym(std::move(s));
}

Value d_msghdr_in(const ArgCtx& c) { return d_msghdr(c, false); }
Value d_msghdr_out(const ArgCtx& c) { return d_msghdr(c, true); }

}  // namespace

void register_net(Registry& r) {
  r.kind("af", d_af);
  r.kind("socktype", d_socktype);
  r.kind("sock_flags", d_sock_flags);
  r.kind("msg_flags", d_msg_flags);
  r.kind("shutdown_how", d_shutdown);
  r.kind("sockaddr", d_sockaddr);
  r.kind("sockaddr_out", d_sockaddr_out);
  r.kind("socklen", d_socklen);
  r.kind("msghdr_in", d_msghdr_in);
  r.kind("msghdr_out", d_msghdr_out);
}

}  // namespace sysgate::decode
