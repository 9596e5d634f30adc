/* SPDX-License-Identifier: MIT */
/* fentry/fexit (BPF trampolines) on security_file_open with CO-RE reads of file, dentry and the current task's mm:
 * records the opening of a file whose name starts with "ebpfcxx" by the test process. Kept apart from
 * core_task.bpf.c because some kernels refuse trampolines (arm64 before 6.0, kernels without ftrace direct calls). */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

const volatile __u32 target_tgid = 0;
const volatile char name_prefix[8] = "ebpfcxx";

struct open_event {
    __u32 tgid, pid, count, exit_count;
    __s32 ret;
    __u32 f_flags;
    __u64 ino;
    __u64 arg_start, arg_end;
    char name[32];
};
struct open_event open_seen;

static __always_inline int has_prefix(const char *name)
{
    for (int i = 0; i < 7; i++)
        if (name[i] != name_prefix[i])
            return 0;
    return 1;
}

SEC("fentry/security_file_open")
int BPF_PROG(on_open, struct file *file)
{
    __u64 id = bpf_get_current_pid_tgid();
    if ((__u32)(id >> 32) != target_tgid)
        return 0;
    char name[32] = {};
    bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(file, f_path.dentry, d_name.name));
    if (!has_prefix(name))
        return 0;
    __builtin_memcpy(open_seen.name, name, sizeof(name));
    open_seen.tgid = id >> 32;
    open_seen.pid = (__u32)id;
    open_seen.f_flags = BPF_CORE_READ(file, f_flags);
    open_seen.ino = BPF_CORE_READ(file, f_inode, i_ino);
    /* The current task through the untyped helper, then a two-step chain into its mm. */
    struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
    open_seen.arg_start = BPF_CORE_READ(cur, mm, arg_start);
    open_seen.arg_end = BPF_CORE_READ(cur, mm, arg_end);
    open_seen.count++;
    return 0;
}

SEC("fexit/security_file_open")
int BPF_PROG(on_open_exit, struct file *file, int ret)
{
    if ((__u32)(bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    /* fexit arguments are BTF-typed: direct loads, each still relocated by CO-RE. */
    struct dentry *d = file->f_path.dentry;
    char name[8] = {};
    bpf_probe_read_kernel(name, sizeof(name), d->d_name.name);
    if (!has_prefix(name))
        return 0;
    open_seen.ret = ret;
    open_seen.exit_count++;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
