// SPDX-License-Identifier: MIT
// Netkit: a netkit pair between two private namespaces (primary in one, peer in the other), programs on the
// primary and the peer hook seeing each side's UDP, ordering and revisions, bad input. Kernels without netkit
// (before 6.7, or without CONFIG_NETKIT, as the host here) skip with the probe's answer.
#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <string>

#include <ebpf/ebpf.hpp>

#include "support/expect.hpp"
#include "support/net_test.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

enum { kNkPrimary = 4, kNkPeer = 5, kNkDropped = 6 };
constexpr std::uint16_t kPort = 40997;

// nk0 (primary, 10.198.0.1) in one namespace, nk1 (peer, 10.198.0.2) in another, both up, L3 mode.
struct NetkitPair {
    test::Netns primary_ns, peer_ns;
    int primary = 0, peer = 0;
    std::string error;

    NetkitPair() {
        if (!primary_ns.ok() || !peer_ns.ok()) {
            error = primary_ns.ok() ? peer_ns.error() : primary_ns.error();
            return;
        }
        auto up = [&](test::Netns& ns, const char* name, const char* addr, int& index) {
            return ns.run([&] {
                auto nl = sys::NetlinkSocket::open();
                if (!nl) return fail(nl.error());
                if (auto r = sys::rtnl_link_set_up(*nl, 1); !r) return fail(r.error());
                auto idx = sys::rtnl_link_index(*nl, name);
                if (!idx) return fail(idx.error());
                index = *idx;
                in_addr a{};
                ::inet_pton(AF_INET, addr, &a);
                if (auto r = sys::rtnl_addr_add_ipv4(*nl, index, a.s_addr, 24); !r) return fail(r.error());
                if (auto r = sys::rtnl_link_set_up(*nl, index); !r) return fail(r.error());
                return true;
            });
        };
        const bool made = primary_ns.run([&] {
            auto nl = sys::NetlinkSocket::open();
            if (!nl) return fail(nl.error());
            if (auto r = sys::rtnl_link_add_netkit(*nl, {.name = "nk0", .peer = "nk1", .peer_netns_fd = peer_ns.fd()}); !r)
                return fail(r.error());
            return true;
        });
        if (made && up(primary_ns, "nk0", "10.198.0.1", primary) && up(peer_ns, "nk1", "10.198.0.2", peer)) {
            // The kernel activates the devices' queues asynchronously: wait until a datagram gets through.
            bool through = false;
            for (int i = 0; i < 20 && !through; ++i)
                through = test::udp_delivered(primary_ns, peer_ns, "10.198.0.2", 40900, 100);
            if (!through) error = "no traffic across the netkit pair";
        }
    }
    ~NetkitPair() {
        if (primary)
            primary_ns.run([&] {
                if (auto nl = sys::NetlinkSocket::open()) (void)sys::rtnl_link_del(*nl, primary);
            });
    }
    bool ok() const { return primary && peer && error.empty(); }
    bool fail(const Error& e) {
        error = std::string(e.message());
        return false;
    }
    bool to_peer() { return test::udp_delivered(primary_ns, peer_ns, "10.198.0.2", kPort); }
    bool to_primary() { return test::udp_delivered(peer_ns, primary_ns, "10.198.0.1", kPort); }
};

Object load_tc() {
    auto obj = Object::load_file(test::obj_path("tc_net.bpf.o").c_str());
    REQUIRE(obj);
    return std::move(*obj);
}

Netkit loaded(const Object& obj, const char* name) {
    auto v = obj.program<Netkit>(name);
    REQUIRE(v);
    REQUIRE(v->load());
    return *v;
}

std::uint64_t counter(const Object& obj, std::uint32_t i) { return *obj.map<Array<std::uint64_t>>("tc_counts")->get(i); }
std::uint32_t id_of(const Program& p) { return p.info()->id; }

}  // namespace

