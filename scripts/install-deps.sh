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
  clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev linux-libc-dev \
  libfmt-dev libcli11-dev nlohmann-json3-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  strace procps util-linux \
  >/dev/null
if [ "${1:-}" = "--bench" ]; then
  $SUDO apt-get install -y -qq --no-install-recommends bpftrace linux-perf >/dev/null
fi
