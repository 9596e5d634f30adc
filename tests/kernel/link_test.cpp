// SPDX-License-Identifier: MIT
// Link ownership: explicit detach, pinning keeps an attachment alive after the Link, disown, move semantics.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <ebpf/ebpf.hpp>

#include "support/kernel.hpp"
#include "support/objects.hpp"

using namespace ebpf;

namespace {
std::uint64_t egress_count(Object& obj) { return *obj.map<Array<std::uint64_t>>("counts")->get(1); }

std::uint64_t traffic(Object& obj, test::TempCgroup& cg) {
    const std::uint64_t before = egress_count(obj);
    REQUIRE(cg.join());
    REQUIRE(test::udp_ping_loopback(3));
    cg.leave();
    return egress_count(obj) - before;
}

Object loaded_counter() {
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str(), {.load_programs = true});
    REQUIRE(obj);
    return std::move(*obj);
}
}  // namespace

TEST_CASE("detach() stops counting and is idempotent", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    auto link = obj.program<CgroupSkb>("egress_filter")->attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
    REQUIRE(link);
    CHECK(traffic(obj, cg) >= 3);
    REQUIRE(link->detach());
    REQUIRE(link->detach());
    CHECK(traffic(obj, cg) == 0);
    CHECK_FALSE(link->fd().valid());
}

TEST_CASE("a pinned link outlives its Link and the loader", "[links]") {
    test::BpffsDir dir;
    test::TempCgroup cg;
    const std::string pin = dir / "egress_link";
    std::uint32_t link_id = 0;
    {
        Object obj = loaded_counter();
        auto link = obj.program<CgroupSkb>("egress_filter")->attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
        REQUIRE(link);
        REQUIRE(link->pin(pin.c_str()));
        link_id = link->info()->id;
    }
    // Object and Link are gone, the program still runs through the pinned link.
    auto pinned = Link::from_pin(pin.c_str());
    REQUIRE(pinned);
    CHECK(pinned->info()->id == link_id);
    REQUIRE(pinned->detach());  // explicit detach removes the attachment despite the pin
    ::unlink(pin.c_str());
}

TEST_CASE("moving a Link transfers the attachment", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    auto a = obj.program<CgroupSkb>("egress_filter")->attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
    REQUIRE(a);
    Link moved = std::move(*a);
    CHECK(traffic(obj, cg) >= 3);
    Link other(nullptr);
    other = std::move(moved);
    CHECK(traffic(obj, cg) >= 3);
    other = Link(nullptr);  // replacing detaches
    CHECK(traffic(obj, cg) == 0);
}

TEST_CASE("pinning a non-bpf_link attachment is refused", "[links]") {
    Link empty(nullptr);
    auto r = empty.pin("/sys/fs/bpf/never");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::NotSupported);
}
