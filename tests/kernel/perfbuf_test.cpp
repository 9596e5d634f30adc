// SPDX-License-Identifier: MIT
// Perf buffers with a real BPF producer (a tracepoint on our own getppid calls): every sample, per CPU, records that
// wrap around the ring end, lost samples, pause/resume, polling, and no fd or mapping left behind.
#include <catch2/catch.hpp>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"

using namespace ebpf;

namespace {

struct Producer {
    Object obj;
    Link link;
};

Producer producer(std::uint32_t rec_size) {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    o.globals.push_back(GlobalValue::of("rec_size", rec_size));
    auto obj = Object::load_file(test::obj_path("perfbuf_test.bpf.o").c_str(), o);
    REQUIRE(obj);
    auto tp = obj->program<Tracepoint>("produce");
    REQUIRE(tp);
    REQUIRE(tp->load());
    auto link = tp->attach();
    REQUIRE(link);
    return Producer{std::move(*obj), std::move(*link)};
}

void fire(Producer& p, std::uint32_t burst, int calls = 1) {
    REQUIRE(p.obj.write_global("burst", as_bytes_of(burst)));
    for (int i = 0; i < calls; ++i) (void)::getppid();
}

std::uint32_t seq_of(std::span<const std::byte> d) {
    std::uint32_t s = 0;
    REQUIRE(d.size() >= 4);
    std::memcpy(&s, d.data(), 4);
    return s;
}

// Runs the calling thread on CPU 0 for the scope, so every sample goes to one ring in order.
struct OnCpu0 {
    cpu_set_t old{};
    OnCpu0() {
        sched_getaffinity(0, sizeof old, &old);
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(0, &one);
        sched_setaffinity(0, sizeof one, &one);
    }
    ~OnCpu0() { sched_setaffinity(0, sizeof old, &old); }
};

}  // namespace

TEST_CASE("a perf buffer hands over every sample, with its CPU", "[perfbuf]") {
    Producer p = producer(12);
    std::vector<std::uint32_t> seqs;
    std::set<int> cpus;
    auto pb = PerfBuffer::open(*p.obj.map("events"), [&](int cpu, std::span<const std::byte> d) {
        CHECK(d.size() >= 12);  // the kernel pads raw samples to keep records 8-byte aligned
        seqs.push_back(seq_of(d));
        cpus.insert(cpu);
    });
    REQUIRE(pb);
    CHECK_FALSE(pb->cpus().empty());
    fire(p, 10, 3);
    auto n = pb->consume();
    REQUIRE(n);
    CHECK(*n == 30);
    CHECK(seqs.size() == 30);
    CHECK(pb->lost() == 0);
    std::set<std::uint32_t> unique(seqs.begin(), seqs.end());
    CHECK(unique.size() == 30);
    for (int cpu : cpus) CHECK(std::find(pb->cpus().begin(), pb->cpus().end(), static_cast<std::uint32_t>(cpu)) != pb->cpus().end());
}

TEST_CASE("perf samples that wrap around the ring end arrive whole and in order", "[perfbuf]") {
    OnCpu0 pin;
    Producer p = producer(200);  // 216-byte records in a 4 KiB ring: they straddle its end again and again
    std::uint32_t next = 0;
    std::size_t total = 0;
    auto pb = PerfBuffer::open(*p.obj.map("events"),
                               [&](int, std::span<const std::byte> d) {
                                   CHECK(seq_of(d) == next++);
                                   ++total;
                               },
                               PerfBufferOptions{.pages_per_cpu = 1});
    REQUIRE(pb);
    for (int round = 0; round < 20; ++round) {
        fire(p, 15);  // 3.2 KiB per round: fits, and wraps
        REQUIRE(pb->consume());
    }
    CHECK(total == 300);
    CHECK(pb->lost() == 0);
}

TEST_CASE("an overrun perf ring reports lost samples instead of corrupt ones", "[perfbuf]") {
    OnCpu0 pin;
    Producer p = producer(64);
    std::uint64_t reported = 0;
    std::size_t got = 0;
    auto pb = PerfBuffer::open(
        *p.obj.map("events"), [&](int, std::span<const std::byte>) { ++got; },
        [&](int cpu, std::uint64_t n) {
            CHECK(cpu == 0);
            reported += n;
        },
        PerfBufferOptions{.pages_per_cpu = 1});
    REQUIRE(pb);
    fire(p, 400);  // 400 x 80 bytes into a 4 KiB ring
    REQUIRE(pb->consume());
    CHECK(got > 0);
    CHECK(got < 400);
    // The kernel writes the PERF_RECORD_LOST count with the next sample that fits, once there is room again.
    fire(p, 1);
    REQUIRE(pb->consume());
    CHECK(reported > 0);
    CHECK(reported == pb->lost());
    CHECK(got + reported == 401);
}

TEST_CASE("pause stops the rings, resume restarts them; poll waits and wakes", "[perfbuf]") {
    Producer p = producer(8);
    std::size_t got = 0;
    auto pb = PerfBuffer::open(*p.obj.map("events"), [&](int, std::span<const std::byte>) { ++got; });
    REQUIRE(pb);
    REQUIRE(pb->pause());
    fire(p, 5);
    REQUIRE(pb->consume());
    CHECK(got == 0);
    REQUIRE(pb->resume());
    fire(p, 5);
    auto n = pb->poll(1000);
    REQUIRE(n);
    CHECK(*n == 5);
    CHECK(*pb->poll(10) == 0);  // nothing more: timeout
    std::thread waker([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        pb->wake();
    });
    auto woken = pb->poll(-1);
    waker.join();
    REQUIRE(woken);
    CHECK(*woken == 0);
}

TEST_CASE("a perf buffer leaves no fd, mapping or map slot behind", "[perfbuf]") {
    Producer p = producer(8);
    const int fds = test::open_fd_count();
    {
        auto pb = PerfBuffer::open(*p.obj.map("events"), [](int, std::span<const std::byte>) {});
        REQUIRE(pb);
        CHECK(test::open_fd_count() == fds + 2 + static_cast<int>(pb->cpus().size()));  // epoll, eventfd, events
    }
    CHECK(test::open_fd_count() == fds);
    // The slots were cleared (our events are closed, and nothing holds them): the producer runs without output.
    fire(p, 3);
    auto wrong = PerfBuffer::open(*p.obj.map(".bss"), [](int, std::span<const std::byte>) {});
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code() == Errc::InvalidArgument);
    auto bad_pages = PerfBuffer::open(*p.obj.map("events"), [](int, std::span<const std::byte>) {},
                                      PerfBufferOptions{.pages_per_cpu = 3});
    REQUIRE_FALSE(bad_pages);
}
