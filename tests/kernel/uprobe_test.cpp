// SPDX-License-Identifier: MIT
// UProbe and UProbeMulti against the running kernel: probes on functions of this binary (found by name, offset or
// address; the same functions /proc/self/maps places) and, in host builds, of a child process and its shared
// library (found by library name, with symbol versions). Every attach path is taken for real: the uprobe PMU with
// a bpf_link or PERF_EVENT_IOC_SET_BPF, tracefs uprobe_events (forced with feature:uprobe_pmu = 0), uprobe_multi
// links and their per-function fallback (forced with link:trace_uprobe_multi = 0 where the kernel has them).
// Each case compares open fds and uprobe_events before and after.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>

#include <ebpf/ebpf.hpp>
#include <ebpf/programs/uprobe.hpp>

#include "kernel/uprobe_support.hpp"
#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/probe_target.hpp"
#include "support/skip.hpp"
#include "support/uprobe_targets.h"

using namespace ebpf;
using test::fails_with;
using test::msg;
using test::slot;

namespace {

enum Slot : std::uint32_t {
    S_ENTRY, S_RETURN, S_ARG, S_RET_VALUE, S_COOKIE,
    S_AUTO_ENTRY, S_AUTO_RETURN, S_SLEEPABLE,
    S_MULTI, S_MULTI_RETURN, S_MULTI_COOKIES, S_SESSION_ENTRY, S_SESSION_RETURN,
};

std::uint64_t hits(const Object& obj, Slot s) { return slot(obj, "uprobe_hits", s); }

std::optional<std::string> lacks_uprobes() {
    auto pmu = has(Feature::UprobePmu);
    if (!pmu) return "uprobe PMU probe failed: " + msg(pmu.error());
    if (!*pmu && !test::uprobe_events_file_exists())
        return std::string("no uprobe PMU and no tracefs uprobe_events (CONFIG_UPROBE_EVENTS=n)");
    if (::access(test::obj_path("uprobe_test.bpf.o").c_str(), R_OK) != 0)
        return std::string("uprobe_test.bpf.o was not built (it needs <bpf/bpf_tracing.h> for this architecture)");
    return std::nullopt;
}

// Runs `body` with the uprobe PMU (where the kernel has it) and forced through tracefs uprobe_events.
template <class F>
void each_uprobe_path(F&& body) {
    auto pmu = has(Feature::UprobePmu);
    REQUIRE(pmu);
    if (*pmu) {
        SECTION("uprobe PMU") { body(false); }
    }
    SECTION("tracefs uprobe_events") {
        const test::ForcedProbe no_pmu(ProbeKey::feature(Feature::UprobePmu), false);
        body(true);
    }
}

std::string self_path() {
    auto site = test::probe_target_site();
    REQUIRE(site);
    return site->path;
}

}  // namespace

