/* SPDX-License-Identifier: MIT */
/* CO-RE against types that only a module's BTF has: struct veth_priv and struct veth_rq live in the veth module
 * (drivers/net/veth.c), not in vmlinux, so these relocations resolve only against /sys/kernel/btf/veth. A syscall
 * program (run with BPF_PROG_TEST_RUN) stores what the loader relocated; tests/kernel/module_btf_test.cpp compares
 * it with the module's BTF. Field types are chosen so they match every kernel's (pointers and unsigned int). */
#include "ebpf_test.h"

#include <bpf/bpf_core_read.h>

struct net_device;
struct bpf_prog;

struct veth_rq {
    struct net_device *dev;
    struct bpf_prog *xdp_prog;
} __attribute__((preserve_access_index));

struct veth_priv {
    struct net_device *peer;
    struct veth_rq *rq;
    unsigned int requested_headroom;
} __attribute__((preserve_access_index));

/* A field no veth has: its existence check relocates to 0. */
struct veth_priv___fake {
    int ebpf_cxx_no_such_field;
} __attribute__((preserve_access_index));

struct module_btf_out {
    __u32 priv_exists, priv_size, priv_type_id;
    __u32 peer_offset, rq_offset, headroom_offset, headroom_size;
    __u32 rq_exists, rq_size, rq_dev_offset, rq_xdp_prog_offset;
    __u32 fake_field_exists;
    __u32 ran;
};
struct module_btf_out module_btf_seen;

SEC("syscall")
int read_module_types(void *ctx)
{
    struct module_btf_out *out = &module_btf_seen;
    out->priv_exists = bpf_core_type_exists(struct veth_priv);
    out->priv_size = bpf_core_type_size(struct veth_priv);
    out->priv_type_id = bpf_core_type_id_kernel(struct veth_priv);
    out->peer_offset = bpf_core_field_offset(struct veth_priv, peer);
    out->rq_offset = bpf_core_field_offset(struct veth_priv, rq);
    out->headroom_offset = bpf_core_field_offset(struct veth_priv, requested_headroom);
    out->headroom_size = bpf_core_field_size(struct veth_priv, requested_headroom);
    out->rq_exists = bpf_core_type_exists(struct veth_rq);
    out->rq_size = bpf_core_type_size(struct veth_rq);
    out->rq_dev_offset = bpf_core_field_offset(struct veth_rq, dev);
    out->rq_xdp_prog_offset = bpf_core_field_offset(struct veth_rq, xdp_prog);
    out->fake_field_exists = bpf_core_field_exists(struct veth_priv___fake, ebpf_cxx_no_such_field);
    out->ran = 1;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
