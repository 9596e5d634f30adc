// SPDX-License-Identifier: MIT
// Xdp: real frames over a veth pair between two private namespaces, counted and dropped by xdp_net.bpf.o, with
// the bpf_link path and the netlink fallback (forced through the probe), Busy, replace, update, devmap/cpumap
// entry programs, dev-bound programs, test runs and auto-attach.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>
#include <string>

#include <ebpf/ebpf.hpp>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/loaded.hpp"
#include "support/net_test.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

enum { kSeen, kDropped, kOtherProg, kDevmap, kCpumap };
constexpr std::uint16_t kPort = 40999;

Object load_xdp() { return test::load_object("xdp_net.bpf.o"); }

Xdp loaded(const Object& obj, const char* name) { return test::loaded<Xdp>(obj, name); }

std::uint64_t counter(const Object& obj, std::uint32_t i) { return *obj.map<Array<std::uint64_t>>("xdp_counts")->get(i); }

void set_drop_port(Object& obj, std::uint16_t port) {
    REQUIRE(obj.write_global("drop_port", std::as_bytes(std::span(&port, 1))));
}

bool delivered(test::NetnsVeth& veth) { return test::udp_delivered(veth.ns(), veth.peer_ns(), "10.199.0.2", kPort); }

std::uint32_t id_of(const Program& p) { return p.info()->id; }

}  // namespace

TEST_CASE("xdp: counts and drops frames on a veth pair, detaches on destruction", "[xdp][networking]") {
    Object obj = load_xdp();
    Xdp xdp = loaded(obj, "xdp_count");
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const bool links = link_supported(AttachType::Xdp).value_or(false);
    {
        auto link = veth.run_peer([&] { return xdp.attach(veth.peer_name()); });
        REQUIRE(link);
        CHECK(link->is_bpf_link() == links);
        CHECK(link->description().find("veth1") != std::string_view::npos);
        auto info = link->info();
        REQUIRE(info);
        CHECK(info->ifindex == static_cast<std::uint32_t>(veth.peer_ifindex()));
        CHECK(info->prog_id == id_of(xdp.program()));
        if (links) CHECK(info->type == LinkType::Xdp);
        CHECK(test::xdp_state(veth.peer_ns(), veth.peer_ifindex()).prog_id == id_of(xdp.program()));

        REQUIRE(delivered(veth));
        CHECK(counter(obj, kSeen) > 0);
        set_drop_port(obj, kPort);
        CHECK_FALSE(delivered(veth));
        CHECK(counter(obj, kDropped) > 0);
    }
    // The Link is gone: nothing on the interface, the datagram gets through although drop_port is still set.
    CHECK(test::xdp_state(veth.peer_ns(), veth.peer_ifindex()).prog_id == 0);
    const auto dropped = counter(obj, kDropped);
    CHECK(delivered(veth));
    CHECK(counter(obj, kDropped) == dropped);
}

TEST_CASE("xdp: by ifindex in generic mode; Busy names the interface and the program; update swaps", "[xdp][networking]") {
    Object obj = load_xdp();
    Xdp count = loaded(obj, "xdp_count");
    Xdp other = loaded(obj, "xdp_other");
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    veth.run_peer([&] {
        auto link = count.attach(veth.peer_ifindex(), {.mode = XdpMode::Generic});
        REQUIRE(link);
        CHECK(test::xdp_state(veth.peer_ns(), veth.peer_ifindex()).skb_prog_id == id_of(count.program()));

        auto busy = other.attach(veth.peer_ifindex(), {.mode = XdpMode::Generic});
        CHECK(test::fails_with(busy, Errc::Busy, "veth1"));
        CHECK(test::fails_with(busy, Errc::Busy, "program id " + std::to_string(id_of(count.program()))));
        // Native while generic is active: refused the same way (the kernel says EEXIST there).
        CHECK(test::fails_with(other.attach("veth1", {.mode = XdpMode::Native}), Errc::Busy, "generic mode"));

        if (link->is_bpf_link()) {
            // Atomic swap of a bpf_link: BPF_LINK_UPDATE, guarded by the expected old program.
            REQUIRE(link->update(other.program(), {.expected = &count.program()}));
            CHECK(test::xdp_state(veth.peer_ns(), veth.peer_ifindex()).skb_prog_id == id_of(other.program()));
            CHECK(test::fails_with(link->update(count.program(), {.expected = &count.program()}), Errc::Permission,
                                   "not 'xdp_count'"));
        }
    });
    if (test::xdp_state(veth.peer_ns(), veth.peer_ifindex()).skb_prog_id != 0) FAIL("the Link left a program behind");
    const auto before = counter(obj, kOtherProg);
    CHECK(delivered(veth));
    CHECK(counter(obj, kOtherProg) == before);
}

