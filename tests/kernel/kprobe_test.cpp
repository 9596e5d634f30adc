// SPDX-License-Identifier: MIT
// KProbe: kprobes and kretprobes on do_unlinkat (what unlink(2) calls), triggered by unlink() of a missing path.
// Every path is taken for real: the kprobe PMU with a bpf_link (5.15+) or PERF_EVENT_IOC_SET_BPF, and tracefs
// kprobe_events (forced with the probe feature:kprobe_pmu = 0, or chosen for a kretprobe's maxactive). Each test
// compares open fds and the kprobe_events file before and after. Kernels without kprobes (this project's CI host)
// skip with the probes' reason; the VM kernels run them (tools/matrix).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <ebpf/ebpf.hpp>

#include "kernel/tracing_support.hpp"
#include "support/fd_count.hpp"
#include "support/netns.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::global;
using test::msg;
using test::unlink_missing;

namespace {

// Runs `body` once with the kprobe PMU (where the kernel has it) and once forced through tracefs.
template <class F>
void each_kprobe_path(F&& body) {
    const ProbeKey pmu = ProbeKey::feature(Feature::KprobePmu);
    auto present = has(Feature::KprobePmu);
    REQUIRE(present);
    if (*present) {
        SECTION("kprobe PMU") { body(false); }
    }
    SECTION("tracefs kprobe_events") {
        const test::ForcedProbe no_pmu(pmu, false);
        body(true);
    }
}

}  // namespace

TEST_CASE("KProbe: kprobe and kretprobe count real calls; the Link owns the event, its link and its tracefs entry",
          "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    Object obj = test::load_object("kprobes.bpf.o");
    auto entry = obj.program<KProbe>("unlink_entry");
    auto ret = obj.program<KProbe>("unlink_return");
    REQUIRE(entry);
    REQUIRE(ret);
    REQUIRE(entry->load());
    REQUIRE(ret->load());
    CHECK_FALSE(entry->is_retprobe());
    CHECK(ret->is_retprobe());
    auto perf_links = link_supported(AttachType::PerfEvent);
    REQUIRE(perf_links);
    each_kprobe_path([&](bool tracefs) {
        const std::string events_before = test::kprobe_events();
        const int fds_before = test::open_fd_count();
        const std::uint64_t e0 = global(obj, "entries"), r0 = global(obj, "returns");
        {
            auto l1 = entry->attach();
            if (!l1) FAIL(msg(l1.error()));
            auto l2 = ret->attach("do_unlinkat");
            if (!l2) FAIL(msg(l2.error()));
            CHECK(l1->is_bpf_link() == *perf_links);
            // A perf event each, plus a bpf_link over it where the kernel has perf_event links.
            CHECK(test::open_fd_count() == fds_before + 2 * (*perf_links ? 2 : 1));
            if (tracefs) {
                const std::string events = test::kprobe_events();
                CHECK(events.find("ebpf_cxx/ebpf_cxx_" + std::to_string(::getpid()) + "_") != std::string::npos);
                CHECK(events.find("do_unlinkat") != std::string::npos);
            } else {
                CHECK(test::kprobe_events() == events_before);
            }
            unlink_missing(3);
            CHECK(global(obj, "entries") == e0 + 3);
            CHECK(global(obj, "returns") == r0 + 3);
            if (l1->is_bpf_link()) {
                auto info = l1->info();
                REQUIRE(info);
                CHECK(info->type == LinkType::PerfEvent);
            }
            auto out = l1->detach();
            REQUIRE(out);
            unlink_missing(2);
            CHECK(global(obj, "entries") == e0 + 3);
            CHECK(global(obj, "returns") == r0 + 5);
        }
        unlink_missing(1);
        CHECK(global(obj, "returns") == r0 + 5);
        CHECK(test::open_fd_count() == fds_before);
        CHECK(test::kprobe_events() == events_before);
    });
}

TEST_CASE("KProbe: without perf_event links the program hangs on the event (PERF_EVENT_IOC_SET_BPF)", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    Object obj = test::load_object("kprobes.bpf.o");
    auto entry = obj.program<KProbe>("unlink_entry");
    REQUIRE(entry->load());
    each_kprobe_path([&](bool) {
        const ProbeKey key = ProbeKey::link(AttachType::PerfEvent);
        const int fds_before = test::open_fd_count();
        auto link = [&] {
            const test::ForcedProbe no_links(key, false);
            return entry->attach();
        }();
        if (!link) FAIL(msg(link.error()));
        CHECK_FALSE(link->is_bpf_link());
        CHECK(test::open_fd_count() == fds_before + 1);
        const std::uint64_t e0 = global(obj, "entries");
        unlink_missing(4);
        CHECK(global(obj, "entries") == e0 + 4);
        REQUIRE(link->detach());
        unlink_missing(1);
        CHECK(global(obj, "entries") == e0 + 4);
        CHECK(test::open_fd_count() == fds_before);
    });
}

