/* SPDX-License-Identifier: MIT */
/* XDP programs for the Xdp view's tests (tests/kernel/xdp_test.cpp) and the XDP example: counting frames on an
 * interface, dropping UDP datagrams to a port set at run time, and the devmap/cpumap entry programs. */
#include "ebpf_test.h"

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

enum { X_SEEN, X_DROPPED, X_OTHER_PROG, X_DEVMAP, X_CPUMAP, X_MAX };

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, X_MAX);
    __type(key, __u32);
    __type(value, __u64);
} xdp_counts SEC(".maps");

/* Entries filled by the tests with XdpDevmapValue / XdpCpumapValue (the entry programs below). */
struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, struct bpf_devmap_val);
} tx_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

/* UDP destination port (host byte order) whose datagrams xdp_count drops; 0 drops nothing. Written by the tests. */
volatile __u16 drop_port;

static __always_inline void count(__u32 key)
{
    __u64 *v = bpf_map_lookup_elem(&xdp_counts, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
}

/* The UDP destination port of an Ethernet + IPv4 + UDP frame, 0 for anything else. */
static __always_inline __u16 udp_dport(void *data, void *end)
{
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

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    count(X_SEEN);
    __u16 port = udp_dport((void *)(long)ctx->data, (void *)(long)ctx->data_end);
    if (port && port == drop_port) {
        count(X_DROPPED);
        return XDP_DROP;
    }
    return XDP_PASS;
}

/* A second program, for replace and update: counts and passes. */
SEC("xdp")
int xdp_other(struct xdp_md *ctx)
{
    count(X_OTHER_PROG);
    return XDP_PASS;
}

/* Test runs: rewrites the first byte of the destination MAC, grows the frame by 4 bytes at the front (zeroed),
 * and answers XDP_TX. */
SEC("xdp")
int xdp_rewrite(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
    if (data + 1 > end)
        return XDP_ABORTED;
    *(__u8 *)data = 0xee;
    if (bpf_xdp_adjust_head(ctx, -4))
        return XDP_ABORTED;
    data = (void *)(long)ctx->data;
    end = (void *)(long)ctx->data_end;
    if (data + 4 > end)
        return XDP_ABORTED;
    *(__u32 *)data = 0;
    return XDP_TX;
}

/* Test runs with metadata: adds the first metadata word to the second and passes. */
SEC("xdp")
int xdp_meta(struct xdp_md *ctx)
{
    void *meta = (void *)(long)ctx->data_meta, *data = (void *)(long)ctx->data;
    if (meta + 8 > data)
        return XDP_ABORTED;
    ((__u32 *)meta)[1] += ((__u32 *)meta)[0] + ctx->ingress_ifindex;
    return XDP_PASS;
}

SEC("xdp.frags")
int xdp_frags_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

/* Redirects every frame through entry 0 of tx_ports (whose entry program then runs). */
SEC("xdp")
int xdp_redirect_devmap(struct xdp_md *ctx)
{
    return bpf_redirect_map(&tx_ports, 0, XDP_PASS);
}

SEC("xdp/devmap")
int xdp_devmap_entry(struct xdp_md *ctx)
{
    count(X_DEVMAP);
    return XDP_PASS;
}

SEC("xdp/cpumap")
int xdp_cpumap_entry(struct xdp_md *ctx)
{
    count(X_CPUMAP);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
