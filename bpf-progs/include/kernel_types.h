/* SPDX-License-Identifier: MIT */
/* The few kernel types the CO-RE test programs read, declared by hand instead of a generated vmlinux.h.
 *
 * Every struct is marked preserve_access_index, so clang records each field access as a CO-RE relocation and
 * the loader moves it to wherever the running kernel keeps the field. Only the fields the programs use are
 * declared, in any order and at any offset: that is the point of CO-RE. Types that differ between kernels
 * (task_struct's state field, renamed in 5.14) have "___flavor" variants next to the programs that use them. */
#pragma once

#include <linux/types.h>

#define __ka __attribute__((preserve_access_index))

typedef __kernel_pid_t pid_t;
typedef unsigned int fmode_t;
typedef unsigned short umode_t;
typedef __s32 s32;
typedef __u32 u32;
typedef __u64 u64;

struct mm_struct {
    unsigned long arg_start;
    unsigned long arg_end;
} __ka;

struct task_struct {
    unsigned int __state; /* "state" (a long) before 5.14: see task_struct___old in core_flavors.bpf.c */
    unsigned int flags;
    struct mm_struct *mm;
    int exit_code;
    unsigned int sched_reset_on_fork: 1;
    unsigned int in_execve: 1; /* set while execve() runs, so 1 in sched_process_exec */
    pid_t pid;
    pid_t tgid;
    struct task_struct *real_parent;
    char comm[16];
} __ka;

struct qstr {
    u32 len; /* inside an anonymous struct in an anonymous union in the kernel */
    const unsigned char *name;
} __ka;

struct inode {
    umode_t i_mode;
    unsigned long i_ino;
    long long i_size;
} __ka;

struct dentry {
    struct dentry *d_parent;
    struct qstr d_name; /* in an anonymous union with __d_name in recent kernels */
    struct inode *d_inode;
} __ka;

struct vfsmount;

struct path {
    struct vfsmount *mnt;
    struct dentry *dentry;
} __ka;

struct file {
    fmode_t f_mode;
    struct path f_path; /* in an anonymous union with __f_path in recent kernels */
    struct inode *f_inode;
    unsigned int f_flags;
} __ka;

struct linux_binprm {
    const char *filename;
    int argc;
} __ka;

struct net_device {
    int ifindex;
    char name[16];
    unsigned int mtu;
} __ka;

struct sk_buff {
    unsigned int len;
    __be16 protocol;
    struct net_device *dev;
    __u8 pkt_type: 3; /* in an anonymous struct of a struct_group union in the kernel */
    __u8 cloned: 1;
} __ka;

/* Per-CPU run queue: typed __ksym "runqueues". */
struct rq {
    unsigned int nr_running;
    int cpu;
} __ka;

struct seq_file;

struct bpf_iter_meta {
    struct seq_file *seq;
    u64 session_id;
    u64 seq_num;
} __ka;

struct bpf_iter__task {
    struct bpf_iter_meta *meta;
    struct task_struct *task;
} __ka;

struct bpf_iter__task_file {
    struct bpf_iter_meta *meta;
    struct task_struct *task;
    u32 fd;
    struct file *file;
} __ka;

/* Complete (not forward) declarations: libbpf 1.1.2 finds a FWD incompatible with the kernel's STRUCT when it
 * checks a kfunc's prototype. */
struct cpumask {
    unsigned long bits[1];
} __ka;

struct bpf_cpumask {
    int usage; /* only its address is used; declared complete so kfunc prototypes match the kernel's */
} __ka;

#undef __ka

/* libbpf 1.2's macro; Debian 12 has libbpf 1.1.2. A weak kfunc or ksym the kernel lacks resolves to 0. */
#ifndef bpf_ksym_exists
#define bpf_ksym_exists(sym)                                                                          \
    ({                                                                                                \
        _Static_assert(!__builtin_constant_p(!!sym), #sym " should be marked as __weak");             \
        !!sym;                                                                                        \
    })
#endif
