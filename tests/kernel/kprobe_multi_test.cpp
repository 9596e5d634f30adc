// SPDX-License-Identifier: MIT
// KProbeMulti: kprobe.multi, kretprobe.multi and kprobe.session links on do_unlinkat, by pattern, by name with
// cookies, and by address; patterns resolved against tracefs available_filter_functions. Needs fprobe links
// (5.18+ with CONFIG_FPROBE; kprobe.session 6.10): the kernels without them skip with the probe's answer.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "kernel/tracing_support.hpp"
#include "support/fd_count.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::global;
using test::msg;
using test::unlink_missing;

namespace {

std::optional<std::string> lacks_link(AttachType type) {
    auto s = link_supported(type);
    if (!s) return "probe link:" + std::string(to_string(type)) + " failed: " + msg(s.error());
    if (!*s)
        return "probe link:" + std::string(to_string(type)) +
               " = false (no such bpf_link here, or a kernel without CONFIG_FPROBE)";
    return std::nullopt;
}

}  // namespace

TEST_CASE("KProbeMulti: patterns resolve against the traceable functions; one matching nothing is NotFound",
          "[tracing]") {
    auto names = KProbeMulti::resolve("do_unlinka?");
    if (!names && names.error().code() != Errc::NotFound) FAIL(msg(names.error()));
    if (!names) EBPF_SKIP("do_unlinkat is not traceable here: " << msg(names.error()));
    CHECK(*names == std::vector<std::string>{"do_unlinkat"});
    auto several = KProbeMulti::resolve("do_sys_*");
    REQUIRE(several);
    CHECK(std::is_sorted(several->begin(), several->end()));
    auto none = KProbeMulti::resolve("ebpf_cxx_no_such_fn_*");
    REQUIRE_FALSE(none);
    CHECK(none.error().code() == Errc::NotFound);
    CHECK(msg(none.error()).find("pattern 'ebpf_cxx_no_such_fn_*' matches no function in ") != std::string::npos);
    auto no_module = KProbeMulti::resolve("ebpf_cxx_no_such_module:*");
    REQUIRE_FALSE(no_module);
    CHECK(msg(no_module.error()).find("of module ebpf_cxx_no_such_module") != std::string::npos);
}

