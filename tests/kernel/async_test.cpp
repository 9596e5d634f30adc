// SPDX-License-Identifier: MIT
// Async consumers with real BPF producers: the epoll Poller driving two ring buffers and a perf buffer from one
// thread, stop() from another thread, timeouts, removal; coroutines reading a ring buffer record by record
// (RingBufferStream) and a perf buffer's fd (AsyncFd); cancellation when the Poller stops or goes away, or the
// stream does.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <ebpf/async.hpp>
#include <ebpf/ebpf.hpp>

#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

// ringbuf_test.bpf.o: `produce` writes `count` records (4-byte sequence numbers) into rb; `produce_rb2` one
// record (0xabcd) into rb2. Both are syscall programs, run with BPF_PROG_TEST_RUN.
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
    void run_rb2() { REQUIRE(produce_rb2.test_run({})); }
};

// perfbuf_test.bpf.o: a tracepoint on this process's getppid() calls writes `burst` samples per call.
struct Perf {
    Object obj;
    Link link;

    static Perf load() {
        LoadOptions o;
        o.globals.push_back(GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
        auto obj = Object::load_file(test::obj_path("perfbuf_test.bpf.o").c_str(), o);
        REQUIRE(obj);
        auto tp = obj->program<Tracepoint>("produce");
        REQUIRE(tp);
        REQUIRE(tp->load());
        auto link = tp->attach();
        REQUIRE(link);
        return Perf{std::move(*obj), std::move(*link)};
    }
    void fire(std::uint32_t burst) {
        REQUIRE(obj.write_global("burst", as_bytes_of(burst)));
        (void)::getppid();
    }
};

std::uint32_t seq_of(std::span<const std::byte> rec) {
    std::uint32_t s = 0;
    std::memcpy(&s, rec.data(), std::min<std::size_t>(4, rec.size()));
    return s;
}

}  // namespace

TEST_CASE("one thread, one Poller: two ring buffers and a perf buffer", "[async]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Rings rings = Rings::load();
    Perf perf = Perf::load();
    const int fds_before = test::open_fd_count();
    {
        auto poller = Poller::create({.batch = 16});
        REQUIRE(poller);
        std::vector<std::uint32_t> from_rb;
        std::size_t from_rb2 = 0, samples = 0;
        auto done = [&] {
            if (from_rb.size() == 100 && from_rb2 == 1 && samples == 7) poller->stop();
        };
        auto id_rb = poller->add(*RingBuffer::open(*rings.obj.map("rb")), [&](std::span<const std::byte> rec) {
            from_rb.push_back(seq_of(rec));
            done();
        });
        REQUIRE(id_rb);
        auto reader = RingBufferReader::create();
        REQUIRE(reader);
        REQUIRE(reader->add(*rings.obj.map("rb2"), [&](std::span<const std::byte> rec) {
            CHECK(seq_of(rec) == 0xabcd);
            ++from_rb2;
            done();
        }));
        auto id_reader = poller->add(std::move(*reader));
        REQUIRE(id_reader);
        auto pb = PerfBuffer::open(*perf.obj.map("events"), [&](int, std::span<const std::byte>) {
            ++samples;
            done();
        });
        REQUIRE(pb);
        auto id_perf = poller->add(std::move(*pb));
        REQUIRE(id_perf);
        CHECK(poller->size() == 3);
        CHECK(id_rb->value != id_reader->value);

        // Nothing yet: a bounded run returns after its timeout with nothing handed over.
        auto idle = poller->run(20);
        REQUIRE(idle);
        CHECK(*idle == 0);

        rings.run(100);  // more than a batch of 16: the ring is drained over several rounds
        rings.run_rb2();
        perf.fire(7);
        auto n = poller->run(5000);  // until done() calls stop()
        REQUIRE(n);
        CHECK(*n == 108);
        REQUIRE(from_rb.size() == 100);
        for (std::uint32_t i = 0; i < 100; ++i) CHECK(from_rb[i] == i);
        CHECK(from_rb2 == 1);
        CHECK(samples == 7);

        // Removing a source: it is destroyed and its records are no longer consumed; its id is gone for good.
        REQUIRE(poller->remove(*id_rb));
        CHECK(poller->size() == 2);
        auto again = poller->remove(*id_rb);
        REQUIRE_FALSE(again);
        CHECK(again.error().code() == Errc::NotFound);
        rings.run(5);
        auto after = poller->run_once(50);
        REQUIRE(after);
        CHECK(*after == 0);
        CHECK(from_rb.size() == 100);
    }
    // The Poller owned the readers: every fd (epoll, eventfds, perf events, dups) is closed.
    CHECK(test::open_fd_count() == fds_before);
}

