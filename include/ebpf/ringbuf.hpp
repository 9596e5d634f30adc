// SPDX-License-Identifier: MIT
// Ring buffers (BPF_MAP_TYPE_RINGBUF): zero-copy consumers, one ring or several polled together; and the user
// ring buffer (BPF_MAP_TYPE_USER_RINGBUF), where user space produces and a BPF program drains.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/map.hpp>

namespace ebpf {

namespace detail {
// The shared memory of one ring: positions and the data area (mapped twice in a row by the kernel, so a record
// that wraps around the end is contiguous in memory).
struct RingMemory {
    void* base = nullptr;    // the whole mapping, for munmap
    std::size_t length = 0;
    void* consumer_base = nullptr;  // the consumer page (separate mapping for RINGBUF)
    std::size_t consumer_length = 0;
    std::uint64_t* consumer_pos = nullptr;
    const std::uint64_t* producer_pos = nullptr;
    std::byte* data = nullptr;
    std::uint64_t mask = 0;  // data size - 1 (a power of two)
    RingMemory() = default;
    RingMemory(const RingMemory&) = delete;
    RingMemory& operator=(const RingMemory&) = delete;
    ~RingMemory();
};
inline constexpr std::uint32_t kRingBusyBit = 1u << 31, kRingDiscardBit = 1u << 30, kRingHeaderSize = 8;
// Where a scan stopped on a record header the kernel could not have written: its position, the length it claims
// and the bytes published from there.
struct RingFault {
    std::uint64_t pos = 0;
    std::uint32_t len = 0;
    std::uint64_t published = 0;
};
// InvalidArgument naming the ring, the position and both lengths.
Error bad_ring_record(const Map& map, const RingFault& fault);

template <class F>
bool call_record_callback(F& f, std::span<const std::byte> record) {
    if constexpr (std::is_same_v<std::invoke_result_t<F&, std::span<const std::byte>>, void>) {
        f(record);
        return true;
    } else {
        return static_cast<bool>(f(record));
    }
}

// The consumer side of the ring protocol, on raw memory (also what fuzz_ringbuf drives with hostile bytes): hands
// each published record (at most `max_records`, discarded ones skipped) to `on_record`, stops at a record still
// being written, publishes the consumer position once per batch. A header claiming more than is published, or
// more than the ring holds, sets `fault` and leaves the consumer position at that record. Reads stay within
// data[0, 2 * (mask + 1)): the kernel maps the data area twice in a row.
//
// Speed: the address of each header depends on the length in the one before, a chain of dependent loads. Records
// are usually all the same size, so the scan predicts that the next record is as long as the last one and checks
// the prediction with a branch: while it holds, the next header's address does not wait for this header's load,
// and the CPU reads ahead (8-byte records: about 3.5 ns -> 1 ns each, docs/performance.md).
template <class F>
std::size_t scan_ring(std::uint64_t* consumer_pos, const std::uint64_t* producer_pos, const std::byte* data,
                      std::uint64_t mask, F& on_record, std::size_t max_records, std::optional<RingFault>& fault) {
    std::uint64_t cons = __atomic_load_n(consumer_pos, __ATOMIC_RELAXED);  // only we write it
    std::size_t n = 0;
    // The rounded size of the last complete record (header included); 0 before the first. Always below 2^30, so
    // a header with the busy or discard bit set never matches it.
    std::uint64_t stride = 0;
    for (;;) {
        const std::uint64_t prod = __atomic_load_n(producer_pos, __ATOMIC_ACQUIRE);
        if (cons >= prod || n >= max_records) break;
        bool stop = false;
        do {
            const std::byte* hdr = data + (cons & mask);
            // Records were written by another CPU: ask for the lines ahead early (hardware prefetchers stop at
            // page boundaries; the data area is mapped twice, so reading past its end stays mapped).
            __builtin_prefetch(hdr + 2048);
            const std::uint32_t word = __atomic_load_n(reinterpret_cast<const std::uint32_t*>(hdr), __ATOMIC_ACQUIRE);
            const std::uint32_t len = word & ~(kRingBusyBit | kRingDiscardBit);  // not on the address chain
            // Flags kept: (len + header + 7) rounded down to 8, plus the flag bits, which make it >= 2^30.
            if (((std::uint64_t{word} + kRingHeaderSize + 7) & ~std::uint64_t{7}) == stride &&
                stride <= prod - cons) [[likely]] {
                cons += stride;  // the predicted size: no dependency on `word`
            } else {
                if (word & kRingBusyBit) {
                    stop = true;
                    break;
                }
                const std::uint64_t total = (std::uint64_t{len} + kRingHeaderSize + 7) & ~std::uint64_t{7};
                if (total > prod - cons || total > mask + 1) [[unlikely]] {
                    __atomic_store_n(consumer_pos, cons, __ATOMIC_RELEASE);
                    fault = RingFault{cons, len, prod - cons};
                    return n;
                }
                cons += total;
                if (word & kRingDiscardBit) continue;
                if (total < (std::uint64_t{1} << 30)) stride = total;
            }
            ++n;
            if (!call_record_callback(on_record, std::span<const std::byte>(hdr + kRingHeaderSize, len)) ||
                n >= max_records) {
                stop = true;
                break;
            }
        } while (cons < prod);
        // Publish once per batch: records stay valid until here, and the kernel sees the space come back.
        __atomic_store_n(consumer_pos, cons, __ATOMIC_RELEASE);
        if (stop) break;
    }
    return n;
}

// One record without consuming it (discarded records before it are consumed): the record and the consumer
// position after it, or an empty record when none is ready. Faults as scan_ring().
struct RingPeek {
    std::optional<std::span<const std::byte>> record;
    std::uint64_t end = 0;
};
inline RingPeek peek_ring(std::uint64_t* consumer_pos, const std::uint64_t* producer_pos, const std::byte* data,
                          std::uint64_t mask, std::optional<RingFault>& fault) {
    std::uint64_t cons = __atomic_load_n(consumer_pos, __ATOMIC_RELAXED);
    const std::uint64_t prod = __atomic_load_n(producer_pos, __ATOMIC_ACQUIRE);
    while (cons < prod) {
        const std::byte* hdr = data + (cons & mask);
        const std::uint32_t word = __atomic_load_n(reinterpret_cast<const std::uint32_t*>(hdr), __ATOMIC_ACQUIRE);
        if (word & kRingBusyBit) break;
        const std::uint32_t len = word & ~(kRingBusyBit | kRingDiscardBit);
        const std::uint64_t total = (std::uint64_t{len} + kRingHeaderSize + 7) & ~std::uint64_t{7};
        if (total > prod - cons || total > mask + 1) {
            __atomic_store_n(consumer_pos, cons, __ATOMIC_RELEASE);
            fault = RingFault{cons, len, prod - cons};
            return {};
        }
        if (word & kRingDiscardBit) {
            cons += total;
            __atomic_store_n(consumer_pos, cons, __ATOMIC_RELEASE);
            continue;
        }
        return {std::span<const std::byte>(hdr + kRingHeaderSize, len), cons + total};
    }
    return {};
}
}  // namespace detail

// RingBuffer consumes one BPF ring buffer map, zero-copy: each record is handed to the callback as a span into
// the shared memory, valid only during the callback.
// Ownership: move-only; it shares its Map (may outlive the Object) and owns the mappings of the ring.
// Thread safety: one consumer at a time (consume() from one thread); the kernel side may produce concurrently,
//   which is the point. Ordering: the producer position and each record header are read with acquire loads,
//   the consumer position published with a release store, as the kernel's producer expects.
// Kernel: 5.8+. The map fd polls readable (EPOLLIN) when records are available; BPF programs choose when to
//   notify (BPF_RB_NO_WAKEUP / BPF_RB_FORCE_WAKEUP), so poll with a timeout if they suppress wakeups.
class RingBuffer {
public:
    // Maps the ring. Errors: InvalidArgument (not a RINGBUF map), and the mmap failure.
    static Result<RingBuffer> open(const Map& map);

