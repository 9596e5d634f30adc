// SPDX-License-Identifier: MIT
// Coroutine awaitables on the Poller: RingBufferStream (one record per co_await, zero-copy, no allocation) and
// AsyncFd (readiness of a borrowed fd). Both suspend by arming their fd once (EPOLLONESHOT) and are resumed by
// the round that sees it ready.
#include <ebpf/async.hpp>

#include "async/state.hpp"
#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/epoll.hpp"

namespace ebpf {

using detail::format;
using detail::WaitCore;

namespace detail {

WaitCore::~WaitCore() {
    if (!poller) return;
    PollerState* state = poller;
    poller = nullptr;
    const std::uint64_t my_id = id.value;
    std::coroutine_handle<> h = complete_with(canceled(ring ? "the stream was destroyed" : "the AsyncFd was destroyed"));
    state->drop(my_id);
    state->defer_resume(h);
}

std::string WaitCore::what() const {
    if (ring) return format("ring buffer stream '%s'", ring->map().name().c_str());
    return format("async fd %d", fd);
}

Error WaitCore::canceled(const char* why) const {
    return Error(Errc::Canceled, format("%s: canceled: %s", what().c_str(), why));
}

Result<void> WaitCore::arm(std::uint32_t events) noexcept {
    return sys::epoll_modify(poller->epoll.get(), fd, events | sys::kEpollOneshot, id.value);
}

std::coroutine_handle<> WaitCore::complete_with(Error e) noexcept {
    std::coroutine_handle<> h;
    if (next_waiter) {
        next_waiter->result_ = std::move(e);
        h = next_waiter->handle_;
        next_waiter = nullptr;
    } else if (fd_waiter) {
        fd_waiter->result_ = std::move(e);
        h = fd_waiter->handle_;
        fd_waiter = nullptr;
    }
    return h;
}

void WaitCore::detach(const char* why, bool resume_now) {
    PollerState* state = poller;
    poller = nullptr;
    id = PollerId{};
    detached = why;
    std::coroutine_handle<> h = complete_with(canceled(why));
    if (!h) return;
    if (resume_now || !state) h.resume();
    else state->defer_resume(h);
}

Result<std::size_t> WaitCore::ready(std::uint32_t events, std::size_t) {
    // Nothing after resume() may touch *this: the coroutine may destroy the stream.
    if (next_waiter) {
        RingBufferStream::Next* w = next_waiter;
        auto r = ring->peek();
        if (!r) {
            w->result_ = std::move(r).error();
        } else if (*r) {
            w->result_ = **r;
        } else {
            // Readable but the first record is still being written: wait for its commit (it wakes us, as the
            // consumer has caught up with it).
            auto armed = arm(sys::kEpollIn);
            if (armed) return std::size_t{0};
            w->result_ = std::move(armed).error().context(what());
        }
        next_waiter = nullptr;
        w->handle_.resume();
        return std::size_t{1};
    }
    if (fd_waiter) {
        AsyncFd::Wait* w = fd_waiter;
        fd_waiter = nullptr;
        w->result_ = static_cast<PollEvents>(events);
        w->handle_.resume();
        return std::size_t{1};
    }
    return std::size_t{0};  // a one-shot event nobody waits for any more (canceled, or an error before a wait)
}

namespace {
// Registers a core: in the epoll set, disarmed until a coroutine waits (EPOLLONESHOT with no events).
Result<void> register_core(detail::PollerState* state, WaitCore& core, const char* what) {
    if (!state) return Error(Errc::InvalidArgument, format("%s: the poller was moved from", what));
    EBPF_TRY_ASSIGN(core.id, state->add(core.fd, sys::kEpollOneshot, nullptr, &core, what));
    return {};
}
}  // namespace

}  // namespace detail

// --- RingBufferStream -------------------------------------------------------------------------------------------

RingBufferStream::RingBufferStream(std::unique_ptr<WaitCore> core) noexcept : core_(std::move(core)) {}
RingBufferStream::RingBufferStream(RingBufferStream&&) noexcept = default;
RingBufferStream& RingBufferStream::operator=(RingBufferStream&&) noexcept = default;
RingBufferStream::~RingBufferStream() = default;

Result<RingBufferStream> RingBufferStream::open(Poller& poller, RingBuffer ring) {
    const int fd = ring.fd().get();
    const std::string what = format("ring buffer stream '%s'", ring.map().name().c_str());
    auto core = std::make_unique<WaitCore>(poller.s_.get(), fd, std::move(ring));
    EBPF_TRY(detail::register_core(poller.s_.get(), *core, what.c_str()));
    return RingBufferStream(std::move(core));
}

Result<RingBufferStream> RingBufferStream::open(Poller& poller, const Map& map) {
    EBPF_TRY_ASSIGN(RingBuffer ring, RingBuffer::open(map));
    return open(poller, std::move(ring));
}

RingBuffer& RingBufferStream::ring() noexcept { return *core_->ring; }
PollerId RingBufferStream::id() const noexcept { return core_->id; }

bool RingBufferStream::Next::await_ready() noexcept {
    WaitCore& c = *core_;
    if (!c.poller) {
        c.ring->release();
        result_ = c.canceled(c.detached ? c.detached : "no poller");
        return true;
    }
    if (c.waiting()) {
        result_ = Error(Errc::InvalidArgument, format("%s: another coroutine is already waiting on it", c.what().c_str()));
        return true;
    }
    auto r = c.ring->peek();  // gives the previous record back first
    if (!r) {
        result_ = std::move(r).error();
        return true;
    }
    if (!*r) return false;
    result_ = **r;
    return true;
}

bool RingBufferStream::Next::await_suspend(std::coroutine_handle<> h) noexcept {
    WaitCore& c = *core_;
    if (auto armed = c.arm(sys::kEpollIn); !armed) {
        result_ = std::move(armed).error().context(c.what());
        return false;
    }
    handle_ = h;
    c.next_waiter = this;
    ++c.epoch;
    return true;
}

Result<std::span<const std::byte>> RingBufferStream::Next::await_resume() noexcept { return std::move(result_); }

// --- AsyncFd ----------------------------------------------------------------------------------------------------

AsyncFd::AsyncFd(std::unique_ptr<WaitCore> core) noexcept : core_(std::move(core)) {}
AsyncFd::AsyncFd(AsyncFd&&) noexcept = default;
AsyncFd& AsyncFd::operator=(AsyncFd&&) noexcept = default;
AsyncFd::~AsyncFd() = default;

Result<AsyncFd> AsyncFd::open(Poller& poller, FdRef fd) {
    auto core = std::make_unique<WaitCore>(poller.s_.get(), fd.get(), std::nullopt);
    const std::string what = format("async fd %d", fd.get());
    EBPF_TRY(detail::register_core(poller.s_.get(), *core, what.c_str()));
    return AsyncFd(std::move(core));
}

PollerId AsyncFd::id() const noexcept { return core_->id; }

bool AsyncFd::Wait::await_ready() noexcept {
    WaitCore& c = *core_;
    if (!c.poller) {
        result_ = c.canceled(c.detached ? c.detached : "no poller");
        return true;
    }
    if (c.waiting()) {
        result_ = Error(Errc::InvalidArgument, format("%s: another coroutine is already waiting on it", c.what().c_str()));
        return true;
    }
    if (events_ == PollEvents::None) {
        result_ = Error(Errc::InvalidArgument, format("%s: wait for no events", c.what().c_str()));
        return true;
    }
    return false;
}

bool AsyncFd::Wait::await_suspend(std::coroutine_handle<> h) noexcept {
    WaitCore& c = *core_;
    if (auto armed = c.arm(static_cast<std::uint32_t>(events_)); !armed) {
        result_ = std::move(armed).error().context(c.what());
        return false;
    }
    handle_ = h;
    c.fd_waiter = this;
    ++c.epoch;
    return true;
}

Result<PollEvents> AsyncFd::Wait::await_resume() noexcept { return std::move(result_); }

}  // namespace ebpf
