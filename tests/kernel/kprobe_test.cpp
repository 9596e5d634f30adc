// SPDX-License-Identifier: MIT
// A kprobe and a kretprobe attached through the kernel's raw interfaces: perf_event_open(2) with the kprobe PMU
// (its type from /sys/bus/event_source/devices/kprobe/type), then BPF_LINK_CREATE with BPF_PERF_EVENT (5.15+) and
// PERF_EVENT_IOC_SET_BPF (every kernel; the only way before 5.15). unlink(2) of a missing path triggers them;
// the counts in a map must equal the calls made while attached, and stay put after detaching.
//
// Self-contained on purpose: the library has no kprobe attach API yet. Rewrite this against its KProbe type when
// it has one (the tracing issue). Kernels without CONFIG_KPROBES have no kprobe PMU and skip (this host).
#include <catch2/catch.hpp>

#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include <ebpf/ebpf.hpp>

#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

constexpr const char* kPmu = "/sys/bus/event_source/devices/kprobe";
constexpr const char* kTarget = "do_unlinkat";  // what unlink(2) calls, on every kernel since 4.x

// A line of a sysfs file, or "" (errno says why).
std::string read_line(const std::string& path) {
    std::ifstream f(path);
    std::string s;
    if (!f) return s;
    std::getline(f, s);
    if (s.empty()) errno = ENODATA;
    return s;
}

bool in_kallsyms(const char* name) {
    std::ifstream f("/proc/kallsyms");
    std::string addr, type, sym;
    while (f >> addr >> type >> sym) {
        if (sym == name) return true;
        f.ignore(1 << 20, '\n');  // module name, if any
    }
    return false;
}

// A kprobe (or kretprobe) perf event on `func`; -1 and errno on failure.
int open_kprobe(std::uint32_t pmu_type, int retprobe_bit, bool retprobe, const char* func) {
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = pmu_type;
    attr.config = retprobe ? 1ull << retprobe_bit : 0;
    attr.config1 = reinterpret_cast<std::uintptr_t>(func);  // kprobe_func
    attr.config2 = 0;                                        // probe_offset
    // A kprobe's BPF program runs on whatever CPU hits the probe; one event (on CPU 0) attaches it.
    return static_cast<int>(::syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC));
}

// BPF_LINK_CREATE(prog, perf event, BPF_PERF_EVENT): the link fd, or -1 and errno.
int link_perf_event(int prog_fd, int perf_fd) {
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.link_create.prog_fd = static_cast<std::uint32_t>(prog_fd);
    a.link_create.target_fd = static_cast<std::uint32_t>(perf_fd);
    a.link_create.attach_type = BPF_PERF_EVENT;
    return static_cast<int>(::syscall(SYS_bpf, BPF_LINK_CREATE, &a, sizeof a));
}

std::uint64_t hits(const Map& m, std::uint32_t slot) {
    std::uint64_t v = 0;
    auto r = m.lookup(as_bytes_of(slot), as_writable_bytes_of(v));
    if (!r) FAIL(std::string(r.error().message()));
    return v;
}

void reset(const Map& m) {
    for (std::uint32_t slot : {0u, 1u}) {
        const std::uint64_t zero = 0;
        REQUIRE(m.update(as_bytes_of(slot), as_bytes_of(zero)));
    }
}

void unlink_missing(int times) {
    const std::string path = "/tmp/ebpf-cxx-kprobe-missing-" + std::to_string(::getpid());
    for (int i = 0; i < times; ++i) REQUIRE(::unlink(path.c_str()) == -1);
}

}  // namespace

