/* SPDX-License-Identifier: MIT */
/* CO-RE against the running kernel from a syscall program (run with BPF_PROG_TEST_RUN, so "current" is the test):
 * BPF_CORE_READ chains, bitfields, ___flavor structs for a field renamed in 5.14 (the branch for the other layout
 * is poisoned but dead, and the program still verifies), and the existence/size/offset/type/enum builtins that
 * clang 14 supports. The results go to a global for the test to compare with getpid(), /proc and kernel BTF. */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>

/* Before 5.14 the task state was "volatile long state"; it became "unsigned int __state". One flavor each: only
 * the one matching the running kernel exists, the other's reads are poisoned. */
struct task_struct___old {
    long state;
} __attribute__((preserve_access_index));

struct task_struct___new {
    unsigned int __state;
} __attribute__((preserve_access_index));

/* A field that no kernel has: its existence check is 0 and its read poisoned. */
struct task_struct___fake {
    int ebpf_cxx_no_such_field;
} __attribute__((preserve_access_index));

/* No kernel type has this name. */
struct ebpf_cxx_no_such_type {
    int x;
} __attribute__((preserve_access_index));

/* enum pid_type's enumerators, declared here in another order and with other values: CO-RE gives the kernel's
 * (PIDTYPE_PID 0, PIDTYPE_TGID 1, PIDTYPE_PGID 2, PIDTYPE_SID 3 since 4.19). */
enum pid_type {
    PIDTYPE_SID = 10,
    PIDTYPE_TGID = 11,
    PIDTYPE_EBPF_CXX_NOPE = 12,
};

struct flavor_out {
    __u32 pid, tgid, ppid, in_execve, in_execve_direct;
    __u32 state, state_from_new, state_from_old, has_new_state, has_old_state, has_fake_field;
    __u32 fake_field;
    __u32 comm_size, pid_size, comm_offset, pid_offset;
    __u32 task_exists, fake_type_exists, pid_t_exists, task_size, pid_t_size, task_type_id;
    __u32 tgid_enum_exists, nope_enum_exists;
    __s64 tgid_enum, sid_enum;
    __u64 arg_start, arg_end;
    char comm[16];
};
struct flavor_out flavors;

SEC("syscall")
int read_current(void *ctx)
{
    struct flavor_out *out = &flavors;

    /* Untyped pointer: every step below is a bpf_probe_read_kernel at a relocated offset. */
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();

    out->pid = BPF_CORE_READ(task, pid);
    out->tgid = BPF_CORE_READ(task, tgid);
    out->ppid = BPF_CORE_READ(task, real_parent, tgid);
    BPF_CORE_READ_STR_INTO(&out->comm, task, comm);
    out->arg_start = BPF_CORE_READ(task, mm, arg_start);
    out->arg_end = BPF_CORE_READ(task, mm, arg_end);
    /* A 1-bit field: byte offset, byte size, left and right shift are all relocated. */
    out->in_execve = BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);
    /* The same bit through a BTF-typed pointer: a direct load instead of a probe read. */
    struct task_struct *typed = bpf_get_current_task_btf();
    out->in_execve_direct = BPF_CORE_READ_BITFIELD(typed, in_execve);

    /* Flavors: exactly one of these exists; the other branch is dead but still holds a poisoned load. */
    out->has_new_state = bpf_core_field_exists(struct task_struct___new, __state);
    out->has_old_state = bpf_core_field_exists(struct task_struct___old, state);
    if (bpf_core_field_exists(struct task_struct___new, __state)) {
        out->state_from_new = 1;
        out->state = BPF_CORE_READ((struct task_struct___new *)task, __state);
    } else {
        out->state_from_old = 1;
        out->state = BPF_CORE_READ((struct task_struct___old *)task, state);
    }
    out->has_fake_field = bpf_core_field_exists(struct task_struct___fake, ebpf_cxx_no_such_field);
    if (bpf_core_field_exists(struct task_struct___fake, ebpf_cxx_no_such_field))
        out->fake_field = BPF_CORE_READ((struct task_struct___fake *)task, ebpf_cxx_no_such_field);

    out->comm_size = bpf_core_field_size(task->comm);
    out->pid_size = bpf_core_field_size(struct task_struct, pid);
    out->comm_offset = bpf_core_field_offset(struct task_struct, comm);
    out->pid_offset = bpf_core_field_offset(task->pid);

    out->task_exists = bpf_core_type_exists(struct task_struct);
    out->fake_type_exists = bpf_core_type_exists(struct ebpf_cxx_no_such_type);
    out->pid_t_exists = bpf_core_type_exists(pid_t);
    out->task_size = bpf_core_type_size(struct task_struct);
    out->pid_t_size = bpf_core_type_size(pid_t);
    out->task_type_id = bpf_core_type_id_kernel(struct task_struct);

    out->tgid_enum_exists = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_TGID);
    out->nope_enum_exists = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_EBPF_CXX_NOPE);
    out->tgid_enum = bpf_core_enum_value(enum pid_type, PIDTYPE_TGID);
    out->sid_enum = bpf_core_enum_value(enum pid_type, PIDTYPE_SID);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
