#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian 12 package sysgate needs to build, test and benchmark.
set -eu
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config python3 git ca-certificates \
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev libclang-rt-14-dev \
  libfmt-dev libcli11-dev nlohmann-json3-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  strace procps util-linux bpftrace libcap2-bin passwd clang-format \
  qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static cpio kmod \
  >/dev/null
# the kernel module and its VM tests need a Debian 6.1 kernel with headers (tests/vm)
if [ "${1:-}" = "--bench" ]; then
  $SUDO apt-get install -y -qq --no-install-recommends linux-perf >/dev/null
fi
