/* SPDX-License-Identifier: MIT */
/* A perf event array producer triggered by the test process's getppid() calls (tests/kernel/perfbuf_test.cpp). */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

const volatile __u32 target_tgid = 0;
const volatile __u32 rec_size = 8; /* bytes per sample, 4..256 */
__u32 burst = 1;                   /* samples per getppid() */
__u32 next_seq = 0;
char payload[256];

SEC("tp/syscalls/sys_enter_getppid")
int produce(void *ctx)
{
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    for (__u32 i = 0; i < 512; i++) {
        if (i >= burst)
            break;
        __u32 seq = next_seq++;
        __u32 size = rec_size;
        if (size > sizeof(payload))
            size = sizeof(payload);
        if (size < 4)
            size = 4;
        __builtin_memcpy(payload, &seq, sizeof(seq));
        bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, payload, size);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
