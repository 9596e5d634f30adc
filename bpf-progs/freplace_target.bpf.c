/* SPDX-License-Identifier: MIT */
/* A program with a global function that an freplace program replaces (tests/kernel/freplace_test.cpp). */
#include "ebpf_test.h"

__attribute__((noinline)) int decide(struct __sk_buff *skb)
{
    /* Not constant, so the call cannot be folded away. */
    return skb->len > 0 ? 1 : 2;
}

SEC("tc")
int classify(struct __sk_buff *skb)
{
    return decide(skb);
}

char LICENSE[] SEC("license") = "GPL";
