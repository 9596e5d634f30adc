// SPDX-License-Identifier: MIT
// The code snippets of docs/networking.md, compiled in CI (not run). Each snippet sits between two identical
// "// [name]" lines; tests/lint/check_doc_snippets.py checks that every ```cpp block of the page is one of them,
// verbatim, so the page cannot drift from the API.
#include <sys/socket.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <vector>

#include <ebpf/ebpf.hpp>

namespace {

using namespace ebpf;

// The snippets below are compiled and type-checked, never run ([[maybe_unused]]): they need interfaces, pinned
// programs and objects this build does not have.

int fail(const Error& e) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(e.message().size()), e.message().data());
    return 1;
}

[[maybe_unused]] int xdp_attach(const Object& obj) {
    // [xdp-attach]
    auto xdp = obj.program<Xdp>("xdp_count");
    if (!xdp) return fail(xdp.error());
    if (auto r = xdp->load(); !r) return fail(r.error());
    // A bpf_link where the kernel has XDP links (5.9+), netlink IFLA_XDP before: the probe decides.
    auto link = xdp->attach("eth0");
    if (!link) {
        if (link.error().code() == Errc::Busy) {
            // "attach xdp program 'xdp_count' to eth0 (ifindex 2): interface eth0 (ifindex 2) already has an XDP
            //  program: program id 37 (native mode): ..."
        }
        return fail(link.error());
    }
    // By index, in generic (skb) mode: any interface, also without driver support.
    auto generic = xdp->attach(3, {.mode = XdpMode::Generic});
    // [xdp-attach]
    return generic ? 0 : 1;
}

[[maybe_unused]] int xdp_replace(const Object& obj, Link& link) {
    // [xdp-replace]
    auto v2 = obj.program<Xdp>("xdp_other");
    if (!v2 || !v2->load()) return 1;
    // Our own bpf_link: swap the program without a gap, only if the old one is still attached.
    auto old = obj.program("xdp_count");
    if (auto r = link.update(v2->program(), {.expected = &*old}); !r) return fail(r.error());
    // A program someone attached through netlink (ip link set dev eth0 xdp ...): take it over atomically.
    auto theirs = Program::from_id(37);
    if (!theirs) return fail(theirs.error());
    auto mine = v2->attach("eth0", {.replace = &*theirs});
    // [xdp-replace]
    return mine ? 0 : 1;
}

[[maybe_unused]] int xdp_devmap(const Object& obj) {
    // [xdp-devmap]
    auto entry = obj.program<Xdp>("xdp_devmap_entry");  // SEC("xdp/devmap"): loaded with BPF_XDP_DEVMAP
    if (!entry || !entry->load()) return 1;
    auto tx_ports = obj.map<DevMap>("tx_ports");  // <ebpf/maps/xdp_maps.hpp>
    if (!tx_ports) return fail(tx_ports.error());
    // Frames redirected to slot 0 leave through ifindex 3, after the entry program ran on them.
    auto r = tx_ports->set(0, 3, entry->program());
    // [xdp-devmap]
    return r ? 0 : 1;
}

[[maybe_unused]] int xdp_devbound(const Object& obj) {
    // [xdp-devbound]
    auto xdp = obj.program<Xdp>("xdp_count");
    if (!xdp) return fail(xdp.error());
    if (auto r = xdp->bind_device("eth0"); !r) return fail(r.error());  // before load (6.3+)
    if (auto r = xdp->load(); !r) return fail(r.error());
    auto link = xdp->attach("eth0", {.mode = XdpMode::Native});  // only eth0 takes it now
    // [xdp-devbound]
    return link ? 0 : 1;
}

[[maybe_unused]] int xdp_test_run(const Xdp& xdp, std::span<const std::byte> frame) {
    // [xdp-test-run]
    auto r = xdp.test_run(frame);
    if (!r) return fail(r.error());
    if (r->action == XdpAction::Tx) std::printf("bounced %zu bytes\n", r->packet.size());
    // Many runs for a timing (the kernel keeps the frame between runs: changes accumulate).
    auto timed = xdp.test_run(frame, {.repeat = 1000});
    if (timed) std::printf("%u ns per run\n", timed->duration_ns);
    // [xdp-test-run]
    return 0;
}

[[maybe_unused]] int tc_attach(const Object& obj) {
    // [tc-attach]
    auto tc = obj.program<Tc>("tc_drop_port");
    if (!tc || !tc->load()) return 1;
    // A TCX link on 6.6+, else a cls_bpf filter (direct action) on the clsact qdisc, created if missing.
    auto ingress = tc->attach("eth0", TcDirection::Ingress);
    if (!ingress) return fail(ingress.error());
    // Sections tcx/ingress, tcx/egress, tc/ingress, tc/egress name the direction themselves.
    auto watcher = obj.program<Tc>("tcx_watch_port");
    if (!watcher || !watcher->load()) return 1;
    auto in_front = watcher->attach("eth0", {.order = LinkOrder::before(*ingress)});
    // [tc-attach]
    return in_front ? 0 : 1;
}

