// SPDX-License-Identifier: MIT
// ebpf-tool bench ringbuf|perfbuf: consumer cost per record, the same work as tests/compat/libbpf_{ring,perf}buf_bench.c.
// A producer fills the buffer (untimed), then only the consume is timed; median of RUNS. Last line:
//   rec_size=<S> events_per_s=<E> ns_per_event=<T>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "commands.hpp"
#include "embedded.hpp"

namespace ebpf::tool {

namespace {

struct Args {
    std::uint32_t size = 8;
    std::uint32_t count = 100000;
    int runs = 15;
    std::string object;
};

Result<Args> parse(std::span<const std::string_view> args, const char* what) {
    Args a;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view k = args[i];
        if (k != "--size" && k != "--count" && k != "--runs" && k != "--object")
            return Error(Errc::InvalidArgument, std::string(what) + ": unknown option '" + std::string(k) + "'");
        if (i + 1 >= args.size()) return Error(Errc::InvalidArgument, std::string(what) + ": " + std::string(k) + " needs a value");
        const std::string v(args[++i]);
        if (k == "--size") a.size = static_cast<std::uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
        else if (k == "--count") a.count = static_cast<std::uint32_t>(std::strtoul(v.c_str(), nullptr, 10));
        else if (k == "--runs") a.runs = std::atoi(v.c_str());
        else if (k == "--object") a.object = v;
        else return Error(Errc::InvalidArgument, std::string(what) + ": unknown option " + std::string(k));
    }
    if (a.size < 1 || a.size > 256) return Error(Errc::InvalidArgument, std::string(what) + ": --size must be 1..256");
    if (a.count < 1 || a.runs < 1 || a.runs > 1000)
        return Error(Errc::InvalidArgument, std::string(what) + ": --count and --runs must be positive (runs <= 1000)");
    return a;
}

Result<Object> load_producer(const Args& a, std::span<const unsigned char> embedded, const char* name,
                             std::vector<GlobalValue> globals) {
    LoadOptions o;
    o.globals = std::move(globals);
    if (!a.object.empty()) return Object::load_file(a.object.c_str(), o);
    if (embedded.empty())
        return Error(Errc::NotFound, "no producer object built into this ebpf-tool (built without bpf-progs): pass "
                                     "--object FILE");
    return Object::load(std::as_bytes(embedded), o, name);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

int report(const Args& a, std::vector<double>& ns_per_event) {
    const double ns = median(ns_per_event);
    std::printf("rec_size=%u events_per_s=%.0f ns_per_event=%.3f\n", a.size, 1e9 / ns, ns);
    return kExitOk;
}

int bench_ringbuf(const Args& a) {
    auto obj = load_producer(a, embedded_ringbuf_bench(), "ringbuf_bench",
                             {GlobalValue::of("rec_size", a.size), GlobalValue::of("count", a.count)});
    if (!obj) return fail(obj.error().message());
    auto produce = obj->program("produce");
    if (!produce) return fail(produce.error().message());
    if (auto r = produce->load(); !r) return fail(r.error().message());
    auto map = obj->map("rb");
    if (!map) return fail(map.error().message());
    auto rb = RingBuffer::open(*map);
    if (!rb) return fail(rb.error().message());
    std::vector<double> ns;
    volatile unsigned sink = 0;
    for (int r = 0; r < a.runs; ++r) {
        if (auto run = produce->test_run({}); !run) return fail(run.error().message());
        unsigned acc = 0;
        const auto t0 = std::chrono::steady_clock::now();
        auto n = rb->consume([&](std::span<const std::byte> rec) { acc += static_cast<unsigned>(rec[0]); });
        const auto t1 = std::chrono::steady_clock::now();
        if (!n) return fail(n.error().message());
        if (*n != a.count) return fail("bench ringbuf: consumed " + std::to_string(*n) + " records, produced " +
                                       std::to_string(a.count) + " (ring too small for --count?)");
        sink = sink + acc;
        ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / a.count);
    }
    return report(a, ns);
}

int bench_perfbuf(const Args& a) {
    constexpr std::uint32_t kBurst = 500;
    auto obj = load_producer(a, embedded_perfbuf_bench(), "perfbuf_bench",
                             {GlobalValue::of("rec_size", a.size), GlobalValue::of("burst", kBurst),
                              GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid()))});
    if (!obj) return fail(obj.error().message());
    auto tp = obj->program<Tracepoint>("produce");
    if (!tp) return fail(tp.error().message());
    if (auto r = tp->load(); !r) return fail(r.error().message());
    auto link = tp->attach();
    if (!link) return fail(link.error().message());
    // Every sample goes to CPU 0's ring: one ring sized for a whole run (the raw sample, its size word and the
    // record header, rounded up to 8 bytes each).
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) return fail("bench perfbuf: cannot run on CPU 0");
    const std::uint64_t bytes = std::uint64_t{a.count} * ((a.size + 4 + 7) / 8 * 8 + 8) * 2;
    std::size_t pages = 1;
    while (pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)) < bytes) pages <<= 1;
    unsigned acc = 0;
    std::uint64_t lost = 0;
    auto pb = PerfBuffer::open(
        *obj->map("pb"), [&](int, std::span<const std::byte> rec) { acc += static_cast<unsigned>(rec[0]); },
        [&](int, std::uint64_t n) { lost += n; }, PerfBufferOptions{.pages_per_cpu = pages});
    if (!pb) return fail(pb.error().message());
    const std::uint32_t calls = (a.count + kBurst - 1) / kBurst;
    const std::uint32_t total = calls * kBurst;
    std::vector<double> ns;
    for (int r = 0; r < a.runs; ++r) {
        for (std::uint32_t c = 0; c < calls; ++c) (void)::getppid();
        const auto t0 = std::chrono::steady_clock::now();
        auto n = pb->consume();
        const auto t1 = std::chrono::steady_clock::now();
        if (!n) return fail(n.error().message());
        if (*n != total || lost)
            return fail("bench perfbuf: consumed " + std::to_string(*n) + " samples of " + std::to_string(total) +
                        ", lost " + std::to_string(lost));
        ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / total);
    }
    volatile unsigned sink = acc;
    (void)sink;
    return report(a, ns);
}

}  // namespace

int cmd_bench_events(std::string_view which, std::span<const std::string_view> args) {
    auto a = parse(args, which == "ringbuf" ? "bench ringbuf" : "bench perfbuf");
    if (!a) return usage_error(a.error().message());
    return which == "ringbuf" ? bench_ringbuf(*a) : bench_perfbuf(*a);
}

}  // namespace ebpf::tool
