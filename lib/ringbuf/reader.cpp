// SPDX-License-Identifier: MIT
// RingBufferReader: several rings behind one epoll fd, and an eventfd to wake a waiting poll().
#include <ebpf/ringbuf.hpp>

#include <array>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/epoll.hpp"

namespace ebpf {

using detail::format;

struct RingBufferReader::State {
    UniqueFd epoll, wake;
    struct Ring {
        RingBuffer rb;
        Callback cb;
        void* ctx;
        std::unique_ptr<HolderBase> owner;
    };
    std::vector<Ring> rings;
};

RingBufferReader::RingBufferReader(std::unique_ptr<State> s) noexcept : s_(std::move(s)) {}
RingBufferReader::RingBufferReader(RingBufferReader&&) noexcept = default;
RingBufferReader& RingBufferReader::operator=(RingBufferReader&&) noexcept = default;
RingBufferReader::~RingBufferReader() = default;

Result<RingBufferReader> RingBufferReader::create() {
    auto s = std::make_unique<State>();
    EBPF_TRY_ASSIGN(s->epoll, sys::epoll_create().context("ring buffer reader"));
    EBPF_TRY_ASSIGN(s->wake, sys::eventfd_create().context("ring buffer reader"));
    EBPF_TRY(sys::epoll_add(s->epoll.get(), s->wake.get(), sys::kEpollIn, sys::kEpollWakeToken).context("ring buffer reader"));
    return RingBufferReader(std::move(s));
}

Result<void> RingBufferReader::add_ring(const Map& map, Callback cb, void* ctx, std::unique_ptr<HolderBase> owner) {
    EBPF_TRY_ASSIGN(RingBuffer rb, RingBuffer::open(map));
    EBPF_TRY(sys::epoll_add(s_->epoll.get(), map.fd().get(), sys::kEpollIn, s_->rings.size())
                 .context(format("ring buffer reader: add ring buffer '%s'", map.name().c_str())));
    s_->rings.push_back(State::Ring{std::move(rb), cb, ctx, std::move(owner)});
    return {};
}

FdRef RingBufferReader::fd() const noexcept { return s_ ? FdRef(s_->epoll) : FdRef(-1); }
std::size_t RingBufferReader::size() const noexcept { return s_ ? s_->rings.size() : 0; }

Result<std::size_t> RingBufferReader::consume(std::size_t max_records) {
    std::size_t total = 0;
    for (State::Ring& r : s_->rings) {
        if (total >= max_records) break;
        bool stopped = false;
        auto n = r.rb.consume(
            [&](std::span<const std::byte> rec) {
                if (!r.cb(r.ctx, rec)) stopped = true;
                return !stopped;
            },
            max_records - total);
        if (!n) return std::move(n).error();
        total += *n;
        if (stopped) break;
    }
    return total;
}

Result<std::size_t> RingBufferReader::poll(int timeout_ms, std::size_t max_records) {
    // Records already there need no wait.
    EBPF_TRY_ASSIGN(std::size_t n, consume(max_records));
    if (n > 0) return n;
    std::array<sys::EpollEvent, 16> events{};
    EBPF_TRY_ASSIGN(const std::size_t ready, sys::epoll_wait(s_->epoll.get(), events, timeout_ms));
    for (std::size_t i = 0; i < ready; ++i)
        if (events[i].data == sys::kEpollWakeToken) sys::eventfd_drain(s_->wake.get());
    return consume(max_records);
}

void RingBufferReader::wake() noexcept {
    if (s_) sys::eventfd_signal(s_->wake.get());
}

}  // namespace ebpf