[[maybe_unused]] int tc_order(const Tc& tc) {
    // [tc-order]
    auto hook = query_tcx("eth0", TcDirection::Ingress);
    if (!hook) return fail(hook.error());
    for (const AttachedProgram& p : hook->programs) std::printf("prog %u link %u\n", p.program_id, p.link_id);
    // Attach first, but only if nobody changed the hook since we looked.
    auto link = tc.attach("eth0", TcDirection::Ingress,
                          {.order = LinkOrder::first(), .expected_revision = hook->revision});
    // [tc-order]
    return link ? 0 : 1;
}

[[maybe_unused]] int tc_netlink(const Tc& tc) {
    // [tc-netlink]
    // Force the netlink path (e.g. next to tools that manage cls_bpf filters), with a priority and handle.
    auto filter = tc.attach("eth0", TcDirection::Egress,
                            {.mechanism = TcMechanism::Netlink, .priority = 10, .handle = 1});
    // [tc-netlink]
    return filter ? 0 : 1;
}

[[maybe_unused]] int tc_test_run(const Tc& tc, std::span<const std::byte> frame) {
    // [tc-test-run]
    SkbContext ctx;
    ctx.mark = 7;
    auto r = tc.test_run(frame, {.context = ctx});
    if (!r) return fail(r.error());
    if (static_cast<TcVerdict>(r->retval) == TcVerdict::Shot) std::printf("dropped\n");
    std::printf("mark after: %u\n", r->context->mark);
    // [tc-test-run]
    return 0;
}

[[maybe_unused]] int netkit(const Object& obj) {
    // [netkit]
    auto nk = obj.program<Netkit>("nk_peer_drop");  // SEC("netkit/peer")
    if (!nk || !nk->load()) return 1;
    // Through the primary device, for what the peer (in the container) sends.
    auto link = nk->attach("nk0");
    if (!link) return fail(link.error());  // NotSupported before 6.7 or without CONFIG_NETKIT
    auto hook = query_netkit("nk0", NetkitAttachType::Peer);
    // [netkit]
    return hook ? 0 : 1;
}

[[maybe_unused]] int netfilter(const Object& obj) {
    // [netfilter]
    auto nf = obj.program<Netfilter>("nf_count");
    if (!nf || !nf->load()) return 1;
    auto link = nf->attach(NetfilterFamily::Ipv4, NetfilterHook::LocalIn, -128);
    // Defragmented packets (6.6+): the priority must be above -400.
    auto defrag = nf->attach(NetfilterFamily::Ipv6, NetfilterHook::PreRouting, -100, {.defrag = true});
    // [netfilter]
    return link && defrag ? 0 : 1;
}

[[maybe_unused]] int flow_dissector(const Object& obj, FdRef container_netns) {
    // [flow-dissector]
    auto fd = obj.program<FlowDissector>("dissect_ipv4");
    if (!fd || !fd->load()) return 1;
    auto here = fd->attach();                    // the calling thread's network namespace
    auto there = fd->attach(container_netns);   // an open /proc/<pid>/ns/net or /run/netns/<name>
    auto keys = fd->test_run(std::span<const std::byte>());
    // [flow-dissector]
    return here && there && keys ? 0 : 1;
}

[[maybe_unused]] int sk_lookup(const Object& obj, int socket_fd) {
    // [sk-lookup]
    auto steer = obj.program<SkLookup>("steer_port_to_socket");
    if (!steer || !steer->load()) return 1;
    auto sockets = obj.map("steer_to");  // a sockmap the program looks the socket up in
    const std::uint32_t key = 0;
    const std::uint64_t value = static_cast<std::uint64_t>(socket_fd);
    if (!sockets || !sockets->update(std::as_bytes(std::span(&key, 1)), std::as_bytes(std::span(&value, 1)))) return 1;
    auto link = steer->attach();
    // What would it choose for a datagram to 127.0.0.1:8080?
    auto r = steer->test_run({.protocol = 17, .local_ip = {127, 0, 0, 1}, .local_port = 8080});
    // [sk-lookup]
    return link && r ? 0 : 1;
}

[[maybe_unused]] int auto_attach_all(Object& obj, std::vector<Link>& links) {
    // [auto-attach]
    for (Program& p : obj.programs()) {
        if (auto why = auto_attach_blocker(p, {.interface = "eth0"})) {
            std::printf("%s: not attached: %s\n", p.name().c_str(), why->c_str());
            continue;
        }
        auto link = auto_attach(p, {.interface = "eth0"});
        if (!link) return fail(link.error());
        links.push_back(std::move(*link));  // attached while the Link lives
    }
    // [auto-attach]
    return 0;
}

}  // namespace

int main() { return 0; }
