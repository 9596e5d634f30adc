// SPDX-License-Identifier: MIT
// The cgroup hooks with real system calls from inside a TempCgroup: socket creation refused, bind refused with
// EPERM, connect and sendmsg rewritten to another port, getpeername rewritten, getsockopt/setsockopt overridden,
// sysctl writes refused, a device node refused; modes, ordering and queries of one hook; errors.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cstdlib>
#include <cstring>
#include <fstream>

#include <ebpf/ebpf.hpp>

#include "kernel/socket_support.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/loaded.hpp"
#include "support/netns.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

enum {
    C_SOCK_CREATE, C_SOCK_RELEASE, C_POST_BIND4, C_BIND4, C_CONNECT4, C_CONNECT6, C_SENDMSG4, C_RECVMSG4,
    C_GETPEERNAME4, C_GETSOCKNAME4, C_GETSOCKOPT, C_SETSOCKOPT, C_SYSCTL, C_DEV, C_ORDER_A, C_ORDER_B,
};

Object load_hooks() { return test::load_object("cgroup_hooks.bpf.o"); }

using test::loaded;

std::uint64_t count(const Object& obj, std::uint32_t slot) { return test::array_slot(obj, "hook_counts", slot); }

using test::set_global;

// Runs f() with this process in the cgroup.
template <class F>
void inside(test::TempCgroup& cg, F&& f) {
    REQUIRE(cg.join());
    f();
    cg.leave();
}

// A port nothing listens on now (bound, then closed).
std::uint16_t free_port(int type) {
    test::Sock s = test::bound4(type);
    REQUIRE(s.ok());
    return test::local_port(s.get());
}

int errno_of(int r) { return r == 0 ? 0 : errno; }

}  // namespace

TEST_CASE("cgroup/sock_create refuses a socket type; sock_release and post_bind4 run", "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    auto create = loaded<CgroupSock>(obj, "sock_create");
    auto post_bind = loaded<CgroupSock>(obj, "post_bind4");
    auto created = create.attach(cg.path());
    REQUIRE(created);
    auto bound = post_bind.attach(cg.path(), CgroupSockHook::PostBind4);
    REQUIRE(bound);
    set_global<std::uint32_t>(obj, "sock_create_deny_type", SOCK_DGRAM);
    int udp_errno = 0;
    inside(cg, [&] {
        const int udp = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        udp_errno = udp < 0 ? errno : 0;
        if (udp >= 0) ::close(udp);
        test::Sock tcp = test::bound4(SOCK_STREAM);
        CHECK(tcp.ok());
    });
    CHECK(udp_errno == EPERM);
    CHECK(count(obj, C_SOCK_CREATE) >= 2);
    CHECK(count(obj, C_POST_BIND4) >= 1);
    // Outside the cgroup nothing runs.
    const auto before = count(obj, C_SOCK_CREATE);
    test::Sock outside(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    CHECK(outside.ok());
    CHECK(count(obj, C_SOCK_CREATE) == before);

    // sock_release came with 5.9: a kernel without it refuses the program's expected attach type at load.
    auto release = obj.program<CgroupSock>("sock_release");
    REQUIRE(release);
    if (auto r = release->load(); !r) EBPF_SKIP("cgroup/sock_release does not load here (Linux 5.9): " << r.error().message());
    auto released = release->attach(cg.path());
    REQUIRE(released);
    inside(cg, [&] { test::Sock s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)); });
    CHECK(count(obj, C_SOCK_RELEASE) >= 1);
}

