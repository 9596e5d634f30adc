// SPDX-License-Identifier: MIT
// Ring buffers with a real BPF producer: zero-copy consume, bounds, discards, wrap-around, several rings in one
// reader, wake-ups, adversarial records; the user ring buffer drained by a BPF program.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <cstring>
#include <thread>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/loaded.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

// ringbuf_test.bpf.o: ring buffers (5.8+) filled by syscall-section producers, run as raw tracepoint programs
// where the kernel has no syscall programs (support/runnable.hpp). The user ring buffer (6.1+) and its drain are
// in user_ringbuf_test.bpf.o.
std::optional<std::string> cannot_load_rb() { return test::cannot_run_syscall_programs(); }

std::optional<std::string> cannot_load_urb() {
    if (auto why = test::cannot_run_syscall_programs()) return why;
    auto urb = map_type_supported(MapType::UserRingbuf);
    if (urb && !*urb)
        return std::string("user_ringbuf_test.bpf.o has a user_ringbuf map (6.1+), which this kernel lacks (probe)");
    return std::nullopt;
}

Object load_rb(std::uint32_t rec_size = 8) {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of("rec_size", rec_size));
    auto obj = Object::load_file(test::obj_path("ringbuf_test.bpf.o").c_str(), o);
    INFO((obj ? std::string() : std::string(obj.error().message())));
    REQUIRE(obj);
    test::runnable(*obj);
    return std::move(*obj);
}

void produce(Object& obj, std::uint32_t count, std::uint32_t discard_every = 0) {
    REQUIRE(obj.write_global("count", as_bytes_of(count)));
    REQUIRE(obj.write_global("discard_every", as_bytes_of(discard_every)));
    test::run_once(*obj.program("produce"));
}

std::uint32_t seq_of(std::span<const std::byte> rec) {
    std::uint32_t s = 0;
    REQUIRE(rec.size() >= 4);
    std::memcpy(&s, rec.data(), 4);
    return s;
}

}  // namespace

TEST_CASE("a ring buffer hands over every record, zero-copy, in order", "[ringbuf]") {
    EBPF_SKIP_IF(cannot_load_rb());
    Object obj = load_rb(12);
    auto rb = RingBuffer::open(*obj.map("rb"));
    REQUIRE(rb);
    CHECK(rb->capacity() == 16384);
    produce(obj, 100);
    CHECK(rb->available() == 100 * 24);  // 12 bytes + 8-byte header, rounded to 8
    std::vector<std::uint32_t> seen;
    auto n = rb->consume([&](std::span<const std::byte> rec) {
        CHECK(rec.size() == 12);
        seen.push_back(seq_of(rec));
    });
    REQUIRE(n);
    CHECK(*n == 100);
    REQUIRE(seen.size() == 100);
    for (std::uint32_t i = 0; i < 100; ++i) CHECK(seen[i] == i);
    CHECK(rb->available() == 0);
    auto none = rb->consume([](std::span<const std::byte>) { FAIL("no records expected"); });
    REQUIRE(none);
    CHECK(*none == 0);
}

TEST_CASE("consume is bounded, and a callback can stop early", "[ringbuf]") {
    EBPF_SKIP_IF(cannot_load_rb());
    Object obj = load_rb();
    auto rb = RingBuffer::open(*obj.map("rb"));
    REQUIRE(rb);
    produce(obj, 50);
    std::uint32_t next = 0;
    auto check = [&](std::span<const std::byte> rec) { CHECK(seq_of(rec) == next++); };
    CHECK(*rb->consume(check, 10) == 10);
    CHECK(*rb->consume(check, 15) == 15);
    // Returning false stops after that record.
    std::size_t calls = 0;
    auto stop_at_3 = [&](std::span<const std::byte> rec) {
        check(rec);
        return ++calls < 3;
    };
    CHECK(*rb->consume(stop_at_3) == 3);
    CHECK(*rb->consume(check) == 22);
    CHECK(next == 50);
}

TEST_CASE("discarded records are skipped", "[ringbuf]") {
    EBPF_SKIP_IF(cannot_load_rb());
    Object obj = load_rb();
    auto rb = RingBuffer::open(*obj.map("rb"));
    REQUIRE(rb);
    produce(obj, 30, 3);  // seq 0, 3, 6, ... are discarded
    std::vector<std::uint32_t> seen;
    auto n = rb->consume([&](std::span<const std::byte> rec) { seen.push_back(seq_of(rec)); });
    REQUIRE(n);
    CHECK(*n == 20);
    for (std::uint32_t s : seen) CHECK(s % 3 != 0);
}

TEST_CASE("records that wrap around the end of the ring arrive whole", "[ringbuf]") {
    EBPF_SKIP_IF(cannot_load_rb());
    Object obj = load_rb(200);  // 208 bytes per record: positions do not divide the 16 KiB ring evenly
    auto rb = RingBuffer::open(*obj.map("rb"));
    REQUIRE(rb);
    std::uint32_t next = 0;
    for (int round = 0; round < 12; ++round) {
        produce(obj, 60);  // 12.5 KiB per round: the ring wraps every round or two
        auto n = rb->consume([&](std::span<const std::byte> rec) {
            REQUIRE(rec.size() == 200);
            CHECK(seq_of(rec) == next++);
        });
        REQUIRE(n);
        CHECK(*n == 60);
    }
    CHECK(next == 720);
}

