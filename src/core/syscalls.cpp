// SPDX-License-Identifier: Apache-2.0
#include "sysgate/syscalls.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace sysgate {
namespace generated {
extern const SyscallInfo kSyscalls[];
extern const int kSyscallsSize;
}  // namespace generated

namespace {

struct ClassName {
  std::string_view name;
  uint32_t bit;
};
constexpr std::array<ClassName, 11> kClasses = {{
    {"desc", kClassDesc},
    {"file", kClassFile},
    {"process", kClassProcess},
    {"network", kClassNetwork},
    {"net", kClassNetwork},
    {"memory", kClassMemory},
    {"signal", kClassSignal},
    {"ipc", kClassIpc},
    {"creds", kClassCreds},
    {"clock", kClassClock},
    {"pure", kClassPure},
}};

const std::unordered_map<std::string_view, const SyscallInfo*>& name_index() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const SyscallInfo*>();
    for (const auto& s : syscall_table())
      if (s.nr >= 0) m->emplace(s.name, &s);
    return m;
  }();
  return *index;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::span<const SyscallInfo> syscall_table() {
  return {generated::kSyscalls, static_cast<size_t>(generated::kSyscallsSize)};
}

const SyscallInfo* syscall_by_nr(int nr) {
  if (nr < 0 || nr >= generated::kSyscallsSize) return nullptr;
  const SyscallInfo* s = &generated::kSyscalls[nr];
  return s->nr < 0 ? nullptr : s;
}

const SyscallInfo* syscall_by_name(std::string_view name) {
  const auto& idx = name_index();
  auto it = idx.find(name);
  return it == idx.end() ? nullptr : it->second;
}

uint32_t class_by_name(std::string_view name) {
  if (name.starts_with('%')) name.remove_prefix(1);
  for (const auto& c : kClasses)
    if (c.name == name) return c.bit;
  return 0;
}

std::vector<std::string_view> class_names() {
  std::vector<std::string_view> out;
  for (const auto& c : kClasses) out.push_back(c.name);
  return out;
}

std::string kernel_syscall_name(std::string_view name) {
  const SyscallInfo* info = syscall_by_name(name);
  if (info && info->entry.starts_with("sys_")) return std::string(info->entry.substr(4));
  return std::string(name);
}

std::vector<std::string_view> closest_syscalls(std::string_view name, size_t max) {
  std::vector<std::pair<size_t, std::string_view>> scored;
  for (const auto& s : syscall_table()) {
    if (s.nr < 0) continue;
    size_t d = edit_distance(name, s.name);
    // a known name that contains the query is a strong hint ("stat" -> "fstat")
    if (s.name.find(name) != std::string_view::npos && d > 1) d = std::max<size_t>(1, d / 2);
    scored.emplace_back(d, s.name);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string_view> out;
  size_t limit = std::max<size_t>(2, name.size() / 2);
  for (const auto& [d, n] : scored) {
    if (out.size() >= max || d > limit) break;
    out.push_back(n);
  }
  return out;
}

}  // namespace sysgate
