// SPDX-License-Identifier: MIT
// A generated skeleton in use (docs/ebpf-tool.md, "gen skeleton"): the build runs
//   ebpf-tool gen skeleton skeleton_demo.bpf.o -o skeleton_demo.skel.hpp
// and this program includes the header: no object file at run time, typed programs, maps and globals.
// It counts its own getppid(2) calls (exit 0 only when it saw all ten); needs root.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "skeleton_demo.skel.hpp"

int main() {
    using Skel = skeleton_demo_skel::skeleton_demo;
    Skel::Options options;                                                     // initial values from the object
    options.rodata.target_tgid = static_cast<std::uint32_t>(::getpid());     // .rodata: set before load
    auto skel = Skel::load(options);
    if (!skel) {
        std::fprintf(stderr, "load: %s\n", std::string(skel.error().message()).c_str());
        return 1;
    }
    if (auto n = skel->attach(); !n) {  // auto-attach: the tracepoint its section names
        std::fprintf(stderr, "attach: %s\n", std::string(n.error().message()).c_str());
        return 1;
    }
    for (int i = 0; i < 10; ++i) ::syscall(SYS_getppid);

    auto hits = skel->bss.hits.get();  // a .bss global, read in the mapped section
    const skeleton_demo_skel::types::call_key key{static_cast<std::uint32_t>(::getpid()), 1, 0};
    auto stats = skel->maps.calls.get(key);  // HashMap<types::call_key, types::call_stats>
    if (!hits || !stats || !*stats) {
        std::fprintf(stderr, "reading the counters failed\n");
        return 1;
    }
    std::printf("getppid calls: %llu\n", static_cast<unsigned long long>(*hits));
    std::printf("calls[{tgid %u, kind 1}]: count %llu, bias %d, last cpu %u\n", key.tgid,
                static_cast<unsigned long long>((*stats)->count), (*stats)->bias, (*stats)->last_cpu);
    return *hits == 10 ? 0 : 1;
}  // the skeleton detaches here
