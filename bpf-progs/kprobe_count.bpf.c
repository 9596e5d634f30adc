/* SPDX-License-Identifier: MIT */
/* A kprobe and a kretprobe on do_unlinkat (what unlink(2) and unlinkat(2) call) that count this process's calls in
 * an array map. The test (tests/kernel/kprobe_test.cpp) attaches them through the kprobe PMU, calls unlink() on a
 * path that does not exist a few times and reads the counts. No pt_regs access: one object for every arch. */
#include "ebpf_test.h"

/* Set by the test before load: only this process's calls count. */
const volatile __u32 target_tgid = 0;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} kprobe_hits SEC(".maps");

static __always_inline int count(__u32 slot)
{
    if ((__u32)(bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    __u64 *v = bpf_map_lookup_elem(&kprobe_hits, &slot);
    if (v)
        __sync_fetch_and_add(v, 1);
    return 0;
}

SEC("kprobe/do_unlinkat")
int on_unlinkat(void *ctx)
{
    return count(0);
}

SEC("kretprobe/do_unlinkat")
int on_unlinkat_return(void *ctx)
{
    return count(1);
}

char LICENSE[] SEC("license") = "GPL";