TEST_CASE("netkit: primary and peer hooks see each side's traffic, in order", "[netkit][networking]") {
    EBPF_SKIP_IF(test::lacks_link(AttachType::NetkitPrimary));
    Object obj = load_tc();
    Netkit primary_count = loaded(obj, "nk_primary_count");
    Netkit peer_count = loaded(obj, "nk_peer_count");
    Netkit peer_drop = loaded(obj, "nk_peer_drop");
    NetkitPair nk;
    INFO(nk.error);
    REQUIRE(nk.ok());
    nk.primary_ns.run([&] {
        auto p = primary_count.attach("nk0");  // netkit/primary: what nk0 transmits
        REQUIRE(p);
        CHECK(p->is_bpf_link());
        auto info = p->info();
        REQUIRE(info);
        CHECK(info->type == LinkType::Netkit);
        CHECK(info->attach_type == AttachType::NetkitPrimary);
        CHECK(info->ifindex == static_cast<std::uint32_t>(nk.primary));
        REQUIRE(nk.to_peer());
        CHECK(counter(obj, kNkPrimary) > 0);

        auto c = peer_count.attach("nk0");  // netkit/peer, through the primary: what nk1 transmits
        REQUIRE(c);
        REQUIRE(nk.to_primary());
        CHECK(counter(obj, kNkPeer) > 0);

        // A dropper after the counter: the peer's datagrams are counted, then dropped.
        auto d = peer_drop.attach("nk0", NetkitAttachType::Peer, {.order = LinkOrder::after(*c)});
        REQUIRE(d);
        const auto seen = counter(obj, kNkPeer);
        CHECK_FALSE(nk.to_primary());
        CHECK(counter(obj, kNkDropped) > 0);
        CHECK(counter(obj, kNkPeer) > seen);
        auto q = query_netkit("nk0", NetkitAttachType::Peer);
        REQUIRE(q);
        REQUIRE(q->programs.size() == 2);
        CHECK(q->programs[0].program_id == id_of(peer_count.program()));
        CHECK(q->programs[1].program_id == id_of(peer_drop.program()));
        // The counter moved behind the dropper (at the current revision) sees nothing more.
        REQUIRE(c->detach());
        CHECK(test::fails_with(peer_count.attach("nk0", {.order = LinkOrder::after(*d), .expected_revision = 1}),
                               Errc::Busy, "revision"));
        auto q2 = query_netkit("nk0", NetkitAttachType::Peer);
        REQUIRE(q2);
        auto behind = peer_count.attach("nk0", {.order = LinkOrder::after(*d), .expected_revision = q2->revision});
        REQUIRE(behind);
        const auto before = counter(obj, kNkPeer);
        CHECK_FALSE(nk.to_primary());
        CHECK(counter(obj, kNkPeer) == before);
        CHECK(query_netkit(nk.primary, NetkitAttachType::Primary)->programs.size() == 1);
    });
    // All links gone: traffic flows both ways.
    CHECK(nk.to_primary());
    CHECK(nk.to_peer());
    CHECK(nk.primary_ns.run([&] { return query_netkit("nk0", NetkitAttachType::Peer)->programs.size(); }) == 0);
}

TEST_CASE("netkit: bad input says what is wrong", "[netkit][networking]") {
    Object obj = load_tc();
    auto drop = obj.program<Netkit>("nk_peer_drop");
    REQUIRE(drop);
    auto tc_only = obj.program<Netkit>("tc_mark");  // tc programs are accepted too: same type
    CHECK(tc_only);
    auto xdp_obj = Object::load_file(test::obj_path("xdp_net.bpf.o").c_str());
    REQUIRE(xdp_obj);
    CHECK(test::fails_with(xdp_obj->program<Netkit>("xdp_count"), Errc::InvalidArgument, "Netkit takes netkit"));
    if (auto why = test::lacks_link(AttachType::NetkitPrimary)) {
        // The host path: the probe's answer is the error.
        REQUIRE(drop->load());
        CHECK(test::fails_with(drop->attach("lo"), Errc::NotSupported, "no netkit links"));
        EBPF_SKIP(*why);
    }
    CHECK(test::fails_with(drop->attach("nk0"), Errc::InvalidArgument, "not loaded"));
    REQUIRE(drop->load());
    NetkitPair nk;
    INFO(nk.error);
    REQUIRE(nk.ok());
    nk.primary_ns.run([&] {
        CHECK(test::fails_with(drop->attach("nosuch0"), Errc::NoDevice, "'nosuch0'"));
        CHECK(test::fails_with(drop->attach("lo"), Errc::NoDevice, "not a netkit device"));
        Netkit mark = loaded(obj, "tc_mark");
        CHECK(test::fails_with(mark.attach("nk0"), Errc::InvalidArgument, "does not say primary or peer"));
    });
    nk.peer_ns.run([&] {
        CHECK(test::fails_with(drop->attach("nk1"), Errc::InvalidArgument, "through its primary device"));
    });
}
