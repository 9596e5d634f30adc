// SPDX-License-Identifier: MIT
// Map hot paths against the raw bpf() system call, measured in the same run: single-element lookup and update
// through Map and HashMap, and a 100k-entry walk in batches against element by element. Each measurement is the
// median of several rounds, the rounds of the two sides interleaved so that frequency changes and noise from
// other processes fall on both. Prints one line per measurement and one `ratio` line per goal (views within 1.1x
// of the raw call; batches >= 5x faster than element by element). Needs root; exits 77 otherwise.
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
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
    const auto t0 = Clock::now();
    for (int i = 0; i < n; ++i) f();
    return std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / n;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
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

long raw_bpf(int cmd, int fd, const void* key, void* value, std::uint64_t flags) {
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.map_fd = static_cast<std::uint32_t>(fd);
    a.key = reinterpret_cast<std::uintptr_t>(key);
    a.value = reinterpret_cast<std::uintptr_t>(value);
    a.flags = flags;
    return ::syscall(SYS_bpf, cmd, &a, sizeof a);
}

// "ratio NAME = R (target OP T) ok|BELOW TARGET", the line bench.py prints for the libbpf comparisons.
bool ratio(const char* name, double r, const char* op, double target) {
    const bool ok = op[0] == '<' ? r <= target : r >= target;
    std::printf("ratio %s = %.3f (target %s %.1f) %s\n", name, r, op, target, ok ? "ok" : "BELOW TARGET");
    return ok;
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
    if (!h.update_batch(keys, values)) return 1;

    constexpr int kOps = 50000, kRounds = 9;
    const int fd = m->fd().get();
    std::uint32_t key = 42;
    std::uint64_t value = 0;
    std::vector<double> raw_get, map_get, view_get, raw_put, view_put;
    for (int r = 0; r < kRounds; ++r) {
        raw_get.push_back(ns_per_op(kOps, [&] { raw_bpf(BPF_MAP_LOOKUP_ELEM, fd, &key, &value, 0); }));
        map_get.push_back(ns_per_op(kOps, [&] { (void)m->lookup(as_bytes_of(key), as_writable_bytes_of(value)); }));
        view_get.push_back(ns_per_op(kOps, [&] { (void)h.get(key); }));
        const std::uint64_t seven = 7;
        raw_put.push_back(ns_per_op(kOps, [&] { raw_bpf(BPF_MAP_UPDATE_ELEM, fd, &key, const_cast<std::uint64_t*>(&seven), BPF_ANY); }));
        view_put.push_back(ns_per_op(kOps, [&] { (void)h.insert(key, 7); }));
    }
    const double rg = median(raw_get), mg = median(map_get), vg = median(view_get), rp = median(raw_put),
                 vp = median(view_put);
    std::printf("lookup: raw bpf() %.0f ns, Map::lookup %.0f ns, HashMap::get %.0f ns (median of %d x %d)\n", rg, mg,
                vg, kRounds, kOps);
    std::printf("update: raw bpf() %.0f ns, HashMap::insert %.0f ns\n", rp, vp);

    std::vector<double> batch_ms, single_ms;
    bool same = true;
    for (int r = 0; r < 5; ++r) {
        const auto t0 = Clock::now();
        auto batched = h.entries();
        const auto t1 = Clock::now();
        auto single = h.entries({.mode = BatchMode::PerElement});
        const auto t2 = Clock::now();
        batch_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        single_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
        same = same && batched && single && batched->size() == kN && single->size() == kN;
    }
    const double b = median(batch_ms), s = median(single_ms);
    std::printf("100k entries: batch %.1f ms, element by element %.1f ms (median of 5)%s\n", b, s,
                same ? "" : " MISMATCH");
    bool ok = same;
    ok &= ratio("map.lookup.Map_vs_raw", mg / rg, "<=", 1.1);
    ok &= ratio("map.lookup.HashMap_vs_raw", vg / rg, "<=", 1.1);
    ok &= ratio("map.update.HashMap_vs_raw", vp / rp, "<=", 1.1);
    ok &= ratio("map.entries.batch_speedup", s / b, ">=", 5.0);
    return ok ? 0 : 1;
}
