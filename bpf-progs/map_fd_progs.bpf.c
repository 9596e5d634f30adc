/* SPDX-License-Identifier: MIT */
/* Programs that go into fd-valued maps (tests/kernel/map_types_test.cpp): tail-call targets for a prog array
 * filled from user space, and the XDP programs a devmap and a cpumap run on redirected frames. */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 4);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

SEC("xdp")
int tail_a(struct xdp_md *ctx)
{
    return XDP_TX; /* 3 */
}

SEC("xdp")
int tail_b(struct xdp_md *ctx)
{
    return XDP_DROP; /* 1 */
}

/* Jumps through slot `slot` (.bss, set by the test); XDP_PASS (2) when the slot is empty. */
__u32 slot;

SEC("xdp")
int tail_entry(struct xdp_md *ctx)
{
    bpf_tail_call(ctx, &jumps, slot);
    return XDP_PASS;
}

SEC("xdp/devmap")
int on_devmap(struct xdp_md *ctx)
{
    return XDP_PASS;
}

SEC("xdp/cpumap")
int on_cpumap(struct xdp_md *ctx)
{
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
