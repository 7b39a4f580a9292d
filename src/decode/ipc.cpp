// SPDX-License-Identifier: Apache-2.0
// POSIX message queues.
#include <fcntl.h>
#include <fmt/format.h>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

// struct mq_attr of the kernel ABI (glibc's adds nothing but the same padding)
struct MqAttr {
  int64_t flags, maxmsg, msgsize, curmsgs, pad[4];
};
static_assert(sizeof(MqAttr) == 64);

// O_NONBLOCK is the only flag a queue keeps; other bits print in hex
constexpr FlagName kMqFlags[] = {{O_NONBLOCK, "O_NONBLOCK"}};

// {mq_flags=O_NONBLOCK, mq_maxmsg=10, mq_msgsize=8192, mq_curmsgs=0}
Value d_mq_attr(const ArgCtx& c) {
  MqAttr a{};
  if (!load_struct(c, a)) return addr_value(c.raw);
  return Value::sym(fmt::format("{{mq_flags={}, mq_maxmsg={}, mq_msgsize={}, mq_curmsgs={}}}",
                                flags_text(static_cast<uint64_t>(a.flags), kMqFlags), a.maxmsg,
                                a.msgsize, a.curmsgs));
}

}  // namespace

void register_ipc(Registry& r) { r.structure("mq_attr", d_mq_attr); }

}  // namespace sysgate::decode
