/* SPDX-License-Identifier: MIT */
/* A perf_event program counting samples per CPU and this process's samples (tests/kernel/perf_event_test.cpp). */
#include "ebpf_test.h"

const volatile __u32 target_tgid = 0;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} samples_per_cpu SEC(".maps");

__u64 own_samples = 0;
__u64 last_cookie = 0;

SEC("perf_event")
int on_sample(void *ctx)
{
    __u32 cpu = bpf_get_smp_processor_id();
    __u64 *n = bpf_map_lookup_elem(&samples_per_cpu, &cpu);
    if (n)
        __sync_fetch_and_add(n, 1);
    if ((__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid)
        __sync_fetch_and_add(&own_samples, 1);
    return 0;
}

SEC("perf_event")
int on_sample_cookie(void *ctx)
{
    if ((__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid)
        last_cookie = bpf_get_attach_cookie(ctx);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
