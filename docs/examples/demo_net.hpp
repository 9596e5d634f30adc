// SPDX-License-Identifier: MIT
// Demo scaffolding for the networking examples (not part of ebpf-cxx): two private network namespaces joined by
// a veth pair, so an example can send real packets without touching the machine's network.
//
//   near: this thread's namespace after construction, with "demo0" 10.200.0.1/24
//   far:  a second namespace with "demo1" 10.200.0.2/24 (run code there with far([&] { ... }))
//
// Built on plain sockets: one rtnetlink request for the veth pair and one per address, ioctls for the rest.
// Everything goes away with the process (the namespaces have no other users).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace demo {

class Net {
public:
    // Moves the calling thread into a new namespace ("near") and builds the pair. ok() says whether it worked;
    // error() says what failed.
    Net() { ok_ = build(); }
    ~Net() {
        if (near_ >= 0) ::close(near_);
        if (far_ >= 0) ::close(far_);
    }
    Net(const Net&) = delete;
    Net& operator=(const Net&) = delete;

    bool ok() const { return ok_; }
    const std::string& error() const { return error_; }

    // Runs f() in the far namespace and comes back.
    template <class F>
    auto far(F&& f) -> decltype(f()) {
        struct Back {
            int ns;
            ~Back() { (void)::setns(ns, CLONE_NEWNET); }
        } back{near_};
        (void)::setns(far_, CLONE_NEWNET);
        return f();
    }

    // Sends `count` UDP datagrams from near to 10.200.0.2:port and returns how many arrived there.
    int send_udp(std::uint16_t port, int count, int wait_ms = 300) {
        const int rx = far([] { return ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0); });
        const int tx = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        ::inet_pton(AF_INET, "10.200.0.2", &to.sin_addr);
        const timeval tv{0, wait_ms * 1000};
        int received = 0;
        if (rx >= 0 && tx >= 0 && ::setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
            ::bind(rx, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
            char buf[32] = "hello from ebpf-cxx";
            for (int i = 0; i < count; ++i) {
                if (::sendto(tx, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) != sizeof buf) break;
                if (::recv(rx, buf, sizeof buf, 0) == sizeof buf) ++received;
            }
        }
        if (rx >= 0) ::close(rx);
        if (tx >= 0) ::close(tx);
        return received;
    }

private:
    bool build() {
        if (::unshare(CLONE_NEWNET) != 0) return fail("unshare(CLONE_NEWNET) (needs root)");
        near_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (::unshare(CLONE_NEWNET) != 0) return fail("unshare(CLONE_NEWNET)");
        far_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (near_ < 0 || far_ < 0 || ::setns(near_, CLONE_NEWNET) != 0) return fail("namespace fds");
        if (!add_veth("demo0", "demo1", far_) || !configure("demo0", "10.200.0.1")) return false;
        if (!far([&] { return configure("demo1", "10.200.0.2"); })) return false;
        // The kernel activates the devices' queues asynchronously: wait until a datagram gets through.
        for (int i = 0; i < 50; ++i)
            if (send_udp(40900, 1, 100) == 1) return true;
        errno = ETIMEDOUT;
        return fail("no traffic across the veth pair");
    }

    bool fail(const char* what) {
        error_ = std::string(what) + ": " + std::strerror(errno);
        return false;
    }

    // Appends one attribute to a netlink message; returns its offset (for nesting).
    static std::size_t attr(std::vector<char>& m, unsigned short type, const void* data, std::size_t len) {
        const std::size_t off = m.size();
        nlattr a{static_cast<unsigned short>(NLA_HDRLEN + len), type};
        m.insert(m.end(), reinterpret_cast<const char*>(&a), reinterpret_cast<const char*>(&a) + sizeof a);
        if (len) m.insert(m.end(), static_cast<const char*>(data), static_cast<const char*>(data) + len);
        m.resize(NLA_ALIGN(m.size()));
        return off;
    }
    static void end_nest(std::vector<char>& m, std::size_t off) {
        const auto len = static_cast<unsigned short>(m.size() - off);
        std::memcpy(m.data() + off, &len, sizeof len);
    }

