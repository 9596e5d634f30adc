// SPDX-License-Identifier: MIT
// Views of maps whose values are file descriptors (programs, perf events, sockets, devices, CPUs, AF_XDP sockets,
// cgroups) and of local storage keyed by fds.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>

#include <ebpf/ebpf.hpp>

#include "kernel/map_support.hpp"
#include "support/btf_builder.hpp"
#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/skip.hpp"
#include "sys/bpf.hpp"

using namespace ebpf;
using test::map_spec;

namespace {

// A connected TCP pair over loopback (client, accepted server side), closed by the destructor.
struct TcpPair {
    UniqueFd client, server;
    TcpPair() {
        UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listener.get(), 1) != 0 ||
            ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
            return;
        client.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (::connect(client.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return;
        server.reset(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    }
};

std::uint64_t cookie_of(int fd) {
    std::uint64_t c = 0;
    socklen_t len = sizeof c;
    REQUIRE(::getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len) == 0);
    return c;
}

// Object BTF with "int" (id 1) and "unsigned long long" (id 2): local storage maps need BTF key/value types.
UniqueFd storage_btf() {
    test::BtfBuilder b;
    b.add_int("int", 4, 1 /* signed */);
    b.add_int("unsigned long long", 8);
    const std::vector<std::byte> blob = b.build();
    sys::BtfLoadAttr a{};
    a.btf = sys::ptr_to_u64(blob.data());
    a.btf_size = static_cast<std::uint32_t>(blob.size());
    auto fd = sys::btf_load(a);
    REQUIRE(fd);
    return std::move(*fd);
}

std::optional<Map> storage_map(MapType t, const UniqueFd& btf) {
    MapSpec s = map_spec(t, 4, 8, 0, "storage", 1 /* BPF_F_NO_PREALLOC */);
    s.key_type = 1;
    s.value_type = 2;
    MapCreateOptions o;
    o.btf_fd = btf.get();
    return test::create_or_skip(s, o);
}

Object load_fd_progs() {
    auto obj = Object::load_file(test::obj_path("map_fd_progs.bpf.o").c_str());
    if (!obj) FAIL(std::string(obj.error().message()));
    return std::move(*obj);
}

}  // namespace

TEST_CASE("ProgArray: tail calls follow the slots set and cleared by program", "[maps][fd_maps]") {
    const int fds = test::open_fd_count();
    {
        Object obj = load_fd_progs();
        auto jumps = obj.map<ProgArray>("jumps");
        REQUIRE(jumps);
        Program a = *obj.program("tail_a"), b = *obj.program("tail_b"), entry = *obj.program("tail_entry");
        // Not loaded yet: refused before the kernel sees fd -1.
        CHECK(test::fails_with(jumps->set(0, a), Errc::InvalidArgument, "the program is not open (load it first)"));
        REQUIRE(a.load());
        REQUIRE(b.load());
        REQUIRE(entry.load());
        auto slot = obj.global<std::uint32_t>("slot");
        REQUIRE(slot);
        std::vector<std::byte> pkt(64);
        auto run = [&] { return entry.test_run({.data_in = pkt})->retval; };
        CHECK(run() == 2);  // empty slot: falls through (XDP_PASS)
        REQUIRE(jumps->set(0, a));
        CHECK(run() == 3);  // tail_a: XDP_TX
        REQUIRE(jumps->set(0, b));
        CHECK(run() == 1);  // tail_b: XDP_DROP
        CHECK(**jumps->program_id(0) == b.info()->id);
        REQUIRE(slot->set(2));
        CHECK(run() == 2);
        REQUIRE(jumps->set(2, a));
        CHECK(run() == 3);
        REQUIRE(jumps->set(3, a));
        auto cleared = jumps->clear_program(a);
        REQUIRE(cleared);
        CHECK(*cleared == 2);
        CHECK(run() == 2);
        CHECK_FALSE(jumps->program_id(2)->has_value());
        CHECK(**jumps->program_id(0) == b.info()->id);
        CHECK(*jumps->clear(0));
        CHECK_FALSE(*jumps->clear(0));
        CHECK(test::fails_with(jumps->set(4, a), Errc::InvalidArgument, "index 4 is out of range"));
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("PerfEventArray: slots take perf event fds", "[maps][fd_maps]") {
    auto m = Map::create(map_spec(MapType::PerfEventArray, 4, 4, 2, "events"));
    REQUIRE(m);
    auto events = PerfEventArray::from(*m);
    REQUIRE(events);
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_BPF_OUTPUT;
    attr.sample_type = PERF_SAMPLE_RAW;
    UniqueFd pe(static_cast<int>(::syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC)));
    REQUIRE(pe.valid());
    REQUIRE(events->set(0, pe));
    CHECK(*events->clear(0));
    CHECK_FALSE(*events->clear(0));
    CHECK(test::fails_with(events->set(1, FdRef(-1)), Errc::InvalidArgument, "the perf event is not open"));
    int not_perf = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    UniqueFd guard(not_perf);
    CHECK_FALSE(events->set(1, guard));
}

TEST_CASE("SockMap, SockHash and ReuseportArray store sockets and give back cookies", "[maps][fd_maps]") {
    const int fds = test::open_fd_count();
    {
        TcpPair tcp;
        REQUIRE(tcp.server.valid());
        auto sm = test::create_or_skip(map_spec(MapType::Sockmap, 4, 8, 2, "socks"));
        if (!sm) return;
        auto socks = SockMap::from(*sm);
        REQUIRE(socks);
        REQUIRE(socks->set(0, tcp.client));
        CHECK(**socks->cookie(0) == cookie_of(tcp.client.get()));
        CHECK_FALSE(socks->cookie(1)->has_value());
        CHECK(*socks->clear(0));
        CHECK_FALSE(*socks->clear(0));

        auto sh = test::create_or_skip(map_spec(MapType::Sockhash, 4, 8, 2, "sockhash"));
        if (!sh) return;
        auto hash = SockHash<std::uint32_t>::from(*sh);
        REQUIRE(hash);
        REQUIRE(hash->set(77, tcp.server));
        CHECK(**hash->cookie(77) == cookie_of(tcp.server.get()));
        CHECK(*hash->keys() == std::vector<std::uint32_t>{77});
        CHECK(*hash->clear(77));

        auto narrow = Map::create(map_spec(MapType::Sockmap, 4, 4, 1, "narrow"));
        REQUIRE(narrow);
        CHECK(test::fails_with(SockMap::from(*narrow)->cookie(0), Errc::InvalidArgument, "8-byte values"));

        auto rm = test::create_or_skip(map_spec(MapType::ReuseportSockarray, 4, 8, 2, "reuse"));
        if (!rm) return;
        auto reuse = ReuseportArray::from(*rm);
        REQUIRE(reuse);
        UniqueFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        const int one = 1;
        REQUIRE(::setsockopt(udp.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(udp.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(reuse->set(1, udp));
        CHECK(**reuse->cookie(1) == cookie_of(udp.get()));
        CHECK(*reuse->clear(1));
        // A socket without SO_REUSEPORT is the kernel's refusal.
        UniqueFd plain(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        CHECK_FALSE(reuse->set(0, plain));
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("DevMap and CpuMap hold devices, queues and their XDP programs", "[maps][fd_maps]") {
    const int fds = test::open_fd_count();
    {
        Object obj = load_fd_progs();
        Program on_dev = *obj.program("on_devmap"), on_cpu = *obj.program("on_cpumap");
        REQUIRE(on_dev.load());
        REQUIRE(on_cpu.load());

        auto dm = test::create_or_skip(map_spec(MapType::Devmap, 4, 8, 4, "devs"));
        if (!dm) return;
        auto devs = DevMap::from(*dm);
        REQUIRE(devs);
        CHECK_FALSE(devs->hashed());
        REQUIRE(devs->set(0, 1));  // lo
        auto e = devs->get(0);
        REQUIRE(e);
        REQUIRE(*e);
        CHECK((*e)->ifindex == 1);
        CHECK((*e)->program_id == 0);
        REQUIRE(devs->set(1, 1, on_dev));
        CHECK((*devs->get(1))->program_id == on_dev.info()->id);
        CHECK(test::fails_with(devs->set(2, 999999), Errc::InvalidArgument, "update"));  // no such interface
        CHECK(test::fails_with(devs->set(4, 1), Errc::InvalidArgument, "out of range"));
        REQUIRE(devs->clear(0));
        CHECK_FALSE(devs->get(0)->has_value());

        auto dh = test::create_or_skip(map_spec(MapType::DevmapHash, 4, 8, 4, "devhash"));
        if (dh) {
            auto hashed = DevMap::from(*dh);
            REQUIRE(hashed);
            CHECK(hashed->hashed());
            REQUIRE(hashed->set(1000, 1));
            CHECK(*hashed->keys() == std::vector<std::uint32_t>{1000});
        }
        auto narrow = Map::create(map_spec(MapType::Devmap, 4, 4, 1, "narrow"));
        REQUIRE(narrow);
        CHECK(test::fails_with(DevMap::from(*narrow)->set(0, 1, on_dev), Errc::InvalidArgument, "8-byte values"));

        auto cpus = possible_cpus();
        REQUIRE(cpus);
        auto cm = test::create_or_skip(map_spec(MapType::Cpumap, 4, 8, *cpus, "cpus"));
        if (!cm) return;
        auto cpumap = CpuMap::from(*cm);
        REQUIRE(cpumap);
        REQUIRE(cpumap->set(0, 64));
        CHECK((*cpumap->get(0))->queue_size == 64);
        REQUIRE(cpumap->set(0, 32, on_cpu));
        auto c = cpumap->get(0);
        REQUIRE(c);
        CHECK((*c)->queue_size == 32);
        CHECK((*c)->program_id == on_cpu.info()->id);
        CHECK(test::fails_with(cpumap->set(0, 0), Errc::InvalidArgument, "queue size must be at least 1"));
        // A program for another hook is the kernel's refusal.
        CHECK_FALSE(cpumap->set(0, 32, on_dev));
        REQUIRE(cpumap->clear(0));
        CHECK_FALSE(cpumap->get(0)->has_value());
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("XskMap refuses what is not a bound AF_XDP socket; CgroupArray holds cgroups", "[maps][fd_maps]") {
    auto xm = test::create_or_skip(map_spec(MapType::Xskmap, 4, 4, 2, "xsks"));
    if (xm) {
        auto xsks = XskMap::from(*xm);
        REQUIRE(xsks);
        UniqueFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        auto r = xsks->set(0, udp);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == Errc::NotSupported);
        CHECK(xsks->clear(1));  // the kernel reports success for an empty slot
    }
    test::TempCgroup cg;
    REQUIRE_FALSE(cg.path().empty());
    auto dir = UniqueFd::open(cg.path().c_str(), O_DIRECTORY);
    REQUIRE(dir);
    auto am = Map::create(map_spec(MapType::CgroupArray, 4, 4, 2, "cgroups"));
    REQUIRE(am);
    auto cgroups = CgroupArray::from(*am);
    REQUIRE(cgroups);
    REQUIRE(cgroups->set(1, *dir));
    CHECK(*cgroups->clear(1));
    CHECK_FALSE(*cgroups->clear(1));
    CHECK(test::fails_with(cgroups->set(2, *dir), Errc::InvalidArgument, "out of range"));
}

TEST_CASE("local storage maps keep a value per socket, task, cgroup and inode", "[maps][fd_maps]") {
    const int fds = test::open_fd_count();
    {
        UniqueFd btf = storage_btf();
        TcpPair tcp;
        REQUIRE(tcp.client.valid());
        if (auto m = storage_map(MapType::SkStorage, btf)) {
            auto sk = SkStorage<std::uint64_t>::from(*m);
            REQUIRE(sk);
            CHECK_FALSE(sk->get(tcp.client)->has_value());
            REQUIRE(sk->set(tcp.client, 11));
            CHECK(**sk->get(tcp.client) == 11);
            CHECK(test::fails_with(sk->set(tcp.client, 12, UpdateFlags::NoExist), Errc::Exists, "update"));
            CHECK(*sk->remove(tcp.client));
            CHECK_FALSE(*sk->remove(tcp.client));
        }
        if (auto m = storage_map(MapType::TaskStorage, btf)) {
            UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
            REQUIRE(pidfd.valid());
            auto task = TaskStorage<std::uint64_t>::from(*m);
            REQUIRE(task);
            REQUIRE(task->set(pidfd, 22));
            CHECK(**task->get(pidfd) == 22);
            CHECK(*task->remove(pidfd));
        }
        test::TempCgroup cg;
        REQUIRE_FALSE(cg.path().empty());
        if (auto m = storage_map(MapType::CgrpStorage, btf)) {
            auto dir = UniqueFd::open(cg.path().c_str(), O_DIRECTORY);
            REQUIRE(dir);
            auto cgrp = CgrpStorage<std::uint64_t>::from(*m);
            REQUIRE(cgrp);
            REQUIRE(cgrp->set(*dir, 33));
            CHECK(**cgrp->get(*dir) == 33);
        }
        if (auto m = storage_map(MapType::InodeStorage, btf)) {
            auto inode = InodeStorage<std::uint64_t>::from(*m);
            REQUIRE(inode);
            auto file = UniqueFd::open("/proc/self/exe");
            REQUIRE(file);
            auto r = inode->set(*file, 44);
            if (!r && r.error().sys_errno() == EBADF) {
                EBPF_MARK_SKIPPED("inode storage not tested: the BPF LSM is not active here (" << r.error().message()
                                                                                                  << ")");
            } else {
                REQUIRE(r);
                CHECK(**inode->get(*file) == 44);
            }
        }
        // Storage is keyed by a live fd; a closed one is the kernel's EBADF.
        if (auto m = storage_map(MapType::SkStorage, btf)) {
            CHECK_FALSE(SkStorage<std::uint64_t>::from(*m)->get(FdRef(1000000)));
        }
        // The older per-attachment cgroup storage: nothing is attached, so nothing is there.
        auto cs = test::create_or_skip(map_spec(MapType::CgroupStorage, 16, 8, 0, "cg_storage"));
        if (cs) {
            auto storage = CgroupStorage<std::uint64_t>::from(*cs);
            REQUIRE(storage);
            CHECK_FALSE(storage->get({1, 0})->has_value());
            CHECK(storage->keys()->empty());
        }
    }
    CHECK(test::open_fd_count() == fds);
}