TEST_CASE("cgroup/bind4 refuses a port, connect4 and sendmsg4 rewrite the destination, getpeername4 the peer",
          "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    std::vector<Link> links;
    for (const char* name : {"bind4", "connect4", "sendmsg4", "recvmsg4", "getsockname4"}) {
        auto link = loaded<CgroupSockAddr>(obj, name).attach(cg.path());
        REQUIRE(link);
        links.push_back(std::move(*link));
    }
    // bind4: EPERM for one port, others as usual.
    const std::uint16_t denied = free_port(SOCK_STREAM);
    set_global<std::uint16_t>(obj, "bind_denied_port", denied);
    int bind_errno = 0;
    bool other_ok = false;
    inside(cg, [&] {
        test::Sock s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        const sockaddr_in a = test::loopback4(denied);
        bind_errno = errno_of(::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a));
        other_ok = test::bound4(SOCK_STREAM).ok();
    });
    CHECK(bind_errno == EPERM);
    CHECK(other_ok);
    CHECK(count(obj, C_BIND4) >= 2);

    // connect4: a connection to port A lands on listener B.
    test::Sock a = test::tcp_listener(), b = test::tcp_listener();
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    set_global<std::uint16_t>(obj, "connect_from_port", test::local_port(a.get()));
    set_global<std::uint16_t>(obj, "connect_to_port", test::local_port(b.get()));
    test::Sock client;
    inside(cg, [&] { client = test::tcp_connect(test::local_port(a.get())); });
    REQUIRE(client.ok());
    CHECK(test::readable(b.get(), 1000));
    CHECK_FALSE(test::readable(a.get(), 100));
    CHECK(count(obj, C_CONNECT4) >= 1);

    // getpeername4 (5.8): the port the program says. Attached after the connect: it runs on the call itself.
    auto peer = loaded<CgroupSockAddr>(obj, "getpeername4").attach(cg.path(), CgroupSockAddrHook::Getpeername4);
    REQUIRE(peer);
    set_global<std::uint16_t>(obj, "getpeername_port", 4242);
    std::uint16_t peer_port = 0;
    inside(cg, [&] {
        sockaddr_in p{};
        socklen_t len = sizeof p;
        if (::getpeername(client.get(), reinterpret_cast<sockaddr*>(&p), &len) == 0) peer_port = ntohs(p.sin_port);
    });
    CHECK(peer_port == 4242);

    // sendmsg4: a datagram to port A arrives at B.
    test::Sock ua = test::bound4(SOCK_DGRAM), ub = test::bound4(SOCK_DGRAM);
    set_global<std::uint16_t>(obj, "connect_from_port", test::local_port(ua.get()));
    set_global<std::uint16_t>(obj, "connect_to_port", test::local_port(ub.get()));
    inside(cg, [&] {
        test::Sock tx(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        const sockaddr_in to = test::loopback4(test::local_port(ua.get()));
        CHECK(::sendto(tx.get(), "moved", 5, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 5);
        CHECK(test::recv_some(ub.get()) == "moved");
        // recvmsg4 runs for the receiver in the cgroup (its program must allow).
        const sockaddr_in to_b = test::loopback4(test::local_port(ub.get()));
        test::Sock rx = test::bound4(SOCK_DGRAM);
        const sockaddr_in to_rx = test::loopback4(test::local_port(rx.get()));
        CHECK(::sendto(tx.get(), "x", 1, 0, reinterpret_cast<const sockaddr*>(&to_rx), sizeof to_rx) == 1);
        char buf[8];
        sockaddr_in from{};
        socklen_t flen = sizeof from;
        CHECK(test::readable(rx.get()));
        CHECK(::recvfrom(rx.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen) == 1);
        (void)to_b;
    });
    CHECK_FALSE(test::readable(ua.get(), 100));
    CHECK(count(obj, C_SENDMSG4) >= 1);
    CHECK(count(obj, C_RECVMSG4) >= 1);
    CHECK(count(obj, C_GETSOCKNAME4) >= 1);  // bound4() asked for the port
}

TEST_CASE("cgroup/setsockopt rewrites and refuses values, cgroup/getsockopt overrides what is read",
          "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    auto set = loaded<CgroupSockopt>(obj, "setsockopt_tos").attach(cg.path());
    REQUIRE(set);
    auto tos_of = [](int fd) {
        int v = -1;
        socklen_t len = sizeof v;
        return ::getsockopt(fd, IPPROTO_IP, IP_TOS, &v, &len) == 0 ? v : -1;
    };
    int refused = 0, stored = -1, read_back = -1, unrelated = -1;
    inside(cg, [&] {
        test::Sock s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        int v = 0x10;
        REQUIRE(::setsockopt(s.get(), IPPROTO_IP, IP_TOS, &v, sizeof v) == 0);
        stored = tos_of(s.get());
        v = 0xfc;
        refused = errno_of(::setsockopt(s.get(), IPPROTO_IP, IP_TOS, &v, sizeof v));
        // Options the programs do not handle pass through untouched.
        const int one = 1;
        REQUIRE(::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
        socklen_t len = sizeof unrelated;
        ::getsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &unrelated, &len);
    });
    CHECK(stored == 0x20);
    CHECK(refused == EPERM);
    CHECK(unrelated == 1);
    auto get = loaded<CgroupSockopt>(obj, "getsockopt_tos").attach(cg.path(), CgroupSockoptHook::Get);
    REQUIRE(get);
    inside(cg, [&] {
        test::Sock s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        read_back = tos_of(s.get());
    });
    CHECK(read_back == 0x28);
    CHECK(count(obj, C_GETSOCKOPT) >= 1);
    CHECK(count(obj, C_SETSOCKOPT) >= 2);
}

TEST_CASE("cgroup/sysctl refuses a write to /proc/sys; reads and other writers are untouched", "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    test::Netns ns;  // net sysctls are per namespace: the writes below touch only a private one
    if (!ns.ok()) EBPF_SKIP("no private network namespace: " << ns.error());
    auto link = loaded<CgroupSysctl>(obj, "sysctl_guard").attach(cg.path());
    REQUIRE(link);
    const char* path = "/proc/sys/net/ipv4/ip_default_ttl";
    std::string value;
    int inside_errno = 0, outside_errno = -1;
    auto write_same = [&]() -> int {
        const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return errno;
        const long n = ::write(fd, value.data(), value.size());
        const int e = n < 0 ? errno : 0;
        ::close(fd);
        return e;
    };
    ns.run([&] {
        std::ifstream in(path);
        std::getline(in, value);
        value += "\n";
        inside(cg, [&] {
            std::ifstream again(path);
            std::string read;
            std::getline(again, read);
            CHECK(read + "\n" == value);  // reading is allowed
            inside_errno = write_same();
        });
        outside_errno = write_same();
    });
    CHECK(inside_errno == EPERM);
    CHECK(outside_errno == 0);
    CHECK(count(obj, C_SYSCTL) >= 2);
}

TEST_CASE("cgroup/dev refuses opening one device node", "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    char dir[] = "/tmp/ebpf-cxx-dev-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    // Our own tmpfs, mounted without nodev, so that the node opens whatever /tmp is (the test VMs mount it nodev);
    // unmounted (and the directory removed) however the test ends.
    struct OwnMount {
        const char* path;
        bool mounted;
        ~OwnMount() {
            if (mounted) ::umount2(path, MNT_DETACH);
            ::rmdir(path);
        }
    } own{dir, ::mount("ebpf-cxx-dev", dir, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0700") == 0};
    const std::string node = std::string(dir) + "/full";
    // Our own node for /dev/full (char 1:7): nothing else in the process uses it.
    REQUIRE(::mknod(node.c_str(), S_IFCHR | 0600, makedev(1, 7)) == 0);
    // Before any program: a file system mounted nodev (the test VMs' /tmp) refuses every device node.
    if (const int probe = ::open(node.c_str(), O_RDONLY | O_CLOEXEC); probe < 0) {
        const int e = errno;
        ::unlink(node.c_str());
        EBPF_SKIP("device nodes cannot be opened in " << dir << " even without a program (" << std::strerror(e)
                                                      << "): a nodev mount, and no tmpfs of our own could be mounted");
    } else {
        ::close(probe);
    }
    auto link = loaded<CgroupDevice>(obj, "dev_guard").attach(cg.path());
    REQUIRE(link);
    set_global<std::uint32_t>(obj, "dev_denied_major", 1);
    set_global<std::uint32_t>(obj, "dev_denied_minor", 7);
    int denied = 0, allowed = -1;
    inside(cg, [&] {
        const int fd = ::open(node.c_str(), O_RDONLY | O_CLOEXEC);
        denied = fd < 0 ? errno : 0;
        if (fd >= 0) ::close(fd);
        const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        allowed = null < 0 ? errno : 0;
        if (null >= 0) ::close(null);
    });
    REQUIRE(link->detach());  // the Link goes: the node opens again
    const int after = ::open(node.c_str(), O_RDONLY | O_CLOEXEC);
    CHECK(after >= 0);
    if (after >= 0) ::close(after);
    ::unlink(node.c_str());
    CHECK(denied == EPERM);
    CHECK(allowed == 0);
    CHECK(count(obj, C_DEV) >= 2);
}

TEST_CASE("cgroup hook programs through the BPF_PROG_ATTACH fallback, forced by the probe", "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    const ProbeKey key = ProbeKey::link(AttachType::CgroupInet4Bind);
    override_probe(key, false);
    auto link = loaded<CgroupSockAddr>(obj, "bind4").attach(cg.path());
    override_probe(key, std::nullopt);
    REQUIRE(link);
    CHECK_FALSE(link->is_bpf_link());
    auto q = query_cgroup(cg.path(), AttachType::CgroupInet4Bind);
    REQUIRE(q);
    REQUIRE(q->programs.size() == 1);
    CHECK(q->mode() == CgroupAttachMode::AllowMultiple);
    const std::uint16_t denied = free_port(SOCK_DGRAM);
    set_global<std::uint16_t>(obj, "bind_denied_port", denied);
    int e = 0;
    inside(cg, [&] {
        test::Sock s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        const sockaddr_in a = test::loopback4(denied);
        e = errno_of(::bind(s.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a));
    });
    CHECK(e == EPERM);
    REQUIRE(link->detach());
    CHECK(query_cgroup(cg.path(), AttachType::CgroupInet4Bind)->programs.empty());
}

TEST_CASE("cgroup attach modes: Single and AllowOverride use BPF_PROG_ATTACH; a mode clash is Busy and removes "
          "nothing",
          "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    auto a = loaded<CgroupSockAddr>(obj, "order_a");
    auto b = loaded<CgroupSockAddr>(obj, "order_b");
    auto c = loaded<CgroupSockAddr>(obj, "getsockname4");
    const int fds = test::open_fd_count();
    {
        auto single = a.attach(cg.path(), {.mode = CgroupAttachMode::Single});
        REQUIRE(single);
        CHECK_FALSE(single->is_bpf_link());
        auto q = query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname);
        REQUIRE(q);
        CHECK(q->mode() == CgroupAttachMode::Single);
        REQUIRE(q->programs.size() == 1);
        CHECK(q->programs[0].program_id == a.program().info()->id);
        // A second program with the (default) multi mode: the kernel refuses (EPERM), and we say why.
        auto multi = b.attach(cg.path());
        REQUIRE_FALSE(multi);
        CHECK(multi.error().code() == Errc::Busy);
        CHECK(std::string(multi.error().message()).find("Single") != std::string::npos);
        auto still = query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname);
        REQUIRE(still);
        CHECK(still->programs.size() == 1);
    }
    CHECK(query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname)->programs.empty());
    {
        auto over = a.attach(cg.path(), {.mode = CgroupAttachMode::AllowOverride});
        REQUIRE(over);
        CHECK(query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname)->mode() == CgroupAttachMode::AllowOverride);
        // An order needs AllowMultiple.
        auto ordered = b.attach(cg.path(), {.mode = CgroupAttachMode::AllowOverride, .order = CgroupOrder::first()});
        REQUIRE_FALSE(ordered);
        CHECK(ordered.error().code() == Errc::InvalidArgument);
    }
    // BPF_F_REPLACE swaps one program for another in place (multi mode, BPF_PROG_ATTACH).
    {
        auto first = a.attach(cg.path(), {.replace = nullptr});
        REQUIRE(first);
        override_probe(ProbeKey::link(AttachType::CgroupInet4Getsockname), false);
        auto legacy = b.attach(cg.path());
        override_probe(ProbeKey::link(AttachType::CgroupInet4Getsockname), std::nullopt);
        REQUIRE(legacy);
        auto replaced = c.attach(cg.path(), {.replace = &b.program()});
        REQUIRE(replaced);
        auto q = query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname);
        REQUIRE(q);
        REQUIRE(q->programs.size() == 2);
        CHECK(q->programs[1].program_id == c.program().info()->id);
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("cgroup program order: first, before and after a program or link; expected revision", "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    auto a = loaded<CgroupSockAddr>(obj, "order_a");
    auto b = loaded<CgroupSockAddr>(obj, "order_b");
    auto q0 = query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname);
    REQUIRE(q0);
    CHECK(q0->programs.empty());
    auto la = a.attach(cg.path());
    REQUIRE(la);
    auto lb = b.attach(cg.path(), {.order = CgroupOrder::before(*la)});
    if (!lb && lb.error().code() == Errc::NotSupported)
        EBPF_SKIP("no cgroup program ordering here (BPF_PROG_QUERY reports no revision): " << lb.error().message());
    REQUIRE(lb);
    auto q = query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname);
    REQUIRE(q);
    REQUIRE(q->programs.size() == 2);
    CHECK(q->programs[0].program_id == b.program().info()->id);
    CHECK(q->programs[1].program_id == a.program().info()->id);
    CHECK(q->revision > q0->revision);
    set_global<std::uint64_t>(obj, "order_trace", 0);
    inside(cg, [&] { test::Sock s = test::bound4(SOCK_DGRAM); (void)test::local_port(s.get()); });  // getsockname
    CHECK(obj.global<std::uint64_t>("order_trace")->get().value() % 100 == 21);  // b, then a
    // A stale revision is refused (Busy), the current one accepted.
    REQUIRE(lb->detach());
    auto now = query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname);
    REQUIRE(now);
    auto stale = b.attach(cg.path(), {.order = CgroupOrder::after(a.program()), .expected_revision = q->revision});
    REQUIRE_FALSE(stale);
    CHECK(stale.error().code() == Errc::Busy);
    auto by_program = b.attach(cg.path(), {.order = CgroupOrder::after(a.program())});
    REQUIRE_FALSE(by_program);
    CHECK(by_program.error().code() == Errc::InvalidArgument);
    CHECK(std::string(by_program.error().message()).find("is named by its link") != std::string::npos);
    auto fresh = b.attach(cg.path(), {.order = CgroupOrder::after(*la), .expected_revision = now->revision});
    INFO((fresh ? std::string() : std::string(fresh.error().message())));
    REQUIRE(fresh);
    set_global<std::uint64_t>(obj, "order_trace", 0);
    inside(cg, [&] { test::Sock s = test::bound4(SOCK_DGRAM); (void)test::local_port(s.get()); });  // getsockname
    CHECK(obj.global<std::uint64_t>("order_trace")->get().value() % 100 == 12);  // a, then b
    // Relative to a link that is gone: NotFound. (A program attached through a link is named by its link: the
    // kernel refuses its program as the relative one.)
    auto c = loaded<CgroupSockAddr>(obj, "getsockname4");
    const std::uint32_t gone_id = fresh->info()->id;
    REQUIRE(fresh->detach());
    auto lost = c.attach(cg.path(), {.order = CgroupOrder::before_link_id(gone_id)});
    REQUIRE_FALSE(lost);
    CHECK(lost.error().code() == Errc::NotFound);
    // First, by the link's id.
    auto first = c.attach(cg.path(), {.order = CgroupOrder::before_link_id(la->info()->id)});
    INFO((first ? std::string() : std::string(first.error().message())));
    REQUIRE(first);
    auto q2 = query_cgroup(cg.path(), AttachType::CgroupInet4Getsockname);
    REQUIRE(q2);
    REQUIRE(q2->programs.size() == 2);
    CHECK(q2->programs[0].program_id == c.program().info()->id);
}

