// SPDX-License-Identifier: MIT
// struct_ops: a TCP congestion control written in BPF (bpf-progs/tcp_cc.bpf.c), registered through a struct_ops
// bpf_link or by map update, selected with TCP_CONGESTION on loopback connections, observed through TCP_INFO and
// counters its callbacks keep, and gone again when the Link goes.
#include <catch2/catch.hpp>

#include <array>
#include <thread>

#include <ebpf/ebpf.hpp>
#include <ebpf/struct_ops.hpp>

#include "kernel/socket_support.hpp"
#include "support/fd_count.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

enum { kInit, kSsthresh, kCongAvoid, kUndo, kCongAvoidV2, kCalls };
using Calls = std::array<std::uint64_t, kCalls>;

std::optional<std::string> lacks_struct_ops() {
    auto p = program_type_supported(ProgramType::StructOps);
    if (!p) return "struct_ops probe failed: " + std::string(p.error().message());
    if (!*p) return std::string("no BPF_PROG_TYPE_STRUCT_OPS in this kernel (probe prog:struct_ops)");
    // arm64 before 6.0 has the program type but no BPF trampolines: registering any struct_ops map fails with
    // ENOTSUPP (524), as fentry and LSM attach do. Found out once, by registering the legacy variable.
    static const std::optional<std::string> no_trampolines = []() -> std::optional<std::string> {
        auto obj = Object::load_file(test::obj_path("tcp_cc.bpf.o").c_str());
        if (!obj) return std::nullopt;  // the test itself reports it
        auto cc = obj->struct_ops("ebpfcxx_cc_legacy");
        if (!cc) return std::nullopt;
        auto link = cc->attach();
        if (!link && link.error().sys_errno() == 524)
            return "this kernel cannot register struct_ops (no trampolines): " + std::string(link.error().message());
        return std::nullopt;
    }();
    return no_trampolines;
}

Calls calls(const Object& obj) {
    auto g = obj.global<Calls>("cc_calls");
    REQUIRE(g);
    auto v = g->get();
    REQUIRE(v);
    return *v;
}

// Whether `name` can be chosen with TCP_CONGESTION on a new TCP socket.
bool selectable(const char* name) {
    test::Sock s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    return s.ok() && ::setsockopt(s.get(), IPPROTO_TCP, TCP_CONGESTION, name, std::strlen(name)) == 0;
}

struct Transfer {
    bool ok = false;
    std::string congestion;   // TCP_CONGESTION of the sender after the transfer
    std::uint32_t cwnd = 0;   // tcpi_snd_cwnd of the sender
};

// Sends `bytes` over a loopback TCP connection whose sender uses congestion control `cc`.
Transfer transfer(const char* cc, std::size_t bytes) {
    Transfer t;
    auto pair = test::tcp_pair([&](int fd) {
        return ::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, std::strlen(cc)) == 0;
    });
    if (!pair.ok()) return t;
    std::size_t received = 0;
    std::thread reader([&] {
        std::vector<char> buf(1 << 16);
        while (received < bytes) {
            const long n = ::recv(pair.server.get(), buf.data(), buf.size(), 0);
            if (n <= 0) break;
            received += static_cast<std::size_t>(n);
        }
    });
    std::vector<char> chunk(1 << 16, 'x');
    std::size_t sent = 0;
    while (sent < bytes) {
        const long n = ::send(pair.client.get(), chunk.data(), std::min(chunk.size(), bytes - sent), 0);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    reader.join();
    char name[16] = {};
    socklen_t len = sizeof name;
    tcp_info info{};
    socklen_t ilen = sizeof info;
    t.ok = sent == bytes && received == bytes &&
           ::getsockopt(pair.client.get(), IPPROTO_TCP, TCP_CONGESTION, name, &len) == 0 &&
           ::getsockopt(pair.client.get(), IPPROTO_TCP, TCP_INFO, &info, &ilen) == 0;
    t.congestion.assign(name, strnlen(name, sizeof name));
    t.cwnd = info.tcpi_snd_cwnd;
    return t;
}

}  // namespace

