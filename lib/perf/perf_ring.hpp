// SPDX-License-Identifier: MIT
// The reading side of one perf ring on raw memory: the record walk of PerfBuffer::consume, without system calls,
// so that fuzz_ringbuf can drive it with hostile bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

namespace ebpf::detail {

// struct perf_event_header {u32 type; u16 misc; u16 size;} and the record types a BPF_OUTPUT event writes.
inline constexpr std::uint32_t kPerfRecordLost = 2, kPerfRecordSample = 9;

// Where a walk stopped on a record the kernel could not have written.
struct PerfRingFault {
    std::uint64_t pos = 0;
    std::uint32_t size = 0;
    std::uint64_t published = 0;
};

// Walks the records in [tail, head) of a ring of `size` bytes (a power of two) at `data`: each sample's raw
// bytes go to sample(span) (returning false stops the walk after it), each lost record's count to lost(count).
// A record wrapping around the ring end is copied whole into `wrap`. Advances `tail` past what it read; counts
// samples in `n` up to `max_samples`. Returns the fault for a record whose size is impossible (not a multiple of
// 8, under 8, beyond what is published or larger than the ring), with `tail` left at it. Reads stay within data[0, size).
template <class Sample, class Lost>
std::optional<PerfRingFault> walk_perf_ring(const std::byte* data, std::uint64_t size, std::uint64_t head,
                                            std::uint64_t& tail, std::vector<std::byte>& wrap, std::size_t& n,
                                            std::size_t max_samples, Sample&& sample, Lost&& lost) {
    const std::uint64_t mask = size - 1;
    // As in scan_ring (ringbuf.hpp): a sample as long as the last one is taken without waiting for its header to
    // say how long it is, so the next header's address does not depend on this header's load. `stride` is the
    // size of the last sample read in place (0: none yet); a guess that does not hold takes the full path.
    std::uint64_t stride = 0;
    // A sample record's raw bytes to sample() (a raw size overrunning the record: skipped, not counted); false when
    // sample() asks to stop.
    auto deliver = [&](const std::byte* rec, std::uint64_t rec_size) -> bool {
        std::uint32_t raw = 0;
        std::memcpy(&raw, rec + 8, 4);
        if (raw > rec_size - 12u) return true;
        ++n;
        return sample(std::span<const std::byte>(rec + 12, raw));
    };
    while (tail < head && n < max_samples) {
        const std::uint64_t off = tail & mask;
        // The kernel wrote these lines on another CPU: ask for the ones ahead early (hardware prefetchers stop at
        // page boundaries).
        __builtin_prefetch(data + ((tail + 2048) & mask));
        if (stride != 0 && off + stride <= size && stride <= head - tail) {
            std::uint32_t type = 0;
            std::uint16_t rec_size = 0;
            std::memcpy(&type, data + off, 4);
            std::memcpy(&rec_size, data + off + 6, 2);
            if ((type == kPerfRecordSample) & (rec_size == stride)) [[likely]] {
                tail += stride;
                if (!deliver(data + off, stride)) break;
                continue;
            }
        }
        // Records are 8-byte aligned, so the 8-byte header never straddles the end; the body may.
        if ((tail & 7) != 0 || off + 8 > size) return PerfRingFault{tail, 0, head - tail};
        std::uint32_t type = 0;
        std::uint16_t rec_size = 0;
        std::memcpy(&type, data + off, 4);
        std::memcpy(&rec_size, data + off + 6, 2);
        if (rec_size < 8 || (rec_size & 7) != 0 || rec_size > head - tail || rec_size > size)
            return PerfRingFault{tail, rec_size, head - tail};
        const std::byte* rec = data + off;
        const bool wraps = off + rec_size > size;
        if (wraps) {
            // Wraps around the end: copy it whole, once.
            wrap.resize(rec_size);
            const std::size_t first = static_cast<std::size_t>(size - off);
            std::memcpy(wrap.data(), data + off, first);
            std::memcpy(wrap.data() + first, data, rec_size - first);
            rec = wrap.data();
        }
        tail += rec_size;
        if (type == kPerfRecordSample && rec_size >= 12) {
            if (!wraps) stride = rec_size;
            if (!deliver(rec, rec_size)) break;
        } else if (type == kPerfRecordLost && rec_size >= 24) {
            std::uint64_t count = 0;
            std::memcpy(&count, rec + 16, 8);
            lost(count);
        }
    }
    return std::nullopt;
}

}  // namespace ebpf::detail
