/* SPDX-License-Identifier: MIT */
/* The other half of link_a.bpf.c's linked object: defines what link_a uses. */
#include "link_common.h"

LINK_SHARED_MAP_DEF shared_map SEC(".maps");

const volatile __u64 b_ro = 5; /* .rodata */
__u64 b_data = 2;              /* .data */
__u64 b_bss;                   /* .bss: link_b_prog's result */
__u64 b_extra;                 /* .bss */
__u64 ws_var = 42;             /* strong: overrides link_a's weak definition */
__u64 b_counter = 9;
struct link_node b_node;

static __noinline __u64 local_helper(__u64 x)
{
    return x + 2000;
}

__noinline __u64 b_scale(__u64 x)
{
    return x * 7 + b_data;
}

/* Hidden: verified in its caller's context (no NULL check needed). */
__hidden __noinline int b_hidden_add(__u64 *acc, __u64 v)
{
    *acc += v;
    return 0;
}

SEC("syscall")
int link_b_prog(struct link_args *ctx)
{
    __u32 key = 0;
    struct link_val *val = bpf_map_lookup_elem(&shared_map, &key);

    b_bss = val ? val->sum : 0;
    b_extra = local_helper(b_ro); /* 2005 */
    b_node.val.sum = b_bss;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