TEST_CASE("KProbe: a kretprobe with maxactive goes through tracefs, which records it", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    Object obj = test::load_object("kprobes.bpf.o");
    auto ret = obj.program<KProbe>("unlink_return");
    REQUIRE(ret->load());
    const std::string before = test::kprobe_events();
    {
        auto link = ret->attach({.maxactive = 17});
        if (!link) FAIL(msg(link.error()));
        const std::string events = test::kprobe_events();
        INFO(events);
        CHECK(events.find("r17:ebpf_cxx/ebpf_cxx_" + std::to_string(::getpid())) != std::string::npos);
        const std::uint64_t r0 = global(obj, "returns");
        unlink_missing(2);
        CHECK(global(obj, "returns") == r0 + 2);
    }
    CHECK(test::kprobe_events() == before);
}

TEST_CASE("KProbe: cookies reach the program (perf_event links, 5.15)", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    auto perf_links = link_supported(AttachType::PerfEvent);
    REQUIRE(perf_links);
    Object obj = test::load_object("kprobes.bpf.o");
    auto p = obj.program<KProbe>("unlink_cookie");
    if (!*perf_links) {
        // bpf_get_attach_cookie() came with the links: the program does not even load, and a cookie is refused.
        auto entry = obj.program<KProbe>("unlink_entry");
        REQUIRE(entry->load());
        auto refused = entry->attach({.cookie = 1});
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code() == Errc::NotSupported);
        EBPF_SKIP("no perf_event links, so no cookies (probe link:perf_event = false); the refusal was checked");
    }
    REQUIRE(p->load());
    each_kprobe_path([&](bool) {
        auto link = p->attach({.cookie = 0xc0ffee});
        if (!link) FAIL(msg(link.error()));
        unlink_missing(1);
        CHECK(global(obj, "last_cookie") == 0xc0ffee);
    });
}

TEST_CASE("KProbe: by address (from /proc/kallsyms) and with an offset in the name", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    const std::uint64_t addr = test::kallsyms_address("do_unlinkat");
    if (addr == 0) EBPF_SKIP("do_unlinkat has no address in /proc/kallsyms (kptr_restrict)");
    Object obj = test::load_object("kprobes.bpf.o");
    auto p = obj.program<KProbe>("probe_anywhere");
    REQUIRE(p->load());
    each_kprobe_path([&](bool) {
        const std::uint64_t e0 = global(obj, "entries");
        {
            auto link = p->attach_address(addr);
            if (!link) FAIL(msg(link.error()));
            unlink_missing(2);
        }
        {
            auto link = p->attach("do_unlinkat+0");
            if (!link) FAIL(msg(link.error()));
            unlink_missing(1);
        }
        CHECK(global(obj, "entries") == e0 + 3);
    });
}

TEST_CASE("KProbe: a module function (module:function), hit by creating a veth pair", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    if (test::kallsyms_address("veth_newlink", "veth") == 0 && !test::module_loaded("veth"))
        EBPF_SKIP("the veth module is not loaded (no [veth] symbols in /proc/kallsyms)");
    Object obj = test::load_object("kprobes.bpf.o");
    auto p = obj.program<KProbe>("veth_newlink_entry");
    REQUIRE(p->load());
    CHECK(p->program().attach_target() == "veth:veth_newlink");
    each_kprobe_path([&](bool) {
        auto link = p->attach();
        if (!link) FAIL(msg(link.error()));
        const std::uint64_t before = global(obj, "module_hits");
        {
            test::NetnsVeth pair;
            REQUIRE(pair.ok());
        }
        CHECK(global(obj, "module_hits") >= before + 1);
    });
}

