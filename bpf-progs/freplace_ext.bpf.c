/* SPDX-License-Identifier: MIT */
/* Replaces decide() of freplace_target.bpf.c. */
#include "ebpf_test.h"

SEC("freplace/decide")
int new_decide(struct __sk_buff *skb)
{
    return 42;
}

char LICENSE[] SEC("license") = "GPL";
