// SPDX-License-Identifier: MIT
// A generated skeleton (ebpf-tool gen skeleton bpf-progs/skeleton_demo.bpf.o, made at build time) compiled with
// -Wall -Wextra -Werror, with and without exceptions, and run: initial values from the object, .rodata set before
// load, load, auto-attach, trigger, typed maps and globals read back, a .data write seen by the program, detach on
// request and on destruction, no fd leaked. Exit 0 ok, 1 failure, 77 skip (not root).
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <string_view>

#include "skeleton_demo.skel.hpp"
#include "support/fd_count.hpp"

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
    std::printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) ++failures;
}

void trigger(int n) {
    for (int i = 0; i < n; ++i) ::syscall(SYS_getppid);
}

using Skel = skeleton_demo_skel::skeleton_demo;
namespace types = skeleton_demo_skel::types;

void run() {
    Skel::Options options;
    expect(options.data.bias == -3, "initial .data value from the object (bias = -3)");
    expect(options.data.mode == types::MODE_COUNT, "initial enum value from the object (mode = MODE_COUNT)");
    expect(options.rodata.increment == 1 && options.bss.hits == 0, "initial .rodata and .bss values");
    options.rodata.target_tgid = static_cast<std::uint32_t>(::getpid());
    options.rodata.increment = 2;

    auto skel = Skel::load(options);
    if (!skel) {
        std::printf("FAIL: load: %s\n", std::string(skel.error().message()).c_str());
        ++failures;
        return;
    }
    expect(skel->progs.on_getppid.program().loaded(), "program loaded");
    auto attached = skel->attach();
    expect(attached && *attached == 1, "attach() attached the tracepoint");
    trigger(5);

    auto hits = skel->bss.hits.get();
    expect(hits && *hits == 10, ".bss hits == 5 calls x increment 2");
    auto total = skel->maps.totals.get(0);
    expect(total && *total == 10, "Array<std::uint64_t> totals[0] == 10");
    const types::call_key key{static_cast<std::uint32_t>(::getpid()), 1, 0};
    auto stats = skel->maps.calls.get(key);
    expect(stats && *stats && (*stats)->count == 10 && (*stats)->bias == -3, "HashMap<call_key, call_stats> entry");
    expect(stats && *stats && std::string_view(reinterpret_cast<const char*>((*stats)->tag), 4) == "skel",
           "struct member array read back");
    auto last = skel->bss.last_key.get();
    expect(last && last->tgid == key.tgid && last->kind == 1, "struct-typed .bss global");
    auto incr = skel->rodata.increment.get();
    expect(incr && *incr == 2, ".rodata value set before load");
    expect(!skel->rodata.increment.set(5), ".rodata is read-only after load");

    // A .data write after load changes what the program does.
    expect(static_cast<bool>(skel->data.mode.set(types::MODE_COUNT_TWICE)), ".data write after load");
    trigger(1);
    hits = skel->bss.hits.get();
    expect(hits && *hits == 14, "the program saw mode = MODE_COUNT_TWICE (hits 10 + 4)");

    skel->detach();
    trigger(3);
    hits = skel->bss.hits.get();
    expect(hits && *hits == 14, "detach() stops counting");

    // Destruction detaches: a second skeleton attached and destroyed leaves nothing counting.
    {
        auto again = Skel::load(options);
        expect(static_cast<bool>(again), "a second skeleton loads");
        if (again) {
            expect(again->attach() && again->links().size() == 1, "second skeleton attached");
            auto hits2 = again->bss.hits;  // a Global view outlives the skeleton (it shares the map)
            trigger(1);
            expect(hits2.get() && *hits2.get() == 2, "second skeleton counted");
            again = skeleton_demo_skel::skeleton_demo::load(options);  // the old one is destroyed here
            trigger(2);
            expect(hits2.get() && *hits2.get() == 2, "destroying the skeleton detached it");
        }
    }
}

}  // namespace

int main() {
    if (::geteuid() != 0) {
        std::printf("SKIP: loading BPF programs needs root\n");
        return 77;
    }
    const int fds = ebpf::test::open_fd_count();
    run();
    expect(ebpf::test::open_fd_count() == fds, "no fd leaked");
    std::printf("%s\n", failures ? "FAILED" : "all ok");
    return failures ? 1 : 0;
}
