// SPDX-License-Identifier: Apache-2.0
// Decoders: turn a SyscallEvent into strace-style arguments and a result.
// They never fail: unreadable memory prints as an address, unknown flag bits in hex.
#pragma once

#include <bitset>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/event.hpp"
#include "sysgate/syscalls.hpp"

namespace sysgate::decode {

// One decoded value. Text output prints to_text(); JSON (sysgate/json.hpp)
// prints numbers as numbers, C strings as their escaped content (json_str_text),
// everything else as a string.
struct Value {
  enum class Type : uint8_t { Int, Uint, Str, Sym };
  Type type = Type::Sym;
  int64_t i = 0;           // Int / Uint (as bits)
  std::string text;        // Str: the raw bytes (escaped when printed); Sym: printed form
  bool truncated = false;  // Str: "..." follows the closing quote
  std::string fd_name;     // Int file descriptors with -y: text prints 3</etc/passwd>

  static Value num(int64_t v);
  static Value unum(uint64_t v);
  static Value sym(std::string s);
  static Value str(std::string_view bytes, bool truncated);  // keeps the raw bytes
};

std::string to_text(const Value& v);
void append_text(const Value& v, std::string& out);  // to_text(v) appended to out
// The content of a Str value's JSON string: append_escaped(text, keep_utf8), plus "..." when
// truncated (valid UTF-8, without quotes; the JSON writer adds JSON's escaping).
void append_json_str_text(const Value& v, std::string& out);

// What -y/-yy decorate file descriptors with (sysgate/fd_table.hpp keeps them).
class FdNames {
 public:
  virtual ~FdNames() = default;
  // What strace prints between < and > after fd of process tgid; "" if unknown.
  virtual std::string fd_name(uint32_t tgid, int fd) = 0;
  // The same for the descriptor a successful call returned (ev.ret).
  virtual std::string result_name(const SyscallEvent& ev) = 0;
  // The same for a descriptor the call made and wrote to memory (pipe2's pair).
  virtual std::string new_fd_name(uint32_t tgid, int fd) = 0;
  // The same for a descriptor the call replaces (dup2's and dup3's newfd): its name
  // only if it is known to have been open before the call.
  virtual std::string replaced_fd_name(uint32_t tgid, int fd) = 0;
};

// Everything a decoder may look at for one argument.
struct ArgCtx {
  const SyscallEvent& ev;
  const SyscallInfo& info;
  int index;               // argument index
  const ArgSpec& spec;     // info.args[index]
  uint64_t raw;            // ev.args[index]
  FdNames* fds = nullptr;  // -y: descriptors inside structs are decorated too
};

using ArgDecoder = Value (*)(const ArgCtx&);

// The decoder for a schema kind ("fd", "oflags", "out" ...), nullptr if none.
ArgDecoder decoder_for_kind(std::string_view kind);
// The decoder for an in:/out:/inout: struct type ("stat", "timespec" ...), nullptr if none.
ArgDecoder decoder_for_struct(std::string_view type);
// All kinds and struct types the decoders know (for the schema completeness test).
std::vector<std::string_view> known_kinds();
std::vector<std::string_view> known_structs();

// Whether argument index of a syscall is a file descriptor (kinds fd and dirfd,
// and the few descriptors the schema gives another kind, such as dup's).
bool is_fd_arg(const SyscallInfo& info, int index);
// Whether a successful ev returns a file descriptor (open, socket, dup, fcntl F_DUPFD ...).
bool returns_fd(const SyscallEvent& ev);

// Decodes every argument of ev; with fds, descriptors carry their fd_name.
std::vector<Value> decode_args(const SyscallEvent& ev, FdNames* fds = nullptr);

// The result: text " = 3", " = -1 ENOENT (No such file or directory)", " = ?"
// (never returned), " = 0x7f12..." for hex kinds. Without the leading " = ".
// With fds, a descriptor returned is decorated: "3</etc/passwd>".
std::string ret_text(const SyscallEvent& ev, FdNames* fds = nullptr);
// The whole call as trace prints it, without prefix: "write(1, \"x\", 1) = 1", and
// "name(args)" alone when it has not returned.
std::string call_text(const SyscallEvent& ev, FdNames* fds = nullptr);

// errno name ("ENOENT") and description; empty name for unknown numbers.
std::string_view errno_name(int err);
std::string errno_desc(int err);
int errno_by_name(std::string_view name);   // "ENOENT" or "2" (1-4095); -1 if unknown
std::string_view signal_name(int sig);      // "SIGTERM"; empty if unknown
std::string signal_text(int sig);           // "SIGTERM", or the decimal number when unknown
int signal_by_name(std::string_view name);  // "TERM", "SIGTERM" or "15"; -1 if unknown

// ---- signals as strace prints them ("--- SIGCHLD {si_signo=SIGCHLD, ...} ---") ----
struct SigInfoField {
  std::string_view name;  // "si_signo", "si_code", "si_pid" ...
  Value value;
};
// The fields strace prints for a siginfo, in its order. info: the first bytes of a
// siginfo in the x86-64 layout (si_signo, si_errno, si_code, then the union at
// offset 16; 48 bytes hold every field printed); empty when only the signal number
// is known: then si_signo alone, from signo. A si_signo of 0 gives no fields.
std::vector<SigInfoField> siginfo_fields(int signo, std::span<const uint8_t> info);
// "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, ...}"
std::string siginfo_text(const std::vector<SigInfoField>& fields);
// Whether a signal's line is printed: its bit in selected (-e signal=SET; a number
// beyond the set follows "any selected"), never for SIGKILL, which no tracer can
// intercept (strace shows only the death it causes).
bool signal_line_shown(const std::bitset<65>& selected, int signo);
// The si_code name strace prints for a signal ("SI_USER", "CLD_EXITED"), else "0x..".
std::string si_code_text(int signo, int code);

// ---- helpers shared by the decoder families (src/decode/format.cpp) ----
struct FlagName {
  uint64_t value;
  const char* name;
};
// "O_RDONLY|O_CLOEXEC|0x40000000": names for known bits, leftover bits in hex.
std::string flags_text(uint64_t v, std::span<const FlagName> table, const char* zero = "0");
// The name of a value in an enumeration, or its decimal (or hex) form.
std::string enum_text(int64_t v, std::span<const FlagName> table, bool hex_fallback = false);
// strace escaping: printable ASCII verbatim, \n \t \r \v \f \" \\, others octal
// (bytes >= 0x80 too, as strace prints them without -x: "\303\251").
std::string escape(std::string_view bytes);
// The same, appended to out. keep_utf8: complete, valid UTF-8 sequences of two
// to four bytes are copied verbatim instead (the JSON form); ASCII control
// characters, DEL and every byte of an invalid sequence stay octal escapes.
void append_escaped(std::string_view bytes, std::string& out, bool keep_utf8 = false);
// The length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) that starts at s[i]: 1-4, 0 when invalid
// or cut short. i < s.size().
size_t utf8_seq_len(std::string_view s, size_t i);
bool valid_utf8(std::string_view s);
std::string hex_addr(uint64_t v);  // "0x7ffd1234", "NULL" for 0

// strace -x (1: a string with a non-printable byte is printed all in \xNN) and
// -xx (2: every string in \xNN); 0 by default. Set from the CLI; text only.
void set_hex_strings(int level);
int hex_strings();

// String-limit for buffer previews (strace -s); set from the CLI.
void set_string_limit(size_t n);
size_t string_limit();

}  // namespace sysgate::decode
