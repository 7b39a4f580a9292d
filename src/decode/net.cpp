// SPDX-License-Identifier: Apache-2.0
// Sockets: families, types, message flags, socket addresses (inet, inet6, unix,
// netlink), socket lengths and msghdr.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <fmt/format.h>

#include "decode/families.hpp"
#include "decode/util.hpp"
#include "sysgate_abi.h"

namespace sysgate::decode {

namespace {

constexpr FlagName kFamilies[] = {
    {AF_UNSPEC, "AF_UNSPEC"},   {AF_UNIX, "AF_UNIX"},       {AF_INET, "AF_INET"},
    {AF_AX25, "AF_AX25"},       {AF_IPX, "AF_IPX"},         {AF_APPLETALK, "AF_APPLETALK"},
    {AF_NETROM, "AF_NETROM"},   {AF_BRIDGE, "AF_BRIDGE"},   {AF_ATMPVC, "AF_ATMPVC"},
    {AF_X25, "AF_X25"},         {AF_INET6, "AF_INET6"},     {AF_ROSE, "AF_ROSE"},
    {AF_DECnet, "AF_DECnet"},   {AF_NETBEUI, "AF_NETBEUI"}, {AF_SECURITY, "AF_SECURITY"},
    {AF_KEY, "AF_KEY"},         {AF_NETLINK, "AF_NETLINK"}, {AF_PACKET, "AF_PACKET"},
    {AF_ASH, "AF_ASH"},         {AF_ECONET, "AF_ECONET"},   {AF_ATMSVC, "AF_ATMSVC"},
    {AF_RDS, "AF_RDS"},         {AF_SNA, "AF_SNA"},         {AF_IRDA, "AF_IRDA"},
    {AF_PPPOX, "AF_PPPOX"},     {AF_WANPIPE, "AF_WANPIPE"}, {AF_LLC, "AF_LLC"},
    {AF_IB, "AF_IB"},           {AF_MPLS, "AF_MPLS"},       {AF_CAN, "AF_CAN"},
    {AF_TIPC, "AF_TIPC"},       {AF_BLUETOOTH, "AF_BLUETOOTH"}, {AF_IUCV, "AF_IUCV"},
    {AF_RXRPC, "AF_RXRPC"},     {AF_ISDN, "AF_ISDN"},       {AF_PHONET, "AF_PHONET"},
    {AF_IEEE802154, "AF_IEEE802154"}, {AF_CAIF, "AF_CAIF"}, {AF_ALG, "AF_ALG"},
    {AF_NFC, "AF_NFC"},         {AF_VSOCK, "AF_VSOCK"},     {AF_KCM, "AF_KCM"},
    {AF_QIPCRTR, "AF_QIPCRTR"}, {AF_SMC, "AF_SMC"},         {AF_XDP, "AF_XDP"},
    {45, "AF_MCTP"},
};

constexpr FlagName kSockTypes[] = {
    {SOCK_STREAM, "SOCK_STREAM"}, {SOCK_DGRAM, "SOCK_DGRAM"},   {SOCK_RAW, "SOCK_RAW"},
    {SOCK_RDM, "SOCK_RDM"},       {SOCK_SEQPACKET, "SOCK_SEQPACKET"}, {SOCK_DCCP, "SOCK_DCCP"},
    {SOCK_PACKET, "SOCK_PACKET"},
};

constexpr FlagName kSockFlags[] = {{SOCK_NONBLOCK, "SOCK_NONBLOCK"}, {SOCK_CLOEXEC, "SOCK_CLOEXEC"}};

constexpr FlagName kMsgFlags[] = {
    {MSG_OOB, "MSG_OOB"},           {MSG_PEEK, "MSG_PEEK"},         {MSG_DONTROUTE, "MSG_DONTROUTE"},
    {MSG_CTRUNC, "MSG_CTRUNC"},     {MSG_PROXY, "MSG_PROXY"},       {MSG_TRUNC, "MSG_TRUNC"},
    {MSG_DONTWAIT, "MSG_DONTWAIT"}, {MSG_EOR, "MSG_EOR"},           {MSG_WAITALL, "MSG_WAITALL"},
    {MSG_FIN, "MSG_FIN"},           {MSG_SYN, "MSG_SYN"},           {MSG_CONFIRM, "MSG_CONFIRM"},
    {MSG_RST, "MSG_RST"},           {MSG_ERRQUEUE, "MSG_ERRQUEUE"}, {MSG_NOSIGNAL, "MSG_NOSIGNAL"},
    {MSG_MORE, "MSG_MORE"},         {MSG_WAITFORONE, "MSG_WAITFORONE"},
    {0x8000000, "MSG_BATCH"},       {MSG_ZEROCOPY, "MSG_ZEROCOPY"}, {MSG_FASTOPEN, "MSG_FASTOPEN"},
    {MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC"},
};

constexpr FlagName kShutdown[] = {{SHUT_RD, "SHUT_RD"}, {SHUT_WR, "SHUT_WR"}, {SHUT_RDWR, "SHUT_RDWR"}};

Value d_af(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kFamilies)); }

std::string socktype_text(uint32_t v) {
  std::string s = enum_text(v & 0xf, kSockTypes);
  append_flag_names(s, v & ~0xfu, kSockFlags);
  return s;
}

Value d_socktype(const ArgCtx& c) { return Value::sym(socktype_text(lo32(c.raw))); }
Value d_sock_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kSockFlags)); }
Value d_msg_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kMsgFlags)); }
Value d_shutdown(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kShutdown)); }

