// SPDX-License-Identifier: MIT
// Tracepoint programs triggered by real system calls; the Link owns the perf event (and a bpf_link over it).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>

#include <ebpf/ebpf.hpp>

#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {
Object tracing_object() {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    auto obj = Object::load_file(test::obj_path("tracing_basic.bpf.o").c_str(), o);
    REQUIRE(obj);
    return std::move(*obj);
}

std::uint64_t global_u64(const Object& obj, const char* name) {
    std::uint64_t v = 0;
    REQUIRE(obj.read_global(name, as_writable_bytes_of(v)));
    return v;
}

void getppid_n(int n) {
    for (int i = 0; i < n; ++i) (void)::getppid();
}
}  // namespace

TEST_CASE("a tracepoint program counts real system calls; its Link owns every fd", "[tracing]") {
    Object obj = tracing_object();
    auto tp = obj.program<Tracepoint>("count_getppid");
    REQUIRE(tp);
    REQUIRE(tp->load());
    CHECK(tp->program().attach_target() == "syscalls/sys_enter_getppid");
    const int fds_before = test::open_fd_count();
    {
        auto link = tp->attach();
        REQUIRE(link);
        auto links = link_supported(AttachType::PerfEvent);
        REQUIRE(links);
        // The perf event, plus a bpf_link over it where the kernel has perf_event links.
        CHECK(test::open_fd_count() == fds_before + (*links ? 2 : 1));
        CHECK(link->is_bpf_link() == *links);
        const std::uint64_t before = global_u64(obj, "getppid_calls");
        getppid_n(25);
        CHECK(global_u64(obj, "getppid_calls") == before + 25);
        if (*links) {
            auto info = link->info();
            REQUIRE(info);
            CHECK(info->type == LinkType::PerfEvent);
        }
    }
    CHECK(test::open_fd_count() == fds_before);
    const std::uint64_t after = global_u64(obj, "getppid_calls");
    getppid_n(10);
    CHECK(global_u64(obj, "getppid_calls") == after);
}

TEST_CASE("without perf_event links, the program hangs on the event (PERF_EVENT_IOC_SET_BPF)", "[tracing]") {
    Object obj = tracing_object();
    auto tp = obj.program<Tracepoint>("count_getppid");
    REQUIRE(tp->load());
    const ProbeKey key = ProbeKey::link(AttachType::PerfEvent);
    override_probe(key, false);
    auto link = tp->attach("syscalls", "sys_enter_getppid");
    override_probe(key, std::nullopt);
    REQUIRE(link);
    CHECK_FALSE(link->is_bpf_link());
    const std::uint64_t before = global_u64(obj, "getppid_calls");
    getppid_n(7);
    CHECK(global_u64(obj, "getppid_calls") == before + 7);
    // release() hands over the perf event: the attachment lives while it is open.
    UniqueFd event = link->release();
    REQUIRE(event.valid());
    getppid_n(3);
    CHECK(global_u64(obj, "getppid_calls") == before + 10);
    event.reset();
    getppid_n(3);
    CHECK(global_u64(obj, "getppid_calls") == before + 10);
    // A cookie needs the bpf_link path: refused, saying why.
    override_probe(key, false);
    auto with_cookie = tp->attach({.cookie = 5});
    override_probe(key, std::nullopt);
    REQUIRE_FALSE(with_cookie);
    CHECK(with_cookie.error().code() == Errc::NotSupported);
}

TEST_CASE("a tracepoint cookie reaches the program", "[tracing]") {
    auto links = link_supported(AttachType::PerfEvent);
    REQUIRE(links);
    if (!*links) EBPF_SKIP("no perf_event links, so no cookies (probe link:perf_event = false)");
    Object obj = tracing_object();
    auto tp = obj.program<Tracepoint>("cookie_getppid");
    REQUIRE(tp->load());
    auto link = tp->attach({.cookie = 0x1234abcd});
    REQUIRE(link);
    getppid_n(1);
    CHECK(global_u64(obj, "last_cookie") == 0x1234abcd);
}

TEST_CASE("tracepoint errors name what was looked for", "[tracing]") {
    Object obj = tracing_object();
    auto tp = obj.program<Tracepoint>("count_getppid");
    auto not_loaded = tp->attach();
    REQUIRE_FALSE(not_loaded);
    CHECK(not_loaded.error().code() == Errc::InvalidArgument);
    CHECK(std::string(not_loaded.error().message()).find("not loaded") != std::string::npos);
    REQUIRE(tp->load());
    const int fds = test::open_fd_count();
    auto missing = tp->attach("syscalls", "sys_enter_no_such_call");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code() == Errc::NotFound);
    CHECK(std::string(missing.error().message()).find("syscalls/sys_enter_no_such_call") != std::string::npos);
    CHECK(test::open_fd_count() == fds);
    auto raw = obj.program<Tracepoint>("count_sys_enter");
    REQUIRE_FALSE(raw);  // a raw_tp program is not a tracepoint program
    auto via_auto = auto_attach(*obj.program("count_getppid"));
    REQUIRE(via_auto);
}

TEST_CASE("enable_stats: run counts and run time are collected while its fd is open", "[tracing]") {
    Object obj = tracing_object();
    auto tp = obj.program<Tracepoint>("count_getppid");
    REQUIRE(tp);
    REQUIRE(tp->load());
    const int fds_before = test::open_fd_count();
    {
        auto stats = enable_stats();
        if (!stats && stats.error().code() == Errc::InvalidArgument)
            EBPF_SKIP("BPF_ENABLE_STATS: " << stats.error().message());
        REQUIRE(stats);
        CHECK(stats->valid());
        CHECK(test::open_fd_count() == fds_before + 1);
        auto link = tp->attach();
        REQUIRE(link);
        auto before = tp->program().info();
        REQUIRE(before);
        getppid_n(20);
        auto after = tp->program().info();
        REQUIRE(after);
        // Every process's getppid() runs the program (it filters inside): at least ours.
        CHECK(after->run_count >= before->run_count + 20);
        CHECK(after->run_time_ns > before->run_time_ns);
    }
    CHECK(test::open_fd_count() == fds_before);
}