TEST_CASE("UProbe: uprobe and uretprobe count calls, see the argument and the return value", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto entry = obj.program<UProbe>("on_entry");
    auto ret = obj.program<UProbe>("on_return");
    REQUIRE(entry);
    REQUIRE(ret);
    REQUIRE(entry->load());
    REQUIRE(ret->load());
    CHECK_FALSE(entry->is_retprobe());
    CHECK(ret->is_retprobe());
    auto perf_links = link_supported(AttachType::PerfEvent);
    REQUIRE(perf_links);
    const std::string self = self_path();
    each_uprobe_path([&](bool tracefs) {
        const std::string events_before = test::uprobe_events();
        const int fds_before = test::open_fd_count();
        const std::uint64_t e0 = hits(obj, S_ENTRY), r0 = hits(obj, S_RETURN);
        {
            auto l1 = entry->attach(self, "ebpf_cxx_test_probe_target");
            if (!l1) FAIL(msg(l1.error()));
            auto l2 = ret->attach(self, "ebpf_cxx_test_probe_target");
            if (!l2) FAIL(msg(l2.error()));
            CHECK(l1->is_bpf_link() == *perf_links);
            CHECK(test::open_fd_count() == fds_before + 2 * (*perf_links ? 2 : 1));
            const std::string events = test::uprobe_events();
            if (tracefs) {
                INFO(events);
                CHECK(events.find("ebpf_cxx/ebpf_cxx_" + std::to_string(::getpid()) + "_") != std::string::npos);
                CHECK(events.find("r:ebpf_cxx/") != std::string::npos);
            } else {
                CHECK(events == events_before);
            }
            test::hit_probe_target(3);  // calls f(0), f(1), f(2): the last argument is 2, the last result 3
            CHECK(hits(obj, S_ENTRY) == e0 + 3);
            CHECK(hits(obj, S_RETURN) == r0 + 3);
            CHECK(hits(obj, S_ARG) == 2);
            CHECK(hits(obj, S_RET_VALUE) == 3);
            auto info = l1->info();
            REQUIRE(info);
            if (l1->is_bpf_link()) CHECK(info->type == LinkType::PerfEvent);
            // BPF_PERF_EVENT_UPROBE; kernels before 6.6 describe no perf_event link (the field stays 0).
            if (tracefs && info->perf_event_type != 0) CHECK(info->perf_event_type == 1);
            auto out = l1->detach();
            REQUIRE(out);
            test::hit_probe_target(2);
            CHECK(hits(obj, S_ENTRY) == e0 + 3);
            CHECK(hits(obj, S_RETURN) == r0 + 5);
        }
        test::hit_probe_target(1);
        CHECK(hits(obj, S_RETURN) == r0 + 5);
        CHECK(test::open_fd_count() == fds_before);
        CHECK(test::uprobe_events() == events_before);
    });
}

TEST_CASE("UProbe: without perf_event links the program hangs on the event (PERF_EVENT_IOC_SET_BPF)", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto entry = obj.program<UProbe>("on_entry");
    REQUIRE(entry->load());
    const std::string self = self_path();
    each_uprobe_path([&](bool) {
        const int fds_before = test::open_fd_count();
        const test::ForcedProbe no_links(ProbeKey::link(AttachType::PerfEvent), false);
        auto link = entry->attach(self, "ebpf_cxx_test_probe_target");
        if (!link) FAIL(msg(link.error()));
        CHECK_FALSE(link->is_bpf_link());
        CHECK(test::open_fd_count() == fds_before + 1);
        const std::uint64_t e0 = hits(obj, S_ENTRY);
        test::hit_probe_target(4);
        CHECK(hits(obj, S_ENTRY) == e0 + 4);
        // A cookie needs a perf_event link: refused, and nothing is left behind.
        auto cookie = entry->attach(self, "ebpf_cxx_test_probe_target", {.cookie = 7});
        CHECK(fails_with(cookie, Errc::NotSupported, "bpf_cookie"));
        CHECK(test::open_fd_count() == fds_before + 1);
        REQUIRE(link->detach());
        test::hit_probe_target(1);
        CHECK(hits(obj, S_ENTRY) == e0 + 4);
        CHECK(test::open_fd_count() == fds_before);
    });
}

TEST_CASE("UProbe: the attach cookie reaches the program", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    auto cookies = has(Feature::BpfCookie);
    REQUIRE(cookies);
    if (!*cookies) EBPF_SKIP("no bpf_get_attach_cookie() in kprobe programs (feature:bpf_cookie, Linux 5.15)");
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto entry = obj.program<UProbe>("on_entry_cookie");
    REQUIRE(entry->load());
    each_uprobe_path([&](bool) {
        auto link = entry->attach(self_path(), "ebpf_cxx_test_probe_target", {.cookie = 0xfeedbeef12ull});
        if (!link) FAIL(msg(link.error()));
        test::hit_probe_target(1);
        CHECK(hits(obj, S_COOKIE) == 0xfeedbeef12ull);
    });
}