TEST_CASE("several ring buffers in one reader, with an epoll fd and a wake-up", "[ringbuf]") {
    EBPF_SKIP_IF(cannot_load_rb());
    Object obj = load_rb();
    Program p2 = *obj.program("produce_rb2");
    REQUIRE(p2.load());
    REQUIRE(obj.find_program("produce")->load());  // both made runnable by load_rb
    const int fds_before = test::open_fd_count();
    {
        auto reader = RingBufferReader::create();
        REQUIRE(reader);
        std::size_t from_rb = 0, from_rb2 = 0;
        REQUIRE(reader->add(*obj.map("rb"), [&](std::span<const std::byte>) { ++from_rb; }));
        REQUIRE(reader->add(*obj.map("rb2"), [&](std::span<const std::byte> rec) {
            std::uint32_t v = 0;
            std::memcpy(&v, rec.data(), 4);
            CHECK(v == 0xabcd);
            ++from_rb2;
            return true;
        }));
        CHECK(reader->size() == 2);
        CHECK(reader->fd().valid());
        // Nothing yet: a poll with a timeout returns 0.
        CHECK(*reader->poll(10) == 0);
        produce(obj, 5);
        REQUIRE(p2.test_run({}));
        auto n = reader->poll(1000);
        REQUIRE(n);
        CHECK(*n == 6);
        CHECK(from_rb == 5);
        CHECK(from_rb2 == 1);
        // wake() from another thread ends a poll that would wait forever.
        std::thread waker([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            reader->wake();
        });
        auto woken = reader->poll(-1);
        waker.join();
        REQUIRE(woken);
        CHECK(*woken == 0);
        // The Object can go: the reader shares the maps.
    }
    CHECK(test::open_fd_count() == fds_before);
}

TEST_CASE("a ring buffer reader outlives its Object and runs in another thread", "[ringbuf]") {
    EBPF_SKIP_IF(cannot_load_rb());
    std::optional<RingBuffer> rb;
    Program producer = [&] {
        Object obj = load_rb();
        rb.emplace(*RingBuffer::open(*obj.map("rb")));
        const std::uint32_t count = 40;
        REQUIRE(obj.write_global("count", as_bytes_of(count)));
        return *obj.take_program("produce");
    }();
    test::run_once(producer);
    std::size_t got = 0;
    std::thread consumer([r = std::move(*rb), &got]() mutable {
        auto n = r.consume([](std::span<const std::byte>) {});
        if (n) got = *n;
    });
    consumer.join();
    CHECK(got == 40);
}

TEST_CASE("ring buffer open refuses other maps", "[ringbuf]") {
    EBPF_SKIP_IF(cannot_load_rb());
    Object obj = load_rb();
    auto data = RingBuffer::open(*obj.map(".bss"));
    REQUIRE_FALSE(data);
    CHECK(data.error().code() == Errc::InvalidArgument);
}

TEST_CASE("the user ring buffer: user space produces, a BPF program drains", "[ringbuf]") {
    EBPF_SKIP_IF(cannot_load_urb());
    Object obj = test::load_object("user_ringbuf_test.bpf.o");
    test::runnable(obj);
    // A user ring buffer is not a ring buffer to read.
    auto not_rb = RingBuffer::open(*obj.map("urb"));
    REQUIRE_FALSE(not_rb);
    CHECK(not_rb.error().code() == Errc::InvalidArgument);
    CHECK(std::string(not_rb.error().message()).find("is a user_ringbuf map, not a ring buffer") != std::string::npos);
    auto urb = UserRingBuffer::open(*obj.map("urb"));
    REQUIRE(urb);
    for (std::uint64_t v = 1; v <= 10; ++v) REQUIRE(urb->write(as_bytes_of(v)));
    // One reserved and discarded, one reserved and submitted later: the drain sees the submitted ones.
    auto skipped = urb->reserve(8);
    REQUIRE(skipped);
    std::memset(skipped->data(), 0xff, 8);
    urb->discard(*skipped);
    auto late = urb->reserve(8);
    REQUIRE(late);
    const std::uint64_t hundred = 100;
    std::memcpy(late->data(), &hundred, 8);
    urb->submit(*late);
    test::run_once(*obj.program("drain"));
    std::uint32_t drained = 0;
    std::uint64_t sum = 0;
    REQUIRE(obj.read_global("drained", as_writable_bytes_of(drained)));
    REQUIRE(obj.read_global("drained_sum", as_writable_bytes_of(sum)));
    CHECK(drained == 11);
    CHECK(sum == 55 + 100);
    // Too big for the ring: never fits. Filling it: WouldBlock, not a crash or an overwrite.
    auto huge = urb->reserve(8192);
    REQUIRE_FALSE(huge);
    CHECK(huge.error().code() == Errc::InvalidArgument);
    int written = 0;
    for (;; ++written) {
        auto r = urb->reserve(64);
        if (!r) {
            CHECK(r.error().code() == Errc::WouldBlock);
            CHECK(std::string(r.error().message()).find("is full") != std::string::npos);
            break;
        }
        urb->submit(*r);
    }
    CHECK(written == 4096 / 72);
}
