// SPDX-License-Identifier: MIT
// Error and Result<T>: codes, errno mapping, context chaining, value semantics.
#include <catch2/catch.hpp>

#include <cerrno>
#include <memory>
#include <string>

#include <ebpf/error.hpp>

#include "base/try.hpp"

using ebpf::Errc;
using ebpf::Error;
using ebpf::Result;

namespace {

Result<int> parse_positive(int v) {
    if (v <= 0) return Error(Errc::InvalidArgument, "not positive");
    return v;
}

Result<int> twice(int v) {
    EBPF_TRY_ASSIGN(const int x, parse_positive(v));
    return 2 * x;
}

Result<void> check(int v) {
    EBPF_TRY(parse_positive(v));
    return {};
}

}  // namespace

TEST_CASE("Error carries code, message and context in order", "[base]") {
    Error e(Errc::NotFound, "no such map");
    CHECK(e.code() == Errc::NotFound);
    CHECK(e.sys_errno() == 0);
    e.context("open object x").context("load x.o");
    CHECK(e.message() == "load x.o: open object x: no such map");
    CHECK(e.verifier_log().empty());
    CHECK(ebpf::to_string(Errc::Verifier) == "rejected by the verifier");
}

TEST_CASE("Error::from_errno maps errno to codes and names the call", "[base]") {
    CHECK(Error::from_errno(EPERM, "BPF_PROG_LOAD").code() == Errc::Permission);
    CHECK(Error::from_errno(EACCES, "x").code() == Errc::Permission);
    CHECK(Error::from_errno(ENOENT, "x").code() == Errc::NotFound);
    CHECK(Error::from_errno(EEXIST, "x").code() == Errc::Exists);
    CHECK(Error::from_errno(EOPNOTSUPP, "x").code() == Errc::NotSupported);
    CHECK(Error::from_errno(524, "x").code() == Errc::NotSupported);
    CHECK(Error::from_errno(ENOMEM, "x").code() == Errc::ResourceLimit);
    CHECK(Error::from_errno(E2BIG, "x").code() == Errc::ResourceLimit);
    CHECK(Error::from_errno(EINVAL, "x").code() == Errc::InvalidArgument);
    CHECK(Error::from_errno(EBADF, "x").code() == Errc::Syscall);
    const Error e = Error::from_errno(EPERM, "BPF_MAP_CREATE");
    CHECK(e.sys_errno() == EPERM);
    const std::string m(e.message());
    CHECK(m.find("BPF_MAP_CREATE") == 0);
    CHECK(m.find("(errno 1)") != std::string::npos);
    CHECK(std::string(Error::from_errno(524, "x").message()).find("ENOTSUPP") != std::string::npos);
}

TEST_CASE("Error copies deeply and moves cheaply", "[base]") {
    Error a(Errc::Verifier, "rejected");
    a.set_verifier_log("0: r0 = 0\nR6 !read_ok\n");
    Error b = a;
    b.context("again");
    CHECK(a.message() == "rejected");
    CHECK(b.message() == "again: rejected");
    CHECK(b.verifier_log() == a.verifier_log());
    Error c = std::move(b);
    CHECK(c.message() == "again: rejected");
    a = c;
    CHECK(a.message() == "again: rejected");
    CHECK(sizeof(Error) == sizeof(void*));
}

TEST_CASE("Result<T> holds a value or an error", "[base]") {
    Result<int> ok = 5;
    REQUIRE(ok.has_value());
    CHECK(*ok == 5);
    CHECK(ok.value_or(9) == 5);
    Result<int> bad = Error(Errc::Io, "disk");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code() == Errc::Io);
    CHECK(bad.value_or(9) == 9);

    auto doubled = Result<int>(4).transform([](int v) { return v * 2; });
    CHECK(*doubled == 8);
    auto chained = Result<int>(4).and_then([](int v) -> Result<std::string> { return std::to_string(v); });
    CHECK(*chained == "4");
    auto failed = Result<int>(Error(Errc::Io, "x")).and_then([](int) -> Result<std::string> { return std::string(); });
    CHECK(failed.error().code() == Errc::Io);
    auto with_ctx = Result<int>(Error(Errc::Io, "read")).context("parse");
    CHECK(with_ctx.error().message() == "parse: read");
}

TEST_CASE("Result works with move-only values and void", "[base]") {
    Result<std::unique_ptr<int>> p = std::make_unique<int>(3);
    REQUIRE(p);
    std::unique_ptr<int> owned = std::move(p).value();
    CHECK(*owned == 3);

    Result<void> v;
    CHECK(v.has_value());
    Result<void> e = Error(Errc::Exists, "pinned");
    CHECK_FALSE(e);
    CHECK(e.error().code() == Errc::Exists);
    Result<void> copy = e;
    CHECK(copy.error().message() == "pinned");
}

TEST_CASE("EBPF_TRY and EBPF_TRY_ASSIGN propagate errors unchanged", "[base]") {
    CHECK(*twice(21) == 42);
    CHECK(twice(-1).error().code() == Errc::InvalidArgument);
    CHECK(check(1).has_value());
    CHECK(check(0).error().message() == "not positive");
}

TEST_CASE("a moved-from Error is safe to copy, read and reuse", "[base]") {
    Error e(Errc::NotFound, "x");
    Error moved = std::move(e);
    CHECK(moved.message() == "x");
    // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is specified
    CHECK(e.code() == Errc::InvalidArgument);
    CHECK(e.message() == "(moved-from error)");
    CHECK(e.sys_errno() == 0);
    CHECK(e.verifier_log().empty());
    Error copy = e;  // copying an empty Error used to dereference null
    CHECK(copy.message() == "(moved-from error)");
    Error assigned(Errc::Io, "y");
    assigned = e;
    CHECK(assigned.code() == Errc::InvalidArgument);
    e.context("again");
    CHECK(e.message() == "again: (moved-from error)");
    // NOLINTEND(bugprone-use-after-move)
}

TEST_CASE("errno texts come from our own table; the new codes branch on EBUSY, EAGAIN, ENODEV", "[base]") {
    CHECK(Error::from_errno(EBUSY, "x").code() == Errc::Busy);
    CHECK(Error::from_errno(EAGAIN, "x").code() == Errc::WouldBlock);
    CHECK(Error::from_errno(ENODEV, "x").code() == Errc::NoDevice);
    CHECK(Error::from_errno(ENXIO, "x").code() == Errc::NoDevice);
    CHECK(ebpf::to_string(Errc::Busy) == "busy");
    CHECK(Error::from_errno(ENOENT, "open").message() == "open: No such file or directory (errno 2)");
    CHECK(Error::from_errno(524, "BPF_LINK_CREATE").message() ==
          "BPF_LINK_CREATE: Operation not supported by the kernel (ENOTSUPP) (errno 524)");
    CHECK(Error::from_errno(4095, "x").message() == "x: errno 4095");  // unknown: no shared strerror buffer
}
