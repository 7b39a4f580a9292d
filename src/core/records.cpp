// SPDX-License-Identifier: Apache-2.0
#include "sysgate/records.hpp"

#include <cstring>

#include "sysgate/syscalls.hpp"
#include "sysgate_abi.h"

namespace sysgate {

namespace {

template <typename T>
bool read_as(const void* data, size_t len, T& out) {
  if (len < sizeof(T)) return false;
  memcpy(&out, data, sizeof out);
  return true;
}

std::string comm_of(const sg_hdr& h) { return std::string(h.comm, strnlen(h.comm, sizeof h.comm)); }

void fill(SyscallEvent& ev, const sg_hdr& h) {
  ev.ts_ns = h.ts_ns;
  ev.tgid = h.tgid;
  ev.tid = h.tid;
  ev.nr = h.nr;
  ev.comm = comm_of(h);
}

}  // namespace

void RecordReader::record(const void* data, size_t len) {
  sg_hdr h;
  if (!read_as(data, len, h)) {
    ++malformed_;
    return;
  }
  const auto* bytes = static_cast<const char*>(data);
  switch (h.type) {
    case SG_EV_ENTER: {
      sg_enter e;
      if (!read_as(data, len, e)) break;
      live_.try_emplace(h.tgid, true);
      flush_tid(h.tid);
      SyscallEvent ev;
      fill(ev, h);
      memcpy(ev.args, e.args, sizeof ev.args);
      ev.has_enter = true;
      ev.zapped = (e.flags & SG_XF_ZAPPED) != 0;
      if (!ev.add_captures(bytes + sizeof e, len - sizeof e, e.ncap, false)) ++malformed_;
      const SyscallInfo* info = syscall_by_nr(h.nr);
      if (info && info->ret_kind == "noreturn" && !(e.flags & SG_XF_INJECTED)) {
        emit(ev);
        return;
      }
      pending_.insert_or_assign(h.tid, std::move(ev));
      return;
    }
    case SG_EV_EXIT: {
      sg_exit x;
      if (!read_as(data, len, x)) break;
      live_.try_emplace(h.tgid, true);
      auto it = pending_.find(h.tid);
      SyscallEvent ev;
      if (it != pending_.end() && it->second.nr == h.nr) {
        ev = std::move(it->second);
        pending_.erase(it);
      } else {
        if (it != pending_.end()) flush_tid(h.tid);
        fill(ev, h);
        ev.ts_ns = x.enter_ts_ns ? x.enter_ts_ns : h.ts_ns;
      }
      ev.has_exit = true;
      // an exit before its entry (clock skew across CPUs, or a bogus record) has no duration
      ev.exit_ts_ns = h.ts_ns >= ev.ts_ns ? h.ts_ns : ev.ts_ns;
      ev.ret = x.ret;
      ev.injected = (x.flags & SG_XF_INJECTED) != 0;
      ev.zapped = ev.zapped || (x.flags & SG_XF_ZAPPED) != 0;
      ev.comm = comm_of(h);  // execve changes it
      if (!ev.add_captures(bytes + sizeof x, len - sizeof x, x.ncap, true)) ++malformed_;
      ev.merge_retried_strings();
      emit(ev);
      return;
    }
    case SG_EV_PROBE: {
      sg_probe_hit p;
      if (!read_as(data, len, p)) break;
      SyscallEvent who;
      fill(who, h);
      uint64_t regs[6];
      for (int i = 0; i < 6; ++i) regs[i] = p.regs[i];
      c_.probe_hit(who, p.probe_id, p.ip, regs);
      return;
    }
    case SG_EV_TASK_EXIT: {
      sg_task_exit t;
      if (!read_as(data, len, t)) break;
      flush_tid(h.tid);
      TaskExit te;
      te.tgid = h.tgid;
      te.tid = h.tid;
      te.comm = comm_of(h);
      te.status = t.exit_code;
      te.ts_ns = h.ts_ns;
      te.group_dead = t.group_dead != 0;
      te.zap_matched = t.zap_matched;
      te.zap_done = t.zap_done != 0;
      if (te.group_dead) live_.erase(h.tgid);
      c_.task_exit(te);
      return;
    }
    case SG_EV_ZAP: {
      sg_zap z;
      if (!read_as(data, len, z)) break;
      ZapRecord r;
      r.tgid = h.tgid;
      r.tid = h.tid;
      r.comm = comm_of(h);
      r.nr = h.nr;
      r.syscall_ts_ns = h.ts_ns;
      r.signal_ts_ns = z.signal_ts_ns;
      r.signal = z.signal;
      r.send_ret = z.send_ret;
      r.nth = z.nth;
      r.at = static_cast<uint8_t>(z.at <= SG_ZAP_BEFORE ? z.at : 0u);
      r.ret = z.ret;
      r.exit_ts_ns = z.exit_ts_ns;
      r.ppid = z.ppid;
      r.cgroup_id = z.cgroup_id;
      std::memcpy(r.args, z.args, sizeof r.args);
      c_.zap(r);
      return;
    }
    case SG_EV_SIG_DELIVER: {
      sg_sig_deliver d;
      if (!read_as(data, len, d)) break;
      c_.signal_delivered({h.tgid, h.tid, d.signal, d.handler, h.ts_ns});
      return;
    }
    case SG_EV_SIGNAL: {
      sg_signal g;
      if (!read_as(data, len, g)) break;
      static_assert(sizeof g.info == sizeof(SignalEvent::info));
      SignalEvent ev;
      ev.tgid = h.tgid;
      ev.tid = h.tid;
      ev.comm = comm_of(h);
      ev.ts_ns = h.ts_ns;
      ev.signo = g.signo;
      ev.info_ok = g.info_ok != 0;
      ev.handler = g.handler;
      if (ev.info_ok) memcpy(ev.info.data(), g.info, sizeof g.info);
      if (pending_.count(h.tid))
        deferred_[h.tid].push_back(std::move(ev));
      else
        c_.signal(ev);
      return;
    }
    case SG_EV_EXIT_START:
      c_.exit_started(h.tgid, h.ts_ns);
      return;
    default:
      break;
  }
  ++malformed_;
}

void RecordReader::announce_blocked(uint64_t now_ns, uint64_t after_ns) {
  for (auto& [tid, ev] : pending_) {
    if (ev.shown_unfinished || now_ns < ev.ts_ns || now_ns - ev.ts_ns < after_ns) continue;
    c_.unfinished(ev);
    ev.shown_unfinished = true;
  }
}

void RecordReader::finish() {
  for (auto& [tid, ev] : pending_) {
    ++unfinished_;
    emit(ev);
  }
  pending_.clear();  // emit() delivered the signals deferred behind these calls
}

void RecordReader::flush_tid(uint32_t tid) {
  auto it = pending_.find(tid);
  if (it == pending_.end()) return;
  emit(it->second);  // its exit never came (lost, or the thread died in it)
  pending_.erase(it);
}

void RecordReader::emit(const SyscallEvent& ev) {
  if (ev.has_enter) ++calls_;
  c_.call(ev);
  if (deferred_.empty()) return;
  auto it = deferred_.find(ev.tid);
  if (it == deferred_.end()) return;
  auto sigs = std::move(it->second);
  deferred_.erase(it);
  for (const auto& s : sigs) c_.signal(s);
}

}  // namespace sysgate
