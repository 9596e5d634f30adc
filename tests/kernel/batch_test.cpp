// SPDX-License-Identifier: MIT
// Batch operations against the kernel, and the per-element fallback giving the same answers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>

#include <ebpf/ebpf.hpp>

#include "kernel/map_support.hpp"
#include "support/expect.hpp"
#include "support/fd_count.hpp"

using namespace ebpf;
using test::map_spec;

namespace {
using Clock = std::chrono::steady_clock;

std::map<std::uint32_t, std::uint64_t> as_map(const std::vector<std::pair<std::uint32_t, std::uint64_t>>& v) {
    return {v.begin(), v.end()};
}
}  // namespace

TEST_CASE("batch lookup of 100k hash entries equals the element-by-element walk", "[maps][batch]") {
    constexpr std::uint32_t kN = 100000;
    const int fds = test::open_fd_count();
    {
        auto m = Map::create(map_spec(MapType::Hash, 4, 8, kN, "big"));
        REQUIRE(m);
        auto h = HashMap<std::uint32_t, std::uint64_t>::from(*m);
        REQUIRE(h);
        std::vector<std::uint32_t> keys(kN);
        std::vector<std::uint64_t> values(kN);
        std::iota(keys.begin(), keys.end(), 0u);
        for (std::uint32_t i = 0; i < kN; ++i) values[i] = std::uint64_t{i} * 3 + 1;
        auto written = h->update_batch(keys, values);
        REQUIRE(written);
        CHECK(*written == kN);

        const auto t0 = Clock::now();
        auto batched = h->entries();
        const auto t1 = Clock::now();
        auto single = h->entries({.mode = BatchMode::PerElement});
        const auto t2 = Clock::now();
        REQUIRE(batched);
        REQUIRE(single);
        CHECK(batched->size() == kN);
        CHECK(single->size() == kN);
        const auto a = as_map(*batched), b = as_map(*single);
        CHECK(a.size() == kN);
        CHECK(a == b);
        for (std::uint32_t i = 0; i < kN; i += 997) CHECK(a.at(i) == std::uint64_t{i} * 3 + 1);
        // Speed is for the benchmarks; shown here for the record only.
        const auto us = [](auto d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); };
        WARN("100k entries: batch " << us(t1 - t0) << " us, element by element " << us(t2 - t1) << " us");

        // Deleting in a batch: missing keys are skipped and not counted.
        std::vector<std::uint32_t> del = {1, 2, kN + 5, 3};
        auto erased = h->erase_batch(del);
        REQUIRE(erased);
        CHECK(*erased == 3);
        CHECK_FALSE(h->get(2)->has_value());
        auto again = h->erase_batch(del, {.mode = BatchMode::PerElement});
        REQUIRE(again);
        CHECK(*again == 0);
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("batches walk in chunks with a cursor, drain, and report errors with progress", "[maps][batch]") {
    auto m = Map::create(map_spec(MapType::Hash, 4, 8, 64, "chunks"));
    REQUIRE(m);
    auto h = HashMap<std::uint32_t, std::uint64_t>::from(*m);
    for (std::uint32_t i = 0; i < 50; ++i) REQUIRE(h->insert(i, i));
    for (BatchMode mode : {BatchMode::Auto, BatchMode::PerElement}) {
        BatchCursor cursor;
        std::vector<std::uint32_t> ks(8);
        std::vector<std::uint64_t> vs(8);
        std::size_t total = 0, calls = 0;
        while (!cursor.done() && calls < 100) {
            auto n = h->lookup_batch(cursor, ks, vs, {.mode = mode});
            REQUIRE(n);
            for (std::size_t i = 0; i < *n; ++i) CHECK(vs[i] == ks[i]);
            total += *n;
            ++calls;
        }
        CHECK(total == 50);
        CHECK(cursor.done());
        CHECK(cursor.kernel_batch() == (mode == BatchMode::Auto));
        // A done cursor reads nothing more.
        CHECK(*h->lookup_batch(cursor, ks, vs, {.mode = mode}) == 0);
    }
    // NoExist on keys that exist: the error says how far it got.
    std::vector<std::uint32_t> ks = {100, 101, 5};
    std::vector<std::uint64_t> vs = {1, 2, 3};
    for (BatchMode mode : {BatchMode::Auto, BatchMode::PerElement}) {
        auto r = h->update_batch(ks, vs, {.elem_flags = UpdateFlags::NoExist, .mode = mode});
        CHECK(test::fails_with(r, Errc::Exists, "(2 of 3 elements done)"));
        REQUIRE(h->remove(100));
        REQUIRE(h->remove(101));
    }
    // A full map.
    std::vector<std::uint32_t> many(20);
    std::iota(many.begin(), many.end(), 1000u);
    std::vector<std::uint64_t> zeros(20);
    CHECK(test::fails_with(h->update_batch(many, zeros), Errc::ResourceLimit, "the map is full (max_entries 64)"));

    // Draining removes what it returns.
    for (BatchMode mode : {BatchMode::Auto, BatchMode::PerElement}) {
        auto d = Map::create(map_spec(MapType::Hash, 4, 8, 32, "drain"));
        auto dh = HashMap<std::uint32_t, std::uint64_t>::from(*d);
        for (std::uint32_t i = 0; i < 20; ++i) REQUIRE(dh->insert(i, i * 2));
        auto all = dh->drain({.mode = mode});
        REQUIRE(all);
        CHECK(all->size() == 20);
        for (const auto& [k, v] : *all) CHECK(v == k * 2);
        CHECK(dh->keys()->empty());
    }
    // Buffers that do not match the map.
    BatchCursor c;
    std::vector<std::byte> odd(6), vals(16);
    CHECK(test::fails_with(lookup_batch(*m, c, odd, vals), Errc::InvalidArgument, "not a whole number of 4-byte keys"));
    std::vector<std::byte> two_keys(8);
    CHECK(test::fails_with(lookup_batch(*m, c, two_keys, odd), Errc::InvalidArgument, "2 keys need 16 bytes of values"));
}

TEST_CASE("arrays batch lookups and updates; deletes fall back and fail like the kernel", "[maps][batch]") {
    auto m = Map::create(map_spec(MapType::Array, 4, 8, 100, "arr"));
    REQUIRE(m);
    auto a = Array<std::uint64_t>::from(*m);
    std::vector<std::uint32_t> ks(100);
    std::vector<std::uint64_t> vs(100);
    std::iota(ks.begin(), ks.end(), 0u);
    for (std::size_t i = 0; i < 100; ++i) vs[i] = i * i;
    REQUIRE(a->update_batch(ks, vs));
    auto all = a->values();
    REQUIRE(all);
    CHECK(*all == vs);
    auto slow = a->values({.mode = BatchMode::PerElement});
    REQUIRE(slow);
    CHECK(*slow == vs);
    // Arrays have no delete batch (ENOTSUPP): element by element, where the kernel refuses each delete.
    auto del = erase_batch(*m, std::span<const std::uint32_t>(ks).first(2));
    REQUIRE_FALSE(del);
    INFO(del.error().message());
    CHECK(std::string(del.error().message()).find("element by element") != std::string::npos);

    // Per-CPU values are batched with one aligned value per possible CPU.
    auto p = Map::create(map_spec(MapType::PercpuHash, 4, 4, 16, "pc"));
    REQUIRE(p);
    auto ph = PerCpuHashMap<std::uint32_t, std::uint32_t>::from(*p);
    for (std::uint32_t i = 0; i < 10; ++i) REQUIRE(ph->insert(i, i));
    auto entries = ph->entries();
    REQUIRE(entries);
    CHECK(entries->size() == 10);
    for (const auto& [k, v] : *entries) CHECK(v.sum() == k * ph->cpus());

    // Keyless maps have nothing to batch.
    auto q = Map::create(map_spec(MapType::Queue, 0, 8, 4, "q"));
    REQUIRE(q);
    std::vector<std::byte> none, values(8);
    BatchCursor c;
    CHECK(test::fails_with(lookup_batch(*q, c, none, values), Errc::InvalidArgument, "has no keys"));
}
