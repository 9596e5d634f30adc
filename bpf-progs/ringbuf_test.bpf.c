/* SPDX-License-Identifier: MIT */
/* Ring buffer producers, driven by BPF_PROG_TEST_RUN (tests/kernel/ringbuf_test.cpp, async, asio and log tests).
 * Only ring buffers (5.8+): the user ring buffer (6.1+) is in user_ringbuf_test.bpf.c, so this loads on 5.10. */
#include "ebpf_test.h"

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16384);
} rb SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} rb2 SEC(".maps");

const volatile __u32 rec_size = 8; /* bytes per record, 4..256 */
__u32 count = 0;                   /* records per run */
__u32 discard_every = 0;           /* 0: none; n: every n-th record is reserved and discarded */
__u32 next_seq = 0;
char payload[256];

static __always_inline void emit(void)
{
    __u32 seq = next_seq++;
    if (discard_every && seq % discard_every == 0) {
        __u32 *r = bpf_ringbuf_reserve(&rb, 16, 0);
        if (r) {
            r[0] = seq;
            bpf_ringbuf_discard(r, 0);
        }
        return;
    }
    __u32 size = rec_size;
    if (size > sizeof(payload))
        size = sizeof(payload);
    if (size < 4)
        size = 4;
    __builtin_memcpy(payload, &seq, sizeof(seq));
    bpf_ringbuf_output(&rb, payload, size, 0);
}

/* A bounded loop (5.3+) rather than bpf_loop (5.17+), so it loads on every kernel with ring buffers. */
SEC("syscall")
int produce(void *ctx)
{
    for (__u32 i = 0; i < 1024; i++) {
        if (i >= count)
            break;
        emit();
    }
    return 0;
}

SEC("syscall")
int produce_rb2(void *ctx)
{
    __u32 v = 0xabcd;
    bpf_ringbuf_output(&rb2, &v, sizeof(v), 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
