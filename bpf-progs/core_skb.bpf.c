/* SPDX-License-Identifier: MIT */
/* CO-RE on struct sk_buff and net_device in the receive path: the netif_receive_skb tracepoint, once BTF-typed
 * (tp_btf, direct loads) and once untyped (raw_tp, bpf_probe_read_kernel). Both record the packet of the length
 * the test sends over loopback: its length, protocol, device and pkt_type, a 3-bit field that the kernel keeps in
 * an anonymous struct inside a struct_group union. */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* skb->len to look for (IP header + UDP header + payload), set by the test before load. */
const volatile __u32 target_len = 0;

struct skb_event {
    __u32 count, len, protocol, ifindex, mtu, pkt_type, pkt_type_size;
    char dev_name[16];
};
struct skb_event typed_seen;
struct skb_event raw_seen;

SEC("tp_btf/netif_receive_skb")
int BPF_PROG(on_receive_typed, struct sk_buff *skb)
{
    if (skb->len != target_len)
        return 0;
    struct net_device *dev = skb->dev;
    typed_seen.len = skb->len;
    typed_seen.protocol = skb->protocol;
    typed_seen.pkt_type = BPF_CORE_READ_BITFIELD(skb, pkt_type);
    typed_seen.pkt_type_size = bpf_core_field_size(skb->pkt_type);
    if (dev) {
        typed_seen.ifindex = dev->ifindex;
        typed_seen.mtu = dev->mtu;
        bpf_probe_read_kernel_str(typed_seen.dev_name, sizeof(typed_seen.dev_name), dev->name);
    }
    typed_seen.count++;
    return 0;
}

SEC("raw_tp/netif_receive_skb")
int on_receive_raw(struct bpf_raw_tracepoint_args *ctx)
{
    struct sk_buff *skb = (struct sk_buff *)ctx->args[0];
    if (BPF_CORE_READ(skb, len) != target_len)
        return 0;
    raw_seen.len = BPF_CORE_READ(skb, len);
    raw_seen.protocol = BPF_CORE_READ(skb, protocol);
    raw_seen.pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
    raw_seen.ifindex = BPF_CORE_READ(skb, dev, ifindex);
    raw_seen.mtu = BPF_CORE_READ(skb, dev, mtu);
    BPF_CORE_READ_STR_INTO(&raw_seen.dev_name, skb, dev, name);
    raw_seen.count++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
