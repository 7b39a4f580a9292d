// SPDX-License-Identifier: Apache-2.0
// Internal: each decoder family registers the schema kinds and struct types it
// decodes. registry.cpp calls every register_* function once.
#pragma once

#include <string_view>

#include "sysgate/decode.hpp"

namespace sysgate::decode {

class Registry {
 public:
  virtual ~Registry() = default;
  virtual void kind(std::string_view name, ArgDecoder fn) = 0;       // schema kind
  virtual void structure(std::string_view type, ArgDecoder fn) = 0;  // in:/out:/inout: type
};

void register_generic(
    Registry& r);  // generic.cpp: int uint hex ptr fd dirfd pid path str bufin ...
void register_file(
    Registry& r);  // file.cpp: oflags atflags access_mode mode stat statx dirents ...
void register_memory(Registry& r);  // memory.cpp: mmap_prot mmap_flags mremap_flags madvise
void register_process(
    Registry& r);  // process.cpp: clone_flags clone_args argv envp wait_options ...
void register_signal(Registry& r);    // signal.cpp: signum sighow sigaction sigset ...
void register_poll(Registry& r);      // poll.cpp: fdset pollfds epoll_* timespec timeval
void register_net(Registry& r);       // net.cpp: af socktype sockaddr msghdr msg_flags ...
void register_ipc(Registry& r);       // ipc.cpp: mq_attr ...
void register_io_uring(Registry& r);  // io_uring.cpp
void register_misc(
    Registry& r);  // misc.cpp: futex prctl bpf ptrace seccomp perf rseq memfd inotify ...

}  // namespace sysgate::decode
