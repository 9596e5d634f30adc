// SPDX-License-Identifier: MIT
// CgroupSkb: real packets over loopback counted by programs attached to a cgroup, and detach on destruction.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include <ebpf/ebpf.hpp>

#include "support/kernel.hpp"
#include "support/objects.hpp"

using namespace ebpf;

namespace {
struct Counter {
    Object obj;
    CgroupSkb ingress, egress;
};

Counter load_counter() {
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str());
    REQUIRE(obj);
    auto in = obj->program<CgroupSkb>("ingress_filter");
    auto out = obj->program<CgroupSkb>("egress_filter");
    REQUIRE(in);
    REQUIRE(out);
    REQUIRE(in->load());
    REQUIRE(out->load());
    return Counter{std::move(*obj), *in, *out};
}

std::pair<std::uint64_t, std::uint64_t> counts(Object& obj) {
    auto a = obj.map<Array<std::uint64_t>>("counts");
    REQUIRE(a);
    return {*a->get(0), *a->get(1)};
}
}  // namespace

TEST_CASE("ingress and egress programs count loopback packets of the cgroup", "[cgroup_skb]") {
    Counter c = load_counter();
    test::TempCgroup cg;
    REQUIRE_FALSE(cg.path().empty());
    {
        auto in_link = c.ingress.attach(cg.path().c_str(), CgroupSkbAttachType::Ingress);
        auto out_link = c.egress.attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
        REQUIRE(in_link);
        REQUIRE(out_link);
        CHECK(in_link->is_bpf_link());
        auto info = in_link->info();
        REQUIRE(info);
        CHECK(info->type == LinkType::Cgroup);
        REQUIRE(cg.join());
        REQUIRE(test::udp_ping_loopback(10));
        cg.leave();
        const auto [in, out] = counts(c.obj);
        CHECK(in >= 10);
        CHECK(out >= 10);
    }
    // Links are gone: more traffic from inside the cgroup is not counted.
    const auto before = counts(c.obj);
    REQUIRE(cg.join());
    REQUIRE(test::udp_ping_loopback(5));
    cg.leave();
    CHECK(counts(c.obj) == before);
}

TEST_CASE("traffic outside the cgroup is not counted", "[cgroup_skb]") {
    Counter c = load_counter();
    test::TempCgroup cg;
    auto link = c.egress.attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
    REQUIRE(link);
    REQUIRE(test::udp_ping_loopback(5));  // we are not in the cgroup
    CHECK(counts(c.obj).second == 0);
}

TEST_CASE("attach errors: unloaded program, wrong attach type, bad cgroup", "[cgroup_skb]") {
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str());
    REQUIRE(obj);
    auto in = obj->program<CgroupSkb>("ingress_filter");
    REQUIRE(in);
    test::TempCgroup cg;
    auto unloaded = in->attach(cg.path().c_str(), CgroupSkbAttachType::Ingress);
    REQUIRE_FALSE(unloaded);
    CHECK(std::string(unloaded.error().message()).find("not loaded") != std::string::npos);
    REQUIRE(in->load());
    // A cgroup_skb program cannot attach at a socket-creation hook: both link_create and the fallback refuse.
    auto cgfd = UniqueFd::open(cg.path().c_str(), O_DIRECTORY);
    REQUIRE(cgfd);
    auto wrong = attach_cgroup(in->program(), *cgfd, AttachType::CgroupInetSockCreate);
    REQUIRE_FALSE(wrong);
    CHECK(std::string(wrong.error().message()).find("cgroup_inet_sock_create") != std::string::npos);
    auto nodir = in->attach("/nonexistent/cgroup", CgroupSkbAttachType::Ingress);
    REQUIRE_FALSE(nodir);
    CHECK(nodir.error().code() == Errc::NotFound);
}

TEST_CASE("the BPF_PROG_ATTACH fallback attaches and detaches", "[cgroup_skb]") {
    // The pre-5.7 path, forced through the probe layer: the kernel then sees BPF_PROG_ATTACH / BPF_PROG_DETACH.
    Counter c = load_counter();
    test::TempCgroup cg;
    const ProbeKey key = ProbeKey::link(AttachType::CgroupInetEgress);
    override_probe(key, false);
    {
        auto link = c.egress.attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
        override_probe(key, std::nullopt);
        REQUIRE(link);
        CHECK_FALSE(link->is_bpf_link());
        REQUIRE(cg.join());
        REQUIRE(test::udp_ping_loopback(3));
        cg.leave();
        CHECK(counts(c.obj).second >= 3);
        // The attachment is the cgroup's: the kernel lists the program there.
        auto cgfd = UniqueFd::open(cg.path().c_str(), O_DIRECTORY);
        REQUIRE(cgfd);
        std::uint32_t ids[4] = {};
        std::uint32_t q[10] = {};  // BPF_PROG_QUERY: target_fd, attach_type, query_flags, attach_flags, prog_ids, prog_cnt
        q[0] = static_cast<std::uint32_t>(cgfd->get());
        q[1] = static_cast<std::uint32_t>(AttachType::CgroupInetEgress);
        const std::uint64_t ptr = reinterpret_cast<std::uintptr_t>(ids);
        std::memcpy(&q[4], &ptr, sizeof ptr);
        q[6] = 4;
        REQUIRE(::syscall(SYS_bpf, 16 /* BPF_PROG_QUERY */, q, sizeof q) == 0);
        CHECK(q[6] == 1);
        CHECK(ids[0] == c.egress.program().info()->id);
        CHECK(q[3] == 2);  // BPF_F_ALLOW_MULTI, the default mode
    }
    const auto before = counts(c.obj);
    REQUIRE(cg.join());
    REQUIRE(test::udp_ping_loopback(3));
    cg.leave();
    CHECK(counts(c.obj) == before);
}
