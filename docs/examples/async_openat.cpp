// SPDX-License-Identifier: MIT
// docs/async.md: a coroutine consuming a tracing ring buffer.
//
// Loads bpf-progs/openat_events.bpf.c, attaches its tracepoint (syscalls/sys_enter_openat) for this process, and
// starts a coroutine that prints every openat() record as it arrives: `co_await stream.next()` takes a record
// straight from the ring (no copy, no allocation) or suspends until the Poller sees the ring's fd readable. Then
// it opens a few files and runs the Poller until the coroutine has seen the last one.
// Run as root: ./async_openat [path/to/openat_events.bpf.o]
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include <ebpf/async.hpp>
#include <ebpf/ebpf.hpp>

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "openat_events.bpf.o"
#endif

namespace {

// The record the BPF program writes (struct openat_event in openat_events.bpf.c).
struct OpenatEvent {
    std::uint32_t pid;
    std::int32_t dfd;
    std::uint32_t flags;
    char comm[16];
    char filename[256];
};

struct Summary {
    int events = 0;
    std::string error;
};

int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "async_openat: %s: %.*s\n", what, static_cast<int>(e.message().size()), e.message().data());
    return 1;
}

// Prints records until `last` has been opened, then stops the Poller. The coroutine's frame is allocated once;
// the loop allocates nothing.
ebpf::Task print_openats(ebpf::RingBufferStream& stream, ebpf::Poller& poller, std::string last, Summary& summary) {
    for (;;) {
        auto rec = co_await stream.next();  // Result<std::span<const std::byte>>
        if (!rec) {
            // Canceled: the Poller stopped (or went away). Anything else is a real problem.
            if (rec.error().code() != ebpf::Errc::Canceled) summary.error = std::string(rec.error().message());
            co_return;
        }
        if (rec->size() < sizeof(OpenatEvent)) continue;
        OpenatEvent e;
        std::memcpy(&e, rec->data(), sizeof e);  // the span is valid until the next next()
        const int comm_len = static_cast<int>(strnlen(e.comm, sizeof e.comm));
        const int file_len = static_cast<int>(strnlen(e.filename, sizeof e.filename));
        std::printf("openat pid=%u comm=%.*s file=%.*s\n", e.pid, comm_len, e.comm, file_len, e.filename);
        ++summary.events;
        if (last.compare(0, std::string::npos, e.filename, static_cast<std::size_t>(file_len)) == 0) poller.stop();
    }
}

}  // namespace

int main(int argc, char** argv) {
    const char* path = argc > 1 ? argv[1] : EBPF_EXAMPLE_OBJECT;

    ebpf::LoadOptions options;
    options.globals.push_back(ebpf::GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    auto obj = ebpf::Object::load_file(path, options);
    if (!obj) return die("load object", obj.error());
    auto tp = obj->program<ebpf::Tracepoint>("on_openat");
    if (!tp) return die("find on_openat", tp.error());
    if (auto r = tp->load(); !r) return die("load on_openat", r.error());
    auto link = tp->attach();
    if (!link) return die("attach", link.error());

    auto poller = ebpf::Poller::create();
    if (!poller) return die("create poller", poller.error());
    auto stream = ebpf::RingBufferStream::open(*poller, *obj->map("events"));
    if (!stream) return die("open stream", stream.error());

    const std::string dir = "/tmp/ebpf-cxx-async-example-" + std::to_string(::getpid());
    const std::string last = dir + "/3";
    Summary summary;
    // The coroutine runs until its first co_await that has nothing to take, then waits in the Poller.
    print_openats(*stream, *poller, last, summary);

    // Trigger the tracepoint: open three files (they need not exist: the tracepoint fires on entry).
    for (const char* name : {"/1", "/2", "/3"}) {
        const int fd = ::open((dir + name).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) ::close(fd);
    }
    auto ran = poller->run(5000);  // until the coroutine stops it (or 5 s)
    if (!ran) return die("run", ran.error());
    if (!summary.error.empty()) return std::fprintf(stderr, "async_openat: %s\n", summary.error.c_str()), 1;
    std::printf("events: %d\n", summary.events);
    return summary.events >= 3 ? 0 : 1;
}
