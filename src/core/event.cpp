// SPDX-License-Identifier: Apache-2.0
#include "sysgate/event.hpp"

#include <cstring>

#include "sysgate_abi.h"

namespace sysgate {

bool Capture::fault() const { return flags & SG_CF_FAULT; }
bool Capture::truncated() const { return flags & SG_CF_TRUNC; }
bool Capture::elem() const { return flags & SG_CF_ELEM; }
bool Capture::at_exit() const { return flags & SG_CF_EXIT; }

const Capture* SyscallEvent::find(int arg, bool at_exit) const {
  for (const auto& c : caps)
    if (c.arg == arg && !c.elem() && c.at_exit() == at_exit) return &c;
  return nullptr;
}

const Capture* SyscallEvent::find_best(int arg) const {
  if (has_exit)
    if (const Capture* c = find(arg, true)) return c;
  return find(arg, false);
}

std::vector<const Capture*> SyscallEvent::elements(const Capture* parent) const {
  std::vector<const Capture*> out;
  if (!parent) return out;
  const Capture* end = caps.data() + caps.size();
  for (const Capture* c = parent + 1; c < end && c->elem() && c->arg == parent->arg; ++c)
    out.push_back(c);
  return out;
}

void SyscallEvent::merge_retried_strings() {
  for (size_t i = 0; i < caps.size(); ++i) {
    Capture& c = caps[i];
    if (!c.at_exit() || c.kind != SG_CK_STR || c.elem()) continue;
    for (size_t j = 0; j < caps.size(); ++j) {
      Capture& e = caps[j];
      if (j != i && !e.at_exit() && !e.elem() && e.arg == c.arg && e.kind == SG_CK_STR &&
          e.fault()) {
        e = c;
        e.flags = static_cast<uint8_t>(e.flags & ~SG_CF_EXIT);
        cap_off[j] = cap_off[i];
        cap_len[j] = cap_len[i];
        caps.erase(caps.begin() + static_cast<long>(i));
        cap_off.erase(cap_off.begin() + static_cast<long>(i));
        cap_len.erase(cap_len.begin() + static_cast<long>(i));
        --i;
        break;
      }
    }
  }
}

bool SyscallEvent::add_captures(const void* data, size_t len, unsigned ncap, bool at_exit) {
  const size_t base = storage.size();
  const auto* bytes = static_cast<const char*>(data);
  storage.insert(storage.end(), bytes, bytes + len);
  size_t off = 0;
  bool ok = true;
  for (unsigned i = 0; i < ncap; ++i) {
    if (off + sizeof(sg_cap) > len) {
      ok = false;
      break;
    }
    sg_cap h;
    std::memcpy(&h, bytes + off, sizeof h);
    off += sizeof h;
    if (h.len > len - off) {
      ok = false;
      break;
    }
    Capture c;
    c.arg = h.arg;
    c.kind = h.kind;
    c.flags = static_cast<uint8_t>(h.flags | (at_exit ? SG_CF_EXIT : 0));
    c.size = h.size;
    caps.push_back(c);
    cap_off.push_back(base + off);
    cap_len.push_back(h.len);
    off += (h.len + 7u) & ~size_t{7};
  }
  // storage may have moved: rebuild every view from its offset
  for (size_t i = 0; i < caps.size(); ++i)
    caps[i].data = std::string_view(storage.data() + cap_off[i], cap_len[i]);
  return ok;
}

}  // namespace sysgate
