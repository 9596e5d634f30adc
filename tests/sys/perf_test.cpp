// SPDX-License-Identifier: MIT
// perf_event_open and the perf ioctls against the real kernel: software counters, tracepoints, the uprobe PMU on
// a function of this binary, BPF programs attached with PERF_EVENT_IOC_SET_BPF and with a BPF_PERF_EVENT link.
#include <catch2/catch.hpp>

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/probe_target.hpp"
#include "support/skip.hpp"
#include "sys/bpf.hpp"
#include "sys/perf.hpp"
#include "sys/tracefs.hpp"
#include "sys/uapi.hpp"

using namespace ebpf;

namespace {

// The kernel header's bit-field word after setting one field through `set`.
template <class F>
std::uint64_t kernel_flags(F set) {
    perf_event_attr a;
    std::memset(&a, 0, sizeof a);
    set(a);
    std::uint64_t w;
    std::memcpy(&w, reinterpret_cast<const char*>(&a) + offsetof(perf_event_attr, read_format) + 8, sizeof w);
    return w;
}

void getpid_n(int n) {
    for (int i = 0; i < n; ++i) ::syscall(SYS_getpid);
}

}  // namespace

TEST_CASE("PerfEventAttr flag bits sit where the kernel's bit-fields are", "[perf]") {
    CHECK(sys::kPerfDisabled == kernel_flags([](perf_event_attr& a) { a.disabled = 1; }));
    CHECK(sys::kPerfInherit == kernel_flags([](perf_event_attr& a) { a.inherit = 1; }));
    CHECK(sys::kPerfPinned == kernel_flags([](perf_event_attr& a) { a.pinned = 1; }));
    CHECK(sys::kPerfExclusive == kernel_flags([](perf_event_attr& a) { a.exclusive = 1; }));
    CHECK(sys::kPerfExcludeUser == kernel_flags([](perf_event_attr& a) { a.exclude_user = 1; }));
    CHECK(sys::kPerfExcludeKernel == kernel_flags([](perf_event_attr& a) { a.exclude_kernel = 1; }));
    CHECK(sys::kPerfExcludeHv == kernel_flags([](perf_event_attr& a) { a.exclude_hv = 1; }));
    CHECK(sys::kPerfExcludeIdle == kernel_flags([](perf_event_attr& a) { a.exclude_idle = 1; }));
    CHECK(sys::kPerfFreq == kernel_flags([](perf_event_attr& a) { a.freq = 1; }));
    CHECK(sys::kPerfEnableOnExec == kernel_flags([](perf_event_attr& a) { a.enable_on_exec = 1; }));
    CHECK(sys::kPerfWatermark == kernel_flags([](perf_event_attr& a) { a.watermark = 1; }));
    CHECK(sys::perf_precise_ip(2) == kernel_flags([](perf_event_attr& a) { a.precise_ip = 2; }));
    CHECK(sys::perf_precise_ip(3) == kernel_flags([](perf_event_attr& a) { a.precise_ip = 3; }));
    CHECK(sys::kPerfSampleIdAll == kernel_flags([](perf_event_attr& a) { a.sample_id_all = 1; }));
    CHECK(sys::kPerfExcludeHost == kernel_flags([](perf_event_attr& a) { a.exclude_host = 1; }));
    CHECK(sys::kPerfExcludeGuest == kernel_flags([](perf_event_attr& a) { a.exclude_guest = 1; }));
    CHECK(sys::kPerfWriteBackward == kernel_flags([](perf_event_attr& a) { a.write_backward = 1; }));
    CHECK(sys::kPerfInheritThread == kernel_flags([](perf_event_attr& a) { a.inherit_thread = 1; }));
    CHECK(sys::kPerfRemoveOnExec == kernel_flags([](perf_event_attr& a) { a.remove_on_exec = 1; }));
    CHECK(sys::kPerfSigtrap == kernel_flags([](perf_event_attr& a) { a.sigtrap = 1; }));
}

TEST_CASE("PMU format files are parsed", "[perf]") {
    auto one = sys::parse_pmu_format("config:0\n");
    REQUIRE(one);
    CHECK(one->word == 0);
    CHECK(one->first_bit == 0);
    CHECK(one->last_bit == 0);
    auto range = sys::parse_pmu_format("config:32-63");
    REQUIRE(range);
    CHECK(range->first_bit == 32);
    CHECK(range->last_bit == 63);
    auto c1 = sys::parse_pmu_format("config1:0-7");
    REQUIRE(c1);
    CHECK(c1->word == 1);
    CHECK(test::fails_with(sys::parse_pmu_format("config:64"), Errc::InvalidArgument, "config:64"));
    CHECK(test::fails_with(sys::parse_pmu_format("conf:1"), Errc::InvalidArgument, "PMU format"));
    CHECK(test::fails_with(sys::parse_pmu_format("config:9-3"), Errc::InvalidArgument, "PMU format"));
}

