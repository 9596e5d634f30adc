// SPDX-License-Identifier: MIT
// Network namespace programs: a flow dissector that the kernel runs for real (a tc program recomputes each
// packet's hash on a veth pair), with the netns link and the BPF_PROG_ATTACH fallback (forced through the probe);
// an sk_lookup program steering datagrams for one port to a socket on another; test runs of both.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>

#include <ebpf/ebpf.hpp>

#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/net_test.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"
#include "sys/bpf.hpp"

using namespace ebpf;

namespace {

enum { kDissected, kDissectDrop, kHashed, kUnused, kSteered };
constexpr std::uint16_t kPort = 40995;

std::uint64_t counter(const Object& obj, std::uint32_t i) { return *obj.map<Array<std::uint64_t>>("ns_counts")->get(i); }

template <class T>
void set_global(Object& obj, const char* name, T v) {
    REQUIRE(obj.write_global(name, std::as_bytes(std::span(&v, 1))));
}

Object load_netns() {
    auto obj = Object::load_file(test::obj_path("netns_net.bpf.o").c_str());
    REQUIRE(obj);
    return std::move(*obj);
}

bool delivered(test::NetnsVeth& veth, std::uint16_t port = kPort) {
    return test::udp_delivered(veth.ns(), veth.peer_ns(), "10.199.0.2", port);
}

// The hash tc_rehash saw for a datagram from `sport` to kPort over the veth pair.
std::uint32_t hash_from(test::NetnsVeth& veth, Object& obj, std::uint16_t sport) {
    const int tx = veth.run([] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    const int rx = veth.run_peer([] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    REQUIRE(tx >= 0);
    REQUIRE(rx >= 0);
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    from.sin_port = htons(sport);
    to.sin_port = htons(kPort);
    ::inet_pton(AF_INET, "10.199.0.2", &to.sin_addr);
    const timeval tv{1, 0};
    set_global<std::uint32_t>(obj, "last_hash", 0);
    const bool ok = ::bind(tx, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
                    ::setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
                    ::bind(rx, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
                    ::sendto(tx, "h", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) == 1;
    char c;
    const bool got = ok && ::recv(rx, &c, 1, 0) == 1;
    ::close(tx);
    ::close(rx);
    REQUIRE(got);
    std::uint32_t h = 0;
    REQUIRE(obj.read_global("last_hash", std::as_writable_bytes(std::span(&h, 1))));
    return h;
}

// The id of the flow dissector attached to a namespace (0: none).
std::uint32_t attached_dissector(int netns_fd) {
    std::uint32_t ids[1] = {};
    sys::QueryAttr q{};
    q.target_fd = static_cast<std::uint32_t>(netns_fd);
    q.attach_type = static_cast<std::uint32_t>(AttachType::FlowDissector);
    q.prog_ids = sys::ptr_to_u64(ids);
    q.count = 1;
    REQUIRE(sys::prog_query(q));
    return q.count ? ids[0] : 0;
}

}  // namespace

TEST_CASE("flow_dissector: the kernel runs it for the namespace it is attached to", "[flow_dissector][networking]") {
    Object obj = load_netns();
    auto dissector = obj.program<FlowDissector>("dissect_ipv4");
    auto rehash = obj.program<Tc>("tc_rehash");
    REQUIRE(dissector);
    REQUIRE(rehash);
    REQUIRE(dissector->load());
    REQUIRE(rehash->load());
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const int fds = test::open_fd_count();
    veth.run_peer([&] {
        auto tc = rehash->attach("veth1", TcDirection::Ingress);
        REQUIRE(tc);
        auto link = dissector->attach();  // the calling thread's namespace: the peer's
        REQUIRE(link);
        auto info = link->info();
        REQUIRE(info);
        if (link->is_bpf_link()) {
            CHECK(info->type == LinkType::Netns);
            CHECK(info->attach_type == AttachType::FlowDissector);
            CHECK(info->netns_ino != 0);
        }
        CHECK(attached_dissector(veth.peer_ns().fd()) == dissector->program().info()->id);
        // One flow dissector per namespace.
        CHECK(test::fails_with(dissector->attach(veth.peer_ns().fd()), Errc::Busy, "already has a flow dissector"));

        REQUIRE(delivered(veth));
        CHECK(counter(obj, kDissected) > 0);
        CHECK(counter(obj, kHashed) > 0);
        // Its keys make the hash: two source ports, two hashes. Refusing the datagrams (BPF_DROP) before filling
        // in any key makes their hashes equal.
        set_global<std::uint16_t>(obj, "hash_watch_port", kPort);
        const auto h1 = hash_from(veth, obj, 41001), h2 = hash_from(veth, obj, 41002);
        CHECK(h1 != h2);
        set_global<std::uint16_t>(obj, "dissect_drop_port", kPort);
        const auto h3 = hash_from(veth, obj, 41001), h4 = hash_from(veth, obj, 41002);
        CHECK(counter(obj, kDissectDrop) >= 2);
        CHECK(h3 == h4);
        CHECK(h3 != h1);
    });
    CHECK(attached_dissector(veth.peer_ns().fd()) == 0);
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("flow_dissector: the BPF_PROG_ATTACH fallback enters the namespace and removes only its program",
          "[flow_dissector][networking]") {
    Object obj = load_netns();
    auto dissector = obj.program<FlowDissector>("dissect_ipv4");
    auto rehash = obj.program<Tc>("tc_rehash");
    REQUIRE(dissector);
    REQUIRE(rehash);
    REQUIRE(dissector->load());
    REQUIRE(rehash->load());
    test::NetnsVeth veth;
    if (!veth.ok()) EBPF_SKIP("no veth pair in a private namespace: " << veth.error());
    REQUIRE(test::settle(veth));
    const int fds = test::open_fd_count();
    {
        test::ForcedProbe no_links(ProbeKey::link(AttachType::FlowDissector), false);  // as on Linux < 5.8
        // From outside the namespace, by its fd: the thread enters it for the attach and the removal.
        auto link = dissector->attach(veth.peer_ns().fd());
        REQUIRE(link);
        CHECK_FALSE(link->is_bpf_link());
        CHECK(link->description().find("BPF_PROG_ATTACH") != std::string_view::npos);
        CHECK(link->info()->prog_id == dissector->program().info()->id);
        CHECK(attached_dissector(veth.peer_ns().fd()) == dissector->program().info()->id);
        CHECK(test::fails_with(dissector->attach(veth.peer_ns().fd()), Errc::Busy, "program id"));
        auto tc = veth.run_peer([&] { return rehash->attach("veth1", TcDirection::Ingress); });
        REQUIRE(tc);
        REQUIRE(delivered(veth));
        CHECK(counter(obj, kDissected) > 0);
        REQUIRE(link->detach());
        CHECK(attached_dissector(veth.peer_ns().fd()) == 0);
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("flow_dissector: test runs return the flow keys", "[flow_dissector][networking]") {
    Object obj = load_netns();
    auto dissector = obj.program<FlowDissector>("dissect_ipv4");
    REQUIRE(dissector);
    REQUIRE(dissector->load());
    auto r = dissector->test_run(test::udp_frame(5353), {.repeat = 3});
    REQUIRE(r);
    CHECK(r->retval == 0);  // BPF_OK
    CHECK(r->keys.addr_proto == 0x0800);
    CHECK(r->keys.ip_proto == 17);
    CHECK(r->keys.nhoff == 14);
    CHECK(r->keys.thoff == 34);
    CHECK(r->keys.dport == htons(5353));
    CHECK(r->keys.sport == htons(40000));
    const unsigned char dst[4] = {10, 199, 0, 2};
    std::uint32_t want;
    std::memcpy(&want, dst, 4);
    CHECK(r->keys.dst[0] == want);
    set_global<std::uint16_t>(obj, "dissect_drop_port", 5353);
    CHECK(dissector->test_run(test::udp_frame(5353))->retval == 2);  // BPF_DROP
    const auto frame = test::udp_frame(1);
    CHECK(test::fails_with(dissector->test_run(std::span(frame).first(6)), Errc::InvalidArgument, "Ethernet"));
    auto tc = obj.program<FlowDissector>("tc_rehash");
    CHECK(test::fails_with(tc, Errc::InvalidArgument, "FlowDissector takes flow_dissector"));
}

namespace {

// A UDP socket in the calling thread's namespace bound to 127.0.0.1:<ephemeral>; its port in host order.
int bound_udp(std::uint16_t& port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    const timeval tv{0, 300000};
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0 ||
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
        return -1;
    port = ntohs(a.sin_port);
    return fd;
}

bool send_to_port(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = fd >= 0 && ::sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&a), sizeof a) == 1;
    if (fd >= 0) ::close(fd);
    return ok;
}

bool received(int fd) {
    char c;
    return ::recv(fd, &c, 1, 0) == 1;
}

}  // namespace

TEST_CASE("sk_lookup: datagrams to one port reach a socket bound to another", "[sk_lookup][networking]") {
    EBPF_SKIP_IF(test::lacks_link(AttachType::SkLookup));
    Object obj = load_netns();
    auto steer = obj.program<SkLookup>("steer_port_to_socket");
    REQUIRE(steer);
    REQUIRE(steer->load());
    test::Netns ns;
    if (!ns.ok()) EBPF_SKIP("no private network namespace: " << ns.error());
    const int fds = test::open_fd_count();
    ns.run([&] {
        auto nl = sys::NetlinkSocket::open();
        REQUIRE(nl);
        REQUIRE(sys::rtnl_link_set_up(*nl, 1));
        std::uint16_t port = 0;
        const int rx = bound_udp(port);
        REQUIRE(rx >= 0);
        const std::uint16_t steered = port == 40123 ? 40124 : 40123;  // nobody listens there
        auto sockets = obj.map("steer_to");
        REQUIRE(sockets);
        const std::uint32_t key = 0;
        const std::uint64_t value = static_cast<std::uint64_t>(rx);
        REQUIRE(sockets->update(std::as_bytes(std::span(&key, 1)), std::as_bytes(std::span(&value, 1))));
        set_global<std::uint16_t>(obj, "steer_port", steered);
        {
            auto link = steer->attach();
            REQUIRE(link);
            CHECK(link->is_bpf_link());
            auto info = link->info();
            REQUIRE(info);
            CHECK(info->type == LinkType::Netns);
            CHECK(info->attach_type == AttachType::SkLookup);
            REQUIRE(send_to_port(steered));
            CHECK(received(rx));
            CHECK(counter(obj, kSteered) > 0);

            // The same lookup as a test run: the program selects that socket.
            SkLookupInput in;
            in.protocol = 17;
            in.remote_ip = {127, 0, 0, 1};
            in.local_ip = {127, 0, 0, 1};
            in.remote_port = 50000;
            in.local_port = steered;
            auto r = steer->test_run(in);
            if (r) {
                std::uint64_t cookie = 0;
                socklen_t len = sizeof cookie;
                REQUIRE(::getsockopt(rx, SOL_SOCKET, SO_COOKIE, &cookie, &len) == 0);
                CHECK(r->verdict == 1);
                CHECK(r->socket_cookie == cookie);
                in.local_port = static_cast<std::uint16_t>(steered + 1);
                CHECK(steer->test_run(in)->socket_cookie == 0);
            } else {
                // Kernels before 5.14 have no sk_lookup test runs: the error says so.
                WARN("sk_lookup test runs: " << r.error().message());
                CHECK(r.error().code() == Errc::NotSupported);
                CHECK(std::string(r.error().message()).find("no test runs for sk_lookup") != std::string::npos);
            }
        }
        // Detached: nobody receives datagrams for that port.
        REQUIRE(send_to_port(steered));
        CHECK_FALSE(received(rx));
        ::close(rx);
    });
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("sk_lookup and flow_dissector: bad input", "[sk_lookup][flow_dissector][networking]") {
    Object obj = load_netns();
    auto steer = obj.program<SkLookup>("steer_port_to_socket");
    REQUIRE(steer);
    CHECK(test::fails_with(steer->attach(), Errc::InvalidArgument, "not loaded"));
    auto dissector = obj.program<FlowDissector>("dissect_ipv4");
    REQUIRE(dissector);
    CHECK(test::fails_with(dissector->attach(), Errc::InvalidArgument, "not loaded"));
    REQUIRE(dissector->load());
    CHECK_FALSE(dissector->attach(FdRef(-1)));  // not a namespace fd
    REQUIRE(obj.find_program("nf_count"));
    CHECK(test::fails_with(auto_attach(*obj.find_program("nf_count")), Errc::NotSupported, "Netfilter::attach"));
    CHECK(test::fails_with(steer->test_run({.family = 7}), Errc::InvalidArgument, "AF_INET"));
}
