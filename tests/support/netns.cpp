// SPDX-License-Identifier: MIT
// Network namespaces and veth pairs for tests, built on the library's own rtnetlink requests.
#include "support/netns.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sys/netlink.hpp"
#include "sys/rtnetlink.hpp"

namespace ebpf::test {

namespace {

int open_thread_netns() { return ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC); }

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::uint32_t ipv4(const std::string& dotted) {
    in_addr a{};
    ::inet_pton(AF_INET, dotted.c_str(), &a);
    return a.s_addr;
}

}  // namespace

int enter_netns(int ns_fd) {
    const int prev = open_thread_netns();
    if (prev < 0 || ::setns(ns_fd, CLONE_NEWNET) != 0) {
        std::fprintf(stderr, "test support: cannot enter network namespace fd %d: %s\n", ns_fd, std::strerror(errno));
        std::abort();
    }
    return prev;
}

void leave_netns(int previous_fd) {
    if (::setns(previous_fd, CLONE_NEWNET) != 0) {
        std::fprintf(stderr, "test support: cannot return to the original network namespace: %s\n", std::strerror(errno));
        std::abort();
    }
    ::close(previous_fd);
}

Netns::Netns() {
    const int prev = open_thread_netns();
    if (prev < 0) {
        error_ = errno_text("open /proc/thread-self/ns/net");
        return;
    }
    if (::unshare(CLONE_NEWNET) != 0) {
        error_ = errno_text("unshare(CLONE_NEWNET)");
        ::close(prev);
        return;
    }
    fd_ = open_thread_netns();
    if (fd_ < 0) error_ = errno_text("open the new /proc/thread-self/ns/net");
    leave_netns(prev);
}

Netns::~Netns() {
    if (fd_ >= 0) ::close(fd_);
}

NetnsVeth::NetnsVeth(const VethPairOptions& options) : options_(options) {
    if (!ns_.ok() || !peer_ns_.ok()) {
        error_ = ns_.ok() ? peer_ns_.error() : ns_.error();
        return;
    }
    auto fail = [&](const Error& e) {
        error_ = std::string(e.message());
        return false;
    };
    // Each end is configured from inside its namespace: a netlink socket talks to the namespace it was made in.
    auto setup_end = [&](const std::string& name, const std::string& address, int& ifindex) {
        auto nl = sys::NetlinkSocket::open();
        if (!nl) return fail(nl.error());
        if (auto lo = sys::rtnl_link_set_up(*nl, 1); !lo) return fail(lo.error());
        auto idx = sys::rtnl_link_index(*nl, name);
        if (!idx) return fail(idx.error());
        ifindex = *idx;
        if (auto up = sys::rtnl_link_set_up(*nl, ifindex); !up) return fail(up.error());
        if (!address.empty())
            if (auto a = sys::rtnl_addr_add_ipv4(*nl, ifindex, ipv4(address), 24); !a) return fail(a.error());
        return true;
    };
    const bool created = ns_.run([&] {
        auto nl = sys::NetlinkSocket::open();
        if (!nl) return fail(nl.error());
        sys::VethOptions v;
        v.name = options_.name;
        v.peer = options_.peer;
        if (options_.peer_in_own_netns) v.peer_netns_fd = peer_ns_.fd();
        if (auto r = sys::rtnl_link_add_veth(*nl, v); !r) return fail(r.error());
        return setup_end(options_.name, options_.address, ifindex_);
    });
    if (!created) return;
    ok_ = peer_ns().run([&] { return setup_end(options_.peer, options_.peer_address, peer_ifindex_); });
}

NetnsVeth::~NetnsVeth() {
    if (ifindex_ <= 0) return;
    // Deleting one end deletes both; the namespaces then die with their fds (and would take the pair anyway).
    ns_.run([&] {
        if (auto nl = sys::NetlinkSocket::open()) (void)sys::rtnl_link_del(*nl, ifindex_);
    });
}

bool NetnsVeth::udp_roundtrip(std::uint16_t port) {
    if (!ok_ || !options_.peer_in_own_netns || options_.address.empty()) {
        error_ = "udp_roundtrip needs a pair with addresses and the peer in its own namespace";
        return false;
    }
    const int rx = run_peer([] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    const int tx = run([] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
    bool ok = rx >= 0 && tx >= 0;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = ipv4(options_.peer_address);
    const timeval timeout{2, 0};
    ok = ok && ::setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == 0 &&
         ::bind(rx, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0;
    const char msg[] = "ebpf-cxx veth";
    char buf[sizeof msg] = {};
    ok = ok && ::sendto(tx, msg, sizeof msg, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) == sizeof msg &&
         ::recv(rx, buf, sizeof buf, 0) == sizeof msg && std::memcmp(buf, msg, sizeof msg) == 0;
    if (!ok) error_ = errno_text("udp over the veth pair");
    if (rx >= 0) ::close(rx);
    if (tx >= 0) ::close(tx);
    return ok;
}

}  // namespace ebpf::test
