// SPDX-License-Identifier: MIT
// detail::scan_ring on hand-built ring memory: the same-size fast path must read exactly what the plain protocol
// reads when sizes change, records are discarded or still busy, or a header lies (the fuzzer checks the same
// against a reference on random rings: tests/fuzz/fuzz_ringbuf.cpp).
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include <catch2/catch.hpp>

#include <ebpf/ringbuf.hpp>

namespace {

using ebpf::detail::kRingBusyBit;
using ebpf::detail::kRingDiscardBit;

// A 256-byte ring, mapped "twice" like the kernel's, written record by record.
struct Ring {
    static constexpr std::uint64_t kSize = 256;
    std::vector<std::uint64_t> words = std::vector<std::uint64_t>(2 * kSize / 8, 0);
    std::uint64_t prod = 0, cons = 0;
    std::byte* data() { return reinterpret_cast<std::byte*>(words.data()); }
    void put(std::uint32_t len, std::uint32_t flags = 0, std::uint8_t fill = 0) {
        const std::uint32_t word = len | flags;
        std::memcpy(data() + (prod % kSize), &word, 4);
        for (std::uint32_t i = 0; i < len && i < kSize; ++i) data()[(prod + 8 + i) % kSize] = std::byte{fill};
        prod += (std::uint64_t{len} + 8 + 7) / 8 * 8;
        std::memcpy(data() + kSize, data(), kSize);  // the second mapping
    }
    // Lengths and first bytes of the records handed over.
    std::vector<std::pair<std::size_t, int>> scan(std::optional<ebpf::detail::RingFault>& fault,
                                                  std::size_t max = SIZE_MAX) {
        std::vector<std::pair<std::size_t, int>> out;
        auto f = [&](std::span<const std::byte> rec) {
            out.emplace_back(rec.size(), rec.empty() ? -1 : static_cast<int>(rec[0]));
        };
        ebpf::detail::scan_ring(&cons, &prod, data(), kSize - 1, f, max, fault);
        return out;
    }
};

using Records = std::vector<std::pair<std::size_t, int>>;

}  // namespace

TEST_CASE("scan_ring: equal sizes, a size change, a discarded record of the same size", "[ringbuf]") {
    Ring r;
    r.put(8, 0, 1);
    r.put(8, 0, 2);
    r.put(8, kRingDiscardBit, 3);  // same size as the prediction, but discarded: skipped
    r.put(8, 0, 4);
    r.put(20, 0, 5);               // size change: 32 bytes
    r.put(20, 0, 6);
    r.put(8, 0, 7);
    std::optional<ebpf::detail::RingFault> fault;
    CHECK(r.scan(fault) == Records{{8, 1}, {8, 2}, {8, 4}, {20, 5}, {20, 6}, {8, 7}});
    CHECK(!fault);
    CHECK(r.cons == r.prod);
}

TEST_CASE("scan_ring: a busy record of the predicted size stops the scan before it", "[ringbuf]") {
    Ring r;
    r.put(8, 0, 1);
    r.put(8, 0, 2);
    const std::uint64_t busy_at = r.prod;
    r.put(8, kRingBusyBit, 3);
    r.put(8, 0, 4);
    std::optional<ebpf::detail::RingFault> fault;
    CHECK(r.scan(fault) == Records{{8, 1}, {8, 2}});
    CHECK(!fault);
    CHECK(r.cons == busy_at);
}

TEST_CASE("scan_ring: a record of the predicted size that is not all published is a fault", "[ringbuf]") {
    Ring r;
    r.put(8, 0, 1);
    r.put(8, 0, 2);
    const std::uint64_t at = r.prod;
    r.put(8, 0, 3);
    r.prod -= 8;  // the producer claims only half of the last record
    std::optional<ebpf::detail::RingFault> fault;
    CHECK(r.scan(fault) == Records{{8, 1}, {8, 2}});
    REQUIRE(fault);
    CHECK(fault->pos == at);
    CHECK(fault->len == 8);
    CHECK(fault->published == 8);
    CHECK(r.cons == at);
}

TEST_CASE("scan_ring: a limit stops after that many records, in the fast path too", "[ringbuf]") {
    Ring r;
    for (int i = 1; i <= 6; ++i) r.put(8, 0, static_cast<std::uint8_t>(i));
    std::optional<ebpf::detail::RingFault> fault;
    CHECK(r.scan(fault, 4) == Records{{8, 1}, {8, 2}, {8, 3}, {8, 4}});
    CHECK(r.cons == 4 * 16);
    CHECK(r.scan(fault) == Records{{8, 5}, {8, 6}});
    CHECK(!fault);
}