TEST_CASE("xdp: the netlink fallback attaches, refuses a busy hook, replaces, and never removes another program",
          "[xdp][networking]") {
    Object obj = load_xdp();
    Xdp count = loaded(obj, "xdp_count");
    Xdp other = loaded(obj, "xdp_other");
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const int fds = test::open_fd_count();
    {
        test::ForcedProbe netlink_only(ProbeKey::link(AttachType::Xdp), false);  // as on Linux < 5.9
        auto state = [&] { return test::xdp_state(veth.peer_ns(), veth.peer_ifindex()); };
        veth.run_peer([&] {
            auto first = count.attach("veth1");
            REQUIRE(first);
            CHECK_FALSE(first->is_bpf_link());
            CHECK(first->description().find("netlink") != std::string_view::npos);
            auto info = first->info();
            REQUIRE(info);
            CHECK(info->prog_id == id_of(count.program()));
            CHECK(info->ifindex == static_cast<std::uint32_t>(veth.peer_ifindex()));
            CHECK(state().prog_id == id_of(count.program()));
            CHECK(test::fails_with(other.attach("veth1"), Errc::Busy,
                                   "veth1 (ifindex " + std::to_string(veth.peer_ifindex()) + ") already has an XDP "
                                   "program: program id " + std::to_string(id_of(count.program()))));
            // An atomic replace of the expected program (XDP_FLAGS_REPLACE) ...
            CHECK(test::fails_with(other.attach("veth1", {.replace = &other.program()}), Errc::Busy,
                                   "not the one to replace"));
            auto second = other.attach("veth1", {.replace = &count.program()});
            REQUIRE(second);
            CHECK(state().prog_id == id_of(other.program()));
            // ... after which the first Link's program is gone, and destroying it leaves the new one alone.
            REQUIRE(first->detach());
            CHECK(state().prog_id == id_of(other.program()));
            REQUIRE(second->detach());
            CHECK(state().prog_id == 0);
        });
        REQUIRE(delivered(veth));  // traffic flows while nothing is attached
        // Netlink errors carry the kernel's extended ack: lo has no native XDP.
        veth.run_peer([&] {
            CHECK(test::fails_with(count.attach("lo", {.mode = XdpMode::Native}), Errc::NotSupported, "kernel says"));
            CHECK(test::xdp_state(veth.peer_ns(), 1).prog_id == 0);
        });

        // A program someone else attached (here: with netlink directly, as `ip link set xdp` does) makes us Busy
        // and is never touched.
        veth.run_peer([&] {
            auto nl = sys::NetlinkSocket::open();
            REQUIRE(nl);
            REQUIRE(sys::rtnl_xdp_set(*nl, veth.peer_ifindex(), other.program().fd().get(), {.flags = sys::kXdpFlagsSkbMode}));
            CHECK(test::fails_with(count.attach("veth1", {.mode = XdpMode::Generic}), Errc::Busy,
                                   "program id " + std::to_string(id_of(other.program()))));
            {
                // Replacing it is allowed when asked for; our Link then removes only what it attached.
                auto mine = count.attach("veth1", {.mode = XdpMode::Generic, .replace = &other.program()});
                REQUIRE(mine);
                CHECK(state().skb_prog_id == id_of(count.program()));
                // Someone puts theirs back: our Link must leave it there.
                REQUIRE(sys::rtnl_xdp_set(*nl, veth.peer_ifindex(), other.program().fd().get(),
                                          {.flags = sys::kXdpFlagsSkbMode | sys::kXdpFlagsReplace,
                                           .expected_fd = count.program().fd().get()}));
            }
            CHECK(state().skb_prog_id == id_of(other.program()));
            REQUIRE(sys::rtnl_xdp_set(*nl, veth.peer_ifindex(), -1, {.flags = sys::kXdpFlagsSkbMode}));
        });
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("xdp: bad input says what is wrong and attaches nothing", "[xdp][networking]") {
    Object obj = load_xdp();
    auto count = obj.program<Xdp>("xdp_count");
    REQUIRE(count);
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    veth.run_peer([&] {
        CHECK(test::fails_with(count->attach("veth1"), Errc::InvalidArgument, "not loaded"));
        REQUIRE(count->load());
        CHECK(test::fails_with(count->attach("nosuchif0"), Errc::NoDevice, "'nosuchif0'"));
        CHECK(test::fails_with(count->attach(4242), Errc::NoDevice, "ifindex 4242"));
        CHECK(test::fails_with(count->attach(0), Errc::NoDevice, "ifindex 0"));
        auto unloaded = obj.program<Xdp>("xdp_other");
        REQUIRE(unloaded);
        CHECK(test::fails_with(count->attach("veth1", {.replace = &unloaded->program()}), Errc::InvalidArgument,
                               "'xdp_other') is not loaded"));
        Xdp devmap = loaded(obj, "xdp_devmap_entry");
        CHECK(test::fails_with(devmap.attach("veth1"), Errc::InvalidArgument, "runs from a devmap slot"));
        CHECK(test::xdp_state(veth.peer_ns(), veth.peer_ifindex()).prog_id == 0);
    });
    // A program of another kind is refused by the view.
    auto tc = Object::load_file(test::obj_path("tc_net.bpf.o").c_str());
    REQUIRE(tc);
    CHECK(test::fails_with(tc->program<Xdp>("tc_drop_port"), Errc::InvalidArgument, "Xdp takes xdp"));
}

TEST_CASE("xdp: devmap and cpumap entry programs load with their attach type and run from the map",
          "[xdp][networking]") {
    Object obj = load_xdp();
    Xdp devmap_prog = loaded(obj, "xdp_devmap_entry");
    Xdp cpumap_prog = loaded(obj, "xdp_cpumap_entry");
    Xdp plain = loaded(obj, "xdp_other");
    CHECK(devmap_prog.program().expected_attach_type() == AttachType::XdpDevmap);
    CHECK(cpumap_prog.program().expected_attach_type() == AttachType::XdpCpumap);
    auto devmap = obj.map<DevMap>("tx_ports");
    auto cpumap = obj.map<CpuMap>("cpus");
    REQUIRE(devmap);
    REQUIRE(cpumap);
    // The kernel checks the entry program's expected attach type when it goes into the map.
    const std::uint32_t lo = 1;
    CHECK(devmap->set(0, lo, devmap_prog.program()));
    CHECK_FALSE(devmap->set(0, lo, plain.program()));
    CHECK_FALSE(devmap->set(0, lo, cpumap_prog.program()));
    CHECK(devmap->get(0)->value().program_id == id_of(devmap_prog.program()));
    CHECK(cpumap->set(0, 192, cpumap_prog.program()));
    CHECK_FALSE(cpumap->set(0, 192, devmap_prog.program()));
    CHECK(test::fails_with(devmap_prog.test_run(test::udp_frame(9)), Errc::InvalidArgument, "cannot be test-run"));

    // For real: frames arriving on veth1 are redirected back out of veth1 through entry 0, whose program runs on
    // each. (veth transmits redirected frames only when its peer runs XDP: xdp_other on veth0.)
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    Xdp redirect = loaded(obj, "xdp_redirect_devmap");
    auto peer_side = veth.run([&] { return plain.attach("veth0", {.mode = XdpMode::Native}); });
    REQUIRE(peer_side);
    veth.run_peer([&] {
        REQUIRE(devmap->set(0, static_cast<std::uint32_t>(veth.peer_ifindex()), devmap_prog.program()));
        auto link = redirect.attach("veth1", {.mode = XdpMode::Native});
        REQUIRE(link);
        (void)test::udp_delivered(veth.ns(), veth.peer_ns(), "10.199.0.2", kPort, 200);  // bounced, not delivered
    });
    CHECK(counter(obj, kDevmap) > 0);
}

TEST_CASE("xdp: a dev-bound program attaches to its device only", "[xdp][networking]") {
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    Object obj = load_xdp();
    auto bound = obj.program<Xdp>("xdp_other");
    REQUIRE(bound);
    auto load = veth.run_peer([&] {
        REQUIRE(bound->bind_device("veth1"));
        CHECK(bound->program().def().ifindex == static_cast<std::uint32_t>(veth.peer_ifindex()));
        CHECK((bound->program().flags() & kProgXdpDevBoundOnly) != 0);
        return bound->load();
    });
    if (!load) {
        // A kernel without BPF_F_XDP_DEV_BOUND_ONLY (6.3) refuses the flag (EINVAL); anything else is a failure.
        REQUIRE(load.error().sys_errno() == EINVAL);
        EBPF_SKIP("no dev-bound XDP programs (BPF_F_XDP_DEV_BOUND_ONLY, 6.3): " << load.error().message());
    }
    CHECK(test::fails_with(bound->bind_device("veth1"), Errc::InvalidArgument, "already loaded"));
    veth.run_peer([&] {
        auto link = bound->attach("veth1", {.mode = XdpMode::Native});
        REQUIRE(link);
        CHECK(test::fails_with(bound->attach("lo", {.mode = XdpMode::Generic}), Errc::InvalidArgument, "lo"));
    });
}

TEST_CASE("xdp: test runs return the verdict, the rewritten frame and metadata", "[xdp][networking]") {
    Object obj = load_xdp();
    Xdp rewrite = loaded(obj, "xdp_rewrite");
    const auto frame = test::udp_frame(53);
    auto r = rewrite.test_run(frame);
    REQUIRE(r);
    CHECK(r->action == XdpAction::Tx);
    REQUIRE(r->packet.size() == frame.size() + 4);
    CHECK(r->packet[0] == std::byte(0));
    CHECK(r->packet[4] == std::byte(0xee));
    CHECK(std::equal(frame.begin() + 1, frame.end(), r->packet.begin() + 5));
    CHECK(r->metadata.empty());

    Xdp count = loaded(obj, "xdp_count");
    std::uint16_t port = 53;
    REQUIRE(obj.write_global("drop_port", std::as_bytes(std::span(&port, 1))));
    CHECK(count.test_run(frame)->action == XdpAction::Drop);
    CHECK(count.test_run(test::udp_frame(54))->action == XdpAction::Pass);
    const auto before = counter(obj, kSeen);
    auto many = count.test_run(frame, {.repeat = 100});
    REQUIRE(many);
    CHECK(many->action == XdpAction::Drop);
    CHECK(counter(obj, kSeen) == before + 100);

    Xdp meta = loaded(obj, "xdp_meta");
    const std::uint32_t words[2] = {5, 10};
    auto m = meta.test_run(frame, {.metadata = std::as_bytes(std::span(words)), .ingress_ifindex = 1});
    if (!m) {
        // Kernels before 5.15 take no xdp_md in test runs; the same run without one works there.
        REQUIRE(m.error().code() == Errc::InvalidArgument);
        REQUIRE(rewrite.test_run(frame));
        EBPF_SKIP("no xdp_md context in XDP test runs: " << m.error().message());
    }
    CHECK(m->action == XdpAction::Pass);
    REQUIRE(m->metadata.size() == 8);
    std::uint32_t out[2];
    std::memcpy(out, m->metadata.data(), 8);
    CHECK(out[0] == 5);
    CHECK(out[1] == 10 + 5 + 1);
    CHECK(m->packet == frame);
    CHECK(test::fails_with(meta.test_run(frame, {.metadata = std::as_bytes(std::span(words, 1)).first(3)}),
                           Errc::InvalidArgument, "multiple of 4"));
}

TEST_CASE("xdp: frags programs take frames larger than a page", "[xdp][networking]") {
    Object obj = load_xdp();
    auto frags = obj.program<Xdp>("xdp_frags_pass");
    REQUIRE(frags);
    CHECK((frags->program().flags() & kProgXdpHasFrags) != 0);
    if (auto r = frags->load(); !r) {
        REQUIRE(r.error().sys_errno() == EINVAL);  // BPF_F_XDP_HAS_FRAGS is 5.18: older kernels refuse the flag
        EBPF_SKIP("no XDP frags programs (5.18): " << r.error().message());
    }
    const auto big = test::udp_frame(7, 6000);
    auto r = frags->test_run(big);
    REQUIRE(r);
    CHECK(r->action == XdpAction::Pass);
    CHECK(r->packet.size() == big.size());
}

TEST_CASE("xdp: auto-attach needs an interface and says so", "[xdp][networking]") {
    Object obj = load_xdp();
    Xdp count = loaded(obj, "xdp_count");
    Xdp devmap = loaded(obj, "xdp_devmap_entry");
    CHECK(auto_attach_blocker(count.program()).value_or("").find("network interface") != std::string::npos);
    CHECK(test::fails_with(auto_attach(count.program()), Errc::InvalidArgument, "AutoAttachOptions::interface"));
    CHECK(auto_attach_blocker(devmap.program()).value_or("").find("devmap or cpumap entry") != std::string::npos);
    CHECK(test::fails_with(auto_attach(devmap.program(), {.interface = "lo"}), Errc::NotSupported, "never attached"));
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    veth.run_peer([&] {
        CHECK_FALSE(auto_attach_blocker(count.program(), {.interface = "veth1"}));
        auto link = auto_attach(count.program(), {.interface = "veth1"});
        REQUIRE(link);
        CHECK(test::xdp_state(veth.peer_ns(), veth.peer_ifindex()).prog_id == id_of(count.program()));
    });
}
