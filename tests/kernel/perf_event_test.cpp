// SPDX-License-Identifier: MIT
// PerfEvent: a perf_event program sampling the cpu-clock software event on every online CPU (each CPU kept busy
// by a pinned thread), for this process only, with a cookie, and through PERF_EVENT_IOC_SET_BPF (forced).
#include <catch2/catch.hpp>

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "kernel/tracing_support.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::global;
using test::msg;

namespace {

std::vector<std::uint32_t> online_cpus() {
    std::vector<std::uint32_t> cpus;
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(::sched_getaffinity(0, sizeof set, &set) == 0);
    for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) cpus.push_back(static_cast<std::uint32_t>(c));
    return cpus;
}

// Keeps every CPU busy for `ms` milliseconds with threads pinned one to a CPU.
void spin_everywhere(const std::vector<std::uint32_t>& cpus, int ms) {
    std::vector<std::thread> threads;
    for (std::uint32_t c : cpus) {
        threads.emplace_back([c, ms] {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            ::pthread_setaffinity_np(::pthread_self(), sizeof one, &one);
            const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
            volatile std::uint64_t x = 0;
            while (std::chrono::steady_clock::now() < end) x = x + 1;
        });
    }
    for (auto& t : threads) t.join();
}

// Keeps this thread busy for `ms` milliseconds.
void spin_here(int ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    volatile std::uint64_t x = 0;
    while (std::chrono::steady_clock::now() < end) x = x + 1;
}

std::uint64_t samples_on(const Object& obj, std::uint32_t cpu) {
    const Map* m = obj.find_map("samples_per_cpu");
    REQUIRE(m);
    std::uint64_t v = 0;
    auto r = m->lookup(as_bytes_of(cpu), as_writable_bytes_of(v));
    REQUIRE(r);
    return v;
}

}  // namespace