TEST_CASE("a software counter counts and answers the ioctls", "[perf]") {
    const int fds = test::open_fd_count();
    {
        auto attr = sys::perf_attr_software(sys::kPerfCountSwTaskClock);
        attr.flags |= sys::kPerfDisabled;
        auto fd = sys::perf_event_open(attr, 0, -1);
        REQUIRE(fd);
        CHECK(fd->get() > 2);
        auto id = sys::perf_event_id(fd->get());
        REQUIRE(id);
        CHECK(*id > 0);
        REQUIRE(sys::perf_event_enable(fd->get()));
        volatile std::uint64_t spin = 0;
        for (int i = 0; i < 2000000; ++i) spin = spin + static_cast<std::uint64_t>(i);
        REQUIRE(sys::perf_event_disable(fd->get()));
        auto ns = sys::perf_event_read_count(fd->get());
        REQUIRE(ns);
        CHECK(*ns > 0);
        REQUIRE(sys::perf_event_reset(fd->get()));
        auto zero = sys::perf_event_read_count(fd->get());
        REQUIRE(zero);
        CHECK(*zero == 0);
        // No ring buffer is mapped: the kernel refuses, and the error names the ioctl.
        CHECK(test::fails_with(sys::perf_event_pause_output(fd->get()), Errc::InvalidArgument,
                               "PERF_EVENT_IOC_PAUSE_OUTPUT"));
    }
    {
        // A sampling cpu-clock event on CPU 0 for every task: what perf_event programs attach to.
        auto attr = sys::perf_attr_software(sys::kPerfCountSwCpuClock, {.frequency = 99});
        CHECK((attr.flags & sys::kPerfFreq) != 0);
        auto fd = sys::perf_event_open(attr, -1, 0);
        REQUIRE(fd);
    }
    CHECK(test::fails_with(sys::perf_event_open(sys::perf_attr_software(12345), 0, -1), Errc::NotFound,
                           "perf_event_open(type 1, config 0x3039, pid 0, cpu -1)"));
    auto bad = sys::perf_event_enable(-1);
    REQUIRE_FALSE(bad);
    CHECK(std::string(bad.error().message()).find("PERF_EVENT_IOC_ENABLE: Bad file descriptor") == 0);
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("hardware counters open where the machine has a PMU", "[perf]") {
    auto fd = sys::perf_event_open(sys::perf_attr_hardware(sys::kPerfCountHwInstructions), 0, -1);
    if (!fd) {
        // Virtual machines often expose no hardware PMU: ENOENT or EOPNOTSUPP, never a crash.
        EBPF_MARK_SKIPPED("no hardware PMU here: " << fd.error().message());
        CHECK((fd.error().code() == Errc::NotFound || fd.error().code() == Errc::NotSupported));
        return;
    }
    CHECK(fd->get() > 2);
}

TEST_CASE("a tracepoint event counts syscalls", "[perf]") {
    if (test::compat_process()) {
        EBPF_MARK_SKIPPED("syscall tracepoints ignore a 32-bit process on a 64-bit kernel");
        return;
    }
    auto id = sys::tracepoint_id("syscalls", "sys_enter_getpid");
    if (!id) {
        EBPF_MARK_SKIPPED("no syscalls/sys_enter_getpid tracepoint (CONFIG_FTRACE_SYSCALLS off): "
                          << id.error().message());
        return;
    }
    auto fd = sys::perf_event_open(sys::perf_attr_tracepoint(*id), 0, -1);
    REQUIRE(fd);
    getpid_n(5);
    auto n = sys::perf_event_read_count(fd->get());
    REQUIRE(n);
    CHECK(*n >= 5);
}

TEST_CASE("the uprobe PMU probes a function of this binary", "[perf]") {
    auto pmu = sys::uprobe_pmu();
    if (!pmu) {
        EBPF_MARK_SKIPPED(pmu.error().message());
        CHECK(pmu.error().code() == Errc::NotSupported);
        return;
    }
    CHECK(pmu->type > 0);
    auto site = test::probe_target_site();
    REQUIRE(site);
    const int fds = test::open_fd_count();
    {
        auto attr = sys::perf_attr_uprobe(*pmu, {.path = site->path.c_str(), .offset = site->offset});
        REQUIRE(attr);
        auto fd = sys::perf_event_open(*attr, 0, -1);
        if (!fd && test::compat_process() && fd.error().code() == Errc::NotSupported) {
            EBPF_MARK_SKIPPED("the kernel does not probe 32-bit code here: " << fd.error().message());
            return;
        }
        REQUIRE(fd);
        test::hit_probe_target(3);
        auto hits = sys::perf_event_read_count(fd->get());
        REQUIRE(hits);
        CHECK(*hits == 3);
    }
    if (pmu->retprobe_bit >= 0) {
        auto attr = sys::perf_attr_uprobe(*pmu, {.path = site->path.c_str(), .offset = site->offset, .retprobe = true});
        REQUIRE(attr);
        CHECK((attr->config >> pmu->retprobe_bit & 1) == 1);
        auto fd = sys::perf_event_open(*attr, 0, -1);
        REQUIRE(fd);
        test::hit_probe_target(2);
        auto hits = sys::perf_event_read_count(fd->get());
        REQUIRE(hits);
        CHECK(*hits == 2);
    }
    if (pmu->ref_ctr_offset_bit >= 0) {
        auto attr = sys::perf_attr_uprobe(*pmu, {.path = "/x", .offset = 1, .ref_ctr_offset = 0x40});
        REQUIRE(attr);
        CHECK(attr->config >> pmu->ref_ctr_offset_bit == 0x40);
        if (pmu->ref_ctr_offset_width < 64) {
            auto huge = sys::perf_attr_uprobe(*pmu, {.path = "/x", .ref_ctr_offset = ~std::uint64_t{0}});
            CHECK(test::fails_with(huge, Errc::InvalidArgument, "does not fit"));
        }
    }
    CHECK(test::fails_with(sys::perf_attr_uprobe(*pmu, {}), Errc::InvalidArgument, "no binary path"));
    auto missing = sys::perf_attr_uprobe(*pmu, {.path = "/nonexistent/ebpf-cxx", .offset = 0});
    REQUIRE(missing);
    CHECK_FALSE(sys::perf_event_open(*missing, 0, -1));
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("the kprobe PMU is found or reported missing", "[perf]") {
    auto pmu = sys::kprobe_pmu();
    if (!pmu) {
        CHECK(pmu.error().code() == Errc::NotSupported);
        CHECK(std::string(pmu.error().message()).find("no kprobe PMU") != std::string::npos);
        return;
    }
    auto attr = sys::perf_attr_kprobe(*pmu, {.symbol = "do_nanosleep"});
    REQUIRE(attr);
    auto fd = sys::perf_event_open(*attr, -1, 0);
    if (!fd) WARN("kprobe on do_nanosleep: " << fd.error().message());
}

TEST_CASE("a BPF program on a tracepoint runs, by SET_BPF and by a perf link", "[perf]") {
    if (test::compat_process()) {
        EBPF_MARK_SKIPPED("syscall tracepoints ignore a 32-bit process on a 64-bit kernel");
        return;
    }
    auto id = sys::tracepoint_id("syscalls", "sys_enter_getpid");
    if (!id) {
        EBPF_MARK_SKIPPED("no syscalls/sys_enter_getpid tracepoint: " << id.error().message());
        return;
    }
    const int fds = test::open_fd_count();
    {
        auto map = test::create_counter_map();
        REQUIRE(map);
        auto prog = test::load_counting_prog(ProgramType::Tracepoint, map->get());
        REQUIRE(prog);
        {
            auto ev = sys::perf_event_open(sys::perf_attr_tracepoint(*id), -1, 0);
            REQUIRE(ev);
            REQUIRE(sys::perf_event_set_bpf(ev->get(), prog->get()));
            REQUIRE(sys::perf_event_enable(ev->get()));
            auto ids = sys::perf_event_query_bpf(ev->get());
            REQUIRE(ids);
            CHECK(ids->size() == 1);
            // Pinned to CPU 0 and only that CPU's getpid calls count; run until one lands there.
            for (int i = 0; i < 200 && test::read_counter(map->get()) == 0; ++i) {
                getpid_n(10);
                ::usleep(1000);
            }
            CHECK(test::read_counter(map->get()) > 0);
            CHECK(test::fails_with(sys::perf_event_set_bpf(ev->get(), prog->get()), Errc::Exists,
                                   "PERF_EVENT_IOC_SET_BPF"));
        }
        // BPF_LINK_CREATE with BPF_PERF_EVENT (5.15) and a cookie: the link owns the attachment.
        auto ev = sys::perf_event_open(sys::perf_attr_tracepoint(*id), 0, -1);
        REQUIRE(ev);
        sys::LinkCreateAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(prog->get());
        a.target_fd = static_cast<std::uint32_t>(ev->get());
        a.attach_type = sys::uapi::kBpfPerfEvent;
        a.perf_event.bpf_cookie = 0x1234;
        auto link = sys::link_create(a);
        if (!link && link.error().sys_errno() == EINVAL) {
            // Kernels before 5.15 know no BPF_PERF_EVENT attach type.
            EBPF_MARK_SKIPPED("no BPF_PERF_EVENT links here: " << link.error().message());
            return;
        }
        REQUIRE(link);
        const auto before = test::read_counter(map->get());
        getpid_n(4);
        CHECK(test::read_counter(map->get()) >= before + 4);
    }
    CHECK(test::open_fd_count() == fds);
}
