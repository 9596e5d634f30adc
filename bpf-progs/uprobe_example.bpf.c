/* SPDX-License-Identifier: MIT */
/* The programs of docs/examples/uprobe_counter.cpp: a uprobe on a function of the example itself and a USDT
 * handler (libbpf's BPF_USDT) on its probe example:work, both named by their sections so they attach on their
 * own, counting hits and keeping the last USDT arguments in `counts`. */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

static __always_inline void put(__u32 slot, __u64 value, bool add)
{
    __u64 *v = bpf_map_lookup_elem(&counts, &slot);
    if (!v)
        return;
    if (add)
        __sync_fetch_and_add(v, value);
    else
        *v = value;
}

SEC("uprobe//proc/self/exe:example_work")
int BPF_KPROBE(on_work, int n)
{
    put(0, 1, true);
    return 0;
}

SEC("usdt//proc/self/exe:example:work")
int BPF_USDT(on_usdt, int n, long square)
{
    put(1, 1, true);
    put(2, n, false);
    put(3, square, false);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
