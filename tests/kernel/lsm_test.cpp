// SPDX-License-Identifier: MIT
// Lsm and LsmCgroup: a BPF LSM program on file_open counts this process's opens (it runs only where "bpf" is an
// active LSM: tools/vm/run.sh boots 5.10, whose default CONFIG_LSM leaves it out, with lsm=...,bpf), and an
// lsm_cgroup program on socket_bind counts the binds of the tasks in a cgroup (6.0+). Attached through
// BPF_LINK_CREATE where the kernel has it (5.19+) and through BPF_RAW_TRACEPOINT_OPEN (forced by the probe).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <ebpf/ebpf.hpp>

#include "kernel/tracing_support.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::global;
using test::msg;

namespace {

// The active LSMs, comma-separated (securityfs mounted privately if the system has not mounted it); "" on failure.
std::string active_lsms() {
    std::string text;
    std::ifstream("/sys/kernel/security/lsm") >> text;
    if (!text.empty()) return text;
    char dir[] = "/tmp/ebpf-cxx-securityfs-XXXXXX";
    if (!::mkdtemp(dir)) return text;
    if (::mount("securityfs", dir, "securityfs", 0, nullptr) == 0) {
        { std::ifstream(std::string(dir) + "/lsm") >> text; }  // closed before unmounting
        ::umount(dir);
    }
    ::rmdir(dir);
    return text;
}

void open_self(int times) {
    for (int i = 0; i < times; ++i) {
        const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        ::close(fd);
    }
}

bool bind_udp_any() {
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    const bool ok = ::bind(s, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
}

}  // namespace

TEST_CASE("Lsm: lsm/file_open counts opens where bpf is an active LSM", "[lsm]") {
    Object obj = test::load_object("lsm_count.bpf.o");
    auto lsm = obj.program<Lsm>("on_file_open");
    REQUIRE(lsm);
    if (auto r = lsm->load(); !r) {
        // Kernels that refuse trampoline programs refuse LSM programs too (this project's CI host).
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Lsm));
        FAIL(msg(r.error()));
    }
    const std::string lsms = active_lsms();
    if (("," + lsms + ",").find(",bpf,") == std::string::npos)
        EBPF_SKIP("bpf is not an active LSM (/sys/kernel/security/lsm: '" << lsms
                                                                           << "'): LSM programs load but never run");
    auto linkable = link_supported(AttachType::LsmMac);
    REQUIRE(linkable);
    for (const bool raw : {false, true}) {
        if (!raw && !*linkable) continue;
        INFO((raw ? "BPF_RAW_TRACEPOINT_OPEN" : "BPF_LINK_CREATE"));
        std::optional<test::ForcedProbe> forced;
        if (raw) forced.emplace(ProbeKey::link(AttachType::LsmMac), false);
        const int fds = test::open_fd_count();
        const std::uint64_t before = global(obj, "lsm_opens");
        {
            auto link = lsm->attach();
            if (!link && link.error().sys_errno() == 524)
                // arm64 before 6.4 loads trampoline programs but cannot attach them (no ftrace direct calls).
                EBPF_SKIP("this kernel loads LSM programs but cannot attach them: ENOTSUPP (errno 524)");
            if (!link) FAIL(msg(link.error()));
            open_self(3);
            CHECK(global(obj, "lsm_opens") == before + 3);
            CHECK(test::open_fd_count() == fds + 1);  // (counting fds opens /proc/self/fd: after the check above)
        }
        const std::uint64_t after = global(obj, "lsm_opens");
        open_self(2);
        CHECK(global(obj, "lsm_opens") == after);  // detached
        CHECK(test::open_fd_count() == fds);
    }
    // The section names the hook: auto-attach works too (on a fresh load: before 5.13 a program attaches once).
    Object again = test::load_object("lsm_count.bpf.o");
    Program* p = again.find_program("on_file_open");
    REQUIRE(p);
    REQUIRE(p->load());
    auto link = auto_attach(*p);
    if (!link) FAIL(msg(link.error()));
    const std::uint64_t before = global(again, "lsm_opens");
    open_self(1);
    CHECK(global(again, "lsm_opens") == before + 1);
}

