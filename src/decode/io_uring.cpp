// SPDX-License-Identifier: Apache-2.0
// io_uring_setup/enter/register.
#include <fmt/format.h>
#include <linux/io_uring.h>

#include "decode/families.hpp"
#include "decode/util.hpp"

// Newer than Debian 12's headers (upstream values).
#ifndef IORING_SETUP_NO_MMAP
#define IORING_SETUP_NO_MMAP (1U << 14)
#endif
#ifndef IORING_SETUP_REGISTERED_FD_ONLY
#define IORING_SETUP_REGISTERED_FD_ONLY (1U << 15)
#endif
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)
#endif
#ifndef IORING_SETUP_HYBRID_IOPOLL
#define IORING_SETUP_HYBRID_IOPOLL (1U << 17)
#endif
#ifndef IORING_FEAT_REG_REG_RING
#define IORING_FEAT_REG_REG_RING (1U << 13)
#endif
#ifndef IORING_FEAT_RECVSEND_BUNDLE
#define IORING_FEAT_RECVSEND_BUNDLE (1U << 14)
#endif
#ifndef IORING_FEAT_MIN_TIMEOUT
#define IORING_FEAT_MIN_TIMEOUT (1U << 15)
#endif
#ifndef IORING_FEAT_RW_ATTR
#define IORING_FEAT_RW_ATTR (1U << 16)
#endif
#ifndef IORING_FEAT_NO_IOWAIT
#define IORING_FEAT_NO_IOWAIT (1U << 17)
#endif
#ifndef IORING_ENTER_ABS_TIMER
#define IORING_ENTER_ABS_TIMER (1U << 5)
#endif
#ifndef IORING_ENTER_EXT_ARG_REG
#define IORING_ENTER_EXT_ARG_REG (1U << 6)
#endif
#ifndef IORING_ENTER_NO_IOWAIT
#define IORING_ENTER_NO_IOWAIT (1U << 7)
#endif
#ifndef IORING_REGISTER_USE_REGISTERED_RING
#define IORING_REGISTER_USE_REGISTERED_RING (1U << 31)
#endif

