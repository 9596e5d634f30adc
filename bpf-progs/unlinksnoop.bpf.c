/* SPDX-License-Identifier: MIT */
/* A kprobe pair written like a libbpf tool (an older one: it reports through a perf event array): the kprobe on
 * do_unlinkat notes when a thread entered, the kretprobe sends one perf sample per call with its latency.
 * Only calls by children of `target_ppid` count when it is set (`ebpf-tool run --set target_ppid=$$`, then
 * `rm -f` from that shell). No pt_regs access, so one object serves every architecture.
 * Where the kernel has no kprobes, the tracepoint variant (autoload off, `--program unlinkat_tp --program unlink_tp`)
 * sends the same samples from syscalls/sys_enter_unlinkat and sys_enter_unlink, as libbpf tools pick a kprobe or a tracepoint at run time.
 * Used by the `ebpf-tool run` tests (tests/support/ebpf_tool_run_test.sh); kprobes need CONFIG_KPROBES. */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>

struct unlink_event {
    __u32 pid;
    __u32 ppid;
    __u64 latency_ns;
    char comm[16];
};

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, __u32);   /* thread id */
    __type(value, __u64); /* entry time */
} starts SEC(".maps");

const volatile __u32 target_ppid = 0;

__u64 entries = 0;
__u64 returns = 0;

static __always_inline __u32 parent_tgid(void)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    return BPF_CORE_READ(task, real_parent, tgid);
}

SEC("kprobe/do_unlinkat")
int unlink_enter(void *ctx)
{
    if (target_ppid && parent_tgid() != target_ppid)
        return 0;
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u64 now = bpf_ktime_get_ns();
    bpf_map_update_elem(&starts, &tid, &now, BPF_ANY);
    __sync_fetch_and_add(&entries, 1);
    return 0;
}

SEC("kretprobe/do_unlinkat")
int unlink_exit(void *ctx)
{
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    __u64 *start = bpf_map_lookup_elem(&starts, &tid);
    if (!start)
        return 0;
    struct unlink_event e = {};
    e.pid = bpf_get_current_pid_tgid() >> 32;
    e.ppid = parent_tgid();
    e.latency_ns = bpf_ktime_get_ns() - *start;
    bpf_get_current_comm(e.comm, sizeof(e.comm));
    bpf_map_delete_elem(&starts, &tid);
    __sync_fetch_and_add(&returns, 1);
    bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
    return 0;
}

static __always_inline int unlink_sample(void *ctx)
{
    if (target_ppid && parent_tgid() != target_ppid)
        return 0;
    struct unlink_event e = {};
    e.pid = bpf_get_current_pid_tgid() >> 32;
    e.ppid = target_ppid;
    bpf_get_current_comm(e.comm, sizeof(e.comm));
    __sync_fetch_and_add(&entries, 1);
    bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
    return 0;
}

/* unlinkat(2) (coreutils rm) and unlink(2) (musl's unlink(), where the architecture has the call). */
SEC("?tp/syscalls/sys_enter_unlinkat")
int unlinkat_tp(void *ctx)
{
    return unlink_sample(ctx);
}

SEC("?tp/syscalls/sys_enter_unlink")
int unlink_tp(void *ctx)
{
    return unlink_sample(ctx);
}

char LICENSE[] SEC("license") = "GPL";
