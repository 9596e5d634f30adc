// SPDX-License-Identifier: MIT
// The bpf(2) wrappers against the real kernel: fds are close-on-exec and never 0-2, errors name the command.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <ebpf/types.hpp>

#include "sys/bpf.hpp"

using namespace ebpf;

namespace {
sys::MapCreateAttr array_attr(std::uint32_t value_size = 8, std::uint32_t entries = 4) {
    sys::MapCreateAttr a{};
    a.map_type = static_cast<std::uint32_t>(MapType::Array);
    a.key_size = 4;
    a.value_size = value_size;
    a.max_entries = entries;
    std::strcpy(a.map_name, "sys_test");
    return a;
}
}  // namespace

TEST_CASE("map commands round-trip values", "[sys]") {
    auto attr = array_attr();
    auto fd = sys::map_create(attr);
    REQUIRE(fd);
    const std::uint32_t key = 2;
    std::uint64_t v = 0xdeadbeefcafe, out = 0;
    REQUIRE(sys::map_update_elem(fd->get(), &key, &v));
    REQUIRE(sys::map_lookup_elem(fd->get(), &key, &out));
    CHECK(out == v);
    std::uint32_t next = 99;
    auto more = sys::map_get_next_key(fd->get(), nullptr, &next);
    REQUIRE(more);
    CHECK(*more);
    CHECK(next == 0);
    const std::uint32_t last = 3;
    auto end = sys::map_get_next_key(fd->get(), &last, &next);
    REQUIRE(end);
    CHECK_FALSE(*end);
    // An array index out of range: ENOENT, which the map layer reports as "not there" (false), not an error.
    const std::uint32_t bad = 17;
    auto r = sys::map_lookup_elem(fd->get(), &bad, &out);
    REQUIRE(r);
    CHECK_FALSE(*r);
    // Other failures are errors naming the command.
    auto e = sys::map_lookup_elem(-1, &bad, &out);
    REQUIRE_FALSE(e);
    CHECK(std::string(e.error().message()).find("BPF_MAP_LOOKUP_ELEM") == 0);
    REQUIRE(sys::map_freeze(fd->get()));
    auto frozen = sys::map_update_elem(fd->get(), &key, &v);
    REQUIRE_FALSE(frozen);
    CHECK(frozen.error().sys_errno() == EPERM);
}

TEST_CASE("errors carry the command name and errno", "[sys]") {
    auto attr = array_attr(0);  // value_size 0 is invalid
    auto fd = sys::map_create(attr);
    REQUIRE_FALSE(fd);
    CHECK(fd.error().sys_errno() == EINVAL);
    CHECK(fd.error().code() == Errc::InvalidArgument);
    CHECK(std::string(fd.error().message()).find("BPF_MAP_CREATE: ") == 0);
    auto get = sys::obj_get("/nonexistent/pin");
    REQUIRE_FALSE(get);
    CHECK(get.error().code() == Errc::NotFound);
}

TEST_CASE("new fds are >= 3 and close-on-exec, even when 0-2 are free", "[sys]") {
    // Free stdin so the kernel would hand out fd 0; the wrapper must move it out of the way.
    const int saved = ::fcntl(0, F_DUPFD_CLOEXEC, 10);
    REQUIRE(saved >= 0);
    ::close(0);
    auto attr = array_attr();
    auto fd = sys::map_create(attr);
    const int stdin_now = ::fcntl(0, F_GETFD);
    ::dup2(saved, 0);
    ::close(saved);
    REQUIRE(fd);
    CHECK(fd->get() > 2);
    CHECK(stdin_now == -1);  // the temporary fd 0 was closed again
    CHECK((::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("ids enumerate and reopen objects", "[sys]") {
    auto attr = array_attr();
    auto fd = sys::map_create(attr);
    REQUIRE(fd);
    std::uint32_t id = 0;
    bool found = false;
    for (int i = 0; i < 100000; ++i) {
        auto next = sys::get_next_id(sys::Cmd::MapGetNextId, id);
        REQUIRE(next);
        if (!*next) break;
        id = **next;
        auto other = sys::get_fd_by_id(sys::Cmd::MapGetFdById, id);
        if (!other) continue;  // raced with a map being freed
        std::uint32_t len = 0;
        char info[128] = {};
        len = sizeof info;
        REQUIRE(sys::obj_get_info_by_fd(other->get(), info, len));
        if (std::strncmp(info + 24, "sys_test", 8) == 0) found = true;
    }
    CHECK(found);
}
