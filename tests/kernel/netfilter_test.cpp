// SPDX-License-Identifier: MIT
// Netfilter: a program on the IPv4 input hook of a private namespace accepts, then drops, real UDP over a veth
// pair; link info; defragmentation; bad input.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include <ebpf/ebpf.hpp>

#include "support/expect.hpp"
#include "support/net_test.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

enum { kNfSeen = 5 };
constexpr std::uint16_t kPort = 40996;

std::uint64_t counter(const Object& obj, std::uint32_t i) { return *obj.map<Array<std::uint64_t>>("ns_counts")->get(i); }

void set_verdict(Object& obj, std::uint32_t v) { REQUIRE(obj.write_global("nf_verdict", std::as_bytes(std::span(&v, 1)))); }

bool delivered(test::NetnsVeth& veth) { return test::udp_delivered(veth.ns(), veth.peer_ns(), "10.199.0.2", kPort); }

}  // namespace

TEST_CASE("netfilter: a program on the input hook accepts and drops real traffic", "[netfilter][networking]") {
    EBPF_SKIP_IF(test::lacks_link(AttachType::Netfilter));
    auto obj = Object::load_file(test::obj_path("netns_net.bpf.o").c_str());
    REQUIRE(obj);
    auto nf = obj->program<Netfilter>("nf_count");
    REQUIRE(nf);
    REQUIRE(nf->load());
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    {
        auto link = veth.run_peer([&] { return nf->attach(NetfilterFamily::Ipv4, NetfilterHook::LocalIn, -128); });
        REQUIRE(link);
        CHECK(link->is_bpf_link());
        auto info = link->info();
        REQUIRE(info);
        CHECK(info->type == LinkType::Netfilter);
        CHECK(info->netfilter.pf == 2);
        CHECK(info->netfilter.hooknum == 1);
        CHECK(info->netfilter.priority == -128);
        CHECK(info->netfilter.flags == 0);
        REQUIRE(delivered(veth));
        CHECK(counter(*obj, kNfSeen) > 0);
        set_verdict(*obj, 0);  // NF_DROP
        CHECK_FALSE(delivered(veth));
    }
    // Only the namespace it was attached in is affected, and only while the Link lives.
    CHECK(delivered(veth));
    set_verdict(*obj, 1);

    // Defragmentation before the program (6.6+, nf_defrag_ipv4).
    auto defrag = veth.run_peer([&] {
        return nf->attach(NetfilterFamily::Ipv4, NetfilterHook::PreRouting, -100, {.defrag = true});
    });
    if (!defrag) {
        REQUIRE(defrag.error().code() == Errc::NotSupported);
        EBPF_SKIP("no defragmentation for netfilter links: " << defrag.error().message());
    }
    CHECK(defrag->info()->netfilter.flags == 1);
    CHECK(delivered(veth));
}

TEST_CASE("netfilter: bad input says what is wrong", "[netfilter][networking]") {
    auto obj = Object::load_file(test::obj_path("netns_net.bpf.o").c_str());
    REQUIRE(obj);
    auto nf = obj->program<Netfilter>("nf_count");
    REQUIRE(nf);
    CHECK(test::fails_with(nf->attach(NetfilterFamily::Ipv4, NetfilterHook::LocalIn, 0), Errc::InvalidArgument,
                           "not loaded"));
    CHECK(test::fails_with(obj->program<Netfilter>("tc_rehash"), Errc::InvalidArgument, "Netfilter takes netfilter"));
    EBPF_SKIP_IF(test::lacks_link(AttachType::Netfilter));
    REQUIRE(nf->load());
    test::Netns ns;
    if (!ns.ok()) EBPF_SKIP("no private network namespace: " << ns.error());
    ns.run([&] {
        CHECK(test::fails_with(
            nf->attach(NetfilterFamily::Ipv4, NetfilterHook::LocalIn, std::numeric_limits<std::int32_t>::min()),
            Errc::InvalidArgument, "reserved"));
        CHECK(test::fails_with(nf->attach(NetfilterFamily::Ipv6, NetfilterHook::LocalOut, -500, {.defrag = true}),
                               Errc::InvalidArgument, "defragmentation hook"));
        CHECK(test::fails_with(nf->attach(NetfilterFamily::Ipv4, static_cast<NetfilterHook>(9), 0),
                               Errc::InvalidArgument, "no netfilter hook 9"));
    });
}
