// SPDX-License-Identifier: Apache-2.0
// TEMPORARY: empty registrations for the families another engineer writes
// (net.cpp ipc.cpp io_uring.cpp misc.cpp). Delete once those files exist.
#include "decode/families.hpp"

namespace sysgate::decode {

void register_net(Registry&) {}
void register_ipc(Registry&) {}
void register_io_uring(Registry&) {}
void register_misc(Registry&) {}

}  // namespace sysgate::decode
