// SPDX-License-Identifier: MIT
// Mapping ring buffers (kernel-produced and user-produced) and the user ring buffer's producer side.
#include <ebpf/ringbuf.hpp>

#include <cstring>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/mmap.hpp"

namespace ebpf {

using detail::format;

namespace detail {

RingMemory::~RingMemory() {
    if (base) sys::munmap(base, length);
    if (consumer_base) sys::munmap(consumer_base, consumer_length);
}

Error bad_ring_record(const Map& map, const RingFault& fault) {
    return Error(Errc::InvalidArgument,
                 format("ring buffer '%s': the record at position %llu claims %u bytes, but only %llu bytes are "
                        "published; not reading it",
                        map.name().c_str(), static_cast<unsigned long long>(fault.pos), fault.len,
                        static_cast<unsigned long long>(fault.published)));
}

}  // namespace detail

namespace {

// Kernel layout: page 0 holds consumer_pos, page 1 producer_pos, then the data area, mapped twice in a row.
// For RINGBUF user space may write only the consumer page; for USER_RINGBUF only the producer page and data.
Result<std::unique_ptr<detail::RingMemory>> map_ring(const Map& map, MapType want, bool user_producer) {
    const char* kind = user_producer ? "user ring buffer" : "ring buffer";
    if (map.type() != want)
        return Error(Errc::InvalidArgument, format("map '%s' is a %.*s map, not a %s", map.name().c_str(),
                                                   EBPF_SV(to_string(map.type())), kind));
    const std::size_t page = sys::page_size();
    const std::size_t size = map.max_entries();
    if (size == 0 || (size & (size - 1)) != 0 || size % page != 0)
        return Error(Errc::InvalidArgument, format("%s '%s': size %zu is not a power-of-two multiple of the page size",
                                                   kind, map.name().c_str(), size));
    auto mem = std::make_unique<detail::RingMemory>();
    auto where = [&] { return format("map %s '%s'", kind, map.name().c_str()); };
    sys::MmapRequest consumer;
    consumer.length = page;
    consumer.prot = user_producer ? sys::MapProt::Read : sys::MapProt::ReadWrite;
    consumer.fd = map.fd().get();
    EBPF_TRY_ASSIGN(void* c, sys::mmap_shared(consumer).context(where() + " (consumer page)"));
    mem->consumer_base = c;
    mem->consumer_length = page;
    sys::MmapRequest producer;
    producer.length = page + 2 * size;
    producer.prot = user_producer ? sys::MapProt::ReadWrite : sys::MapProt::Read;
    producer.fd = map.fd().get();
    producer.offset = page;
    // Fault the whole ring in now: otherwise the consumer's first lap over the data takes a page fault every 4 KiB
    // (about as much time as reading the records), on the hot path.
    producer.populate = true;
    EBPF_TRY_ASSIGN(void* p, sys::mmap_shared(producer).context(where() + " (producer page and data)"));
    mem->base = p;
    mem->length = producer.length;
    mem->consumer_pos = static_cast<std::uint64_t*>(c);
    mem->producer_pos = static_cast<const std::uint64_t*>(p);
    mem->data = static_cast<std::byte*>(p) + page;
    mem->mask = size - 1;
    return mem;
}

}  // namespace

Result<RingBuffer> RingBuffer::open(const Map& map) {
    EBPF_TRY_ASSIGN(auto mem, map_ring(map, MapType::Ringbuf, false));
    return RingBuffer(map, std::move(mem));
}

std::uint64_t RingBuffer::available() const noexcept {
    const std::uint64_t prod = __atomic_load_n(mem_->producer_pos, __ATOMIC_ACQUIRE);
    const std::uint64_t cons = __atomic_load_n(mem_->consumer_pos, __ATOMIC_RELAXED);
    return prod - cons;
}

Result<std::optional<std::span<const std::byte>>> RingBuffer::peek() {
    release();
    std::optional<detail::RingFault> fault;
    const detail::RingPeek p = detail::peek_ring(mem_->consumer_pos, mem_->producer_pos, mem_->data, mem_->mask, fault);
    if (fault) return detail::bad_ring_record(map_, *fault);
    if (p.record) peeked_end_ = p.end;
    return p.record;
}

void RingBuffer::release() noexcept {
    if (peeked_end_ == 0) return;
    __atomic_store_n(mem_->consumer_pos, peeked_end_, __ATOMIC_RELEASE);
    peeked_end_ = 0;
}

Result<UserRingBuffer> UserRingBuffer::open(const Map& map) {
    EBPF_TRY_ASSIGN(auto mem, map_ring(map, MapType::UserRingbuf, true));
    return UserRingBuffer(map, std::move(mem));
}

Result<std::span<std::byte>> UserRingBuffer::reserve(std::size_t size) {
    detail::RingMemory& m = *mem_;
    const std::uint64_t capacity = m.mask + 1;
    const std::uint64_t total = (std::uint64_t{size} + detail::kRingHeaderSize + 7) & ~std::uint64_t{7};
    // The kernel refuses records with the busy/discard bits in their length, and records beyond the ring.
    if (size >= detail::kRingDiscardBit || total > capacity)
        return Error(Errc::InvalidArgument, format("user ring buffer '%s': a record of %zu bytes never fits (the ring "
                                                   "holds %llu bytes, with an 8-byte header per record)",
                                                   map_.name().c_str(), size,
                                                   static_cast<unsigned long long>(capacity)));
    auto* prod_pos = const_cast<std::uint64_t*>(m.producer_pos);  // ours: the producer page is mapped writable
    const std::uint64_t cons = __atomic_load_n(m.consumer_pos, __ATOMIC_ACQUIRE);
    const std::uint64_t prod = __atomic_load_n(prod_pos, __ATOMIC_RELAXED);
    if (prod - cons + total > capacity)
        return Error(Errc::WouldBlock, format("user ring buffer '%s' is full: %llu of %llu bytes free, the record "
                                              "needs %llu; wait for the BPF side to drain it (poll for EPOLLOUT)",
                                              map_.name().c_str(),
                                              static_cast<unsigned long long>(capacity - (prod - cons)),
                                              static_cast<unsigned long long>(capacity),
                                              static_cast<unsigned long long>(total)));
    std::byte* hdr = m.data + (prod & m.mask);
    const std::uint32_t words[2] = {static_cast<std::uint32_t>(size) | detail::kRingBusyBit, 0};
    std::memcpy(hdr, words, sizeof words);
    // The busy header is in place before the kernel can see the new producer position.
    __atomic_store_n(prod_pos, prod + total, __ATOMIC_RELEASE);
    return std::span<std::byte>(hdr + detail::kRingHeaderSize, size);
}

namespace {
void publish(std::span<std::byte> record, std::uint32_t flags) noexcept {
    auto* len = reinterpret_cast<std::uint32_t*>(record.data() - detail::kRingHeaderSize);
    __atomic_store_n(len, static_cast<std::uint32_t>(record.size()) | flags, __ATOMIC_RELEASE);
}
}  // namespace

void UserRingBuffer::submit(std::span<std::byte> record) noexcept { publish(record, 0); }
void UserRingBuffer::discard(std::span<std::byte> record) noexcept { publish(record, detail::kRingDiscardBit); }

Result<void> UserRingBuffer::write(std::span<const std::byte> bytes) {
    EBPF_TRY_ASSIGN(const std::span<std::byte> r, reserve(bytes.size()));
    if (!bytes.empty()) std::memcpy(r.data(), bytes.data(), bytes.size());
    submit(r);
    return {};
}

}  // namespace ebpf
