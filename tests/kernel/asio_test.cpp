// SPDX-License-Identifier: MIT
// The Asio adapter (include/ebpf/asio.hpp) with real BPF producers: ring buffers and a perf buffer consumed from
// an io_context (AsioConsumer), a readiness wait with a completion handler (AsioFd), and clean stops.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <ebpf/asio.hpp>
#include <ebpf/ebpf.hpp>

#include "support/fd_count.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

#if defined(ASIO_NO_EXCEPTIONS)
// Asio without exceptions calls this where it would throw.
namespace asio::detail {
template <typename Exception>
void throw_exception(const Exception&) {
    std::abort();
}
}  // namespace asio::detail
#endif

using namespace ebpf;

namespace {

struct Rings {
    Object obj;
    Program produce, produce_rb2;
    static Rings load() {
        auto obj = Object::load_file(test::obj_path("ringbuf_test.bpf.o").c_str());
        REQUIRE(obj);
        test::runnable(*obj);
        Program p = *obj->program("produce");
        Program p2 = *obj->program("produce_rb2");
        REQUIRE(p.load());
        REQUIRE(p2.load());
        return Rings{std::move(*obj), p, p2};
    }
    void run(std::uint32_t count) {
        REQUIRE(obj.write_global("count", as_bytes_of(count)));
        REQUIRE(produce.test_run({}));
    }
};

std::uint32_t seq_of(std::span<const std::byte> rec) {
    std::uint32_t s = 0;
    std::memcpy(&s, rec.data(), 4);
    return s;
}

// Stops the io_context after `ms` in case a test would otherwise hang.
struct Deadline {
    asio::steady_timer timer;
    bool expired = false;
    Deadline(asio::io_context& io, int ms) : timer(io, std::chrono::milliseconds(ms)) {
        timer.async_wait([this, &io](const std::error_code& ec) {
            if (ec) return;
            expired = true;
            io.stop();
        });
    }
};

}  // namespace

TEST_CASE("an io_context consumes ring buffers through AsioConsumer", "[asio]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Rings rings = Rings::load();
    const int fds_before = test::open_fd_count();
    {
        asio::io_context io;
        std::vector<std::uint32_t> seqs;
        std::size_t from_rb2 = 0;
        auto reader = RingBufferReader::create();
        REQUIRE(reader);
        REQUIRE(reader->add(*rings.obj.map("rb"), [&](std::span<const std::byte> rec) {
            seqs.push_back(seq_of(rec));
            if (seqs.size() == 300 && from_rb2 == 1) io.stop();
        }));
        REQUIRE(reader->add(*rings.obj.map("rb2"), [&](std::span<const std::byte>) { ++from_rb2; }));
        std::optional<std::string> failure;
        auto consumer = AsioConsumer<RingBufferReader>::start(
            io.get_executor(), std::move(*reader), [&](const Error& e) { failure = std::string(e.message()); },
            /*batch=*/64);
        REQUIRE(consumer);
        CHECK(consumer->running());
        // Records before the loop runs, and records while it waits (from a timer handler, i.e. inside run()).
        rings.run(100);
        REQUIRE(rings.produce_rb2.test_run({}));
        asio::steady_timer later(io, std::chrono::milliseconds(30));
        later.async_wait([&](const std::error_code&) {
            rings.run(200);
        });
        Deadline deadline(io, 5000);
        io.run();
        CHECK_FALSE(deadline.expired);
        CHECK_FALSE(failure);
        REQUIRE(seqs.size() == 300);
        for (std::uint32_t i = 0; i < 300; ++i) CHECK(seqs[i] == i);
        CHECK(from_rb2 == 1);
        consumer->stop();
        CHECK_FALSE(consumer->running());
        io.restart();
        io.poll();  // the canceled wait completes; the reader and the dup'd fd go with it
    }
    CHECK(test::open_fd_count() == fds_before);
}

TEST_CASE("a perf buffer and a readiness wait on an io_context", "[asio]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    LoadOptions o;
    o.globals.push_back(GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    auto obj = Object::load_file(test::obj_path("perfbuf_test.bpf.o").c_str(), o);
    REQUIRE(obj);
    auto tp = obj->program<Tracepoint>("produce");
    REQUIRE(tp);
    REQUIRE(tp->load());
    auto link = tp->attach();
    REQUIRE(link);
    const std::uint32_t burst = 4;
    REQUIRE(obj->write_global("burst", as_bytes_of(burst)));

    asio::io_context io;
    std::size_t samples = 0;
    auto pb = PerfBuffer::open(*obj->map("events"), [&](int, std::span<const std::byte>) {
        if (++samples == 8) io.stop();
    });
    REQUIRE(pb);
    auto consumer = AsioConsumer<PerfBuffer>::start(io.get_executor(), std::move(*pb), [](const Error& e) {
        FAIL_CHECK(std::string(e.message()));
    });
    REQUIRE(consumer);
    (void)::getppid();
    asio::steady_timer later(io, std::chrono::milliseconds(20));
    later.async_wait([](const std::error_code&) { (void)::getppid(); });
    Deadline deadline(io, 5000);
    io.run();
    CHECK_FALSE(deadline.expired);
    CHECK(samples == 8);
    CHECK(consumer->source().lost() == 0);

    // AsioFd: one readiness wait with a plain completion handler, then consume by hand.
    auto ring_obj = Object::load_file(test::obj_path("ringbuf_test.bpf.o").c_str());
    REQUIRE(ring_obj);
    test::runnable(*ring_obj);
    auto rb = RingBuffer::open(*ring_obj->map("rb2"));
    REQUIRE(rb);
    auto afd = AsioFd::open(io.get_executor(), rb->fd());
    REQUIRE(afd);
    std::size_t got = 0;
    std::optional<std::error_code> waited;
    afd->async_wait([&](const std::error_code& ec) {
        waited = ec;
        auto n = rb->consume([&](std::span<const std::byte>) { ++got; });
        CHECK(n);
        io.stop();
    });
    test::run_once(*ring_obj->program("produce_rb2"));
    io.restart();
    Deadline deadline2(io, 5000);
    io.run();
    REQUIRE(waited);
    CHECK_FALSE(*waited);
    CHECK(got == 1);
    // Cancelling a pending wait completes it with operation_aborted.
    std::optional<std::error_code> aborted;
    afd->async_wait([&](const std::error_code& ec) { aborted = ec; });
    afd->cancel();
    io.restart();
    io.poll();
    REQUIRE(aborted);
    CHECK(*aborted == asio::error::operation_aborted);
}
