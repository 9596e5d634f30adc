/* SPDX-License-Identifier: MIT */
/* A user ring buffer (6.1+) drained by a program run with BPF_PROG_TEST_RUN (tests/kernel/ringbuf_test.cpp). Apart
 * from ringbuf_test.bpf.c, whose ring buffers (5.8+) load without it. */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_USER_RINGBUF);
    __uint(max_entries, 4096);
} urb SEC(".maps");

__u64 drained_sum = 0;
__u32 drained = 0;

static long drain_one(struct bpf_dynptr *d, void *ctx)
{
    __u64 v = 0;
    if (bpf_dynptr_read(&v, sizeof(v), d, 0, 0) == 0) {
        drained_sum += v;
        drained++;
    }
    return 0;
}

/* User space produced, the program drains. */
SEC("syscall")
int drain(void *ctx)
{
    bpf_user_ringbuf_drain(&urb, drain_one, 0, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
