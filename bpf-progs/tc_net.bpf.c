/* SPDX-License-Identifier: MIT */
/* tc, TCX and netkit programs for the Tc and Netkit views' tests (tests/kernel/tc_test.cpp, netkit_test.cpp) and
 * the TCX example. The return codes work for both worlds: TC_ACT_UNSPEC (-1) is TCX_NEXT / NETKIT_NEXT ("run the
 * next program"), TC_ACT_OK (0) is TCX_PASS, TC_ACT_SHOT (2) is TCX_DROP. */
#include "ebpf_test.h"

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

enum { T_SEEN, T_DROPPED, T_NEXT_SAW_PORT, T_MARKED, T_NK_PRIMARY, T_NK_PEER, T_NK_DROPPED, T_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, T_MAX);
    __type(key, __u32);
    __type(value, __u64);
} tc_counts SEC(".maps");

/* UDP destination port (host byte order) whose datagrams tc_drop_port drops; 0 drops nothing. */
volatile __u16 drop_port;

static __always_inline void count(__u32 key)
{
    __u64 *v = bpf_map_lookup_elem(&tc_counts, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
}

static __always_inline __u16 udp_dport(struct __sk_buff *skb)
{
    void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return 0;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl < 5 || ip->protocol != IPPROTO_UDP)
        return 0;
    struct udphdr *udp = (void *)ip + ip->ihl * 4;
    if ((void *)(udp + 1) > end)
        return 0;
    return bpf_ntohs(udp->dest);
}

/* Counts every packet, drops UDP to drop_port, lets the rest go on to the next program or filter. */
SEC("tc")
int tc_drop_port(struct __sk_buff *skb)
{
    count(T_SEEN);
    __u16 port = udp_dport(skb);
    if (port && port == drop_port) {
        count(T_DROPPED);
        return TC_ACT_SHOT;
    }
    return TC_ACT_UNSPEC;
}

/* Counts the UDP datagrams to drop_port it sees, then hands on: it sees them only when it runs before
 * tc_drop_port. */
SEC("tcx/ingress")
int tcx_watch_port(struct __sk_buff *skb)
{
    __u16 port = udp_dport(skb);
    if (port && port == drop_port)
        count(T_NEXT_SAW_PORT);
    return TC_ACT_UNSPEC;
}

SEC("tcx/egress")
int tcx_egress_pass(struct __sk_buff *skb)
{
    return TC_ACT_UNSPEC;
}

/* Test runs: marks the packet, bumps cb[0] and keeps it. */
SEC("classifier")
int tc_mark(struct __sk_buff *skb)
{
    skb->mark = 0xcafe;
    skb->cb[0] += 1;
    count(T_MARKED);
    return TC_ACT_OK;
}

SEC("action")
int tc_action_ok(struct __sk_buff *skb)
{
    return TC_ACT_OK;
}

/* netkit: count what each side transmits; drop everything on request (a second program). */
SEC("netkit/primary")
int nk_primary_count(struct __sk_buff *skb)
{
    count(T_NK_PRIMARY);
    return TC_ACT_UNSPEC;
}

SEC("netkit/peer")
int nk_peer_count(struct __sk_buff *skb)
{
    count(T_NK_PEER);
    return TC_ACT_UNSPEC;
}

SEC("netkit/peer")
int nk_peer_drop(struct __sk_buff *skb)
{
    count(T_NK_DROPPED);
    return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
