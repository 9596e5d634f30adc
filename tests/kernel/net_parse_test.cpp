// SPDX-License-Identifier: MIT
// net_parse.bpf.o: XDP, tc and socket-filter parsers run on hand-built packets (BPF_PROG_TEST_RUN), and the socket
// filter attached to a real UDP socket, dropping datagrams to its port.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "support/kernel.hpp"
#include "support/objects.hpp"

using namespace ebpf;

namespace {

enum Count { kIpv4, kIpv6, kUdp, kTcp, kDropped, kOther, kCounts };
constexpr std::uint32_t kXdpDrop = 1, kXdpPass = 2, kTcActOk = 0, kTcActShot = 2;

void put16(std::vector<std::byte>& p, std::size_t off, std::uint16_t v) {
    p.at(off) = std::byte(v >> 8);
    p.at(off + 1) = std::byte(v & 0xff);
}

// Ethernet + IPv4 (20 bytes) or IPv6 (40 bytes) + UDP or TCP header + 16 bytes of payload, all in network order.
std::vector<std::byte> packet(bool ipv6, std::uint8_t proto, std::uint16_t dport) {
    const std::size_t l3 = ipv6 ? 40 : 20, l4 = proto == IPPROTO_TCP ? 20 : 8;
    std::vector<std::byte> p(14 + l3 + l4 + 16);
    put16(p, 12, ipv6 ? 0x86dd : 0x0800);
    if (ipv6) {
        p[14] = std::byte(0x60);
        put16(p, 14 + 4, static_cast<std::uint16_t>(l4 + 16));
        p[14 + 6] = std::byte(proto);
        p[14 + 7] = std::byte(64);
        p[14 + 8 + 15] = std::byte(1);   // ::1
        p[14 + 24 + 15] = std::byte(1);  // ::1
    } else {
        p[14] = std::byte(0x45);
        put16(p, 14 + 2, static_cast<std::uint16_t>(l3 + l4 + 16));
        p[14 + 8] = std::byte(64);
        p[14 + 9] = std::byte(proto);
        p[14 + 12] = p[14 + 16] = std::byte(127);  // 127.0.0.1 -> 127.0.0.1
        p[14 + 15] = p[14 + 19] = std::byte(1);
    }
    put16(p, 14 + l3, 40000);      // source port
    put16(p, 14 + l3 + 2, dport);  // destination port
    if (proto == IPPROTO_TCP) p[14 + l3 + 12] = std::byte(5 << 4);  // data offset
    else put16(p, 14 + l3 + 4, static_cast<std::uint16_t>(l4 + 16));
    return p;
}

std::vector<std::byte> arp() {
    std::vector<std::byte> p(14 + 28);
    put16(p, 12, 0x0806);
    return p;
}

Object load(std::uint16_t drop_port = 9) {
    LoadOptions o;
    o.load_programs = true;
    o.globals.push_back(GlobalValue::of<std::uint16_t>("drop_port", drop_port));
    auto obj = Object::load_file(test::obj_path("net_parse.bpf.o").c_str(), o);
    if (!obj) FAIL(std::string(obj.error().message()));
    return std::move(*obj);
}

TestRunResult run(Program& p, const std::vector<std::byte>& pkt, std::span<std::byte> ctx_out = {}) {
    std::vector<std::byte> out(pkt.size() + 256);
    __sk_buff ctx_in{};
    TestRunOptions o{.data_in = pkt, .data_out = out};
    if (!ctx_out.empty()) {
        o.ctx_in = as_bytes_of(ctx_in);
        o.ctx_out = ctx_out;
    }
    auto r = p.test_run(o);
    if (!r) FAIL(std::string(r.error().message()));
    return *r;
}

std::vector<std::uint64_t> counts(Object& obj, const char* map) {
    auto a = obj.map<Array<std::uint64_t>>(map);
    REQUIRE(a);
    std::vector<std::uint64_t> out;
    for (std::uint32_t i = 0; i < kCounts; ++i) out.push_back(*a->get(i));
    return out;
}

}  // namespace