namespace sysgate::decode {

namespace {

constexpr FlagName kSetupFlags[] = {
    {IORING_SETUP_IOPOLL, "IORING_SETUP_IOPOLL"},
    {IORING_SETUP_SQPOLL, "IORING_SETUP_SQPOLL"},
    {IORING_SETUP_SQ_AFF, "IORING_SETUP_SQ_AFF"},
    {IORING_SETUP_CQSIZE, "IORING_SETUP_CQSIZE"},
    {IORING_SETUP_CLAMP, "IORING_SETUP_CLAMP"},
    {IORING_SETUP_ATTACH_WQ, "IORING_SETUP_ATTACH_WQ"},
    {IORING_SETUP_R_DISABLED, "IORING_SETUP_R_DISABLED"},
    {IORING_SETUP_SUBMIT_ALL, "IORING_SETUP_SUBMIT_ALL"},
    {IORING_SETUP_COOP_TASKRUN, "IORING_SETUP_COOP_TASKRUN"},
    {IORING_SETUP_TASKRUN_FLAG, "IORING_SETUP_TASKRUN_FLAG"},
    {IORING_SETUP_SQE128, "IORING_SETUP_SQE128"},
    {IORING_SETUP_CQE32, "IORING_SETUP_CQE32"},
    {IORING_SETUP_SINGLE_ISSUER, "IORING_SETUP_SINGLE_ISSUER"},
    {IORING_SETUP_DEFER_TASKRUN, "IORING_SETUP_DEFER_TASKRUN"},
    {IORING_SETUP_NO_MMAP, "IORING_SETUP_NO_MMAP"},
    {IORING_SETUP_REGISTERED_FD_ONLY, "IORING_SETUP_REGISTERED_FD_ONLY"},
    {IORING_SETUP_NO_SQARRAY, "IORING_SETUP_NO_SQARRAY"},
    {IORING_SETUP_HYBRID_IOPOLL, "IORING_SETUP_HYBRID_IOPOLL"},
};

constexpr FlagName kFeatures[] = {
    {IORING_FEAT_SINGLE_MMAP, "IORING_FEAT_SINGLE_MMAP"},
    {IORING_FEAT_NODROP, "IORING_FEAT_NODROP"},
    {IORING_FEAT_SUBMIT_STABLE, "IORING_FEAT_SUBMIT_STABLE"},
    {IORING_FEAT_RW_CUR_POS, "IORING_FEAT_RW_CUR_POS"},
    {IORING_FEAT_CUR_PERSONALITY, "IORING_FEAT_CUR_PERSONALITY"},
    {IORING_FEAT_FAST_POLL, "IORING_FEAT_FAST_POLL"},
    {IORING_FEAT_POLL_32BITS, "IORING_FEAT_POLL_32BITS"},
    {IORING_FEAT_SQPOLL_NONFIXED, "IORING_FEAT_SQPOLL_NONFIXED"},
    {IORING_FEAT_EXT_ARG, "IORING_FEAT_EXT_ARG"},
    {IORING_FEAT_NATIVE_WORKERS, "IORING_FEAT_NATIVE_WORKERS"},
    {IORING_FEAT_RSRC_TAGS, "IORING_FEAT_RSRC_TAGS"},
    {IORING_FEAT_CQE_SKIP, "IORING_FEAT_CQE_SKIP"},
    {IORING_FEAT_LINKED_FILE, "IORING_FEAT_LINKED_FILE"},
    {IORING_FEAT_REG_REG_RING, "IORING_FEAT_REG_REG_RING"},
    {IORING_FEAT_RECVSEND_BUNDLE, "IORING_FEAT_RECVSEND_BUNDLE"},
    {IORING_FEAT_MIN_TIMEOUT, "IORING_FEAT_MIN_TIMEOUT"},
    {IORING_FEAT_RW_ATTR, "IORING_FEAT_RW_ATTR"},
    {IORING_FEAT_NO_IOWAIT, "IORING_FEAT_NO_IOWAIT"},
};

constexpr FlagName kEnterFlags[] = {
    {IORING_ENTER_GETEVENTS, "IORING_ENTER_GETEVENTS"},
    {IORING_ENTER_SQ_WAKEUP, "IORING_ENTER_SQ_WAKEUP"},
    {IORING_ENTER_SQ_WAIT, "IORING_ENTER_SQ_WAIT"},
    {IORING_ENTER_EXT_ARG, "IORING_ENTER_EXT_ARG"},
    {IORING_ENTER_REGISTERED_RING, "IORING_ENTER_REGISTERED_RING"},
    {IORING_ENTER_ABS_TIMER, "IORING_ENTER_ABS_TIMER"},
    {IORING_ENTER_EXT_ARG_REG, "IORING_ENTER_EXT_ARG_REG"},
    {IORING_ENTER_NO_IOWAIT, "IORING_ENTER_NO_IOWAIT"},
};

// The opcodes are enumerators, not macros: the ones after 6.1 are written as
// their upstream numbers.
constexpr FlagName kRegisterOps[] = {
    {IORING_REGISTER_BUFFERS, "IORING_REGISTER_BUFFERS"},
    {IORING_UNREGISTER_BUFFERS, "IORING_UNREGISTER_BUFFERS"},
    {IORING_REGISTER_FILES, "IORING_REGISTER_FILES"},
    {IORING_UNREGISTER_FILES, "IORING_UNREGISTER_FILES"},
    {IORING_REGISTER_EVENTFD, "IORING_REGISTER_EVENTFD"},
    {IORING_UNREGISTER_EVENTFD, "IORING_UNREGISTER_EVENTFD"},
    {IORING_REGISTER_FILES_UPDATE, "IORING_REGISTER_FILES_UPDATE"},
    {IORING_REGISTER_EVENTFD_ASYNC, "IORING_REGISTER_EVENTFD_ASYNC"},
    {IORING_REGISTER_PROBE, "IORING_REGISTER_PROBE"},
    {IORING_REGISTER_PERSONALITY, "IORING_REGISTER_PERSONALITY"},
    {IORING_UNREGISTER_PERSONALITY, "IORING_UNREGISTER_PERSONALITY"},
    {IORING_REGISTER_RESTRICTIONS, "IORING_REGISTER_RESTRICTIONS"},
    {IORING_REGISTER_ENABLE_RINGS, "IORING_REGISTER_ENABLE_RINGS"},
    {IORING_REGISTER_FILES2, "IORING_REGISTER_FILES2"},
    {IORING_REGISTER_FILES_UPDATE2, "IORING_REGISTER_FILES_UPDATE2"},
    {IORING_REGISTER_BUFFERS2, "IORING_REGISTER_BUFFERS2"},
    {IORING_REGISTER_BUFFERS_UPDATE, "IORING_REGISTER_BUFFERS_UPDATE"},
    {IORING_REGISTER_IOWQ_AFF, "IORING_REGISTER_IOWQ_AFF"},
    {IORING_UNREGISTER_IOWQ_AFF, "IORING_UNREGISTER_IOWQ_AFF"},
    {IORING_REGISTER_IOWQ_MAX_WORKERS, "IORING_REGISTER_IOWQ_MAX_WORKERS"},
    {IORING_REGISTER_RING_FDS, "IORING_REGISTER_RING_FDS"},
    {IORING_UNREGISTER_RING_FDS, "IORING_UNREGISTER_RING_FDS"},
    {IORING_REGISTER_PBUF_RING, "IORING_REGISTER_PBUF_RING"},
    {IORING_UNREGISTER_PBUF_RING, "IORING_UNREGISTER_PBUF_RING"},
    {IORING_REGISTER_SYNC_CANCEL, "IORING_REGISTER_SYNC_CANCEL"},
    {IORING_REGISTER_FILE_ALLOC_RANGE, "IORING_REGISTER_FILE_ALLOC_RANGE"},
    {26, "IORING_REGISTER_PBUF_STATUS"},
    {27, "IORING_REGISTER_NAPI"},
    {28, "IORING_UNREGISTER_NAPI"},
    {29, "IORING_REGISTER_CLOCK"},
    {30, "IORING_REGISTER_CLONE_BUFFERS"},
    {31, "IORING_REGISTER_SEND_MSG_RING"},
    {32, "IORING_REGISTER_ZCRX_IFQ"},
    {33, "IORING_REGISTER_RESIZE_RINGS"},
    {34, "IORING_REGISTER_MEM_REGION"},
};

// The kernel ABI layout (120 bytes), spelled out so newer fields (user_addr)
// exist whatever the installed header has.
struct RingOffsets {
  uint32_t a[7];  // sq: head tail ring_mask ring_entries flags dropped array
                  // cq: head tail ring_mask ring_entries overflow cqes flags
  uint32_t resv1;
  uint64_t user_addr;
};
struct UringParams {
  uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
  uint32_t resv[3];
  RingOffsets sq_off, cq_off;
};
static_assert(sizeof(UringParams) == 120 && sizeof(UringParams) == sizeof(io_uring_params));

std::string offsets_text(const RingOffsets& o, const char* const (&names)[7]) {
  std::string s = "{";
  for (int i = 0; i < 7; ++i) s += fmt::format("{}{}={}", i ? ", " : "", names[i], o.a[i]);
  if (o.resv1) s += fmt::format(", resv1={:#x}", o.resv1);
  if (o.user_addr) s += fmt::format(", user_addr={:#x}", o.user_addr);
  return s + "}";
}

// As strace: the inputs (flags, sq_thread_*, wq_fd) from the entry, then what the
// kernel filled in when the struct was also read back at exit (inout schema).
Value d_io_uring_params(const ArgCtx& c) {
  const Capture* in = c.ev.find(c.index, false);
  const Capture* out = c.ev.has_exit && !c.ev.failed() ? c.ev.find(c.index, true) : nullptr;
  UringParams p{}, q{};
  const bool hp = in && !in->fault() && read_at(in->data, 0, p);
  const bool hq = out && !out->fault() && read_at(out->data, 0, q);
  if (!hp && !hq) return addr_value(c.raw);
  if (!hp) p = q;
  std::string s =
      fmt::format("{{flags={}, sq_thread_cpu={}, sq_thread_idle={}",
                  flags_text(p.flags, kSetupFlags), hex(p.sq_thread_cpu), p.sq_thread_idle);
  if (p.flags & IORING_SETUP_ATTACH_WQ)
    s += fmt::format(", wq_fd={}", static_cast<int32_t>(p.wq_fd));
  if (p.resv[0] || p.resv[1] || p.resv[2])
    s += fmt::format(", resv=[{:#x}, {:#x}, {:#x}]", p.resv[0], p.resv[1], p.resv[2]);
  if (hq) {
    static constexpr const char* kSq[7] = {"head",  "tail",    "ring_mask", "ring_entries",
                                           "flags", "dropped", "array"};
    static constexpr const char* kCq[7] = {"head",     "tail", "ring_mask", "ring_entries",
                                           "overflow", "cqes", "flags"};
    s += fmt::format(", sq_entries={}, cq_entries={}, features={}, sq_off={}, cq_off={}",
                     q.sq_entries, q.cq_entries, flags_text(q.features, kFeatures),
                     offsets_text(q.sq_off, kSq), offsets_text(q.cq_off, kCq));
  }
  return Value::sym(s + "}");
}

Value d_enter_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kEnterFlags)); }

// IORING_REGISTER_USE_REGISTERED_RING|IORING_REGISTER_BUFFERS: the high bit says
// the fd argument is a registered ring index.
Value d_register_op(const ArgCtx& c) {
  const uint32_t v = lo32(c.raw);
  const uint32_t op = v & ~IORING_REGISTER_USE_REGISTERED_RING;
  std::string s = enum_text(op, kRegisterOps);
  if (v & IORING_REGISTER_USE_REGISTERED_RING) s = "IORING_REGISTER_USE_REGISTERED_RING|" + s;
  return Value::sym(std::move(s));
}

}  // namespace

void register_io_uring(Registry& r) {
  r.structure("io_uring_params", d_io_uring_params);
  r.kind("io_uring_enter_flags", d_enter_flags);
  r.kind("io_uring_register_op", d_register_op);
}

}  // namespace sysgate::decode
