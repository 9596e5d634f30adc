// SPDX-License-Identifier: MIT
// Socket programs over loopback: sock_ops counting established connections, sk_msg and sk_skb moving data from one
// socket to another through a sockmap (links and the BPF_PROG_ATTACH fallback), a socket filter dropping and
// truncating datagrams, sk_reuseport choosing the socket of a reuseport group; errors.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <ebpf/ebpf.hpp>

#include "kernel/socket_support.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/loaded.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

enum { S_ACTIVE, S_PASSIVE, S_MSG, S_PARSER, S_STREAM_VERDICT, S_VERDICT, S_FILTER, S_REUSEPORT };

Object load_sockets() { return test::load_object("socket_progs.bpf.o"); }

using test::loaded;

std::uint64_t count(const Object& obj, std::uint32_t slot) { return test::array_slot(obj, "sock_counts", slot); }

using test::set_global;

bool send_text(int fd, const char* text) {
    const auto n = std::strlen(text);
    return ::send(fd, text, n, 0) == static_cast<long>(n);
}

}  // namespace

TEST_CASE("sock_ops counts the TCP connections established by the sockets of a cgroup", "[sockets]") {
    Object obj = load_sockets();
    test::TempCgroup cg;
    auto ops = loaded<SockOps>(obj, "count_established");
    auto link = ops.attach(cg.path());
    REQUIRE(link);
    // Made inside the cgroup: the accepted socket inherits the listener's cgroup.
    REQUIRE(cg.join());
    test::Sock listener = test::tcp_listener();
    const std::uint16_t port = test::local_port(listener.get());
    set_global<std::uint16_t>(obj, "sockops_port", port);
    test::Sock client = test::tcp_connect(port);
    test::Sock server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    cg.leave();
    REQUIRE(client.ok());
    REQUIRE(server.ok());
    CHECK(count(obj, S_ACTIVE) == 1);
    CHECK(count(obj, S_PASSIVE) == 1);
    // The Link goes: new connections are not seen.
    REQUIRE(link->detach());
    REQUIRE(cg.join());
    test::Sock again = test::tcp_connect(port);
    cg.leave();
    REQUIRE(again.ok());
    CHECK(count(obj, S_ACTIVE) == 1);
}

TEST_CASE("sk_msg redirects what one socket sends into another socket's receive queue", "[sockets]") {
    Object obj = load_sockets();
    const bool links = link_supported(AttachType::SkMsgVerdict).value();
    for (const bool force_legacy : {false, true}) {
        if (!links && !force_legacy) continue;
        DYNAMIC_SECTION((force_legacy ? "BPF_PROG_ATTACH" : "sockmap link")) {
            const ProbeKey key = ProbeKey::link(AttachType::SkMsgVerdict);
            if (force_legacy) override_probe(key, false);
            auto msg = loaded<SkMsg>(obj, "msg_redirect");
            auto map = obj.map("msg_map");
            REQUIRE(map);
            auto link = msg.attach(map->fd());
            override_probe(key, std::nullopt);
            REQUIRE(link);
            CHECK(link->is_bpf_link() == !force_legacy);
            if (link->is_bpf_link()) {
                auto info = link->info();
                REQUIRE(info);
                CHECK(info->type == LinkType::Sockmap);
                CHECK(info->map_id == map->info()->id);
            }
            // Sockets take the map's programs when they are added: attach first, then add.
            auto one = test::tcp_pair(), two = test::tcp_pair();
            REQUIRE(one.ok());
            REQUIRE(two.ok());
            auto sockmap = SockMap::from(*map);
            REQUIRE(sockmap);
            REQUIRE(sockmap->set(0, one.client.get()));
            REQUIRE(sockmap->set(1, two.client.get()));
            set_global<std::uint32_t>(obj, "redirect_key", 1);
            const auto before = count(obj, S_MSG);
            REQUIRE(send_text(one.client.get(), "hello"));
            CHECK(test::recv_some(two.client.get()) == "hello");
            CHECK_FALSE(test::readable(one.server.get(), 100));
            CHECK(count(obj, S_MSG) > before);
            REQUIRE(sockmap->clear(0));
            REQUIRE(sockmap->clear(1));
            REQUIRE(link->detach());
        }
    }
}

