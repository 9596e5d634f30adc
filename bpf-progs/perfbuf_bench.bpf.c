/* SPDX-License-Identifier: MIT */
/* Perf buffer benchmark producer: each getppid() of process `target_tgid` writes `burst` samples of `rec_size`
 * bytes on the current CPU (ebpf-tool bench perfbuf, tests/compat/libbpf_perfbuf_bench.c). */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} pb SEC(".maps");

const volatile __u32 target_tgid = 0;
const volatile __u32 rec_size = 8;
const volatile __u32 burst = 500;
char payload[256];

SEC("tp/syscalls/sys_enter_getppid")
int produce(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    for (__u32 i = 0; i < 500; i++) {
        if (i >= burst)
            break;
        __u32 size = rec_size;
        if (size > sizeof(payload))
            size = sizeof(payload);
        if (size < 1)
            size = 1;
        payload[0] = (char)i;
        bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, payload, size);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
