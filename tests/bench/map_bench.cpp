// SPDX-License-Identifier: MIT
// Map hot paths against the raw bpf() system call: single-element lookup/update through Map and HashMap, and a
// 100k-entry walk in batches against element by element. Prints one line per measurement and the ratios the
// design aims at (views within 1.1x of the raw call; batches >= 5x faster). Needs root; exits 77 otherwise.
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <vector>

#include <ebpf/ebpf.hpp>

using namespace ebpf;
using Clock = std::chrono::steady_clock;

namespace {
template <class F>
double ns_per_op(int n, F&& f) {
    f();  // warm up
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) f();
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n;
}

MapSpec spec(std::uint32_t n) {
    MapSpec s;
    s.name = "bench";
    s.type = MapType::Hash;
    s.key_size = 4;
    s.value_size = 8;
    s.max_entries = n;
    return s;
}
}  // namespace

int main() {
    if (::geteuid() != 0) {
        std::puts("map_bench: needs root");
        return 77;
    }
    constexpr std::uint32_t kN = 100000;
    auto m = Map::create(spec(kN));
    if (!m) {
        std::printf("map_bench: %.*s\n", static_cast<int>(m.error().message().size()), m.error().message().data());
        return 1;
    }
    auto h = *HashMap<std::uint32_t, std::uint64_t>::from(*m);
    std::vector<std::uint32_t> keys(kN);
    std::vector<std::uint64_t> values(kN, 1);
    std::iota(keys.begin(), keys.end(), 0u);
    (void)h.update_batch(keys, values);

    constexpr int kOps = 200000;
    std::uint32_t key = 42;
    std::uint64_t value = 0;
    union bpf_attr a;
    const double raw = ns_per_op(kOps, [&] {
        std::memset(&a, 0, sizeof a);
        a.map_fd = static_cast<std::uint32_t>(m->fd().get());
        a.key = reinterpret_cast<std::uintptr_t>(&key);
        a.value = reinterpret_cast<std::uintptr_t>(&value);
        ::syscall(SYS_bpf, BPF_MAP_LOOKUP_ELEM, &a, sizeof a);
    });
    const double untyped = ns_per_op(kOps, [&] { (void)m->lookup(as_bytes_of(key), as_writable_bytes_of(value)); });
    const double typed = ns_per_op(kOps, [&] { (void)h.get(key); });
    const double update = ns_per_op(kOps, [&] { (void)h.insert(key, 7); });
    std::printf("lookup: raw bpf() %.0f ns, Map::lookup %.0f ns (%.2fx), HashMap::get %.0f ns (%.2fx)\n", raw, untyped,
                untyped / raw, typed, typed / raw);
    std::printf("update: HashMap::insert %.0f ns\n", update);

    const auto t0 = Clock::now();
    auto batched = h.entries();
    const auto t1 = Clock::now();
    auto single = h.entries({.mode = BatchMode::PerElement});
    const auto t2 = Clock::now();
    const double b = std::chrono::duration<double, std::milli>(t1 - t0).count();
    const double s = std::chrono::duration<double, std::milli>(t2 - t1).count();
    std::printf("100k entries: batch %.1f ms, element by element %.1f ms (%.1fx faster)%s\n", b, s, s / b,
                batched && single && batched->size() == single->size() ? "" : " MISMATCH");
    return 0;
}