TEST_CASE("sk_skb stream parser and verdict redirect received data to another socket", "[sockets]") {
    Object obj = load_sockets();
    const bool links = link_supported(AttachType::SkSkbStreamVerdict).value();
    for (const bool force_legacy : {false, true}) {
        if (!links && !force_legacy) continue;
        DYNAMIC_SECTION((force_legacy ? "BPF_PROG_ATTACH" : "sockmap links")) {
            if (force_legacy) {
                override_probe(ProbeKey::link(AttachType::SkSkbStreamParser), false);
                override_probe(ProbeKey::link(AttachType::SkSkbStreamVerdict), false);
            }
            auto map = obj.map("stream_map");
            REQUIRE(map);
            auto parser = loaded<SkSkb>(obj, "stream_parser").attach(map->fd());
            auto verdict = loaded<SkSkb>(obj, "stream_verdict").attach(map->fd(), SkSkbHook::StreamVerdict);
            override_probe(ProbeKey::link(AttachType::SkSkbStreamParser), std::nullopt);
            override_probe(ProbeKey::link(AttachType::SkSkbStreamVerdict), std::nullopt);
            REQUIRE(parser);
            REQUIRE(verdict);
            CHECK(verdict->is_bpf_link() == !force_legacy);
            auto one = test::tcp_pair(), two = test::tcp_pair();
            REQUIRE(one.ok());
            REQUIRE(two.ok());
            auto sockmap = SockMap::from(*map);
            REQUIRE(sockmap);
            REQUIRE(sockmap->set(0, one.server.get()));
            REQUIRE(sockmap->set(1, two.client.get()));
            set_global<std::uint32_t>(obj, "redirect_key", 1);
            REQUIRE(send_text(one.client.get(), "ping"));
            CHECK(test::recv_some(two.client.get()) == "ping");
            CHECK(count(obj, S_PARSER) >= 1);
            CHECK(count(obj, S_STREAM_VERDICT) >= 1);
            REQUIRE(sockmap->clear(0));
            REQUIRE(sockmap->clear(1));
        }
    }
}

TEST_CASE("sk_skb/verdict without a parser redirects through a sockhash", "[sockets]") {
    Object obj = load_sockets();
    auto map = obj.map("verdict_map");
    REQUIRE(map);
    auto prog = obj.program<SkSkb>("skb_verdict");
    REQUIRE(prog);
    REQUIRE(prog->load());
    auto link = prog->attach(map->fd());
    // BPF_SK_SKB_VERDICT came with Linux 5.15: older kernels refuse the attach type (EINVAL/EOPNOTSUPP).
    if (!link && (link.error().sys_errno() == EINVAL || link.error().sys_errno() == EOPNOTSUPP))
        EBPF_SKIP("the kernel has no sk_skb/verdict hook (Linux 5.15): " << link.error().message());
    REQUIRE(link);
    auto one = test::tcp_pair(), two = test::tcp_pair();
    REQUIRE(one.ok());
    REQUIRE(two.ok());
    auto hash = SockHash<std::uint32_t>::from(*map);
    REQUIRE(hash);
    REQUIRE(hash->set(0, one.server.get()));
    REQUIRE(hash->set(1, two.client.get()));
    set_global<std::uint32_t>(obj, "redirect_key", 1);
    REQUIRE(send_text(one.client.get(), "verdict"));
    CHECK(test::recv_some(two.client.get()) == "verdict");
    CHECK(count(obj, S_VERDICT) >= 1);
    REQUIRE(hash->clear(0));
    REQUIRE(hash->clear(1));
}

TEST_CASE("a second sk_msg link on the same map is Busy and leaves the first in place", "[sockets]") {
    Object obj = load_sockets();
    if (!link_supported(AttachType::SkMsgVerdict).value())
        EBPF_SKIP("no sockmap links in this kernel (probe link:sk_msg_verdict; Linux 6.10)");
    auto map = obj.map("msg_map");
    REQUIRE(map);
    auto msg = loaded<SkMsg>(obj, "msg_redirect");
    auto first = msg.attach(map->fd());
    REQUIRE(first);
    const int fds = test::open_fd_count();
    auto second = msg.attach(map->fd());
    REQUIRE_FALSE(second);
    CHECK(second.error().code() == Errc::Busy);
    CHECK(std::string(second.error().message()).find("msg_map") != std::string::npos);
    CHECK(test::open_fd_count() == fds);
    CHECK(first->info().has_value());
}

