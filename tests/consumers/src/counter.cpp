// SPDX-License-Identifier: MIT
// The consumer projects' program: loads count.bpf.o with ebpf-cxx, runs its XDP program on a test frame five
// times in the kernel (BPF_PROG_TEST_RUN) and prints what the program counted in its map:
//   frames: 5, bytes: 320, verdict: pass
// Exits 0 when the counts are right, 1 with the library's error otherwise. Needs root (CAP_BPF + CAP_NET_ADMIN).
//   counter [path/to/count.bpf.o]
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>

#include <ebpf/ebpf.hpp>

#ifndef COUNTER_OBJECT
#define COUNTER_OBJECT "count.bpf.o"
#endif

namespace {

int fail(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "counter: %s: %.*s\n", what, static_cast<int>(e.message().size()), e.message().data());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    const char* path = argc > 1 ? argv[1] : COUNTER_OBJECT;

    auto obj = ebpf::Object::load_file(path);  // parses the object and creates its maps
    if (!obj) return fail("load", obj.error());
    auto prog = obj->program<ebpf::Xdp>("count_frames");
    if (!prog) return fail("program", prog.error());
    if (auto r = prog->load(); !r) return fail("verify", r.error());

    constexpr unsigned kRuns = 5;
    std::array<std::byte, 64> frame{};  // a minimal Ethernet frame; the program only measures it
    ebpf::XdpTestRunOptions options;
    options.repeat = kRuns;
    auto run = prog->test_run(frame, options);
    if (!run) return fail("test run", run.error());

    auto counts = obj->map<ebpf::Array<std::uint64_t>>("counts");
    if (!counts) return fail("map", counts.error());
    auto frames = counts->get(0);
    auto bytes = counts->get(1);
    if (!frames) return fail("read frames", frames.error());
    if (!bytes) return fail("read bytes", bytes.error());

    const bool pass = run->action == ebpf::XdpAction::Pass;
    std::printf("frames: %llu, bytes: %llu, verdict: %s\n", static_cast<unsigned long long>(*frames),
                static_cast<unsigned long long>(*bytes), pass ? "pass" : "other");
    return *frames == kRuns && *bytes == kRuns * frame.size() && pass ? 0 : 1;
}