TEST_CASE("stop() from another thread ends a run without a timeout", "[async]") {
    auto poller = Poller::create();
    REQUIRE(poller);
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        poller->stop();
    });
    const auto start = std::chrono::steady_clock::now();
    auto n = poller->run();
    stopper.join();
    REQUIRE(n);
    CHECK(*n == 0);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(40));
    // A stop before run() is not lost: the next run returns at once.
    poller->stop();
    auto quick = poller->run(5000);
    REQUIRE(quick);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
}

TEST_CASE("borrowed fds: callbacks with their events, removal from inside a callback", "[async]") {
    auto poller = Poller::create();
    REQUIRE(poller);
    const int efd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    REQUIRE(efd >= 0);
    std::vector<PollEvents> seen;
    PollerId id{};
    auto added = poller->add_fd(efd, PollEvents::In, [&](PollEvents ev) {
        seen.push_back(ev);
        std::uint64_t v;
        CHECK(::read(efd, &v, sizeof v) == sizeof v);
        // The second time, the callback removes its own entry (destroyed after it returns).
        if (seen.size() == 2) CHECK(poller->remove(id));
    });
    REQUIRE(added);
    id = *added;
    const std::uint64_t one = 1;
    REQUIRE(::write(efd, &one, sizeof one) == sizeof one);
    CHECK(*poller->run_once(1000) == 1);
    REQUIRE(::write(efd, &one, sizeof one) == sizeof one);
    CHECK(*poller->run_once(1000) == 1);
    REQUIRE(::write(efd, &one, sizeof one) == sizeof one);
    CHECK(*poller->run_once(20) == 0);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0] == PollEvents::In);
    CHECK(poller->size() == 0);
    // Errors name the fd: an fd that is not open, and no events at all.
    auto bad = poller->add_fd(1000000, PollEvents::In, [](PollEvents) {});
    REQUIRE_FALSE(bad);
    CHECK(std::string(bad.error().message()).find("poller: add fd (fd 1000000)") != std::string::npos);
    auto none = poller->add_fd(efd, PollEvents::None, [](PollEvents) {});
    REQUIRE_FALSE(none);
    CHECK(none.error().code() == Errc::InvalidArgument);
    ::close(efd);
}

namespace {

// for (;;) { auto rec = co_await stream.next(); ... } until an error.
Task read_all(RingBufferStream& stream, std::vector<std::uint32_t>& out, std::optional<Error>& end, std::size_t stop_after,
              Poller& poller) {
    for (;;) {
        auto rec = co_await stream.next();
        if (!rec) {
            end = std::move(rec).error();
            co_return;
        }
        out.push_back(seq_of(*rec));
        if (out.size() == stop_after) poller.stop();
    }
}

}  // namespace

