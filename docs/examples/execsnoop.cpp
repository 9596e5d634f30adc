// SPDX-License-Identifier: MIT
// docs/tracing.md: an execsnoop-like tool. A tracepoint (sched/sched_process_exec) sends one ring buffer record
// per exec; this program prints `pid=... ppid=... comm=... filename=...` for each, as it arrives.
//
// It loads bpf-progs/execsnoop.bpf.c with its filters set at load (.rodata constants), attaches the tracepoint,
// and polls the ring buffer until it has printed --count records, --timeout seconds have passed, or SIGINT.
// Run as root:
//   ./execsnoop [--ppid PID] [--comm NAME] [--count N] [--timeout SECONDS] [path/to/execsnoop.bpf.o]
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <ebpf/async.hpp>
#include <ebpf/ebpf.hpp>

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "execsnoop.bpf.o"
#endif

namespace {

// The record the BPF program writes (struct exec_event in execsnoop.bpf.c).
struct ExecEvent {
    std::uint32_t pid;
    std::uint32_t ppid;
    std::uint32_t uid;
    std::uint32_t filename_len;
    char comm[16];
    char filename[128];
};

ebpf::Poller* g_poller = nullptr;
extern "C" void on_sigint(int) {
    if (g_poller) g_poller->stop();  // async-signal-safe
}

int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "execsnoop: %s: %.*s\n", what, static_cast<int>(e.message().size()), e.message().data());
    return 1;
}

int usage() {
    std::fprintf(stderr, "usage: execsnoop [--ppid PID] [--comm NAME] [--count N] [--timeout SECONDS] [OBJECT]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    const char* path = EBPF_EXAMPLE_OBJECT;
    std::uint32_t ppid = 0;
    std::string comm;
    long count = -1, timeout_s = -1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--ppid" && has_value) ppid = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        else if (a == "--comm" && has_value) comm = argv[++i];
        else if (a == "--count" && has_value) count = std::strtol(argv[++i], nullptr, 10);
        else if (a == "--timeout" && has_value) timeout_s = std::strtol(argv[++i], nullptr, 10);
        else if (!a.starts_with("-")) path = argv[i];
        else return usage();
    }
    if (comm.size() > 15) return usage();

    // Filters are const volatile globals in .rodata: set before load, constant for the verifier afterwards.
    ebpf::LoadOptions options;
    options.globals.push_back(ebpf::GlobalValue::of("target_ppid", ppid));
    char comm_filter[16] = {};
    std::memcpy(comm_filter, comm.data(), comm.size());
    options.globals.push_back(ebpf::GlobalValue::of("target_comm", comm_filter));

    auto obj = ebpf::Object::load_file(path, options);
    if (!obj) return die("load", obj.error());
    auto exec = obj->program<ebpf::Tracepoint>("handle_exec");
    if (!exec) return die("program", exec.error());
    if (auto r = exec->load(); !r) return die("load handle_exec", r.error());

    // The ring buffer goes into a Poller with a callback; the record is a span into the ring, valid during the call.
    auto poller = ebpf::Poller::create();
    if (!poller) return die("poller", poller.error());
    auto events = obj->map("events");
    if (!events) return die("map", events.error());
    auto ring = ebpf::RingBuffer::open(*events);
    if (!ring) return die("ring buffer", ring.error());
    long printed = 0;
    ebpf::Poller* p = &*poller;
    auto added = poller->add(std::move(*ring), [&printed, count, p](std::span<const std::byte> rec) {
        if (count > 0 && printed >= count) return false;  // false: leave the rest in the ring
        if (rec.size() < sizeof(ExecEvent)) return true;
        ExecEvent e;
        std::memcpy(&e, rec.data(), sizeof e);
        std::printf("pid=%u ppid=%u comm=%.*s filename=%.*s\n", e.pid, e.ppid,
                    static_cast<int>(strnlen(e.comm, sizeof e.comm)), e.comm,
                    static_cast<int>(strnlen(e.filename, sizeof e.filename)), e.filename);
        std::fflush(stdout);
        if (++printed == count) p->stop();
        return true;
    });
    if (!added) return die("poll", added.error());

    // The link detaches when it goes out of scope (end of main, after the loop).
    auto link = exec->attach();
    if (!link) return die("attach sched/sched_process_exec", link.error());

    g_poller = &*poller;
    std::signal(SIGINT, on_sigint);
    std::signal(SIGTERM, on_sigint);
    std::fprintf(stderr, "execsnoop: tracing execs%s (Ctrl-C to stop)\n", ppid ? " of one parent" : "");
    auto ran = poller->run(timeout_s > 0 ? static_cast<int>(timeout_s * 1000) : -1);
    g_poller = nullptr;
    if (!ran) return die("poll", ran.error());

    // A .bss counter, read through the section's memory.
    if (auto total = obj->global<std::uint64_t>("total_execs")) {
        if (auto n = total->get())
            std::fprintf(stderr, "execsnoop: %ld printed, %llu seen\n", printed, static_cast<unsigned long long>(*n));
    }
    return count > 0 && printed < count ? 1 : 0;
}