TEST_CASE("a BPF congestion control is registered, used by TCP connections and unregistered", "[struct_ops]") {
    EBPF_SKIP_IF(lacks_struct_ops());
    const int fds = test::open_fd_count();
    {
        auto obj = Object::load_file(test::obj_path("tcp_cc.bpf.o").c_str());
        REQUIRE(obj);
        auto cc = obj->struct_ops("ebpfcxx_cc");
        REQUIRE(cc);
        CHECK(cc->type_name() == "tcp_congestion_ops");
        CHECK(cc->ops_name() == "ebpfcxx_cc");
        CHECK(cc->map().type() == MapType::StructOps);
        REQUIRE(cc->programs().size() == 4);
        CHECK_FALSE(selectable("ebpfcxx_cc"));
        {
            auto cap = obj->global<std::uint32_t>("cwnd_cap");
            REQUIRE(cap);
            REQUIRE(cap->set(12));
            auto link = cc->attach();
            if (!link && link.error().sys_errno() == 524)
                // arm64 before 6.4: no BPF trampolines for struct_ops members (ENOTSUPP), as for fentry and LSM.
                EBPF_SKIP("this kernel cannot register struct_ops (no trampolines): " << link.error().message());
            if (!link) FAIL(link.error().message());
            // A link where the kernel has struct_ops links (6.4), a map registration before.
            auto links = link_supported(AttachType::StructOps);
            REQUIRE(links);
            CHECK(cc->uses_link() == *links);
            CHECK(link->is_bpf_link() == *links);
            if (link->is_bpf_link()) {
                auto info = link->info();
                REQUIRE(info);
                CHECK(info->type == LinkType::StructOps);
                CHECK(info->map_id == cc->map().info()->id);
            }
            CHECK(selectable("ebpfcxx_cc"));
            const Transfer t = transfer("ebpfcxx_cc", 8u << 20);
            REQUIRE(t.ok);
            CHECK(t.congestion == "ebpfcxx_cc");
            const Calls c = calls(*obj);
            CHECK(c[kInit] >= 1);  // the sender (the accepted end keeps the default congestion control)
            CHECK(c[kCongAvoid] > 0);
            // cong_avoid never grows the window beyond the cap (the initial window is 10 segments).
            CHECK(t.cwnd <= 12);
            CHECK(t.cwnd > 0);
        }
        // The Link is gone: the name can no longer be chosen.
        CHECK_FALSE(selectable("ebpfcxx_cc"));
        // A link map registers again (its value stays written); a register-on-update map would not.
        if (cc->uses_link()) {
            auto again = cc->attach();
            REQUIRE(again);
            CHECK(selectable("ebpfcxx_cc"));
        }
        CHECK_FALSE(selectable("ebpfcxx_cc"));
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("a .struct_ops variable registers by map update and unregisters by element delete", "[struct_ops]") {
    EBPF_SKIP_IF(lacks_struct_ops());
    auto obj = Object::load_file(test::obj_path("tcp_cc.bpf.o").c_str());
    REQUIRE(obj);
    auto cc = obj->struct_ops("ebpfcxx_cc_legacy");
    REQUIRE(cc);
    CHECK_FALSE(cc->uses_link());
    {
        auto link = cc->attach();
        REQUIRE(link);
        CHECK_FALSE(link->is_bpf_link());
        auto info = link->info();
        REQUIRE(info);
        CHECK(info->attach_type == AttachType::StructOps);
        CHECK(info->map_id == cc->map().info()->id);
        CHECK(selectable("ebpfcxx_legacy"));
        const Transfer t = transfer("ebpfcxx_legacy", 1u << 20);
        REQUIRE(t.ok);
        CHECK(t.congestion == "ebpfcxx_legacy");
        CHECK(calls(*obj)[kInit] >= 1);
        // Registered already: a second registration of the same map is refused, and the first stays.
        auto twice = cc->attach();
        REQUIRE_FALSE(twice);
        CHECK(twice.error().code() == Errc::Busy);
        CHECK(selectable("ebpfcxx_legacy"));
    }
    CHECK_FALSE(selectable("ebpfcxx_legacy"));
    // The kernel does not let an unregistered map register again.
    auto again = cc->attach();
    REQUIRE_FALSE(again);
    CHECK(again.error().code() == Errc::Busy);
    CHECK_FALSE(selectable("ebpfcxx_legacy"));
}

TEST_CASE("register on update is forced for .struct_ops.link through the probe (kernels before 6.4)",
          "[struct_ops]") {
    EBPF_SKIP_IF(lacks_struct_ops());
    const ProbeKey key = ProbeKey::link(AttachType::StructOps);
    override_probe(key, false);
    auto obj = Object::load_file(test::obj_path("tcp_cc.bpf.o").c_str());
    override_probe(key, std::nullopt);
    REQUIRE(obj);
    auto cc = obj->struct_ops("ebpfcxx_cc");
    REQUIRE(cc);
    CHECK_FALSE(cc->uses_link());
    CHECK((cc->map().flags() & (1u << 13)) == 0);  // no BPF_F_LINK
    {
        auto link = cc->attach();
        REQUIRE(link);
        CHECK_FALSE(link->is_bpf_link());
        CHECK(selectable("ebpfcxx_cc"));
        const Transfer t = transfer("ebpfcxx_cc", 1u << 20);
        REQUIRE(t.ok);
        CHECK(t.congestion == "ebpfcxx_cc");
        // Such a registration cannot be swapped through a link.
        auto v2 = obj->struct_ops("ebpfcxx_cc_v2");
        REQUIRE(v2);
        auto upd = v2->update(*link);
        REQUIRE_FALSE(upd);
        CHECK(upd.error().code() == Errc::InvalidArgument);
    }
    CHECK_FALSE(selectable("ebpfcxx_cc"));
}

TEST_CASE("a struct_ops link is updated to another map without a gap", "[struct_ops]") {
    EBPF_SKIP_IF(lacks_struct_ops());
    auto links = link_supported(AttachType::StructOps);
    REQUIRE(links);
    if (!*links) EBPF_SKIP("no struct_ops links in this kernel (probe link:struct_ops; Linux 6.4)");
    auto obj = Object::load_file(test::obj_path("tcp_cc.bpf.o").c_str());
    REQUIRE(obj);
    auto v1 = obj->struct_ops("ebpfcxx_cc");
    auto v2 = obj->struct_ops("ebpfcxx_cc_v2");
    REQUIRE(v1);
    REQUIRE(v2);
    auto link = v1->attach();
    REQUIRE(link);
    REQUIRE(transfer("ebpfcxx_cc", 1u << 20).ok);
    const Calls before = calls(*obj);
    CHECK(before[kCongAvoid] > 0);
    CHECK(before[kCongAvoidV2] == 0);
    REQUIRE(v2->update(*link));
    CHECK(link->info()->map_id == v2->map().info()->id);
    REQUIRE(transfer("ebpfcxx_cc", 1u << 20).ok);
    const Calls after = calls(*obj);
    CHECK(after[kCongAvoidV2] > 0);
    // The legacy variable is no link map: it cannot take a link's place.
    auto legacy = obj->struct_ops("ebpfcxx_cc_legacy");
    REQUIRE(legacy);
    auto refused = legacy->update(*link);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == Errc::NotSupported);
    CHECK(selectable("ebpfcxx_cc"));
    REQUIRE(link->detach());
    CHECK_FALSE(selectable("ebpfcxx_cc"));
}

TEST_CASE("struct_ops errors: a taken name, a member the kernel lacks, unknown variables", "[struct_ops]") {
    EBPF_SKIP_IF(lacks_struct_ops());
    const int fds = test::open_fd_count();
    {
        auto obj = Object::load_file(test::obj_path("tcp_cc.bpf.o").c_str());
        REQUIRE(obj);
        // "reno" is always registered: the kernel says EEXIST, and nothing of reno changes.
        auto taken = obj->struct_ops("ebpfcxx_cc_taken");
        REQUIRE(taken);
        auto r = taken->attach();
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == Errc::Exists);
        CHECK(std::string(r.error().message()).find("\"reno\"") != std::string::npos);
        CHECK(selectable("reno"));
        auto none = obj->struct_ops("no_such_ops");
        REQUIRE_FALSE(none);
        CHECK(none.error().code() == Errc::NotFound);
        CHECK(std::string(none.error().message()).find("ebpfcxx_cc") != std::string::npos);
        // struct_ops programs are registered through their map, not attached on their own.
        auto prog = obj->program("cc_init");
        REQUIRE(prog);
        auto auto_link = auto_attach(*prog);
        REQUIRE_FALSE(auto_link);
        CHECK(auto_link.error().code() == Errc::NotSupported);
        CHECK(std::string(auto_link.error().message()).find("struct_ops") != std::string::npos);
    }
    auto bad = Object::load_file(test::obj_path("tcp_cc_bad.bpf.o").c_str());
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code() == Errc::NotFound);
    CHECK(std::string(bad.error().message()).find("'no_such_member'") != std::string::npos);
    CHECK(std::string(bad.error().message()).find("ebpfcxx_bad") != std::string::npos);
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("Object::attach_struct_ops registers every variable or none", "[struct_ops]") {
    EBPF_SKIP_IF(lacks_struct_ops());
    auto obj = Object::load_file(test::obj_path("tcp_cc.bpf.o").c_str());
    REQUIRE(obj);
    // ebpfcxx_cc and ebpfcxx_cc_v2 share a name, and ebpfcxx_cc_taken is "reno": the call fails, naming the
    // variable, and what it registered before is unregistered again.
    auto all = obj->attach_struct_ops();
    REQUIRE_FALSE(all);
    CHECK(std::string(all.error().message()).find("ebpfcxx_cc_v2") != std::string::npos);
    CHECK_FALSE(selectable("ebpfcxx_cc"));
}
