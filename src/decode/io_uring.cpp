// SPDX-License-Identifier: Apache-2.0
// io_uring_setup/enter/register.
#include <linux/io_uring.h>

#include <fmt/format.h>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

constexpr FlagName kSetupFlags[] = {
    {1u << 0, "IORING_SETUP_IOPOLL"},     {1u << 1, "IORING_SETUP_SQPOLL"},
    {1u << 2, "IORING_SETUP_SQ_AFF"},     {1u << 3, "IORING_SETUP_CQSIZE"},
    {1u << 4, "IORING_SETUP_CLAMP"},      {1u << 5, "IORING_SETUP_ATTACH_WQ"},
    {1u << 6, "IORING_SETUP_R_DISABLED"}, {1u << 7, "IORING_SETUP_SUBMIT_ALL"},
    {1u << 8, "IORING_SETUP_COOP_TASKRUN"}, {1u << 9, "IORING_SETUP_TASKRUN_FLAG"},
    {1u << 10, "IORING_SETUP_SQE128"},    {1u << 11, "IORING_SETUP_CQE32"},
    {1u << 12, "IORING_SETUP_SINGLE_ISSUER"}, {1u << 13, "IORING_SETUP_DEFER_TASKRUN"},
    {1u << 14, "IORING_SETUP_NO_MMAP"},   {1u << 15, "IORING_SETUP_REGISTERED_FD_ONLY"},
    {1u << 16, "IORING_SETUP_NO_SQARRAY"},
};

constexpr FlagName kFeatures[] = {
    {1u << 0, "IORING_FEAT_SINGLE_MMAP"}, {1u << 1, "IORING_FEAT_NODROP"},
    {1u << 2, "IORING_FEAT_SUBMIT_STABLE"}, {1u << 3, "IORING_FEAT_RW_CUR_POS"},
    {1u << 4, "IORING_FEAT_CUR_PERSONALITY"}, {1u << 5, "IORING_FEAT_FAST_POLL"},
    {1u << 6, "IORING_FEAT_POLL_32BITS"}, {1u << 7, "IORING_FEAT_SQPOLL_NONFIXED"},
    {1u << 8, "IORING_FEAT_EXT_ARG"},     {1u << 9, "IORING_FEAT_NATIVE_WORKERS"},
    {1u << 10, "IORING_FEAT_RSRC_TAGS"},  {1u << 11, "IORING_FEAT_CQE_SKIP"},
    {1u << 12, "IORING_FEAT_LINKED_FILE"}, {1u << 13, "IORING_FEAT_REG_REG_RING"},
};

constexpr FlagName kEnterFlags[] = {
    {1u << 0, "IORING_ENTER_GETEVENTS"}, {1u << 1, "IORING_ENTER_SQ_WAKEUP"},
    {1u << 2, "IORING_ENTER_SQ_WAIT"},   {1u << 3, "IORING_ENTER_EXT_ARG"},
    {1u << 4, "IORING_ENTER_REGISTERED_RING"},
};

constexpr FlagName kRegisterOps[] = {
    {0, "IORING_REGISTER_BUFFERS"},       {1, "IORING_UNREGISTER_BUFFERS"},
    {2, "IORING_REGISTER_FILES"},         {3, "IORING_UNREGISTER_FILES"},
    {4, "IORING_REGISTER_EVENTFD"},       {5, "IORING_UNREGISTER_EVENTFD"},
    {6, "IORING_REGISTER_FILES_UPDATE"},  {7, "IORING_REGISTER_EVENTFD_ASYNC"},
    {8, "IORING_REGISTER_PROBE"},         {9, "IORING_REGISTER_PERSONALITY"},
    {10, "IORING_UNREGISTER_PERSONALITY"}, {11, "IORING_REGISTER_RESTRICTIONS"},
    {12, "IORING_REGISTER_ENABLE_RINGS"}, {13, "IORING_REGISTER_FILES2"},
    {14, "IORING_REGISTER_FILES_UPDATE2"}, {15, "IORING_REGISTER_BUFFERS2"},
    {16, "IORING_REGISTER_BUFFERS_UPDATE"}, {17, "IORING_REGISTER_IOWQ_AFF"},
    {18, "IORING_UNREGISTER_IOWQ_AFF"},   {19, "IORING_REGISTER_IOWQ_MAX_WORKERS"},
    {20, "IORING_REGISTER_RING_FDS"},     {21, "IORING_UNREGISTER_RING_FDS"},
    {22, "IORING_REGISTER_PBUF_RING"},    {23, "IORING_UNREGISTER_PBUF_RING"},
    {24, "IORING_REGISTER_SYNC_CANCEL"},  {25, "IORING_REGISTER_FILE_ALLOC_RANGE"},
    {26, "IORING_REGISTER_PBUF_STATUS"},  {27, "IORING_REGISTER_NAPI"},
    {28, "IORING_UNREGISTER_NAPI"},
};

// at entry only flags, sq_thread_cpu/idle, cq_entries (with CQSIZE) and wq_fd are inputs
Value d_io_uring_params(const ArgCtx& c) {
  io_uring_params p{};
  if (!load_struct(c, &p, sizeof p)) return addr_value(c.raw);
  std::string s = fmt::format("{{sq_entries={}, cq_entries={}, flags={}, sq_thread_cpu={}, sq_thread_idle={}",
                              p.sq_entries, p.cq_entries, flags_text(p.flags, kSetupFlags),
                              p.sq_thread_cpu, p.sq_thread_idle);
  if (p.flags & IORING_SETUP_ATTACH_WQ) s += fmt::format(", wq_fd={}", static_cast<int32_t>(p.wq_fd));
  if (c.ev.has_exit && !c.ev.failed()) s += fmt::format(", features={}", flags_text(p.features, kFeatures));
  return Value::sym(s + "}");
}

Value d_enter_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kEnterFlags)); }
Value d_register_op(const ArgCtx& c) { return Value::sym(enum_text(lo32(c.raw), kRegisterOps)); }

}  // namespace

void register_io_uring(Registry& r) {
  r.structure("io_uring_params", d_io_uring_params);
  r.kind("io_uring_enter_flags", d_enter_flags);
  r.kind("io_uring_register_op", d_register_op);
}

}  // namespace sysgate::decode
