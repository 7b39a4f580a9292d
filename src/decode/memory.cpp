// SPDX-License-Identifier: Apache-2.0
// Memory mapping: protections, mmap/mremap flags, madvise advice.
#include <fmt/format.h>

#include "decode/families.hpp"
#include "decode/util.hpp"

namespace sysgate::decode {

namespace {

constexpr FlagName kProt[] = {
    {0x1, "PROT_READ"},
    {0x2, "PROT_WRITE"},
    {0x4, "PROT_EXEC"},
    {0x8, "PROT_SEM"},
    {0x01000000, "PROT_GROWSDOWN"},
    {0x02000000, "PROT_GROWSUP"},
};

Value d_mmap_prot(const ArgCtx& c) {
  return Value::sym(flags_text(lo32(c.raw), kProt, "PROT_NONE"));
}

constexpr FlagName kMapTypes[] = {{0x1, "MAP_SHARED"},
                                  {0x2, "MAP_PRIVATE"},
                                  {0x3, "MAP_SHARED_VALIDATE"},
                                  {0x8, "MAP_DROPPABLE"}};

constexpr FlagName kMapFlags[] = {
    {0x10, "MAP_FIXED"},
    {0x20, "MAP_ANONYMOUS"},
    {0x40, "MAP_32BIT"},
    {0x100, "MAP_GROWSDOWN"},
    {0x800, "MAP_DENYWRITE"},
    {0x1000, "MAP_EXECUTABLE"},
    {0x2000, "MAP_LOCKED"},
    {0x4000, "MAP_NORESERVE"},
    {0x8000, "MAP_POPULATE"},
    {0x10000, "MAP_NONBLOCK"},
    {0x20000, "MAP_STACK"},
    {0x40000, "MAP_HUGETLB"},
    {0x80000, "MAP_SYNC"},
    {0x100000, "MAP_FIXED_NOREPLACE"},
    {0x4000000, "MAP_UNINITIALIZED"},
};

constexpr uint32_t kMapHugetlb = 0x40000;
constexpr int kMapHugeShift = 26;
constexpr uint32_t kMapHugeMask = 0x3f;

Value d_mmap_flags(const ArgCtx& c) {
  uint32_t v = lo32(c.raw);
  std::string s;
  const uint32_t type = v & 0xf;
  if (const char* n = lookup(type, kMapTypes)) {
    s = n;
    v &= ~0xfu;
  }
  // With MAP_HUGETLB the top six bits are log2 of the page size, not flags.
  uint32_t huge = 0;
  if (v & kMapHugetlb) {
    huge = (v >> kMapHugeShift) & kMapHugeMask;
    v &= ~(kMapHugeMask << kMapHugeShift);
  }
  append_flag_names(s, v, kMapFlags);
  if (huge) {
    if (!s.empty()) s += '|';
    s += fmt::format("{}<<MAP_HUGE_SHIFT", huge);
  }
  if (s.empty()) s = "0";
  return Value::sym(std::move(s));
}

constexpr FlagName kMremapFlags[] = {
    {1, "MREMAP_MAYMOVE"}, {2, "MREMAP_FIXED"}, {4, "MREMAP_DONTUNMAP"}};

Value d_mremap_flags(const ArgCtx& c) { return Value::sym(flags_text(lo32(c.raw), kMremapFlags)); }

constexpr FlagName kMadvise[] = {
    {0, "MADV_NORMAL"},           {1, "MADV_RANDOM"},          {2, "MADV_SEQUENTIAL"},
    {3, "MADV_WILLNEED"},         {4, "MADV_DONTNEED"},        {8, "MADV_FREE"},
    {9, "MADV_REMOVE"},           {10, "MADV_DONTFORK"},       {11, "MADV_DOFORK"},
    {12, "MADV_MERGEABLE"},       {13, "MADV_UNMERGEABLE"},    {14, "MADV_HUGEPAGE"},
    {15, "MADV_NOHUGEPAGE"},      {16, "MADV_DONTDUMP"},       {17, "MADV_DODUMP"},
    {18, "MADV_WIPEONFORK"},      {19, "MADV_KEEPONFORK"},     {20, "MADV_COLD"},
    {21, "MADV_PAGEOUT"},         {22, "MADV_POPULATE_READ"},  {23, "MADV_POPULATE_WRITE"},
    {24, "MADV_DONTNEED_LOCKED"}, {25, "MADV_COLLAPSE"},       {100, "MADV_HWPOISON"},
    {101, "MADV_SOFT_OFFLINE"},   {102, "MADV_GUARD_INSTALL"}, {103, "MADV_GUARD_REMOVE"},
};

Value d_madvise(const ArgCtx& c) { return Value::sym(enum_text(s32(c.raw), kMadvise)); }

}  // namespace

void register_memory(Registry& r) {
  r.kind("mmap_prot", d_mmap_prot);
  r.kind("mmap_flags", d_mmap_flags);
  r.kind("mremap_flags", d_mremap_flags);
  r.kind("madvise", d_madvise);
}

}  // namespace sysgate::decode
