// SPDX-License-Identifier: MIT
// The Asio adapter (standalone Asio, <asio.hpp>; Debian libasio-dev): ring buffers, perf buffers, loggers and
// Pollers consumed from an Asio event loop. Header-only and optional: the library never depends on Asio; this
// header is for programs that already use it (docs/async.md).
//
//   asio::io_context io;
//   auto reader = *ebpf::RingBufferReader::create();
//   reader.add(*obj.map("events"), [](std::span<const std::byte> rec) { ... });
//   auto consumer = ebpf::AsioConsumer<ebpf::RingBufferReader>::start(io.get_executor(), std::move(reader),
//                                                                     [](const ebpf::Error& e) { ... });
//   io.run();
//
// Both types watch a dup of the source's fd (F_DUPFD_CLOEXEC) with asio::posix::stream_descriptor and
// async_wait(wait_read); Asio owns and closes the dup, the source keeps its own fd.
// Rules (Asio's): destroy them before their io_context; call stop()/cancel() on the executor's thread. The
// handlers of one AsioConsumer must not run concurrently: use an io_context run by one thread, or a strand.
#pragma once

#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include <ebpf/async.hpp>

namespace ebpf {

namespace detail {
inline Result<::asio::posix::stream_descriptor> asio_descriptor(const ::asio::any_io_executor& ex, FdRef fd,
                                                                const char* what) {
    auto dup = dup_fd(fd);
    if (!dup) return std::move(dup).error().context(std::string("asio: watch ") + what);
    ::asio::posix::stream_descriptor d(ex);
    ::asio::error_code ec;
    d.assign(dup->get(), ec);
    if (ec) return Error(Errc::Syscall, std::string("asio: watch ") + what + ": " + ec.message());
    (void)dup->release();  // the descriptor owns it now
    return d;
}
}  // namespace detail

// AsioFd: readiness of an fd as an Asio operation, with any completion token (a callback, asio::use_awaitable,
// asio::deferred): e.g. `co_await afd.async_wait(asio::use_awaitable); perf.consume();`.
// Ownership: move-only; owns the dup (closed on destruction, cancelling a pending wait with operation_aborted).
// Thread safety: Asio's for a stream_descriptor (one thread at a time).
class AsioFd {
public:
    // Errors: dup_fd's; Syscall when Asio cannot register the fd (its epoll_ctl failure, e.g. a regular file).
    static Result<AsioFd> open(const ::asio::any_io_executor& ex, FdRef fd) {
        auto d = detail::asio_descriptor(ex, fd, "fd");
        if (!d) return std::move(d).error();
        return AsioFd(std::move(*d));
    }
    // Completes with a std::error_code when the fd polls readable (Asio registers it edge-triggered: consume
    // everything that is there before waiting again).
    template <class Token>
    auto async_wait(Token&& token) {
        return desc_.async_wait(::asio::posix::descriptor_base::wait_read, std::forward<Token>(token));
    }
    void cancel() noexcept {
        ::asio::error_code ec;
        desc_.cancel(ec);
    }
    ::asio::posix::stream_descriptor& descriptor() noexcept { return desc_; }

private:
    explicit AsioFd(::asio::posix::stream_descriptor d) : desc_(std::move(d)) {}
    ::asio::posix::stream_descriptor desc_;
};

// AsioConsumer<Source>: consumes a Source (RingBufferReader, PerfBuffer, Logger, or anything with fd() and
// consume(std::size_t)) on an executor whenever its fd is readable, at most `batch` records per handler (more
// are consumed in a posted continuation, so other handlers get their turn).
// A Source error (a corrupt ring) or a failed wait stops it and is passed to on_error(const Error&).
// Ownership: move-only; owns the Source and the dup of its fd until stopped and the last pending handler ran
//   (the state is shared with the handlers).
// Thread safety: see the header comment (one thread or a strand).
template <PollSourceType Source>
class AsioConsumer {
public:
    template <class OnError>
    static Result<AsioConsumer> start(const ::asio::any_io_executor& ex, Source source, OnError on_error,
                                      std::size_t batch = 256) {
        auto d = detail::asio_descriptor(ex, FdRef(source.fd()), "consumer fd");
        if (!d) return std::move(d).error();
        auto s = std::make_shared<StateImpl<OnError>>(std::move(source), std::move(*d), batch ? batch : 1,
                                                      std::move(on_error));
        // The first round runs on the executor, like every other.
        ::asio::post(s->desc.get_executor(), [self = std::shared_ptr<State>(s)] { self->pump(); });
        return AsioConsumer(std::move(s));
    }

    AsioConsumer(AsioConsumer&&) noexcept = default;
    AsioConsumer& operator=(AsioConsumer&& o) noexcept {
        if (this != &o) {
            stop();
            s_ = std::move(o.s_);
        }
        return *this;
    }
    ~AsioConsumer() { stop(); }

    // Stops consuming: the pending wait completes with operation_aborted and the Source is destroyed after it.
    void stop() noexcept {
        if (!s_) return;
        s_->stopped = true;
        ::asio::error_code ec;
        s_->desc.cancel(ec);
        s_.reset();
    }
    bool running() const noexcept { return s_ && !s_->stopped; }
    // The source (e.g. to read PerfBuffer::lost()); valid while the consumer is not stopped.
    Source& source() noexcept { return s_->source; }

private:
    struct State : std::enable_shared_from_this<State> {
        State(Source src, ::asio::posix::stream_descriptor d, std::size_t b)
            : source(std::move(src)), desc(std::move(d)), batch(b) {}
        virtual ~State() = default;
        virtual void error(const Error& e) = 0;

        void fail(const Error& e) {
            stopped = true;
            ::asio::error_code ec;
            desc.cancel(ec);
            error(e);
        }
        void pump() {
            if (stopped) return;
            auto n = source.consume(batch);
            if (!n) return fail(n.error());
            if (*n >= batch) return again();
            if (armed) return;
            arm();
            // Records that arrived between consume() and arm() raised their edge before Asio waited for it.
            n = source.consume(batch);
            if (!n) return fail(n.error());
            if (*n >= batch) again();
        }
        void again() {
            ::asio::post(desc.get_executor(), [self = this->shared_from_this()] { self->pump(); });
        }
        void arm() {
            armed = true;
            desc.async_wait(::asio::posix::descriptor_base::wait_read,
                            [self = this->shared_from_this()](const std::error_code& ec) {
                                self->armed = false;
                                if (self->stopped || ec == ::asio::error::operation_aborted) return;
                                if (ec) return self->fail(Error(Errc::Syscall, "asio: wait for records: " + ec.message()));
                                self->pump();
                            });
        }

        Source source;
        ::asio::posix::stream_descriptor desc;
        std::size_t batch;
        bool stopped = false;
        bool armed = false;
    };
    template <class OnError>
    struct StateImpl final : State {
        StateImpl(Source src, ::asio::posix::stream_descriptor d, std::size_t b, OnError f)
            : State(std::move(src), std::move(d), b), on_error(std::move(f)) {}
        void error(const Error& e) override { on_error(e); }
        OnError on_error;
    };
    explicit AsioConsumer(std::shared_ptr<State> s) noexcept : s_(std::move(s)) {}
    std::shared_ptr<State> s_;
};

}  // namespace ebpf
