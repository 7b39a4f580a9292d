// SPDX-License-Identifier: Apache-2.0
// Internal helpers shared by the decoder families (implemented in format.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "sysgate/decode.hpp"
#include "sysgate/event.hpp"

namespace sysgate::decode {

// Most kernel prototypes take int/unsigned int: the upper half of the register
// is junk the kernel ignores, so decoders must too.
inline uint32_t lo32(uint64_t raw) { return static_cast<uint32_t>(raw); }
inline int32_t s32(uint64_t raw) { return static_cast<int32_t>(static_cast<uint32_t>(raw)); }

// Appends "A|B|0x40" for v's bits to out, joined to existing text with '|'.
// Composite table entries must precede their parts (O_SYNC before O_DSYNC).
void append_flag_names(std::string& out, uint64_t v, std::span<const FlagName> table);

// The name of v in table, nullptr if absent.
const char* lookup(uint64_t v, std::span<const FlagName> table);

// "0x1f" (with "0" for 0), as strace's %#lx.
std::string hex(uint64_t v);

// A quoted, escaped string: "\"abc\"" plus "..." when truncated.
std::string quoted(std::string_view bytes, bool truncated);

// The address of an argument as a value ("NULL" or "0x...").
inline Value addr_value(uint64_t raw) { return Value::sym(hex_addr(raw)); }

// strace's %#03o for permission bits: 0644, 000, 04755.
std::string octal_mode(uint32_t mode);
// "S_IFREG|0644", "S_IFDIR|S_ISVTX|0777", "0644" without a type.
std::string mode_type_text(uint32_t mode);
// "makedev(0x1, 0x3)" from a user-space dev_t.
std::string dev_text(uint64_t dev);

// STATX_* mask names (statx's mask argument and stx_mask).
std::string statx_mask_text(uint32_t mask);

// The capture of the struct an in:/out:/inout: argument points to: entry for
// in, exit for out, exit (else entry) for inout. nullptr when absent or faulted.
const Capture* struct_capture(const ArgCtx& c);
// Copies n bytes of that struct into dst; false when NULL, absent, faulted or short.
bool load_struct(const ArgCtx& c, void* dst, size_t n);
template <class T>
bool load_struct(const ArgCtx& c, T& v) {
  return load_struct(c, &v, sizeof v);
}

// Reads a T at offset off of bytes, false when out of range.
template <class T>
bool read_at(std::string_view bytes, size_t off, T& v) {
  if (off > bytes.size() || bytes.size() - off < sizeof v) return false;
  std::memcpy(&v, bytes.data() + off, sizeof v);
  return true;
}

}  // namespace sysgate::decode
