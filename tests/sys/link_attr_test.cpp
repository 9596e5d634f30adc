// SPDX-License-Identifier: MIT
// The BPF_LINK_CREATE parts newer than the 6.1 UAPI headers, against the running kernel: tcx (relative ordering,
// expected_revision), netkit, uprobe_multi and netfilter links. Each proves its attr.hpp offsets by making the
// kernel act on them; kernels without the feature skip with the reason.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/netns.hpp"
#include "support/probe_target.hpp"
#include "support/skip.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"
#include "sys/rtnetlink.hpp"
#include "sys/uapi.hpp"

using namespace ebpf;

namespace {

std::uint32_t prog_id(int fd) {
    sys::ProgInfoRaw info{};
    std::uint32_t len = sizeof info;
    return sys::obj_get_info_by_fd(fd, &info, len) ? info.id : 0;
}

sys::LinkCreateAttr link_attr(int prog_fd, std::uint32_t attach_type) {
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog_fd);
    a.attach_type = attach_type;
    return a;
}

// Kernels before the feature reject the attach type with EINVAL; some builds lack it (EOPNOTSUPP).
bool missing(const Error& e) { return e.sys_errno() == EINVAL || e.sys_errno() == EOPNOTSUPP; }

}  // namespace

TEST_CASE("tcx links: ordering by fd and id, expected_revision, traffic", "[sys]") {
    test::NetnsVeth veth;
    if (!veth.ok()) {
        EBPF_MARK_SKIPPED(veth.error());
        return;
    }
    const int fds = test::open_fd_count();
    {
        auto map = test::create_counter_map();
        REQUIRE(map);
        auto counting = test::load_counting_prog(ProgramType::SchedCls, map->get());  // returns TCX_PASS
        // A program appears once per hook: three distinct ones.
        auto next = test::load_return_prog(ProgramType::SchedCls, sys::uapi::kTcxNext);
        auto last = test::load_return_prog(ProgramType::SchedCls, sys::uapi::kTcxPass);
        REQUIRE(counting);
        REQUIRE(next);
        REQUIRE(last);
        // Links on the receiving end, made inside its namespace (target_ifindex is looked up there); the link fds
        // keep working outside it.
        std::vector<UniqueFd> links;
        const bool supported = veth.run_peer([&] {
            auto a = link_attr(counting->get(), sys::uapi::kBpfTcxIngress);
            a.target_ifindex = static_cast<std::uint32_t>(veth.peer_ifindex());
            auto first = sys::link_create(a);
            if (!first && missing(first.error())) {
                EBPF_MARK_SKIPPED("no tcx links (6.6+): " << first.error().message());
                return false;
            }
            REQUIRE(first);
            links.push_back(std::move(*first));

            // A stale expected_revision is refused: the kernel read the field where we wrote it.
            auto stale = link_attr(next->get(), sys::uapi::kBpfTcxIngress);
            stale.target_ifindex = a.target_ifindex;
            stale.tcx.expected_revision = 1000;
            auto refused = sys::link_create(stale);
            REQUIRE_FALSE(refused);
            CHECK(refused.error().sys_errno() == ESTALE);

            // Before the counting program, by fd; and after it, by id: both run ahead of / behind it.
            auto before = link_attr(next->get(), sys::uapi::kBpfTcxIngress);
            before.target_ifindex = a.target_ifindex;
            before.flags = sys::uapi::kBpfFBefore;
            before.tcx.relative_fd = static_cast<std::uint32_t>(counting->get());
            auto l2 = sys::link_create(before);
            REQUIRE(l2);
            links.push_back(std::move(*l2));
            auto after = link_attr(last->get(), sys::uapi::kBpfTcxIngress);
            after.target_ifindex = a.target_ifindex;
            after.flags = sys::uapi::kBpfFAfter | sys::uapi::kBpfFId;
            after.tcx.relative_id = prog_id(counting->get());
            auto l3 = sys::link_create(after);
            REQUIRE(l3);
            links.push_back(std::move(*l3));
            // BPF_PROG_QUERY reports the order (before / first / after), the links and the revision.
            std::uint32_t prog_ids[8] = {}, link_ids[8] = {};
            sys::QueryAttr q{};
            q.target_ifindex = a.target_ifindex;
            q.attach_type = sys::uapi::kBpfTcxIngress;
            q.prog_ids = sys::ptr_to_u64(prog_ids);
            q.link_ids = sys::ptr_to_u64(link_ids);
            q.count = 8;
            REQUIRE(sys::prog_query(q));
            CHECK(q.count == 3);
            CHECK(prog_ids[0] == prog_id(next->get()));
            CHECK(prog_ids[1] == prog_id(counting->get()));
            CHECK(prog_ids[2] == prog_id(last->get()));
            CHECK((link_ids[0] && link_ids[1] && link_ids[2]));
            CHECK(q.revision > 0);
            auto exact = link_attr(last->get(), sys::uapi::kBpfTcxIngress);  // already there: refused
            exact.target_ifindex = a.target_ifindex;
            exact.tcx.expected_revision = q.revision;
            CHECK(test::fails_with(sys::link_create(exact), Errc::Exists, "BPF_LINK_CREATE"));
            // A relative program that is not attached there is refused.
            auto nowhere = link_attr(counting->get(), sys::uapi::kBpfTcxIngress);
            nowhere.target_ifindex = a.target_ifindex;
            nowhere.flags = sys::uapi::kBpfFBefore | sys::uapi::kBpfFId;
            nowhere.tcx.relative_id = 0x7fffffff;
            CHECK_FALSE(sys::link_create(nowhere));
            return true;
        });
        if (supported) {
            // TCX_NEXT from the program in front lets the packet reach the counting one (which also sees the
            // interfaces' own IPv6 chatter, hence no exact count).
            const auto before = test::read_counter(map->get());
            REQUIRE(veth.udp_roundtrip());
            CHECK(test::read_counter(map->get()) > before);
        }
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("netkit devices and links", "[sys]") {
    test::Netns ns;
    if (!ns.ok()) {
        EBPF_MARK_SKIPPED(ns.error());
        return;
    }
    auto prog = test::load_return_prog(ProgramType::SchedCls, sys::uapi::kTcxPass);
    REQUIRE(prog);
    ns.run([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        auto added = sys::rtnl_link_add_netkit(*nl, {.name = "nk0", .peer = "nk1"});
        if (!added && added.error().code() == Errc::NotSupported) {
            EBPF_MARK_SKIPPED("no netkit (6.7+, CONFIG_NETKIT): " << added.error().message());
            return;
        }
        REQUIRE(added);
        auto primary = sys::rtnl_link_index(*nl, "nk0");
        REQUIRE(primary);
        auto info = sys::rtnl_link_get(*nl, *primary);
        REQUIRE(info);
        CHECK(info->kind == "netkit");

        auto a = link_attr(prog->get(), sys::uapi::kBpfNetkitPrimary);
        a.target_ifindex = static_cast<std::uint32_t>(*primary);
        auto link = sys::link_create(a);
        REQUIRE(link);
        auto stale = a;
        stale.netkit.expected_revision = 1000;
        auto refused = sys::link_create(stale);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().sys_errno() == ESTALE);
        auto peer = link_attr(prog->get(), sys::uapi::kBpfNetkitPeer);
        peer.target_ifindex = a.target_ifindex;  // the peer hook is addressed through the primary
        CHECK(sys::link_create(peer));
        REQUIRE(sys::rtnl_link_del(*nl, *primary));
    });
}

TEST_CASE("uprobe_multi links count hits on this binary", "[sys]") {
    auto site = test::probe_target_site();
    REQUIRE(site);
    auto map = test::create_counter_map();
    REQUIRE(map);
    auto prog = test::load_counting_prog(ProgramType::Kprobe, map->get(), sys::uapi::kBpfTraceUprobeMulti);
    if (!prog) {
        EBPF_MARK_SKIPPED("no uprobe_multi programs (6.6+): " << prog.error().message());
        return;
    }
    const std::uint64_t offsets[] = {site->offset};
    const std::uint64_t cookies[] = {42};
    auto a = link_attr(prog->get(), sys::uapi::kBpfTraceUprobeMulti);
    a.uprobe_multi.path = sys::ptr_to_u64(site->path.c_str());
    a.uprobe_multi.offsets = sys::ptr_to_u64(offsets);
    a.uprobe_multi.cookies = sys::ptr_to_u64(cookies);
    a.uprobe_multi.cnt = 1;
    a.uprobe_multi.pid = static_cast<std::uint32_t>(::getpid());
    auto link = sys::link_create(a);
    if (!link && missing(link.error())) {
        EBPF_MARK_SKIPPED("no uprobe_multi links: " << link.error().message());
        return;
    }
    REQUIRE(link);
    test::hit_probe_target(3);
    CHECK(test::read_counter(map->get()) == 3);

    // Return probes by flag; cnt 0 is refused.
    auto ret = a;
    ret.uprobe_multi.flags = sys::uapi::kBpfFUprobeMultiReturn;
    auto rlink = sys::link_create(ret);
    REQUIRE(rlink);
    test::hit_probe_target(2);
    CHECK(test::read_counter(map->get()) == 3 + 2 * 2);
    auto empty = a;
    empty.uprobe_multi.cnt = 0;
    CHECK_FALSE(sys::link_create(empty));
}

TEST_CASE("netfilter links in a private namespace", "[sys]") {
    test::Netns ns;
    if (!ns.ok()) {
        EBPF_MARK_SKIPPED(ns.error());
        return;
    }
    auto prog = test::load_return_prog(static_cast<ProgramType>(sys::uapi::kBpfProgTypeNetfilter), 1 /* NF_ACCEPT */,
                                       sys::uapi::kBpfNetfilter);
    if (!prog) {
        EBPF_MARK_SKIPPED("no netfilter programs (6.4+, CONFIG_NETFILTER_BPF_LINK): " << prog.error().message());
        return;
    }
    ns.run([&] {
        auto a = link_attr(prog->get(), sys::uapi::kBpfNetfilter);
        a.netfilter.pf = sys::uapi::kNfprotoIpv4;
        a.netfilter.hooknum = sys::uapi::kNfInetLocalOut;
        a.netfilter.priority = -128;
        auto link = sys::link_create(a);
        if (!link && missing(link.error())) {
            EBPF_MARK_SKIPPED("no netfilter links: " << link.error().message());
            return;
        }
        REQUIRE(link);
        auto bad = a;
        bad.netfilter.hooknum = 42;  // no such hook: proves the kernel reads hooknum where we put it
        auto refused = sys::link_create(bad);
        REQUIRE_FALSE(refused);
        CHECK(std::string(refused.error().message()).find("BPF_LINK_CREATE") == 0);
    });
}