TEST_CASE("a socket filter drops and truncates datagrams, and is gone with its Link", "[sockets]") {
    Object obj = load_sockets();
    auto filter = loaded<SocketFilter>(obj, "udp_filter");
    test::Sock rx = test::bound4(SOCK_DGRAM), tx(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    REQUIRE(rx.ok());
    const sockaddr_in to = test::loopback4(test::local_port(rx.get()));
    auto send = [&](const char* text) {
        return ::sendto(tx.get(), text, std::strlen(text), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) > 0;
    };
    {
        auto link = filter.attach(rx.get());
        REQUIRE(link);
        CHECK_FALSE(link->is_bpf_link());
        set_global<std::uint32_t>(obj, "filter_mode", 1);  // drop
        REQUIRE(send("dropped"));
        CHECK_FALSE(test::readable(rx.get(), 200));
        set_global<std::uint32_t>(obj, "filter_mode", 2);  // keep 4 bytes of payload
        REQUIRE(send("truncated"));
        CHECK(test::recv_some(rx.get()) == "trun");
        set_global<std::uint32_t>(obj, "filter_mode", 0);
        REQUIRE(send("whole"));
        CHECK(test::recv_some(rx.get()) == "whole");
        CHECK(count(obj, S_FILTER) >= 3);
    }
    set_global<std::uint32_t>(obj, "filter_mode", 1);
    REQUIRE(send("after"));
    CHECK(test::recv_some(rx.get()) == "after");
}

TEST_CASE("a socket filter test run keeps, truncates or drops a packet as on a socket", "[sockets]") {
    Object obj = load_sockets();
    auto filter = loaded<SocketFilter>(obj, "udp_filter");
    // An Ethernet frame with an IPv4/UDP packet of 28 + 6 bytes: the filter sees it from the IP header.
    std::vector<std::byte> frame(14 + 20 + 8 + 6, std::byte{0});
    frame[12] = std::byte{0x08};
    frame[14] = std::byte{0x45};
    frame[14 + 3] = std::byte{34};
    frame[14 + 9] = std::byte{17};
    const int fds = test::open_fd_count();
    set_global<std::uint32_t>(obj, "filter_mode", 0);
    auto whole = filter.test_run(frame);
    REQUIRE(whole);
    CHECK(whole->retval == 34);
    set_global<std::uint32_t>(obj, "filter_mode", 2);
    auto truncated = filter.test_run(frame, {.repeat = 3});
    REQUIRE(truncated);
    CHECK(truncated->retval == 12);
    set_global<std::uint32_t>(obj, "filter_mode", 1);
    auto dropped = filter.test_run(frame);
    REQUIRE(dropped);
    CHECK(dropped->retval == 0);
    CHECK(count(obj, S_FILTER) >= 5);
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("socket programs that are not loaded refuse to attach or run", "[sockets]") {
    Object obj = load_sockets();
    auto filter = obj.program<SocketFilter>("udp_filter");
    REQUIRE(filter);
    test::Sock rx = test::bound4(SOCK_DGRAM);
    REQUIRE(rx.ok());
    auto link = filter->attach(rx.get());
    REQUIRE_FALSE(link);
    CHECK(link.error().code() == Errc::InvalidArgument);
    CHECK(std::string(link.error().message()) ==
          "attach socket program 'udp_filter' to socket fd " + std::to_string(rx.get()) +
              ": the program is not loaded");
    std::vector<std::byte> frame(64, std::byte{0});
    auto run = filter->test_run(frame);
    REQUIRE_FALSE(run);
    CHECK(run.error().code() == Errc::InvalidArgument);
}

TEST_CASE("sk_reuseport chooses which socket of a reuseport group gets a datagram or a connection", "[sockets]") {
    Object obj = load_sockets();
    auto prog = loaded<SkReuseport>(obj, "select_slot");
    auto array = obj.map<ReuseportArray>("reuseport_map");
    REQUIRE(array);
    SECTION("UDP") {
        test::Sock a = test::bound4(SOCK_DGRAM, 0, true);
        REQUIRE(a.ok());
        const std::uint16_t port = test::local_port(a.get());
        test::Sock b = test::bound4(SOCK_DGRAM, port, true);
        REQUIRE(b.ok());
        REQUIRE(array->set(0, a.get()));
        REQUIRE(array->set(1, b.get()));
        auto link = prog.attach(a.get());
        REQUIRE(link);
        test::Sock tx(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        const sockaddr_in to = test::loopback4(port);
        for (const std::uint32_t slot : {1u, 0u, 1u}) {
            set_global<std::uint32_t>(obj, "reuseport_slot", slot);
            REQUIRE(::sendto(tx.get(), "x", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 1);
            const int want = slot == 0 ? a.get() : b.get(), other = slot == 0 ? b.get() : a.get();
            CHECK(test::recv_some(want) == "x");
            CHECK_FALSE(test::readable(other, 50));
        }
        CHECK(count(obj, S_REUSEPORT) >= 3);
    }
    SECTION("TCP") {
        test::Sock a = test::tcp_listener(0, true);
        REQUIRE(a.ok());
        const std::uint16_t port = test::local_port(a.get());
        test::Sock b = test::tcp_listener(port, true);
        REQUIRE(b.ok());
        REQUIRE(array->set(0, a.get()));
        REQUIRE(array->set(1, b.get()));
        auto link = prog.attach(b.get());
        REQUIRE(link);
        for (const std::uint32_t slot : {0u, 1u}) {
            set_global<std::uint32_t>(obj, "reuseport_slot", slot);
            test::Sock c = test::tcp_connect(port);
            REQUIRE(c.ok());
            const int want = slot == 0 ? a.get() : b.get(), other = slot == 0 ? b.get() : a.get();
            CHECK(test::readable(want, 1000));
            CHECK_FALSE(test::readable(other, 50));
            test::Sock accepted(::accept4(want, nullptr, nullptr, SOCK_CLOEXEC));
            CHECK(accepted.ok());
        }
    }
}

TEST_CASE("socket program errors: not a socket, not a sockmap, no SO_REUSEPORT, wrong kind", "[sockets]") {
    Object obj = load_sockets();
    auto filter = loaded<SocketFilter>(obj, "udp_filter");
    auto msg = loaded<SkMsg>(obj, "msg_redirect");
    auto reuse = loaded<SkReuseport>(obj, "select_slot");
    const int fds = test::open_fd_count();
    {
        auto devnull = UniqueFd::open("/dev/null");
        REQUIRE(devnull);
        auto not_socket = filter.attach(*devnull);
        REQUIRE_FALSE(not_socket);
        CHECK(not_socket.error().code() == Errc::InvalidArgument);
        CHECK(std::string(not_socket.error().message()).find("not a socket") != std::string::npos);
        auto counts = obj.map("sock_counts");
        REQUIRE(counts);
        auto not_sockmap = msg.attach(counts->fd());
        REQUIRE_FALSE(not_sockmap);
        CHECK(not_sockmap.error().code() == Errc::InvalidArgument);
        CHECK(std::string(not_sockmap.error().message()) ==
              "attach sk_msg program 'msg_redirect' to map 'sock_counts' (sk_msg_verdict): the map is a array map; "
              "programs attach to a sockmap or sockhash");
        auto not_map = msg.attach(*devnull);
        REQUIRE_FALSE(not_map);
        CHECK(not_map.error().code() == Errc::InvalidArgument);
        CHECK(std::string(not_map.error().message()).find("the fd is not a BPF map") != std::string::npos);
        test::Sock plain = test::bound4(SOCK_DGRAM);
        auto no_reuseport = reuse.attach(plain.get());
        REQUIRE_FALSE(no_reuseport);
        CHECK(no_reuseport.error().code() == Errc::InvalidArgument);
        CHECK(std::string(no_reuseport.error().message()).find("SO_REUSEPORT") != std::string::npos);
        auto wrong = obj.program<SkMsg>("stream_parser");
        REQUIRE_FALSE(wrong);
        CHECK(wrong.error().code() == Errc::InvalidArgument);
        auto prog = obj.program("udp_filter");
        REQUIRE(prog);
        auto automatic = auto_attach(*prog);
        REQUIRE_FALSE(automatic);
        CHECK(automatic.error().code() == Errc::NotSupported);
        CHECK(std::string(automatic.error().message()).find("SocketFilter::attach") != std::string::npos);
    }
    CHECK(test::open_fd_count() == fds);
}
