// SPDX-License-Identifier: MIT
// libFuzzer target: ring buffer and perf ring records as a hostile or broken producer could leave them. Drives the
// consumers' record walks (detail::scan_ring / peek_ring of RingBuffer, detail::walk_perf_ring of PerfBuffer) on
// memory laid out like the kernel's. Input: byte 0 picks the ring size (8 B .. 4 KiB), byte 1 the record limit,
// bytes 2..9 how far the producer position is ahead, bytes 10..17 the consumer's start position, the rest the
// ring's bytes. Checks that every record handed over lies inside the ring's memory (its double mapping for BPF
// ring buffers, or the copy of a wrapped perf record), that positions only move forward, by whole records, and
// never past the producer, and that a fault leaves the consumer at the faulty record. Both walks' records, final
// positions and faults must equal those of the protocols written the plain way (reference_scan and
// reference_perf_walk below): their same-size fast paths are optimisations, never a different reading.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include <ebpf/ringbuf.hpp>

#include "fuzz.hpp"
#include "perf/perf_ring.hpp"

namespace {

bool inside(std::span<const std::byte> rec, const std::byte* lo, std::size_t len) {
    return rec.data() >= lo && rec.data() + rec.size() <= lo + len;
}

struct Seen {
    const std::byte* data;
    std::size_t size;
    bool operator==(const Seen&) const = default;
};

// The ring protocol one header at a time, with no prediction: what scan_ring must agree with.
std::uint64_t reference_scan(std::uint64_t cons, std::uint64_t prod, const std::byte* data, std::uint64_t mask,
                             std::size_t max_records, std::vector<Seen>& out, bool& faulted) {
    using namespace ebpf::detail;
    faulted = false;
    while (cons < prod && out.size() < max_records) {
        std::uint32_t word = 0;
        std::memcpy(&word, data + (cons & mask), 4);
        if (word & kRingBusyBit) break;
        const std::uint32_t len = word & ~(kRingBusyBit | kRingDiscardBit);
        const std::uint64_t total = (std::uint64_t{len} + kRingHeaderSize + 7) / 8 * 8;
        if (total > prod - cons || total > mask + 1) {
            faulted = true;
            break;
        }
        if (!(word & kRingDiscardBit)) out.push_back({data + (cons & mask) + kRingHeaderSize, len});
        cons += total;
    }
    return cons;
}

// The perf ring one header at a time: (sample bytes or lost count) in order, the final tail, whether it faulted.
struct PerfSeen {
    std::vector<std::byte> bytes;
    std::uint64_t lost = 0;
    bool operator==(const PerfSeen&) const = default;
};
std::uint64_t reference_perf_walk(const std::byte* data, std::uint64_t size, std::uint64_t head, std::uint64_t tail,
                                  std::size_t max_samples, std::vector<PerfSeen>& out, bool& faulted) {
    using namespace ebpf::detail;
    faulted = false;
    std::size_t samples = 0;
    while (tail < head && samples < max_samples) {
        const std::uint64_t off = tail % size;
        if (tail % 8 != 0 || off + 8 > size) {
            faulted = true;
            break;
        }
        std::uint32_t type = 0;
        std::uint16_t rec_size = 0;
        std::memcpy(&type, data + off, 4);
        std::memcpy(&rec_size, data + off + 6, 2);
        if (rec_size < 8 || rec_size % 8 != 0 || rec_size > head - tail || rec_size > size) {
            faulted = true;
            break;
        }
        std::vector<std::byte> rec(rec_size);
        for (std::size_t i = 0; i < rec_size; ++i) rec[i] = data[(off + i) % size];
        tail += rec_size;
        if (type == kPerfRecordSample && rec_size >= 12) {
            std::uint32_t raw = 0;
            std::memcpy(&raw, rec.data() + 8, 4);
            if (raw <= rec_size - 12u) {
                ++samples;
                out.push_back({std::vector<std::byte>(rec.begin() + 12, rec.begin() + 12 + raw), 0});
            }
        } else if (type == kPerfRecordLost && rec_size >= 24) {
            std::uint64_t count = 0;
            std::memcpy(&count, rec.data() + 16, 8);
            out.push_back({{}, count});
        }
    }
    return tail;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ebpf;
    if (size < 18) return 0;
    const std::uint64_t ring = std::uint64_t{8} << (data[0] % 10);
    const std::size_t max_records = (data[1] & 0x80) ? std::size_t{1} + (data[1] & 3) : SIZE_MAX;
    std::uint64_t ahead = 0, start = 0;
    std::memcpy(&ahead, data + 2, 8);
    std::memcpy(&start, data + 10, 8);
    start &= (std::uint64_t{1} << 62) - 8;     // 8-byte aligned, like the kernel's; 64-bit positions never wrap
    ahead %= 4 * ring + 16;                    // sometimes more than the ring holds
    const std::span<const std::uint8_t> bytes(data + 18, size - 18);

    // BPF ring buffer: the data area mapped twice in a row, 8-byte aligned like the kernel's pages.
    std::vector<std::uint64_t> mem(2 * ring / 8, 0);
    auto* area = reinterpret_cast<std::byte*>(mem.data());
    std::memcpy(area, bytes.data(), bytes.size() < ring ? bytes.size() : ring);
    std::memcpy(area + ring, area, ring);
    std::uint64_t cons = start;
    const std::uint64_t prod = start + ahead;
    std::optional<detail::RingFault> fault;
    std::vector<Seen> seen, expected;
    auto on_record = [&](std::span<const std::byte> rec) {
        EBPF_FUZZ_CHECK(inside(rec, area, 2 * ring));
        fuzz::sink(rec);
        seen.push_back({rec.data(), rec.size()});
    };
    const std::size_t n = detail::scan_ring(&cons, &prod, area, ring - 1, on_record, max_records, fault);
    EBPF_FUZZ_CHECK(n == seen.size() && n <= max_records);
    EBPF_FUZZ_CHECK(cons >= start && cons <= prod && (cons - start) % 8 == 0);
    if (fault) EBPF_FUZZ_CHECK(fault->pos == cons && fault->published == prod - cons);
    bool ref_fault = false;
    const std::uint64_t ref_cons = reference_scan(start, prod, area, ring - 1, max_records, expected, ref_fault);
    EBPF_FUZZ_CHECK(seen == expected && cons == ref_cons && fault.has_value() == ref_fault);

    cons = start;
    fault.reset();
    const detail::RingPeek peeked = detail::peek_ring(&cons, &prod, area, ring - 1, fault);
    EBPF_FUZZ_CHECK(cons >= start && cons <= prod);
    if (peeked.record) {
        EBPF_FUZZ_CHECK(!fault && inside(*peeked.record, area, 2 * ring));
        EBPF_FUZZ_CHECK(peeked.end > cons && peeked.end <= prod && (peeked.end - cons) % 8 == 0);
        fuzz::sink(*peeked.record);
    }
    if (fault) EBPF_FUZZ_CHECK(fault->pos == cons && !peeked.record);

    // Perf ring: the data pages once; a record may wrap around their end.
    std::vector<std::byte> wrap;
    std::uint64_t tail = start;
    const std::uint64_t head = start + ahead;
    std::size_t samples = 0, counted = 0;
    std::vector<PerfSeen> perf_seen, perf_expected;
    const auto pfault = detail::walk_perf_ring(
        area, ring, head, tail, wrap, samples, max_records,
        [&](std::span<const std::byte> raw) {
            EBPF_FUZZ_CHECK(inside(raw, area, ring) || inside(raw, wrap.data(), wrap.size()));
            fuzz::sink(raw);
            perf_seen.push_back({std::vector<std::byte>(raw.begin(), raw.end()), 0});
            ++counted;
            return true;
        },
        [&](std::uint64_t lost) {
            fuzz::sink(lost);
            perf_seen.push_back({{}, lost});
        });
    EBPF_FUZZ_CHECK(samples == counted && samples <= max_records);
    EBPF_FUZZ_CHECK(tail >= start && tail <= head && (tail - start) % 8 == 0);
    if (pfault) EBPF_FUZZ_CHECK(pfault->pos == tail && pfault->published == head - tail);
    bool ref_pfault = false;
    const std::uint64_t ref_tail = reference_perf_walk(area, ring, head, start, max_records, perf_expected, ref_pfault);
    EBPF_FUZZ_CHECK(perf_seen == perf_expected && tail == ref_tail && pfault.has_value() == ref_pfault);
    return 0;
}
