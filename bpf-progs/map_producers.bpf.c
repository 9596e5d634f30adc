/* SPDX-License-Identifier: MIT */
/* An XDP program (run with BPF_PROG_TEST_RUN; sleepable syscall programs may not use these maps) that fills keyless maps (queue, stack, bloom filter) and a BPF_F_MMAPABLE array, read back
 * from user space by tests/kernel/map_types_test.cpp. Needs kernel 5.16 (bloom filter). */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 16);
    __type(value, __u64);
} fifo SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_STACK);
    __uint(max_entries, 16);
    __type(value, __u64);
} lifo SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
    __uint(max_entries, 64);
    __type(value, __u32);
    __uint(map_extra, 3); /* hash functions */
} seen SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
    __uint(map_flags, BPF_F_MMAPABLE);
} shared SEC(".maps");

/* Set by the test through mapped globals. */
__u32 count;
__u32 base;
__u64 shared_sum; /* out: the sum of `shared` as the program saw it */

SEC("xdp")
int produce(struct xdp_md *ctx)
{
    __u32 n = count;
    if (n > 16)
        n = 16;
    for (__u32 i = 0; i < n; i++) {
        __u64 v = base + i;
        __u32 b = base + i;
        bpf_map_push_elem(&fifo, &v, 0);
        bpf_map_push_elem(&lifo, &v, 0);
        bpf_map_push_elem(&seen, &b, 0);
    }
    __u64 sum = 0;
    for (__u32 i = 0; i < 8; i++) {
        __u32 k = i;
        __u64 *x = bpf_map_lookup_elem(&shared, &k);
        if (x) {
            sum += *x;
            *x += 1;
        }
    }
    shared_sum = sum;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
