/* SPDX-License-Identifier: MIT */
/* A kfunc that a module defines: nf_conntrack's bpf_xdp_ct_lookup (5.18+) and bpf_ct_release are in
 * /sys/kernel/btf/nf_conntrack, not in vmlinux, so the loader must find them in the module's BTF and pass the
 * module's BTF fd in fd_array. The XDP program looks up a TCP tuple that has no conntrack entry and records what
 * the kfunc answered (NULL, opts.error = -ENOENT). tests/kernel/module_btf_test.cpp runs it with
 * BPF_PROG_TEST_RUN. */
#include "ebpf_test.h"

/* A defined struct, not a forward declaration: a prototype's struct pointers must point to structs on both sides
 * (FWD and STRUCT are different kinds to the compatibility check, as with libbpf). The members do not matter. */
struct nf_conn {
    __u64 ebpf_cxx_opaque;
};

/* As nf_conntrack declares it (12 bytes: the size every kernel with these kfuncs accepts). */
struct bpf_ct_opts {
    __s32 netns_id;
    __s32 error;
    __u8 l4proto;
    __u8 dir;
    __u8 reserved[2];
};

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *xdp_ctx, struct bpf_sock_tuple *bpf_tuple, __u32 tuple__sz,
                                         struct bpf_ct_opts *opts, __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *nfct) __ksym;

struct ct_out {
    __s32 error;
    __u32 found, ran;
};
struct ct_out ct_seen;

SEC("xdp")
int ct_lookup(struct xdp_md *ctx)
{
    struct bpf_sock_tuple tuple = {};
    struct bpf_ct_opts opts = {.netns_id = -1 /* BPF_F_CURRENT_NETNS */, .l4proto = 6 /* IPPROTO_TCP */};

    /* 127.0.0.1:0 -> 127.0.0.1:0 (in network byte order where the machine is little-endian): no such connection.
     * Plain constants, no byte swaps, and zero ports, so both byte orders compile to the same number of
     * instructions (tests/support/ebpf_tool_test.sh compares them). */
    tuple.ipv4.saddr = 0x0100007f;
    tuple.ipv4.daddr = 0x0100007f;
    struct nf_conn *ct = bpf_xdp_ct_lookup(ctx, &tuple, sizeof(tuple.ipv4), &opts, sizeof(opts));
    if (ct) {
        ct_seen.found = 1;
        bpf_ct_release(ct);
    }
    ct_seen.error = opts.error;
    ct_seen.ran = 1;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