    RingBuffer(RingBuffer&&) noexcept = default;
    RingBuffer& operator=(RingBuffer&&) noexcept = default;
    ~RingBuffer() = default;

    const Map& map() const noexcept { return map_; }
    // The map's fd: epoll/poll it for EPOLLIN.
    FdRef fd() const noexcept { return map_.fd(); }
    // Bytes published and not yet consumed.
    std::uint64_t available() const noexcept;
    // The ring's data size in bytes.
    std::size_t capacity() const noexcept { return static_cast<std::size_t>(mem_->mask + 1); }

    // Hands each available record (at most `max_records`) to `on_record(std::span<const std::byte>)`, which may
    // return void, or bool (false: stop after this record). Records discarded by the producer are skipped (not
    // counted). Stops at a record still being written. Returns the number of records handed over.
    // Errors: InvalidArgument when a record header is impossible (length beyond what was published): the ring is
    //   then left where it was, and the error names the position.
    template <class F>
    Result<std::size_t> consume(F&& on_record, std::size_t max_records = std::numeric_limits<std::size_t>::max()) {
        std::optional<detail::RingFault> fault;
        const std::size_t n =
            detail::scan_ring(mem_->consumer_pos, mem_->producer_pos, mem_->data, mem_->mask, on_record, max_records, fault);
        if (fault) [[unlikely]]
            return detail::bad_ring_record(map_, *fault);
        return n;
    }

