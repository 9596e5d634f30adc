// SPDX-License-Identifier: MIT
// Tc: TCX links with ordering and revisions, and netlink cls_bpf filters (forced through the probe, or chosen):
// real UDP over a veth pair dropped on ingress, the clsact qdisc created and removed only when it is ours,
// others' qdiscs and filters left alone, bad input, test runs and auto-attach.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include <ebpf/ebpf.hpp>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/net_test.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

enum { kSeen, kDropped, kNextSawPort, kMarked };
constexpr std::uint16_t kPort = 40998;

Object load_tc() {
    auto obj = Object::load_file(test::obj_path("tc_net.bpf.o").c_str());
    REQUIRE(obj);
    return std::move(*obj);
}

Tc loaded(const Object& obj, const char* name) {
    auto v = obj.program<Tc>(name);
    REQUIRE(v);
    REQUIRE(v->load());
    return *v;
}

std::uint64_t counter(const Object& obj, std::uint32_t i) { return *obj.map<Array<std::uint64_t>>("tc_counts")->get(i); }

void set_drop_port(Object& obj, std::uint16_t port) {
    REQUIRE(obj.write_global("drop_port", std::as_bytes(std::span(&port, 1))));
}

bool delivered(test::NetnsVeth& veth) { return test::udp_delivered(veth.ns(), veth.peer_ns(), "10.199.0.2", kPort); }

std::uint32_t id_of(const Program& p) { return p.info()->id; }

std::vector<sys::TcFilterInfo> filters(test::NetnsVeth& veth, std::uint32_t parent) {
    return veth.run_peer([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        return sys::rtnl_filters(*nl, veth.peer_ifindex(), parent).value_or(std::vector<sys::TcFilterInfo>{});
    });
}

}  // namespace

TEST_CASE("tc: TCX drops UDP to a port on ingress; order puts a watcher before or after it", "[tc][networking]") {
    EBPF_SKIP_IF(test::lacks_link(AttachType::TcxIngress));
    Object obj = load_tc();
    Tc dropper = loaded(obj, "tc_drop_port");
    Tc watcher = loaded(obj, "tcx_watch_port");
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const auto qdiscs = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
    set_drop_port(obj, kPort);
    veth.run_peer([&] {
        auto drop = dropper.attach("veth1", TcDirection::Ingress);
        REQUIRE(drop);
        CHECK(drop->is_bpf_link());
        auto info = drop->info();
        REQUIRE(info);
        CHECK(info->type == LinkType::Tcx);
        CHECK(info->attach_type == AttachType::TcxIngress);
        CHECK(info->ifindex == static_cast<std::uint32_t>(veth.peer_ifindex()));
        CHECK_FALSE(delivered(veth));
        CHECK(counter(obj, kDropped) > 0);

        {
            // After the dropper: the watcher never sees the datagrams to the port (the attach section says ingress).
            auto after = watcher.attach("veth1", {.order = LinkOrder::after(*drop)});
            REQUIRE(after);
            CHECK_FALSE(delivered(veth));
            CHECK(counter(obj, kNextSawPort) == 0);
            // One program appears once per hook.
            CHECK(test::fails_with(watcher.attach("veth1"), Errc::Exists, "already attached"));
            auto q = query_tcx("veth1", TcDirection::Ingress);
            REQUIRE(q);
            REQUIRE(q->programs.size() == 2);
            CHECK(q->programs[0].program_id == id_of(dropper.program()));
            CHECK(q->programs[1].program_id == id_of(watcher.program()));
            CHECK(q->programs[0].link_id == info->id);
        }
        // Before the dropper (by program), at the revision we just read: it sees them.
        auto q = query_tcx(veth.peer_ifindex(), TcDirection::Ingress);
        REQUIRE(q);
        CHECK(test::fails_with(
            watcher.attach("veth1", {.order = LinkOrder::before(dropper.program()), .expected_revision = q->revision + 7}),
            Errc::Busy, "revision"));
        auto before = watcher.attach("veth1", {.order = LinkOrder::before(dropper.program()),
                                               .expected_revision = q->revision});
        REQUIRE(before);
        CHECK_FALSE(delivered(veth));
        CHECK(counter(obj, kNextSawPort) > 0);
        auto q2 = query_tcx("veth1", TcDirection::Ingress);
        REQUIRE(q2);
        REQUIRE(q2->programs.size() == 2);
        CHECK(q2->programs[0].program_id == id_of(watcher.program()));
        CHECK(q2->revision > q->revision);
        // By id, first and relative to a link id work as well.
        before->detach().value();
        auto first = watcher.attach("veth1", {.order = LinkOrder::first()});
        REQUIRE(first);
        CHECK(query_tcx("veth1", TcDirection::Ingress)->programs[0].program_id == id_of(watcher.program()));
        first->detach().value();
        auto by_id = watcher.attach("veth1", {.order = LinkOrder::after_link_id(info->id)});
        REQUIRE(by_id);
        CHECK(query_tcx("veth1", TcDirection::Ingress)->programs[1].program_id == id_of(watcher.program()));
        CHECK(test::fails_with(dropper.attach("veth1", TcDirection::Egress, {.order = LinkOrder::after_program_id(0x7fffffff)}),
                               Errc::NotFound, "relative program or link is not attached"));
    });
    // Every link is gone: the hook is empty, traffic flows, and TCX touched no qdisc.
    CHECK(veth.run_peer([&] { return query_tcx("veth1", TcDirection::Ingress)->programs.size(); }) == 0);
    CHECK(delivered(veth));
    CHECK(test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex()) == qdiscs);
}

