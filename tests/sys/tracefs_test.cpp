// SPDX-License-Identifier: MIT
// tracefs against the real kernel: the mount point, tracepoint ids, uprobe_events entries on a function of this
// binary (added, used through perf, removed), the kernel's reason for a rejected line, and stale-entry cleanup.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/probe_target.hpp"
#include "sys/file.hpp"
#include "sys/perf.hpp"
#include "sys/proc.hpp"
#include "sys/tracefs.hpp"

using namespace ebpf;

namespace {

std::string events_text(const char* file) {
    auto root = sys::tracefs_root();
    if (!root) return {};
    return sys::read_text((*root + "/" + file).c_str()).value_or(std::string());
}

bool listed(const char* file, const std::string& event) {
    return events_text(file).find(std::string(sys::kProbeEventGroup) + "/" + event + " ") != std::string::npos;
}

// Why uprobe_events cannot be used here, or empty.
std::string uprobe_events_missing() {
    auto root = sys::tracefs_root();
    if (!root) return std::string(root.error().message());
    if (!sys::path_exists((*root + "/uprobe_events").c_str())) return *root + "/uprobe_events does not exist (CONFIG_UPROBE_EVENTS off)";
    return {};
}

}  // namespace

TEST_CASE("tracefs is found, or mounted", "[tracefs]") {
    auto root = sys::tracefs_root();
    REQUIRE(root);
    CHECK((*root == "/sys/kernel/tracing" || *root == "/sys/kernel/debug/tracing"));
    CHECK(sys::path_exists((*root + "/events").c_str()));
    auto again = sys::tracefs_root();
    REQUIRE(again);
    CHECK(*again == *root);
}

TEST_CASE("tracepoint ids", "[tracefs]") {
    auto exec = sys::tracepoint_id("sched", "sched_process_exec");
    REQUIRE(exec);
    CHECK(*exec > 0);
    if (auto getpid = sys::tracepoint_id("syscalls", "sys_enter_getpid")) CHECK(*getpid != *exec);
    CHECK(test::fails_with(sys::tracepoint_id("sched", "no_such_tracepoint"), Errc::NotFound,
                           "tracepoint sched/no_such_tracepoint: open "));
    CHECK(test::fails_with(sys::tracepoint_id("sched/..", "x"), Errc::InvalidArgument, "invalid name"));
    CHECK(test::fails_with(sys::tracepoint_id("", "x"), Errc::InvalidArgument, "invalid name"));
}

TEST_CASE("probe event names encode the pid and never repeat", "[tracefs]") {
    const std::string a = sys::probe_event_name("my func.c"), b = sys::probe_event_name("");
    const std::string pid = std::to_string(::getpid());
    CHECK(a.rfind("ebpf_cxx_" + pid + "_", 0) == 0);
    CHECK(a.find("my_func_c") != std::string::npos);
    CHECK(a != b);
    CHECK(sys::probe_event_owner(a) == ::getpid());
    CHECK(sys::probe_event_owner(b) == ::getpid());
    CHECK(sys::probe_event_name(std::string(200, 'x')).size() <= 63);
    CHECK_FALSE(sys::probe_event_owner("ebpf_cxx_x_1"));
    CHECK_FALSE(sys::probe_event_owner("other_12_1"));
    CHECK_FALSE(sys::probe_event_owner("ebpf_cxx_12"));

    auto line = sys::parse_probe_event_line("r:ebpf_cxx/ebpf_cxx_1_2_f /bin/true:0x0000000000001000\n");
    REQUIRE(line);
    CHECK(line->type == 'r');
    CHECK(line->group == "ebpf_cxx");
    CHECK(line->event == "ebpf_cxx_1_2_f");
    CHECK_FALSE(sys::parse_probe_event_line("garbage"));
    CHECK_FALSE(sys::parse_probe_event_line("p:noslash target"));
}

