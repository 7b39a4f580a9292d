// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "sysgate/error.hpp"
#include "sysgate/filter.hpp"
#include "sysgate/syscalls.hpp"

namespace sysgate {
namespace {

int nr(const char* name) {
  const SyscallInfo* s = syscall_by_name(name);
  EXPECT_NE(s, nullptr) << name;
  return s ? s->nr : -1;
}

size_t selected(const std::vector<bool>& v) {
  size_t n = 0;
  for (bool b : v) n += b;
  return n;
}

TEST(Filter, NamesSelectOnlyThem) {
  auto v = parse_syscall_filter("openat,close");
  EXPECT_TRUE(v[nr("openat")]);
  EXPECT_TRUE(v[nr("close")]);
  EXPECT_EQ(selected(v), 2u);
}

TEST(Filter, EmptyAndAllSelectEverySyscall) {
  size_t known = 0;
  for (const auto& s : syscall_table()) known += s.nr >= 0;
  EXPECT_EQ(selected(parse_syscall_filter("")), known);
  EXPECT_EQ(selected(parse_syscall_filter("all")), known);
  EXPECT_EQ(selected(parse_syscall_filter("trace=all")), known);
}

TEST(Filter, NegationStartsFromAll) {
  auto v = parse_syscall_filter("!write");
  EXPECT_FALSE(v[nr("write")]);
  EXPECT_TRUE(v[nr("read")]);
}

TEST(Filter, ClassesAsStrace) {
  auto v = parse_syscall_filter("%file");
  EXPECT_TRUE(v[nr("openat")]);
  EXPECT_TRUE(v[nr("execve")]);
  EXPECT_FALSE(v[nr("read")]);
  auto n = parse_syscall_filter("%net");
  EXPECT_TRUE(n[nr("connect")]);
  EXPECT_EQ(n, parse_syscall_filter("%network"));
  auto m = parse_syscall_filter("%memory,!munmap");
  EXPECT_TRUE(m[nr("mmap")]);
  EXPECT_FALSE(m[nr("munmap")]);
}

TEST(Filter, UnknownNameSuggestsClosest) {
  try {
    parse_syscall_filter("opnat");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.code(), 2);
    EXPECT_NE(std::string(e.what()).find("did you mean"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("openat"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_syscall_filter("%nonsense"), UsageError);
  EXPECT_THROW(parse_syscall_filter("read,,write"), UsageError);
}

TEST(Filter, NumbersBeyondTheHeaders) {
  auto v = parse_syscall_filter("syscall_460");
  EXPECT_TRUE(v[460]);
  EXPECT_THROW(parse_syscall_filter("syscall_9999"), UsageError);
}

TEST(SyscallTable, KnowsTheBasics) {
  const SyscallInfo* o = syscall_by_name("openat");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->nr, 257);
  EXPECT_EQ(o->nargs, 4);
  EXPECT_EQ(o->args[1].kind, "path");
  EXPECT_TRUE(o->classes & kClassFile);
  EXPECT_TRUE(o->classes & kClassDesc);
  EXPECT_EQ(syscall_by_nr(0)->name, "read");
  EXPECT_EQ(syscall_by_nr(231)->ret_kind, "noreturn");
  EXPECT_EQ(syscall_by_nr(-1), nullptr);
  EXPECT_EQ(syscall_by_nr(100000), nullptr);
}

TEST(SyscallTable, ClosestNames) {
  auto c = closest_syscalls("fsatat");
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c.size() <= 3, true);
}

}  // namespace
}  // namespace sysgate