// strace's rendering of a socket address of len bytes
std::string sockaddr_text(std::string_view b, uint64_t len) {
  uint16_t fam = 0;
  if (!read_at(b, 0, fam)) return "{}";
  std::string s = fmt::format("{{sa_family={}", enum_text(fam, kFamilies));
  if (fam == AF_INET && b.size() >= sizeof(sockaddr_in)) {
    sockaddr_in in;
    std::memcpy(&in, b.data(), sizeof in);
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &in.sin_addr, ip, sizeof ip);
    s += fmt::format(", sin_port=htons({}), sin_addr=inet_addr(\"{}\")", ntohs(in.sin_port), ip);
  } else if (fam == AF_INET6 && b.size() >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6;
    std::memcpy(&in6, b.data(), sizeof in6);
    char ip[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &in6.sin6_addr, ip, sizeof ip);
    s += fmt::format(", sin6_port=htons({}), sin6_flowinfo=htonl({}), inet_pton(AF_INET6, \"{}\", "
                     "&sin6_addr), sin6_scope_id={}",
                     ntohs(in6.sin6_port), ntohl(in6.sin6_flowinfo), ip, in6.sin6_scope_id);
  } else if (fam == AF_UNIX) {
    std::string_view path = b.substr(std::min<size_t>(2, b.size()));
    if (len >= 2 && len - 2 < path.size()) path = path.substr(0, len - 2);
    if (!path.empty() && path[0] == '\0') {  // abstract: the name is every byte after the NUL
      s += ", sun_path=@" + quoted(path.substr(1), false);
    } else {
      auto nul = path.find('\0');
      if (nul != std::string_view::npos) path = path.substr(0, nul);
      s += ", sun_path=" + quoted(path, false);
    }
  } else if (fam == AF_NETLINK && b.size() >= sizeof(sockaddr_nl)) {
    sockaddr_nl nl;
    std::memcpy(&nl, b.data(), sizeof nl);
    s += fmt::format(", nl_pid={}, nl_groups={:08x}", nl.nl_pid, nl.nl_groups);
  } else if (b.size() > 2) {
    s += ", sa_data=" + quoted(b.substr(2), false);
  }
  return s + "}";
}

Value d_sockaddr(const ArgCtx& c) {
  const Capture* cap = c.ev.find(c.index, false);
  if (!cap || cap->fault() || cap->data.empty()) return addr_value(c.raw);
  uint64_t len = c.spec.param >= 0 ? lo32(c.ev.args[c.spec.param]) : cap->data.size();
  return Value::sym(sockaddr_text(cap->data, len));
}

Value d_sockaddr_out(const ArgCtx& c) {
  if (!c.ev.has_exit || c.ev.failed()) return addr_value(c.raw);
  const Capture* cap = c.ev.find(c.index, true);
  if (!cap || cap->fault() || cap->data.empty()) return addr_value(c.raw);
  return Value::sym(sockaddr_text(cap->data, cap->size));
}

// int *: [16], or [128 => 16] when the call changed it
Value d_socklen(const ArgCtx& c) {
  const Capture* in = c.ev.find(c.index, false);
  const Capture* out = c.ev.has_exit && !c.ev.failed() ? c.ev.find(c.index, true) : nullptr;
  int32_t a = 0, b = 0;
  bool ha = in && !in->fault() && read_at(in->data, 0, a);
  bool hb = out && !out->fault() && read_at(out->data, 0, b);
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

Value d_msghdr(const ArgCtx& c, bool out) {
  if (out && (!c.ev.has_exit || c.ev.failed())) return addr_value(c.raw);
  const Capture* hdr = c.ev.find(c.index, out);
  UserMsghdr m{};
  if (!hdr || hdr->fault() || !read_at(hdr->data, 0, m)) return addr_value(c.raw);
  const auto elems = c.ev.elements(hdr);
  // elements: the name, the iovec array, then one per iovec's data
  const Capture* name = elems.size() > 0 ? elems[0] : nullptr;
  const Capture* iovs = elems.size() > 1 ? elems[1] : nullptr;
  std::string s = "{msg_name=";
  if (!m.name) s += "NULL";
  else if (name && !name->fault() && !name->data.empty()) s += sockaddr_text(name->data, m.namelen);
  else s += hex_addr(m.name);
  s += fmt::format(", msg_namelen={}, msg_iov=", m.namelen);
  if (iovs && !iovs->fault()) {
    s += '[';
    size_t n = iovs->data.size() / 16;
    uint64_t left = out && c.ev.ret > 0 ? static_cast<uint64_t>(c.ev.ret) : ~uint64_t{0};
    for (size_t i = 0; i < n; ++i) {
      uint64_t base = 0, len = 0;
      read_at(iovs->data, i * 16, base);
      read_at(iovs->data, i * 16 + 8, len);
      if (i) s += ", ";
      const Capture* d = i + 2 < elems.size() ? elems[i + 2] : nullptr;
      s += "{iov_base=";
      if (d && !d->fault()) {
        uint64_t shown = std::min(len, left);
        std::string_view data = d->data.substr(0, std::min<uint64_t>(d->data.size(), string_limit()));
        s += quoted(data.substr(0, std::min<uint64_t>(data.size(), shown)), shown > data.size());
        left -= std::min(left, shown);
      } else {
        s += hex_addr(base);
      }
      s += fmt::format(", iov_len={}}}", len);
    }
    if (iovs->truncated()) s += ", ...";
    s += ']';
  } else {
    s += hex_addr(m.iov);
  }
  s += fmt::format(", msg_iovlen={}, msg_controllen={}, msg_flags={}}}", m.iovlen, m.controllen,
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
