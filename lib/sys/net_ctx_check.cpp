// SPDX-License-Identifier: MIT
// Compile-time checks of sys/net_ctx.hpp against the system's UAPI header.
#include <linux/bpf.h>

#include <cstddef>

#include "sys/net_ctx.hpp"

namespace ebpf::sys {

#define EBPF_SAME(ours, theirs, member) static_assert(offsetof(ours, member) == offsetof(theirs, member), #member)
EBPF_SAME(SkBuffRaw, struct __sk_buff, mark);
EBPF_SAME(SkBuffRaw, struct __sk_buff, priority);
EBPF_SAME(SkBuffRaw, struct __sk_buff, ingress_ifindex);
EBPF_SAME(SkBuffRaw, struct __sk_buff, ifindex);
EBPF_SAME(SkBuffRaw, struct __sk_buff, cb);
EBPF_SAME(SkBuffRaw, struct __sk_buff, data_meta);
EBPF_SAME(SkBuffRaw, struct __sk_buff, flow_keys);
EBPF_SAME(SkBuffRaw, struct __sk_buff, tstamp);
EBPF_SAME(SkBuffRaw, struct __sk_buff, wire_len);
EBPF_SAME(SkBuffRaw, struct __sk_buff, gso_segs);
EBPF_SAME(SkBuffRaw, struct __sk_buff, sk);
EBPF_SAME(SkBuffRaw, struct __sk_buff, gso_size);
EBPF_SAME(SkBuffRaw, struct __sk_buff, tstamp_type);
EBPF_SAME(SkBuffRaw, struct __sk_buff, hwtstamp);
static_assert(sizeof(SkBuffRaw) == sizeof(struct __sk_buff));

EBPF_SAME(XdpMdRaw, struct xdp_md, data_meta);
EBPF_SAME(XdpMdRaw, struct xdp_md, ingress_ifindex);
EBPF_SAME(XdpMdRaw, struct xdp_md, rx_queue_index);
EBPF_SAME(XdpMdRaw, struct xdp_md, egress_ifindex);
static_assert(sizeof(XdpMdRaw) == sizeof(struct xdp_md));

EBPF_SAME(FlowKeysRaw, struct bpf_flow_keys, addr_proto);
EBPF_SAME(FlowKeysRaw, struct bpf_flow_keys, ip_proto);
EBPF_SAME(FlowKeysRaw, struct bpf_flow_keys, n_proto);
EBPF_SAME(FlowKeysRaw, struct bpf_flow_keys, dport);
EBPF_SAME(FlowKeysRaw, struct bpf_flow_keys, flags);
EBPF_SAME(FlowKeysRaw, struct bpf_flow_keys, flow_label);
static_assert(offsetof(FlowKeysRaw, v4.ipv4_dst) == offsetof(struct bpf_flow_keys, ipv4_dst));
static_assert(offsetof(FlowKeysRaw, v6.ipv6_dst) == offsetof(struct bpf_flow_keys, ipv6_dst));
static_assert(sizeof(FlowKeysRaw) == sizeof(struct bpf_flow_keys));

EBPF_SAME(SkLookupRaw, struct bpf_sk_lookup, cookie);
EBPF_SAME(SkLookupRaw, struct bpf_sk_lookup, family);
EBPF_SAME(SkLookupRaw, struct bpf_sk_lookup, remote_ip6);
EBPF_SAME(SkLookupRaw, struct bpf_sk_lookup, remote_port);
EBPF_SAME(SkLookupRaw, struct bpf_sk_lookup, local_ip4);
EBPF_SAME(SkLookupRaw, struct bpf_sk_lookup, local_port);
EBPF_SAME(SkLookupRaw, struct bpf_sk_lookup, ingress_ifindex);
static_assert(sizeof(SkLookupRaw) == sizeof(struct bpf_sk_lookup));
#undef EBPF_SAME

}  // namespace ebpf::sys