TEST_CASE("KProbeMulti: kprobe.multi and kretprobe.multi by pattern, names with cookies, addresses", "[kprobe]") {
    EBPF_SKIP_IF(lacks_link(AttachType::TraceKprobeMulti));
    Object obj = test::load_object("kprobes.bpf.o");
    auto entry = obj.program<KProbeMulti>("multi_entry");
    auto ret = obj.program<KProbeMulti>("multi_return");
    REQUIRE(entry);
    REQUIRE(ret);
    REQUIRE(entry->load());
    REQUIRE(ret->load());
    const int fds = test::open_fd_count();
    {
        auto l1 = entry->attach();  // kprobe.multi/do_unlinka?
        if (!l1) FAIL(msg(l1.error()));
        auto l2 = ret->attach();
        if (!l2) FAIL(msg(l2.error()));
        CHECK(test::open_fd_count() == fds + 2);
        auto info = l1->info();
        REQUIRE(info);
        CHECK(info->type == LinkType::KprobeMulti);
        CHECK(info->count == 1);
        const std::uint64_t e0 = global(obj, "multi_entries"), r0 = global(obj, "multi_returns");
        unlink_missing(3);
        CHECK(global(obj, "multi_entries") == e0 + 3);
        CHECK(global(obj, "multi_returns") == r0 + 3);
        CHECK(l1->detach());
        unlink_missing(1);
        CHECK(global(obj, "multi_entries") == e0 + 3);
    }
    CHECK(test::open_fd_count() == fds);
    // By name, with a cookie per function.
    const std::vector<std::string> names = {"do_unlinkat"};
    const std::uint64_t cookies[] = {42};
    {
        auto link = entry->attach_functions(names, {.cookies = cookies});
        if (!link) FAIL(msg(link.error()));
        const std::uint64_t c0 = global(obj, "cookie_sum");
        unlink_missing(2);
        CHECK(global(obj, "cookie_sum") == c0 + 84);
    }
    // By address.
    const std::uint64_t addr = test::kallsyms_address("do_unlinkat");
    if (addr != 0) {
        const std::uint64_t addrs[] = {addr};
        auto link = entry->attach_addresses(addrs);
        if (!link) FAIL(msg(link.error()));
        const std::uint64_t e0 = global(obj, "multi_entries");
        unlink_missing(1);
        CHECK(global(obj, "multi_entries") == e0 + 1);
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("KProbeMulti: kprobe.session runs at entry and at return", "[kprobe]") {
    EBPF_SKIP_IF(lacks_link(AttachType::TraceKprobeSession));
    Object obj = test::load_object("kprobes.bpf.o");
    auto s = obj.program<KProbeMulti>("session");
    REQUIRE(s);
    if (auto r = s->load(); !r) FAIL(msg(r.error()));
    auto link = auto_attach(s->program());
    if (!link) FAIL(msg(link.error()));
    const std::uint64_t e0 = global(obj, "session_entries"), r0 = global(obj, "session_returns");
    unlink_missing(3);
    CHECK(global(obj, "session_entries") == e0 + 3);
    CHECK(global(obj, "session_returns") == r0 + 3);
}

TEST_CASE("KProbeMulti: errors name the pattern or the count; nothing is left behind", "[kprobe]") {
    EBPF_SKIP_IF(lacks_link(AttachType::TraceKprobeMulti));
    Object obj = test::load_object("kprobes.bpf.o");
    auto entry = obj.program<KProbeMulti>("multi_entry");
    auto not_loaded = entry->attach();
    REQUIRE_FALSE(not_loaded);
    CHECK(msg(not_loaded.error()).find("not loaded") != std::string::npos);
    REQUIRE(entry->load());
    const int fds = test::open_fd_count();
    auto none = entry->attach("ebpf_cxx_no_such_fn_*");
    REQUIRE_FALSE(none);
    CHECK(none.error().code() == Errc::NotFound);
    CHECK(msg(none.error()).find("matches no function") != std::string::npos);
    const std::uint64_t two_cookies[] = {1, 2};
    auto counts = entry->attach("do_unlinkat", {.cookies = two_cookies});
    REQUIRE_FALSE(counts);
    CHECK(counts.error().code() == Errc::InvalidArgument);
    CHECK(msg(counts.error()).find("2 cookies for 1 functions") != std::string::npos);
    const std::vector<std::string> missing = {"ebpf_cxx_no_such_function"};
    auto by_name = entry->attach_functions(missing);
    REQUIRE_FALSE(by_name);
    INFO(msg(by_name.error()));
    CHECK(by_name.error().code() == Errc::NotFound);
    const std::vector<std::string> pattern = {"do_unlink*"};
    auto glob_as_name = entry->attach_functions(pattern);
    REQUIRE_FALSE(glob_as_name);
    CHECK(glob_as_name.error().code() == Errc::InvalidArgument);
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("KProbeMulti: without the link the kernel's answer is NotSupported, from the probe", "[tracing]") {
    Object obj = test::load_object("kprobes.bpf.o");
    auto entry = obj.program<KProbeMulti>("multi_entry");
    REQUIRE(entry);
    if (auto r = entry->load(); !r) {
        // Kernels without kprobe.multi (before 5.18) do not load it (its expected attach type, its cookie helper).
        auto s = link_supported(AttachType::TraceKprobeMulti);
        REQUIRE(s);
        REQUIRE_FALSE(*s);
        EBPF_SKIP("kprobe.multi programs do not load here (probe link:trace_kprobe_multi = false): " << msg(r.error()));
    }
    const test::ForcedProbe none(ProbeKey::link(AttachType::TraceKprobeMulti), false);
    const std::vector<std::string> fn = {"do_unlinkat"};
    auto refused = entry->attach_functions(fn);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == Errc::NotSupported);
    CHECK(msg(refused.error()).find("probe link:trace_kprobe_multi = false") != std::string::npos);
}
