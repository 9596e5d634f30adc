// SPDX-License-Identifier: MIT
// Helpers for the networking program tests: frames for test runs, UDP between namespaces with a verdict (did it
// arrive?), qdisc and XDP state of an interface, forcing a probe for one scope.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <ebpf/features.hpp>

#include "support/netns.hpp"
#include "sys/netlink.hpp"
#include "sys/rtnetlink.hpp"

namespace ebpf::test {

// Ethernet + IPv4 + UDP to `dport` with `payload` bytes, addresses 10.199.0.1 -> 10.199.0.2, network order.
inline std::vector<std::byte> udp_frame(std::uint16_t dport, std::size_t payload = 16) {
    std::vector<std::byte> p(14 + 20 + 8 + payload);
    auto put16 = [&](std::size_t off, std::uint16_t v) {
        p[off] = std::byte(v >> 8);
        p[off + 1] = std::byte(v & 0xff);
    };
    for (int i = 0; i < 6; ++i) p[i] = std::byte(0x02), p[6 + i] = std::byte(0x04);
    put16(12, 0x0800);
    p[14] = std::byte(0x45);
    put16(16, static_cast<std::uint16_t>(20 + 8 + payload));
    p[22] = std::byte(64);
    p[23] = std::byte(17);
    const unsigned char src[4] = {10, 199, 0, 1}, dst[4] = {10, 199, 0, 2};
    for (int i = 0; i < 4; ++i) p[26 + i] = std::byte(src[i]), p[30 + i] = std::byte(dst[i]);
    put16(34, 40000);
    put16(36, dport);
    put16(38, static_cast<std::uint16_t>(8 + payload));
    return p;
}

// One UDP datagram from `from` to `to_addr:port` in namespace `to`; true when it arrived (within `wait_ms`).
inline bool udp_delivered(Netns& from, Netns& to, const char* to_addr, std::uint16_t port, int wait_ms = 500) {
    const int rx = to.run([] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    const int tx = from.run([] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, to_addr, &a.sin_addr);
    const timeval tv{wait_ms / 1000, (wait_ms % 1000) * 1000};
    bool ok = rx >= 0 && tx >= 0 && ::setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
              ::bind(rx, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
    const char msg[] = "ebpf-cxx net";
    char buf[sizeof msg] = {};
    ok = ok && ::sendto(tx, msg, sizeof msg, 0, reinterpret_cast<const sockaddr*>(&a), sizeof a) == sizeof msg &&
         ::recv(rx, buf, sizeof buf, 0) == sizeof msg;
    if (rx >= 0) ::close(rx);
    if (tx >= 0) ::close(tx);
    return ok;
}

// Waits until a new veth pair passes traffic (the kernel activates a device's queues asynchronously, after its
// carrier comes up; until then packets are dropped). True once a datagram made it across.
inline bool settle(NetnsVeth& veth) {
    for (int i = 0; i < 20; ++i)
        if (udp_delivered(veth.ns(), veth.peer_ns(), veth.options().peer_address.c_str(), 40900, 100)) return true;
    return false;
}

// The qdisc kinds of an interface in namespace `ns` ("noqueue", "clsact" ...), sorted.
inline std::vector<std::string> qdisc_kinds(Netns& ns, int ifindex) {
    return ns.run([&] {
        std::vector<std::string> kinds;
        auto nl = sys::NetlinkSocket::open();
        if (!nl) return kinds;
        auto q = sys::rtnl_qdiscs(*nl, ifindex);
        if (q)
            for (const auto& d : *q) kinds.push_back(d.kind);
        std::sort(kinds.begin(), kinds.end());
        return kinds;
    });
}

inline sys::XdpState xdp_state(Netns& ns, int ifindex) {
    return ns.run([&] {
        auto nl = sys::NetlinkSocket::open();
        if (!nl) return sys::XdpState{};
        return sys::rtnl_xdp_query(*nl, ifindex).value_or(sys::XdpState{});
    });
}

// Forces one probe's answer for the scope (the fallback tests), then stops forcing it even if a check fails.
class ForcedProbe {
public:
    ForcedProbe(ProbeKey key, bool answer) : key_(key) { override_probe(key_, answer); }
    ~ForcedProbe() { override_probe(key_, std::nullopt); }
    ForcedProbe(const ForcedProbe&) = delete;
    ForcedProbe& operator=(const ForcedProbe&) = delete;

private:
    ProbeKey key_;
};

// Why the kernel has no bpf_link path for `type` (the probe said no), or nullopt when it has one.
inline std::optional<std::string> lacks_link(AttachType type) {
    auto r = link_supported(type);
    if (!r) return "probe link:" + std::string(to_string(type)) + " failed: " + std::string(r.error().message());
    if (!*r) return "this kernel has no " + std::string(to_string(type)) + " links (probe link:" +
                    std::string(to_string(type)) + " answered false)";
    return std::nullopt;
}

}  // namespace ebpf::test
