// SPDX-License-Identifier: Apache-2.0
// Numbers, descriptors, strings, buffers, iovecs and string arrays.
#include <fmt/format.h>

#include <algorithm>

#include "decode/families.hpp"
#include "decode/util.hpp"
#include "sysgate_abi.h"

namespace sysgate::decode {

namespace {

constexpr int kAtFdcwd = -100;
constexpr size_t kMaxIov = SG_MAX_IOV;

bool named(const ArgCtx& c, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), c.spec.name) != names.end();
}

// "int" covers both C int and the kernel's loff_t/long offsets: only the
// offsets need all 64 bits, everything else is a 32-bit int with junk above.
Value d_int(const ArgCtx& c) {
  if (named(c, {"offset", "pos", "length", "off", "pos_l", "pos_h", "msgtyp"}))
    return Value::num(static_cast<int64_t>(c.raw));
  return Value::num(s32(c.raw));
}

// "uint" is mostly size_t; ids and flags are 32-bit, and -1 ids mean "unchanged".
Value d_uint(const ArgCtx& c) {
  if (named(c, {"user", "group", "uid", "gid", "ruid", "euid", "suid", "rgid", "egid", "sgid"})) {
    if (lo32(c.raw) == 0xffffffffu) return Value::num(-1);
    return Value::unum(lo32(c.raw));
  }
  if (named(c, {"flags", "at_flags", "cmd", "mask", "seconds", "personality", "mode"}))
    return Value::unum(lo32(c.raw));
  return Value::unum(c.raw);
}

Value d_hex(const ArgCtx& c) {
  // addresses given to the memory calls print as strace prints pointers
  if (c.raw == 0 && named(c, {"addr", "brk", "start", "new_addr", "shmaddr"}))
    return Value::sym("NULL");
  return Value::sym(hex(c.raw));
}

Value d_ptr(const ArgCtx& c) { return addr_value(c.raw); }

Value d_fd(const ArgCtx& c) { return Value::num(s32(c.raw)); }

Value d_dirfd(const ArgCtx& c) {
  if (s32(c.raw) == kAtFdcwd) return Value::sym("AT_FDCWD");
  return Value::num(s32(c.raw));
}

Value d_string(const ArgCtx& c) {
  if (c.raw == 0) return Value::sym("NULL");
  const Capture* cap = c.ev.find(c.index, false);
  if (!cap) cap = c.ev.find(c.index, true);
  if (!cap || cap->fault()) return addr_value(c.raw);
  return Value::str(cap->data, cap->truncated());
}

Value d_mode(const ArgCtx& c) { return Value::sym(octal_mode(lo32(c.raw))); }
Value d_mode_type(const ArgCtx& c) { return Value::sym(mode_type_text(lo32(c.raw))); }
Value d_dev(const ArgCtx& c) { return Value::sym(dev_text(lo32(c.raw))); }

// A buffer preview: at most string_limit() bytes, "..." when more existed.
Value preview(std::string_view data, uint64_t wanted, bool trunc_flag) {
  const size_t lim = string_limit();
  bool trunc = trunc_flag || wanted > data.size();
  if (data.size() > lim) {
    data = data.substr(0, lim);
    trunc = true;
  }
  return Value::str(data, trunc);
}

Value d_bufin(const ArgCtx& c) {
  const Capture* cap = c.ev.find(c.index, false);
  if (!cap || cap->fault()) return addr_value(c.raw);
  return preview(cap->data, cap->size, cap->truncated());
}

Value d_bufout(const ArgCtx& c) {
  if (!c.ev.has_exit || c.ev.failed()) return addr_value(c.raw);
  const Capture* cap = c.ev.find(c.index, true);
  if (!cap || cap->fault()) return addr_value(c.raw);
  uint64_t got = c.ev.ret > 0 ? static_cast<uint64_t>(c.ev.ret) : 0;
  std::string_view data = cap->data;
  // getcwd's length counts the NUL; strace shows the path without it
  if (c.info.name == "getcwd" && got > 0) {
    --got;
    if (data.size() > got) data = data.substr(0, got);
  }
  return preview(data, std::max<uint64_t>(got, data.size()), cap->truncated());
}

struct Iovec {
  uint64_t base;
  uint64_t len;
};

