// SPDX-License-Identifier: MIT
// A tc program on the ingress of an interface, attached with a TCX link (Linux 6.6+) or, on older kernels, as a
// cls_bpf filter on the clsact qdisc: the library picks by probing the kernel. A second program is put in front
// of it with LinkOrder where TCX is there.
//
// It builds two private network namespaces joined by a veth pair (demo_net.hpp), attaches tc_drop_port from
// bpf-progs/tc_net.bpf.c to the far end's ingress, sends UDP datagrams, and prints the counts.
// Run as root: ./tcx_counter [path/to/tc_net.bpf.o]
#include <cstdint>
#include <cstdio>
#include <optional>

#include <ebpf/ebpf.hpp>

#include "demo_net.hpp"

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "tc_net.bpf.o"
#endif

namespace {

int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "tcx_counter: %s: %.*s\n", what, static_cast<int>(e.message().size()), e.message().data());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    const char* path = argc > 1 ? argv[1] : EBPF_EXAMPLE_OBJECT;
    demo::Net net;
    if (!net.ok()) return std::fprintf(stderr, "tcx_counter: %s\n", net.error().c_str()), 1;

    auto obj = ebpf::Object::load_file(path);
    if (!obj) return die("load object", obj.error());
    auto dropper = obj->program<ebpf::Tc>("tc_drop_port");
    auto watcher = obj->program<ebpf::Tc>("tcx_watch_port");
    if (!dropper || !watcher) return die("find the programs", dropper ? watcher.error() : dropper.error());
    if (auto r = dropper->load(); !r) return die("load tc_drop_port", r.error());
    if (auto r = watcher->load(); !r) return die("load tcx_watch_port", r.error());
    const std::uint16_t port = 9;  // tc_drop_port drops UDP to the discard port
    if (auto r = obj->write_global("drop_port", std::as_bytes(std::span(&port, 1))); !r)
        return die("set drop_port", r.error());

    return net.far([&]() -> int {
        // The section of tc_drop_port ("tc") names no direction: say ingress.
        auto drop = dropper->attach("demo1", ebpf::TcDirection::Ingress);
        if (!drop) return die("attach tc_drop_port", drop.error());
        std::printf("attached: %.*s\n", static_cast<int>(drop->description().size()), drop->description().data());
        // A watcher in front of it (TCX only: netlink filters are ordered by priority).
        std::optional<ebpf::Link> watch;
        if (drop->is_bpf_link()) {
            auto w = watcher->attach("demo1", {.order = ebpf::LinkOrder::before(*drop)});
            if (!w) return die("attach tcx_watch_port", w.error());
            watch = std::move(*w);
            auto q = ebpf::query_tcx("demo1", ebpf::TcDirection::Ingress);
            if (!q) return die("query the hook", q.error());
            std::printf("programs on demo1 ingress: %zu (revision %llu)\n", q->programs.size(),
                        static_cast<unsigned long long>(q->revision));
        }
        const int to_echo = net.send_udp(7, 10);
        const int to_discard = net.send_udp(9, 5);
        auto counts = obj->map<ebpf::Array<std::uint64_t>>("tc_counts");
        if (!counts) return die("open tc_counts", counts.error());
        std::printf("packets seen: %llu\n", static_cast<unsigned long long>(counts->get(0).value_or(0)));
        std::printf("packets dropped: %llu\n", static_cast<unsigned long long>(counts->get(1).value_or(0)));
        std::printf("seen by the watcher in front: %llu\n", static_cast<unsigned long long>(counts->get(2).value_or(0)));
        std::printf("datagrams delivered: %d of 10 to port 7, %d of 5 to port 9\n", to_echo, to_discard);
        return to_echo == 10 && to_discard == 0 ? 0 : 1;
    });
}