TEST_CASE("tc: the netlink fallback creates clsact, shares it between links, and removes what it created",
          "[tc][networking]") {
    Object obj = load_tc();
    Tc dropper = loaded(obj, "tc_drop_port");
    Tc egress = loaded(obj, "tcx_egress_pass");
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const auto qdiscs = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
    REQUIRE(std::find(qdiscs.begin(), qdiscs.end(), "clsact") == qdiscs.end());
    const int fds = test::open_fd_count();
    set_drop_port(obj, kPort);
    {
        test::ForcedProbe no_tcx(ProbeKey::link(AttachType::TcxIngress), false);  // as on Linux < 6.6
        test::ForcedProbe no_tcx_egress(ProbeKey::link(AttachType::TcxEgress), false);
        auto in = veth.run_peer([&] { return dropper.attach("veth1", TcDirection::Ingress); });
        REQUIRE(in);
        CHECK_FALSE(in->is_bpf_link());
        CHECK(in->description().find("cls_bpf") != std::string_view::npos);
        auto info = in->info();
        REQUIRE(info);
        CHECK(info->prog_id == id_of(dropper.program()));
        CHECK(info->ifindex == static_cast<std::uint32_t>(veth.peer_ifindex()));
        auto kinds = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
        CHECK(std::find(kinds.begin(), kinds.end(), "clsact") != kinds.end());
        auto f = filters(veth, sys::kTcHClsactIngress);
        REQUIRE(f.size() == 1);
        CHECK(f[0].kind == "bpf");
        CHECK(f[0].direct_action);
        CHECK(f[0].bpf_prog_id == id_of(dropper.program()));
        CHECK(f[0].bpf_name == "tc_drop_port");
        CHECK_FALSE(delivered(veth));
        CHECK(counter(obj, kDropped) > 0);

        // A second Link on the same interface shares our qdisc (by the section's direction, egress).
        auto out = veth.run_peer([&] { return egress.attach(veth.peer_ifindex()); });
        REQUIRE(out);
        REQUIRE(filters(veth, sys::kTcHClsactEgress).size() == 1);
        // Ordering is TCX's: refused here, saying why.
        CHECK(veth.run_peer([&] {
            return test::fails_with(egress.attach("veth1", TcDirection::Ingress, {.order = LinkOrder::first()}),
                                    Errc::NotSupported, "need TCX links");
        }));
        REQUIRE(in->detach());
        CHECK(filters(veth, sys::kTcHClsactIngress).empty());
        kinds = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
        CHECK(std::find(kinds.begin(), kinds.end(), "clsact") != kinds.end());  // the egress Link still uses it
        CHECK(delivered(veth));
    }
    CHECK(test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex()) == qdiscs);  // the last Link removed our clsact
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("tc: a clsact qdisc we did not create stays, and so do filters that are not ours", "[tc][networking]") {
    Object obj = load_tc();
    Tc dropper = loaded(obj, "tc_drop_port");
    Tc other = loaded(obj, "tc_mark");
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const auto qdiscs = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
    veth.run_peer([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        // The user's clsact: our Link uses it and leaves it.
        REQUIRE(sys::rtnl_qdisc_add_clsact(*nl, veth.peer_ifindex()));
        {
            auto link = dropper.attach("veth1", TcDirection::Ingress, {.mechanism = TcMechanism::Netlink});
            REQUIRE(link);
            CHECK(link->description().find("clsact qdisc created") == std::string_view::npos);
        }
        auto kinds = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
        CHECK(std::find(kinds.begin(), kinds.end(), "clsact") != kinds.end());
        CHECK(filters(veth, sys::kTcHClsactIngress).empty());
        REQUIRE(sys::rtnl_qdisc_del_clsact(*nl, veth.peer_ifindex()));

        // Our clsact, but the user adds a filter of their own to it: removing our Link leaves both.
        {
            auto link = dropper.attach("veth1", TcDirection::Ingress, {.mechanism = TcMechanism::Netlink});
            REQUIRE(link);
            CHECK(link->description().find("clsact qdisc created") != std::string_view::npos);
            sys::BpfFilterOptions theirs;
            theirs.prog_fd = other.program().fd().get();
            theirs.name = "users_filter";
            REQUIRE(sys::rtnl_filter_add_bpf(*nl, veth.peer_ifindex(), theirs));
            REQUIRE(filters(veth, sys::kTcHClsactIngress).size() == 2);
        }
        auto left = filters(veth, sys::kTcHClsactIngress);
        REQUIRE(left.size() == 1);
        CHECK(left[0].bpf_name == "users_filter");
        kinds = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
        CHECK(std::find(kinds.begin(), kinds.end(), "clsact") != kinds.end());
        REQUIRE(sys::rtnl_qdisc_del_clsact(*nl, veth.peer_ifindex()));
    });
    CHECK(test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex()) == qdiscs);
}

