// SPDX-License-Identifier: Apache-2.0
// The fd table behind -y/-yy/-P (sysgate/fd_table.hpp), on a made-up /proc.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "decode_test_util.hpp"
#include "sysgate/fd_table.hpp"
#include "sysgate/qualify.hpp"

namespace sysgate {
namespace {

namespace fs = std::filesystem;
using testing::EventBuilder;

class FdTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("sg-fdtable-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "1234" / "fd");
    fs::create_directories(root_ / "1234" / "net");
    link(0, "/dev/pts/0");
    link(1, "pipe:[77]");
    link(5, "socket:[4242]");
    std::ofstream(root_ / "1234" / "net" / "tcp")
        << "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
           "timeout inode\n"
        << "   0: 0100007F:9C40 0100007F:0050 01 00000000:00000000 00:00000000 00000000     0  "
           "      0 4242 1 0000000000000000 20 4 30 10 -1\n";
  }
  void TearDown() override { fs::remove_all(root_); }
  void link(int fd, const std::string& to) {
    fs::create_symlink(to, root_ / "1234" / "fd" / std::to_string(fd));
  }
  std::string root() const { return root_.string(); }
  fs::path root_;
};

TEST_F(FdTableTest, SeededFromProc) {
  FdTable t(kFdPath, root());
  EXPECT_EQ(t.target(1234, 0), "/dev/pts/0");
  EXPECT_EQ(t.fd_name(1234, 1), "pipe:[77]");
  EXPECT_EQ(t.fd_name(1234, 9), "");  // not open
  EXPECT_EQ(t.fd_name(1234, -1), "");
}

// The table is read from /proc after the call: dup2(0, 5) may be what made the 5 seen
// there, so the replaced descriptor is named only once a call shows it was open.
TEST_F(FdTableTest, ReplacedDescriptorOnlyWhenKnownOpen) {
  FdTable t(kFdPath, root());
  EXPECT_EQ(t.replaced_fd_name(1234, 5), "");
  EXPECT_EQ(t.fd_name(1234, 5), "socket:[4242]");
  t.apply(EventBuilder("write").arg(0, 5).arg(1, 0x1000).arg(2, 1).ret(1).build());
  EXPECT_EQ(t.replaced_fd_name(1234, 5), "socket:[4242]");
  EXPECT_EQ(t.replaced_fd_name(1234, 9), "");  // not open
  auto dup2 = EventBuilder("dup2").arg(0, 0).arg(1, 1).ret(1).build();
  EXPECT_EQ(decode::call_text(dup2, &t), "dup2(0</dev/pts/0>, 1) = 1</dev/pts/0>");
  t.apply(dup2);
  EXPECT_EQ(t.replaced_fd_name(1234, 1), "/dev/pts/0");
}

TEST_F(FdTableTest, LearnsFromCalls) {
  FdTable t(kFdPath, root());
  // openat of a process whose /proc entry is gone by now: the path it was given
  auto open = EventBuilder("openat")
                  .arg(0, -100)
                  .arg(1, 0x1000)
                  .str_cap(1, "/etc/passwd")
                  .arg(2, 0)
                  .ret(3)
                  .build();
  EXPECT_EQ(t.result_name(open), "/etc/passwd");
  t.apply(open);
  EXPECT_EQ(t.fd_name(1234, 3), "/etc/passwd");
  auto dup2 = EventBuilder("dup2").arg(0, 3).arg(1, 7).ret(7).build();
  t.apply(dup2);
  EXPECT_EQ(t.target(1234, 7), "/etc/passwd");
  auto dupfd = EventBuilder("fcntl").arg(0, 3).arg(1, 0).arg(2, 20).ret(20).build();
  EXPECT_TRUE(decode::returns_fd(dupfd));
  t.apply(dupfd);
  EXPECT_EQ(t.target(1234, 20), "/etc/passwd");
  auto getfl = EventBuilder("fcntl").arg(0, 3).arg(1, 3).ret(2).build();
  EXPECT_FALSE(decode::returns_fd(getfl));
  auto close = EventBuilder("close").arg(0, 3).ret(0).build();
  t.apply(close);
  EXPECT_EQ(t.target(1234, 3), "");
  EXPECT_EQ(t.target(1234, 7), "/etc/passwd");
  auto failed = EventBuilder("close").arg(0, 7).ret(-9).build();
  t.apply(failed);
  EXPECT_EQ(t.target(1234, 7), "/etc/passwd");
  auto range = EventBuilder("close_range").arg(0, 5).arg(1, ~0u).arg(2, 0).ret(0).build();
  t.apply(range);
  EXPECT_EQ(t.target(1234, 7), "");
  EXPECT_EQ(t.target(1234, 1), "pipe:[77]");
  t.forget(1234);
  EXPECT_EQ(t.target(1234, 20), "");  // seeded again: /proc has no fd 20
}

// By the time a record is read, the process may have closed the descriptor and opened
// another file there: /proc's name is used only when it is the file the call opened.
TEST_F(FdTableTest, DescriptorReusedSinceTheCall) {
  const fs::path a = root_ / "a.txt", b = root_ / "b.txt", via = root_ / "via";
  std::ofstream(a) << "a";
  std::ofstream(b) << "b";
  fs::create_directory_symlink(root_, via);
  link(3, b.string());  // fd 3 is b.txt now
  FdTable t(kFdPath, root());
  auto open_a = EventBuilder("openat")
                    .arg(0, -100)
                    .arg(1, 0x1000)
                    .str_cap(1, (via / "a.txt").string())
                    .arg(2, 0)
                    .ret(3)
                    .build();
  EXPECT_EQ(t.result_name(open_a), a.string());  // the path given, symlinks resolved
  auto open_b = EventBuilder("openat")
                    .arg(0, -100)
                    .arg(1, 0x1000)
                    .str_cap(1, (via / "b.txt").string())
                    .arg(2, 0)
                    .ret(3)
                    .build();
  FdTable u(kFdPath, root());
  EXPECT_EQ(u.result_name(open_b), b.string());  // /proc's name: the same file
}

TEST_F(FdTableTest, DecoratesArgumentsAndResults) {
  FdTable t(kFdPath, root());
  auto read = EventBuilder("read").arg(0, 1).arg(1, 0x1000).arg(2, 10).ret(-11).build();
  auto args = decode::decode_args(read, &t);
  EXPECT_EQ(decode::to_text(args[0]), "1<pipe:[77]>");
  EXPECT_EQ(decode::to_text(decode::decode_args(read)[0]), "1");
  auto open = EventBuilder("openat")
                  .arg(0, -100)
                  .arg(1, 0x1000)
                  .str_cap(1, "/etc/hosts")
                  .arg(2, 0)
                  .ret(4)
                  .build();
  EXPECT_EQ(decode::ret_text(open, &t), "4</etc/hosts>");
  EXPECT_EQ(decode::ret_text(open), "4");
  EXPECT_EQ(decode::to_text(decode::decode_args(open, &t)[0]), "AT_FDCWD");
}

TEST_F(FdTableTest, SocketsWithYy) {
  FdTable path(kFdPath, root());
  EXPECT_EQ(path.fd_name(1234, 5), "socket:[4242]");
  FdTable all(kFdAll, root());
  EXPECT_EQ(all.fd_name(1234, 5), "TCP:[127.0.0.1:40000->127.0.0.1:80]");
  FdTable sockets(kFdSocket, root());
  EXPECT_EQ(sockets.fd_name(1234, 1), "");  // paths not asked for
}

TEST_F(FdTableTest, TouchesPaths) {
  FdTable t(0, root());
  std::vector<std::string> paths = {"/etc/passwd"};
  auto open = EventBuilder("openat")
                  .arg(0, -100)
                  .arg(1, 0x1000)
                  .str_cap(1, "/etc/passwd")
                  .arg(2, 0)
                  .ret(3)
                  .build();
  EXPECT_TRUE(t.touches(open, paths));
  t.apply(open);
  auto read = EventBuilder("read").arg(0, 3).arg(1, 0x1000).arg(2, 10).ret(0).build();
  EXPECT_TRUE(t.touches(read, paths));
  auto other = EventBuilder("read").arg(0, 1).arg(1, 0x1000).arg(2, 10).ret(0).build();
  EXPECT_FALSE(t.touches(other, paths));
  auto close = EventBuilder("close").arg(0, 3).ret(0).build();
  EXPECT_TRUE(t.touches(close, paths));  // before the close is applied
  t.apply(close);
  EXPECT_FALSE(t.touches(read, paths));
}

}  // namespace
}  // namespace sysgate
