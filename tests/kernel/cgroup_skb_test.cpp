// SPDX-License-Identifier: MIT
// CgroupSkb: real packets over loopback counted by programs attached to a cgroup, and detach on destruction.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

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
    // Exercise the pre-5.7 path directly: attach with BPF_PROG_ATTACH and let a Link undo it.
    Counter c = load_counter();
    test::TempCgroup cg;
    auto cgfd = UniqueFd::open(cg.path().c_str(), O_DIRECTORY);
    REQUIRE(cgfd);
    {
        Link link = [&] {
            auto target = cgfd->dup();
            auto prog = c.egress.program().fd().valid() ? UniqueFd(::dup(c.egress.program().fd().get())) : UniqueFd();
            REQUIRE(target);
            REQUIRE(prog.valid());
            const auto type = AttachType::CgroupInetEgress;
            // BPF_F_ALLOW_MULTI, as the fallback uses.
            std::uint32_t attr[5] = {static_cast<std::uint32_t>(target->get()),
                                     static_cast<std::uint32_t>(prog.get()), static_cast<std::uint32_t>(type), 2, 0};
            REQUIRE(::syscall(SYS_bpf, 8 /* BPF_PROG_ATTACH */, attr, sizeof attr) == 0);
            Link::Parts parts;
            parts.resources.push_back(
                detail::prog_attach_resource(std::move(*target), std::move(prog), type, cg.path()));
            parts.description = "test attachment";
            return Link(std::move(parts));
        }();
        CHECK_FALSE(link.is_bpf_link());
        REQUIRE(cg.join());
        REQUIRE(test::udp_ping_loopback(3));
        cg.leave();
        CHECK(counts(c.obj).second >= 3);
    }
    const auto before = counts(c.obj);
    REQUIRE(cg.join());
    REQUIRE(test::udp_ping_loopback(3));
    cg.leave();
    CHECK(counts(c.obj) == before);
}