TEST_CASE("PerfEvent: cpu-clock samples on every CPU; one event and link per CPU, owned by the group",
          "[tracing]") {
    Object obj = test::load_object("perf_sample.bpf.o");
    auto p = obj.program<PerfEvent>("on_sample");
    REQUIRE(p);
    REQUIRE(p->load());
    auto links = link_supported(AttachType::PerfEvent);
    REQUIRE(links);
    const int fds = test::open_fd_count();
    // The CPUs the kernel lists online; this process may run on all of them (tests run unconfined).
    const std::vector<std::uint32_t> cpus = online_cpus();
    {
        auto group = p->attach(PerfEventSource::software(SoftwareEvent::CpuClock), {.sample_frequency = 1000});
        if (!group) FAIL(msg(group.error()));
        CHECK(group->size() >= cpus.size());
        CHECK(test::open_fd_count() == fds + static_cast<int>(group->size()) * (*links ? 2 : 1));
        CHECK((*group)[0].is_bpf_link() == *links);
        CHECK(std::string((*group)[0].description()).find("cpu-clock (every task, CPU ") != std::string::npos);
        spin_everywhere(cpus, 300);
        for (std::uint32_t c : cpus) {
            INFO("CPU " << c);
            CHECK(samples_on(obj, c) > 0);
        }
        CHECK(global(obj, "own_samples") > 0);
        REQUIRE(group->detach());
        CHECK(group->empty());
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("PerfEvent: one process (inherit), and PERF_EVENT_IOC_SET_BPF without perf_event links", "[tracing]") {
    Object obj = test::load_object("perf_sample.bpf.o");
    auto p = obj.program<PerfEvent>("on_sample");
    REQUIRE(p->load());
    const std::vector<std::uint32_t> cpus = online_cpus();
    const int fds = test::open_fd_count();
    {
        // task-clock follows this process; inherit covers the spinning threads created after the attach.
        auto group = p->attach(PerfEventSource::software(SoftwareEvent::TaskClock),
                               {.sample_period = 1'000'000, .pid = 0, .inherit = true});
        if (!group) FAIL(msg(group.error()));
        REQUIRE(group->size() == 1);
        const std::uint64_t before = global(obj, "own_samples");
        spin_everywhere(cpus, 200);
        CHECK(global(obj, "own_samples") > before);
    }
    {
        const test::ForcedProbe no_links(ProbeKey::link(AttachType::PerfEvent), false);
        auto group = p->attach(PerfEventSource::software(SoftwareEvent::CpuClock), {.sample_period = 1'000'000});
        if (!group) FAIL(msg(group.error()));
        CHECK_FALSE((*group)[0].is_bpf_link());
        CHECK(test::open_fd_count() == fds + static_cast<int>(group->size()));
        const std::uint64_t before = global(obj, "own_samples");
        spin_everywhere(cpus, 200);
        CHECK(global(obj, "own_samples") > before);
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("PerfEvent: a cgroup target samples only the tasks of that cgroup", "[tracing]") {
    Object obj = test::load_object("perf_sample.bpf.o");
    auto p = obj.program<PerfEvent>("on_sample");
    REQUIRE(p->load());
    // On a bare cgroup2 mount (the test VMs) no controller is enabled in the root's subtree_control, and then the
    // kernel has no perf_event state in child cgroups (ENOENT): enable one, as systemd does, and undo it after.
    std::optional<test::TempCgroup> probe_cg;
    probe_cg.emplace();
    if (probe_cg->path().empty()) EBPF_SKIP("no cgroup v2 hierarchy to make a cgroup in");
    const std::string root = probe_cg->path().substr(0, probe_cg->path().rfind('/'));
    probe_cg.reset();
    struct SubtreeControl {
        std::string file;
        bool enabled = false;
        ~SubtreeControl() {
            if (enabled) std::ofstream(file) << "-pids";
        }
    } control{root + "/cgroup.subtree_control"};
    if (test::read_whole(control.file).find_first_not_of(" \n") == std::string::npos) {
        std::ofstream(control.file) << "+pids";
        control.enabled = test::read_whole(control.file).find("pids") != std::string::npos;
    }
    test::TempCgroup cg;
    REQUIRE_FALSE(cg.path().empty());
    const std::vector<std::uint32_t> cpus = online_cpus();
    const int fds = test::open_fd_count();
    {
        auto group = p->attach(PerfEventSource::software(SoftwareEvent::CpuClock),
                               {.sample_period = 1'000'000, .cgroup = cg.path()});
        if (!group) {
            // perf_event_open(PERF_FLAG_PID_CGROUP) needs CONFIG_CGROUP_PERF: EOPNOTSUPP/EINVAL without it.
            INFO(msg(group.error()));
            if (group.error().sys_errno() == EOPNOTSUPP || group.error().sys_errno() == EINVAL)
                EBPF_SKIP("no cgroup perf events here (CONFIG_CGROUP_PERF): " << msg(group.error()));
            FAIL(msg(group.error()));
        }
        CHECK(group->size() == cpus.size());
        const std::uint64_t outside = global(obj, "own_samples");
        spin_here(100);  // not in the cgroup: not sampled
        CHECK(global(obj, "own_samples") == outside);
        REQUIRE(cg.join());
        spin_everywhere(cpus, 200);
        cg.leave();
        CHECK(global(obj, "own_samples") > outside);
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("PerfEvent: a cookie reaches the program (perf_event links, 5.15)", "[tracing]") {
    Object obj = test::load_object("perf_sample.bpf.o");
    auto links = link_supported(AttachType::PerfEvent);
    REQUIRE(links);
    if (!*links) EBPF_SKIP("no perf_event links, so no cookies (probe link:perf_event = false)");
    auto c = obj.program<PerfEvent>("on_sample_cookie");
    REQUIRE(c->load());
    auto group = c->attach(PerfEventSource::software(SoftwareEvent::CpuClock),
                           {.sample_period = 1'000'000, .pid = 0, .cookie = 0x5151});
    if (!group) FAIL(msg(group.error()));
    spin_here(100);  // this thread: the event follows the process's main thread (no inherit)
    CHECK(global(obj, "last_cookie") == 0x5151);
}

TEST_CASE("PerfEvent: bad options and missing events fail as a whole, leaving nothing", "[tracing]") {
    Object obj = test::load_object("perf_sample.bpf.o");
    auto p = obj.program<PerfEvent>("on_sample");
    const PerfEventSource clock = PerfEventSource::software(SoftwareEvent::CpuClock);
    auto not_loaded = p->attach(clock, {.sample_period = 1000});
    REQUIRE_FALSE(not_loaded);
    CHECK(msg(not_loaded.error()) == "attach perf_event program 'on_sample' to cpu-clock: the program is not loaded");
    REQUIRE(p->load());
    const int fds = test::open_fd_count();
    auto no_rate = p->attach(clock, {});
    REQUIRE_FALSE(no_rate);
    CHECK(msg(no_rate.error()).find("no sample_period or sample_frequency") != std::string::npos);
    auto both = p->attach(clock, {.pid = 0, .cgroup = "/sys/fs/cgroup"});
    REQUIRE_FALSE(both);
    // The kernel runs only tracepoint programs on tracepoint events: said before anything is opened.
    auto tracepoint = p->attach(PerfEventSource::pmu(2 /* PERF_TYPE_TRACEPOINT */, 1), {.sample_period = 1});
    REQUIRE_FALSE(tracepoint);
    CHECK(tracepoint.error().code() == Errc::InvalidArgument);
    CHECK(msg(tracepoint.error()).find("Tracepoint view") != std::string::npos);
    auto no_cgroup = p->attach(clock, {.sample_period = 1'000'000, .cgroup = "/sys/fs/cgroup/ebpf-cxx-no-such-cgroup"});
    REQUIRE_FALSE(no_cgroup);
    CHECK(no_cgroup.error().code() == Errc::NotFound);
    // The second CPU does not exist: the first event, already attached, is undone.
    const std::uint32_t cpus[] = {0, 4000000};
    auto partial = p->attach(clock, {.sample_period = 1'000'000, .cpus = cpus});
    REQUIRE_FALSE(partial);
    INFO(msg(partial.error()));
    CHECK(msg(partial.error()).find("CPU 4000000") != std::string::npos);
    CHECK(test::open_fd_count() == fds);
    // perf_event programs are never auto-attached: the blocker says what to call.
    auto refused = auto_attach(p->program());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == Errc::NotSupported);
    CHECK(msg(refused.error()).find("PerfEvent::attach") != std::string::npos);
}