TEST_CASE("tc: bad input says what is wrong and leaves no qdisc or filter behind", "[tc][networking]") {
    Object obj = load_tc();
    auto dropper = obj.program<Tc>("tc_drop_port");
    REQUIRE(dropper);
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const auto qdiscs = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
    veth.run_peer([&] {
        CHECK(test::fails_with(dropper->attach("veth1", TcDirection::Ingress), Errc::InvalidArgument, "not loaded"));
        REQUIRE(dropper->load());
        CHECK(test::fails_with(dropper->attach("nosuchif0", TcDirection::Ingress), Errc::NoDevice, "'nosuchif0'"));
        CHECK(test::fails_with(dropper->attach(4242, TcDirection::Egress, {.mechanism = TcMechanism::Netlink}),
                               Errc::NoDevice, "ifindex 4242"));
        // The section 'tc' names no direction.
        CHECK(test::fails_with(dropper->attach("veth1"), Errc::InvalidArgument, "does not say ingress or egress"));
        CHECK(test::fails_with(dropper->attach("veth1", TcDirection::Ingress,
                                               {.mechanism = TcMechanism::Netlink, .order = LinkOrder::first()}),
                               Errc::InvalidArgument, "need TCX links"));
        auto unloaded = obj.program("tcx_watch_port");
        REQUIRE(unloaded);
        CHECK(test::fails_with(dropper->attach("veth1", TcDirection::Ingress, {.order = LinkOrder::before(*unloaded)}),
                               Errc::InvalidArgument, "not loaded"));
        if (link_supported(AttachType::TcxIngress).value_or(false))
            CHECK(test::fails_with(dropper->attach("veth1", TcDirection::Ingress, {.priority = 3}),
                                   Errc::InvalidArgument, "netlink cls_bpf filters only"));
        Tc action = loaded(obj, "tc_action_ok");
        CHECK(test::fails_with(action.attach("veth1", TcDirection::Ingress), Errc::InvalidArgument, "sched_act"));
        // A filter with the same priority and handle: Exists, and the qdisc made for it is gone again.
        auto first = dropper->attach("veth1", TcDirection::Ingress,
                                     {.mechanism = TcMechanism::Netlink, .priority = 7, .handle = 1});
        REQUIRE(first);
        Tc mark = loaded(obj, "tc_mark");
        CHECK(test::fails_with(mark.attach("veth1", TcDirection::Ingress,
                                           {.mechanism = TcMechanism::Netlink, .priority = 7, .handle = 1}),
                               Errc::Exists, "priority 7"));
        REQUIRE(first->detach());
    });
    CHECK(test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex()) == qdiscs);
    auto xdp_obj = Object::load_file(test::obj_path("xdp_net.bpf.o").c_str());
    REQUIRE(xdp_obj);
    CHECK(test::fails_with(xdp_obj->program<Tc>("xdp_count"), Errc::InvalidArgument, "Tc takes tc"));
}