TEST_CASE("a coroutine reads a ring buffer record by record", "[async]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Rings rings = Rings::load();
    auto poller = Poller::create();
    REQUIRE(poller);
    auto stream = RingBufferStream::open(*poller, *rings.obj.map("rb"));
    REQUIRE(stream);
    // Records already there: the coroutine takes them without suspending, then waits for more.
    rings.run(30);
    std::vector<std::uint32_t> seqs;
    std::optional<Error> end;
    read_all(*stream, seqs, end, 80, *poller);
    CHECK(seqs.size() == 30);
    CHECK_FALSE(end);
    // More records while it is suspended: the Poller resumes it.
    rings.run(50);
    auto n = poller->run(5000);
    REQUIRE(n);
    REQUIRE(seqs.size() == 80);
    for (std::uint32_t i = 0; i < 80; ++i) CHECK(seqs[i] == i);
    // stop() was called at 80 records: the coroutine, suspended again, was resumed with Canceled.
    REQUIRE(end);
    CHECK(end->code() == Errc::Canceled);
    CHECK(std::string(end->message()) == "ring buffer stream 'rb': canceled: the poller stopped");
}

TEST_CASE("a record stays valid, and its space held, until the next next()", "[async]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Rings rings = Rings::load();
    auto poller = Poller::create();
    REQUIRE(poller);
    auto stream = RingBufferStream::open(*poller, *rings.obj.map("rb"));
    REQUIRE(stream);
    rings.run(2);
    std::uint64_t available_while_held = 0;
    std::optional<std::uint32_t> second;
    // (Catch's REQUIRE throws: coroutines use CHECK and return.)
    auto task = [&]() -> Task {
        auto first = co_await stream->next();
        CHECK(first);
        if (!first) co_return;
        CHECK(seq_of(*first) == 0u);
        available_while_held = stream->ring().available();
        auto next = co_await stream->next();
        CHECK(next);
        if (next) second = seq_of(*next);
    };
    task();
    CHECK(available_while_held == 2 * 16);  // both records still unconsumed while the first was held
    CHECK(second == 1u);
    auto third = [&]() -> Task { (void)co_await stream->next(); };
    third();  // gives back the second record, then waits
    CHECK(stream->ring().available() == 0);
    poller.value() = *Poller::create();  // replacing the Poller destroys the old one: the waiter is canceled
}

TEST_CASE("suspended coroutines end with Canceled when their Poller, stream or registration goes away", "[async]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Rings rings = Rings::load();
    const int fds_before = test::open_fd_count();
    std::optional<Error> a_end, b_end, c_end;
    std::vector<std::uint32_t> a, b, c;
    std::optional<RingBufferStream> keep;
    {
        auto poller = Poller::create();
        REQUIRE(poller);
        auto sa = RingBufferStream::open(*poller, *rings.obj.map("rb"));
        REQUIRE(sa);
        std::optional<RingBufferStream> sb;
        sb.emplace(*RingBufferStream::open(*poller, *rings.obj.map("rb2")));
        // A map's fd is in an epoll set once: a second stream on it in the same Poller is refused.
        auto twice = RingBufferStream::open(*poller, *rings.obj.map("rb2"));
        REQUIRE_FALSE(twice);
        CHECK(twice.error().code() == Errc::Exists);
        CHECK(std::string(twice.error().message()).find("already in this poller") != std::string::npos);
        read_all(*sa, a, a_end, 0, *poller);
        read_all(*sb, b, b_end, 0, *poller);
        CHECK_FALSE(a_end);
        CHECK_FALSE(b_end);

        // Destroying a stream while its coroutine waits: resumed with Canceled in the next round.
        sb.reset();
        CHECK_FALSE(b_end);
        REQUIRE(poller->run_once(0));
        REQUIRE(b_end);
        CHECK(b_end->code() == Errc::Canceled);
        CHECK(std::string(b_end->message()) == "ring buffer stream 'rb2': canceled: the stream was destroyed");

        // Removing a stream's registration: the same, and later awaits fail at once.
        sb.emplace(*RingBufferStream::open(*poller, *rings.obj.map("rb2")));
        read_all(*sb, c, c_end, 0, *poller);
        REQUIRE(poller->remove(sb->id()));
        REQUIRE(poller->run_once(0));
        REQUIRE(c_end);
        CHECK(std::string(c_end->message()) ==
              "ring buffer stream 'rb2': canceled: it was removed from its poller");

        keep.emplace(std::move(*sa));  // outlives the Poller
    }
    // The Poller is gone: the coroutine waiting on `keep` was resumed with Canceled, and awaiting again fails.
    REQUIRE(a_end);
    CHECK(std::string(a_end->message()) == "ring buffer stream 'rb': canceled: the poller was destroyed");
    std::optional<Error> late;
    auto await_once = [&]() -> Task {
        auto r = co_await keep->next();
        if (!r) late = std::move(r).error();
    };
    await_once();
    REQUIRE(late);
    CHECK(late->code() == Errc::Canceled);
    keep.reset();
    CHECK(test::open_fd_count() == fds_before);
}

