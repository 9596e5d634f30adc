// SPDX-License-Identifier: MIT
// FlowDissector view: a namespace hook (links/netns.cpp) and test runs that return the flow keys.
#include <ebpf/programs/flow_dissector.hpp>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "programs/net_iface.hpp"
#include "programs/test_run_util.hpp"
#include "sys/net_ctx.hpp"
#include "sys/netns.hpp"

namespace ebpf {

using detail::format;

namespace {

constexpr std::uint32_t kFlowBpfOk = 0, kFlowBpfDrop = 2;

// What BPF_PROG_TEST_RUN reports for a flow dissector: Linux 6.1+ the program's return value (BPF_OK, BPF_DROP,
// BPF_FLOW_DISSECTOR_CONTINUE), before that only whether it returned BPF_OK (1) or not (0). Decided once, by
// test-running a program that returns BPF_DROP: 2 means the raw value. Cached; concurrent first calls agree.
std::atomic<int> g_flow_verdict_raw{-1};

Result<bool> flow_verdict_is_raw() {
    if (const int known = g_flow_verdict_raw.load(std::memory_order_relaxed); known >= 0) return known == 1;
    ProgramDef def;
    def.name = "probe_fd_verdict";
    def.type = ProgramType::FlowDissector;
    def.instructions = {{0xb7, 0, 0, 0, static_cast<std::int32_t>(kFlowBpfDrop)}, {0x95, 0, 0, 0, 0}};  // r0 = 2; exit
    auto p = Program::prepare(std::move(def));
    if (!p) return std::move(p).error();
    if (auto r = p->load(); !r) return std::move(r).error();
    const std::byte frame[14 + 20] = {};
    detail::RawTestRun in;
    in.data_in = frame;
    auto out = detail::run_test(*p, in, "test run of a flow dissector returning BPF_DROP");
    if (!out) return std::move(out).error();
    const bool raw = out->retval == kFlowBpfDrop;
    g_flow_verdict_raw.store(raw ? 1 : 0, std::memory_order_relaxed);
    return raw;
}

Result<Link> attach_to_netns(const Program& p, FdRef netns, AttachType type, const char* kind, const char* where) {
    std::string what = format("attach %s program '%s' to %s", kind, p.name().c_str(), where);
    if (!p.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    return detail::attach_netns(p.fd(), netns, type, std::move(what));
}

}  // namespace

namespace detail {
Result<Link> attach_to_current_netns(const Program& p, AttachType type, const char* kind) {
    auto ns = sys::netns_open_current();
    if (!ns) return std::move(ns).error().context(format("attach %s program '%s'", kind, p.name().c_str()));
    return attach_to_netns(p, *ns, type, kind, "the calling thread's network namespace");
}
Result<Link> attach_to_netns_fd(const Program& p, FdRef netns, AttachType type, const char* kind) {
    const std::string where = format("the network namespace of fd %d", netns.get());
    return attach_to_netns(p, netns, type, kind, where.c_str());
}
}  // namespace detail

Result<Link> FlowDissector::attach(FdRef netns) const {
    return detail::attach_to_netns_fd(prog_, netns, AttachType::FlowDissector, "flow_dissector");
}

Result<Link> FlowDissector::attach() const {
    return detail::attach_to_current_netns(prog_, AttachType::FlowDissector, "flow_dissector");
}

Result<FlowDissectorTestResult> FlowDissector::test_run(std::span<const std::byte> packet,
                                                        const FlowDissectorTestRunOptions& options) const {
    const std::string what = format("test run of flow_dissector program '%s'", prog_.name().c_str());
    constexpr std::size_t kEthHeader = 14;
    if (packet.size() < kEthHeader)
        return Error(Errc::InvalidArgument,
                     format("%s: the packet has %zu bytes; it must start with a 14-byte Ethernet header", what.c_str(),
                            packet.size()));
    sys::FlowKeysRaw in_keys{};
    in_keys.flags = options.flags;
    detail::RawTestRun in;
    in.data_in = packet;
    in.data_out_size = sizeof(sys::FlowKeysRaw);  // the kernel returns the flow keys as the output data
    in.repeat = options.repeat;
    if (options.flags) in.ctx_in = std::as_bytes(std::span(&in_keys, 1));
    auto out = detail::run_test(prog_, in, what, "(flow dissector flags in test runs need Linux 5.4)");
    if (!out) return std::move(out).error();
    auto raw = flow_verdict_is_raw();
    if (!raw) return std::move(raw).error().context(what + ": how does this kernel report the verdict");
    FlowDissectorTestResult res;
    res.retval = *raw ? out->retval : (out->retval == 1 ? kFlowBpfOk : kFlowBpfDrop);
    res.duration_ns = out->duration_ns;
    sys::FlowKeysRaw k{};
    std::memcpy(&k, out->data.data(), std::min(out->data.size(), sizeof k));
    FlowKeys& o = res.keys;
    o.nhoff = k.nhoff;
    o.thoff = k.thoff;
    o.addr_proto = k.addr_proto;
    o.is_frag = k.is_frag;
    o.is_first_frag = k.is_first_frag;
    o.is_encap = k.is_encap;
    o.ip_proto = k.ip_proto;
    o.n_proto = k.n_proto;
    o.sport = k.sport;
    o.dport = k.dport;
    std::memcpy(o.src, k.v6.ipv6_src, sizeof o.src);
    std::memcpy(o.dst, k.v6.ipv6_dst, sizeof o.dst);
    if (k.addr_proto != 0x86dd) {  // addr_proto is an ETH_P_* in host byte order  // IPv4 (or nothing): addresses are two u32s
        o.src[0] = k.v4.ipv4_src;
        o.dst[0] = k.v4.ipv4_dst;
        o.src[1] = o.dst[1] = 0;
    }
    o.flags = k.flags;
    o.flow_label = k.flow_label;
    return res;
}

}  // namespace ebpf