TEST_CASE("UProbe: by file offset and by address, the same place /proc/self/maps gives", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto entry = obj.program<UProbe>("on_entry");
    REQUIRE(entry->load());
    auto site = test::probe_target_site();
    REQUIRE(site);
    // The library's symbol lookup and the kernel's mapping of this process agree on the file offset.
    auto found = UProbeMulti::resolve(site->path, "ebpf_cxx_test_probe_target");
    REQUIRE(found);
    REQUIRE(found->size() == 1);
    CHECK((*found)[0].offset == site->offset);
    const std::uint64_t e0 = hits(obj, S_ENTRY);
    {
        auto by_offset = entry->attach_offset(site->path, site->offset);
        if (!by_offset) FAIL(msg(by_offset.error()));
        test::hit_probe_target(2);
    }
    {
        auto by_address = entry->attach_address(site->path, (*found)[0].address);
        if (!by_address) FAIL(msg(by_address.error()));
        test::hit_probe_target(3);
    }
    CHECK(hits(obj, S_ENTRY) == e0 + 5);
}

TEST_CASE("UProbe: auto-attach from the section (uprobe//proc/self/exe:function)", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto entry = obj.program("auto_entry");
    auto ret = obj.program("auto_return");
    REQUIRE(entry);
    REQUIRE(ret);
    CHECK(entry->attach_target() == "/proc/self/exe:ebpf_cxx_test_probe_target");
    REQUIRE(entry->load());
    REQUIRE(ret->load());
    CHECK_FALSE(auto_attach_blocker(*entry));
    auto l1 = auto_attach(*entry);
    if (!l1) FAIL(msg(l1.error()));
    auto l2 = auto_attach(*ret);
    if (!l2) FAIL(msg(l2.error()));
    test::hit_probe_target(3);
    CHECK(hits(obj, S_AUTO_ENTRY) == 3);
    CHECK(hits(obj, S_AUTO_RETURN) == 3);
    // A uprobe section without a target is attached by hand.
    auto plain = obj.program("on_entry");
    REQUIRE(plain);
    CHECK(auto_attach_blocker(*plain));
    REQUIRE(plain->load());
    CHECK(fails_with(auto_attach(*plain), Errc::InvalidArgument, "names no target"));
    auto view = UProbe::from(*plain);
    REQUIRE(view);
    CHECK(fails_with(view->attach(), Errc::InvalidArgument, "does not name <binary>:<function>"));
}

TEST_CASE("UProbe: the pid filter", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", 0);  // the program counts every process's hits
    auto entry = obj.program<UProbe>("on_entry");
    REQUIRE(entry->load());
    const std::string self = self_path();
    each_uprobe_path([&](bool) {
        const std::uint64_t e0 = hits(obj, S_ENTRY);
        {
            // Another process (init): our calls do not count.
            auto other = entry->attach(self, "ebpf_cxx_test_probe_target", {.pid = 1});
            if (!other) FAIL(msg(other.error()));
            test::hit_probe_target(3);
            CHECK(hits(obj, S_ENTRY) == e0);
        }
        {
            auto mine = entry->attach(self, "ebpf_cxx_test_probe_target", {.pid = 0});
            if (!mine) FAIL(msg(mine.error()));
            test::hit_probe_target(3);
            CHECK(hits(obj, S_ENTRY) == e0 + 3);
        }
    });
}

TEST_CASE("UProbe: sleepable uprobe.s programs", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto p = obj.program<UProbe>("sleepable_entry");
    REQUIRE(p);
    CHECK(p->program().sleepable());
    if (auto r = p->load(); !r) EBPF_SKIP("this kernel refuses sleepable uprobe programs: " << msg(r.error()));
    auto link = p->attach();
    if (!link) FAIL(msg(link.error()));
    test::hit_probe_target(2);
    CHECK(hits(obj, S_SLEEPABLE) == 2);
}