    // Sends one rtnetlink request and reads the kernel's ack.
    bool request(std::vector<char>& m, const char* what) {
        auto* h = reinterpret_cast<nlmsghdr*>(m.data());
        h->nlmsg_len = static_cast<std::uint32_t>(m.size());
        const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        char reply[4096];
        const bool sent = fd >= 0 && ::send(fd, m.data(), m.size(), 0) == static_cast<ssize_t>(m.size());
        const ssize_t n = sent ? ::recv(fd, reply, sizeof reply, 0) : -1;
        if (fd >= 0) ::close(fd);
        if (n < static_cast<ssize_t>(NLMSG_HDRLEN + sizeof(nlmsgerr))) return fail(what);
        nlmsgerr e;
        std::memcpy(&e, reply + NLMSG_HDRLEN, sizeof e);
        if (e.error != 0) {
            errno = -e.error;
            return fail(what);
        }
        return true;
    }

    static std::vector<char> message(unsigned short type, unsigned short flags, const void* header, std::size_t len) {
        std::vector<char> m(NLMSG_HDRLEN);
        nlmsghdr h{};
        h.nlmsg_type = type;
        h.nlmsg_flags = static_cast<unsigned short>(NLM_F_REQUEST | NLM_F_ACK | flags);
        std::memcpy(m.data(), &h, sizeof h);
        m.insert(m.end(), static_cast<const char*>(header), static_cast<const char*>(header) + len);
        m.resize(NLMSG_ALIGN(m.size()));
        return m;
    }

    bool add_veth(const char* name, const char* peer, int peer_ns) {
        ifinfomsg ifi{};
        auto m = message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
        attr(m, IFLA_IFNAME, name, std::strlen(name) + 1);
        const auto info = attr(m, IFLA_LINKINFO, nullptr, 0);
        attr(m, IFLA_INFO_KIND, "veth", 5);
        const auto data = attr(m, IFLA_INFO_DATA, nullptr, 0);
        const auto p = attr(m, VETH_INFO_PEER, &ifi, sizeof ifi);
        attr(m, IFLA_IFNAME, peer, std::strlen(peer) + 1);
        const std::uint32_t fd = static_cast<std::uint32_t>(peer_ns);
        attr(m, IFLA_NET_NS_FD, &fd, sizeof fd);
        end_nest(m, p);
        end_nest(m, data);
        end_nest(m, info);
        return request(m, "create the veth pair");
    }

    // Brings lo and `dev` up and gives `dev` an IPv4 /24 address, in the calling thread's namespace.
    bool configure(const char* dev, const char* address) {
        const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        bool up = s >= 0;
        for (const char* name : {"lo", dev}) {
            ifreq r{};
            std::strncpy(r.ifr_name, name, IFNAMSIZ - 1);
            up = up && ::ioctl(s, SIOCGIFFLAGS, &r) == 0;
            r.ifr_flags = static_cast<short>(r.ifr_flags | IFF_UP);
            up = up && ::ioctl(s, SIOCSIFFLAGS, &r) == 0;
        }
        if (s >= 0) ::close(s);
        if (!up) return fail("bring the interfaces up");
        ifaddrmsg ifa{};
        ifa.ifa_family = AF_INET;
        ifa.ifa_prefixlen = 24;
        ifa.ifa_index = ::if_nametoindex(dev);
        auto m = message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
        in_addr a{};
        ::inet_pton(AF_INET, address, &a);
        attr(m, IFA_LOCAL, &a, sizeof a);
        attr(m, IFA_ADDRESS, &a, sizeof a);
        return request(m, "add an address");
    }

    int near_ = -1, far_ = -1;
    bool ok_ = false;
    std::string error_;
};

}  // namespace demo
