// SPDX-License-Identifier: MIT
// Loopback sockets for the cgroup, socket and struct_ops tests: owned fds, TCP pairs, UDP sockets, timeouts.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace ebpf::test {

// An owned socket (or any) fd.
class Sock {
public:
    Sock() = default;
    explicit Sock(int fd) : fd_(fd) {}
    Sock(Sock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Sock& operator=(Sock&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = std::exchange(o.fd_, -1);
        }
        return *this;
    }
    ~Sock() { reset(); }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int get() const { return fd_; }
    bool ok() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

inline sockaddr_in loopback4(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

inline std::uint16_t local_port(int fd) {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return 0;
    if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in*>(&a)->sin_port);
}

// A socket bound to 127.0.0.1:port (0: any); SO_REUSEPORT first when asked.
inline Sock bound4(int type, std::uint16_t port = 0, bool reuseport = false) {
    Sock s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
    if (!s.ok()) return s;
    const int one = 1;
    if (reuseport && ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) return Sock();
    const sockaddr_in a = loopback4(port);
    if (::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return Sock();
    return s;
}

// A TCP listener on 127.0.0.1 (ephemeral port unless given).
inline Sock tcp_listener(std::uint16_t port = 0, bool reuseport = false) {
    Sock s = bound4(SOCK_STREAM, port, reuseport);
    if (s.ok() && ::listen(s.get(), 16) != 0) return Sock();
    return s;
}

// Connects a new TCP socket to 127.0.0.1:port; `before` may set options on it first (TCP_CONGESTION, ...).
template <class F>
Sock tcp_connect(std::uint16_t port, F&& before) {
    Sock c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!c.ok() || !before(c.get())) return Sock();
    const sockaddr_in a = loopback4(port);
    if (::connect(c.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return Sock();
    return c;
}
inline Sock tcp_connect(std::uint16_t port) {
    return tcp_connect(port, [](int) { return true; });
}

// Waits up to `ms` for fd to be readable.
inline bool readable(int fd, int ms = 2000) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

// Receives what is there (after waiting for it), as a string; empty on timeout or error.
inline std::string recv_some(int fd, int ms = 2000) {
    if (!readable(fd, ms)) return {};
    char buf[4096];
    const long n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

// A connected TCP pair over loopback: client <-> server (the accepted socket).
struct TcpPair {
    Sock listener, client, server;
    bool ok() const { return client.ok() && server.ok(); }
};
template <class F>
TcpPair tcp_pair(F&& before_connect) {
    TcpPair p;
    p.listener = tcp_listener();
    if (!p.listener.ok()) return p;
    p.client = tcp_connect(local_port(p.listener.get()), before_connect);
    if (!p.client.ok()) return p;
    p.server = Sock(::accept4(p.listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    return p;
}
inline TcpPair tcp_pair() {
    return tcp_pair([](int) { return true; });
}

}  // namespace ebpf::test
