// SPDX-License-Identifier: Apache-2.0
// The syscall numbers are the project's (schema/syscall_64.tbl, a copy of the
// kernel's table), not the build machine's headers: syscalls newer than the
// build host's <asm/unistd_64.h> (cachestat on Debian 12) are selectable.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "sysgate/syscalls.hpp"
#include "sysgate_nr.h"

namespace sysgate {
namespace {

std::string source_dir() {
  std::string f = __FILE__;  // .../tests/unit/test_syscall_numbers.cpp
  for (int i = 0; i < 3; ++i) f = f.substr(0, f.rfind('/'));
  return f;
}

// name -> number for the native ABIs of the kernel's table
std::map<int, std::string> kernel_table() {
  std::ifstream in(source_dir() + "/schema/syscall_64.tbl");
  EXPECT_TRUE(in) << "cannot read schema/syscall_64.tbl";
  std::map<int, std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream ls(line);
    int nr;
    std::string abi, name;
    if (!(ls >> nr >> abi >> name)) continue;
    if (abi == "x32") continue;
    out[nr] = name;
  }
  return out;
}

TEST(SyscallNumbers, KnownNumbers) {
  const std::pair<const char*, int> want[] = {
      {"read", 0},
      {"write", 1},
      {"clone", 56},
      {"execve", 59},
      {"exit", 60},
      {"exit_group", 231},
      {"execveat", 322},
      {"rseq", 334},
      {"uretprobe", 335},
      {"pidfd_send_signal", 424},
      {"clone3", 435},
      {"futex_waitv", 449},
      {"cachestat", 451},
      {"fchmodat2", 452},
      {"map_shadow_stack", 453},
      {"futex_wake", 454},
      {"futex_wait", 455},
      {"futex_requeue", 456},
      {"statmount", 457},
      {"listmount", 458},
      {"lsm_get_self_attr", 459},
      {"lsm_set_self_attr", 460},
      {"lsm_list_modules", 461},
      {"mseal", 462},
  };
  for (const auto& [name, nr] : want) {
    const SyscallInfo* s = syscall_by_name(name);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_EQ(s->nr, nr) << name;
    ASSERT_NE(syscall_by_nr(nr), nullptr) << nr;
    EXPECT_EQ(syscall_by_nr(nr)->name, name);
  }
}

TEST(SyscallNumbers, NewSyscallsHaveSchemaRows) {
  for (const char* name : {"cachestat", "fchmodat2", "map_shadow_stack", "futex_wake", "futex_wait",
                           "futex_requeue", "statmount", "listmount", "lsm_get_self_attr",
                           "lsm_set_self_attr", "lsm_list_modules", "mseal"}) {
    const SyscallInfo* s = syscall_by_name(name);
    ASSERT_NE(s, nullptr) << name;
    EXPECT_TRUE(s->args_known) << name;
    EXPECT_FALSE(s->entry.empty()) << name;
  }
  EXPECT_EQ(syscall_by_name("cachestat")->args[0].kind, "fd");
  EXPECT_EQ(syscall_by_name("fchmodat2")->args[1].kind, "path");
}

// Exactly the kernel table: every number it has, and no hole it does not have.
TEST(SyscallNumbers, TableMatchesKernelTable) {
  auto k = kernel_table();
  ASSERT_GT(k.size(), 370u);
  auto table = syscall_table();
  ASSERT_EQ(table.size(), static_cast<size_t>(k.rbegin()->first + 1));
  for (int nr = 0; nr < static_cast<int>(table.size()); ++nr) {
    auto it = k.find(nr);
    const SyscallInfo* s = syscall_by_nr(nr);
    if (it == k.end()) {
      EXPECT_EQ(s, nullptr) << "number " << nr << " is not in the kernel table";
      continue;
    }
    ASSERT_NE(s, nullptr) << "gap at " << nr << " (" << it->second << ")";
    EXPECT_EQ(s->name, it->second);
  }
  // the kernel's own gap (387-423 reserved, 336-386 unused), nothing else
  EXPECT_EQ(syscall_by_nr(400), nullptr);
  EXPECT_EQ(syscall_by_nr(-1), nullptr);
  EXPECT_EQ(syscall_by_nr(SG_NR_TABLE_END), nullptr);
}

TEST(SyscallNumbers, KernelSideHeaderMatches) {
  EXPECT_EQ(SG_NR_clone, syscall_by_name("clone")->nr);
  EXPECT_EQ(SG_NR_fork, syscall_by_name("fork")->nr);
  EXPECT_EQ(SG_NR_vfork, syscall_by_name("vfork")->nr);
  EXPECT_EQ(SG_NR_execve, syscall_by_name("execve")->nr);
  EXPECT_EQ(SG_NR_execveat, syscall_by_name("execveat")->nr);
  EXPECT_EQ(SG_NR_exit, syscall_by_name("exit")->nr);
  EXPECT_EQ(SG_NR_exit_group, syscall_by_name("exit_group")->nr);
  EXPECT_EQ(SG_NR_clone3, syscall_by_name("clone3")->nr);
  EXPECT_EQ(static_cast<size_t>(SG_NR_TABLE_END), syscall_table().size());
}

TEST(SyscallNumbers, KernelNamesFromEntryPoints) {
  EXPECT_EQ(kernel_syscall_name("fstat"), "newfstat");
  EXPECT_EQ(kernel_syscall_name("stat"), "newstat");
  EXPECT_EQ(kernel_syscall_name("umount2"), "umount");
  EXPECT_EQ(kernel_syscall_name("sendfile"), "sendfile64");
  EXPECT_EQ(kernel_syscall_name("uname"), "newuname");
  EXPECT_EQ(kernel_syscall_name("read"), "read");
  EXPECT_EQ(kernel_syscall_name("cachestat"), "cachestat");
  // not implemented by mainline x86-64 kernels: no entry point
  EXPECT_TRUE(syscall_by_name("getpmsg")->entry.empty());
  EXPECT_TRUE(syscall_by_name("_sysctl")->entry.empty());
}

}  // namespace
}  // namespace sysgate
