// SPDX-License-Identifier: Apache-2.0
// The kind -> decoder tables, argument decoding and the result text.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <unordered_map>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

class MapRegistry final : public Registry {
 public:
  MapRegistry() {
    kind("in", &decode_struct_arg);
    kind("out", &decode_struct_arg);
    kind("inout", &decode_struct_arg);
    register_generic(*this);
    register_file(*this);
    register_memory(*this);
    register_process(*this);
    register_signal(*this);
    register_poll(*this);
    register_net(*this);
    register_ipc(*this);
    register_io_uring(*this);
    register_misc(*this);
  }

  void kind(std::string_view name, ArgDecoder fn) override { kinds_[std::string(name)] = fn; }
  void structure(std::string_view type, ArgDecoder fn) override {
    structs_[std::string(type)] = fn;
  }

  ArgDecoder find_kind(std::string_view name) const { return find(kinds_, name); }
  ArgDecoder find_struct(std::string_view type) const { return find(structs_, type); }

  std::vector<std::string_view> kind_names() const { return names(kinds_); }
  std::vector<std::string_view> struct_names() const { return names(structs_); }

 private:
  using Map = std::unordered_map<std::string, ArgDecoder>;

  static ArgDecoder find(const Map& m, std::string_view name) {
    auto it = m.find(std::string(name));
    return it == m.end() ? nullptr : it->second;
  }
  static std::vector<std::string_view> names(const Map& m) {
    std::vector<std::string_view> out;
    out.reserve(m.size());
    for (const auto& [k, v] : m) out.emplace_back(k);
    std::sort(out.begin(), out.end());
    return out;
  }

  // in:T / out:T / inout:T: what strace prints before looking at the struct.
  static Value decode_struct_arg(const ArgCtx& c) {
    if (c.raw == 0) return Value::sym("NULL");
    // Nothing was written by a call that failed or has not returned.
    if (c.spec.kind == "out" && (!c.ev.has_exit || c.ev.failed())) return addr_value(c.raw);
    if (!struct_capture(c)) return addr_value(c.raw);
    ArgDecoder fn = registry_struct(c.spec.type);
    if (!fn) return addr_value(c.raw);
    return fn(c);
  }

  static ArgDecoder registry_struct(std::string_view type);

  Map kinds_;
  Map structs_;
};

const MapRegistry& registry() {
  static const MapRegistry r;
  return r;
}

ArgDecoder MapRegistry::registry_struct(std::string_view type) {
  return registry().find_struct(type);
}

// Arguments of unknown kind: small numbers in decimal, the rest look like addresses.
Value fallback(uint64_t raw) {
  auto v = static_cast<int64_t>(raw);
  if (v > -4096 && v < 0x10000) return Value::num(v);
  return Value::sym(hex(raw));
}

Value call_decoder(ArgDecoder fn, const ArgCtx& c) {
  try {
    return fn(c);
  } catch (...) {
    // A decoder bug must not take the trace down: fall back to the raw value.
    return fallback(c.raw);
  }
}

// Calls whose argument list strace shortens or reinterprets depending on another argument.
void adjust(const SyscallEvent& ev, const SyscallInfo& info, std::vector<Value>& args) {
  const std::string_view name = info.name;
  if (name == "open" || name == "openat" || name == "mq_open") {
    // mode (and mq_attr) mean nothing unless a file may be created
    int flags_arg = name == "openat" ? 2 : 1;
    constexpr uint32_t kCreat = 0100, kTmpfile = 020000000;
    uint32_t flags = lo32(ev.args[flags_arg]);
    if (!(flags & kCreat) && !((flags & kTmpfile) == kTmpfile) &&
        args.size() > size_t(flags_arg + 1))
      args.resize(static_cast<size_t>(flags_arg + 1));
  } else if (name == "fcntl" && args.size() == 3) {
    const int cmd = s32(ev.args[1]);
    const uint64_t arg = ev.args[2];
    switch (cmd) {
      case 1:
      case 3:
      case 9:
      case 11:
      case 1025:
      case 1032:
      case 1034:
      case 1035:
      case 1037:
        args.resize(2);  // F_GET*: no argument
        break;
      case 2:  // F_SETFD
        args[2] = Value::sym(lo32(arg) == 1 ? "FD_CLOEXEC" : flags_text(lo32(arg), {}, "0"));
        break;
      case 4: {  // F_SETFL
        ArgSpec spec{"arg", "oflags", "", -1};
        ArgCtx c{ev, info, 2, spec, arg};
        if (ArgDecoder fn = decoder_for_kind("oflags")) args[2] = call_decoder(fn, c);
        break;
      }
      case 5:
      case 6:
      case 7:
      case 15:
      case 16:
      case 36:
      case 37:
      case 38:
      case 1038:
        args[2] = addr_value(arg);  // struct pointers
        break;
      default:
        args[2] = Value::num(s32(arg));
    }
  }
}

}  // namespace

