// SPDX-License-Identifier: MIT
// rtnetlink requests against the real kernel, in private network namespaces: veth pairs (also across two
// namespaces), up/down, lookups, clsact qdiscs with the kernel's extended-ack errors, cls_bpf filters, XDP.
#include <catch2/catch.hpp>

#include <string>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/netns.hpp"
#include "support/probe_target.hpp"
#include "sys/bpf.hpp"
#include "sys/rtnetlink.hpp"

using namespace ebpf;

namespace {

bool has_clsact(const std::vector<sys::QdiscInfo>& qdiscs) {
    for (const auto& q : qdiscs)
        if (q.kind == "clsact" && q.parent == sys::kTcHClsact) return true;
    return false;
}

}  // namespace

TEST_CASE("a veth pair in a private namespace: create, up, look up, delete", "[netlink]") {
    test::Netns ns;
    if (!ns.ok()) {
        WARN("SKIP: no private network namespace: " << ns.error());
        return;
    }
    const int fds = test::open_fd_count();
    ns.run([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        auto added = sys::rtnl_link_add_veth(*nl, {.name = "ebpfa", .peer = "ebpfb"});
        if (!added && added.error().code() == Errc::NotSupported) {
            WARN("SKIP: no veth driver: " << added.error().message());
            return;
        }
        REQUIRE(added);
        auto a = sys::rtnl_link_index(*nl, "ebpfa");
        auto b = sys::rtnl_link_index(*nl, "ebpfb");
        REQUIRE(a);
        REQUIRE(b);
        CHECK(*a != *b);
        auto info = sys::rtnl_link_get(*nl, *a);
        REQUIRE(info);
        CHECK(info->name == "ebpfa");
        CHECK(info->kind == "veth");
        CHECK((info->flags & 1 /* IFF_UP */) == 0);
        REQUIRE(sys::rtnl_link_set_up(*nl, *a));
        CHECK((sys::rtnl_link_get(*nl, *a)->flags & 1) == 1);
        REQUIRE(sys::rtnl_link_set_down(*nl, *a));
        CHECK((sys::rtnl_link_get(*nl, *a)->flags & 1) == 0);
        CHECK(sys::rtnl_links(*nl)->size() == 3);  // lo and the pair

        auto dup = sys::rtnl_link_add_veth(*nl, {.name = "ebpfa", .peer = "ebpfc"});
        CHECK(test::fails_with(dup, Errc::Exists, "netlink RTM_NEWLINK veth ebpfa peer ebpfc: File exists"));
        CHECK(test::fails_with(sys::rtnl_link_add_veth(*nl, {.name = "a-name-longer-than-15", .peer = "x"}),
                               Errc::InvalidArgument, "1 to 15 characters"));

        REQUIRE(sys::rtnl_link_del(*nl, *a));
        CHECK(test::fails_with(sys::rtnl_link_index(*nl, "ebpfb"), Errc::NotFound, "ebpfb"));  // both ends gone
        CHECK(test::fails_with(sys::rtnl_link_del(*nl, *a), Errc::NotFound, "RTM_DELLINK"));
    });
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("clsact qdiscs: add, refuse a duplicate with the kernel's reason, remove", "[netlink]") {
    test::NetnsVeth veth;
    if (!veth.ok()) {
        WARN("SKIP: " << veth.error());
        return;
    }
    veth.run([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        const int ifindex = veth.ifindex();
        auto added = sys::rtnl_qdisc_add_clsact(*nl, ifindex);
        if (!added && added.error().code() == Errc::NotSupported) {
            WARN("SKIP: no clsact qdisc: " << added.error().message());
            return;
        }
        REQUIRE(added);
        auto qdiscs = sys::rtnl_qdiscs(*nl, ifindex);
        REQUIRE(qdiscs);
        CHECK(has_clsact(*qdiscs));

        auto dup = sys::rtnl_qdisc_add_clsact(*nl, ifindex);
        REQUIRE_FALSE(dup);
        const std::string msg(dup.error().message());
        INFO(msg);
        CHECK(dup.error().code() == Errc::Exists);
        CHECK(msg.find("netlink RTM_NEWQDISC clsact on veth0 (ifindex " + std::to_string(ifindex) +
                       "): File exists (errno 17): kernel says \"") == 0);
        CHECK(msg.find("Exclusivity flag on") != std::string::npos);

        REQUIRE(sys::rtnl_qdisc_del_clsact(*nl, ifindex));
        CHECK_FALSE(has_clsact(*sys::rtnl_qdiscs(*nl, ifindex)));
        auto gone = sys::rtnl_qdisc_del_clsact(*nl, ifindex);
        REQUIRE_FALSE(gone);
        CHECK(std::string(gone.error().message()).find("netlink RTM_DELQDISC clsact on veth0 (ifindex ") == 0);
    });
}

TEST_CASE("cls_bpf filters: add with kernel-chosen ids, list, delete", "[netlink]") {
    test::NetnsVeth veth;
    if (!veth.ok()) {
        WARN("SKIP: " << veth.error());
        return;
    }
    auto prog = test::load_return_prog(ProgramType::SchedCls, 0 /* TC_ACT_OK */);
    REQUIRE(prog);
    veth.run([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        const int ifindex = veth.ifindex();
        auto added = sys::rtnl_qdisc_add_clsact(*nl, ifindex);
        if (!added && added.error().code() == Errc::NotSupported) {
            WARN("SKIP: no clsact qdisc: " << added.error().message());
            return;
        }
        REQUIRE(added);
        auto id = sys::rtnl_filter_add_bpf(*nl, ifindex, {.prog_fd = prog->get(), .name = "sys_test"});
        REQUIRE(id);
        CHECK(id->priority > 0);
        CHECK(id->handle > 0);
        CHECK(id->parent == sys::kTcHClsactIngress);
        auto egress = sys::rtnl_filter_add_bpf(
            *nl, ifindex, {.id = {.parent = sys::kTcHClsactEgress, .priority = 7, .handle = 3}, .prog_fd = prog->get()});
        REQUIRE(egress);
        CHECK(egress->priority == 7);
        CHECK(egress->handle == 3);

        auto list = sys::rtnl_filters(*nl, ifindex, sys::kTcHClsactIngress);
        REQUIRE(list);
        REQUIRE(list->size() == 1);
        CHECK((*list)[0].kind == "bpf");
        CHECK((*list)[0].bpf_name == "sys_test");
        CHECK((*list)[0].direct_action);
        CHECK((*list)[0].bpf_prog_id > 0);
        CHECK((*list)[0].id.priority == id->priority);
        CHECK((*list)[0].id.protocol == sys::kEthPAll);

        auto same = sys::rtnl_filter_add_bpf(
            *nl, ifindex, {.id = {.parent = sys::kTcHClsactEgress, .priority = 7, .handle = 3}, .prog_fd = prog->get()});
        CHECK(test::fails_with(same, Errc::Exists, "RTM_NEWTFILTER bpf on veth0"));
        REQUIRE(sys::rtnl_filter_add_bpf(*nl, ifindex, {.id = *egress, .prog_fd = prog->get(), .replace = true}));

        REQUIRE(sys::rtnl_filter_del(*nl, ifindex, *id));
        REQUIRE(sys::rtnl_filter_del(*nl, ifindex, *egress));
        CHECK(sys::rtnl_filters(*nl, ifindex, sys::kTcHClsactIngress)->empty());
        CHECK(test::fails_with(sys::rtnl_filter_del(*nl, ifindex, {}), Errc::InvalidArgument, "priority and handle"));
        CHECK_FALSE(sys::rtnl_filter_del(*nl, ifindex, *id));
        REQUIRE(sys::rtnl_qdisc_del_clsact(*nl, ifindex));
    });
}

TEST_CASE("XDP over netlink: attach in generic mode, query, detach", "[netlink]") {
    test::NetnsVeth veth;
    if (!veth.ok()) {
        WARN("SKIP: " << veth.error());
        return;
    }
    auto prog = test::load_return_prog(ProgramType::Xdp, 2 /* XDP_PASS */);
    REQUIRE(prog);
    veth.run([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        const int ifindex = veth.ifindex();
        auto none = sys::rtnl_xdp_query(*nl, ifindex);
        REQUIRE(none);
        CHECK(none->attached == 0);
        REQUIRE(sys::rtnl_xdp_set(*nl, ifindex, prog->get(), {.flags = sys::kXdpFlagsSkbMode}));
        auto st = sys::rtnl_xdp_query(*nl, ifindex);
        REQUIRE(st);
        CHECK(st->attached == 2 /* XDP_ATTACHED_SKB */);
        CHECK(st->prog_id > 0);
        CHECK(st->skb_prog_id == st->prog_id);
        auto again = sys::rtnl_xdp_set(*nl, ifindex, prog->get(),
                                       {.flags = sys::kXdpFlagsSkbMode | sys::kXdpFlagsUpdateIfNoexist});
        REQUIRE_FALSE(again);
        CHECK(std::string(again.error().message()).find("IFLA_XDP prog fd") != std::string::npos);
        REQUIRE(sys::rtnl_xdp_set(*nl, ifindex, -1, {.flags = sys::kXdpFlagsSkbMode}));
        CHECK(sys::rtnl_xdp_query(*nl, ifindex)->attached == 0);
    });
}

TEST_CASE("the netns veth helper: two namespaces, addresses, traffic, cleanup", "[netlink]") {
    const int fds = test::open_fd_count();
    {
        test::NetnsVeth veth({.name = "ebpfcxxv0", .peer = "ebpfcxxv1"});
        if (!veth.ok()) {
            WARN("SKIP: " << veth.error());
            return;
        }
        CHECK(veth.ifindex() > 1);
        CHECK(veth.peer_ifindex() > 1);
        // Each end sees only itself and lo.
        veth.run_peer([&] {
            auto nl = sys::NetlinkSocket::open();
            REQUIRE(nl);
            CHECK(sys::rtnl_link_index(*nl, "ebpfcxxv1").value_or(0) == veth.peer_ifindex());
            CHECK_FALSE(sys::rtnl_link_index(*nl, "ebpfcxxv0"));
        });
        CHECK(veth.udp_roundtrip());
        INFO(veth.error());
    }
    CHECK(test::open_fd_count() == fds);
    // The host namespace was never touched.
    auto nl = sys::NetlinkSocket::open();
    REQUIRE(nl);
    CHECK_FALSE(sys::rtnl_link_index(*nl, "ebpfcxxv0"));
}