TEST_CASE("UProbe: bad input names what was looked for and leaves nothing behind", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto entry = obj.program<UProbe>("on_entry");
    REQUIRE(entry);
    const std::string self = self_path();
    CHECK(fails_with(entry->attach(self, "ebpf_cxx_test_probe_target"), Errc::InvalidArgument, "not loaded"));
    REQUIRE(entry->load());
    each_uprobe_path([&](bool) {
        const std::string events_before = test::uprobe_events();
        const int fds_before = test::open_fd_count();
        auto missing_fn = entry->attach(self, "no_such_function");
        CHECK(fails_with(missing_fn, Errc::NotFound,
                         "function 'no_such_function' not found in " + self + " (.dynsym, .symtab searched)"));
        CHECK(fails_with(missing_fn, Errc::NotFound, "attach uprobe program 'on_entry'"));
        CHECK(fails_with(entry->attach("/nonexistent/binary", "main"), Errc::NotFound, "/nonexistent/binary: no such file"));
        CHECK(fails_with(entry->attach("libdoesnotexist.so.9", "f"), Errc::NotFound,
                         "library 'libdoesnotexist.so.9' not found (searched"));
        CHECK(fails_with(entry->attach("no-such-executable-anywhere", "main"), Errc::NotFound, "not found in PATH"));
        CHECK(fails_with(entry->attach(self, "ebpf_cxx_test_probe_target", {.pid = 0x3ffffff0}), Errc::NotFound,
                         "no process with pid 1073741808"));
        CHECK(fails_with(entry->attach(self, "ebpf_cxx_test_probe_target", {.pid = -5}), Errc::InvalidArgument, "pid -5"));
        // An offset past the end of the file: the kernel refuses it.
        CHECK_FALSE(entry->attach_offset(self, 0x7fffffff0ull));
        CHECK(test::open_fd_count() == fds_before);
        CHECK(test::uprobe_events() == events_before);
    });
    // The view checks the kind.
    auto multi = obj.program("multi_entry");
    REQUIRE(multi);
    CHECK(fails_with(UProbe::from(*multi), Errc::InvalidArgument, "UProbe takes uprobe, uretprobe programs"));
}

TEST_CASE("UProbe: a shared library by name, symbol versions, a child process", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    EBPF_SKIP_IF(test::lacks_uprobe_target());
    test::TargetProcess child(test::kUprobeTarget, 3);
    REQUIRE(child.pid() > 0);
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(child.pid()));
    auto entry = obj.program<UProbe>("on_entry");
    auto ret = obj.program<UProbe>("on_return");
    auto multi = obj.program<UProbeMulti>("multi_entry");
    REQUIRE(entry->load());
    REQUIRE(ret->load());
    REQUIRE(multi->load());
    // The library the child maps, found by name through its mappings.
    auto path = resolve_uprobe_binary("libebpf_uprobe_target.so", child.pid());
    REQUIRE(path);
    CHECK(*path == test::kUprobeTargetLib);
    auto l1 = entry->attach("libebpf_uprobe_target.so", "ebpf_target_lib_add", {.pid = child.pid()});
    if (!l1) FAIL(msg(l1.error()));
    // The default version (@@EBPF_TARGET_2) is what the child calls; @EBPF_TARGET_1 is never called.
    auto l2 = ret->attach(test::kUprobeTargetLib, "ebpf_target_versioned", {.pid = child.pid()});
    if (!l2) FAIL(msg(l2.error()));
    auto l3 = multi->attach(test::kUprobeTargetLib, "ebpf_target_versioned@EBPF_TARGET_1", {.pid = child.pid()});
    if (!l3) FAIL(msg(l3.error()));
    CHECK(child.go().rfind("done", 0) == 0);
    CHECK(hits(obj, S_ENTRY) == 3);
    CHECK(hits(obj, S_ARG) == 2);
    CHECK(hits(obj, S_RETURN) == 3);
    CHECK(hits(obj, S_RET_VALUE) == 202);
    CHECK(hits(obj, S_MULTI) == 0);
}

