// SPDX-License-Identifier: MIT
// Program loading against the kernel: hand-written programs, verifier failures with logs, test runs, pinning.
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

#include <ebpf/ebpf.hpp>

#include "support/kernel.hpp"

using namespace ebpf;

namespace {
// r0 = <ret>; exit
ProgramDef returns(std::int32_t ret, ProgramType type = ProgramType::SocketFilter) {
    ProgramDef d;
    d.name = "returns";
    d.type = type;
    d.instructions = {{0xb7, 0, 0, 0, ret}, {0x95, 0, 0, 0, 0}};
    return d;
}
}  // namespace

TEST_CASE("a minimal program loads, runs and reports info", "[programs]") {
    auto p = Program::prepare(returns(7));
    REQUIRE(p);
    CHECK_FALSE(p->loaded());
    REQUIRE(p->load());
    CHECK(p->loaded());
    CHECK(p->fd().get() > 2);
    REQUIRE(p->load());  // idempotent
    std::vector<std::byte> pkt(64);
    auto r = p->test_run({.data_in = pkt});
    REQUIRE(r);
    CHECK(r->retval == 7);
    auto info = p->info();
    REQUIRE(info);
    CHECK(info->type == ProgramType::SocketFilter);
    CHECK(info->name == "returns");
    CHECK(info->xlated_size == 16);
    auto reopened = Program::from_id(info->id);
    REQUIRE(reopened);
    CHECK(reopened->type() == ProgramType::SocketFilter);
}

TEST_CASE("verifier rejections carry the log and say where it failed", "[programs]") {
    ProgramDef d = returns(0);
    d.name = "bad_prog";
    d.instructions = {{0xbf, 0, 6, 0, 0}, {0x95, 0, 0, 0, 0}};  // r0 = r6 (uninitialised); exit
    auto p = Program::prepare(std::move(d));
    REQUIRE(p);
    auto r = p->load();
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::Verifier);
    CHECK(r.error().sys_errno() == EACCES);  // the kernel's answer is kept next to the log
    const std::string msg(r.error().message());
    CHECK(msg.find("load program 'bad_prog' (socket_filter)") == 0);
    CHECK(msg.find("R6 !read_ok") != std::string::npos);
    CHECK(std::string(r.error().verifier_log()).find("R6 !read_ok") != std::string::npos);
    CHECK_FALSE(p->loaded());
}

TEST_CASE("a requested log level keeps the log on success, growing the buffer when small", "[programs]") {
    ProgramDef d = returns(1);
    d.log_level = 2;
    d.log_size = 64;  // raised to the kernel's minimum (128), still too small: ENOSPC, and the buffer must grow
    auto p = Program::prepare(std::move(d));
    REQUIRE(p);
    REQUIRE(p->load());
    CHECK(std::string(p->verifier_log()).find("processed 2 insns") != std::string::npos);
}

TEST_CASE("prepare rejects what cannot load", "[programs]") {
    ProgramDef empty = returns(0);
    empty.instructions.clear();
    CHECK(Program::prepare(empty).error().code() == Errc::InvalidArgument);
    ProgramDef untyped = returns(0, ProgramType::Unspec);
    untyped.section = "weird/section";
    auto u = Program::prepare(untyped);
    REQUIRE_FALSE(u);
    CHECK(std::string(u.error().message()).find("weird/section") != std::string::npos);
}

TEST_CASE("programs pin and reopen", "[programs]") {
    test::BpffsDir dir;
    auto p = Program::prepare(returns(3));
    REQUIRE(p);
    CHECK(p->pin((dir / "x").c_str()).error().code() == Errc::InvalidArgument);  // not loaded
    REQUIRE(p->load());
    REQUIRE(p->pin((dir / "prog").c_str()));
    auto q = Program::from_pin((dir / "prog").c_str());
    REQUIRE(q);
    std::vector<std::byte> pkt(64);
    CHECK(q->test_run({.data_in = pkt})->retval == 3);
}

TEST_CASE("check_program_type names both types", "[programs]") {
    auto p = Program::prepare(returns(0));
    REQUIRE(p);
    auto v = CgroupSkb::from(*p);
    REQUIRE_FALSE(v);
    CHECK(std::string(v.error().message()).find("socket_filter") != std::string::npos);
    CHECK(std::string(v.error().message()).find("cgroup_skb") != std::string::npos);
}