TEST_CASE("kprobe and kretprobe through the kprobe PMU: bpf_link and PERF_EVENT_IOC_SET_BPF", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_program_type(BPF_PROG_TYPE_KPROBE, "kprobe"));
    LoadOptions o;
    o.globals.push_back(GlobalValue::of<std::uint32_t>("target_tgid", static_cast<std::uint32_t>(::getpid())));
    auto obj = Object::load_file(test::obj_path("kprobe_count.bpf.o").c_str(), o);
    if (!obj) FAIL(std::string(obj.error().message()));
    Program* entry = obj->find_program("on_unlinkat");
    Program* ret = obj->find_program("on_unlinkat_return");
    Map* counts = obj->find_map("kprobe_hits");
    REQUIRE(entry);
    REQUIRE(ret);
    REQUIRE(counts);
    // Loading needs no PMU: the host checks this much too.
    if (auto r = entry->load(); !r) FAIL(std::string(r.error().message()));
    if (auto r = ret->load(); !r) FAIL(std::string(r.error().message()));

    const std::string type_text = read_line(std::string(kPmu) + "/type");
    if (type_text.empty())
        EBPF_SKIP("no kprobe PMU: " << kPmu << "/type: " << std::strerror(errno) << " (a kernel without kprobes)");
    const auto pmu_type = static_cast<std::uint32_t>(std::stoul(type_text));
    // "config:0": the bit of perf_event_attr::config that makes it a kretprobe.
    const std::string ret_format = read_line(std::string(kPmu) + "/format/retprobe");
    REQUIRE(ret_format.rfind("config:", 0) == 0);
    const int retprobe_bit = std::stoi(ret_format.substr(7));
    if (!in_kallsyms(kTarget)) EBPF_SKIP(kTarget << " is not in /proc/kallsyms: nothing to probe");

    bool have_links = true;
    for (const bool use_link : {true, false}) {
        if (use_link && !have_links) continue;
        INFO((use_link ? "BPF_LINK_CREATE(BPF_PERF_EVENT)" : "PERF_EVENT_IOC_SET_BPF"));
        reset(*counts);
        const int pe_entry = open_kprobe(pmu_type, retprobe_bit, false, kTarget);
        INFO("perf_event_open(kprobe " << kTarget << "): " << std::strerror(errno));
        REQUIRE(pe_entry >= 0);
        const int pe_ret = open_kprobe(pmu_type, retprobe_bit, true, kTarget);
        INFO("perf_event_open(kretprobe " << kTarget << "): " << std::strerror(errno));
        REQUIRE(pe_ret >= 0);
        int links[2] = {-1, -1};
        if (use_link) {
            links[0] = link_perf_event(entry->fd().get(), pe_entry);
            if (links[0] < 0 && errno == EINVAL) {
                // Kernels before 5.15 know no BPF_PERF_EVENT attach type: PERF_EVENT_IOC_SET_BPF only.
                WARN("BPF_LINK_CREATE(BPF_PERF_EVENT) fails with EINVAL: this kernel attaches kprobe programs "
                     "with PERF_EVENT_IOC_SET_BPF only");
                have_links = false;
                ::close(pe_entry);
                ::close(pe_ret);
                continue;
            }
            INFO("BPF_LINK_CREATE: " << std::strerror(errno));
            REQUIRE(links[0] >= 0);
            links[1] = link_perf_event(ret->fd().get(), pe_ret);
            REQUIRE(links[1] >= 0);
        } else {
            CHECK(::ioctl(pe_entry, PERF_EVENT_IOC_SET_BPF, entry->fd().get()) == 0);
            CHECK(::ioctl(pe_ret, PERF_EVENT_IOC_SET_BPF, ret->fd().get()) == 0);
            CHECK(::ioctl(pe_entry, PERF_EVENT_IOC_ENABLE, 0) == 0);
            CHECK(::ioctl(pe_ret, PERF_EVENT_IOC_ENABLE, 0) == 0);
        }
        unlink_missing(3);
        CHECK(hits(*counts, 0) == 3);
        CHECK(hits(*counts, 1) == 3);
        // Detached when the last fd goes: later calls are not counted.
        for (int fd : {links[0], links[1], pe_entry, pe_ret})
            if (fd >= 0) ::close(fd);
        unlink_missing(2);
        CHECK(hits(*counts, 0) == 3);
        CHECK(hits(*counts, 1) == 3);
    }
}
