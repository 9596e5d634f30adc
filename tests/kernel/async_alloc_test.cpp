// SPDX-License-Identifier: MIT
// The async hot paths allocate nothing per record: a coroutine reading a ring buffer through RingBufferStream
// (records ready at once, and records that arrive while it is suspended), and Poller rounds handing records to a
// callback. Counted with a replacement operator new (its own executable, like alloc_test.cpp).
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include <ebpf/async.hpp>
#include <ebpf/ebpf.hpp>

#include "support/counting_new.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using ebpf::test::allocations_in;

namespace {

struct Producer {
    Object obj;
    Program produce;
    static Producer load() {
        auto obj = Object::load_file(test::obj_path("ringbuf_test.bpf.o").c_str());
        REQUIRE(obj);
        test::runnable(*obj);
        Program p = *obj->program("produce");
        REQUIRE(p.load());
        return Producer{std::move(*obj), p};
    }
    void run(std::uint32_t count) {
        REQUIRE(obj.write_global("count", as_bytes_of(count)));
        REQUIRE(produce.test_run({}));
    }
};

Task read_forever(RingBufferStream& stream, std::size_t& count) {
    for (;;) {
        auto rec = co_await stream.next();
        if (!rec) co_return;
        ++count;
    }
}
}  // namespace


TEST_CASE("a coroutine reading a ring buffer allocates nothing per record", "[alloc]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Producer prod = Producer::load();
    auto poller = Poller::create();
    REQUIRE(poller);
    auto stream = RingBufferStream::open(*poller, *prod.obj.map("rb"));
    REQUIRE(stream);
    std::size_t count = 0;
    prod.run(10);
    read_forever(*stream, count);  // the coroutine frame: one allocation, not counted
    CHECK(count == 10);
    // Records that arrive while it is suspended: one round resumes it, it takes them all without suspending, and
    // suspends again (one epoll_ctl).
    // (Nothing that could allocate runs while counting: no Catch assertions, just the rounds.)
    bool ok = true;
    prod.run(500);
    CHECK(allocations_in([&] { ok = ok && poller->run_once(1000).has_value(); }) == 0);
    CHECK(count == 510);
    prod.run(500);
    CHECK(allocations_in([&] {
              ok = ok && poller->run_once(1000).has_value();
              ok = ok && poller->run_once(0).has_value();
          }) == 0);
    CHECK(ok);
    CHECK(count == 1010);
    poller->stop();
    REQUIRE(poller->run_once(0));  // cancels the coroutine, which returns
}

TEST_CASE("Poller rounds with callbacks allocate nothing once warm", "[alloc]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Producer prod = Producer::load();
    auto poller = Poller::create({.batch = 64});
    REQUIRE(poller);
    std::size_t count = 0;
    REQUIRE(poller->add(*RingBuffer::open(*prod.obj.map("rb")), [&](std::span<const std::byte>) { ++count; }));
    // Warm-up: more than a batch, so the "again" lists get their capacity.
    prod.run(300);
    for (int i = 0; i < 6; ++i) REQUIRE(poller->run_once(100));
    REQUIRE(count == 300);
    prod.run(300);
    bool ok = true;
    CHECK(allocations_in([&] {
              for (int i = 0; i < 6; ++i) ok = ok && poller->run_once(100).has_value();
          }) == 0);
    CHECK(ok);
    CHECK(count == 600);
}
