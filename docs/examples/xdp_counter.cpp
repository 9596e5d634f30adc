// SPDX-License-Identifier: MIT
// XDP packet counter on a veth pair: an XDP program counts every frame arriving on an interface, and drops UDP
// datagrams to one port, set while it runs.
//
// It builds two private network namespaces joined by a veth pair (demo_net.hpp: nothing on the machine's own
// network changes), attaches xdp_count from bpf-progs/xdp_net.bpf.c to the far end, sends UDP datagrams across,
// and prints what the program counted. Run as root: ./xdp_counter [path/to/xdp_net.bpf.o]
#include <cstdint>
#include <cstdio>

#include <ebpf/ebpf.hpp>

#include "demo_net.hpp"

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "xdp_net.bpf.o"
#endif

namespace {

int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "xdp_counter: %s: %.*s\n", what, static_cast<int>(e.message().size()), e.message().data());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    const char* path = argc > 1 ? argv[1] : EBPF_EXAMPLE_OBJECT;
    demo::Net net;
    if (!net.ok()) return std::fprintf(stderr, "xdp_counter: %s\n", net.error().c_str()), 1;

    auto obj = ebpf::Object::load_file(path);
    if (!obj) return die("load object", obj.error());
    auto xdp = obj->program<ebpf::Xdp>("xdp_count");
    if (!xdp) return die("find xdp_count", xdp.error());
    if (auto r = xdp->load(); !r) return die("load xdp_count", r.error());
    auto counts = obj->map<ebpf::Array<std::uint64_t>>("xdp_counts");
    if (!counts) return die("open xdp_counts", counts.error());

    // Interfaces are named in the calling thread's namespace: attach from the far one, where demo1 lives.
    // The Link detaches the program when it goes out of scope.
    auto link = net.far([&] { return xdp->attach("demo1"); });
    if (!link) return die("attach to demo1", link.error());
    std::printf("attached: %.*s\n", static_cast<int>(link->description().size()), link->description().data());

    const int passed = net.send_udp(7, 10);  // the echo port: passed
    const std::uint16_t port = 9;
    if (auto r = obj->write_global("drop_port", std::as_bytes(std::span(&port, 1))); !r)
        return die("set drop_port", r.error());
    const int dropped_through = net.send_udp(9, 5);  // the discard port: dropped by the program

    auto seen = counts->get(0);
    auto dropped = counts->get(1);
    if (!seen || !dropped) return die("read counts", seen ? dropped.error() : seen.error());
    std::printf("frames seen: %llu\n", static_cast<unsigned long long>(*seen));
    std::printf("frames dropped: %llu\n", static_cast<unsigned long long>(*dropped));
    std::printf("datagrams delivered: %d of 10 to port 7, %d of 5 to port 9\n", passed, dropped_through);
    return passed == 10 && dropped_through == 0 ? 0 : 1;
}
