// SPDX-License-Identifier: MIT
// Loading objects from several threads at once: shared caches (kernel BTF, name indexes, feature probes) must be
// safe, and every thread must get correct results. Run under TSan in CI.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <ebpf/ebpf.hpp>
#include <ebpf/kernel_btf.hpp>

#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

struct Args {
    std::uint64_t in, out, str_sum;
};

// Loads globals.bpf.o and calls.bpf.o, runs their programs, and checks the answers; returns the failures.
int worker(int rounds, std::uint64_t seed) {
    int failures = 0;
    for (int i = 0; i < rounds; ++i) {
        auto obj = Object::load_file(test::obj_path("globals.bpf.o").c_str());
        if (!obj || !obj->find_program("compute")->load()) {
            ++failures;
            continue;
        }
        Args a{seed + static_cast<std::uint64_t>(i), 0, 0};
        auto r = obj->find_program("compute")->test_run(
            {.ctx_in = std::span<const std::byte>(reinterpret_cast<const std::byte*>(&a), sizeof a)});
        if (!r || a.out != a.in * 3 + 136) ++failures;
        auto calls = Object::load_file(test::obj_path("calls.bpf.o").c_str(), {.load_programs = true});
        if (!calls) ++failures;
        // CO-RE against the shared kernel BTF.
        auto core = Object::load_file(test::obj_path("core_flavors.bpf.o").c_str(), {.load_programs = true});
        if (!core) ++failures;
    }
    return failures;
}

}  // namespace

TEST_CASE("two threads load objects at the same time", "[threads]") {
    EBPF_SKIP_IF(test::needs_syscall_programs("globals.bpf.o's compute writes its result into the context"));
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] { failures += worker(10, 1000u * static_cast<std::uint64_t>(t)); });
    for (std::thread& th : threads) th.join();
    CHECK(failures == 0);
}

TEST_CASE("the kernel BTF cache and its name index are built once under contention", "[threads]") {
    auto fresh = KernelBtf::load_running();
    REQUIRE(fresh);
    const btf::Spec& spec = (*fresh)->vmlinux();
    std::atomic<int> found{0};
    std::vector<std::thread> threads;
    const char* names[] = {"task_struct", "sk_buff", "file", "inode"};
    for (const char* n : names)
        threads.emplace_back([&, n] {
            auto shared = KernelBtf::running();
            if (shared && spec.find(n, btf::Kind::Struct) && (*shared)->vmlinux().find(n, btf::Kind::Struct)) ++found;
        });
    for (std::thread& th : threads) th.join();
    CHECK(found == 4);
}
