// SPDX-License-Identifier: MIT
// Asynchronous consumers: an epoll reactor (Poller) that drives ring buffers, perf buffers and fds with callbacks,
// and C++20 coroutines on top of it (RingBufferStream, AsyncFd, Task). docs/async.md is the guide; the Asio
// adapter is <ebpf/asio.hpp>. Every reader also exposes its fd() for an event loop of your own.
#pragma once

#include <concepts>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <limits>
#include <memory>
#include <span>
#include <type_traits>
#include <utility>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/map.hpp>
#include <ebpf/ringbuf.hpp>

namespace ebpf {

// Readiness of an fd (the EPOLL* bits of the same names).
enum class PollEvents : std::uint32_t { None = 0, In = 0x001, Out = 0x004, Err = 0x008, Hup = 0x010 };
constexpr PollEvents operator|(PollEvents a, PollEvents b) noexcept {
    return static_cast<PollEvents>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr PollEvents operator&(PollEvents a, PollEvents b) noexcept {
    return static_cast<PollEvents>(static_cast<std::uint32_t>(a) & static_cast<std::uint32_t>(b));
}
constexpr bool has(PollEvents set, PollEvents bits) noexcept { return (set & bits) != PollEvents::None; }

// Names an entry of a Poller, for remove(). Ids are not reused while the Poller lives; 0 is never an id.
struct PollerId {
    std::uint64_t value = 0;
    friend bool operator==(PollerId, PollerId) = default;
};

// What the Poller can drive by itself: anything with an fd that polls readable and a bounded consume().
// RingBufferReader, PerfBuffer and Logger are such sources.
template <class S>
concept PollSourceType = requires(S& s, std::size_t n) {
    { s.fd() } -> std::convertible_to<FdRef>;
    { s.consume(n) } -> std::same_as<Result<std::size_t>>;
};

// A second descriptor for the same open file (F_DUPFD_CLOEXEC), e.g. for an event loop that closes what it is
// given (Asio's stream_descriptor). Errors: the fcntl failure (Syscall, ResourceLimit).
Result<UniqueFd> dup_fd(FdRef fd);

struct PollerOptions {
    // At most this many records (samples, events) from one source per wake-up, so one busy ring cannot starve the
    // others; the rest comes in the next round, without waiting.
    std::size_t batch = 256;
};

namespace detail {
struct PollerState;
class WaitCore;

// One entry of a Poller: called on the poller's thread when its fd is ready.
class PollSource {
public:
    PollSource() = default;
    PollSource(const PollSource&) = delete;
    PollSource& operator=(const PollSource&) = delete;
    virtual ~PollSource() = default;
    // Hands over at most `budget` records; returns how many. Returning `budget` means "maybe more": the poller
    // calls again in its next round even if the fd does not poll ready (perf buffers wake only once).
    virtual Result<std::size_t> ready(std::uint32_t events, std::size_t budget) = 0;
};

template <class S>
class OwnedSource final : public PollSource {
public:
    explicit OwnedSource(S s) : s_(std::move(s)) {}
    Result<std::size_t> ready(std::uint32_t, std::size_t budget) override { return s_.consume(budget); }

private:
    S s_;
};

template <class F>
class RingSource final : public PollSource {
public:
    RingSource(RingBuffer ring, F f) : ring_(std::move(ring)), f_(std::move(f)) {}
    Result<std::size_t> ready(std::uint32_t, std::size_t budget) override { return ring_.consume(f_, budget); }

private:
    RingBuffer ring_;
    F f_;
};

template <class F>
class FdSource final : public PollSource {
public:
    explicit FdSource(F f) : f_(std::move(f)) {}
    Result<std::size_t> ready(std::uint32_t events, std::size_t) override {
        f_(static_cast<PollEvents>(events));
        return std::size_t{1};
    }

private:
    F f_;
};
}  // namespace detail

// Poller: an epoll reactor. Ring buffers (with a callback), RingBufferReaders, PerfBuffers, Loggers and plain fds
// are added to it; run() waits and hands their records to the callbacks; coroutines (RingBufferStream, AsyncFd)
// suspend on it and are resumed by run().
//
//   auto poller = *Poller::create();
//   poller.add(*RingBuffer::open(*obj.map("events")), [](std::span<const std::byte> rec) { ... });
//   poller.add(*PerfBuffer::open(*obj.map("samples"), [](int cpu, std::span<const std::byte> d) { ... }));
//   poller.run();   // until stop(), from a signal handler or another thread
//
// Ownership: move-only. Readers are moved into the Poller, which owns them until remove() or its destruction.
//   add_fd() borrows the fd: remove() it before closing it (a closed fd silently leaves the epoll set, and its
//   callback is never called again). Moving a Poller keeps every id, stream and suspended coroutine valid.
// Thread safety: a Poller belongs to one thread at a time, the one calling run()/run_once(); callbacks and
//   resumed coroutines run there, and add/remove/streams are used there. stop() may be called from any thread
//   and from a signal handler.
// Cancellation: when run() returns because of stop(), and when the Poller is destroyed, every coroutine
//   suspended on it is resumed with Errc::Canceled (after destruction, awaiting returns Canceled at once).
//   remove() and destroying a stream or AsyncFd cancel their waiter too (it is resumed in the next round).
// Kernel: epoll and eventfd (2.6.27+). Errors: as each call says; the message names the source.
class Poller {
public:
    static Result<Poller> create(const PollerOptions& options = {});
    Poller(Poller&&) noexcept;
    Poller& operator=(Poller&&) noexcept;
    ~Poller();

    // A ring buffer and its callback, on_record(std::span<const std::byte>) returning void or bool (false: stop
    // this round). The span is valid during the call only. Errors: EPOLL_CTL_ADD's.
    template <class F>
    Result<PollerId> add(RingBuffer ring, F on_record) {
        const int fd = ring.fd().get();
        return add_source(fd, kIn, std::make_unique<detail::RingSource<F>>(std::move(ring), std::move(on_record)),
                          "ring buffer");
    }
    // A reader with its own callbacks: RingBufferReader, PerfBuffer, Logger (any PollSourceType).
    template <PollSourceType S>
    Result<PollerId> add(S source) {
        const int fd = FdRef(source.fd()).get();
        return add_source(fd, kIn, std::make_unique<detail::OwnedSource<S>>(std::move(source)), "source");
    }
    // A borrowed fd: on_ready(PollEvents) is called while it is ready for `events` (level-triggered: read or
    // write until it is not, or remove() it). Errors: InvalidArgument (no events), EPOLL_CTL_ADD's (EBADF, EPERM
    // for regular files, EEXIST if the fd is already in this Poller).
    template <class F>
    Result<PollerId> add_fd(FdRef fd, PollEvents events, F on_ready) {
        return add_source(fd.get(), static_cast<std::uint32_t>(events), std::make_unique<detail::FdSource<F>>(std::move(on_ready)),
                          "fd");
    }
    // Removes a source (destroying what the Poller owned, after the current callback if called from one) or
    // cancels a stream/AsyncFd registration. Errors: NotFound (no such id, or already removed).
    Result<void> remove(PollerId id);
    // Sources and streams registered.
    std::size_t size() const noexcept;

    // Waits and dispatches until stop() or until `timeout_ms` have passed (-1: no limit). Returns the records
    // (samples, fd events, coroutine resumptions) handed over. A source's error ends the run after the round it
    // happened in: the error says which source (its id) and what; the source stays (remove() it, or run again).
    // Errors: epoll_pwait's (EINTR is retried), a source's.
    Result<std::size_t> run(int timeout_ms = -1);
    // One round: waits up to `timeout_ms` (0: not at all) for anything ready, dispatches it, returns.
    Result<std::size_t> run_once(int timeout_ms = 0);
    // Makes the current (or the next) run()/run_once() return after its round, cancelling suspended coroutines.
    // Thread-safe and async-signal-safe (one write to an eventfd).
    void stop() noexcept;

    // The epoll fd: readable whenever run_once(0) has something to do (nest the Poller in another loop).
    FdRef fd() const noexcept;

private:
    static constexpr std::uint32_t kIn = 0x001;
    friend class RingBufferStream;
    friend class AsyncFd;
    explicit Poller(std::unique_ptr<detail::PollerState> s) noexcept;
    Result<PollerId> add_source(int fd, std::uint32_t events, std::unique_ptr<detail::PollSource> source,
                                const char* what);
    std::unique_ptr<detail::PollerState> s_;
};

// Task: a fire-and-forget coroutine. It starts at once, in the caller's thread, runs until its first suspension
// (an await that is not ready), and is then resumed by the Poller's run(); its frame (one allocation per
// coroutine) is freed when it returns. It has no result: report results through captured state.
// Every Task awaiting on a Poller finishes when the Poller is destroyed (its awaits return Canceled), provided
// it stops awaiting after an error. Exceptions escaping it terminate the program.
class Task {
public:
    struct promise_type {
        Task get_return_object() noexcept { return Task{}; }
        std::suspend_never initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() noexcept {}
        void unhandled_exception() noexcept { std::terminate(); }
    };
};

// RingBufferStream: a ring buffer read by a coroutine, one record per co_await, without allocating:
//
//   Task consume(Poller& poller, RingBuffer ring) {
//       auto stream = RingBufferStream::open(poller, std::move(ring));
//       if (!stream) co_return;
//       for (;;) {
//           auto rec = co_await stream->next();   // Result<std::span<const std::byte>>
//           if (!rec) break;                        // Canceled when the poller stops; or a corrupt ring
//           handle(*rec);
//       }
//   }
//
// next() is ready at once when a record is in the ring (RingBuffer::peek(): no system call); otherwise the
// coroutine suspends until the ring's fd polls readable (one epoll_ctl to arm it), and is resumed by the Poller.
// A record (a span into the ring) stays valid until the next next() call or the stream's destruction; the
// ring space is given back (RingBuffer::release()) then.
// Ownership: move-only; owns the RingBuffer (which shares its Map, so the map cannot go away under it); registered
//   in the Poller until destroyed. Destroying it while a coroutine awaits next() resumes that coroutine with
//   Canceled in the Poller's next round (the coroutine must not touch the stream again).
// Thread safety: the Poller's thread only. One coroutine awaits a stream at a time.
// Errors (from co_await): Canceled (the Poller stopped or was destroyed, the stream was removed or destroyed),
//   InvalidArgument (a record the kernel cannot have written: RingBuffer::peek(); or a second waiter), epoll_ctl's.
//   open(): Exists when the map's fd is already in this Poller (a map is streamed once per Poller).
// Kernel: ring buffers (5.8+); the ring wakes the Poller when a record is committed and the consumer had caught
//   up with it, unless the producer passes BPF_RB_NO_WAKEUP.
class RingBufferStream {
public:
    static Result<RingBufferStream> open(Poller& poller, RingBuffer ring);
    // Errors: also RingBuffer::open's.
    static Result<RingBufferStream> open(Poller& poller, const Map& map);
    RingBufferStream(RingBufferStream&&) noexcept;
    RingBufferStream& operator=(RingBufferStream&&) noexcept;
    ~RingBufferStream();

    class Next {
    public:
        bool await_ready() noexcept;
        bool await_suspend(std::coroutine_handle<> h) noexcept;
        Result<std::span<const std::byte>> await_resume() noexcept;

    private:
        friend class RingBufferStream;
        friend class detail::WaitCore;
        explicit Next(detail::WaitCore* core) noexcept : core_(core) {}
        detail::WaitCore* core_;
        std::coroutine_handle<> handle_{};
        Result<std::span<const std::byte>> result_{std::span<const std::byte>()};
    };
    // The next record, as an awaitable. Calling next() gives back the previous record.
    [[nodiscard]] Next next() noexcept { return Next(core_.get()); }

    RingBuffer& ring() noexcept;
    PollerId id() const noexcept;

private:
    explicit RingBufferStream(std::unique_ptr<detail::WaitCore> core) noexcept;
    std::unique_ptr<detail::WaitCore> core_;
};

// AsyncFd: co_await readiness of a borrowed fd (a PerfBuffer's, a UserRingBuffer's for Out, a socket...):
//
//   auto afd = AsyncFd::open(poller, perf.fd());
//   for (;;) {
//       auto ev = co_await afd->wait();          // Result<PollEvents>
//       if (!ev) break;
//       perf.consume();                          // consume everything: perf rings wake once per threshold
//   }
//
// Each wait arms the fd once (EPOLLONESHOT): the coroutine is resumed once, when the fd is ready or has an error
// or hang-up (reported in the events, not as an Error).
// Ownership: move-only; borrows the fd (destroy the AsyncFd, or remove() its id, before closing the fd).
// Thread safety, cancellation and Errors: as RingBufferStream (plus InvalidArgument for a wait on no events).
// Kernel: epoll (EPOLLONESHOT); whatever the fd's own poll reports.
class AsyncFd {
public:
    static Result<AsyncFd> open(Poller& poller, FdRef fd);
    AsyncFd(AsyncFd&&) noexcept;
    AsyncFd& operator=(AsyncFd&&) noexcept;
    ~AsyncFd();

    class Wait {
    public:
        bool await_ready() noexcept;
        bool await_suspend(std::coroutine_handle<> h) noexcept;
        Result<PollEvents> await_resume() noexcept;

    private:
        friend class AsyncFd;
        friend class detail::WaitCore;
        Wait(detail::WaitCore* core, PollEvents events) noexcept : core_(core), events_(events) {}
        detail::WaitCore* core_;
        PollEvents events_;
        std::coroutine_handle<> handle_{};
        Result<PollEvents> result_{PollEvents::None};
    };
    // Awaits readiness for `events` (In, Out or both).
    [[nodiscard]] Wait wait(PollEvents events = PollEvents::In) noexcept { return Wait(core_.get(), events); }

    PollerId id() const noexcept;

private:
    explicit AsyncFd(std::unique_ptr<detail::WaitCore> core) noexcept;
    std::unique_ptr<detail::WaitCore> core_;
};

}  // namespace ebpf
