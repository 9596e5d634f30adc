/* SPDX-License-Identifier: MIT */
/* Every openat() of one process (or all) as a ring buffer record: the async example's producer
 * (docs/examples/async_openat.cpp, docs/async.md). */
#include "ebpf_test.h"

struct openat_event {
    __u32 pid;
    __s32 dfd;
    __u32 flags;
    char comm[16];
    char filename[256];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

const volatile __u32 target_tgid = 0; /* 0: every process */
__u64 dropped = 0;

/* The tracepoint's fields (tracefs events/syscalls/sys_enter_openat/format): the common header, the syscall
 * number, then each argument as 8 bytes. */
struct sys_enter_openat_args {
    __u64 common;
    __s32 syscall_nr;
    __u32 pad;
    __u64 dfd;
    const char *filename;
    __u64 flags;
    __u64 mode;
};

SEC("tp/syscalls/sys_enter_openat")
int on_openat(struct sys_enter_openat_args *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (target_tgid && tgid != target_tgid)
        return 0;
    struct openat_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        __sync_fetch_and_add(&dropped, 1);
        return 0;
    }
    e->pid = tgid;
    e->dfd = (__s32)ctx->dfd;
    e->flags = (__u32)ctx->flags;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    if (bpf_probe_read_user_str(e->filename, sizeof(e->filename), ctx->filename) < 0)
        e->filename[0] = 0;
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
