// SPDX-License-Identifier: MIT
// File operations through the syscall seam: whole-file reads of /proc and /sys, writes, directory listings,
// descriptors >= 3 with close-on-exec, and errors that name the operation and the path.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "sys/file.hpp"
#include "sys/proc.hpp"

using namespace ebpf;

TEST_CASE("kernel files are read through the seam", "[sys]") {
    const int fds = test::open_fd_count();
    auto text = sys::read_text("/proc/self/status");
    REQUIRE(text);
    CHECK(text->find("Pid:") != std::string::npos);
    auto cpus = sys::read_cpu_list("/sys/devices/system/cpu/possible");
    REQUIRE(cpus);
    CHECK(*cpus >= 1);
    // Larger than one read: the loop keeps reading until EOF.
    auto maps = sys::read_file("/proc/self/maps");
    REQUIRE(maps);
    CHECK(maps->size() > 100);
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("file errors name the operation and the path", "[sys]") {
    auto missing = sys::read_text("/sys/nonexistent/ebpf-cxx");
    CHECK(test::fails_with(missing, Errc::NotFound, "open /sys/nonexistent/ebpf-cxx: No such file or directory (errno 2)"));
    auto capped = sys::read_text("/proc/self/maps", 16);
    CHECK(test::fails_with(capped, Errc::ResourceLimit, "read /proc/self/maps: larger than 16 bytes"));
    auto dir = sys::read_text("/proc/self");
    CHECK(test::fails_with(dir, Errc::Io, "read /proc/self: Is a directory"));
    auto ro = sys::write_path("/proc/self/status", "x");
    REQUIRE_FALSE(ro);
    CHECK(std::string(ro.error().message()).find("/proc/self/status") != std::string::npos);
}

TEST_CASE("open_path gives close-on-exec descriptors above 2", "[sys]") {
    auto fd = sys::open_path("/proc/self/status", O_RDONLY);
    REQUIRE(fd);
    CHECK(fd->get() > 2);
    CHECK((::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);
    // Even when 0 is free, the BPF UAPI's "no fd" value is never handed out.
    const int saved = ::dup(0);
    REQUIRE(saved >= 0);
    ::close(0);
    auto low = sys::open_path("/proc/self/status", O_RDONLY);
    ::dup2(saved, 0);
    ::close(saved);
    REQUIRE(low);
    CHECK(low->get() > 2);
    auto via_unique = UniqueFd::open("/proc/self");
    REQUIRE(via_unique);
    CHECK(via_unique->get() > 2);
}

TEST_CASE("write_path and read_fd round-trip a file", "[sys]") {
    char tmpl[] = "/tmp/ebpf-cxx-file-test-XXXXXX";
    const int tmp = ::mkstemp(tmpl);
    REQUIRE(tmp >= 0);
    ::close(tmp);
    REQUIRE(sys::write_path(tmpl, "hello ", O_TRUNC));
    REQUIRE(sys::write_path(tmpl, "world\n", O_APPEND));
    auto back = sys::read_text(tmpl);
    ::unlink(tmpl);
    REQUIRE(back);
    CHECK(*back == "hello world\n");
}

TEST_CASE("list_dir and path_exists", "[sys]") {
    auto names = sys::list_dir("/proc/self/fd");
    REQUIRE(names);
    CHECK(std::find(names->begin(), names->end(), "0") != names->end());
    CHECK(std::find(names->begin(), names->end(), ".") == names->end());
    auto many = sys::list_dir("/proc");  // more entries than one getdents64 buffer holds on a busy host
    REQUIRE(many);
    CHECK(std::find(many->begin(), many->end(), "self") != many->end());
    CHECK(test::fails_with(sys::list_dir("/nonexistent"), Errc::NotFound, "open /nonexistent"));
    CHECK(sys::path_exists("/proc/self"));
    CHECK_FALSE(sys::path_exists("/proc/self/nonexistent"));
}
