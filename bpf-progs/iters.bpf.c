/* SPDX-License-Identifier: MIT */
/* BPF iterators (tests/kernel/iter_test.cpp): every process as "<tgid> <comm>" lines, and the elements of a map
 * given at attach as "<key> <value>" lines. */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_tracing.h>

struct bpf_map;

struct bpf_iter__bpf_map_elem {
    struct bpf_iter_meta *meta;
    struct bpf_map *map;
    void *key;
    void *value;
} __attribute__((preserve_access_index));

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} iter_input SEC(".maps");

SEC("iter/task")
int list_processes(struct bpf_iter__task *ctx)
{
    struct seq_file *seq = ctx->meta->seq;
    struct task_struct *task = ctx->task;
    if (!task || task->pid != task->tgid)
        return 0; /* the end of the walk, or a thread that is not a leader */
    BPF_SEQ_PRINTF(seq, "%d %s\n", task->tgid, task->comm);
    return 0;
}

SEC("iter/bpf_map_elem")
int dump_map(struct bpf_iter__bpf_map_elem *ctx)
{
    struct seq_file *seq = ctx->meta->seq;
    __u32 *key = ctx->key;
    __u64 *value = ctx->value;
    if (!key || !value)
        return 0;
    BPF_SEQ_PRINTF(seq, "%u %llu\n", *key, *value);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
