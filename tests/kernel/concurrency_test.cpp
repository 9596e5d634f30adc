// SPDX-License-Identifier: MIT
// Loading objects from several threads at once: shared caches (kernel BTF, name indexes, feature probes) must be
// safe, and every thread must get correct results. Run under TSan in CI.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <atomic>
#include <optional>
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

// Loads an object with every program made runnable (support/runnable.hpp) and loaded; nullopt on any failure.
std::optional<Object> load_all(const char* file) {
    auto obj = Object::load_file(test::obj_path(file).c_str());
    if (!obj) return std::nullopt;
    for (Program& p : obj->programs())
        if (!test::make_runnable(p)) return std::nullopt;
    if (!obj->load_programs()) return std::nullopt;
    return std::move(*obj);
}

// Loads globals.bpf.o and calls.bpf.o, runs compute, and checks its answer; returns the failures.
int worker(int rounds, std::uint64_t seed) {
    int failures = 0;
    for (int i = 0; i < rounds; ++i) {
        auto obj = load_all("globals.bpf.o");
        if (!obj) {
            ++failures;
            continue;
        }
        const std::uint64_t in = seed + static_cast<std::uint64_t>(i);
        auto r = obj->find_program("compute")->test_run({.ctx_in = as_bytes_of(in)});
        std::uint64_t out = 0;
        if (!r || !obj->read_global("compute_out", as_writable_bytes_of(out)) || out != in * 3 + 136) ++failures;
        if (!load_all("calls.bpf.o")) ++failures;
        // CO-RE against the shared kernel BTF.
        if (!load_all("core_flavors.bpf.o")) ++failures;
    }
    return failures;
}

}  // namespace

TEST_CASE("two threads load objects at the same time", "[threads]") {
    // globals.bpf.o and core_flavors.bpf.o would run as raw tracepoint programs, calls.bpf.o could not.
    EBPF_SKIP_IF(test::needs_syscall_programs("calls.bpf.o's programs write their results into the context"));
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