TEST_CASE("two coroutines cannot await one stream; a stream needs a live Poller", "[async]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Rings rings = Rings::load();
    auto poller = Poller::create();
    REQUIRE(poller);
    auto stream = RingBufferStream::open(*poller, *rings.obj.map("rb"));
    REQUIRE(stream);
    std::optional<Error> first, second;
    auto wait = [&](std::optional<Error>& out) -> Task {
        auto r = co_await stream->next();
        if (!r) out = std::move(r).error();
    };
    wait(first);
    wait(second);
    CHECK_FALSE(first);
    REQUIRE(second);
    CHECK(second->code() == Errc::InvalidArgument);
    CHECK(std::string(second->message()).find("another coroutine is already waiting") != std::string::npos);
    // A stream on a map that is not a ring buffer.
    auto wrong = RingBufferStream::open(*poller, *rings.obj.map(".bss"));
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code() == Errc::InvalidArgument);
    poller->stop();
    REQUIRE(poller->run_once(0));
    REQUIRE(first);
    CHECK(first->code() == Errc::Canceled);
}

TEST_CASE("a coroutine awaits a perf buffer's fd and consumes it", "[async]") {
    Perf perf = Perf::load();
    auto poller = Poller::create();
    REQUIRE(poller);
    std::size_t samples = 0;
    auto pb = PerfBuffer::open(*perf.obj.map("events"), [&](int, std::span<const std::byte>) { ++samples; });
    REQUIRE(pb);
    auto afd = AsyncFd::open(*poller, pb->fd());
    REQUIRE(afd);
    std::size_t wakeups = 0;
    std::optional<Error> end;
    auto consumer = [&]() -> Task {
        for (;;) {
            auto ev = co_await afd->wait();
            if (!ev) {
                end = std::move(ev).error();
                co_return;
            }
            CHECK(has(*ev, PollEvents::In));
            ++wakeups;
            auto n = pb->consume();
            CHECK(n);
            if (samples >= 12) poller->stop();
        }
    };
    consumer();
    perf.fire(5);
    perf.fire(7);
    auto n = poller->run(5000);
    REQUIRE(n);
    CHECK(samples == 12);
    CHECK(wakeups >= 1);
    REQUIRE(end);
    CHECK(end->code() == Errc::Canceled);
    CHECK(std::string(end->message()).find("async fd") != std::string::npos);
}

TEST_CASE("a Poller nests in another loop through its fd", "[async]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Rings rings = Rings::load();
    auto poller = Poller::create();
    REQUIRE(poller);
    std::size_t got = 0;
    REQUIRE(poller->add(*RingBuffer::open(*rings.obj.map("rb")), [&](std::span<const std::byte>) { ++got; }));
    // An outer epoll set watching the Poller's fd, as another event loop would.
    auto outer = Poller::create();
    REQUIRE(outer);
    std::size_t outer_wakeups = 0;
    REQUIRE(outer->add_fd(poller->fd(), PollEvents::In, [&](PollEvents) {
        ++outer_wakeups;
        REQUIRE(poller->run_once(0));
    }));
    rings.run(10);
    REQUIRE(outer->run_once(1000));
    CHECK(outer_wakeups == 1);
    CHECK(got == 10);
}