TEST_CASE("resolve_uprobe_binary: LD_LIBRARY_PATH, ld.so.cache, PATH", "[uprobe]") {
    // Pure resolution: no kernel objects. The C library is in the cache of every glibc system.
    if (::access("/etc/ld.so.cache", R_OK) == 0) {
        auto libc = resolve_uprobe_binary("libc.so.6");
        if (!libc) FAIL(msg(libc.error()));
        CHECK(libc->find("libc.so.6") != std::string::npos);
    }
    auto sh = resolve_uprobe_binary("sh");
    if (!sh) FAIL(msg(sh.error()));
    CHECK(::access(sh->c_str(), X_OK) == 0);
    if (!test::lacks_uprobe_target()) {
        const std::string lib = test::kUprobeTargetLib;
        const std::string dir = lib.substr(0, lib.rfind('/'));
        const char* old = std::getenv("LD_LIBRARY_PATH");
        const std::string saved = old ? old : "";
        ::unsetenv("LD_LIBRARY_PATH");
        auto missing = resolve_uprobe_binary("libebpf_uprobe_target.so");  // in no standard place
        ::setenv("LD_LIBRARY_PATH", ("/nonexistent:" + dir).c_str(), 1);
        auto found = resolve_uprobe_binary("libebpf_uprobe_target.so");
        if (old) ::setenv("LD_LIBRARY_PATH", saved.c_str(), 1);
        else ::unsetenv("LD_LIBRARY_PATH");
        CHECK(fails_with(missing, Errc::NotFound, "not found (searched"));
        if (!found) FAIL(msg(found.error()));
        CHECK(*found == lib);
    }
}

namespace {

// Runs `body` with uprobe_multi links (where the kernel has them) and with one uprobe per function. `load`
// prepares and loads the program for that path: where the kernel has the links, the fallback is forced and the
// program loaded without their attach type (a kernel with the links refuses such programs on perf events).
template <class F>
void each_multi_path(F&& body) {
    auto links = link_supported(AttachType::TraceUprobeMulti);
    REQUIRE(links);
    if (*links) {
        SECTION("uprobe_multi link") { body(false, true); }
        SECTION("one uprobe per function (forced)") {
            const test::ForcedProbe no_multi(ProbeKey::link(AttachType::TraceUprobeMulti), false);
            body(true, true);
        }
    } else {
        SECTION("one uprobe per function (no uprobe_multi links: Linux < 6.6)") { body(true, false); }
    }
}

Result<UProbeMulti> load_multi(Object& obj, const char* name, bool fallback_forced) {
    auto p = obj.program<UProbeMulti>(name);
    if (!p) return p;
    if (fallback_forced) {
        if (auto r = p->program().set_expected_attach_type(std::nullopt); !r) return std::move(r).error();
    }
    if (auto r = p->load(); !r) return std::move(r).error();
    return p;
}

}  // namespace

TEST_CASE("UProbeMulti: a glob over this binary's functions, entry and return, cookies", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    each_multi_path([&](bool fallback, bool kernel_has_links) {
        Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
        const bool forced = fallback && kernel_has_links;
        auto entry = load_multi(obj, "multi_entry", forced);
        if (!entry) FAIL(msg(entry.error()));
        auto ret = load_multi(obj, "multi_return", forced);
        if (!ret) FAIL(msg(ret.error()));
        CHECK(ret->is_retprobe());
        const int fds_before = test::open_fd_count();
        {
            auto l1 = auto_attach(entry->program());
            if (!l1) FAIL(msg(l1.error()));
            auto l2 = ret->attach();
            if (!l2) FAIL(msg(l2.error()));
            CHECK(l1->is_bpf_link() == !fallback);
            auto info = l1->info();
            REQUIRE(info);
            if (fallback) CHECK(info->count == 3);
            else CHECK(info->type == LinkType::UprobeMulti);
            ebpf_cxx_uprobe_multi_one(1);
            ebpf_cxx_uprobe_multi_two(2);
            ebpf_cxx_uprobe_multi_three(3);
            ebpf_cxx_uprobe_multi_two(4);
            CHECK(hits(obj, S_MULTI) == 4);
            CHECK(hits(obj, S_MULTI_RETURN) == 4);
        }
        ebpf_cxx_uprobe_multi_one(1);
        CHECK(hits(obj, S_MULTI) == 4);
        CHECK(test::open_fd_count() == fds_before);

        // Cookies follow the order of resolve(): sorted by name (one, three, two).
        auto cookies = has(Feature::BpfCookie);
        REQUIRE(cookies);
        if (!*cookies) return;  // bpf_get_attach_cookie() needs 5.15
        auto cp = load_multi(obj, "multi_cookie", forced);
        if (!cp) FAIL(msg(cp.error()));
        auto names = UProbeMulti::resolve(self_path(), "ebpf_cxx_uprobe_multi_*");
        REQUIRE(names);
        REQUIRE(names->size() == 3);
        CHECK((*names)[0].name == "ebpf_cxx_uprobe_multi_one");
        CHECK((*names)[1].name == "ebpf_cxx_uprobe_multi_three");
        const std::uint64_t values[] = {1, 10, 100};
        const std::uint64_t m0 = hits(obj, S_MULTI);
        auto l3 = cp->attach(self_path(), "ebpf_cxx_uprobe_multi_*", {.cookies = values});
        if (!l3) FAIL(msg(l3.error()));
        ebpf_cxx_uprobe_multi_one(1);
        ebpf_cxx_uprobe_multi_one(1);
        ebpf_cxx_uprobe_multi_two(1);
        CHECK(hits(obj, S_MULTI) == m0 + 3);
        CHECK(hits(obj, S_MULTI_COOKIES) == 2 * 1 + 100);
        // Explicit functions and offsets.
        const std::string fns[] = {"ebpf_cxx_uprobe_multi_three"};
        auto l4 = entry->attach_functions(self_path(), fns);
        if (!l4) FAIL(msg(l4.error()));
        const std::uint64_t offsets[] = {(*names)[0].offset};
        auto l5 = entry->attach_offsets(self_path(), offsets);
        if (!l5) FAIL(msg(l5.error()));
        const std::uint64_t m1 = hits(obj, S_MULTI);
        ebpf_cxx_uprobe_multi_three(1);
        ebpf_cxx_uprobe_multi_one(1);
        CHECK(hits(obj, S_MULTI) == m1 + 2 + 2);  // each also counted once more by the cookie program
    });
}

