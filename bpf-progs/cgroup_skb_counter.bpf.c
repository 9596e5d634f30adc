/* SPDX-License-Identifier: MIT */
/* The seed example: count packets entering and leaving the sockets of a cgroup. */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

static __always_inline int count(__u32 slot)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
    return 1; /* let the packet through */
}

SEC("cgroup_skb/ingress")
int ingress_filter(struct __sk_buff *skb)
{
    return count(0);
}

SEC("cgroup_skb/egress")
int egress_filter(struct __sk_buff *skb)
{
    return count(1);
}

char LICENSE[] SEC("license") = "GPL";
