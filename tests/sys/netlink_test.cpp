// SPDX-License-Identifier: MIT
// The netlink transport: the attribute builder and parser, requests and acks, dumps, and extended acks from the
// real kernel (its message text and the offending attribute), all inside a private network namespace.
#include <catch2/catch.hpp>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstring>
#include <string>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/netns.hpp"
#include "support/skip.hpp"
#include "sys/netlink.hpp"
#include "sys/rtnetlink.hpp"

using namespace ebpf;

namespace {

std::vector<std::byte> tlv(std::uint16_t type, const void* data, std::size_t size) {
    std::vector<std::byte> out((4 + size + 3) & ~std::size_t{3});
    const auto len = static_cast<std::uint16_t>(4 + size);
    std::memcpy(out.data(), &len, 2);
    std::memcpy(out.data() + 2, &type, 2);
    if (size) std::memcpy(out.data() + 4, data, size);
    return out;
}

}  // namespace

TEST_CASE("requests are built with aligned, nested attributes", "[netlink]") {
    sys::NetlinkRequest r(sys::kRtmNewLink, sys::kNlmFCreate);
    r.header(sys::IfInfoMsg{});
    r.put_string(IFLA_IFNAME, "abc");  // 4 + 4 bytes
    const auto outer = r.begin_nested(IFLA_LINKINFO);
    r.put_u8(7, 1);  // 4 + 1, padded to 8
    const auto inner = r.begin_nested(9 | sys::kNlaFNested);
    r.put_u32(2, 0xdeadbeef);
    r.end_nested(inner);
    r.end_nested(outer);
    const auto bytes = r.bytes();
    REQUIRE(bytes.size() == 16 + 16 + 8 + 4 + 8 + 4 + 8);
    std::uint32_t len;
    std::memcpy(&len, bytes.data(), 4);
    CHECK(len == bytes.size());
    CHECK((r.flags() & (sys::kNlmFRequest | sys::kNlmFCreate)) == (sys::kNlmFRequest | sys::kNlmFCreate));

    // Parse it back as the kernel would.
    sys::NetlinkMessage m;
    m.payload = bytes.subspan(16);
    const auto attrs = m.attrs(sizeof(sys::IfInfoMsg));
    CHECK_FALSE(attrs.truncated());
    auto name = attrs.find(IFLA_IFNAME);
    REQUIRE(name);
    CHECK(name->as_string() == "abc");
    const auto info = attrs.nested(IFLA_LINKINFO);
    CHECK(info.find(7)->as<std::uint8_t>() == 1);
    CHECK(info.nested(9).find(2)->as<std::uint32_t>() == 0xdeadbeefu);
    CHECK_FALSE(info.find(99));
    CHECK_FALSE(name->as<std::uint64_t>());  // 4 bytes: too short for a u64, no value and no overread

    // Offsets map back to attribute paths.
    CHECK(r.describe_offset(32) == "attribute 3");
    CHECK(r.describe_offset(40) == "attribute 18");
    CHECK(r.describe_offset(52) == "attribute 18 > 9");
    CHECK(r.describe_offset(56) == "attribute 18 > 9 > 2");
    CHECK(r.describe_offset(8).empty());

    sys::NetlinkRequest big(sys::kRtmNewLink, 0);
    CHECK(big.well_formed());
    big.put(1, std::vector<char>(70000).data(), 70000);
    CHECK_FALSE(big.well_formed());
}

TEST_CASE("truncated attributes stop the parser", "[netlink]") {
    auto good = tlv(1, "xy", 2);
    auto bad = good;
    bad[0] = std::byte{200};  // claims more than there is
    CHECK(sys::NetlinkAttrs(good).find(1));
    CHECK_FALSE(sys::NetlinkAttrs(good).truncated());
    CHECK_FALSE(sys::NetlinkAttrs(bad).find(1));
    CHECK(sys::NetlinkAttrs(bad).truncated());
    int n = 0;
    for (const auto& a : sys::NetlinkAttrs(bad)) n += a.type;
    CHECK(n == 0);
}

TEST_CASE("extended ack attributes become text", "[netlink]") {
    sys::NetlinkRequest r(sys::kRtmNewQdisc, 0);
    r.header(sys::TcMsg{});
    r.put_string(1, "clsact");
    const char msg[] = "Exclusivity flag on";
    const std::uint32_t offs = 36;
    std::vector<std::byte> tlvs = tlv(NLMSGERR_ATTR_MSG, msg, sizeof msg);
    const auto o = tlv(NLMSGERR_ATTR_OFFS, &offs, 4);
    tlvs.insert(tlvs.end(), o.begin(), o.end());
    CHECK(sys::extack_text(r, tlvs) == ": kernel says \"Exclusivity flag on\" (attribute 1)");
    CHECK(sys::extack_text(r, {}).empty());
}

TEST_CASE("requests, dumps and extended acks against the kernel", "[netlink]") {
    test::Netns ns;
    if (!ns.ok()) {
        EBPF_MARK_SKIPPED("no private network namespace: " << ns.error());
        return;
    }
    const int fds = test::open_fd_count();
    ns.run([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        CHECK(nl->fd() > 2);
        // A new namespace has exactly one link, "lo", as ifindex 1.
        auto lo = sys::rtnl_link_index(*nl, "lo");
        REQUIRE(lo);
        CHECK(*lo == 1);
        auto links = sys::rtnl_links(*nl);
        REQUIRE(links);
        REQUIRE(links->size() == 1);
        CHECK((*links)[0].name == "lo");
        CHECK(test::fails_with(sys::rtnl_link_index(*nl, "nosuchlink"), Errc::NotFound, "RTM_GETLINK nosuchlink"));

        // An attribute the kernel's policy rejects: the error carries the kernel's text and points at it.
        sys::NetlinkRequest r(sys::kRtmNewLink, sys::kNlmFCreate | sys::kNlmFExcl);
        r.header(sys::IfInfoMsg{});
        r.put_string(IFLA_IFNAME, "this-name-is-much-too-long-for-ifnamsiz");
        const auto li = r.begin_nested(IFLA_LINKINFO);
        r.put_string(IFLA_INFO_KIND, "veth");
        r.end_nested(li);
        auto bad = nl->request(r, "netlink RTM_NEWLINK with a long name");
        REQUIRE_FALSE(bad);
        const std::string msg(bad.error().message());
        INFO(msg);
        CHECK(msg.find("netlink RTM_NEWLINK with a long name: ") == 0);
        CHECK(bad.error().sys_errno() != 0);
        CHECK(msg.find("kernel says \"") != std::string::npos);
        CHECK(msg.find("(attribute 3)") != std::string::npos);

        // The socket stays usable after an error, and answers in order.
        auto again = sys::rtnl_link_get(*nl, 1);
        REQUIRE(again);
        CHECK(again->name == "lo");
        CHECK(test::fails_with(sys::rtnl_link_get(*nl, 4242), Errc::NotFound, "ifindex 4242"));
    });
    CHECK(test::open_fd_count() == fds);
}
