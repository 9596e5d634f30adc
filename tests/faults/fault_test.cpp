// SPDX-License-Identifier: MIT
// Fault injection through the syscall seam: every bpf()/fcntl()/file call of a load and attach fails in turn; each
// failure must give an error naming the step, leave no fd and no pin behind, and retry where the kernel asks to.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <linux/bpf.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include <ebpf/ebpf.hpp>

#include "support/fault_syscall.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;
namespace fault = ebpf::test::fault;

namespace {

int entries(const std::string& dir) {
    int n = 0;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* e = ::readdir(d)) n += e->d_name[0] != '.';
        ::closedir(d);
    }
    return n;
}

// The whole user journey: load an object with maps of every kind (one pinned), load its programs, run one,
// then load the seed example and attach it to a cgroup.
Result<void> journey(const std::string& pin_root, const test::TempCgroup& cg) {
    LoadOptions o;
    o.pin_root = pin_root;
    o.load_programs = true;
    auto maps = Object::load_file(test::obj_path("maps.bpf.o").c_str(), o);
    if (!maps) return std::move(maps).error();
    std::vector<std::byte> pkt(64);
    auto run = maps->find_program("use_maps")->test_run({.data_in = pkt});
    if (!run) return std::move(run).error();
    auto counter = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str(), {.load_programs = true});
    if (!counter) return std::move(counter).error();
    auto prog = counter->program<CgroupSkb>("egress_filter");
    if (!prog) return std::move(prog).error();
    auto link = prog->attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
    if (!link) return std::move(link).error();
    auto detached = link->detach();
    if (!detached) return std::move(detached).error();
    return {};
}

bool names_a_step(std::string_view msg) {
    // File reads (the object, /sys) go through the seam too: "open <path>: ...", "read <path>: ...".
    for (std::string_view step : {"BPF_", "fcntl", "open /", "read /"})
        if (msg.find(step) != std::string_view::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("every syscall of a load and attach can fail cleanly", "[faults]") {
    test::BpffsDir dir;
    test::TempCgroup cg;
    // A first, clean run fills the process-wide caches (feature probes, kernel BTF); the second counts the calls.
    REQUIRE(journey(dir.path(), cg));
    ::unlink((dir / "pinned_counts").c_str());
    fault::arm({});
    REQUIRE(journey(dir.path(), cg));
    const int total = fault::calls();
    fault::disarm();
    ::unlink((dir / "pinned_counts").c_str());
    INFO("syscalls in the journey: " << total);
    REQUIRE(total > 15);

    for (int err : {ENOMEM, EPERM, EINVAL, E2BIG, EBADF}) {
        for (int i = 1; i <= total; ++i) {
            const int fds = test::open_fd_count();
            fault::arm({.fail_at = i, .error = err});
            auto r = journey(dir.path(), cg);
            const int failed = fault::failed();
            fault::disarm();
            INFO("errno " << err << " injected at call " << i);
            CHECK(failed == 1);
            if (!r) {
                const std::string msg(r.error().message());
                INFO(msg);
                CHECK(names_a_step(msg));
                CHECK(r.error().sys_errno() == err);
            }
            CHECK(test::open_fd_count() == fds);
            // A failed load of the pinning object removes the pin it created; a successful one keeps it.
            if (!r && std::string(r.error().message()).find("maps.bpf.o") != std::string::npos)
                CHECK(entries(dir.path()) == 0);
            ::unlink((dir / "pinned_counts").c_str());
        }
    }
}

// Any program will do for the retries: cgroup_skb_counter's loads on every kernel of the matrix.
TEST_CASE("EAGAIN from BPF_PROG_LOAD is retried, but not forever", "[faults]") {
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str());
    REQUIRE(obj);
    Program* p = obj->find_program("ingress_filter");
    fault::arm({.fail_at = 1, .error = EAGAIN, .times = 3, .only_nr = SYS_bpf, .only_cmd = 5});
    auto ok = p->load();
    fault::disarm();
    CHECK(ok);
    CHECK(fault::failed() == 3);

    auto obj2 = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str());
    REQUIRE(obj2);
    fault::arm({.fail_at = 1, .error = EAGAIN, .times = 100, .only_nr = SYS_bpf, .only_cmd = 5});
    auto r = obj2->find_program("ingress_filter")->load();
    const int attempts = fault::calls();
    fault::disarm();
    REQUIRE_FALSE(r);
    CHECK(r.error().sys_errno() == EAGAIN);
    CHECK(attempts == 6);  // the first try and five retries
}

TEST_CASE("ENOSPC while collecting a verifier log grows the buffer", "[faults]") {
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str(), {.log_level = 1});
    REQUIRE(obj);
    fault::arm({.fail_at = 1, .error = ENOSPC, .times = 2, .only_nr = SYS_bpf, .only_cmd = 5});
    auto r = obj->find_program("ingress_filter")->load();
    fault::disarm();
    REQUIRE(r);
    CHECK(fault::calls() == 3);
    CHECK_FALSE(obj->find_program("ingress_filter")->verifier_log().empty());
}

TEST_CASE("running out of file descriptors is a clear error without leaks", "[faults]") {
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
    const int fds = test::open_fd_count();
    rlimit low = old;
    low.rlim_cur = static_cast<rlim_t>(fds + 3);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
    auto obj = Object::load_file(test::obj_path("maps.bpf.o").c_str(), {.pin_root = "/nonexistent"});
    ::setrlimit(RLIMIT_NOFILE, &old);
    REQUIRE_FALSE(obj);
    CHECK(obj.error().code() == Errc::ResourceLimit);
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("a missing or non-bpffs pin directory is reported", "[faults]") {
    auto missing = Object::load_file(test::obj_path("maps.bpf.o").c_str(), {.pin_root = "/nonexistent/bpf"});
    REQUIRE_FALSE(missing);
    CHECK(std::string(missing.error().message()).find("/nonexistent/bpf/pinned_counts") != std::string::npos);
    auto not_bpffs = Object::load_file(test::obj_path("maps.bpf.o").c_str(), {.pin_root = "/tmp"});
    REQUIRE_FALSE(not_bpffs);
    CHECK(std::string(not_bpffs.error().message()).find("pin") != std::string::npos);
}

TEST_CASE("a low RLIMIT_MEMLOCK does not matter on memcg-accounted kernels", "[faults]") {
    rlimit old{};
    REQUIRE(::getrlimit(RLIMIT_MEMLOCK, &old) == 0);
    rlimit zero{0, old.rlim_max};
    REQUIRE(::setrlimit(RLIMIT_MEMLOCK, &zero) == 0);
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str(), {.load_programs = true});
    ::setrlimit(RLIMIT_MEMLOCK, &old);
    // Kernels >= 5.11 charge BPF memory to the cgroup; older ones fail with EPERM and a hint about the limit.
    if (!obj) {
        INFO(obj.error().message());
        CHECK(obj.error().code() == Errc::Permission);
        CHECK(std::string(obj.error().message()).find("RLIMIT_MEMLOCK") != std::string::npos);
    }
}
