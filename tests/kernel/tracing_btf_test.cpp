// SPDX-License-Identifier: MIT
// Tracing (fentry, fexit, fmod_ret) and BtfTracepoint (tp_btf): BTF-attached programs on do_unlinkat,
// security_file_open, the sys_enter tracepoint and a BPF program's function, triggered by this process. Each is
// attached through BPF_LINK_CREATE where the kernel has it (5.19+) and through BPF_RAW_TRACEPOINT_OPEN (forced
// with the link probe, or the only path on 5.10). Kernels that refuse trampolines skip with the kernel's answer.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>

#include <ebpf/ebpf.hpp>

#include "kernel/tracing_support.hpp"
#include "support/fd_count.hpp"
#include "support/netns.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::getppid_n;
using test::global;
using test::msg;
using test::unlink_missing;

namespace {

LoadOptions btf_options() {
    LoadOptions o = test::for_this_process();
    o.globals.push_back(GlobalValue::of("target_nr", static_cast<std::int64_t>(SYS_getppid)));
    return o;
}

// Runs `body` through BPF_LINK_CREATE (where the kernel attaches `type` with it) and through
// BPF_RAW_TRACEPOINT_OPEN (forced by the probe).
template <class F>
void each_tracing_path(AttachType type, F&& body) {
    auto linkable = link_supported(type);
    REQUIRE(linkable);
    if (*linkable) {
        SECTION("BPF_LINK_CREATE") { body(); }
    }
    SECTION("BPF_RAW_TRACEPOINT_OPEN") {
        const test::ForcedProbe raw(ProbeKey::link(type), false);
        body();
    }
}

}  // namespace

TEST_CASE("Tracing: fentry and fexit on do_unlinkat see every call and its return value", "[tracing]") {
    Object obj = test::load_object("tracing_btf.bpf.o", btf_options());
    auto entry = obj.program<Tracing>("unlink_fentry");
    auto exit = obj.program<Tracing>("unlink_fexit");
    REQUIRE(entry);
    REQUIRE(exit);
    if (auto r = entry->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    REQUIRE(exit->load());
    each_tracing_path(AttachType::TraceFentry, [&] {
        const int fds = test::open_fd_count();
        const std::uint64_t e0 = global(obj, "fentry_hits"), x0 = global(obj, "fexit_hits");
        {
            auto l1 = entry->attach();
            if (!l1) {
                EBPF_SKIP_IF(test::kernel_refuses(l1.error(), ProgramType::Tracing));
                FAIL(msg(l1.error()));
            }
            auto l2 = exit->attach();
            if (!l2) FAIL(msg(l2.error()));
            CHECK(test::open_fd_count() == fds + 2);
            unlink_missing(3);
            CHECK(global(obj, "fentry_hits") == e0 + 3);
            CHECK(global(obj, "fexit_hits") == x0 + 3);
            CHECK(global<std::int64_t>(obj, "fexit_ret") == -ENOENT);
            auto info = l1->info();
            REQUIRE(info);
            CHECK(info->type == LinkType::Tracing);
            CHECK(info->attach_type == AttachType::TraceFentry);
            auto out = l1->detach();
            REQUIRE(out);
            CHECK(*out == DetachOutcome::ReferenceClosed);  // tracing links cannot be force-detached
            unlink_missing(1);
            CHECK(global(obj, "fentry_hits") == e0 + 3);
        }
        CHECK(test::open_fd_count() == fds);
        unlink_missing(1);
        CHECK(global(obj, "fexit_hits") == x0 + 4);
    });
}

TEST_CASE("Tracing: fentry cookies need BPF_LINK_CREATE for tracing programs (5.19)", "[tracing]") {
    Object obj = test::load_object("tracing_btf.bpf.o", btf_options());
    auto linkable = link_supported(AttachType::TraceFentry);
    REQUIRE(linkable);
    if (!*linkable) {
        auto plain = obj.program<Tracing>("unlink_fentry");
        if (auto r = plain->load(); !r) {
            EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
            FAIL(msg(r.error()));
        }
        auto refused = plain->attach({.cookie = 3});
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code() == Errc::NotSupported);
        CHECK(msg(refused.error()).find("Linux 5.19") != std::string::npos);
        EBPF_SKIP("no BPF_LINK_CREATE for fentry (probe link:trace_fentry = false): the cookie was refused, as it must");
    }
    auto p = obj.program<Tracing>("unlink_fentry_cookie");
    REQUIRE(p->load());
    auto link = p->attach({.cookie = 0xfeedULL << 32 | 7});
    if (!link) FAIL(msg(link.error()));
    unlink_missing(1);
    CHECK(global(obj, "last_cookie") == (0xfeedULL << 32 | 7));
}

