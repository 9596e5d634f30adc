// SPDX-License-Identifier: MIT
// lwt programs on routes in private network namespaces (a veth pair): lwt_out and lwt_xmit see what a namespace
// sends along the route, lwt_in what it receives and forwards along it; seg6local End.BPF routes; the route goes
// with the Link; errors. lirc_mode2: the attach path against the kernel's answer, a real device where there is one.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ebpf/ebpf.hpp>

#include "links/attach.hpp"
#include "support/fd_count.hpp"
#include "support/loaded.hpp"
#include "support/netns.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"
#include "sys/rtnetlink.hpp"

using namespace ebpf;

namespace {

enum { L_IN, L_OUT, L_XMIT, L_SEG6LOCAL };

Object load_lwt() { return test::load_object("lwt_progs.bpf.o"); }

using test::loaded;

std::uint64_t count(const Object& obj, std::uint32_t slot) { return test::array_slot(obj, "lwt_counts", slot); }

std::optional<std::string> lacks_lwt() {
    auto p = program_type_supported(ProgramType::LwtOut);
    if (!p) return std::string(p.error().message());
    if (!*p) return std::string("no lwt programs in this kernel (probe prog:lwt_out)");
    return std::nullopt;
}

// The routes of the calling thread's namespace (main table) to `prefix` ("10.200.0.0") / len.
std::vector<sys::RouteInfo> routes_to(int family, const char* prefix, unsigned len) {
    auto nl = sys::NetlinkSocket::open();
    REQUIRE(nl);
    auto routes = sys::rtnl_routes(*nl, family);
    REQUIRE(routes);
    std::uint8_t want[16] = {};
    REQUIRE(::inet_pton(family, prefix, want) == 1);
    std::vector<sys::RouteInfo> out;
    for (const auto& r : *routes)
        if (r.prefix_len == len && std::memcmp(r.destination, want, family == AF_INET ? 4 : 16) == 0) out.push_back(r);
    return out;
}

// One UDP datagram to ip:port from the calling thread's namespace (it may find no route: the result says).
bool send_udp(const char* ip, std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    ::inet_pton(AF_INET, ip, &to.sin_addr);
    const bool ok = ::sendto(fd, "lwt", 3, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 3;
    ::close(fd);
    return ok;
}

bool write_file(const char* path, const char* text) {
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::write(fd, text, std::strlen(text)) == static_cast<long>(std::strlen(text));
    ::close(fd);
    return ok;
}

}  // namespace

TEST_CASE("lwt_out and lwt_xmit run on what a namespace sends along their route; the route goes with the Link",
          "[lwt]") {
    EBPF_SKIP_IF(lacks_lwt());
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in private namespaces: " << veth.error());
    Object obj = load_lwt();
    auto out = loaded<LwtOut>(obj, "lwt_out_count");
    auto xmit = loaded<LwtXmit>(obj, "lwt_xmit_count");
    const int fds = test::open_fd_count();
    veth.run([&] {
        {
            auto link = attach_lwt({.destination = "10.200.0.0/24", .interface = veth.name()},
                                   {.out = &out.program(), .xmit = &xmit.program()});
            REQUIRE(link);
            CHECK_FALSE(link->is_bpf_link());
            const auto routes = routes_to(AF_INET, "10.200.0.0", 24);
            REQUIRE(routes.size() == 1);
            CHECK(routes[0].encap_type == 6);  // LWTUNNEL_ENCAP_BPF
            CHECK(routes[0].oif == veth.ifindex());
            CHECK(routes[0].out_name.rfind("lwt_out_count#", 0) == 0);
            CHECK(routes[0].xmit_name.rfind("lwt_xmit_count#", 0) == 0);
            CHECK(routes[0].in_name.empty());
            REQUIRE(send_udp("10.200.0.5", 9));
            REQUIRE(send_udp("10.200.0.6", 9));
            CHECK(count(obj, L_OUT) >= 2);
            CHECK(count(obj, L_XMIT) >= 2);
            // lwt_out decides: BPF_DROP and the datagram goes no further (lwt_xmit does not see it).
            auto drop = obj.global<std::uint32_t>("lwt_drop");
            REQUIRE(drop);
            REQUIRE(drop->set(1));
            const auto xmits = count(obj, L_XMIT);
            send_udp("10.200.0.7", 9);
            CHECK(count(obj, L_XMIT) == xmits);
            REQUIRE(drop->set(0));
        }
        CHECK(routes_to(AF_INET, "10.200.0.0", 24).empty());
    });
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("lwt_in runs on what a namespace receives and routes along its route", "[lwt]") {
    EBPF_SKIP_IF(lacks_lwt());
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in private namespaces: " << veth.error());
    Object obj = load_lwt();
    auto in = loaded<LwtIn>(obj, "lwt_in_count");
    std::optional<Link> link;
    veth.run([&] {
        // Input routes are used only where the interface forwards.
        REQUIRE(write_file("/proc/sys/net/ipv4/conf/all/forwarding", "1"));
        auto l = in.attach({.destination = "10.200.0.0/24", .interface = veth.name()});
        REQUIRE(l);
        link.emplace(std::move(*l));
        CHECK(routes_to(AF_INET, "10.200.0.0", 24).at(0).in_name.rfind("lwt_in_count#", 0) == 0);
    });
    veth.run_peer([&] {
        // The peer sends to 10.200.0.0/24 through the first namespace.
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        sys::RouteSpec r;
        r.family = AF_INET;
        ::inet_pton(AF_INET, "10.200.0.0", r.destination);
        r.prefix_len = 24;
        r.has_gateway = true;
        ::inet_pton(AF_INET, veth.options().address.c_str(), r.gateway);
        r.oif = veth.peer_ifindex();
        REQUIRE(sys::rtnl_route_add(*nl, r));
        REQUIRE(send_udp("10.200.0.5", 9));
        REQUIRE(send_udp("10.200.0.5", 9));
    });
    for (int i = 0; i < 50 && count(obj, L_IN) < 2; ++i) ::usleep(10000);
    CHECK(count(obj, L_IN) >= 2);
    link.reset();
    veth.run([&] { CHECK(routes_to(AF_INET, "10.200.0.0", 24).empty()); });
}

TEST_CASE("lwt_seg6local rides on an End.BPF route of an SRv6 SID", "[lwt]") {
    EBPF_SKIP_IF(lacks_lwt());
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in private namespaces: " << veth.error());
    Object obj = load_lwt();
    auto seg6 = obj.program<LwtSeg6local>("seg6_count");
    REQUIRE(seg6);
    REQUIRE(seg6->load());
    veth.run([&] {
        auto link = seg6->attach({.destination = "fc00::100/128", .interface = veth.name()});
        if (!link && link.error().code() == Errc::NotSupported) {
            // CONFIG_IPV6_SEG6_BPF missing: the route request says EOPNOTSUPP.
            WARN("seg6local End.BPF unsupported here: " << link.error().message());
            return;
        }
        REQUIRE(link);
        const auto routes = routes_to(AF_INET6, "fc00::100", 128);
        REQUIRE(routes.size() == 1);
        CHECK(routes[0].encap_type == 7);  // LWTUNNEL_ENCAP_SEG6_LOCAL
        CHECK(routes[0].seg6local_name.rfind("seg6_count#", 0) == 0);
        REQUIRE(link->detach());
        CHECK(routes_to(AF_INET6, "fc00::100", 128).empty());
    });
}

TEST_CASE("lwt errors: an existing route, no interface, bad prefixes, wrong kinds; nothing of others removed",
          "[lwt]") {
    EBPF_SKIP_IF(lacks_lwt());
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in private namespaces: " << veth.error());
    Object obj = load_lwt();
    auto out = loaded<LwtOut>(obj, "lwt_out_count");
    auto xmit = loaded<LwtXmit>(obj, "lwt_xmit_count");
    veth.run([&] {
        const int fds = test::open_fd_count();
        {
            auto first = out.attach({.destination = "10.201.0.0/16", .interface = veth.name()});
            REQUIRE(first);
            auto again = xmit.attach({.destination = "10.201.0.0/16", .interface = veth.name()});
            REQUIRE_FALSE(again);
            CHECK(again.error().code() == Errc::Exists);
            CHECK(std::string(again.error().message()).find("10.201.0.0/16") != std::string::npos);
            const auto routes = routes_to(AF_INET, "10.201.0.0", 16);
            REQUIRE(routes.size() == 1);
            CHECK(routes[0].out_name.rfind("lwt_out_count#", 0) == 0);
            // Someone replaces our route: the Link leaves theirs alone.
            auto nl = sys::NetlinkSocket::open();
            REQUIRE(nl);
            sys::RouteSpec plain;
            plain.family = AF_INET;
            ::inet_pton(AF_INET, "10.201.0.0", plain.destination);
            plain.prefix_len = 16;
            plain.oif = veth.ifindex();
            REQUIRE(sys::rtnl_route_del(*nl, plain));
            REQUIRE(sys::rtnl_route_add(*nl, plain));
        }
        const auto left = routes_to(AF_INET, "10.201.0.0", 16);
        REQUIRE(left.size() == 1);
        CHECK(left[0].encap_type == 0);
        {
            auto nl = sys::NetlinkSocket::open();
            REQUIRE(nl);
            sys::RouteSpec plain;
            plain.family = AF_INET;
            ::inet_pton(AF_INET, "10.201.0.0", plain.destination);
            plain.prefix_len = 16;
            plain.oif = veth.ifindex();
            REQUIRE(sys::rtnl_route_del(*nl, plain));
        }

        auto no_dev = out.attach({.destination = "10.202.0.0/24", .interface = "nosuchdev0"});
        REQUIRE_FALSE(no_dev);
        CHECK(no_dev.error().code() == Errc::NoDevice);
        auto bad = out.attach({.destination = "10.202.0.0/33", .interface = veth.name()});
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code() == Errc::InvalidArgument);
        auto garbage = out.attach({.destination = "not-an-address", .interface = veth.name()});
        REQUIRE_FALSE(garbage);
        CHECK(garbage.error().code() == Errc::InvalidArgument);
        auto none = attach_lwt({.destination = "10.202.0.0/24", .interface = veth.name()}, {});
        REQUIRE_FALSE(none);
        CHECK(none.error().code() == Errc::InvalidArgument);
        auto swapped = attach_lwt({.destination = "10.202.0.0/24", .interface = veth.name()}, {.in = &out.program()});
        REQUIRE_FALSE(swapped);
        CHECK(swapped.error().code() == Errc::InvalidArgument);
        CHECK(std::string(swapped.error().message()).find("lwt_out") != std::string::npos);
        auto seg6_v4 = obj.program<LwtSeg6local>("seg6_count");
        REQUIRE(seg6_v4);
        REQUIRE(seg6_v4->load());
        auto v4 = seg6_v4->attach({.destination = "10.202.0.0/24", .interface = veth.name()});
        REQUIRE_FALSE(v4);
        CHECK(v4.error().code() == Errc::InvalidArgument);
        CHECK(routes_to(AF_INET, "10.202.0.0", 24).empty());
        CHECK(test::open_fd_count() == fds + 1);  // the seg6local program loaded above
    });
}

TEST_CASE("lirc_mode2 attach: the kernel's answer on a file that is not a lirc device", "[lwt]") {
    auto obj = Object::load_file(test::obj_path("lirc_decoder.bpf.o").c_str());
    REQUIRE(obj);
    auto lirc = obj->program<LircMode2>("lirc_decoder");
    REQUIRE(lirc);
    auto devnull = UniqueFd::open("/dev/null");
    REQUIRE(devnull);
    auto unloaded = lirc->attach(*devnull);
    REQUIRE_FALSE(unloaded);
    CHECK(unloaded.error().code() == Errc::InvalidArgument);
    CHECK(std::string(unloaded.error().message()) == "attach lirc_mode2 program 'lirc_decoder' to device fd " +
                                                         std::to_string(devnull->get()) + ": the program is not loaded");
    auto missing = lirc->attach("/dev/ebpf-cxx-no-such-lirc");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code() == Errc::NotFound);
    const int fds = test::open_fd_count();
    if (auto r = lirc->load(); r) {
        auto refused = lirc->attach(*devnull);
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code() == Errc::InvalidArgument);
        CHECK(std::string(refused.error().message()).find("not a lirc device") != std::string::npos);
    } else {
        // No CONFIG_BPF_LIRC_MODE2: the program type does not load. The attach mechanism still meets the kernel:
        // BPF_PROG_ATTACH(LIRC_MODE2) with another program on /dev/null is refused with EINVAL.
        WARN("lirc_mode2 programs do not load here: " << r.error().message());
        auto other = Object::load_file(test::obj_path("lwt_progs.bpf.o").c_str());
        REQUIRE(other);
        auto prog = other->program("lwt_out_count");
        REQUIRE(prog);
        REQUIRE(prog->load());
        const int before = test::open_fd_count();
        auto refused = detail::attach_lirc(prog->fd(), *devnull, "lirc test");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code() == Errc::InvalidArgument);
        CHECK(test::open_fd_count() == before);
    }
    CHECK(test::open_fd_count() >= fds);
}

TEST_CASE("lirc_mode2 on a real lirc device", "[lwt]") {
    glob_t g{};
    const bool any = ::glob("/dev/lirc*", 0, nullptr, &g) == 0 && g.gl_pathc > 0;
    const std::string device = any ? g.gl_pathv[0] : "";
    ::globfree(&g);
    if (!any) EBPF_SKIP("no /dev/lirc* device (a raw IR receiver) on this machine");
    auto obj = Object::load_file(test::obj_path("lirc_decoder.bpf.o").c_str());
    REQUIRE(obj);
    auto lirc = obj->program<LircMode2>("lirc_decoder");
    REQUIRE(lirc);
    if (auto r = lirc->load(); !r) EBPF_SKIP("lirc_mode2 programs do not load here: " << r.error().message());
    auto link = lirc->attach(device.c_str());
    REQUIRE(link);
    REQUIRE(link->detach());
}