TEST_CASE("LsmCgroup: lsm_cgroup/socket_bind runs for the tasks of its cgroup only", "[lsm]") {
    auto lsm = program_type_supported(ProgramType::Lsm);
    if (lsm && !*lsm) EBPF_SKIP("probe prog:lsm = false: the kernel refuses LSM programs to this process");
    auto linkable = link_supported(AttachType::LsmCgroup);
    REQUIRE(linkable);
    if (!*linkable) EBPF_SKIP("no lsm_cgroup attachments here (probe link:lsm_cgroup = false; Linux 6.0)");
    Object obj = test::load_object("lsm_cgroup.bpf.o");
    auto p = obj.program<LsmCgroup>("count_bind");
    REQUIRE(p);
    if (auto r = p->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Lsm));
        FAIL(msg(r.error()));
    }
    test::TempCgroup cg;
    if (cg.path().empty()) EBPF_SKIP("no cgroup v2 hierarchy to make a cgroup in");
    const int fds = test::open_fd_count();
    {
        auto link = p->attach(cg.path().c_str());
        if (!link && link.error().sys_errno() == 524)
            // arm64 before 6.4 loads trampoline programs but cannot attach them (no ftrace direct calls).
            EBPF_SKIP("this kernel loads LSM programs but cannot attach them: ENOTSUPP (errno 524)");
        if (!link) FAIL(msg(link.error()));
        CHECK(link->is_bpf_link());
        REQUIRE(bind_udp_any());
        CHECK(global(obj, "binds") == 0);  // not in the cgroup yet
        REQUIRE(cg.join());
        REQUIRE(bind_udp_any());
        REQUIRE(bind_udp_any());
        cg.leave();
        CHECK(global(obj, "binds") == 2);
    }
    CHECK(test::open_fd_count() == fds);
    {
        // The BPF_PROG_ATTACH fallback (cgroup attachments without bpf_links), forced through the probe.
        const test::ForcedProbe legacy(ProbeKey::link(AttachType::LsmCgroup), false);
        auto link = p->attach(cg.path().c_str());
        if (!link) FAIL(msg(link.error()));
        CHECK_FALSE(link->is_bpf_link());
        REQUIRE(cg.join());
        REQUIRE(bind_udp_any());
        cg.leave();
        CHECK(global(obj, "binds") == 3);
        REQUIRE(link->detach());
        REQUIRE(cg.join());
        REQUIRE(bind_udp_any());
        cg.leave();
        CHECK(global(obj, "binds") == 3);  // detached
    }
    CHECK(test::open_fd_count() == fds);
    // Auto-attach needs the cgroup.
    auto blocker = auto_attach_blocker(p->program());
    REQUIRE(blocker);
    CHECK(blocker->find("needs a cgroup") != std::string::npos);
    auto link = auto_attach(p->program(), {.cgroup = cg.path(), .interface = {}});
    if (!link) FAIL(msg(link.error()));
}

TEST_CASE("Lsm: views check the kind; unloaded programs are refused", "[lsm]") {
    Object obj = test::load_object("lsm_count.bpf.o");
    auto lsm = obj.program<Lsm>("on_file_open");
    REQUIRE(lsm);
    auto not_loaded = lsm->attach();
    REQUIRE_FALSE(not_loaded);
    CHECK(msg(not_loaded.error()) == "attach lsm program 'on_file_open' to file_open: the program is not loaded");
    auto as_cgroup = obj.program<LsmCgroup>("on_file_open");
    REQUIRE_FALSE(as_cgroup);
    CHECK(as_cgroup.error().code() == Errc::InvalidArgument);
}
