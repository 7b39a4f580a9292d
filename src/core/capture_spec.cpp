// SPDX-License-Identifier: Apache-2.0
#include <array>
#include <cstring>

#include "sysgate/capture.hpp"

namespace sysgate {

namespace {

struct StructSize {
  std::string_view type;
  size_t size;
};

// Sizes of the x86-64 user ABI structures (checked by static_asserts in the
// decoders that parse them, tests/unit/test_capture.cpp cross-checks).
constexpr std::array<StructSize, 18> kStructSizes = {{
    {"stat", 144},
    {"statx", 256},
    {"timespec", 16},
    {"timeval", 16},
    {"sigaction", 32},  // kernel k_sigaction: handler, flags, restorer, mask
    {"sigset", 8},
    {"epoll_event", 12},
    {"rlimit", 16},
    {"open_how", 24},
    {"clone_args", 88},
    {"perf_event_attr", 128},
    {"io_uring_params", 120},
    {"mq_attr", 64},
    {"int2", 8},
    {"wstatus", 4},
    {"loff", 8},
    {"int", 4},
    {"timex", 208},
}};

sg_cap_spec spec(uint8_t kind, uint8_t when, uint8_t len_src, int len_arg, uint16_t size,
                 uint16_t elem = 0) {
  sg_cap_spec s{};
  s.kind = kind;
  s.when = when;
  s.len_src = len_src;
  s.len_arg = static_cast<uint8_t>(len_arg < 0 ? 0 : len_arg);
  s.size = size;
  s.elem = elem;
  return s;
}

sg_cap_spec spec_for(const ArgSpec& a, const CaptureLimits& lim) {
  const std::string_view k = a.kind;
  const uint16_t buf = static_cast<uint16_t>(lim.buf_max);
  if (k == "path") return spec(SG_CK_STR, SG_AT_ENTER, SG_LEN_CONST, 0, uint16_t(lim.path_max));
  if (k == "str") return spec(SG_CK_STR, SG_AT_ENTER, SG_LEN_CONST, 0, uint16_t(lim.str_max));
  if (k == "bufin") return spec(SG_CK_BUF, SG_AT_ENTER, SG_LEN_ARG, a.param, buf);
  if (k == "bufout") return spec(SG_CK_BUF, SG_AT_EXIT, SG_LEN_RET, a.param, buf);
  if (k == "iovin") return spec(SG_CK_IOV, SG_AT_ENTER, SG_LEN_ARG, a.param, buf);
  if (k == "iovout") return spec(SG_CK_IOV, SG_AT_EXIT, SG_LEN_RET, a.param, buf);
  if (k == "iovaddr") return spec(SG_CK_BUF, SG_AT_ENTER, SG_LEN_ARG, a.param, 16 * SG_MAX_IOV, 16);
  if (k == "argv") return spec(SG_CK_STRARR, SG_AT_ENTER, SG_LEN_CONST, 0, uint16_t(lim.str_max));
  if (k == "envp") return spec(SG_CK_PTRARR, SG_AT_ENTER, SG_LEN_CONST, 0, 0);
  if (k == "sockaddr") return spec(SG_CK_BUF, SG_AT_ENTER, SG_LEN_ARG, a.param, 128);
  if (k == "sockaddr_out") return spec(SG_CK_BUF, SG_AT_EXIT, SG_LEN_ARGPTR, a.param, 128);
  if (k == "socklen") return spec(SG_CK_SOCKLEN, SG_AT_BOTH, SG_LEN_CONST, 0, 4);
  if (k == "msghdr_in") return spec(SG_CK_MSGHDR, SG_AT_ENTER, SG_LEN_CONST, 0, buf);
  if (k == "msghdr_out") return spec(SG_CK_MSGHDR, SG_AT_EXIT, SG_LEN_RET, 0, buf);
  if (k == "fdset") return spec(SG_CK_BUF, SG_AT_BOTH, SG_LEN_FDSET, a.param, 128);
  if (k == "pollfds") return spec(SG_CK_BUF, SG_AT_BOTH, SG_LEN_ARG, a.param, 8 * 16, 8);
  if (k == "dirents") return spec(SG_CK_BUF, SG_AT_EXIT, SG_LEN_RET, 2, 4096);
  if (k == "epoll_events_out") return spec(SG_CK_BUF, SG_AT_EXIT, SG_LEN_RET, 2, 12 * 16, 12);
  if (k == "in" || k == "out" || k == "inout") {
    size_t n = struct_size(a.type);
    if (n == 0) return {};
    uint8_t when = k == "in" ? SG_AT_ENTER : k == "out" ? SG_AT_EXIT : SG_AT_BOTH;
    return spec(SG_CK_BUF, when, SG_LEN_CONST, 0, uint16_t(n));
  }
  return {};
}

}  // namespace

size_t struct_size(std::string_view type) {
  for (const auto& s : kStructSizes)
    if (s.type == type) return s.size;
  return 0;
}

sg_sys_spec capture_spec(const SyscallInfo& info, const CaptureLimits& limits) {
  sg_sys_spec out;
  std::memset(&out, 0, sizeof out);
  if (info.ret_kind == "noreturn") out.flags |= SG_SYS_NORETURN;
  if (!info.args_known) return out;
  for (int i = 0; i < info.nargs && i < SG_NARGS; ++i) {
    out.cap[i] = spec_for(info.args[i], limits);
    if (out.cap[i].kind == SG_CK_NONE) continue;
    out.flags |= SG_SYS_CAPTURE;
    if (out.cap[i].when & SG_AT_EXIT) out.flags |= SG_SYS_EXIT_CAP;
  }
  return out;
}

}  // namespace sysgate
