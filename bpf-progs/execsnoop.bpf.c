/* SPDX-License-Identifier: MIT */
/* An execsnoop-like tool, written the way libbpf-tools are: a tracepoint on sched_process_exec sends one ring
 * buffer record per exec (pid, parent, comm, filename), and a hash map keeps a count per parent. Filters are
 * read-only globals set before load (`ebpf-tool run --set target_ppid=$$`, or LoadOptions::globals).
 * Used by docs/examples/execsnoop.cpp and the `ebpf-tool run` tests (tests/support/ebpf_tool_run_test.sh). */
#include <stdbool.h>
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16
#define FILENAME_LEN 128

/* What user space reads from the ring buffer (struct ExecEvent in docs/examples/execsnoop.cpp). */
struct exec_event {
    __u32 pid;
    __u32 ppid;
    __u32 uid;
    __u32 filename_len;
    char comm[TASK_COMM_LEN];
    char filename[FILENAME_LEN];
};

/* Per-parent statistics, dumped by `ebpf-tool run --dump-maps` with their field names. */
struct exec_stat {
    __u64 count;
    char last_comm[TASK_COMM_LEN];
};

enum output_mode {
    OUTPUT_NONE = 0,   /* count only: no ring buffer records */
    OUTPUT_EVENTS = 1, /* one record per exec */
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32); /* parent tgid */
    __type(value, struct exec_stat);
} exec_stats SEC(".maps");

/* Filters, set before load. 0 / "" mean "any". */
const volatile __u32 target_ppid = 0;
const volatile __u32 target_uid = 0;
const volatile bool filter_uid = false;
const volatile char target_comm[TASK_COMM_LEN] = "";
const volatile enum output_mode output = OUTPUT_EVENTS;

/* Counters in .bss. */
__u64 total_execs = 0;
__u64 dropped = 0;

/* The tracepoint's fields (tracefs events/sched/sched_process_exec/format). */
struct sched_process_exec_args {
    __u64 common;
    __u32 filename_loc; /* __data_loc char[]: offset in the low 16 bits, length in the high 16 */
    __s32 pid;
    __s32 old_pid;
};

static __always_inline bool comm_matches(const char *comm)
{
    if (target_comm[0] == 0)
        return true;
    for (int i = 0; i < TASK_COMM_LEN; i++) {
        if (comm[i] != target_comm[i])
            return false;
        if (comm[i] == 0)
            return true;
    }
    return true;
}

SEC("tp/sched/sched_process_exec")
int handle_exec(struct sched_process_exec_args *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 ppid = BPF_CORE_READ(task, real_parent, tgid);
    __u32 uid = (__u32)bpf_get_current_uid_gid();
    char comm[TASK_COMM_LEN];

    if (target_ppid && ppid != target_ppid)
        return 0;
    if (filter_uid && uid != target_uid)
        return 0;
    bpf_get_current_comm(comm, sizeof(comm));
    if (!comm_matches(comm))
        return 0;

    __sync_fetch_and_add(&total_execs, 1);
    struct exec_stat *st = bpf_map_lookup_elem(&exec_stats, &ppid);
    if (!st) {
        struct exec_stat zero = {};
        bpf_map_update_elem(&exec_stats, &ppid, &zero, BPF_NOEXIST);
        st = bpf_map_lookup_elem(&exec_stats, &ppid);
    }
    if (st) {
        __sync_fetch_and_add(&st->count, 1);
        __builtin_memcpy(st->last_comm, comm, sizeof(comm));
    }

    if (output == OUTPUT_NONE)
        return 0;
    struct exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        __sync_fetch_and_add(&dropped, 1);
        return 0;
    }
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->ppid = ppid;
    e->uid = uid;
    __builtin_memcpy(e->comm, comm, sizeof(comm));
    long n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
                                       (void *)ctx + (ctx->filename_loc & 0xffff));
    e->filename_len = n > 0 ? (__u32)n - 1 : 0;
    if (n <= 0)
        e->filename[0] = 0;
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