TEST_CASE("cgroup hook errors: wrong kind, wrong hook, missing cgroup, not loaded, effective query", "[cgroup_hooks]") {
    Object obj = load_hooks();
    test::TempCgroup cg;
    const int fds = test::open_fd_count();
    auto wrong_kind = obj.program<CgroupSockAddr>("sock_create");
    REQUIRE_FALSE(wrong_kind);
    CHECK(wrong_kind.error().code() == Errc::InvalidArgument);
    CHECK(std::string(wrong_kind.error().message()).find("CgroupSockAddr") != std::string::npos);
    auto connect = obj.program<CgroupSockAddr>("connect4");
    REQUIRE(connect);
    auto unloaded = connect->attach(cg.path());
    REQUIRE_FALSE(unloaded);
    CHECK(unloaded.error().code() == Errc::InvalidArgument);
    CHECK(std::string(unloaded.error().message()) == "attach cgroup_sock_addr program 'connect4' to cgroup " +
                                                         cg.path() + " (cgroup_inet4_connect): the program is not loaded");
    REQUIRE(connect->load());
    auto wrong_hook = connect->attach(cg.path(), CgroupSockAddrHook::Bind4);
    REQUIRE_FALSE(wrong_hook);
    CHECK(wrong_hook.error().code() == Errc::InvalidArgument);
    CHECK(std::string(wrong_hook.error().message()) ==
          "attach cgroup_sock_addr program 'connect4' to cgroup " + cg.path() +
              " (cgroup_inet4_bind): the program was loaded for cgroup_inet4_connect (its section 'cgroup/connect4'); "
              "attach it as that, or set its expected attach type before load");
    auto missing = connect->attach("/sys/fs/cgroup/ebpf-cxx-no-such-cgroup");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code() == Errc::NotFound);
    auto not_cgroup = query_cgroup("/tmp", AttachType::CgroupInet4Connect);
    REQUIRE_FALSE(not_cgroup);
    CHECK(not_cgroup.error().code() == Errc::InvalidArgument);
    auto not_cgroup_type = query_cgroup(cg.path(), AttachType::Xdp);
    REQUIRE_FALSE(not_cgroup_type);
    auto prog = obj.program("bind4");
    REQUIRE(prog);
    REQUIRE(prog->load());
    {
        // Effective programs include the ones inherited from the parent cgroup.
        auto link = connect->attach(cg.path());
        REQUIRE(link);
        auto eff = query_cgroup(cg.path(), AttachType::CgroupInet4Connect, {.effective = true});
        REQUIRE(eff);
        CHECK(eff->programs.size() >= 1);
        CHECK(eff->programs[0].program_id == connect->program().info()->id);
        // auto_attach takes the cgroup from the options, the hook from the section.
        auto no_cgroup = auto_attach(*prog);
        REQUIRE_FALSE(no_cgroup);
        CHECK(no_cgroup.error().code() == Errc::InvalidArgument);
        auto automatic = auto_attach(*prog, {.cgroup = cg.path()});
        REQUIRE(automatic);
        CHECK(query_cgroup(cg.path(), AttachType::CgroupInet4Bind)->programs.size() == 1);
    }
    CHECK(query_cgroup(cg.path(), AttachType::CgroupInet4Bind)->programs.empty());
    CHECK(test::open_fd_count() == fds + 2);  // the two programs loaded here
}