TEST_CASE("tc: test runs return the verdict, the packet and the __sk_buff context", "[tc][networking]") {
    Object obj = load_tc();
    Tc mark = loaded(obj, "tc_mark");
    const auto frame = test::udp_frame(80);
    SkbContext ctx;
    ctx.cb[0] = 41;
    ctx.priority = 3;
    auto r = mark.test_run(frame, {.context = ctx, .repeat = 5});
    REQUIRE(r);
    CHECK(static_cast<TcVerdict>(r->retval) == TcVerdict::Ok);
    CHECK(r->packet == frame);
    REQUIRE(r->context);
    CHECK(r->context->mark == 0xcafe);
    CHECK(r->context->cb[0] == 41 + 5);  // the kernel keeps the skb between runs: each adds one
    CHECK(r->context->priority == 3);
    auto plain = mark.test_run(frame);
    REQUIRE(plain);
    CHECK_FALSE(plain->context);

    Tc dropper = loaded(obj, "tc_drop_port");
    set_drop_port(obj, 80);
    CHECK(static_cast<TcVerdict>(dropper.test_run(frame)->retval) == TcVerdict::Shot);
    CHECK(static_cast<TcVerdict>(dropper.test_run(test::udp_frame(81))->retval) == TcVerdict::Unspec);
    Tc action = loaded(obj, "tc_action_ok");
    CHECK(action.test_run(frame)->retval == 0);

    CHECK(test::fails_with(mark.test_run(std::span(frame).first(10)), Errc::InvalidArgument, "14-byte Ethernet"));
    auto xdp_obj = Object::load_file(test::obj_path("xdp_net.bpf.o").c_str());
    REQUIRE(xdp_obj);
    Program* xdp = xdp_obj->find_program("xdp_count");
    REQUIRE(xdp);
    REQUIRE(xdp->load());
    CHECK(test::fails_with(test_run_skb(*xdp, frame), Errc::InvalidArgument, "struct __sk_buff"));
    SkbContext bad;
    bad.ifindex = 4242;  // no such interface here
    CHECK_FALSE(mark.test_run(frame, {.context = bad}));
}

TEST_CASE("tc: auto-attach takes the direction from the section and the interface from the options",
          "[tc][networking]") {
    Object obj = load_tc();
    Tc watcher = loaded(obj, "tcx_watch_port");
    Tc dropper = loaded(obj, "tc_drop_port");
    Tc action = loaded(obj, "tc_action_ok");
    CHECK(auto_attach_blocker(watcher.program()).value_or("").find("network interface") != std::string::npos);
    CHECK(auto_attach_blocker(dropper.program(), {.interface = "lo"}).value_or("").find("ingress or egress") !=
          std::string::npos);
    CHECK(test::fails_with(auto_attach(action.program(), {.interface = "lo"}), Errc::NotSupported, "act_bpf"));
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const auto qdiscs = test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex());
    veth.run_peer([&] {
        auto link = auto_attach(watcher.program(), {.interface = "veth1"});
        REQUIRE(link);
        CHECK(link->info()->prog_id == id_of(watcher.program()));
    });
    CHECK(test::qdisc_kinds(veth.peer_ns(), veth.peer_ifindex()) == qdiscs);
}