    // One record at a time, for consumers that hold a record across a suspension (coroutines): the next record
    // (discarded ones skipped), or an empty optional when none is ready. It stays valid, and the ring does not
    // advance, until release(). Errors: as consume().
    Result<std::optional<std::span<const std::byte>>> peek();
    // Gives back the record peek() returned (no-op if none).
    void release() noexcept;

private:
    RingBuffer(Map map, std::unique_ptr<detail::RingMemory> mem) noexcept : map_(std::move(map)), mem_(std::move(mem)) {}
    Map map_;
    std::unique_ptr<detail::RingMemory> mem_;
    std::uint64_t peeked_end_ = 0;  // consumer position after the record peek() returned (0: none held)
};

// RingBufferReader polls several ring buffers together: one epoll fd for all of them, a callback per ring.
// Ownership: move-only; owns its rings (each sharing its Map) and the epoll fd.
// Thread safety: one thread consumes; stop() (wake()) may be called from any thread.
class RingBufferReader {
public:
    using Callback = bool (*)(void* ctx, std::span<const std::byte> record);  // false: stop this round

    static Result<RingBufferReader> create();
    RingBufferReader(RingBufferReader&&) noexcept;
    RingBufferReader& operator=(RingBufferReader&&) noexcept;
    ~RingBufferReader();

    // Adds a ring; `on_record` (any callable taking std::span<const std::byte>, returning void or bool) is copied
    // into the reader. Errors: as RingBuffer::open, and EPOLL_CTL_ADD's.
    template <class F>
    Result<void> add(const Map& map, F on_record) {
        auto holder = std::make_unique<Holder<F>>(std::move(on_record));
        void* ctx = holder.get();
        return add_ring(map, &Holder<F>::call, ctx, std::unique_ptr<HolderBase>(std::move(holder)));
    }
    // The epoll fd: readable when any ring has records (nest it in your own event loop).
    FdRef fd() const noexcept;
    std::size_t size() const noexcept;

    // Consumes what is available in every ring now, at most `max_records` in all. Returns the count.
    Result<std::size_t> consume(std::size_t max_records = std::numeric_limits<std::size_t>::max());
    // Waits up to `timeout_ms` (-1: forever) for records, then consumes them. Returns the count (0 on timeout or
    // after wake()). Errors: epoll_pwait's (EINTR is retried).
    Result<std::size_t> poll(int timeout_ms, std::size_t max_records = std::numeric_limits<std::size_t>::max());
    // Makes a poll() in another thread return now (an eventfd in the epoll set). Thread-safe.
    void wake() noexcept;

    struct State;

private:
    struct HolderBase {
        virtual ~HolderBase() = default;
    };
    template <class F>
    struct Holder final : HolderBase {
        explicit Holder(F f) : fn(std::move(f)) {}
        static bool call(void* self, std::span<const std::byte> r) {
            return detail::call_record_callback(static_cast<Holder*>(self)->fn, r);
        }
        F fn;
    };
    explicit RingBufferReader(std::unique_ptr<State> s) noexcept;
    Result<void> add_ring(const Map& map, Callback cb, void* ctx, std::unique_ptr<HolderBase> owner);
    std::unique_ptr<State> s_;
};

// UserRingBuffer produces records for a BPF program to drain (bpf_user_ringbuf_drain()).
// Ownership: move-only; shares its Map, owns its mappings.
// Thread safety: one producer at a time (reserve/submit from one thread, or serialise them yourself).
// Kernel: 6.1+.
class UserRingBuffer {
public:
    // Errors: InvalidArgument (not a USER_RINGBUF map), the mmap failure.
    static Result<UserRingBuffer> open(const Map& map);
    UserRingBuffer(UserRingBuffer&&) noexcept = default;
    UserRingBuffer& operator=(UserRingBuffer&&) noexcept = default;
    ~UserRingBuffer() = default;

    const Map& map() const noexcept { return map_; }
    // The map fd: polls writable (EPOLLOUT) when the BPF side has freed space.
    FdRef fd() const noexcept { return map_.fd(); }

    // Reserves `size` bytes; write the record there, then submit() or discard() it (in any order: the BPF side
    // stops at the first record not yet submitted). Errors: WouldBlock when the ring is full now (poll fd() for
    // EPOLLOUT), InvalidArgument for a size the ring can never hold.
    Result<std::span<std::byte>> reserve(std::size_t size);
    // Publishes a reserved record to the BPF side. `record` must come from reserve().
    void submit(std::span<std::byte> record) noexcept;
    // Gives a reserved record back (the BPF side skips it).
    void discard(std::span<std::byte> record) noexcept;
    // Copies `bytes` into a new record and submits it. Errors: as reserve().
    Result<void> write(std::span<const std::byte> bytes);

private:
    UserRingBuffer(Map map, std::unique_ptr<detail::RingMemory> mem) noexcept
        : map_(std::move(map)), mem_(std::move(mem)) {}
    Map map_;
    std::unique_ptr<detail::RingMemory> mem_;
};

}  // namespace ebpf