TEST_CASE("net_parse: XDP drops UDP to the drop port and counts by protocol", "[net]") {
    Object obj = load();
    Program* p = obj.find_program("xdp_parse");
    REQUIRE(p);
    CHECK(run(*p, packet(false, IPPROTO_UDP, 9)).retval == kXdpDrop);
    CHECK(run(*p, packet(false, IPPROTO_UDP, 53)).retval == kXdpPass);
    CHECK(run(*p, packet(true, IPPROTO_TCP, 80)).retval == kXdpPass);
    CHECK(run(*p, packet(true, IPPROTO_UDP, 9)).retval == kXdpDrop);
    CHECK(run(*p, arp()).retval == kXdpPass);
    const auto c = counts(obj, "xdp_counts");
    CHECK(c[kIpv4] == 2);
    CHECK(c[kIpv6] == 2);
    CHECK(c[kUdp] == 3);
    CHECK(c[kTcp] == 1);
    CHECK(c[kDropped] == 2);
    CHECK(c[kOther] == 1);
}

TEST_CASE("net_parse: tc classifier shoots UDP to the drop port and marks TCP", "[net]") {
    Object obj = load();
    Program* p = obj.find_program("tc_classify");
    REQUIRE(p);
    __sk_buff out{};
    CHECK(run(*p, packet(false, IPPROTO_UDP, 9), as_writable_bytes_of(out)).retval == kTcActShot);
    out = {};
    CHECK(run(*p, packet(false, IPPROTO_TCP, 443), as_writable_bytes_of(out)).retval == kTcActOk);
    CHECK(out.mark == 0xcafe);
    out = {};
    CHECK(run(*p, packet(true, IPPROTO_UDP, 53), as_writable_bytes_of(out)).retval == kTcActOk);
    CHECK(out.mark == 0);
    const auto c = counts(obj, "tc_counts");
    CHECK(c[kIpv4] == 2);
    CHECK(c[kIpv6] == 1);
    CHECK(c[kUdp] == 2);
    CHECK(c[kTcp] == 1);
    CHECK(c[kDropped] == 1);
}

TEST_CASE("net_parse: socket filter on test packets and on a real UDP socket", "[net]") {
    const test::UdpLoopback udp;
    REQUIRE(udp.ok());
    const int rx = udp.rx();
    const std::uint16_t port = udp.port();
    {
        Object obj = load(port);  // drop whatever is sent to the receiving socket
        Program* p = obj.find_program("socket_drop_port");
        REQUIRE(p);
        // Test runs: the filter returns how many bytes to keep.
        CHECK(run(*p, packet(false, IPPROTO_UDP, port)).retval == 0);
        const auto keep = packet(false, IPPROTO_UDP, static_cast<std::uint16_t>(port + 1));
        CHECK(run(*p, keep).retval == keep.size() - 14);  // skb->len: the test run strips the Ethernet header
        // Attached to the socket: the datagram never arrives.
        const int prog_fd = p->fd().get();
        REQUIRE(::setsockopt(rx, SOL_SOCKET, SO_ATTACH_BPF, &prog_fd, sizeof prog_fd) == 0);
        char buf[8] = "dropped";
        REQUIRE(udp.send(buf, sizeof buf));
        pollfd pfd{rx, POLLIN, 0};
        CHECK(::poll(&pfd, 1, 200) == 0);
        const auto c = counts(obj, "socket_counts");
        CHECK(c[kDropped] == 2);  // the test run and the real datagram
        CHECK(c[kIpv4] == 3);
        CHECK(c[kUdp] == 3);
    }
    // The socket still holds the program after the Object is gone; detach it and datagrams arrive again.
    int zero = 0;
    REQUIRE(::setsockopt(rx, SOL_SOCKET, SO_DETACH_BPF, &zero, sizeof zero) == 0);
    char buf[8] = "arrives";
    REQUIRE(udp.send(buf, sizeof buf));
    char got[8] = {};
    CHECK(udp.recv(got, sizeof got) == sizeof got);
    CHECK(std::memcmp(got, "arrives", 8) == 0);
}
