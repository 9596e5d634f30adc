// SPDX-License-Identifier: MIT
// Fault injection into the sys layer's non-bpf() calls: /sys reads, netlink requests (socket, sendmsg, recvmsg)
// and tracefs probe entries. Each failure is an error naming the step and the target, with no fd and no probe
// entry left behind.
#include <catch2/catch.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "support/fault_syscall.hpp"
#include "support/fd_count.hpp"
#include "support/netns.hpp"
#include "support/probe_target.hpp"
#include "sys/file.hpp"
#include "sys/netlink.hpp"
#include "sys/proc.hpp"
#include "sys/rtnetlink.hpp"
#include "sys/tracefs.hpp"

using namespace ebpf;
namespace fault = ebpf::test::fault;

namespace {

constexpr const char* kPossible = "/sys/devices/system/cpu/possible";

bool contains(std::string_view msg, std::string_view what) { return msg.find(what) != std::string_view::npos; }

// Everything a tc attach over netlink does: a socket, a veth pair, up, clsact, then tear-down.
Result<void> netlink_journey() {
    auto nl = sys::NetlinkSocket::open();
    if (!nl) return std::move(nl).error();
    if (auto r = sys::rtnl_link_add_veth(*nl, {.name = "flt0", .peer = "flt1"}); !r) return r;
    auto idx = sys::rtnl_link_index(*nl, "flt0");
    if (!idx) return std::move(idx).error();
    if (auto r = sys::rtnl_link_set_up(*nl, *idx); !r) return r;
    if (auto r = sys::rtnl_qdisc_add_clsact(*nl, *idx); !r) return r;
    auto q = sys::rtnl_qdiscs(*nl, *idx);
    if (!q) return std::move(q).error();
    if (auto r = sys::rtnl_qdisc_del_clsact(*nl, *idx); !r) return r;
    return sys::rtnl_link_del(*nl, *idx);
}

void remove_leftover_veth() {
    if (auto nl = sys::NetlinkSocket::open())
        if (auto idx = sys::rtnl_link_index(*nl, "flt0")) (void)sys::rtnl_link_del(*nl, *idx);
}

bool our_probe_listed() {
    auto root = sys::tracefs_root();
    auto text = root ? sys::read_text((*root + "/uprobe_events").c_str()) : Result<std::string>(root.error());
    return text && contains(*text, "ebpf_cxx_" + std::to_string(::getpid()) + "_");
}

}  // namespace

TEST_CASE("a failing /sys read is a clear error", "[faults]") {
    const int fds = test::open_fd_count();
    fault::arm({.fail_at = 1, .error = EIO, .only_nr = SYS_read});
    auto r = sys::read_cpu_list(kPossible);
    fault::disarm();
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::Io);
    CHECK(r.error().sys_errno() == EIO);
    CHECK(r.error().message() == "read /sys/devices/system/cpu/possible: Input/output error (errno 5)");

    fault::arm({.fail_at = 1, .error = EACCES, .only_nr = SYS_openat});
    auto denied = sys::read_cpu_list(kPossible);
    fault::disarm();
    REQUIRE_FALSE(denied);
    CHECK(denied.error().code() == Errc::Permission);
    CHECK(denied.error().message() == "open /sys/devices/system/cpu/possible: Permission denied (errno 13)");
    CHECK(test::open_fd_count() == fds);

    // A failing close is invisible to the caller and leaks nothing.
    fault::arm({.fail_at = 1, .error = EIO, .only_nr = SYS_close});
    auto closed = sys::read_cpu_list(kPossible);
    fault::disarm();
    CHECK(closed);
    CHECK(fault::failed() == 1);
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("every syscall of a netlink journey can fail cleanly", "[faults]") {
    test::Netns ns;
    if (!ns.ok()) {
        WARN("SKIP: no private network namespace: " << ns.error());
        return;
    }
    ns.run([&] {
        auto first = netlink_journey();
        if (!first && first.error().code() == Errc::NotSupported) {
            WARN("SKIP: " << first.error().message());
            return;
        }
        REQUIRE(first);
        fault::arm({});
        REQUIRE(netlink_journey());
        const int total = fault::calls();
        fault::disarm();
        INFO("syscalls in the netlink journey: " << total);
        REQUIRE(total > 10);
        for (int err : {ENOBUFS, EPERM, EINVAL}) {
            for (int i = 1; i <= total; ++i) {
                const int fds = test::open_fd_count();
                fault::arm({.fail_at = i, .error = err});
                auto r = netlink_journey();
                const int failed = fault::failed();
                fault::disarm();
                INFO("errno " << err << " injected at call " << i);
                CHECK(failed == 1);
                if (!r) {
                    const std::string msg(r.error().message());
                    INFO(msg);
                    CHECK((contains(msg, "netlink") || contains(msg, "socket(AF_NETLINK")));
                    CHECK((contains(msg, "sendmsg") || contains(msg, "recvmsg") || contains(msg, "socket") ||
                           contains(msg, "fcntl") || contains(msg, "RTM_")));
                    CHECK(r.error().sys_errno() == err);
                }
                CHECK(test::open_fd_count() == fds);
                remove_leftover_veth();
            }
        }
    });
}

TEST_CASE("a failing netlink request names the request and the link", "[faults]") {
    test::NetnsVeth veth;
    if (!veth.ok()) {
        WARN("SKIP: " << veth.error());
        return;
    }
    veth.run([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        fault::arm({.fail_at = 1, .error = ENOBUFS, .only_nr = SYS_recvmsg});
        auto r = sys::rtnl_qdisc_add_clsact(*nl, veth.ifindex());
        fault::disarm();
        REQUIRE_FALSE(r);
        CHECK(r.error().message() == "netlink RTM_NEWQDISC clsact on veth0 (ifindex " + std::to_string(veth.ifindex()) +
                                         "): recvmsg: No buffer space available (errno 105)");
        // The request reached the kernel before the reply was lost: the socket skips that stale reply.
        auto q = sys::rtnl_qdiscs(*nl, veth.ifindex());
        REQUIRE(q);
        REQUIRE(sys::rtnl_qdisc_del_clsact(*nl, veth.ifindex()));
    });
}

TEST_CASE("every syscall of adding a uprobe entry can fail cleanly", "[faults]") {
    auto root = sys::tracefs_root();
    if (!root || !sys::path_exists((*root + "/uprobe_events").c_str())) {
        WARN("SKIP: no tracefs uprobe_events here");
        return;
    }
    auto site = test::probe_target_site();
    REQUIRE(site);
    auto journey = [&]() -> Result<void> {
        auto probe = sys::add_uprobe_event({.path = site->path, .offset = site->offset});
        if (!probe) return std::move(probe).error();
        // A failed removal keeps the entry owned: the destructor tries again.
        return probe->remove();
    };
    REQUIRE(journey());
    fault::arm({});
    REQUIRE(journey());
    const int total = fault::calls();
    fault::disarm();
    INFO("syscalls in the tracefs journey: " << total);
    REQUIRE(total >= 6);
    for (int i = 1; i <= total; ++i) {
        const int fds = test::open_fd_count();
        fault::arm({.fail_at = i, .error = EIO});
        auto r = journey();
        fault::disarm();
        INFO("EIO injected at call " << i);
        if (!r) {
            const std::string msg(r.error().message());
            INFO(msg);
            CHECK(contains(msg, "tracefs \""));
            CHECK(r.error().sys_errno() == EIO);
        }
        CHECK(test::open_fd_count() == fds);
        CHECK_FALSE(our_probe_listed());
    }
}