TEST_CASE("KProbe: a missing function or module is NotFound, naming it; nothing is left behind", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    Object obj = test::load_object("kprobes.bpf.o");
    auto p = obj.program<KProbe>("probe_anywhere");
    REQUIRE(p->load());
    each_kprobe_path([&](bool tracefs) {
        const std::string events = test::kprobe_events();
        const int fds = test::open_fd_count();
        auto missing = p->attach("ebpf_cxx_no_such_function");
        REQUIRE_FALSE(missing);
        INFO(msg(missing.error()));
        CHECK(missing.error().code() == Errc::NotFound);
        CHECK(msg(missing.error()).find("'probe_anywhere' to ebpf_cxx_no_such_function") != std::string::npos);
        CHECK(msg(missing.error()).find("no such kernel function") != std::string::npos);
        CHECK(msg(missing.error()).find(tracefs ? "kprobe_events" : "kprobe PMU") != std::string::npos);
        auto no_module = p->attach("ebpf_cxx_no_such_module:some_function");
        REQUIRE_FALSE(no_module);
        INFO(msg(no_module.error()));
        CHECK(no_module.error().code() == Errc::NotFound);
        CHECK(msg(no_module.error()).find("module 'ebpf_cxx_no_such_module' is not loaded") != std::string::npos);
        CHECK(test::open_fd_count() == fds);
        CHECK(test::kprobe_events() == events);
    });
}

TEST_CASE("KProbe: bad arguments are refused before anything is created", "[tracing]") {
    Object obj = test::load_object("kprobes.bpf.o");
    auto p = obj.program<KProbe>("unlink_entry");
    REQUIRE(p);
    auto not_loaded = p->attach();
    REQUIRE_FALSE(not_loaded);
    CHECK(not_loaded.error().code() == Errc::InvalidArgument);
    CHECK(msg(not_loaded.error()) == "attach kprobe program 'unlink_entry' to do_unlinkat: the program is not loaded");
    REQUIRE(p->load());
    auto ret = obj.program<KProbe>("unlink_return");
    REQUIRE(ret->load());
    auto unnamed = obj.program<KProbe>("probe_anywhere");
    REQUIRE(unnamed->load());
    const int fds = test::open_fd_count();
    auto ret_offset = ret->attach("do_unlinkat+0x10");
    REQUIRE_FALSE(ret_offset);
    CHECK(msg(ret_offset.error()).find("a kretprobe takes no offset") != std::string::npos);
    auto maxactive = p->attach({.maxactive = 4});
    REQUIRE_FALSE(maxactive);
    CHECK(msg(maxactive.error()).find("maxactive applies to kretprobes only") != std::string::npos);
    auto bad_offset = p->attach("do_unlinkat+zz");
    REQUIRE_FALSE(bad_offset);
    CHECK(bad_offset.error().code() == Errc::InvalidArgument);
    auto no_target = unnamed->attach();
    REQUIRE_FALSE(no_target);
    CHECK(msg(no_target.error()).find("names no function") != std::string::npos);
    CHECK(test::open_fd_count() == fds);
    // The view takes kprobe and kretprobe programs only.
    auto wrong = obj.program<KProbe>("getppid_entry");
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code() == Errc::InvalidArgument);
    CHECK(msg(wrong.error()).find("KProbe takes kprobe, kretprobe programs") != std::string::npos);
    // Auto-attach needs a target in the section.
    auto blocker = auto_attach_blocker(*obj.find_program("probe_anywhere"));
    REQUIRE(blocker);
    CHECK(blocker->find("names no target") != std::string::npos);
}

TEST_CASE("KProbe: auto_attach attaches kprobe/<function> sections", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    Object obj = test::load_object("kprobes.bpf.o");
    Program* p = obj.find_program("unlink_entry");
    REQUIRE(p->load());
    CHECK_FALSE(auto_attach_blocker(*p));
    auto link = auto_attach(*p);
    if (!link) FAIL(msg(link.error()));
    const std::uint64_t e0 = global(obj, "entries");
    unlink_missing(2);
    CHECK(global(obj, "entries") == e0 + 2);
}

TEST_CASE("KProbe: tracefs entries left by dead processes are removed", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    std::string root;
    for (const char* r : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"})
        if (::access((std::string(r) + "/kprobe_events").c_str(), W_OK) == 0) {
            root = r;
            break;
        }
    if (root.empty()) EBPF_SKIP("no writable tracefs kprobe_events");
    // A pid that no longer exists: a child that has exited and been reaped.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) ::_exit(0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const std::string event = "ebpf_cxx_" + std::to_string(child) + "_0_stale";
    {
        std::ofstream f(root + "/kprobe_events", std::ios::app);
        f << "p:ebpf_cxx/" << event << " do_unlinkat\n";
    }
    REQUIRE(test::kprobe_events().find(event) != std::string::npos);
    auto removed = remove_stale_probe_events();
    if (!removed) FAIL(msg(removed.error()));
    CHECK(*removed >= 1);
    CHECK(test::kprobe_events().find(event) == std::string::npos);
}