bool returns_fd(const SyscallEvent& ev) {
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (!info) return false;
  if (info->ret_kind == "fd") return true;
  // F_DUPFD and F_DUPFD_CLOEXEC return a descriptor; every other fcntl a number
  const int cmd = s32(ev.args[1]);
  return info->name == "fcntl" && (cmd == 0 || cmd == 1030);
}

bool is_fd_arg(const SyscallInfo& info, int index) {
  if (index < 0 || index >= info.nargs) return false;
  const std::string_view kind = info.args[index].kind;
  if (kind == "fd" || kind == "dirfd") return true;
  // descriptors the schema types as plain numbers
  const std::string_view name = info.name;
  return index == 0 && (name == "dup" || name == "fanotify_mark" || name == "landlock_add_rule" ||
                        name == "landlock_restrict_self" || name == "open_by_handle_at");
}

ArgDecoder decoder_for_kind(std::string_view kind) { return registry().find_kind(kind); }
ArgDecoder decoder_for_struct(std::string_view type) { return registry().find_struct(type); }
std::vector<std::string_view> known_kinds() { return registry().kind_names(); }
std::vector<std::string_view> known_structs() { return registry().struct_names(); }

std::vector<Value> decode_args(const SyscallEvent& ev, FdNames* fds) {
  std::vector<Value> out;
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  if (!info || !info->args_known) {
    out.reserve(6);
    for (uint64_t a : ev.args) out.push_back(Value::sym(hex(a)));
    return out;
  }
  out.reserve(info->nargs);
  for (int i = 0; i < info->nargs && i < 6; ++i) {
    const ArgSpec& spec = info->args[i];
    ArgCtx c{ev, *info, i, spec, ev.args[i], fds};
    ArgDecoder fn = decoder_for_kind(spec.kind);
    out.push_back(fn ? call_decoder(fn, c) : fallback(c.raw));
  }
  adjust(ev, *info, out);
  if (fds)
    for (size_t i = 0; i < out.size(); ++i) {
      Value& v = out[i];
      if (v.type == Value::Type::Int && v.i >= 0 && is_fd_arg(*info, static_cast<int>(i)))
        v.fd_name = i == 1 && (info->name == "dup2" || info->name == "dup3")
                        ? fds->replaced_fd_name(ev.tgid, static_cast<int>(v.i))
                        : fds->fd_name(ev.tgid, static_cast<int>(v.i));
    }
  return out;
}

std::string call_text(const SyscallEvent& ev, FdNames* fds) {
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  std::string out = info ? std::string(info->name) : fmt::format("syscall_{}", ev.nr);
  out += '(';
  if (ev.has_enter) {
    auto args = decode_args(ev, fds);
    for (size_t i = 0; i < args.size(); ++i) {
      if (i) out += ", ";
      append_text(args[i], out);
    }
  }
  out += ')';
  if (ev.has_exit) {
    out += " = ";
    out += ret_text(ev, fds);
    if (ev.injected) out += " (INJECTED)";
  }
  return out;
}

std::string ret_text(const SyscallEvent& ev, FdNames* fds) {
  const SyscallInfo* info = syscall_by_nr(ev.nr);
  const std::string_view kind = info ? info->ret_kind : std::string_view("int");
  // an exit_group that returns: one whose result was injected (-e inject=)
  if ((kind == "noreturn" && !ev.injected) || !ev.has_exit) return "?";
  if (ev.failed()) {
    const int err = static_cast<int>(-ev.ret);
    const auto name = errno_name(err);
    if (name.empty()) return fmt::format("-1 E??? (errno {})", err);
    // The restart codes never reach the program: the call is restarted or
    // interrupted, so strace prints no -1 for them.
    const bool restart = err == 512 || err == 513 || err == 514 || err == 516;
    return fmt::format("{} {} ({})", restart ? "?" : "-1", name, errno_desc(err));
  }
  if (kind == "hex") return hex(static_cast<uint64_t>(ev.ret));
  if (fds && returns_fd(ev)) {
    std::string name = fds->result_name(ev);
    if (!name.empty()) return fmt::format("{}<{}>", ev.ret, name);
  }
  return fmt::format("{}", ev.ret);
}

}  // namespace sysgate::decode