TEST_CASE("UProbeMulti: bad input", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto p = obj.program<UProbeMulti>("multi_entry");
    REQUIRE(p);
    if (auto r = p->load(); !r) FAIL(msg(r.error()));
    const int fds_before = test::open_fd_count();
    const std::string events_before = test::uprobe_events();
    CHECK(fails_with(p->attach(self_path(), "no_such_prefix_*"), Errc::NotFound, "no function matching 'no_such_prefix_*'"));
    const std::uint64_t two[] = {1, 2};
    CHECK(fails_with(p->attach(self_path(), "ebpf_cxx_uprobe_multi_*", {.cookies = two}), Errc::InvalidArgument,
                     "2 cookies for 3 offsets"));
    const std::uint64_t none[] = {0};
    CHECK(fails_with(p->attach_offsets(self_path(), std::span<const std::uint64_t>(none, 0)), Errc::InvalidArgument,
                     "no offsets"));
    CHECK(test::open_fd_count() == fds_before);
    CHECK(test::uprobe_events() == events_before);
}

TEST_CASE("UProbeMulti: uprobe.session runs at entry and return", "[uprobe]") {
    EBPF_SKIP_IF(lacks_uprobes());
    auto sessions = link_supported(AttachType::TraceUprobeSession);
    REQUIRE(sessions);
    Object obj = test::load_with_tgid("uprobe_test.bpf.o", static_cast<std::uint32_t>(::getpid()));
    auto p = obj.program<UProbeMulti>("session");
    REQUIRE(p);
    if (!*sessions) {
        // No fallback for sessions: the error says so.
        if (auto r = p->load(); !r) EBPF_SKIP("no uprobe sessions here (Linux 6.13): " << msg(r.error()));
        CHECK(fails_with(p->attach(), Errc::NotSupported, "uprobe_session links"));
        EBPF_SKIP("no uprobe_session links here (Linux 6.13); the attach says so");
    }
    if (auto r = p->load(); !r) FAIL(msg(r.error()));
    auto link = p->attach();
    if (!link) FAIL(msg(link.error()));
    ebpf_cxx_uprobe_multi_one(1);
    ebpf_cxx_uprobe_multi_two(1);
    CHECK(hits(obj, S_SESSION_ENTRY) == 2);
    CHECK(hits(obj, S_SESSION_RETURN) == 2);
}
