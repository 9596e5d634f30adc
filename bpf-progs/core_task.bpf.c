/* SPDX-License-Identifier: MIT */
/* Process tracing with CO-RE reads of task_struct, file and mm_struct: exec (tp_btf), fork (raw_tp), exit
 * (perf tracepoint), and task and task_file iterators. Each records what it saw for the test to compare with
 * getpid(), fork()'s result, /proc/self/stat and a file the test opened. */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

/* Set by the test before load: only events of this process (or its children) are recorded. */
const volatile __u32 target_tgid = 0;

struct exec_event {
    __u32 pid, tgid, ppid, in_execve;
    __u32 count;
    char comm[16];
    char filename[32];
};
struct exec_event exec_seen;

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
    /* The parent's tgid through a pointer chain, read with bpf_probe_read_kernel at relocated offsets. */
    __u32 ppid = BPF_CORE_READ(p, real_parent, tgid);
    if (ppid != target_tgid)
        return 0;
    exec_seen.pid = BPF_CORE_READ(p, pid);
    exec_seen.tgid = BPF_CORE_READ(p, tgid);
    exec_seen.ppid = ppid;
    /* A 1-bit field in the middle of a word: byte offset, size and both shifts are relocated. */
    exec_seen.in_execve = BPF_CORE_READ_BITFIELD_PROBED(p, in_execve);
    BPF_CORE_READ_STR_INTO(&exec_seen.comm, p, comm);
    bpf_probe_read_kernel_str(exec_seen.filename, sizeof(exec_seen.filename), BPF_CORE_READ(bprm, filename));
    exec_seen.count++;
    return 0;
}

struct fork_event {
    __u32 parent_tgid, child_pid, child_tgid, count;
};
struct fork_event fork_seen;

/* Untyped raw tracepoint: the arguments are plain u64s, so every read goes through bpf_probe_read_kernel. */
SEC("raw_tp/sched_process_fork")
int on_fork(struct bpf_raw_tracepoint_args *ctx)
{
    struct task_struct *parent = (struct task_struct *)ctx->args[0];
    struct task_struct *child = (struct task_struct *)ctx->args[1];
    __u32 tgid = BPF_CORE_READ(parent, tgid);
    if (tgid != target_tgid)
        return 0;
    fork_seen.parent_tgid = tgid;
    fork_seen.child_pid = BPF_CORE_READ(child, pid);
    fork_seen.child_tgid = BPF_CORE_READ(child, tgid);
    fork_seen.count++;
    return 0;
}

struct exit_event {
    __u32 pid, exit_code, count;
};
struct exit_event exit_seen;

/* A classic tracepoint: its context is the trace event record, so the task comes from the untyped helper. */
SEC("tracepoint/sched/sched_process_exit")
int on_exit(void *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    if (BPF_CORE_READ(task, real_parent, tgid) != target_tgid)
        return 0;
    exit_seen.pid = BPF_CORE_READ(task, pid);
    exit_seen.exit_code = BPF_CORE_READ(task, exit_code);
    exit_seen.count++;
    return 0;
}

/* Tasks seen by the iterator, and this test's own line. */
__u32 iter_tasks;
__u32 iter_found_target;

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
    struct seq_file *seq = ctx->meta->seq;
    struct task_struct *task = ctx->task;
    if (!task)
        return 0;
    iter_tasks++;
    if (task->tgid == target_tgid && task->pid == target_tgid)
        iter_found_target++;
    BPF_SEQ_PRINTF(seq, "%d %d %s\n", task->tgid, task->pid, task->comm);
    return 0;
}

struct file_event {
    __u32 fd, count;
    __u32 f_flags, f_mode;
    __u64 ino;
    __u64 arg_start, arg_end;
    char name[32];
    char parent_name[32];
};
struct file_event file_seen;

/* Only files whose name starts with this prefix are recorded (the test creates one). */
const volatile char name_prefix[8] = "ebpfcxx";

SEC("iter/task_file")
int dump_file(struct bpf_iter__task_file *ctx)
{
    struct task_struct *task = ctx->task;
    struct file *file = ctx->file;
    if (!task || !file || task->tgid != target_tgid)
        return 0;
    char name[32] = {};
    /* file->f_path.dentry->d_name.name: both f_path and d_name sit in anonymous unions in recent kernels. */
    bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
    for (int i = 0; i < 7; i++)
        if (name[i] != name_prefix[i])
            return 0;
    __builtin_memcpy(file_seen.name, name, sizeof(name));
    bpf_probe_read_kernel_str(file_seen.parent_name, sizeof(file_seen.parent_name),
                              BPF_CORE_READ(file, f_path.dentry, d_parent, d_name.name));
    file_seen.fd = ctx->fd;
    /* Trusted BTF pointers: plain loads, each relocated (LDX offsets) rather than bpf_probe_read_kernel. */
    file_seen.f_flags = file->f_flags;
    file_seen.f_mode = file->f_mode;
    file_seen.ino = file->f_inode->i_ino;
    file_seen.arg_start = task->mm->arg_start;
    file_seen.arg_end = task->mm->arg_end;
    file_seen.count++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
