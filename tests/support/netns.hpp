// SPDX-License-Identifier: MIT
// Private network namespaces for networking tests: a namespace held by an fd, entered by the calling thread for
// the length of a callable (setns), and a veth pair whose ends live in one or two such namespaces. Nothing touches
// the host's namespace: traffic stays between the two ends, and destruction removes the devices and namespaces.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace ebpf::test {

// Enters `ns_fd` on this thread, or aborts: running test code in the host namespace by mistake could change the
// machine's network. Returns an fd of the thread's previous namespace for leave_netns().
int enter_netns(int ns_fd);
void leave_netns(int previous_fd);

// A new, empty network namespace (only a down "lo"); destroyed when the last fd and device reference go.
class Netns {
public:
    Netns();  // ok() is false (error() says why) without CAP_SYS_ADMIN or CONFIG_NET_NS
    ~Netns();
    Netns(const Netns&) = delete;
    Netns& operator=(const Netns&) = delete;

    bool ok() const { return fd_ >= 0; }
    const std::string& error() const { return error_; }
    int fd() const { return fd_; }

    // Runs f() on the calling thread inside this namespace and returns its result; the thread's namespace is
    // restored afterwards. Sockets and netlink sockets made inside keep this namespace after f() returns.
    template <class F>
    auto run(F&& f) -> decltype(f()) {
        struct Leave {
            int prev;
            ~Leave() { leave_netns(prev); }
        } guard{enter_netns(fd_)};
        return std::forward<F>(f)();
    }

private:
    int fd_ = -1;
    std::string error_;
};

struct VethPairOptions {
    std::string name = "veth0", peer = "veth1";
    bool peer_in_own_netns = true;  // false: both ends in one namespace (then packets between them take "lo")
    // IPv4 addresses (dotted quad, /24) given to the ends; empty: none.
    std::string address = "10.199.0.1", peer_address = "10.199.0.2";
};

// A veth pair in private namespaces, both ends up (and "lo" up in each namespace).
class NetnsVeth {
public:
    explicit NetnsVeth(const VethPairOptions& options = {});
    ~NetnsVeth();  // deletes the pair, then the namespaces go with their fds
    NetnsVeth(const NetnsVeth&) = delete;
    NetnsVeth& operator=(const NetnsVeth&) = delete;

    bool ok() const { return ok_; }
    const std::string& error() const { return error_; }

    Netns& ns() { return ns_; }
    Netns& peer_ns() { return options_.peer_in_own_netns ? peer_ns_ : ns_; }
    const std::string& name() const { return options_.name; }
    const std::string& peer_name() const { return options_.peer; }
    int ifindex() const { return ifindex_; }
    int peer_ifindex() const { return peer_ifindex_; }
    const VethPairOptions& options() const { return options_; }

    template <class F>
    auto run(F&& f) -> decltype(f()) { return ns_.run(std::forward<F>(f)); }
    template <class F>
    auto run_peer(F&& f) -> decltype(f()) { return peer_ns().run(std::forward<F>(f)); }

    // Sends one UDP datagram from `name` to the peer's address and receives it there; false (error() says why)
    // on failure. Needs the addresses and peer_in_own_netns.
    bool udp_roundtrip(std::uint16_t port = 40999);

private:
    VethPairOptions options_;
    Netns ns_, peer_ns_;
    int ifindex_ = 0, peer_ifindex_ = 0;
    bool ok_ = false;
    std::string error_;
};

}  // namespace ebpf::test
