// SPDX-License-Identifier: Apache-2.0
// Builds SyscallEvents by hand for decoder tests:
//   EventBuilder b("openat");
//   b.arg(0, -100).arg(1, 0x1000).str_cap(1, "/etc/hostname").arg(2, O_RDONLY).ret(3);
//   EXPECT_EQ(line(b.build()), "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3");
// Captures go through SyscallEvent::add_captures in the ABI format, as the backend's do.
#pragma once

#include <concepts>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include "sysgate/decode.hpp"
#include "sysgate/event.hpp"
#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace sysgate::testing {

class EventBuilder {
 public:
  explicit EventBuilder(std::string_view name) {
    const SyscallInfo* s = syscall_by_name(name);
    if (!s) throw std::invalid_argument("unknown syscall " + std::string(name));
    ev_.nr = s->nr;
    ev_.has_enter = true;
    ev_.tgid = ev_.tid = 1234;
    ev_.comm = "test";
  }

  // Any integer; signed values are sign-extended as a register would hold them.
  template <std::integral T>
  EventBuilder& arg(int i, T v) {
    if constexpr (std::is_signed_v<T>)
      ev_.args[i] = static_cast<uint64_t>(static_cast<int64_t>(v));
    else
      ev_.args[i] = static_cast<uint64_t>(v);
    return *this;
  }

  // The call returned r (-errno for failures).
  EventBuilder& ret(int64_t r) {
    ev_.has_exit = true;
    ev_.ret = r;
    return *this;
  }
  // No entry record was seen (a "resumed" line).
  EventBuilder& no_enter() {
    ev_.has_enter = false;
    return *this;
  }

  // Any capture record. size is the sg_cap size field (wanted length, count ...).
  EventBuilder& cap(int arg, uint8_t kind, std::string_view data, uint64_t size = 0,
                    uint8_t flags = 0, bool at_exit = false) {
    sg_cap h{};
    h.arg = static_cast<uint8_t>(arg);
    h.kind = kind;
    h.flags = static_cast<uint8_t>(flags & ~SG_CF_EXIT);
    h.len = static_cast<uint32_t>(data.size());
    h.size = size;
    std::string& rec = at_exit ? exit_ : enter_;
    rec.append(reinterpret_cast<const char*>(&h), sizeof h);
    rec.append(data);
    rec.resize((rec.size() + 7) & ~size_t{7}, '\0');
    ++(at_exit ? nexit_ : nenter_);
    return *this;
  }
  // A string at entry (path, str kinds).
  EventBuilder& str_cap(int arg, std::string_view s, bool truncated = false) {
    return cap(arg, SG_CK_STR, s, s.size(), truncated ? SG_CF_TRUNC : 0);
  }
  // A buffer; size = the wanted length (defaults to the data's).
  EventBuilder& buf_cap(int arg, std::string_view bytes, bool at_exit = false,
                        uint64_t size = UINT64_MAX, uint8_t flags = 0) {
    return cap(arg, SG_CK_BUF, bytes, size == UINT64_MAX ? bytes.size() : size, flags, at_exit);
  }
  // A struct (in:/out: kinds) by value.
  template <class T>
  EventBuilder& struct_cap(int arg, const T& v, bool at_exit = false) {
    return buf_cap(arg, std::string_view(reinterpret_cast<const char*>(&v), sizeof v), at_exit);
  }
  // Unreadable memory.
  EventBuilder& fault_cap(int arg, uint8_t kind = SG_CK_BUF, bool at_exit = false) {
    return cap(arg, kind, {}, 0, SG_CF_FAULT, at_exit);
  }
  // An element of the preceding IOV/STRARR/MSGHDR capture.
  EventBuilder& elem_cap(int arg, uint8_t kind, std::string_view data, uint64_t size,
                         bool at_exit = false, uint8_t flags = 0) {
    return cap(arg, kind, data, size, static_cast<uint8_t>(flags | SG_CF_ELEM), at_exit);
  }

  SyscallEvent build() const {
    SyscallEvent ev = ev_;
    ev.add_captures(enter_.data(), enter_.size(), nenter_, false);
    ev.add_captures(exit_.data(), exit_.size(), nexit_, true);
    return ev;
  }

 private:
  SyscallEvent ev_;
  std::string enter_, exit_;
  unsigned nenter_ = 0, nexit_ = 0;
};

// "name(arg, arg) = ret", as the text output prints it (without pid and time).
inline std::string line(const SyscallEvent& ev) {
  const SyscallInfo* s = syscall_by_nr(ev.nr);
  std::string out = s ? std::string(s->name) : "syscall_" + std::to_string(ev.nr);
  out += '(';
  auto args = decode::decode_args(ev);
  for (size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    out += decode::to_text(args[i]);
  }
  out += ") = ";
  out += decode::ret_text(ev);
  return out;
}

// The text of one decoded argument.
inline std::string arg_text(const SyscallEvent& ev, size_t i) {
  auto args = decode::decode_args(ev);
  return i < args.size() ? decode::to_text(args[i]) : std::string("<missing>");
}

}  // namespace sysgate::testing