TEST_CASE("Tracing: fmod_ret on security_file_open denies this process's opens while asked to", "[tracing]") {
    Object obj = test::load_object("tracing_btf.bpf.o", btf_options());
    auto p = obj.program<Tracing>("deny_open");
    REQUIRE(p);
    if (auto r = p->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    each_tracing_path(AttachType::ModifyReturn, [&] {
        auto link = p->attach();
        if (!link) {
            EBPF_SKIP_IF(test::kernel_refuses(link.error(), ProgramType::Tracing));
            FAIL(msg(link.error()));
        }
        const std::uint64_t d0 = global(obj, "denied");
        test::set_global<std::uint32_t>(obj, "deny_opens", 1);
        const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        const int err = errno;
        test::set_global<std::uint32_t>(obj, "deny_opens", 0);
        if (fd >= 0) ::close(fd);
        CHECK(fd == -1);
        CHECK(err == EPERM);
        CHECK(global(obj, "denied") == d0 + 1);
        const int ok = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        CHECK(ok >= 0);
        if (ok >= 0) ::close(ok);
    });
}

TEST_CASE("BtfTracepoint: tp_btf/sys_enter counts getppid calls", "[tracing]") {
    Object obj = test::load_object("tracing_btf.bpf.o", btf_options());
    auto tp = obj.program<BtfTracepoint>("sys_enter_btf");
    REQUIRE(tp);
    if (auto r = tp->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    each_tracing_path(AttachType::TraceRawTp, [&] {
        const int fds = test::open_fd_count();
        {
            auto link = tp->attach();
            if (!link) FAIL(msg(link.error()));
            const std::uint64_t h0 = global(obj, "tp_btf_hits");
            getppid_n(6);
            CHECK(global(obj, "tp_btf_hits") == h0 + 6);
        }
        CHECK(test::open_fd_count() == fds);
    });
}

TEST_CASE("BtfTracepoint: cookies from 6.10, refused before", "[tracing]") {
    Object obj = test::load_object("tracing_btf.bpf.o", btf_options());
    auto tp = obj.program<BtfTracepoint>("sys_enter_btf");
    REQUIRE(tp);
    if (auto r = tp->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    auto cookie = has(Feature::RawTpCookie);
    REQUIRE(cookie);
    if (!*cookie) {
        auto refused = tp->attach({.cookie = 9});
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code() == Errc::NotSupported);
        EBPF_SKIP("no raw tracepoint cookies before 6.10 (probe feature:raw_tp_cookie = false): refused, as it must");
    }
    auto with_cookie = obj.program<BtfTracepoint>("sys_enter_btf_cookie");
    REQUIRE(with_cookie->load());
    auto link = with_cookie->attach({.cookie = 0xabc});
    if (!link) FAIL(msg(link.error()));
    getppid_n(1);
    CHECK(global(obj, "last_cookie") == 0xabc);
}

TEST_CASE("Tracing: fentry on a BPF program's function, set as the target before load", "[tracing]") {
    Object target = test::load_object("freplace_target.bpf.o", {});
    auto classify = target.program("classify");
    REQUIRE(classify);
    REQUIRE(classify->load());
    Object obj = test::load_object("tracing_btf.bpf.o", btf_options());
    auto p = obj.program<Tracing>("on_decide");
    REQUIRE(p);
    REQUIRE(p->program().set_attach_target(*classify, "decide"));
    if (auto r = p->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    auto link = auto_attach(p->program());  // the target given at load
    if (!link) {
        EBPF_SKIP_IF(test::kernel_refuses(link.error(), ProgramType::Tracing));
        FAIL(msg(link.error()));
    }
    std::byte packet[64] = {};
    auto run = classify->test_run({.data_in = packet});
    REQUIRE(run);
    CHECK(run->retval == 1);
    CHECK(global(obj, "bpf_func_hits") == 1);
    auto info = link->info();
    REQUIRE(info);
    CHECK(info->type == LinkType::Tracing);
}

TEST_CASE("Tracing: fentry on a module function (its BTF in /sys/kernel/btf/<module>), hit by a new veth pair",
          "[tracing]") {
    if (test::kallsyms_address("veth_newlink", "veth") == 0 && !test::module_loaded("veth"))
        EBPF_SKIP("the veth module is not loaded (no [veth] symbols in /proc/kallsyms)");
    if (::access("/sys/kernel/btf/veth", F_OK) != 0)
        EBPF_SKIP("the veth module has no BTF (/sys/kernel/btf/veth: CONFIG_DEBUG_INFO_BTF_MODULES)");
    Object obj = test::load_object("tracing_btf.bpf.o", btf_options());
    auto p = obj.program<Tracing>("unlink_fentry");  // counts this process's calls, whatever the function
    REQUIRE(p);
    REQUIRE(p->program().set_attach_target("veth_newlink"));
    if (auto r = p->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    CHECK(p->program().def().attach_btf_obj != nullptr);  // found in the module's BTF, not vmlinux
    auto link = p->attach();
    if (!link) {
        EBPF_SKIP_IF(test::kernel_refuses(link.error(), ProgramType::Tracing));
        FAIL(msg(link.error()));
    }
    const std::uint64_t before = global(obj, "fentry_hits");
    {
        test::NetnsVeth pair;
        REQUIRE(pair.ok());
    }
    CHECK(global(obj, "fentry_hits") >= before + 1);
}

TEST_CASE("Tracing: wrong kinds and unloaded programs are refused; a missing target fails the load", "[tracing]") {
    Object obj = test::load_object("tracing_btf.bpf.o", btf_options());
    auto entry = obj.program<Tracing>("unlink_fentry");
    REQUIRE(entry);
    auto not_loaded = entry->attach();
    REQUIRE_FALSE(not_loaded);
    CHECK(msg(not_loaded.error()) ==
          "attach fentry program 'unlink_fentry' to do_unlinkat: the program is not loaded");
    auto tp_as_tracing = obj.program<Tracing>("sys_enter_btf");
    REQUIRE_FALSE(tp_as_tracing);
    CHECK(msg(tp_as_tracing.error()).find("Tracing takes fentry, fexit, fmod_ret programs") != std::string::npos);
    auto fentry_as_tp = obj.program<BtfTracepoint>("unlink_fentry");
    REQUIRE_FALSE(fentry_as_tp);
    auto missing = obj.program<Tracing>("unlink_fexit");
    REQUIRE(missing->program().set_attach_target("ebpf_cxx_no_such_function"));
    auto r = missing->load();
    REQUIRE_FALSE(r);
    INFO(msg(r.error()));
    CHECK(r.error().code() == Errc::NotFound);
    CHECK(msg(r.error()).find("ebpf_cxx_no_such_function") != std::string::npos);
}