TEST_CASE("a uprobe_events entry on this binary is added, counts hits, and is removed", "[tracefs]") {
    if (auto why = uprobe_events_missing(); !why.empty()) {
        WARN("SKIP: " << why);
        return;
    }
    auto site = test::probe_target_site();
    REQUIRE(site);
    const int fds = test::open_fd_count();
    std::string event;
    {
        auto probe = sys::add_uprobe_event({.path = site->path, .offset = site->offset, .name_hint = "probe_target"});
        REQUIRE(probe);
        event = probe->event();
        CHECK(probe->kind() == sys::ProbeEventKind::Uprobe);
        CHECK(probe->tracepoint_id() > 0);
        CHECK(sys::probe_event_owner(event) == ::getpid());
        CHECK(listed("uprobe_events", event));
        auto id = sys::tracepoint_id(sys::kProbeEventGroup, event);
        REQUIRE(id);
        CHECK(*id == probe->tracepoint_id());
        {
            auto ev = sys::perf_event_open(sys::perf_attr_tracepoint(probe->tracepoint_id()), 0, -1);
            if (!ev && test::compat_process() && ev.error().code() == Errc::NotSupported) {
                WARN("SKIP: the kernel does not probe 32-bit code here: " << ev.error().message());
                return;
            }
            REQUIRE(ev);
            test::hit_probe_target(4);
            auto hits = sys::perf_event_read_count(ev->get());
            REQUIRE(hits);
            CHECK(*hits == 4);
            // In use: the kernel refuses to remove it, and says so.
            auto busy = probe->remove();
            REQUIRE_FALSE(busy);
            CHECK(busy.error().sys_errno() == EBUSY);
            CHECK(probe->valid());
        }
        // A return probe as well.
        auto ret = sys::add_uprobe_event({.path = site->path, .offset = site->offset, .retprobe = true});
        REQUIRE(ret);
        CHECK(events_text("uprobe_events").find("r:ebpf_cxx/" + ret->event()) != std::string::npos);
        REQUIRE(ret->remove());
        CHECK_FALSE(ret->valid());
        CHECK_FALSE(listed("uprobe_events", event + "x"));
    }
    CHECK_FALSE(listed("uprobe_events", event));
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("a rejected probe line names the file, the line and the kernel's reason", "[tracefs]") {
    if (auto why = uprobe_events_missing(); !why.empty()) {
        WARN("SKIP: " << why);
        return;
    }
    auto bad = sys::add_uprobe_event({.path = "/nonexistent/ebpf-cxx-binary", .offset = 0x10});
    REQUIRE_FALSE(bad);
    const std::string msg(bad.error().message());
    INFO(msg);
    CHECK(msg.find("uprobe_events") != std::string::npos);
    CHECK(msg.find("p:ebpf_cxx/ebpf_cxx_") != std::string::npos);
    CHECK(msg.find("/nonexistent/ebpf-cxx-binary:0x10") != std::string::npos);
    CHECK(msg.find("No such file or directory") != std::string::npos);
    // error_log (5.4+) explains; older kernels give errno only.
    if (sys::path_exists((*sys::tracefs_root() + "/error_log").c_str()))
        CHECK(msg.find("kernel says \"") != std::string::npos);
    CHECK(test::fails_with(sys::add_uprobe_event({.path = "/bin/with space"}), Errc::InvalidArgument, "whitespace"));
}

TEST_CASE("kprobe_events entries, where the kernel has them", "[tracefs]") {
    auto root = sys::tracefs_root();
    REQUIRE(root);
    auto probe = sys::add_kprobe_event({.symbol = "do_nanosleep"});
    if (!sys::path_exists((*root + "/kprobe_events").c_str())) {
        // This kernel has no CONFIG_KPROBE_EVENTS: the error says which file is missing.
        CHECK(test::fails_with(probe, Errc::NotFound, "kprobe_events"));
        return;
    }
    REQUIRE(probe);
    CHECK(listed("kprobe_events", probe->event()));
    CHECK(test::fails_with(sys::add_kprobe_event({.symbol = "do_nanosleep", .maxactive = 4}), Errc::InvalidArgument,
                           "maxactive"));
}

TEST_CASE("entries left by a dead process are removed, live ones are not", "[tracefs]") {
    if (auto why = uprobe_events_missing(); !why.empty()) {
        WARN("SKIP: " << why);
        return;
    }
    auto site = test::probe_target_site();
    REQUIRE(site);
    auto mine = sys::add_uprobe_event({.path = site->path, .offset = site->offset, .name_hint = "alive"});
    REQUIRE(mine);
    // A child adds an entry and exits without removing it (as a crashed process would).
    int pipefd[2];
    REQUIRE(::pipe(pipefd) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipefd[0]);
        auto leaked = sys::add_uprobe_event({.path = site->path, .offset = site->offset, .name_hint = "leaked"});
        const std::string name = leaked ? leaked->event() : std::string();
        if (leaked) leaked->release();
        (void)!::write(pipefd[1], name.data(), name.size());
        ::_exit(leaked ? 0 : 1);
    }
    ::close(pipefd[1]);
    char buf[128] = {};
    const long n = ::read(pipefd[0], buf, sizeof buf - 1);
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    const std::string leaked(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    REQUIRE(listed("uprobe_events", leaked));

    auto cleaned = sys::remove_stale_probe_events();
    REQUIRE(cleaned);
    CHECK(cleaned->removed >= 1);
    CHECK_FALSE(listed("uprobe_events", leaked));
    CHECK(listed("uprobe_events", mine->event()));
    auto again = sys::remove_stale_probe_events();
    REQUIRE(again);
    CHECK(again->removed == 0);
}
