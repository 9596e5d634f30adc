/* SPDX-License-Identifier: MIT */
/* BTF-defined maps of several kinds, used by an XDP program run with BPF_PROG_TEST_RUN: hash, LRU, per-CPU array, map-in-map with an initial slot, a prog array with
 * an initial slot, and a map pinned by name. */
#include "ebpf_test.h"

struct key {
    __u32 a;
    __u16 b;
    __u16 c;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 128);
    __type(key, struct key);
    __type(value, __u64);
} hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 64);
    __uint(key_size, 4);
    __uint(value_size, 8);
} lru SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} percpu SEC(".maps");

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} inner_a SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner);
} outer SEC(".maps") = {
    .values = {[2] = &inner_a},
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u32);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} pinned_counts SEC(".maps");

/* Written by the programs so the test can see that each ran. */
__u64 tail_ran;
__u64 use_ran;

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
    tail_ran += 1;
    return XDP_TX; /* 3: distinguishes the tail call from the fall-through path */
}

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __uint(key_size, sizeof(__u32));
    __array(values, int(struct xdp_md *));
} jumps SEC(".maps") = {
    .values = {[1] = (void *)&tail_target},
};

SEC("xdp")
int use_maps(struct xdp_md *ctx)
{
    struct key k = {.a = 1, .b = 2, .c = 3};
    __u64 one = 1, *v;
    __u32 slot = 2, zero = 0;

    v = bpf_map_lookup_elem(&hash, &k);
    if (v)
        *v += 1;
    else
        bpf_map_update_elem(&hash, &k, &one, BPF_ANY);

    void *in = bpf_map_lookup_elem(&outer, &slot);
    if (in) {
        __u64 *x = bpf_map_lookup_elem(in, &zero);
        if (x)
            *x = 42;
    }
    __u32 *pc = bpf_map_lookup_elem(&percpu, &zero);
    if (pc)
        *pc += 1;
    __u32 pv = 9;
    bpf_map_update_elem(&pinned_counts, &zero, &pv, BPF_ANY);
    __u32 lk = 5;
    __u64 lv = 55;
    bpf_map_update_elem(&lru, &lk, &lv, BPF_ANY);
    use_ran += 1;
    bpf_tail_call(ctx, &jumps, 1);
    return XDP_PASS; /* 2: only reached when the tail call fails */
}

char LICENSE[] SEC("license") = "GPL";
