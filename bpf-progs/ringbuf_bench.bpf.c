/* SPDX-License-Identifier: MIT */
/* Ring buffer benchmark producer: one BPF_PROG_TEST_RUN of `produce` writes `count` records of `rec_size` bytes
 * without waking anyone, so a consumer's cost per record can be timed alone (ebpf-tool bench ringbuf,
 * tests/compat/libbpf_ringbuf_bench.c). */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 << 20);
} rb SEC(".maps");

const volatile __u32 rec_size = 8;
const volatile __u32 count = 100000;
char payload[256];

static long write_one(__u32 index, void *ctx)
{
    __u32 size = rec_size;
    if (size > sizeof(payload))
        size = sizeof(payload);
    payload[0] = (char)index;
    bpf_ringbuf_output(&rb, payload, size, BPF_RB_NO_WAKEUP);
    return 0;
}

SEC("syscall")
int produce(void *ctx)
{
    bpf_loop(count, write_one, 0, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
