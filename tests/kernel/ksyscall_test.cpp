// SPDX-License-Identifier: MIT
// KSyscall: ksyscall/getppid and kretsyscall/getppid on the kernel function the system call enters through
// (__x64_sys_getppid where the kernel has syscall wrappers), triggered by getppid() from this process.
#include <catch2/catch.hpp>

#include <sys/utsname.h>
#include <unistd.h>

#include <string>

#include <ebpf/ebpf.hpp>

#include "kernel/tracing_support.hpp"
#include "support/fd_count.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::getppid_n;
using test::global;
using test::msg;

TEST_CASE("KSyscall: the kernel function of a system call follows the syscall-wrapper probe", "[tracing]") {
    auto wrapped = has(Feature::SyscallWrapper);
    if (!wrapped) EBPF_SKIP("probe feature:syscall_wrapper failed: " << msg(wrapped.error()));
    auto fn = KSyscall::kernel_function("getppid");
    REQUIRE(fn);
    utsname u{};
    REQUIRE(::uname(&u) == 0);
    const std::string machine = u.machine;
    if (*wrapped) {
        if (machine == "x86_64") CHECK(*fn == "__x64_sys_getppid");
        if (machine == "aarch64") CHECK(*fn == "__arm64_sys_getppid");
        CHECK(fn->rfind("__", 0) == 0);
        CHECK(fn->find("_sys_getppid") != std::string::npos);
    } else {
        CHECK((*fn == "__se_sys_getppid" || *fn == "sys_getppid"));
    }
    // The function exists (ksyscall would attach to it).
    if (test::kallsyms_address(*fn) == 0) {
        std::ifstream k("/proc/kallsyms");
        std::string line;
        bool listed = false;
        while (std::getline(k, line)) listed = listed || line.find(" " + *fn) != std::string::npos;
        CHECK(listed);
    }
}

TEST_CASE("KSyscall: ksyscall and kretsyscall count getppid calls, through the PMU and through tracefs", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    Object obj = test::load_object("kprobes.bpf.o");
    auto entry = obj.program<KSyscall>("getppid_entry");
    auto ret = obj.program<KSyscall>("getppid_return");
    REQUIRE(entry);
    REQUIRE(ret);
    REQUIRE(entry->load());
    REQUIRE(ret->load());
    CHECK(ret->is_retprobe());
    auto pmu = has(Feature::KprobePmu);
    REQUIRE(pmu);
    for (const bool tracefs : {false, true}) {
        if (!tracefs && !*pmu) continue;
        INFO((tracefs ? "tracefs" : "kprobe PMU"));
        std::optional<test::ForcedProbe> forced;
        if (tracefs) forced.emplace(ProbeKey::feature(Feature::KprobePmu), false);
        const int fds = test::open_fd_count();
        const std::string events = test::kprobe_events();
        {
            auto l1 = entry->attach();
            if (!l1) FAIL(msg(l1.error()));
            auto l2 = ret->attach("getppid");
            if (!l2) FAIL(msg(l2.error()));
            CHECK(std::string(l1->description()).find("(kernel function ") != std::string::npos);
            const std::uint64_t e0 = global(obj, "syscall_entries"), r0 = global(obj, "syscall_returns");
            getppid_n(5);
            CHECK(global(obj, "syscall_entries") == e0 + 5);
            CHECK(global(obj, "syscall_returns") == r0 + 5);
        }
        CHECK(test::open_fd_count() == fds);
        CHECK(test::kprobe_events() == events);
    }
    // Auto-attach: the section names the system call.
    auto link = auto_attach(entry->program());
    if (!link) FAIL(msg(link.error()));
    const std::uint64_t e0 = global(obj, "syscall_entries");
    getppid_n(2);
    CHECK(global(obj, "syscall_entries") == e0 + 2);
}

TEST_CASE("KSyscall: a missing system call is NotFound, naming the function looked for", "[kprobe]") {
    EBPF_SKIP_IF(test::lacks_kprobes());
    Object obj = test::load_object("kprobes.bpf.o");
    auto entry = obj.program<KSyscall>("getppid_entry");
    REQUIRE(entry->load());
    const int fds = test::open_fd_count();
    const std::string events = test::kprobe_events();
    auto fn = KSyscall::kernel_function("ebpf_cxx_no_such_call");
    REQUIRE(fn);
    auto missing = entry->attach("ebpf_cxx_no_such_call");
    REQUIRE_FALSE(missing);
    INFO(msg(missing.error()));
    CHECK(missing.error().code() == Errc::NotFound);
    CHECK(msg(missing.error()).find("system call ebpf_cxx_no_such_call (kernel function " + *fn + ")") !=
          std::string::npos);
    CHECK(msg(missing.error()).find("no such kernel function") != std::string::npos);
    auto bad = entry->attach("sys/getppid");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code() == Errc::InvalidArgument);
    CHECK(test::open_fd_count() == fds);
    CHECK(test::kprobe_events() == events);
}
