// SPDX-License-Identifier: MIT
// A uprobe and a USDT probe on this program itself: the programs' sections name their targets
// (uprobe//proc/self/exe:example_work, usdt//proc/self/exe:example:work), so attach() needs no arguments.
// Run as root: ./uprobe_counter [path/to/uprobe_example.bpf.o]
#include <cstdint>
#include <cstdio>

#include <ebpf/ebpf.hpp>
#include <ebpf/programs/uprobe.hpp>
#include <ebpf/programs/usdt.hpp>

#ifdef EBPF_EXAMPLE_HAVE_SDT
#include <sys/sdt.h>
#else
#define STAP_PROBE2(provider, name, a, b) ((void)(a), (void)(b))
#endif

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "uprobe_example.bpf.o"
#endif

// The traced function: a USDT probe inside, example:work(n, n * n).
extern "C" __attribute__((noinline)) long example_work(int n) {
    const long square = static_cast<long>(n) * n;
    STAP_PROBE2(example, work, n, square);
    asm volatile("" ::: "memory");
    return square;
}

namespace {
int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "uprobe_counter: %s: %.*s\n", what, static_cast<int>(e.message().size()), e.message().data());
    return 1;
}
}  // namespace

int main(int argc, char** argv) {
    using namespace ebpf;
    auto obj = Object::load_file(argc > 1 ? argv[1] : EBPF_EXAMPLE_OBJECT);
    if (!obj) return die("load", obj.error());

    // uprobe//proc/self/exe:example_work: a uprobe on example_work of this very binary.
    auto uprobe = obj->program<UProbe>("on_work");
    if (!uprobe) return die("program on_work", uprobe.error());
    if (auto r = uprobe->load(); !r) return die("load on_work", r.error());
    auto uprobe_link = uprobe->attach();
    if (!uprobe_link) return die("attach on_work", uprobe_link.error());

#ifdef EBPF_EXAMPLE_HAVE_SDT
    // usdt//proc/self/exe:example:work: every site of the probe; BPF_USDT reads its arguments.
    auto usdt = obj->program<Usdt>("on_usdt");
    if (!usdt) return die("program on_usdt", usdt.error());
    if (auto r = usdt->load(); !r) return die("load on_usdt", r.error());
    // Without BPF cookies (Linux < 5.15) a position-independent binary's probes need the process: this one.
    auto usdt_link = usdt->attach({.pid = 0, .cookie = 0});
    if (!usdt_link) return die("attach on_usdt", usdt_link.error());

#endif

    long sum = 0;
    for (int i = 0; i < 5; ++i) sum += example_work(i);

    auto counts = obj->map<Array<std::uint64_t>>("counts");
    if (!counts) return die("map counts", counts.error());
    auto hits = counts->get(0), usdt_hits = counts->get(1), a = counts->get(2), b = counts->get(3);
    if (!hits || !usdt_hits || !a || !b) return die("read counts", hits ? usdt_hits.error() : hits.error());
    std::printf("uprobe hits: %llu\n", static_cast<unsigned long long>(*hits));
#ifdef EBPF_EXAMPLE_HAVE_SDT
    std::printf("usdt hits: %llu (last arguments %llu, %llu)\n", static_cast<unsigned long long>(*usdt_hits),
                static_cast<unsigned long long>(*a), static_cast<unsigned long long>(*b));
#else
    std::printf("usdt hits: 0 (built without <sys/sdt.h>)\n");
#endif
    return sum == 30 ? 0 : 1;
}
