# SPDX-License-Identifier: Apache-2.0
# bpf_object(NAME SOURCE): compile SOURCE with clang -target bpf against a
# vmlinux.h dumped from the build machine's BTF (CO-RE relocates it on other
# kernels), then generate a libbpf skeleton NAME.skel.h. Creates the INTERFACE
# target NAME_skel that puts the skeleton on the include path.
find_program(CLANG_BPF NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)
set(SYSGATE_VMLINUX_BTF "/sys/kernel/btf/vmlinux" CACHE FILEPATH "BTF to generate vmlinux.h from")

set(BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpf)
file(MAKE_DIRECTORY ${BPF_GEN_DIR})
add_custom_command(
  OUTPUT ${BPF_GEN_DIR}/vmlinux.h
  COMMAND ${BPFTOOL} btf dump file ${SYSGATE_VMLINUX_BTF} format c > ${BPF_GEN_DIR}/vmlinux.h
  COMMENT "Dumping vmlinux.h from ${SYSGATE_VMLINUX_BTF}")

function(bpf_object name src)
  set(obj ${BPF_GEN_DIR}/${name}.bpf.o)
  set(skel ${BPF_GEN_DIR}/${name}.skel.h)
  file(GLOB bpf_headers ${CMAKE_SOURCE_DIR}/bpf/*.h ${CMAKE_SOURCE_DIR}/schema/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CLANG_BPF} -g -O2 -target bpf -D__TARGET_ARCH_x86 -mcpu=v3
            -Wall -Wno-unused-function
            -I${BPF_GEN_DIR} -I${CMAKE_SOURCE_DIR}/bpf -I${CMAKE_SOURCE_DIR}/schema
            -c ${src} -o ${obj}
    DEPENDS ${src} ${bpf_headers} ${BPF_GEN_DIR}/vmlinux.h
    COMMENT "Compiling BPF object ${name}")
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}
    DEPENDS ${obj}
    COMMENT "Generating BPF skeleton ${name}")
  add_custom_target(${name}_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_gen)
  target_include_directories(${name}_skel INTERFACE ${BPF_GEN_DIR})
endfunction()
