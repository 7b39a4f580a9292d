// SPDX-License-Identifier: Apache-2.0
// select/poll/epoll and the time structs they take.
#include <fmt/format.h>

#include <algorithm>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

// fd_set bitmap at entry; the result after the call is the return value's business.
Value d_fdset(const ArgCtx& c) {
  if (c.raw == 0) return Value::sym("NULL");
  const Capture* cap = c.ev.find(c.index, false);
  if (!cap || cap->fault()) return addr_value(c.raw);
  int nfds = c.spec.param >= 0 && c.spec.param < 6 ? s32(c.ev.args[c.spec.param]) : 0;
  nfds = std::clamp(nfds, 0, static_cast<int>(cap->data.size() * 8));
  std::string s = "[";
  bool first = true;
  for (int fd = 0; fd < nfds; ++fd) {
    const auto byte = static_cast<unsigned char>(cap->data[static_cast<size_t>(fd / 8)]);
    if (!(byte & (1u << (fd % 8)))) continue;
    if (!first) s += ' ';
    first = false;
    s += fmt::format("{}", fd);
  }
  s += ']';
  return Value::sym(std::move(s));
}

constexpr FlagName kPollEvents[] = {
    {0x1, "POLLIN"},       {0x2, "POLLPRI"},      {0x4, "POLLOUT"},     {0x8, "POLLERR"},
    {0x10, "POLLHUP"},     {0x20, "POLLNVAL"},    {0x40, "POLLRDNORM"}, {0x80, "POLLRDBAND"},
    {0x100, "POLLWRNORM"}, {0x200, "POLLWRBAND"}, {0x400, "POLLMSG"},   {0x1000, "POLLREMOVE"},
    {0x2000, "POLLRDHUP"},
};

Value d_pollfds(const ArgCtx& c) {
  if (c.raw == 0) return Value::sym("NULL");
  const Capture* cap = c.ev.find(c.index, false);
  if (!cap || cap->fault()) return addr_value(c.raw);
  const uint64_t count = c.spec.param >= 0 && c.spec.param < 6 ? lo32(c.ev.args[c.spec.param]) : 0;
  const size_t have = cap->data.size() / 8;
  std::string s = "[";
  size_t i = 0;
  for (; i < have && i < count; ++i) {
    int32_t fd = 0;
    uint16_t events = 0;
    read_at(cap->data, i * 8, fd);
    read_at(cap->data, i * 8 + 4, events);
    if (i) s += ", ";
    s += fmt::format("{{fd={}, events={}}}", fd, flags_text(events, kPollEvents));
  }
  if (count > i) s += i ? ", ..." : "...";
  s += ']';
  return Value::sym(std::move(s));
}

constexpr FlagName kEpollOps[] = {{1, "EPOLL_CTL_ADD"}, {2, "EPOLL_CTL_DEL"}, {3, "EPOLL_CTL_MOD"}};

Value d_epoll_op(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kEpollOps)); }

constexpr FlagName kEpollCreateFlags[] = {{0x80000, "EPOLL_CLOEXEC"}};

Value d_epoll_create_flags(const ArgCtx& c) {
  return Value::sym(flags_text(lo32(c.raw), kEpollCreateFlags));
}

constexpr FlagName kEpollEvents[] = {
    {0x1, "EPOLLIN"},
    {0x2, "EPOLLPRI"},
    {0x4, "EPOLLOUT"},
    {0x8, "EPOLLERR"},
    {0x10, "EPOLLHUP"},
    {0x20, "EPOLLNVAL"},
    {0x40, "EPOLLRDNORM"},
    {0x80, "EPOLLRDBAND"},
    {0x100, "EPOLLWRNORM"},
    {0x200, "EPOLLWRBAND"},
    {0x400, "EPOLLMSG"},
    {0x2000, "EPOLLRDHUP"},
    {1u << 27, "EPOLL_URING_WAKE"},
    {1u << 28, "EPOLLEXCLUSIVE"},
    {1u << 29, "EPOLLWAKEUP"},
    {1u << 30, "EPOLLONESHOT"},
    {1u << 31, "EPOLLET"},
};

// x86-64's struct epoll_event is packed: u32 events, u64 data, 12 bytes.
constexpr size_t kEpollEventSize = 12;

std::string epoll_event_text(std::string_view bytes) {
  uint32_t events = 0;
  uint64_t data = 0;
  read_at(bytes, 0, events);
  read_at(bytes, 4, data);
  return fmt::format("{{events={}, data={{u32={}, u64={}}}}}", flags_text(events, kEpollEvents),
                     static_cast<uint32_t>(data), data);
}

Value s_epoll_event(const ArgCtx& c) {
  if (c.raw == 0) return Value::sym("NULL");
  const Capture* cap = struct_capture(c);
  if (!cap || cap->data.size() < kEpollEventSize) return addr_value(c.raw);
  return Value::sym(epoll_event_text(cap->data));
}

Value d_epoll_events_out(const ArgCtx& c) {
  if (!c.ev.has_exit || c.ev.failed()) return addr_value(c.raw);
  const Capture* cap = c.ev.find(c.index, true);
  if (!cap || cap->fault()) return c.ev.ret == 0 ? Value::sym("[]") : addr_value(c.raw);
  const uint64_t count = c.ev.ret > 0 ? static_cast<uint64_t>(c.ev.ret) : 0;
  const size_t have = cap->data.size() / kEpollEventSize;
  std::string s = "[";
  size_t i = 0;
  for (; i < have && i < count; ++i) {
    if (i) s += ", ";
    s += epoll_event_text(cap->data.substr(i * kEpollEventSize, kEpollEventSize));
  }
  if (count > i) s += i ? ", ..." : "...";
  s += ']';
  return Value::sym(std::move(s));
}

Value s_timespec(const ArgCtx& c) {
  int64_t t[2] = {};
  if (!load_struct(c, t)) return addr_value(c.raw);
  return Value::sym(fmt::format("{{tv_sec={}, tv_nsec={}}}", t[0], t[1]));
}

Value s_timeval(const ArgCtx& c) {
  int64_t t[2] = {};
  if (!load_struct(c, t)) return addr_value(c.raw);
  return Value::sym(fmt::format("{{tv_sec={}, tv_usec={}}}", t[0], t[1]));
}

}  // namespace

void register_poll(Registry& r) {
  r.kind("fdset", d_fdset);
  r.kind("pollfds", d_pollfds);
  r.kind("epoll_op", d_epoll_op);
  r.kind("epoll_create_flags", d_epoll_create_flags);
  r.kind("epoll_events_out", d_epoll_events_out);
  r.structure("epoll_event", s_epoll_event);
  r.structure("timespec", s_timespec);
  r.structure("timeval", s_timeval);
}

}  // namespace sysgate::decode