// iovin / iovout: [{iov_base="abc", iov_len=3}, ...]
Value d_iov(const ArgCtx& c, bool out) {
  if (c.raw == 0) return Value::sym("NULL");
  if (out && (!c.ev.has_exit || c.ev.failed())) return addr_value(c.raw);
  const Capture* arr = c.ev.find(c.index, out);
  if (!arr || arr->fault()) return addr_value(c.raw);
  const auto elems = c.ev.elements(arr);
  const uint64_t count =
      c.spec.param >= 0 && c.spec.param < 6 ? lo32(c.ev.args[c.spec.param]) : arr->size;
  const size_t have = std::min<size_t>(arr->data.size() / sizeof(Iovec), kMaxIov);
  // at exit only the first ret bytes were written, across the entries in order
  uint64_t left = out && c.ev.ret > 0 ? static_cast<uint64_t>(c.ev.ret) : 0;
  std::string s = "[";
  for (size_t i = 0; i < have && i < count; ++i) {
    Iovec v{};
    read_at(arr->data, i * sizeof(Iovec), v);
    if (i) s += ", ";
    s += "{iov_base=";
    const Capture* e = i < elems.size() ? elems[i] : nullptr;
    if (e && !e->fault()) {
      uint64_t wanted = v.len;
      if (out) {
        wanted = std::min(v.len, left);
        left -= wanted;
      }
      std::string_view data = e->data.substr(0, std::min<uint64_t>(e->data.size(), wanted));
      s += to_text(preview(data, wanted, e->truncated() && data.size() < wanted));
    } else {
      s += hex_addr(v.base);
      if (out) left -= std::min(v.len, left);
    }
    s += fmt::format(", iov_len={}}}", v.len);
  }
  if (count > have) s += have ? ", ..." : "...";
  s += ']';
  return Value::sym(std::move(s));
}

Value d_iovin(const ArgCtx& c) { return d_iov(c, false); }
Value d_iovout(const ArgCtx& c) { return d_iov(c, true); }

// process_vm_*'s remote iovecs: addresses in another process, not readable here.
Value d_iovaddr(const ArgCtx& c) {
  if (c.raw == 0) return Value::sym("NULL");
  const Capture* arr = c.ev.find(c.index, false);
  if (!arr || arr->fault()) return addr_value(c.raw);
  const uint64_t count = c.spec.param >= 0 && c.spec.param < 6 ? lo32(c.ev.args[c.spec.param])
                                                               : arr->data.size() / sizeof(Iovec);
  const size_t have = arr->data.size() / sizeof(Iovec);
  std::string s = "[";
  for (size_t i = 0; i < have && i < count; ++i) {
    Iovec v{};
    read_at(arr->data, i * sizeof(Iovec), v);
    if (i) s += ", ";
    s += fmt::format("{{iov_base={}, iov_len={}}}", hex_addr(v.base), v.len);
  }
  if (count > have) s += have ? ", ..." : "...";
  s += ']';
  return Value::sym(std::move(s));
}

Value d_argv(const ArgCtx& c) {
  if (c.raw == 0) return Value::sym("NULL");
  const Capture* arr = c.ev.find(c.index, false);
  if (!arr || arr->fault()) return addr_value(c.raw);
  std::string s = "[";
  bool first = true;
  for (const Capture* e : c.ev.elements(arr)) {
    if (!first) s += ", ";
    first = false;
    // an unreadable element's address is not in the capture
    s += e->fault() ? std::string("???") : quoted(e->data, e->truncated());
  }
  if (arr->truncated()) s += first ? "..." : ", ...";
  s += ']';
  return Value::sym(std::move(s));
}

Value d_envp(const ArgCtx& c) {
  if (c.raw == 0) return Value::sym("NULL");
  const Capture* arr = c.ev.find(c.index, false);
  if (!arr || arr->fault()) return addr_value(c.raw);
  return Value::sym(fmt::format("{} /* {}{} var{} */", hex_addr(c.raw), arr->size,
                                arr->truncated() ? "+" : "", arr->size == 1 ? "" : "s"));
}

}  // namespace

void register_generic(Registry& r) {
  r.kind("int", d_int);
  r.kind("uint", d_uint);
  r.kind("hex", d_hex);
  r.kind("ptr", d_ptr);
  r.kind("fd", d_fd);
  r.kind("dirfd", d_dirfd);
  r.kind("pid", d_fd);
  r.kind("path", d_string);
  r.kind("str", d_string);
  r.kind("mode", d_mode);
  r.kind("mode_type", d_mode_type);
  r.kind("dev", d_dev);
  r.kind("bufin", d_bufin);
  r.kind("bufout", d_bufout);
  r.kind("iovin", d_iovin);
  r.kind("iovout", d_iovout);
  r.kind("iovaddr", d_iovaddr);
  r.kind("argv", d_argv);
  r.kind("envp", d_envp);
}

}  // namespace sysgate::decode
