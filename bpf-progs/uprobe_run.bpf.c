/* SPDX-License-Identifier: MIT */
/* A uprobe and a USDT handler written like a libbpf tool's, on a program found through PATH: the test target
 * tests/uprobe/target_main.c (`uprobe_target N` calls ebpf_target_main_fn N times, which fires the USDT probe
 * ebpf_target:main). Both name their target in the section, so `ebpf-tool run` attaches them on its own; each
 * hit of `target_pid` (0: any process) is counted in `hits` and sent to the `events` ring buffer.
 * Used by the `ebpf-tool run` tests (tests/support/ebpf_tool_run_test.sh). */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

struct hit {
    __u32 pid;
    __u32 kind; /* 0: uprobe, 1: USDT */
    __s64 arg;
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} hits SEC(".maps");

const volatile __u32 target_pid = 0;

static __always_inline int record(__u32 kind, long arg)
{
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (target_pid && pid != target_pid)
        return 0;
    __u64 *n = bpf_map_lookup_elem(&hits, &kind);
    if (n)
        __sync_fetch_and_add(n, 1);
    struct hit *h = bpf_ringbuf_reserve(&events, sizeof(*h), 0);
    if (!h)
        return 0;
    h->pid = pid;
    h->kind = kind;
    h->arg = arg;
    bpf_ringbuf_submit(h, 0);
    return 0;
}

SEC("uprobe/uprobe_target:ebpf_target_main_fn")
int BPF_KPROBE(main_fn_entry, int x)
{
    return record(0, x);
}

SEC("usdt/uprobe_target:ebpf_target:main")
int BPF_USDT(main_probe, int x)
{
    return record(1, x);
}

char LICENSE[] SEC("license") = "GPL";
