// SPDX-License-Identifier: Apache-2.0
// What the session needs to know of other processes, read from /proc.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sysgate::procfs {

// The process a pid belongs to (a thread id resolves to its process), or -1.
pid_t tgid_of(pid_t pid);
std::string comm_of(pid_t pid);
std::vector<pid_t> all_pids();
bool is_kernel_thread(pid_t pid);
bool alive(pid_t pid);
// Processes that can read what sysgate writes to fd: the holders of the read end
// of the pipe (or of the socket) fd writes to. A process that only writes to the
// same pipe (a target sharing sysgate's stderr) is not one of them.
std::vector<pid_t> output_readers(int fd);

pid_t ppid_of(pid_t pid);
// Every descendant of root alive now (children, their children ...), root left out.
std::vector<pid_t> descendants(pid_t root);
// The cgroup v2 path of pid ("/user.slice/x.scope"), "" if unknown.
std::string cgroup_of(pid_t pid);
// Where cgroup v2 is mounted (/sys/fs/cgroup, or .../unified on a hybrid system); "" if not.
std::string cgroup2_mount();
// The directory of the cgroup v2 whose id is id (the kernel's bpf_get_current_cgroup_id()).
std::string cgroup_dir_by_id(uint64_t id);
// The processes of a cgroup directory (/sys/fs/cgroup/...).
std::vector<pid_t> cgroup_procs(const std::string& dir);
// Kills every process of the cgroup at once (cgroup.kill, Linux 5.14); false if refused.
bool cgroup_kill(const std::string& dir);

}  // namespace sysgate::procfs
